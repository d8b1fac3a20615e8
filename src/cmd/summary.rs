//! `goldpan summary`: the store's figures.

use super::load;
use crate::cli::{InputArgs, RuleArgs};
use crate::config::{self, Settings};
use crate::ingest::IngestReport;
use crate::metrics::{self, Summary};
use crate::model::Exclusion;
use crate::output::{money, table};
use anyhow::Result;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Print the store's figures: customers, revenue, AOV, repeat rate, revenue
/// share of the top customers, AOV bands, lifetime value.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Years a customer keeps buying, for the simple lifetime value (clv) [default: 3]
    #[arg(long, value_name = "YEARS")]
    pub lifespan_years: Option<f64>,

    /// Print one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let flags = Settings {
        lifespan_years: args.lifespan_years,
        ..args.rules.settings()
    };
    let settings = config::load(config_file, &args.input.settings().or(flags))?;
    let rules = settings.rules();
    let store = load(&args.input, &settings)?;
    let summary = metrics::summary(
        &store.customers,
        &store.orders,
        &rules,
        settings.lifespan_years(),
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut json = serde_json::to_value(&summary)?;
        json["as_of"] = store.as_of.to_string().into();
        let mut input = serde_json::to_value(&store.report)?;
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
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else if std::io::stdout().is_terminal() {
        let mut table = table(&["figure", "value"]);
        for (figure, value) in rows(&summary) {
            table.add_row([figure, value]);
        }
        writeln!(out, "Store figures as of {}", store.as_of)?;
        writeln!(out, "{table}")?;
    } else {
        let mut csv = csv::Writer::from_writer(&mut out);
        csv.write_record(["figure", "value"])?;
        csv.write_record(["as_of", &store.as_of.to_string()])?;
        for (figure, value) in rows(&summary) {
            csv.write_record([figure, value])?;
        }
        csv.flush()?;
    }
    out.flush()?;
    eprintln!("{}", account(&store.report, &summary));
    Ok(())
}

/// What became of every row, in one sentence for stderr.
pub fn account(report: &IngestReport, summary: &Summary) -> String {
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
        "goldpan: read {} rows from {} file(s): {} orders built ({} read, {} duplicate(s) left \
         out), {} row(s) rejected; {} orders excluded{reasons}, {} without a customer",
        report.rows_read,
        report.files,
        report.orders_built,
        report.orders_read,
        report.duplicate_orders,
        report.rows_rejected,
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

/// The figures as (name, value) text, in the order of the spec.
fn rows(s: &Summary) -> Vec<(String, String)> {
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
    rows.into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .chain(by_reason)
        .collect()
}
