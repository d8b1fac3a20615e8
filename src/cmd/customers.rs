//! `goldpan customers`: one row per customer with everything goldpan knows
//! of them (docs/rfm-and-prediction.md).

use super::{predict, protect_inputs, read_exports};
use crate::cli::InputArgs;
use crate::config::{self, Settings};
use crate::customers::Totals;
use crate::exit_codes::usage;
use crate::lists::{self, AS_OF};
use crate::output::{self, Emitter, files, write_atomically};
use crate::predict::pred_col;
use crate::rfm::{self, rfm_col};
use crate::segments::{self, REASONS};
use anyhow::Result;
use polars::prelude::IntoLazy;
use std::path::{Path, PathBuf};

/// Write one row per customer: the list columns, a true/false column per
/// segment, RFM scores and group, probability still a customer and
/// predicted value
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// File to write (replaced atomically; a missing folder is created); `-`
    /// writes to stdout
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Write JSON lines (one object per customer) instead of CSV
    #[arg(long)]
    pub json: bool,

    /// Do not put a ' before cells a spreadsheet would run as a formula
    /// (for programs, not spreadsheets, reading the file)
    #[arg(long)]
    pub no_formula_escape: bool,

    #[command(flatten)]
    pub settings: Settings,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    if args.json && args.no_formula_escape {
        usage!("--no-formula-escape is for CSV: JSON lines are never escaped");
    }
    let settings = config::settings(config_file, &args.settings)?;
    let rules = settings.rules();
    // Usage mistakes and an output that is an input, before reading.
    protect_inputs(&args.input)?;
    let to_stdout = args.out.as_os_str() == "-";
    if !to_stdout {
        files::refuse_dangling_link(&args.out)?;
        files::refuse_input(&args.out)?;
    }
    let mut data = read_exports(&args.input, &settings)?;
    let predicted = predict(&mut data, settings.horizon_days())?;
    crate::allocator::give_back_freed_memory();
    let totals = Totals::of(&data.customers)?;
    let segments = segments::all(&rules, &totals);
    let as_of = data.as_of;
    drop(data.orders);
    // The lists' table (sorted like the lists), with RFM, the predictions
    // and one membership column per segment.
    let table = lists::list_table(data.customers, &rules, as_of)?;
    let table = predicted.join(rfm::with_rfm(table.lazy()).collect()?)?;
    let table = table
        .lazy()
        .with_columns(
            segments
                .iter()
                .map(|s| s.members.clone().alias(s.name.as_str()))
                .collect::<Vec<_>>(),
        )
        .collect()?;

    let expected_orders = pred_col::expected_orders(predicted.horizon_days);
    let predicted_revenue = pred_col::predicted_revenue(predicted.horizon_days);
    let mut columns: Vec<&str> = vec![REASONS];
    columns.extend(segments.iter().map(|s| s.name.as_str()));
    columns.extend([
        rfm_col::RECENCY_SCORE,
        rfm_col::FREQUENCY_SCORE,
        rfm_col::MONETARY_SCORE,
        rfm_col::RFM_SCORE,
        rfm_col::RFM_GROUP,
        pred_col::P_ALIVE,
        &expected_orders,
        &predicted_revenue,
        pred_col::EXPECTED_NEXT_ORDER,
        AS_OF,
    ]);
    let write = |out: &mut dyn std::io::Write| {
        if args.json {
            lists::write_customers_json(&table, &columns, out)
        } else {
            lists::write_customers(&table, &columns, !args.no_formula_escape, out)
        }
    };
    if to_stdout {
        write(&mut Emitter::new(false).list_out())?;
    } else {
        write_atomically(&args.out, write)?;
        output::say(&format!(
            "{} customers as of {as_of} written to {}",
            table.height(),
            args.out.display()
        ));
    }
    Ok(())
}
