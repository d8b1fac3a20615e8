//! Settings: every threshold from one place, in layers.
//!
//! Built-in defaults < the config file < command-line flags. The config file
//! is `--config FILE` when given, else `goldpan.toml` in the working folder
//! when there is one (`--config` replaces that file, it does not add to it).
//!
//! Each setting is declared once, in the [`settings!`] table below: its TOML
//! key and flag (the same name, with dashes), type, default, help and check.
//! Flags are `Option`s without clap defaults, so a flag the user did not type
//! never hides the file's value; the defaults are applied here, once.

use crate::consent::Rule as ConsentRule;
use crate::exit_codes::UsageError;
use crate::ingest::fields::DateOrder;
use crate::products::{Identity, Key as ProductKey};
use crate::segments::Rules;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file read when no `--config` is given.
pub const DEFAULT_FILE: &str = "goldpan.toml";

/// Declares the settings. Each entry:
///
/// ```text
/// /// help (the flag's --help text; the default is added to it)
/// key: Type = default (an Option),
///     [unset: "what no value means",] [check: fn(&Type) -> Result<(), String>,]
///     arg(extra clap attributes);
/// ```
///
/// and makes of them [`Settings`] (one `Option` per setting: a layer, the
/// TOML file's keys and the flags of every command that reads settings),
/// [`Settings::defaults`], [`KEYS`] and the checks.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])+
        $key:ident: $ty:ty = $default:expr,
        $(unset: $unset:literal,)?
        $(check: $check:expr,)?
        arg($($arg:tt)*);
    )+) => {
        /// Every setting, each `None` when a layer does not set it. The TOML
        /// keys are the field names; the flags are the same names with dashes.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, clap::Args)]
        #[serde(deny_unknown_fields)]
        #[command(next_help_heading = "Settings (each also a key of goldpan.toml; see goldpan config --print)")]
        pub struct Settings {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                #[arg(
                    long,
                    help = help_text(&[$($doc),+], default_text::<$ty>($default), concat!("" $(, $unset)?)),
                    $($arg)*
                )]
                pub $key: Option<$ty>,
            )+
        }

        /// The keys in the order `config --print` shows them, with what an
        /// unset setting means (for those that have no default value).
        pub const KEYS: &[(&str, &str)] = &[$((stringify!($key), concat!("" $(, $unset)?)),)+];

        impl Settings {
            /// The built-in defaults (settings without one stay unset).
            pub fn defaults() -> Settings {
                Settings {
                    $($key: $default,)+
                }
            }

            /// Each value that fails its check: (key, what was expected).
            fn problems(&self) -> Vec<(&'static str, String)> {
                #[allow(unused_mut)]
                let mut problems = Vec::new();
                $($(
                    if let Some(value) = &self.$key
                        && let Err(expected) = ($check)(value)
                    {
                        problems.push((stringify!($key), expected));
                    }
                )?)+
                problems
            }
        }
    };
}

settings! {
    /// bulk_b2b: a customer with one order of at least this many items
    bulk_order_qty: i64 = Some(36),
        check: at_least_one_item,
        arg(value_name = "ITEMS");

    /// bulk_b2b: a customer with at least this many items over all orders
    bulk_total_qty: i64 = Some(72),
        check: at_least_one_item,
        arg(value_name = "ITEMS");

    /// bulk_b2b: a billing company alone makes a business (otherwise it takes a
    /// company and a work e-mail; `company` is shown in the reasons column
    /// either way). --company-is-b2b=false turns off `true` from goldpan.toml
    company_is_b2b: bool = Some(false),
        arg(num_args = 0..=1, require_equals = true, default_missing_value = "true",
            value_name = "BOOL");

    /// bulk_b2b: an e-mail at a non-free-mail domain alone makes a business
    /// (otherwise it takes a work e-mail and a company; `work_email` is shown
    /// in the reasons column either way). --work-email-is-b2b=false turns off
    /// `true` from goldpan.toml
    work_email_is_b2b: bool = Some(false),
        arg(num_args = 0..=1, require_equals = true, default_missing_value = "true",
            value_name = "BOOL");

    /// lapsed_<N>: lower bounds of the lapsed bands in days, ascending; each
    /// band runs to the next bound, the last one has no end
    lapsed_days: Vec<i64> = Some(vec![60, 90]),
        check: ascending_days,
        arg(value_delimiter = ',', value_name = "DAYS,…");

    /// top_<P>: the P% of customers with the most revenue (rounded up)
    top_percent: u32 = Some(20),
        check: percentage,
        arg(value_name = "P");

    /// aov_low/aov_high: a customer's average order below LOW × or above
    /// HIGH × the store's average order
    aov_bands: Vec<f64> = Some(vec![0.5, 2.0]),
        check: low_high_factors,
        arg(value_delimiter = ',', value_name = "LOW,HIGH");

    /// summary: years a customer keeps buying, for the simple lifetime value
    /// (clv); above 0, at most 100
    lifespan_years: f64 = Some(3.0),
        check: positive_years,
        arg(value_name = "YEARS");

    /// customers, summary, the lapsed lists: predict over the next DAYS days
    /// (expected_orders_<DAYS>d, predicted_revenue_<DAYS>d, expected_next_order)
    horizon_days: u32 = Some(365),
        check: positive_horizon,
        arg(value_name = "DAYS");

    /// Count only orders in this currency (the others are excluded). Needed
    /// when an export mixes currencies, which cannot be added up
    currency: String = None,
        unset: "not set: an export must hold one currency",
        arg(value_name = "CODE");

    /// Order of day and month in dates such as 02/07/2021 (BigCommerce)
    date_order: String = None,
        unset: "not set: dmy, with a note when a date is ambiguous",
        check: date_order_of,
        arg(value_parser = ["dmy", "mdy"]);

    /// bulk_b2b: more free-mail domains (addresses there are not work e-mails),
    /// added to the built-in list
    extra_free_mail_domains: Vec<String> = Some(Vec::new()),
        arg(value_delimiter = ',', value_name = "DOMAIN,…");

    /// More words that, as a whole billing company, mean "no company", added
    /// to the built-in ones (n/a, none, self, …)
    extra_non_company_words: Vec<String> = Some(Vec::new()),
        arg(value_delimiter = ',', value_name = "WORD,…");

    /// audience, segments: who may be in a list by their latest marketing
    /// consent: opted-in (only a yes), not-declined (all but a no; unknown
    /// is kept) or ignore (everyone, with a warning)
    consent: String = None,
        unset: "not set: audience leaves out who declined (not-declined), segments lists everyone",
        check: consent_rule_of,
        arg(value_parser = ConsentRule::NAMES, value_name = "RULE");

    /// products, buyers, related: what makes line items one product: auto
    /// (the name, and the SKU where there is one: items sharing either are
    /// one product), name (the name alone) or sku (the SKU alone; the name
    /// when an item has none)
    product_key: String = Some("auto".to_string()),
        check: product_key_of,
        arg(value_parser = ProductKey::NAMES, value_name = "KEY");

    /// products, buyers, related: each variant its own product (the variants
    /// of a product, such as Shopify's "Napkin - Blue", are one product
    /// otherwise). --by-variant=false turns off `true` from goldpan.toml
    by_variant: bool = Some(false),
        arg(num_args = 0..=1, require_equals = true, default_missing_value = "true",
            value_name = "BOOL");

    /// related: the fewest customers who bought both products of a pair for
    /// it to be listed (fewer is noise)
    min_customers: u32 = Some(5),
        check: at_least_one_customer,
        arg(value_name = "N");
}

fn product_key_of(text: &str) -> Result<ProductKey, String> {
    ProductKey::of(text)
        .ok_or_else(|| format!("expected {}, got \"{text}\"", ProductKey::NAMES.join(", ")))
}

fn at_least_one_customer(n: &u32) -> Result<(), String> {
    if *n >= 1 {
        Ok(())
    } else {
        Err(format!("expected at least 1 customer, got {n}"))
    }
}

fn at_least_one_item(qty: &i64) -> Result<(), String> {
    if *qty >= 1 {
        Ok(())
    } else {
        Err(format!("expected at least 1 item, got {qty}"))
    }
}

fn ascending_days(days: &[i64]) -> Result<(), String> {
    let ascending = days.windows(2).all(|w| w[0] < w[1]);
    match days.first() {
        Some(&first) if ascending && first >= 0 => Ok(()),
        _ => Err(format!(
            "expected ascending whole days such as 60,90, got {days:?}"
        )),
    }
}

fn percentage(percent: &u32) -> Result<(), String> {
    if (1..=100).contains(percent) {
        Ok(())
    } else {
        Err(format!(
            "expected a percentage from 1 to 100, got {percent}"
        ))
    }
}

fn low_high_factors(bands: &[f64]) -> Result<(), String> {
    let [low, high] = bands[..] else {
        return Err(format!(
            "expected two factors LOW,HIGH such as 0.5,2, got {bands:?}"
        ));
    };
    if low > 0.0 && low <= high && high.is_finite() {
        Ok(())
    } else {
        Err(format!("expected 0 < LOW ≤ HIGH, got {low},{high}"))
    }
}

/// Above 0 and at most a century: a longer buying life is no estimate, and a
/// huge one would only print a meaningless lifetime value.
fn positive_years(years: &f64) -> Result<(), String> {
    if *years > 0.0 && *years <= 100.0 {
        Ok(())
    } else {
        Err(format!(
            "expected a number of years above 0 and at most 100, got {years}"
        ))
    }
}

fn positive_horizon(days: &u32) -> Result<(), String> {
    if (1..=36_500).contains(days) {
        Ok(())
    } else {
        Err(format!("expected 1 to 36500 days, got {days}"))
    }
}

fn consent_rule_of(text: &str) -> Result<ConsentRule, String> {
    ConsentRule::of(text)
        .ok_or_else(|| format!("expected {}, got \"{text}\"", ConsentRule::NAMES.join(", ")))
}

fn date_order_of(text: &str) -> Result<DateOrder, String> {
    <DateOrder as clap::ValueEnum>::from_str(text, true)
        .map_err(|_| format!("expected dmy or mdy, got \"{text}\""))
}

/// How a value is typed on the command line, for the `[default: …]` of
/// `--help`; `None` for a default not worth showing (a switch that is off,
/// an empty list).
trait Shown {
    fn shown(&self) -> Option<String>;
}

macro_rules! shown_as_display {
    ($($ty:ty),*) => {$(
        impl Shown for $ty {
            fn shown(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
shown_as_display!(i64, u32, f64, String);

impl Shown for bool {
    fn shown(&self) -> Option<String> {
        None
    }
}

impl<T: Shown> Shown for Vec<T> {
    fn shown(&self) -> Option<String> {
        let items: Option<Vec<String>> = self.iter().map(Shown::shown).collect();
        items.filter(|items| !items.is_empty()).map(|i| i.join(","))
    }
}

fn default_text<T: Shown>(default: Option<T>) -> Option<String> {
    default.as_ref().and_then(Shown::shown)
}

/// A flag's help: its doc lines joined, then the default (or what no value means).
fn help_text(doc: &[&str], default: Option<String>, unset: &str) -> String {
    let mut help = doc
        .iter()
        .map(|line| line.trim())
        .collect::<Vec<_>>()
        .join(" ");
    match default {
        Some(default) => help.push_str(&format!(" [default: {default}]")),
        None if !unset.is_empty() => help.push_str(&format!(" [{unset}]")),
        None => {}
    }
    help
}

impl Settings {
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

/// The built-in defaults alone (for `--help`).
pub fn defaults() -> Resolved {
    resolve(None, &Settings::default()).expect("the defaults pass their checks")
}

/// The settings a command runs with: the config file (see [`read_file`])
/// resolved under the command's flags.
pub fn settings(config_file: Option<&Path>, flags: &Settings) -> Result<Resolved> {
    resolve(read_file(config_file)?.as_ref(), flags)
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

    /// The first value that fails its check: a usage error when a flag gave
    /// it, an error in the file otherwise.
    fn check(&self) -> Result<()> {
        let Some((key, expected)) = self.settings.problems().into_iter().next() else {
            return Ok(());
        };
        let message = format!("{}: {expected}", self.origin(key));
        match self.source(key) {
            Source::Flag => Err(UsageError(message).into()),
            _ => Err(anyhow::anyhow!(message)),
        }
    }

    /// The segment thresholds.
    pub fn rules(&self) -> Rules {
        let s = &self.settings;
        let bands = s.aov_bands.clone().unwrap_or_default();
        Rules {
            bulk_order_qty: s.bulk_order_qty.unwrap_or_default(),
            bulk_total_qty: s.bulk_total_qty.unwrap_or_default(),
            company_is_b2b: s.company_is_b2b.unwrap_or_default(),
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

    /// Days ahead that the predictions cover.
    pub fn horizon_days(&self) -> u32 {
        self.settings.horizon_days.unwrap_or_default()
    }

    pub fn currency(&self) -> Option<String> {
        self.settings.currency.clone()
    }

    /// `None` when no layer set it (ingest then reads dmy and says so).
    pub fn date_order(&self) -> Option<DateOrder> {
        let text = self.settings.date_order.as_ref()?;
        date_order_of(text).ok()
    }

    /// Whom an audience upload may hold: the `consent` setting, else
    /// not-declined (the ad platforms' terms exclude who opted out).
    pub fn audience_consent(&self) -> ConsentRule {
        self.lists_consent().unwrap_or(ConsentRule::NotDeclined)
    }

    /// Whom the segment lists may hold: the `consent` setting; `None` (every
    /// customer) when it is not set, since the lists serve more than mailing.
    pub fn lists_consent(&self) -> Option<ConsentRule> {
        consent_rule_of(self.settings.consent.as_ref()?).ok()
    }

    /// How line items become products.
    pub fn product_identity(&self) -> Identity {
        let key = self.settings.product_key.as_deref().unwrap_or("auto");
        Identity {
            key: product_key_of(key).unwrap_or(ProductKey::Auto),
            by_variant: self.settings.by_variant.unwrap_or_default(),
        }
    }

    pub fn min_customers(&self) -> u64 {
        u64::from(self.settings.min_customers.unwrap_or(1))
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
    fn a_flag_turns_a_switch_of_the_file_back_off() {
        let file = parse(
            "goldpan.toml",
            "work_email_is_b2b = true\ncompany_is_b2b = true\n",
        )
        .unwrap();
        let from_file = resolve(Some(&file), &Settings::default()).unwrap();
        assert!(from_file.rules().work_email_is_b2b);
        assert!(from_file.rules().company_is_b2b);
        let flags = Settings {
            work_email_is_b2b: Some(false),
            ..Settings::default()
        };
        let resolved = resolve(Some(&file), &flags).unwrap();
        assert!(!resolved.rules().work_email_is_b2b);
        assert!(resolved.rules().company_is_b2b);
        assert_eq!(resolved.source("work_email_is_b2b"), &Source::Flag);
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
        assert!(err.downcast_ref::<UsageError>().is_none());
        let flags = Settings {
            lapsed_days: Some(vec![90, 60]),
            ..Settings::default()
        };
        let err = resolve(None, &flags).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--lapsed-days: expected ascending whole days such as 60,90, got [90, 60]"
        );
        assert!(err.downcast_ref::<UsageError>().is_some(), "a flag: usage");
    }

    #[test]
    fn help_shows_the_default_once_written() {
        assert_eq!(
            help_text(&[" a", " b"], default_text(Some(vec![0.5, 2.0])), ""),
            "a b [default: 0.5,2]"
        );
        assert_eq!(help_text(&[" x"], default_text(Some(false)), ""), "x");
        assert_eq!(help_text(&[" x"], None, "not set: y"), "x [not set: y]");
    }
}
