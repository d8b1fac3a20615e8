//! `goldpan config --print`: the settings in effect and where each came from.

use crate::config::{self, Settings};
use crate::output::Emitter;
use anyhow::Result;
use std::fmt::Write as _;
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

    /// Print one JSON object instead of TOML
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: Settings,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let file = config::read_file(config_file)?;
    let resolved = config::resolve(file.as_ref(), &args.settings)?;
    let file_name = file.as_ref().map(|f| f.path.clone());
    let emitter = Emitter::new(args.json);
    if emitter.wants_json() {
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
        return emitter
            .json(&serde_json::json!({ "config_file": file_name, "settings": settings }));
    }
    let mut toml = match &file_name {
        Some(path) => format!("# goldpan settings; config file: {path}\n"),
        None => format!(
            "# goldpan settings; no config file (no --config, no ./{})\n",
            config::DEFAULT_FILE
        ),
    };
    for (key, value, unset, source) in resolved.entries() {
        let from = source.describe(key);
        match value {
            Some(value) => writeln!(toml, "{key} = {value}  # from {from}")?,
            None => writeln!(toml, "# {key} is {unset}  # from {from}")?,
        }
    }
    emitter.text(&toml)
}
