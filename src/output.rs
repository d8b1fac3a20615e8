//! Writing results: customer-list CSVs, atomic files, terminal tables.

use crate::customers::col;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::{
    BooleanChunked, DataFrame, DataType, Int32Chunked, Int64Chunked, StringChunked,
};
use std::io::Write;
use std::path::Path;

pub use crate::sanitize::{Printable, printable};

/// Columns of every segment file, in order (SEGMENTS.md section 4).
/// `revenue` and `aov` are formatted from cents; every other column is the
/// customers-table column of the same name.
pub const LIST_COLUMNS: [&str; 14] = [
    col::EMAIL,
    col::CUSTOMER_ID,
    col::NAME,
    col::COMPANY,
    col::PHONE,
    col::ACCEPTS_MARKETING,
    col::ORDERS,
    "revenue",
    "aov",
    col::FIRST_ORDER,
    col::LAST_ORDER,
    col::DAYS_SINCE_LAST_ORDER,
    col::TOTAL_QUANTITY,
    col::MAX_ORDER_QUANTITY,
];

/// Cents as a decimal amount with two places: 123456 → `1234.56`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

fn is_plain_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a spreadsheet would run the cell as a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return and is not a plain number
/// (`-12.50` and `+15550100` are left alone).
pub fn needs_formula_escape(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(text)
}

/// A terminal table with goldpan's style.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(header.to_vec());
    table
}

pub fn date_from_days(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::TimeDelta::days(days as i64)
}

/// One column of a customer list, read by its type from the customers table.
enum Cells {
    Text(StringChunked),
    Whole(Int64Chunked),
    Date(Int32Chunked),
    Flag(BooleanChunked),
    /// Revenue in cents, written as money.
    Revenue(Int64Chunked),
    /// Revenue and orders: the customer's average order, written as money.
    Aov(Int64Chunked, Int64Chunked),
}

impl Cells {
    fn of(customers: &DataFrame, name: &str) -> Result<Cells> {
        let int64 = |name: &str| -> Result<Int64Chunked> {
            let column = customers.column(name)?.cast(&DataType::Int64)?;
            Ok(column.i64()?.rechunk().into_owned())
        };
        Ok(match name {
            "revenue" => Cells::Revenue(int64(col::REVENUE)?),
            "aov" => Cells::Aov(int64(col::REVENUE)?, int64(col::ORDERS)?),
            _ => {
                let column = customers.column(name)?;
                match column.dtype() {
                    DataType::String => Cells::Text(column.str()?.rechunk().into_owned()),
                    DataType::Boolean => Cells::Flag(column.bool()?.rechunk().into_owned()),
                    DataType::Date => {
                        let days = column.cast(&DataType::Int32)?;
                        Cells::Date(days.i32()?.rechunk().into_owned())
                    }
                    _ => Cells::Whole(int64(name)?),
                }
            }
        })
    }

    /// Appends row `i`'s cell to `out` (nothing for a null).
    fn write(&self, i: usize, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Cells::Text(c) => out.push_str(c.get(i).unwrap_or_default()),
            Cells::Whole(c) => {
                if let Some(n) = c.get(i) {
                    let _ = write!(out, "{n}");
                }
            }
            Cells::Date(c) => {
                if let Some(days) = c.get(i) {
                    let _ = write!(out, "{}", date_from_days(days).format("%Y-%m-%d"));
                }
            }
            Cells::Flag(c) => {
                if let Some(flag) = c.get(i) {
                    out.push_str(if flag { "yes" } else { "no" });
                }
            }
            Cells::Revenue(c) => out.push_str(&money(c.get(i).unwrap_or(0))),
            Cells::Aov(revenue, orders) => {
                let revenue = revenue.get(i).unwrap_or(0);
                let orders = orders.get(i).unwrap_or(1).max(1);
                out.push_str(&money((revenue as f64 / orders as f64).round() as i64));
            }
        }
    }
}

/// Writes customers (rows of the customers table) as a customer-list CSV:
/// [`LIST_COLUMNS`], then `extra` columns taken as they are.
pub fn write_customers(
    customers: &DataFrame,
    extra: &[&str],
    escape: bool,
    out: impl Write,
) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let header: Vec<&str> = LIST_COLUMNS.iter().chain(extra).copied().collect();
    csv.write_record(&header)?;
    let columns = header
        .iter()
        .map(|name| Cells::of(customers, name))
        .collect::<Result<Vec<_>>>()?;
    // One buffer per column, reused for every row.
    let mut row = vec![String::new(); columns.len()];
    for i in 0..customers.height() {
        for (cell, column) in row.iter_mut().zip(&columns) {
            cell.clear();
            column.write(i, cell);
            if escape && needs_formula_escape(cell) {
                cell.insert(0, '\'');
            }
        }
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

/// Writes a file so that readers see either the old file or the complete new
/// one, never half of it: a temporary file in the same folder, then a rename.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".goldpan-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    {
        let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    temp.as_file().sync_all()?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_two_decimals() {
        assert_eq!(money(123456), "1234.56");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(-310), "-3.10");
        assert_eq!(money(0), "0.00");
    }

    #[test]
    fn formulas_are_escaped_but_numbers_are_not() {
        for risky in [
            "=HYPERLINK(\"x\")",
            "+1 555 0100",
            "@home",
            "\tx",
            "\rx",
            "-",
            "-1-2",
        ] {
            assert!(needs_formula_escape(risky), "{risky:?}");
        }
        for safe in ["-12.50", "+15550100", "ann@shop.com", "12", ""] {
            assert!(!needs_formula_escape(safe), "{safe:?}");
        }
    }
}
