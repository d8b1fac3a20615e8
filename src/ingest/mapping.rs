//! Any other orders file, read through a column mapping given on the
//! command line: `--map order=Order No,date=Ordered,total=Amount,email=Buyer E-mail`.
//!
//! Rows with the same order id are one order: its first row gives the order,
//! later rows only add their quantity (a file with one row per line item).

use super::fields::{SlashDates, parse_cents, parse_quantity};
use super::{ExportReader, FileCounts, RowError, Sink};
use crate::model::{Exclusion, Order, Seen, non_empty, normalize_company, normalize_email};
use anyhow::{Result, bail};
use std::collections::HashMap;

/// The fields of an order a mapping can name, with what each means.
const KEYS: [(&str, &str); 14] = [
    ("order", "order id (required)"),
    (
        "date",
        "order date, YYYY-MM-DD[ time] or dd/mm/yyyy (required)",
    ),
    ("total", "order total, e.g. 49.90 (required)"),
    ("email", "customer e-mail"),
    ("customer_id", "customer id, used when the e-mail is empty"),
    ("quantity", "items in the row"),
    ("refunded", "refunded amount"),
    (
        "status",
        "order status: cancelled, refunded, voided, declined, failed, expired are left out",
    ),
    ("company", "billing company"),
    ("name", "customer name"),
    ("phone", "customer phone"),
    ("zip", "postal code"),
    ("country", "country code or name"),
    ("currency", "currency code"),
];

/// `--map`: which column holds each field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    columns: HashMap<&'static str, String>,
}

fn known_keys() -> String {
    KEYS.iter()
        .map(|(key, meaning)| format!("{key} ({meaning})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Mapping {
    /// Parses `key=Column,key=Column` (the flag may be repeated).
    pub fn parse(specs: &[String]) -> Result<Mapping> {
        let mut columns = HashMap::new();
        for pair in specs.iter().flat_map(|spec| spec.split(',')) {
            if pair.trim().is_empty() {
                continue;
            }
            let Some((key, column)) = pair.split_once('=') else {
                bail!(
                    "--map: expected key=Column, found \"{pair}\"; the keys are {}",
                    known_keys()
                );
            };
            let key = key.trim().to_ascii_lowercase();
            let Some(&(key, _)) = KEYS.iter().find(|(k, _)| *k == key) else {
                bail!(
                    "--map: unknown key \"{key}\"; the keys are {}",
                    known_keys()
                );
            };
            if column.trim().is_empty() {
                bail!("--map {key}=: no column name after '='");
            }
            if columns.insert(key, column.trim().to_string()).is_some() {
                bail!("--map: {key} is given twice");
            }
        }
        let missing: Vec<&str> = ["order", "date", "total"]
            .into_iter()
            .filter(|key| !columns.contains_key(key))
            .collect();
        if !missing.is_empty() {
            bail!(
                "--map: missing {}: a mapping needs at least order, date and total, e.g. \
                 --map order=Order No,date=Ordered,total=Amount,email=E-mail",
                missing.join(", ")
            );
        }
        Ok(Mapping { columns })
    }
}

/// Why an order with this status is not a purchase, in the words most
/// systems use.
fn exclusion(status: &str) -> Option<Exclusion> {
    match status.trim().to_ascii_lowercase().as_str() {
        "cancelled" | "canceled" => Some(Exclusion::Cancelled),
        "refunded" => Some(Exclusion::Refunded),
        "voided" | "void" => Some(Exclusion::Voided),
        "declined" => Some(Exclusion::Declined),
        "failed" => Some(Exclusion::Failed),
        "expired" => Some(Exclusion::Expired),
        _ => None,
    }
}

/// Column positions for each mapped key.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn get(&self, key: &str) -> Option<usize> {
        self.0.get(key).copied()
    }
}

pub fn read(reader: &mut ExportReader, sink: &mut Sink) -> Result<FileCounts> {
    let mapping = sink
        .options
        .mapping
        .clone()
        .expect("mapping::read is only called with --map");
    let mut positions = HashMap::new();
    let mut missing = Vec::new();
    for (&key, name) in &mapping.columns {
        let found = reader.column(name).or_else(|| {
            reader
                .headers()
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        });
        match found {
            Some(index) => {
                positions.insert(key, index);
            }
            None => missing.push(format!("{key}={name}")),
        }
    }
    if !missing.is_empty() {
        missing.sort();
        bail!(
            "{}: --map {}: no such column; the file's columns are {}",
            reader.file(),
            missing.join(", "),
            reader
                .headers()
                .iter()
                .map(|h| format!("\"{h}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let columns = Columns(positions);
    let mut dates = SlashDates::new(sink.options.date_order);
    let counts = sink.each_row(reader, columns.get("order"), |reader, sink, counts| {
        read_row(reader, sink, &columns, &mut dates, counts)
    })?;
    if let Some(note) = dates.note(reader.file()) {
        eprintln!("goldpan: {note}");
    }
    Ok(counts)
}

fn read_row(
    reader: &ExportReader,
    sink: &mut Sink,
    c: &Columns,
    dates: &mut SlashDates,
    counts: &mut FileCounts,
) -> Result<(), RowError> {
    let order = c.get("order").expect("required key");
    let id = reader.check_excel_number(order)?.trim();
    if id.is_empty() {
        return Err(reader.bad(order, "an order id", b""));
    }
    let quantity = match c.get("quantity") {
        Some(index) => reader.parse(index, "a whole number of items", parse_quantity)?,
        None => 0,
    };
    if let Some(slot) = sink.orders.seen(id) {
        return match slot {
            Seen::Row(row) => {
                sink.orders.add_quantity(row, quantity);
                Ok(())
            }
            Seen::Duplicate => Ok(()),
            Seen::Rejected(line) => Err(RowError {
                file: reader.file().to_string(),
                line: reader.line(),
                column: None,
                problem: format!(
                    "another row of order {id}, whose first row (line {line}) was rejected"
                ),
                fatal: false,
            }),
        };
    }
    let date_index = c.get("date").expect("required key");
    let date_text = reader.cell(date_index)?;
    let date = dates
        .parse(date_text)
        .map_err(|(problem, fatal)| reader.problem(date_index, problem, fatal))?;
    let cell = |key: &str| reader.optional_cell(c.get(key));
    let refunded_cents = match cell("refunded")?.trim() {
        "" => 0,
        _ => reader.parse(
            c.get("refunded").unwrap(),
            "an amount such as 12.50",
            parse_cents,
        )?,
    };
    let customer_id = match c.get("customer_id") {
        Some(index) => {
            let text = reader.check_excel_number(index)?.trim();
            (!text.is_empty() && text != "0").then(|| text.to_string())
        }
        None => None,
    };
    let order = Order {
        id: id.to_string(),
        email: normalize_email(cell("email")?),
        customer_id,
        date,
        quantity,
        total_cents: reader.parse(
            c.get("total").expect("required key"),
            "an amount such as 49.90",
            parse_cents,
        )?,
        refunded_cents,
        company: normalize_company(cell("company")?, &sink.options.extra_non_company_words),
        name: non_empty(cell("name")?),
        phone: non_empty(cell("phone")?),
        zip: non_empty(cell("zip")?),
        country: non_empty(cell("country")?),
        accepts_marketing: None,
        currency: non_empty(cell("currency")?).map(|c| c.to_ascii_uppercase()),
        excluded: exclusion(cell("status")?),
    };
    counts.orders += 1;
    sink.orders.push(order);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(text: &str) -> Vec<String> {
        vec![text.to_string()]
    }

    #[test]
    fn a_mapping_names_columns_with_spaces() {
        let mapping = Mapping::parse(&specs(
            "email=Buyer E-mail,date=Ordered,total=Amount,order=Order No,quantity=Qty",
        ))
        .unwrap();
        assert_eq!(mapping.columns["email"], "Buyer E-mail");
        assert_eq!(mapping.columns["order"], "Order No");
        assert_eq!(mapping.columns.len(), 5);
    }

    #[test]
    fn unknown_keys_and_missing_required_keys_are_errors() {
        let err = Mapping::parse(&specs("order=A,date=B,total=C,mail=D")).unwrap_err();
        assert!(err.to_string().contains("unknown key \"mail\""), "{err}");
        let err = Mapping::parse(&specs("order=A,email=D")).unwrap_err();
        assert!(err.to_string().contains("missing date, total"), "{err}");
        let err = Mapping::parse(&specs("order=A,date,total=C")).unwrap_err();
        assert!(err.to_string().contains("expected key=Column"), "{err}");
    }
}
