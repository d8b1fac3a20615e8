//! `goldpan cohorts`: the cohort table, for spreadsheets.

use super::load;
use crate::calendar::Period;
use crate::cli::InputArgs;
use crate::cohorts::{self, col};
use crate::config;
use crate::frame::{f64s, i64s, strings, u64s};
use crate::output::{money, table};
use anyhow::Result;
use polars::prelude::DataFrame;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Print customers grouped by the month (or quarter) of their first order,
/// and what each group did after it
///
/// One row per group and period after its first: the group's customers, how
/// many of them ordered in that period (active_customers, retention =
/// active_customers / customers), their revenue in it, and their revenue so
/// far per customer. Period 0 is the first order's own. CSV when piped (for
/// a spreadsheet's pivot table), a table of retention on a terminal, --json
/// for programs.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Group customers by the month or the quarter of their first order
    #[arg(long, value_enum, default_value = "month")]
    pub by: By,

    /// Print one JSON object instead of CSV or a table
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum By {
    Month,
    Quarter,
}

/// Periods shown on a terminal (the CSV and JSON have them all).
const TERMINAL_PERIODS: u64 = 12;

/// The CSV's header, in order.
const HEADER: [&str; 7] = [
    "cohort",
    "customers",
    "period",
    "active_customers",
    "retention",
    "revenue",
    "cumulative_revenue_per_customer",
];

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let settings = config::load(config_file, &args.input.settings())?;
    let store = load(&args.input, &settings)?;
    let period = match args.by {
        By::Month => Period::Month,
        By::Quarter => Period::Quarter,
    };
    let cohorts = cohorts::cohorts(&store.orders, period, store.as_of)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "as_of": store.as_of.to_string(),
            "by": period.name(),
            "cohorts": rows(&cohorts.cells, Money::Number)?,
            "overall": rows(&cohorts.overall, Money::Number)?,
        });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else if std::io::stdout().is_terminal() {
        writeln!(
            out,
            "Share of each {period}'s new customers who ordered again 1, 2, … {period}s later, as of {}",
            store.as_of,
            period = period.name()
        )?;
        writeln!(out, "{}", retention_table(&cohorts.cells)?)?;
    } else {
        let mut csv = csv::Writer::from_writer(&mut out);
        csv.write_record(HEADER)?;
        for row in rows(&cohorts.cells, Money::Text)? {
            csv.write_record(HEADER.map(|key| match &row[key] {
                serde_json::Value::String(text) => text.clone(),
                value => value.to_string(),
            }))?;
        }
        csv.flush()?;
    }
    out.flush()?;
    Ok(())
}

/// How money is written: a number in major units (JSON, like `summary
/// --json`) or text with two decimals (CSV, like the lists).
#[derive(Clone, Copy)]
enum Money {
    Number,
    Text,
}

/// The table's rows as JSON objects keyed like [`HEADER`].
fn rows(t: &DataFrame, as_money: Money) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let amount = |cents: i64| -> serde_json::Value {
        match as_money {
            Money::Number => (cents as f64 / 100.0).into(),
            Money::Text => money(cents).into(),
        }
    };
    let cohort = strings(t, col::COHORT)?;
    let customers = u64s(t, col::CUSTOMERS)?;
    let period = u64s(t, col::PERIOD)?;
    let active = u64s(t, col::ACTIVE_CUSTOMERS)?;
    let retention = f64s(t, col::RETENTION)?;
    let revenue = i64s(t, col::REVENUE)?;
    let cumulative = i64s(t, col::CUMULATIVE_REVENUE_PER_CUSTOMER)?;
    Ok((0..t.height())
        .map(|i| {
            let values: [serde_json::Value; 7] = [
                cohort[i].clone().into(),
                customers[i].into(),
                period[i].into(),
                active[i].into(),
                retention[i].into(),
                amount(revenue[i]),
                amount(cumulative[i]),
            ];
            HEADER
                .iter()
                .map(|key| key.to_string())
                .zip(values)
                .collect()
        })
        .collect())
}

/// Cohorts down, periods 1, 2, … across, retention in percent.
fn retention_table(t: &DataFrame) -> Result<comfy_table::Table> {
    let cohort = strings(t, col::COHORT)?;
    let customers = u64s(t, col::CUSTOMERS)?;
    let period = u64s(t, col::PERIOD)?;
    let retention = f64s(t, col::RETENTION)?;
    let columns = period
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .min(TERMINAL_PERIODS);
    let mut header = vec!["cohort".to_string(), "customers".to_string()];
    header.extend((1..=columns).map(|k| k.to_string()));
    let mut table = table(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let mut i = 0;
    while i < t.height() {
        let mut row = vec![cohort[i].clone(), customers[i].to_string()];
        let start = i;
        while i < t.height() && cohort[i] == cohort[start] {
            if (1..=columns).contains(&period[i]) {
                row.push(format!("{:.1}%", retention[i] * 100.0));
            }
            i += 1;
        }
        table.add_row(row);
    }
    Ok(table)
}
