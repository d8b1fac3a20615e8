//! `goldpan segments`: one customer-list CSV per segment.

use super::usage;
use super::{Store, load};
use crate::cli::{InputArgs, RuleArgs};
use crate::config;
use crate::customers::col;
use crate::metrics::Totals;
use crate::output::{Printable, table, write_atomically, write_customers};
use crate::segments::{self, REASONS, Segment};
use anyhow::{Context, Result};
use polars::prelude::{ChunkAgg, IntoLazy, lit};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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

    // The orders table is not needed any more: free it before the lists.
    let Store {
        customers,
        report: ingest_report,
        as_of,
        ..
    } = store;
    let customers = segments::with_reasons(customers.lazy(), &rules)
        .with_column(lit(as_of.to_string()).alias(AS_OF))
        .collect()?;
    let escape = !args.no_formula_escape;
    let extra = |segment: &Segment| -> &'static [&'static str] {
        if segment.name == "bulk_b2b" {
            &[REASONS, AS_OF]
        } else {
            &[AS_OF]
        }
    };
    // Each list is selected, written and dropped in turn, on as many threads
    // as there are cores: formatting large lists is the slow part, and only
    // that many lists are in memory at once.
    let next = AtomicUsize::new(0);
    let write_next = || -> Result<Vec<(usize, u64, i64)>> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(segment) = chosen.get(i) else {
                return Ok(done);
            };
            let members = customers
                .clone()
                .lazy()
                .filter(segment.members.clone())
                .collect()?;
            if to_stdout {
                let stdout = std::io::stdout().lock();
                if stdout.is_terminal() {
                    write_customers(&members, extra(segment), escape, Printable(stdout))?;
                } else {
                    write_customers(&members, extra(segment), escape, stdout)?;
                }
            } else {
                let path = args.out.join(format!("{}.csv", segment.name));
                write_atomically(&path, |file| {
                    write_customers(&members, extra(segment), escape, file)
                })?;
            }
            let revenue = members.column(col::REVENUE)?.i64()?.sum().unwrap_or(0);
            done.push((i, members.height() as u64, revenue));
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut written = std::thread::scope(|scope| -> Result<Vec<(usize, u64, i64)>> {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(write_next)).collect();
        let mut written = Vec::new();
        for worker in workers {
            written.extend(worker.join().expect("a list writer panicked")?);
        }
        Ok(written)
    })?;
    written.sort_unstable();
    let report: Vec<_> = written
        .into_iter()
        .map(|(i, size, revenue)| (&chosen[i], size, revenue))
        .collect();

    if ingest_report.rows_rejected > 0 {
        eprintln!(
            "goldpan: {} malformed row(s) skipped (--skip-bad-rows); --rejects FILE lists them",
            ingest_report.rows_rejected
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
            "as_of": as_of.to_string(),
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
            as_of, totals.customers
        );
    } else {
        eprintln!(
            "goldpan: segments as of {} ({} customers)",
            as_of, totals.customers
        );
        for [name, size, of_customers, of_revenue, _] in rows {
            eprintln!(
                "goldpan: {name}: {size} customers ({of_customers} of customers, {of_revenue} of revenue)"
            );
        }
    }
    Ok(())
}
