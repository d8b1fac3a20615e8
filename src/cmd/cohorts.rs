//! `goldpan cohorts`: the cohort table, for spreadsheets.

use super::read_exports;
use crate::calendar::Period;
use crate::cli::InputArgs;
use crate::cohorts::{self, col};
use crate::config::{self, Settings};
use crate::frame::{f64s, i64s, strings, u64s};
use crate::output::{Emit, Emitter, Table, money};
use anyhow::Result;
use polars::prelude::DataFrame;
use std::path::Path;

/// Print customers grouped by the month (or quarter) of their first order,
/// and what each group did after it
///
/// One row per group and period after its first: the group's customers, how
/// many of them ordered in that period (active_customers, retention =
/// active_customers / customers), their revenue in it, and their revenue so
/// far per customer. Period 0 is the first order's own. CSV when piped (for
/// a spreadsheet's pivot table), a table of retention on a terminal, --json
/// for programs (with every group together as `overall`).
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

    #[command(flatten)]
    pub settings: Settings,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum By {
    Month,
    Quarter,
}

/// Periods shown on a terminal (the CSV and JSON have them all).
const TERMINAL_PERIODS: u64 = 12;

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let settings = config::settings(config_file, &args.settings)?;
    let data = read_exports(&args.input, &settings)?;
    let period = match args.by {
        By::Month => Period::Month,
        By::Quarter => Period::Quarter,
    };
    let cohorts = cohorts::cohorts(&data.orders, period, data.as_of)?;
    let result = CohortTable {
        as_of: data.as_of.to_string(),
        by: period,
        cohorts: Row::all(&cohorts.cells)?,
        overall: Row::all(&cohorts.overall)?,
        notes: data.notes,
    };
    Emitter::new(args.json).data(&result)
}

/// One cell of the triangle, as the CSV and JSON write it.
#[derive(serde::Serialize)]
struct Row {
    cohort: String,
    customers: u64,
    period: u64,
    active_customers: u64,
    retention: f64,
    /// Major units (like `summary --json`); the CSV writes two decimals.
    revenue: f64,
    cumulative_revenue_per_customer: f64,
    #[serde(skip)]
    cents: (i64, i64),
}

impl Row {
    fn all(t: &DataFrame) -> Result<Vec<Row>> {
        let cohort = strings(t, col::COHORT)?;
        let customers = u64s(t, col::CUSTOMERS)?;
        let period = u64s(t, col::PERIOD)?;
        let active = u64s(t, col::ACTIVE_CUSTOMERS)?;
        let retention = f64s(t, col::RETENTION)?;
        let revenue = i64s(t, col::REVENUE)?;
        let cumulative = i64s(t, col::CUMULATIVE_REVENUE_PER_CUSTOMER)?;
        Ok((0..t.height())
            .map(|i| Row {
                cohort: cohort[i].clone(),
                customers: customers[i],
                period: period[i],
                active_customers: active[i],
                retention: retention[i],
                revenue: revenue[i] as f64 / 100.0,
                cumulative_revenue_per_customer: cumulative[i] as f64 / 100.0,
                cents: (revenue[i], cumulative[i]),
            })
            .collect())
    }
}

#[derive(serde::Serialize)]
struct CohortTable {
    as_of: String,
    by: Period,
    cohorts: Vec<Row>,
    overall: Vec<Row>,
    notes: Vec<String>,
}

impl Emit for CohortTable {
    /// The long table: one row per cohort and period.
    fn table(&self) -> Table {
        Table {
            title: String::new(),
            header: [
                "cohort",
                "customers",
                "period",
                "active_customers",
                "retention",
                "revenue",
                "cumulative_revenue_per_customer",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .cohorts
                .iter()
                .map(|r| {
                    vec![
                        r.cohort.clone(),
                        r.customers.to_string(),
                        r.period.to_string(),
                        r.active_customers.to_string(),
                        format!("{:.4}", r.retention),
                        money(r.cents.0),
                        money(r.cents.1),
                    ]
                })
                .collect(),
        }
    }

    /// Cohorts down, periods 1, 2, … across, retention in percent.
    fn terminal_table(&self) -> Table {
        let columns = self
            .cohorts
            .iter()
            .map(|r| r.period)
            .max()
            .unwrap_or(0)
            .min(TERMINAL_PERIODS);
        let mut header = vec!["cohort".to_string(), "customers".to_string()];
        header.extend((1..=columns).map(|k| k.to_string()));
        let mut rows: Vec<Vec<String>> = Vec::new();
        for r in &self.cohorts {
            if r.period == 0 {
                rows.push(vec![r.cohort.clone(), r.customers.to_string()]);
            } else if r.period <= columns
                && let Some(row) = rows.last_mut()
            {
                row.push(format!("{:.1}%", r.retention * 100.0));
            }
        }
        for row in &mut rows {
            row.resize(header.len(), String::new());
        }
        Table {
            title: format!(
                "Share of each {period}'s new customers who ordered again 1, 2, … {period}s later, as of {}",
                self.as_of,
                period = self.by.name()
            ),
            header,
            rows,
        }
    }
}
