//! `goldpan segments`: one customer-list CSV per segment.

use super::load;
use crate::cli::{InputArgs, RuleArgs};
use crate::customers::col;
use crate::metrics::Totals;
use crate::output::{table, write_atomically, write_customers};
use crate::segments::{self, REASONS};
use anyhow::{Context, Result, bail};
use polars::prelude::{ChunkAgg, IntoLazy};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Write one customer-list CSV per segment into a folder
///
/// The segments:
///
///   bulk_b2b     an order of 36+ items, 72+ items in all, a billing company, or
///                tax exempt / tagged wholesale in a Shopify customers export given too
///   repeat       2 or more orders
///   one_time     exactly 1 order (the win-back list)
///   lapsed_60    last order 60 to 89 days before --as-of
///   lapsed_90    last order 90 or more days before --as-of
///   top_20       the top 20% of customers by revenue
///   aov_low      average order below 0.5 × the store's
///   aov_mid      average order from 0.5 × to 2 × the store's
///   aov_high     average order above 2 × the store's
///
/// Every number is a flag below. Rows are sorted by revenue (highest first),
/// then e-mail, so the same export gives byte-identical files.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Folder for the segment files (created if missing; other files in it
    /// are left alone). `-` writes the one segment chosen with --only to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Write only these segments, e.g. --only lapsed_60,top_20
    #[arg(long, value_delimiter = ',', value_name = "SEGMENT,…")]
    pub only: Vec<String>,

    /// Do not put a ' before cells a spreadsheet would run as a formula
    /// (for programs, not spreadsheets, reading the files)
    #[arg(long)]
    pub no_formula_escape: bool,
}

pub fn run(args: &Args) -> Result<()> {
    let rules = args.rules.rules()?;
    let store = load(&args.input)?;
    let totals = Totals::of(&store.customers)?;
    let mut chosen = segments::all(&rules, &totals);
    if !args.only.is_empty() {
        let known: Vec<String> = chosen.iter().map(|s| s.name.clone()).collect();
        if let Some(unknown) = args.only.iter().find(|name| !known.contains(name)) {
            bail!(
                "--only: no segment named \"{unknown}\"; the segments are {}",
                known.join(", ")
            );
        }
        chosen.retain(|s| args.only.contains(&s.name));
    }
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout && chosen.len() != 1 {
        bail!("--out -: stdout takes one segment; choose it with --only, e.g. --only lapsed_60");
    }
    if !to_stdout {
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create the folder {}", args.out.display()))?;
    }

    let customers = segments::with_reasons(store.customers.clone().lazy(), &rules);
    let escape = !args.no_formula_escape;
    let mut report = Vec::new();
    for segment in &chosen {
        let members = customers
            .clone()
            .filter(segment.members.clone())
            .collect()?;
        let extra: &[&str] = if segment.name == "bulk_b2b" {
            &[REASONS]
        } else {
            &[]
        };
        if to_stdout {
            write_customers(&members, extra, escape, std::io::stdout().lock())?;
        } else {
            let path = args.out.join(format!("{}.csv", segment.name));
            write_atomically(&path, |file| write_customers(&members, extra, escape, file))?;
        }
        let revenue = members.column(col::REVENUE)?.i64()?.sum().unwrap_or(0);
        report.push((segment, members.height() as u64, revenue));
    }

    if store.report.rows_rejected > 0 {
        eprintln!(
            "goldpan: {} malformed row(s) skipped (--skip-bad-rows); --rejects FILE lists them",
            store.report.rows_rejected
        );
    }
    let share = |part: f64, whole: f64| {
        if whole == 0.0 {
            "-".to_string()
        } else {
            format!("{:.1}%", 100.0 * part / whole)
        }
    };
    let rows = report.iter().map(|(segment, size, revenue)| {
        [
            segment.name.clone(),
            size.to_string(),
            share(*size as f64, totals.customers as f64),
            share(*revenue as f64, totals.revenue_cents as f64),
            segment.rule.clone(),
        ]
    });
    let header = ["segment", "customers", "of customers", "of revenue", "rule"];
    if std::io::stderr().is_terminal() {
        let mut table = table(&header);
        for row in rows {
            table.add_row(row);
        }
        eprintln!(
            "Segments as of {} ({} customers):\n{table}",
            store.as_of, totals.customers
        );
    } else {
        for [name, size, of_customers, of_revenue, _] in rows {
            eprintln!(
                "goldpan: {name}: {size} customers ({of_customers} of customers, {of_revenue} of revenue)"
            );
        }
    }
    Ok(())
}
