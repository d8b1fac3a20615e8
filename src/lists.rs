//! Customer lists: the segment files' columns, their cells, and writing
//! every chosen segment's list at once.

use crate::customers::field;
use crate::output::{Emitter, date_from_days, files, needs_formula_escape, write_atomically};
use crate::segments::{self, Rules, Segment};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{
    BooleanChunked, DataFrame, DataType, Float64Chunked, Int32Chunked, Int64Chunked, IntoLazy,
    StringChunked, lit,
};
use polars_arrow::array::StaticArray;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Last column of every segment file: the as-of date the list was made for.
pub const AS_OF: &str = "as_of";

/// Columns of every segment file, in order (docs/definitions.md, section 4).
/// `revenue` and `aov` are formatted from cents; every other column is the
/// customers-table column of the same name.
pub const LIST_COLUMNS: [&str; 14] = [
    field::EMAIL,
    field::CUSTOMER_ID,
    field::NAME,
    field::COMPANY,
    field::PHONE,
    field::ACCEPTS_MARKETING,
    field::ORDERS,
    "revenue",
    "aov",
    field::FIRST_ORDER,
    field::LAST_ORDER,
    field::DAYS_SINCE_LAST_ORDER,
    field::TOTAL_QUANTITY,
    field::MAX_ORDER_QUANTITY,
];

/// One column of a customer list, read by its type from the customers table.
enum Cells {
    Text(StringChunked),
    Whole(Int64Chunked),
    /// A fraction or an expectation (p_alive, expected orders): 4 decimals.
    Decimal(Float64Chunked),
    Date(Int32Chunked),
    /// `accepts_marketing`, written yes/no as the exports write it.
    Flag(BooleanChunked),
    /// Any other boolean (a segment's membership): true/false.
    TrueFalse(BooleanChunked),
    /// Revenue in cents, written as money.
    Revenue(Int64Chunked),
    /// Money in cents that may be missing (a prediction): empty then.
    Money(Int64Chunked),
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
            "revenue" => Cells::Revenue(int64(field::REVENUE)?),
            "aov" => Cells::Aov(int64(field::REVENUE)?, int64(field::ORDERS)?),
            // predicted_revenue_<H>d is in cents like revenue.
            _ if name.starts_with(PREDICTED_REVENUE) => Cells::Money(int64(name)?),
            _ => {
                let column = customers.column(name)?;
                match column.dtype() {
                    DataType::String => Cells::Text(column.str()?.rechunk().into_owned()),
                    DataType::Boolean if name == field::ACCEPTS_MARKETING => {
                        Cells::Flag(column.bool()?.rechunk().into_owned())
                    }
                    DataType::Boolean => Cells::TrueFalse(column.bool()?.rechunk().into_owned()),
                    DataType::Float64 => Cells::Decimal(column.f64()?.rechunk().into_owned()),
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
        // Each column is one chunk (see [`Cells::of`]): its array is read
        // directly, without finding the chunk of each row.
        match self {
            Cells::Text(c) => out.push_str(c.downcast_as_array().get(i).unwrap_or_default()),
            Cells::Whole(c) => {
                if let Some(n) = c.downcast_as_array().get(i) {
                    let _ = write!(out, "{n}");
                }
            }
            Cells::Date(c) => {
                if let Some(days) = c.downcast_as_array().get(i) {
                    push_date(date_from_days(days), out);
                }
            }
            Cells::Decimal(c) => {
                if let Some(v) = c.downcast_as_array().get(i) {
                    let _ = write!(out, "{v:.4}");
                }
            }
            Cells::Flag(c) => {
                if let Some(flag) = c.downcast_as_array().get(i) {
                    out.push_str(if flag { "yes" } else { "no" });
                }
            }
            Cells::TrueFalse(c) => {
                if let Some(flag) = c.downcast_as_array().get(i) {
                    out.push_str(if flag { "true" } else { "false" });
                }
            }
            Cells::Revenue(c) => push_money(c.downcast_as_array().get(i).unwrap_or(0), out),
            Cells::Money(c) => {
                if let Some(cents) = c.downcast_as_array().get(i) {
                    push_money(cents, out);
                }
            }
            Cells::Aov(revenue, orders) => {
                let revenue = revenue.downcast_as_array().get(i).unwrap_or(0);
                let orders = orders.downcast_as_array().get(i).unwrap_or(1).max(1);
                push_money((revenue as f64 / orders as f64).round() as i64, out);
            }
        }
    }
}

/// Appends `date` as YYYY-MM-DD (what `NaiveDate` displays for the years
/// an export holds), without the formatting machinery: a list has two
/// dates per customer.
fn push_date(date: NaiveDate, out: &mut String) {
    use chrono::Datelike;
    let (year, month, day) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&year) {
        out.push_str(&date.to_string());
        return;
    }
    let digit = |n: u32| char::from(b'0' + n as u8);
    let year = year as u32;
    for n in [year / 1000, year / 100 % 10, year / 10 % 10, year % 10] {
        out.push(digit(n));
    }
    out.push('-');
    out.extend([
        digit(month / 10),
        digit(month % 10),
        '-',
        digit(day / 10),
        digit(day % 10),
    ]);
}

/// Appends cents as money (see [`crate::output::money`]) without a String
/// of its own.
fn push_money(cents: i64, out: &mut String) {
    use std::fmt::Write as _;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let _ = write!(out, "{sign}{}.{:02}", cents / 100, cents % 100);
}

impl Cells {
    /// Row `i`'s cell as a JSON value: money in major units (12.50), dates
    /// as YYYY-MM-DD, yes/no and true/false as booleans, null for a null.
    fn json(&self, i: usize) -> serde_json::Value {
        use serde_json::Value;
        let major = |cents: i64| Value::from(cents as f64 / 100.0);
        match self {
            Cells::Text(c) => c.get(i).map_or(Value::Null, Value::from),
            Cells::Whole(c) => c.get(i).map_or(Value::Null, Value::from),
            Cells::Decimal(c) => c.get(i).map_or(Value::Null, Value::from),
            Cells::Date(c) => c.get(i).map_or(Value::Null, |days| {
                Value::from(date_from_days(days).format("%Y-%m-%d").to_string())
            }),
            Cells::Flag(c) | Cells::TrueFalse(c) => c.get(i).map_or(Value::Null, Value::from),
            Cells::Revenue(c) | Cells::Money(c) => c.get(i).map_or(Value::Null, major),
            Cells::Aov(revenue, orders) => {
                let revenue = revenue.get(i).unwrap_or(0);
                let orders = orders.get(i).unwrap_or(1).max(1);
                major((revenue as f64 / orders as f64).round() as i64)
            }
        }
    }
}

/// The columns of a customer list: [`LIST_COLUMNS`] then `extra`, after a
/// `store` column when the stores are separate (the table has one).
fn list_header<'a>(customers: &DataFrame, extra: &[&'a str]) -> Vec<&'a str> {
    let store = customers
        .schema()
        .contains(field::STORE)
        .then_some(field::STORE);
    store
        .into_iter()
        .chain(LIST_COLUMNS)
        .chain(extra.iter().copied())
        .collect()
}

/// Start of the name of the predicted revenue column (in cents, written as
/// money): `predicted_revenue_<H>d`.
const PREDICTED_REVENUE: &str = "predicted_revenue_";

/// Writes customers as JSON lines, one object per customer with the
/// columns of [`write_customers`] as keys, in the same order (`store` first
/// when the stores are separate).
pub fn write_customers_json(customers: &DataFrame, extra: &[&str], out: impl Write) -> Result<()> {
    let mut out = std::io::BufWriter::new(out);
    let header = list_header(customers, extra);
    let columns = header
        .iter()
        .map(|name| Cells::of(customers, name))
        .collect::<Result<Vec<_>>>()?;
    // Written key by key (a JSON map would sort the keys), each line built
    // first so that a closed pipe shows as the I/O error it is.
    let keys: Vec<String> = header
        .iter()
        .map(|name| serde_json::Value::from(*name).to_string())
        .collect();
    let mut line = String::new();
    for i in 0..customers.height() {
        line.clear();
        for (k, (key, column)) in keys.iter().zip(&columns).enumerate() {
            line.push(if k == 0 { '{' } else { ',' });
            line.push_str(key);
            line.push(':');
            line.push_str(&column.json(i).to_string());
        }
        line.push_str("}\n");
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// Writes customers (rows of the customers table) as a customer-list CSV:
/// [`LIST_COLUMNS`], then `extra` columns taken as they are; first a `store`
/// column when the stores are separate.
pub fn write_customers(
    customers: &DataFrame,
    extra: &[&str],
    escape: bool,
    out: impl Write,
) -> Result<()> {
    let header = list_header(customers, extra);
    let columns = header
        .iter()
        .map(|name| Cells::of(customers, name))
        .collect::<Result<Vec<_>>>()?;
    let columns: Vec<&Cells> = columns.iter().collect();
    write_rows(&header, &columns, 0..customers.height(), escape, out)
}

/// Writes the rows `rows` of `columns` as a customer-list CSV under `header`.
fn write_rows(
    header: &[&str],
    columns: &[&Cells],
    rows: impl Iterator<Item = usize>,
    escape: bool,
    out: impl Write,
) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(header)?;
    let phone = header.iter().position(|name| *name == field::PHONE);
    // One buffer per column, reused for every row.
    let mut row = vec![String::new(); columns.len()];
    for i in rows {
        for (at, (cell, column)) in row.iter_mut().zip(columns).enumerate() {
            list_cell(column, i, Some(at) == phone, escape, cell);
        }
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

/// Row `i`'s cell of `column` into `cell`, as lists write it: with a `'`
/// before it (when `escape`) where a spreadsheet would run it as a formula
/// or read a phone as a number.
fn list_cell(column: &Cells, i: usize, is_phone: bool, escape: bool, cell: &mut String) {
    cell.clear();
    column.write(i, cell);
    if escape && (needs_formula_escape(cell) || is_phone && phone_as_number(cell)) {
        cell.insert(0, '\'');
    }
}

/// CSV fields appended to a byte buffer as the csv crate's writer writes
/// them (quoted only where needed), for rows put together from parts.
struct CsvBytes {
    core: csv_core::Writer,
}

impl CsvBytes {
    fn new() -> CsvBytes {
        CsvBytes {
            core: csv_core::Writer::new(),
        }
    }

    /// Appends `field`, after a `,` unless it starts the record.
    fn field(&mut self, starts_record: bool, field: &[u8], out: &mut Vec<u8>) {
        if !starts_record {
            // Room for the closing quote of the field before, and the `,`.
            self.run(out, 2, |core, room| core.delimiter(room).1);
        }
        // Room for an opening quote and every byte a doubled quote.
        self.run(out, 2 * field.len() + 1, |core, room| {
            core.field(field, room).2
        });
    }

    /// Ends the record (a closing quote, and the line break).
    fn end_record(&mut self, out: &mut Vec<u8>) {
        self.run(out, 4, |core, room| core.terminator(room).1);
    }

    /// Lets `write` write into `room` bytes at the end of `out`; it returns
    /// how many it wrote.
    fn run(
        &mut self,
        out: &mut Vec<u8>,
        room: usize,
        write: impl FnOnce(&mut csv_core::Writer, &mut [u8]) -> usize,
    ) {
        let start = out.len();
        out.resize(start + room, 0);
        let written = write(&mut self.core, &mut out[start..]);
        out.truncate(start + written);
    }
}

/// Every customer's cells of the columns every list starts with, written as
/// CSV once for all the lists: a customer is in three or four lists, and
/// formatting cells was most of the time lists took.
struct Prefixes {
    rows_per_part: usize,
    /// Consecutive rows' prefixes, one after the other, and where each ends.
    parts: Vec<(Vec<u8>, Vec<usize>)>,
}

impl Prefixes {
    /// The prefixes of `columns` (under `header`), formatted on `threads`
    /// threads.
    fn new(header: &[&str], columns: &[&Cells], rows: usize, escape: bool) -> Prefixes {
        let threads = crate::threads::count();
        let rows_per_part = rows.div_ceil(threads).max(1);
        let phone = header.iter().position(|name| *name == field::PHONE);
        let part = |rows: std::ops::Range<usize>| {
            let mut csv = CsvBytes::new();
            let (mut bytes, mut ends) = (Vec::new(), Vec::with_capacity(rows.len()));
            let mut cell = String::new();
            for i in rows {
                for (at, column) in columns.iter().enumerate() {
                    list_cell(column, i, Some(at) == phone, escape, &mut cell);
                    csv.field(at == 0, cell.as_bytes(), &mut bytes);
                }
                // The record is ended to close a quoted last cell; the rest
                // of the row follows its line break.
                csv.end_record(&mut bytes);
                bytes.pop();
                ends.push(bytes.len());
            }
            (bytes, ends)
        };
        let parts = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..rows)
                .step_by(rows_per_part)
                .map(|start| scope.spawn(move || part(start..(start + rows_per_part).min(rows))))
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("a list formatter panicked"))
                .collect()
        });
        Prefixes {
            rows_per_part,
            parts,
        }
    }

    fn of(&self, row: usize) -> &[u8] {
        let (bytes, ends) = &self.parts[row / self.rows_per_part];
        let nth = row % self.rows_per_part;
        let start = if nth == 0 { 0 } else { ends[nth - 1] };
        &bytes[start..ends[nth]]
    }
}

/// Writes one list: `header`, then each member's prefix and its cells of
/// `extra` (the columns after the prefix's).
fn write_list(
    header: &[&str],
    prefixes: &Prefixes,
    extra: &[&Cells],
    members: &[usize],
    escape: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let mut csv = CsvBytes::new();
    let mut buffer = Vec::with_capacity(1 << 17);
    for (at, name) in header.iter().enumerate() {
        csv.field(at == 0, name.as_bytes(), &mut buffer);
    }
    csv.end_record(&mut buffer);
    let mut cell = String::new();
    for &row in members {
        buffer.extend_from_slice(prefixes.of(row));
        for column in extra {
            list_cell(column, row, false, escape, &mut cell);
            csv.field(false, cell.as_bytes(), &mut buffer);
        }
        csv.end_record(&mut buffer);
        if buffer.len() >= 1 << 16 {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)?;
    out.flush()?;
    Ok(())
}

/// Whether a spreadsheet would read a phone as a number and lose its `+`
/// or leading zero (`+995550736115` as 9.95551E+11, `0955573306` as
/// 955573306): it gets the `'` that marks text, as Shopify's own export
/// writes phones.
fn phone_as_number(phone: &str) -> bool {
    phone.len() > 1
        && phone.starts_with(['+', '0'])
        && phone.bytes().skip(1).all(|b| b.is_ascii_digit())
}

/// The customers table with the columns only lists have: the bulk signals
/// ([`segments::REASONS`]) and the as-of date ([`AS_OF`]).
pub fn list_table(customers: DataFrame, rules: &Rules, as_of: NaiveDate) -> Result<DataFrame> {
    Ok(segments::with_reasons(customers.lazy(), rules)
        .with_column(lit(as_of.to_string()).alias(AS_OF))
        .collect()?)
}

/// Where the lists go.
pub enum Destination<'a> {
    /// `<segment>.csv` files in this folder, each replaced atomically.
    Folder(&'a Path),
    /// The one chosen list on stdout.
    Stdout(&'a Emitter),
}

/// One list written.
#[derive(Clone, Debug)]
pub struct Written {
    pub customers: u64,
    pub revenue_cents: i64,
    /// The file's size and checksum (a folder's lists, for its manifest).
    pub file: Option<files::Digest256>,
}

/// Writes the list of each segment from `customers` (a [`list_table`]), in
/// the order of `segments`, on as many threads as there are cores:
/// formatting large lists is the slow part. Every list reads the same
/// columns of the one table: a list is its members' row numbers, not a copy
/// of their rows.
pub fn write_lists(
    customers: &DataFrame,
    segments: &[Segment],
    to: &Destination,
    escape: bool,
) -> Result<Vec<Written>> {
    let extra = |segment: &Segment| -> Vec<&str> {
        segment
            .extra_columns
            .iter()
            .chain(&[AS_OF])
            .copied()
            .collect()
    };
    let prefix_header = list_header(customers, &[]);
    let mut cells = rustc_hash::FxHashMap::default();
    for name in prefix_header
        .iter()
        .copied()
        .chain(segments.iter().flat_map(extra))
    {
        if !cells.contains_key(name) {
            cells.insert(name, Cells::of(customers, name)?);
        }
    }
    let prefix_columns: Vec<&Cells> = prefix_header.iter().map(|name| &cells[name]).collect();
    let prefixes = Prefixes::new(&prefix_header, &prefix_columns, customers.height(), escape);
    let revenue = customers.column(field::REVENUE)?.i64()?.rechunk();
    let next = AtomicUsize::new(0);
    let write_next = || -> Result<Vec<(usize, Written)>> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(segment) = segments.get(i) else {
                return Ok(done);
            };
            const MEMBER: &str = "__member";
            let member = customers
                .clone()
                .lazy()
                .select([segment.members.clone().alias(MEMBER)])
                .collect()?;
            // As a filter would: a null (unknown) is not a member.
            let members: Vec<usize> = member
                .column(MEMBER)?
                .bool()?
                .iter()
                .enumerate()
                .filter_map(|(row, member)| (member == Some(true)).then_some(row))
                .collect();
            let extra = extra(segment);
            let header = list_header(customers, &extra);
            let extra: Vec<&Cells> = extra.iter().map(|name| &cells[name]).collect();
            let write =
                |out: &mut dyn Write| write_list(&header, &prefixes, &extra, &members, escape, out);
            let file = match to {
                Destination::Stdout(emitter) => {
                    write(&mut emitter.list_out())?;
                    None
                }
                Destination::Folder(dir) => {
                    let path = dir.join(format!("{}.csv", segment.name));
                    Some(write_atomically(&path, |mut file| write(&mut file))?)
                }
            };
            let revenue_cents = members
                .iter()
                .map(|&row| revenue.get(row).unwrap_or(0))
                .sum();
            let written = Written {
                customers: members.len() as u64,
                revenue_cents,
                file,
            };
            done.push((i, written));
        }
    };
    let threads = crate::threads::count();
    let mut written = std::thread::scope(|scope| -> Result<Vec<(usize, Written)>> {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(write_next)).collect();
        let mut written = Vec::new();
        for worker in workers {
            written.extend(worker.join().expect("a list writer panicked")?);
        }
        Ok(written)
    })?;
    written.sort_unstable_by_key(|(i, _)| *i);
    Ok(written.into_iter().map(|(_, w)| w).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{NULL, col, when};

    #[test]
    fn lists_put_together_from_prefixes_are_the_csv_of_their_members() {
        use crate::model::{Order, OrdersBuilder};
        // Cells a CSV writer must quote, or a spreadsheet must not run.
        let names = [
            "Plain",
            "Comma, Inc",
            "Say \"hi\"",
            "Two\nlines",
            "=SUM(A1)",
            "Ünï",
            "",
            " pad ",
        ];
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for (n, name) in names.iter().enumerate() {
            for k in 0..=n % 3 {
                builder
                    .push(Order {
                        id: format!("#{n}-{k}"),
                        email: Some(format!("c{n}@shop{n}.com")),
                        date: NaiveDate::from_ymd_opt(2024, 1 + n as u32, 1 + k as u32).unwrap(),
                        quantity: 10 * n as i64 + 1,
                        total_cents: 1000 * n as i64 + 1,
                        name: crate::model::non_empty(name),
                        company: (n % 2 == 1).then(|| format!("{name} Ltd")),
                        phone: Some(format!("+{n}5550123")),
                        ..Order::default()
                    })
                    .unwrap();
            }
        }
        let orders = builder.finish().unwrap().orders;
        let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let customers = crate::testing::customers(&orders, (2025, 1, 1));
        let rules = crate::testing::default_rules();
        let totals = crate::customers::Totals::of(&customers).unwrap();
        // A p_alive for the repeat customers (the likely-alive list's extra
        // column), and the RFM groups' lists with their score columns.
        let p_alive = when(col(field::ORDERS).gt(lit(1)))
            .then(col(field::REVENUE).cast(DataType::Float64) / lit(3.0e5))
            .otherwise(lit(NULL))
            .alias(crate::predict::pred_col::P_ALIVE);
        let table = list_table(customers, &rules, as_of).unwrap();
        let table = crate::rfm::with_rfm(table.lazy().with_column(p_alive))
            .collect()
            .unwrap();
        let mut chosen = segments::all(&rules, &totals);
        chosen.extend(crate::rfm::segments());
        for escape in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            write_lists(&table, &chosen, &Destination::Folder(dir.path()), escape).unwrap();
            for segment in &chosen {
                let members = table
                    .clone()
                    .lazy()
                    .filter(segment.members.clone())
                    .collect()
                    .unwrap();
                let extra: Vec<&str> = segment
                    .extra_columns
                    .iter()
                    .chain(&[AS_OF])
                    .copied()
                    .collect();
                let mut expected = Vec::new();
                write_customers(&members, &extra, escape, &mut expected).unwrap();
                let written = std::fs::read(dir.path().join(format!("{}.csv", segment.name)));
                assert_eq!(
                    String::from_utf8(written.unwrap()).unwrap(),
                    String::from_utf8(expected).unwrap(),
                    "{} (escape: {escape})",
                    segment.name
                );
            }
        }
    }

    #[test]
    fn dates_and_money_are_written_as_chrono_and_money_write_them() {
        for days in [0, 1, 59, 365 * 30 + 7, 20_000, 2_932_896] {
            let date = date_from_days(days);
            let mut text = String::new();
            push_date(date, &mut text);
            assert_eq!(text, date.to_string());
        }
        for cents in [0, 5, -5, 99, 100, -100, 123_456_789, i64::MIN, i64::MAX] {
            let mut text = String::new();
            push_money(cents, &mut text);
            assert_eq!(text, crate::output::money(cents));
        }
    }
}
