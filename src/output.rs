//! Writing results: customer-list CSVs, atomic files, terminal tables.

use crate::customers::col;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::{AnyValue, DataFrame};
use std::io::Write;
use std::path::Path;

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

/// A cell a spreadsheet would run as a formula gets a leading `'`; plain
/// numbers (`-12.50`, `+15550100`) are left alone.
pub fn escape_formula(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A terminal table with goldpan's style.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(header.to_vec());
    table
}

fn text(value: AnyValue) -> String {
    match value {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => if b { "yes" } else { "no" }.to_string(),
        AnyValue::Date(days) => date_from_days(days).format("%Y-%m-%d").to_string(),
        other => other.to_string(),
    }
}

pub fn date_from_days(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::TimeDelta::days(days as i64)
}

/// Control characters make a terminal misbehave; show customer text without them.
pub fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
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
    let revenue = customers.column(col::REVENUE)?.i64()?.clone();
    let orders = customers
        .column(col::ORDERS)?
        .cast(&polars::prelude::DataType::Int64)?;
    let orders = orders.i64()?;
    let same_name: Vec<Option<polars::prelude::Series>> = header
        .iter()
        .map(|&name| match name {
            "revenue" | "aov" => Ok(None),
            name => customers
                .column(name)
                .map(|c| Some(c.as_materialized_series().clone())),
        })
        .collect::<Result<_, _>>()?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for i in 0..customers.height() {
        row.clear();
        let revenue_cents = revenue.get(i).unwrap_or(0);
        for (name, column) in header.iter().zip(&same_name) {
            let cell = match (column, *name) {
                (Some(column), _) => text(column.get(i)?),
                (None, "revenue") => money(revenue_cents),
                (None, _) => {
                    let order_count = orders.get(i).unwrap_or(1).max(1);
                    money((revenue_cents as f64 / order_count as f64).round() as i64)
                }
            };
            row.push(if escape {
                escape_formula(&cell).into_owned()
            } else {
                cell
            });
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
        assert_eq!(escape_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(escape_formula("+1 555 0100"), "'+1 555 0100");
        assert_eq!(escape_formula("@home"), "'@home");
        assert_eq!(escape_formula("\tx"), "'\tx");
        assert_eq!(escape_formula("-12.50"), "-12.50");
        assert_eq!(escape_formula("+15550100"), "+15550100");
        assert_eq!(escape_formula("ann@shop.com"), "ann@shop.com");
        assert_eq!(escape_formula("-"), "'-");
    }
}
