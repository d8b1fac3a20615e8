//! Showing results: the one [`Emitter`] every command writes through
//! (JSON, a terminal table or CSV, decided once), money and formula-safe
//! cells; writing files safely ([`files`]) and a run's manifest ([`manifest`]).

pub mod files;
pub mod manifest;

pub use files::write_atomically;

use crate::sanitize::{Printable, escape_controls, printable};
use anyhow::Result;
use chrono::NaiveDate;
use std::io::{IsTerminal, Write};

/// Where a command's result goes and in which form, decided once from its
/// `--json` flag and from whether stdout and stderr are terminals:
///
/// - the command's data on stdout ([`Emitter::data`]): JSON with `--json`,
///   else a table on a terminal, else CSV;
/// - a report of files written ([`Emitter::report`]): JSON on stdout with
///   `--json`, and for people on stderr a table on a terminal, else lines;
/// - customer lists on stdout ([`Emitter::list_out`]): without control
///   characters on a terminal.
#[derive(Clone, Copy, Debug)]
pub struct Emitter {
    json: bool,
    stdout_is_terminal: bool,
    stderr_is_terminal: bool,
}

/// A result as text: a title, a header and rows.
pub struct Table {
    /// Shown above the table on a terminal (CSV has none).
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A command's result, in the forms [`Emitter`] shows it.
pub trait Emit: serde::Serialize {
    /// The result as CSV writes it (header and rows).
    fn table(&self) -> Table;

    /// The table a terminal shows: the CSV's, unless the title already says
    /// part of it (the as-of date).
    fn terminal_table(&self) -> Table {
        self.table()
    }

    /// For a log (stderr that is not a terminal): one line each, printed
    /// after `goldpan: `.
    fn log_lines(&self) -> Vec<String> {
        let table = self.terminal_table();
        let rows = table.rows.iter().map(|row| row.join(", "));
        std::iter::once(table.title).chain(rows).collect()
    }
}

impl Emitter {
    pub fn new(json: bool) -> Emitter {
        Emitter {
            json,
            stdout_is_terminal: std::io::stdout().is_terminal(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }

    pub fn wants_json(&self) -> bool {
        self.json
    }

    /// The command's data on stdout: JSON with `--json`, a table on a
    /// terminal, CSV otherwise.
    pub fn data(&self, result: &impl Emit) -> Result<()> {
        if self.json {
            return self.json(result);
        }
        let mut out = std::io::stdout().lock();
        if self.stdout_is_terminal {
            let table = result.terminal_table();
            writeln!(out, "{}\n{}", table.title, terminal_table(&table))?;
        } else {
            write_csv(&result.table(), &mut out)?;
        }
        out.flush()?;
        Ok(())
    }

    /// A command whose data went to files: the report as JSON on stdout with
    /// `--json`; for people on stderr in any case.
    pub fn report(&self, result: &impl Emit) -> Result<()> {
        if self.json {
            self.json(result)?;
        }
        if self.stderr_is_terminal {
            let table = result.terminal_table();
            to_stderr(format_args!("{}\n{}", table.title, terminal_table(&table)));
        } else {
            for line in result.log_lines() {
                say(&line);
            }
        }
        Ok(())
    }

    /// `value` as pretty JSON on stdout.
    pub fn json(&self, value: &impl serde::Serialize) -> Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        out.flush()?;
        Ok(())
    }

    /// Text on stdout as it is.
    pub fn text(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// Stdout for a customer list: on a terminal without control characters
    /// (customer text can hold escape sequences).
    pub fn list_out(&self) -> Box<dyn Write> {
        let stdout = std::io::stdout().lock();
        if self.stdout_is_terminal {
            Box::new(Printable(stdout))
        } else {
            Box::new(stdout)
        }
    }
}

/// A line on stderr. When stderr is a pipe whose reader has gone
/// (`goldpan … 2>&1 | head -1`) the line is dropped: `eprintln!` would panic.
fn to_stderr(line: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A line for people on stderr: `goldpan: <line>`.
pub fn say(line: &str) {
    to_stderr(format_args!("goldpan: {}", escape_controls(line)));
}

/// A warning for people on stderr: `goldpan: warning: <warning>`.
pub fn warn(warning: &str) {
    to_stderr(format_args!(
        "goldpan: warning: {}",
        escape_controls(warning)
    ));
}

/// A note for people on stderr: `goldpan: note: <note>`.
pub fn note(note: &str) {
    to_stderr(format_args!("goldpan: note: {}", escape_controls(note)));
}

/// A command's table as CSV. Its cells can hold store text (product names,
/// file names), so they are formula-safe like the lists' cells.
pub fn write_csv(table: &Table, out: &mut dyn Write) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(&table.header)?;
    for row in &table.rows {
        csv.write_record(row.iter().map(|cell| formula_safe(cell).into_owned()))?;
    }
    csv.flush()?;
    Ok(())
}

/// A terminal table, customer text in it without control characters.
fn terminal_table(table: &Table) -> comfy_table::Table {
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    let mut shown = self::table(&header);
    for row in &table.rows {
        shown.add_row(row.iter().map(|cell| printable(cell)));
    }
    shown
}

/// Cents as a decimal amount with two places: 123456 → `1234.56`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// Cents as an amount for people, with thousands separators: 123456789 →
/// `1,234,567.89`.
pub fn grouped_money(cents: i64) -> String {
    let plain = money(cents);
    let (sign, unsigned) = plain.split_at(usize::from(cents < 0));
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "00"));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{fraction}")
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

/// The cell with a `'` before it when a spreadsheet would run it as a formula.
pub fn formula_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if needs_formula_escape(text) {
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

pub fn date_from_days(days: i32) -> NaiveDate {
    // The orders table only holds days of real dates (1970 on, see
    // `ingest::fields::EARLIEST_DATE`), so the checked conversion succeeds.
    NaiveDate::from_epoch_days(days).expect("a day of the orders table is a date")
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
    fn grouped_money_separates_thousands() {
        assert_eq!(grouped_money(123456789), "1,234,567.89");
        assert_eq!(grouped_money(100000), "1,000.00");
        assert_eq!(grouped_money(99999), "999.99");
        assert_eq!(grouped_money(-123456), "-1,234.56");
        assert_eq!(grouped_money(5), "0.05");
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
