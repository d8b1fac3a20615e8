//! `goldpan segments`: one customer-list CSV per segment.

use super::load;
use super::usage;
use crate::cli::{InputArgs, RuleArgs};
use crate::config;
use crate::customers::col;
use crate::metrics::Totals;
use crate::output::{table, write_atomically, write_customers};
use crate::segments::{self, REASONS, Segment};
use anyhow::{Context, Result};
use polars::prelude::{ChunkAgg, DataFrame, IntoLazy, PolarsResult, lit};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Last column of every segment file: the as-of date the list was made for.
pub const AS_OF: &str = "as_of";

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
/// Every number is a flag below (or a setting in goldpan.toml). Rows are
/// sorted by revenue (highest first), then e-mail, so the same export gives
/// byte-identical files. The last column, as_of, is the --as-of date used.
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

    /// Print the segment counts as one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

/// One segment file written, for the report.
#[derive(serde::Serialize)]
struct Written {
    segment: String,
    customers: u64,
    customer_share: Option<f64>,
    revenue_share: Option<f64>,
    rule: String,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout && args.json {
        usage!(
            "--json and --out - both want stdout: write the segment to a folder, or drop --json"
        );
    }
    let settings = config::load(
        config_file,
        &args.input.settings().or(args.rules.settings()),
    )?;
    let rules = settings.rules();
    let store = load(&args.input, &settings)?;
    let totals = Totals::of(&store.customers)?;
    let mut chosen = segments::all(&rules, &totals);
    if !args.only.is_empty() {
        let known: Vec<String> = chosen.iter().map(|s| s.name.clone()).collect();
        if let Some(unknown) = args.only.iter().find(|name| !known.contains(name)) {
            usage!(
                "--only: no segment named \"{unknown}\"; the segments are {}",
                known.join(", ")
            );
        }
        chosen.retain(|s| args.only.contains(&s.name));
    }
    if to_stdout && chosen.len() != 1 {
        usage!("--out -: stdout takes one segment; choose it with --only, e.g. --only lapsed_60");
    }
    if !to_stdout {
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create the folder {}", args.out.display()))?;
    }

    let customers = segments::with_reasons(store.customers.clone().lazy(), &rules)
        .with_column(lit(store.as_of.to_string()).alias(AS_OF))
        .collect()?;
    let lists = chosen
        .iter()
        .map(|segment| {
            customers
                .clone()
                .lazy()
                .filter(segment.members.clone())
                .collect()
        })
        .collect::<PolarsResult<Vec<DataFrame>>>()?;
    let escape = !args.no_formula_escape;
    let extra = |segment: &Segment| -> &'static [&'static str] {
        if segment.name == "bulk_b2b" {
            &[REASONS, AS_OF]
        } else {
            &[AS_OF]
        }
    };
    if to_stdout {
        write_customers(
            &lists[0],
            extra(&chosen[0]),
            escape,
            std::io::stdout().lock(),
        )?;
    } else {
        // One thread per file: formatting a large list is the slow part, and
        // the lists are independent.
        std::thread::scope(|scope| -> Result<()> {
            let writers: Vec<_> = chosen
                .iter()
                .zip(&lists)
                .map(|(segment, members)| {
                    let path = args.out.join(format!("{}.csv", segment.name));
                    scope.spawn(move || {
                        write_atomically(&path, |file| {
                            write_customers(members, extra(segment), escape, file)
                        })
                    })
                })
                .collect();
            writers
                .into_iter()
                .try_for_each(|writer| writer.join().expect("a list writer panicked"))
        })?;
    }
    let mut report = Vec::new();
    for (segment, members) in chosen.iter().zip(&lists) {
        let revenue = members.column(col::REVENUE)?.i64()?.sum().unwrap_or(0);
        report.push((segment, members.height() as u64, revenue));
    }

    if store.report.rows_rejected > 0 {
        eprintln!(
            "goldpan: {} malformed row(s) skipped (--skip-bad-rows); --rejects FILE lists them",
            store.report.rows_rejected
        );
    }
    let fraction = |part: f64, whole: f64| (whole != 0.0).then(|| part / whole);
    let share = |part: f64, whole: f64| {
        if whole == 0.0 {
            "-".to_string()
        } else {
            format!("{:.1}%", 100.0 * part / whole)
        }
    };
    if args.json {
        let written: Vec<Written> = report
            .iter()
            .map(|(segment, size, revenue)| Written {
                segment: segment.name.clone(),
                customers: *size,
                customer_share: fraction(*size as f64, totals.customers as f64),
                revenue_share: fraction(*revenue as f64, totals.revenue_cents as f64),
                rule: segment.rule.clone(),
            })
            .collect();
        let json = serde_json::json!({
            "as_of": store.as_of.to_string(),
            "customers": totals.customers,
            "out": args.out.display().to_string(),
            "segments": written,
        });
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
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
        eprintln!(
            "goldpan: segments as of {} ({} customers)",
            store.as_of, totals.customers
        );
        for [name, size, of_customers, of_revenue, _] in rows {
            eprintln!(
                "goldpan: {name}: {size} customers ({of_customers} of customers, {of_revenue} of revenue)"
            );
        }
    }
    Ok(())
}
