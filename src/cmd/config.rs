//! `goldpan config --print`: the settings in effect and where each came from.

use crate::cli::RuleArgs;
use crate::config::{self, Settings, date_order_name};
use crate::ingest::fields::DateOrder;
use anyhow::Result;
use std::io::Write;
use std::path::Path;

/// Show the settings in effect and where each came from
///
/// Built-in defaults, overridden by the config file (--config FILE, else
/// ./goldpan.toml), overridden by flags. Give the same flags as to another
/// command to see what it would use.
///
/// The output is itself a valid goldpan.toml:
///
///   goldpan config --print > goldpan.toml
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Print the settings (the only action for now)
    #[arg(long, required = true)]
    pub print: bool,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Years a customer keeps buying, for the lifetime value [default: 3]
    #[arg(long, value_name = "YEARS")]
    pub lifespan_years: Option<f64>,

    /// Count only orders in this currency
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,

    /// Order of day and month in dates such as 02/07/2021 [default: dmy]
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,

    /// Print one JSON object instead of TOML
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let flags = Settings {
        lifespan_years: args.lifespan_years,
        currency: args.currency.clone(),
        date_order: args.date_order.map(date_order_name),
        ..args.rules.settings()
    };
    let file = config::read_file(config_file)?;
    let resolved = config::resolve(file.as_ref(), &flags)?;
    let file_name = file.as_ref().map(|f| f.path.clone());
    let mut out = std::io::stdout().lock();
    if args.json {
        let settings: Vec<serde_json::Value> = resolved
            .entries()
            .into_iter()
            .map(|(key, value, _, source)| {
                serde_json::json!({
                    "setting": key,
                    "value": value,
                    "source": source.describe(key),
                })
            })
            .collect();
        let json = serde_json::json!({ "config_file": file_name, "settings": settings });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    } else {
        match &file_name {
            Some(path) => writeln!(out, "# goldpan settings; config file: {path}")?,
            None => writeln!(
                out,
                "# goldpan settings; no config file (no --config, no ./{})",
                config::DEFAULT_FILE
            )?,
        }
        for (key, value, unset, source) in resolved.entries() {
            let from = source.describe(key);
            match value {
                Some(value) => writeln!(out, "{key} = {value}  # from {from}")?,
                None => writeln!(out, "# {key} is {unset}  # from {from}")?,
            }
        }
    }
    out.flush()?;
    Ok(())
}
