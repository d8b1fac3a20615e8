//! `goldpan summary`: the store's figures.

use super::{Dataset, Predicted, predict, read_exports};
use crate::cli::InputArgs;
use crate::config::Resolved;
use crate::config::{self, Settings};
use crate::customers::field;
use crate::ingest::IngestReport;
use crate::metrics::{self, Summary};
use crate::model::Exclusion;
use crate::model::store_customer;
use crate::output::{self, Emit, Emitter, Table, money};
use crate::predict::pred_col;
use anyhow::Result;
use polars::prelude::ChunkAgg;
use polars::prelude::{IntoLazy, col, cols, lit};
use std::collections::BTreeMap;
use std::path::Path;

/// Print the store's figures: customers, revenue, AOV, repeat rate, revenue
/// share of the top customers, AOV bands, lifetime value.
///
/// With --separate-stores the figures cover the stores together (a customer
/// of two stores counts twice), then one column per store has its own
/// figures (JSON: "stores", by name).
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Print one JSON object instead of a table
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: Settings,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let settings = config::settings(config_file, &args.settings)?;
    let mut data = read_exports(&args.input, &settings)?;
    let predicted = predict(&mut data, settings.horizon_days())?;
    let summary = metrics::summary(
        &data.customers,
        &data.orders,
        &settings.rules(),
        settings.lifespan_years(),
    )?;
    let mut figures = Figures::of(&summary, &data, &predicted)?;
    for store in args.input.store_names()? {
        let summary = store_summary(&data, &store, &settings)?;
        let predicted_cents = predicted_cents(&predicted, Some(&store))?;
        let mut json = serde_json::to_value(&summary)?;
        json[&pred_col::predicted_revenue(predicted.horizon_days)] =
            predicted_cents.map(|cents| cents as f64 / 100.0).into();
        figures.json["stores"][&store] = json;
        let store_rows = rows(&summary, &predicted, predicted_cents);
        figures
            .stores
            .push((store, store_rows.into_iter().collect()));
    }
    Emitter::new(args.json).data(&figures)?;
    output::say(&account(&data.report, &summary));
    Ok(())
}

/// The figures as `summary` shows them: the JSON object of `--json`, and
/// (name, value) rows for the table and CSV.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct Figures {
    json: serde_json::Value,
    #[serde(skip)]
    as_of: String,
    #[serde(skip)]
    rows: Vec<(String, String)>,
    /// Separate stores: each store's name and figures, shown beside `rows`.
    #[serde(skip)]
    stores: Vec<(String, BTreeMap<String, String>)>,
}

/// One store's figures, from its orders and its customers ranked among
/// themselves.
fn store_summary(data: &Dataset, store: &str, settings: &Resolved) -> Result<Summary> {
    let in_store = || col(field::STORE).eq(lit(store));
    let orders = data.orders.clone().lazy().filter(in_store()).collect()?;
    let customers = data
        .customers
        .clone()
        .lazy()
        .filter(in_store())
        .drop(cols([field::RANK]))
        .with_row_index(field::RANK, None)
        .collect()?;
    Ok(metrics::summary(
        &customers,
        &orders,
        &settings.rules(),
        settings.lifespan_years(),
    )?)
}

/// The predicted revenue of every customer, or of one store's customers;
/// `None` without a spend model (every customer's value is empty).
fn predicted_cents(predicted: &Predicted, store: Option<&str>) -> Result<Option<i64>> {
    let has_revenue = predicted
        .models
        .as_ref()
        .is_some_and(|models| models.gamma_gamma.is_ok());
    let Some(table) = predicted.table.as_ref().filter(|_| has_revenue) else {
        return Ok(None);
    };
    let revenue_key = pred_col::predicted_revenue(predicted.horizon_days);
    let table = match store {
        None => table.clone(),
        Some(store) => {
            let prefix = store_customer(store, "");
            table
                .clone()
                .lazy()
                .filter(col(field::CUSTOMER).str().starts_with(lit(prefix)))
                .collect()?
        }
    };
    Ok(table.column(&revenue_key)?.i64()?.sum())
}

impl Figures {
    fn of(summary: &Summary, data: &Dataset, predicted: &Predicted) -> Result<Figures> {
        let mut json = serde_json::to_value(summary)?;
        // The store's predicted revenue (the customers' sum) and the models.
        let revenue_key = pred_col::predicted_revenue(predicted.horizon_days);
        let predicted_cents = predicted_cents(predicted, None)?;
        json[&revenue_key] = predicted_cents.map(|cents| cents as f64 / 100.0).into();
        json["model"] = match &predicted.models {
            Some(models) => serde_json::to_value(models.report())?,
            None => serde_json::Value::Null,
        };
        json["as_of"] = data.as_of.to_string().into();
        let mut input = serde_json::to_value(&data.report)?;
        input["excluded_orders"] = summary.excluded_orders.into();
        // Every reason, zeros included, so a script can rely on the keys.
        let by_reason: serde_json::Map<String, serde_json::Value> = Exclusion::ALL
            .iter()
            .map(|reason| {
                let count = summary.excluded_by_reason.get(reason.as_str());
                (
                    reason.as_str().to_string(),
                    count.copied().unwrap_or(0).into(),
                )
            })
            .collect();
        input["excluded_by_reason"] = by_reason.into();
        input["unattributed_orders"] = summary.unattributed_orders.into();
        json["input"] = input;
        json["notes"] = data.notes.clone().into();
        Ok(Figures {
            json,
            as_of: data.as_of.to_string(),
            rows: rows(summary, predicted, predicted_cents),
            stores: Vec::new(),
        })
    }
}

impl Figures {
    /// Rows of the figure, its value and each store's value (a figure a
    /// store has no row of is an exclusion reason it never met: 0).
    fn table_rows<'a>(
        &'a self,
        rows: impl Iterator<Item = &'a (String, String)>,
    ) -> Vec<Vec<String>> {
        rows.map(|(figure, value)| {
            let stores = self.stores.iter().map(|(_, figures)| {
                figures
                    .get(figure)
                    .cloned()
                    .unwrap_or_else(|| "0".to_string())
            });
            [figure.clone(), value.clone()]
                .into_iter()
                .chain(stores)
                .collect()
        })
        .collect()
    }
}

impl Emit for Figures {
    /// CSV starts with the as-of date, a terminal table has it in its title.
    fn table(&self) -> Table {
        let as_of = ("as_of".to_string(), self.as_of.clone());
        let mut rows = self.table_rows(std::iter::once(&as_of));
        // The as-of date is every store's too.
        rows[0].truncate(1);
        rows[0].resize(self.stores.len() + 2, self.as_of.clone());
        rows.extend(self.table_rows(self.rows.iter()));
        Table {
            rows,
            ..self.terminal_table()
        }
    }

    fn terminal_table(&self) -> Table {
        let stores = self.stores.iter().map(|(store, _)| store.clone());
        Table {
            title: format!("Store figures as of {}", self.as_of),
            header: ["figure".to_string(), "value".to_string()]
                .into_iter()
                .chain(stores)
                .collect(),
            rows: self.table_rows(self.rows.iter()),
        }
    }
}

/// What became of every row, in one sentence for stderr.
fn account(report: &IngestReport, summary: &Summary) -> String {
    let reasons: Vec<String> = summary
        .excluded_by_reason
        .iter()
        .map(|(reason, count)| format!("{count} {reason}"))
        .collect();
    let reasons = if reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", reasons.join(", "))
    };
    let mut text = format!(
        "read {} rows from {} file(s): {} orders built ({} read, {} duplicate(s) left \
         out), {} row(s) rejected; {} after the as-of date left out; {} orders \
         excluded{reasons}, {} without a customer",
        report.rows_read,
        report.files,
        report.orders_built,
        report.orders_read,
        report.duplicate_orders,
        report.rows_rejected,
        report.after_as_of,
        summary.excluded_orders,
        summary.unattributed_orders
    );
    if report.customers_export_rows > 0 {
        text.push_str(&format!(
            "; {} customers export row(s) read for B2B hints",
            report.customers_export_rows
        ));
    }
    text
}

/// The figures as (name, value) text, in the order of the spec, then the
/// predicted revenue.
fn rows(s: &Summary, predicted: &Predicted, predicted_cents: Option<i64>) -> Vec<(String, String)> {
    let cents = |major: f64| money((major * 100.0).round() as i64);
    let amount = |v: Option<f64>| v.map_or("-".to_string(), cents);
    let fraction = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.4}", v));
    let rows = [
        ("customers", s.customers.to_string()),
        ("orders", s.orders.to_string()),
        ("revenue", cents(s.revenue)),
        ("aov", amount(s.aov)),
        ("purchase_frequency", fraction(s.purchase_frequency)),
        ("repeat_customers", s.repeat_customers.to_string()),
        ("repeat_rate", fraction(s.repeat_rate)),
        ("repeat_revenue_share", fraction(s.repeat_revenue_share)),
        ("top_10_share", fraction(s.top_10_share)),
        ("top_20_share", fraction(s.top_20_share)),
        ("aov_low_customers", s.aov_low_customers.to_string()),
        ("aov_mid_customers", s.aov_mid_customers.to_string()),
        ("aov_high_customers", s.aov_high_customers.to_string()),
        ("aov_low_revenue_share", fraction(s.aov_low_revenue_share)),
        ("aov_mid_revenue_share", fraction(s.aov_mid_revenue_share)),
        ("aov_high_revenue_share", fraction(s.aov_high_revenue_share)),
        ("clv", amount(s.clv)),
        ("unattributed_orders", s.unattributed_orders.to_string()),
        ("unattributed_revenue", cents(s.unattributed_revenue)),
        ("excluded_orders", s.excluded_orders.to_string()),
    ];
    let by_reason = s
        .excluded_by_reason
        .iter()
        .map(|(reason, count)| (format!("excluded_{reason}"), count.to_string()));
    let predicted = (
        pred_col::predicted_revenue(predicted.horizon_days),
        predicted_cents.map_or("-".to_string(), money),
    );
    rows.into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .chain(by_reason)
        .chain([predicted])
        .collect()
}
