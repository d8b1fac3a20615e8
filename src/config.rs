//! Settings: every threshold from one place, in layers.
//!
//! Built-in defaults < the config file < command-line flags. The config file
//! is `--config FILE` when given, else `goldpan.toml` in the working folder
//! when there is one (`--config` replaces that file, it does not add to it).
//! Flags are `Option`s without clap defaults, so a flag the user did not type
//! never hides the file's value; the defaults are applied here, once.

use crate::ingest::fields::DateOrder;
use crate::segments::Rules;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file read when no `--config` is given.
pub const DEFAULT_FILE: &str = "goldpan.toml";

/// Every setting, each `None` when a layer does not set it. The TOML keys are
/// the field names; the flags are the same names with dashes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk_order_qty: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk_total_qty: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_email_is_b2b: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapsed_days: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_percent: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aov_bands: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifespan_years: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `dmy` or `mdy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_free_mail_domains: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_non_company_words: Option<Vec<String>>,
}

/// The keys in the order `config --print` shows them, with what an unset
/// setting means (for the two that have no default value).
pub const KEYS: [(&str, &str); 11] = [
    ("bulk_order_qty", ""),
    ("bulk_total_qty", ""),
    ("work_email_is_b2b", ""),
    ("lapsed_days", ""),
    ("top_percent", ""),
    ("aov_bands", ""),
    ("lifespan_years", ""),
    ("currency", "not set: an export must hold one currency"),
    (
        "date_order",
        "not set: dmy, with a note when a date is ambiguous",
    ),
    ("extra_free_mail_domains", ""),
    ("extra_non_company_words", ""),
];

impl Settings {
    /// The built-in defaults (SEGMENTS.md); `currency` and `date_order` stay unset.
    pub fn defaults() -> Settings {
        let rules = Rules::default();
        Settings {
            bulk_order_qty: Some(rules.bulk_order_qty),
            bulk_total_qty: Some(rules.bulk_total_qty),
            work_email_is_b2b: Some(rules.work_email_is_b2b),
            lapsed_days: Some(rules.lapsed_days),
            top_percent: Some(rules.top_percent),
            aov_bands: Some(vec![rules.aov_low, rules.aov_high]),
            lifespan_years: Some(3.0),
            currency: None,
            date_order: None,
            extra_free_mail_domains: Some(Vec::new()),
            extra_non_company_words: Some(Vec::new()),
        }
    }

    /// This layer's settings, and `other`'s where this one has none: joins
    /// the flags of several flag groups into one layer.
    pub fn or(self, other: Settings) -> Settings {
        let mut table = other.table();
        table.extend(self.table());
        toml::Value::Table(table)
            .try_into()
            .expect("a table of Settings is Settings")
    }

    /// The settings of this layer as a TOML table (unset keys absent).
    fn table(&self) -> toml::Table {
        match toml::Value::try_from(self) {
            Ok(toml::Value::Table(table)) => table,
            _ => unreachable!("Settings serialize to a table"),
        }
    }
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Default,
    /// The config file, as its path was given.
    File(String),
    Flag,
}

impl Source {
    pub fn describe(&self, key: &str) -> String {
        match self {
            Source::Default => "default".to_string(),
            Source::File(path) => path.clone(),
            Source::Flag => format!("--{}", key.replace('_', "-")),
        }
    }
}

/// A config file read and checked.
pub struct ConfigFile {
    pub path: String,
    table: toml::Table,
}

/// Reads `--config FILE` (which must exist), else `./goldpan.toml` if present.
pub fn read_file(explicit: Option<&Path>) -> Result<Option<ConfigFile>> {
    let path: PathBuf = match explicit {
        Some(path) => path.to_path_buf(),
        None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => return Ok(None),
    };
    let label = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the config file {label}"))?;
    parse(&label, &text).map(Some)
}

/// Parses a config file's text; errors say file, line and column.
pub fn parse(label: &str, text: &str) -> Result<ConfigFile> {
    let located = |err: toml::de::Error| {
        let (line, column) = err.span().map_or((1, 1), |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            (line, column)
        });
        anyhow::anyhow!("{label}:{line}:{column}: {}", err.message().trim_end())
    };
    // Parsing into `Settings` checks key names and types; the table keeps
    // which keys the file actually sets.
    let settings: Settings = toml::from_str(text).map_err(located)?;
    let table = settings.table();
    Ok(ConfigFile {
        path: label.to_string(),
        table,
    })
}

/// The settings in effect, each with where it came from.
#[derive(Debug)]
pub struct Resolved {
    pub settings: Settings,
    sources: Vec<(&'static str, Source)>,
}

/// Merges defaults < config file < flags, and checks the result.
pub fn resolve(file: Option<&ConfigFile>, flags: &Settings) -> Result<Resolved> {
    let mut merged = Settings::defaults().table();
    let mut sources: Vec<(&'static str, Source)> = KEYS
        .iter()
        .map(|&(key, _)| (key, Source::Default))
        .collect();
    let layers = file
        .map(|f| (f.table.clone(), Source::File(f.path.clone())))
        .into_iter()
        .chain([(flags.table(), Source::Flag)]);
    for (table, source) in layers {
        for (key, value) in table {
            if let Some(slot) = sources.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = source.clone();
            }
            merged.insert(key, value);
        }
    }
    let settings: Settings = toml::Value::Table(merged)
        .try_into()
        .context("cannot merge the settings")?;
    let resolved = Resolved { settings, sources };
    resolved.check()?;
    Ok(resolved)
}

/// Reads the config file (see [`read_file`]) and resolves it under `flags`.
pub fn load(explicit: Option<&Path>, flags: &Settings) -> Result<Resolved> {
    resolve(read_file(explicit)?.as_ref(), flags)
}

impl Resolved {
    pub fn source(&self, key: &str) -> &Source {
        self.sources
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s)
            .expect("a known key")
    }

    /// `--lapsed-days` or `lapsed_days in goldpan.toml`: for error messages.
    fn origin(&self, key: &str) -> String {
        match self.source(key) {
            Source::File(path) => format!("{key} in {path}"),
            other => other.describe(key),
        }
    }

    fn check(&self) -> Result<()> {
        let s = &self.settings;
        let lapsed = s.lapsed_days.as_deref().unwrap_or_default();
        let ascending = lapsed.windows(2).all(|w| w[0] < w[1]);
        if lapsed.is_empty() || !ascending || lapsed[0] < 0 {
            bail!(
                "{}: expected ascending whole days such as 60,90, got {lapsed:?}",
                self.origin("lapsed_days")
            );
        }
        let bands = s.aov_bands.as_deref().unwrap_or_default();
        let [low, high] = bands[..] else {
            bail!(
                "{}: expected two factors LOW,HIGH such as 0.5,2, got {bands:?}",
                self.origin("aov_bands")
            );
        };
        if !(low > 0.0 && low <= high && high.is_finite()) {
            bail!(
                "{}: expected 0 < LOW ≤ HIGH, got {low},{high}",
                self.origin("aov_bands")
            );
        }
        let top = s.top_percent.unwrap_or_default();
        if !(1..=100).contains(&top) {
            bail!(
                "{}: expected a percentage from 1 to 100, got {top}",
                self.origin("top_percent")
            );
        }
        let years = s.lifespan_years.unwrap_or_default();
        if !(years > 0.0 && years.is_finite()) {
            bail!(
                "{}: expected a positive number of years, got {years}",
                self.origin("lifespan_years")
            );
        }
        for (key, qty) in [
            ("bulk_order_qty", s.bulk_order_qty),
            ("bulk_total_qty", s.bulk_total_qty),
        ] {
            if qty.unwrap_or_default() < 1 {
                bail!(
                    "{}: expected at least 1 item, got {}",
                    self.origin(key),
                    qty.unwrap_or_default()
                );
            }
        }
        self.date_order()?;
        Ok(())
    }

    /// The segment thresholds.
    pub fn rules(&self) -> Rules {
        let s = &self.settings;
        let bands = s.aov_bands.clone().unwrap_or_default();
        Rules {
            bulk_order_qty: s.bulk_order_qty.unwrap_or_default(),
            bulk_total_qty: s.bulk_total_qty.unwrap_or_default(),
            work_email_is_b2b: s.work_email_is_b2b.unwrap_or_default(),
            extra_free_mail_domains: s.extra_free_mail_domains.clone().unwrap_or_default(),
            lapsed_days: s.lapsed_days.clone().unwrap_or_default(),
            top_percent: s.top_percent.unwrap_or_default(),
            aov_low: bands[0],
            aov_high: bands[1],
        }
    }

    pub fn lifespan_years(&self) -> f64 {
        self.settings.lifespan_years.unwrap_or_default()
    }

    pub fn currency(&self) -> Option<String> {
        self.settings.currency.clone()
    }

    /// `None` when no layer set it (ingest then reads dmy and says so).
    pub fn date_order(&self) -> Result<Option<DateOrder>> {
        match self.settings.date_order.as_deref() {
            None => Ok(None),
            Some(text) => match <DateOrder as clap::ValueEnum>::from_str(text, true) {
                Ok(order) => Ok(Some(order)),
                Err(_) => bail!(
                    "{}: expected dmy or mdy, got \"{text}\"",
                    self.origin("date_order")
                ),
            },
        }
    }

    pub fn extra_non_company_words(&self) -> Vec<String> {
        self.settings
            .extra_non_company_words
            .clone()
            .unwrap_or_default()
    }

    /// `(key, value as TOML or None when unset, what unset means, source)`,
    /// in [`KEYS`] order.
    pub fn entries(&self) -> Vec<(&'static str, Option<toml::Value>, &'static str, &Source)> {
        let table = self.settings.table();
        KEYS.iter()
            .map(|&(key, unset)| (key, table.get(key).cloned(), unset, self.source(key)))
            .collect()
    }
}

/// The name of a `DateOrder` as the config file and flag write it.
pub fn date_order_name(order: DateOrder) -> String {
    clap::ValueEnum::to_possible_value(&order)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let file = parse("goldpan.toml", "top_percent = 10\nlapsed_days = [30, 60]\n").unwrap();
        let flags = Settings {
            top_percent: Some(5),
            ..Settings::default()
        };
        let resolved = resolve(Some(&file), &flags).unwrap();
        let rules = resolved.rules();
        assert_eq!(rules.top_percent, 5);
        assert_eq!(rules.lapsed_days, vec![30, 60]);
        assert_eq!(rules.bulk_order_qty, 36);
        assert_eq!(resolved.source("top_percent"), &Source::Flag);
        assert_eq!(
            resolved.source("lapsed_days"),
            &Source::File("goldpan.toml".into())
        );
        assert_eq!(resolved.source("bulk_order_qty"), &Source::Default);
    }

    #[test]
    fn unknown_key_names_key_file_and_line() {
        let err = parse("shop.toml", "top_percent = 10\nlapsed_dayz = [30]\n")
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("shop.toml:2:1: "), "{err}");
        assert!(err.contains("lapsed_dayz"), "{err}");
    }

    #[test]
    fn integers_are_accepted_for_factors() {
        let file = parse("f", "aov_bands = [1, 3]\nlifespan_years = 2\n").unwrap();
        let resolved = resolve(Some(&file), &Settings::default()).unwrap();
        assert_eq!(resolved.rules().aov_high, 3.0);
        assert_eq!(resolved.lifespan_years(), 2.0);
    }

    #[test]
    fn bad_values_name_their_origin() {
        let file = parse("goldpan.toml", "date_order = \"ymd\"\n").unwrap();
        let err = resolve(Some(&file), &Settings::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "date_order in goldpan.toml: expected dmy or mdy, got \"ymd\""
        );
    }
}
