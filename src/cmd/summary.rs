//! `goldpan summary`: the store's figures.

use super::{Dataset, Predicted, predict, read_exports};
use crate::cli::InputArgs;
use crate::config::{self, Resolved, Settings};
use crate::customers::field;
use crate::exit_codes::usage;
use crate::ingest::IngestReport;
use crate::metrics::{self, Summary};
use crate::model::{Exclusion, col as order, store_customer};
use crate::output::{self, Emit, Emitter, Table, grouped_money, money};
use crate::predict::pred_col;
use crate::segments::Rules;
use anyhow::Result;
use chrono::{Days, Months, NaiveDate};
use polars::prelude::{ChunkAgg, DataFrame, DataType, IntoLazy, col, cols, lit};
use std::path::Path;

/// What revenue is, for the table's header: an order's revenue is its total
/// less its refunds (never below zero), and every format's total is the
/// amount the customer paid: tax and shipping in, discounts out (Shopify
/// `Total`, BigCommerce `Order Total (inc tax)`, WooCommerce `order_total`).
const REVENUE_IS: &str = "order totals incl. tax and shipping, after discounts, less refunds";

/// The same for `--map`, whose total is whatever column the user named.
const MAPPED_REVENUE_IS: &str =
    "the column mapped as total, less the one mapped as refunded (when mapped)";

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

    /// Compute the figures over the orders dated on or after this day only
    /// (the window's first day); customers are those who ordered in the window
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::date_arg)]
    pub since: Option<NaiveDate>,

    /// The window's last day: the figures count the orders dated up to it and
    /// are computed as of it [default: the as-of date]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::date_arg)]
    pub until: Option<NaiveDate>,

    /// The window of the last N days (90d) or months (12m) up to --until:
    /// --last 90d is the 90 days ending on that day
    #[arg(long, value_name = "Nd|Nm", conflicts_with = "since", value_parser = parse_last)]
    pub last: Option<Last>,

    #[command(flatten)]
    pub settings: Settings,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let settings = config::settings(config_file, &args.settings)?;
    let window = Window::of(args, args.input.as_of())?;
    let mut data = read_exports(&args.input, &settings)?;
    // Of every order read: a window without orders is still in the
    // export's currency.
    let currency = match settings.currency() {
        Some(code) => Some(code.to_uppercase()),
        None => currency(&data.orders)?,
    };
    let mut outside_window = 0;
    if let Some(window) = &window {
        (data, outside_window) = window.keep(data)?;
    }
    let predicted = predict(&mut data, settings.horizon_days())?;
    crate::allocator::give_back_freed_memory();
    let rules = settings.rules();
    let summary = metrics::summary(
        &data.customers,
        &data.orders,
        &rules,
        settings.lifespan_years(),
    )?;
    if let Some(note) = metrics::clv_note(&summary) {
        output::note(&note);
        data.notes.push(note);
    }
    let header = Header {
        currency,
        revenue_is: if args.input.map.is_empty() {
            REVENUE_IS
        } else {
            MAPPED_REVENUE_IS
        },
        window,
        lifespan_years: settings.lifespan_years(),
    };
    let mut figures = Figures::of(&summary, &data, &predicted, &header, &rules)?;
    for store in args.input.store_names()? {
        let summary = store_summary(&data, &store, &settings)?;
        let predicted_cents = predicted_cents(&predicted, Some(&store))?;
        let mut json = serde_json::to_value(&summary)?;
        json[&pred_col::predicted_revenue(predicted.horizon_days)] =
            predicted_cents.map(|cents| cents as f64 / 100.0).into();
        figures.json["stores"][&store] = json;
        let store_rows = rows(&summary, &rules, header.lifespan_years)
            .into_iter()
            .chain([predicted_revenue(&predicted, predicted_cents)])
            .collect();
        figures.stores.push((store, store_rows));
    }
    Emitter::new(args.json).data(&figures)?;
    let mut account = account(&data.report, &summary);
    if let Some(window) = &header.window {
        account.push_str(&format!(
            "; {outside_window} order(s) outside the window {} left out",
            window.describe()
        ));
    }
    output::say(&account);
    Ok(())
}

/// `--last`: a number of days or months.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Last {
    Days(u32),
    Months(u32),
}

impl Last {
    /// The window's first day when it ends on `until`: `90d` is 90 days,
    /// `until` included; `12m` starts the day after the same date 12 months
    /// earlier (the month's last day when that date does not exist).
    fn first_day(self, until: NaiveDate) -> Option<NaiveDate> {
        match self {
            Last::Days(n) => until.checked_sub_days(Days::new(u64::from(n) - 1)),
            Last::Months(n) => until
                .checked_sub_months(Months::new(n))
                .and_then(|day| day.checked_add_days(Days::new(1))),
        }
    }
}

/// A window longer than a century is no season, and would run dates out of
/// range.
const MAX_LAST_DAYS: u32 = 36_500;
const MAX_LAST_MONTHS: u32 = 1_200;

fn parse_last(text: &str) -> Result<Last, String> {
    let number = |digits: &str| digits.parse::<u32>().ok();
    let last = if let Some(n) = text.strip_suffix('d').and_then(number) {
        Last::Days(n)
    } else if let Some(n) = text.strip_suffix('m').and_then(number) {
        Last::Months(n)
    } else {
        return Err(format!(
            "expected a number of days or months such as 90d or 12m, got \"{text}\""
        ));
    };
    match last {
        Last::Days(1..=MAX_LAST_DAYS) | Last::Months(1..=MAX_LAST_MONTHS) => Ok(last),
        _ => Err(format!(
            "expected 1 to {MAX_LAST_DAYS} days or 1 to {MAX_LAST_MONTHS} months, got \"{text}\""
        )),
    }
}

/// The days whose orders the figures count: both ends included. Set by
/// `--since`, `--until` or `--last`; the figures are then computed as of
/// `until`, as if the export held only the window's orders.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Window {
    /// `None`: from the first order on.
    pub since: Option<NaiveDate>,
    pub until: NaiveDate,
}

impl Window {
    /// The window of the flags, checked before any input is read; `None`
    /// without window flags.
    fn of(args: &Args, as_of: NaiveDate) -> Result<Option<Window>> {
        if args.since.is_none() && args.until.is_none() && args.last.is_none() {
            return Ok(None);
        }
        let until = args.until.unwrap_or(as_of);
        if until > as_of {
            usage!(
                "--until {until} is after the as-of date {as_of}: orders after the as-of date \
                 are left out (give --as-of {until} too)"
            );
        }
        let since = match args.last {
            Some(last) => match last.first_day(until) {
                Some(day) => Some(day),
                None => {
                    usage!("--last: the window would start before the first date goldpan knows")
                }
            },
            None => args.since,
        };
        if let Some(since) = since
            && since > until
        {
            match args.until {
                Some(_) => {
                    usage!("--since {since} is after --until {until}: the window would hold no day")
                }
                None => usage!(
                    "--since {since} is after the as-of date {until}, where the window ends: it \
                     would hold no day"
                ),
            }
        }
        Ok(Some(Window { since, until }))
    }

    /// "2025-03-01 to 2025-06-30", or "up to 2025-06-30".
    fn describe(&self) -> String {
        match self.since {
            Some(since) => format!("{since} to {}", self.until),
            None => format!("up to {}", self.until),
        }
    }

    /// `data` with only the window's orders, its customers rebuilt from
    /// them as of the window's last day; and how many orders were left out.
    /// (A customers export's B2B hints are dropped: no figure of the
    /// summary uses them.)
    fn keep(&self, data: Dataset) -> Result<(Dataset, u64)> {
        let day = |date: NaiveDate| lit(crate::model::epoch_days(date)).cast(DataType::Date);
        let mut inside = col(order::DATE).lt_eq(day(self.until));
        if let Some(since) = self.since {
            inside = inside.and(col(order::DATE).gt_eq(day(since)));
        }
        let before = data.orders.height();
        let orders = data.orders.lazy().filter(inside).collect()?;
        let outside = (before - orders.height()) as u64;
        let (customers, histories) =
            crate::customers::customers_and_histories(&orders, None, self.until)?;
        let data = Dataset {
            orders,
            customers: customers.collect()?,
            histories,
            as_of: self.until,
            ..data
        };
        Ok((data, outside))
    }
}

/// The currency the export names for its valid orders (for any order when
/// none is valid); `None` when it names none.
pub(super) fn currency(orders: &DataFrame) -> Result<Option<String>> {
    let codes_of = |orders: polars::prelude::LazyFrame| -> Result<Vec<String>> {
        let codes = orders
            .select([col(order::CURRENCY).drop_nulls().unique_stable()])
            .collect()?;
        let codes = codes.column(order::CURRENCY)?.str()?;
        Ok(codes.iter().flatten().map(str::to_string).collect())
    };
    let mut codes = codes_of(orders.clone().lazy().filter(col(order::EXCLUDED).is_null()))?;
    if codes.is_empty() {
        codes = codes_of(orders.clone().lazy())?;
    }
    Ok((!codes.is_empty()).then(|| codes.join(", ")))
}

/// What the table measures, for its title.
struct Header {
    currency: Option<String>,
    revenue_is: &'static str,
    window: Option<Window>,
    lifespan_years: f64,
}

/// The figures as `summary` shows them: the JSON object of `--json`,
/// (key, value) rows for CSV, and for a terminal a titled table in plain
/// words.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct Figures {
    json: serde_json::Value,
    #[serde(skip)]
    as_of: String,
    #[serde(skip)]
    rows: Vec<Figure>,
    #[serde(skip)]
    title: String,
    #[serde(skip)]
    currency: Option<String>,
    /// Separate stores: each store's name and figures, shown beside `rows`.
    #[serde(skip)]
    stores: Vec<(String, Vec<Figure>)>,
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

/// The predicted revenue row.
fn predicted_revenue(predicted: &Predicted, cents: Option<i64>) -> Figure {
    Figure {
        key: pred_col::predicted_revenue(predicted.horizon_days),
        label: format!("predicted revenue, next {} days", predicted.horizon_days),
        value: Value::Money(cents),
    }
}

impl Figures {
    fn of(
        summary: &Summary,
        data: &Dataset,
        predicted: &Predicted,
        header: &Header,
        rules: &Rules,
    ) -> Result<Figures> {
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
        json["window"] = serde_json::to_value(header.window)?;
        json["currency"] = header.currency.clone().into();
        json["revenue_is"] = header.revenue_is.into();
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
            rows: rows(summary, rules, header.lifespan_years)
                .into_iter()
                .chain([predicted_revenue(predicted, predicted_cents)])
                .collect(),
            title: title(summary, header, data.as_of),
            currency: header.currency.clone(),
            stores: Vec::new(),
        })
    }
}

/// The lines above the terminal table: the window or the as-of date, the
/// currency, the orders counted and what revenue is.
fn title(summary: &Summary, header: &Header, as_of: NaiveDate) -> String {
    let figures = match &header.window {
        Some(window) => format!(
            "Store figures for the orders dated {} (a window), as of {as_of}",
            window.describe()
        ),
        None => format!("Store figures as of {as_of}"),
    };
    let currency = match &header.currency {
        Some(code) => format!("amounts in {code}"),
        None => "amounts in the store's currency (the export does not name it)".to_string(),
    };
    let counted = match (summary.first_order_date, summary.last_order_date) {
        (Some(first), Some(last)) => format!(
            "Orders counted: {}, the first on {first}, the last on {last}",
            summary.orders
        ),
        _ => "Orders counted: none".to_string(),
    };
    format!(
        "{figures}, {currency}\n{counted}\nRevenue: {}",
        header.revenue_is
    )
}

impl Figures {
    /// Each row's figure, its value and each store's value, written by
    /// `text` (a figure a store has no row of is an exclusion reason it
    /// never met: 0).
    fn table_rows(
        &self,
        name: impl Fn(&Figure) -> String,
        text: impl Fn(&Value) -> String,
    ) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|figure| {
                let stores = self.stores.iter().map(|(_, figures)| {
                    figures
                        .iter()
                        .find(|f| f.key == figure.key)
                        .map_or_else(|| text(&Value::Count(0)), |f| text(&f.value))
                });
                [name(figure), text(&figure.value)]
                    .into_iter()
                    .chain(stores)
                    .collect()
            })
            .collect()
    }

    fn header(&self) -> Vec<String> {
        let stores = self.stores.iter().map(|(store, _)| store.clone());
        ["figure".to_string(), "value".to_string()]
            .into_iter()
            .chain(stores)
            .collect()
    }
}

impl Emit for Figures {
    /// CSV starts with the as-of date (every store's too), a terminal table
    /// has it in its title.
    fn table(&self) -> Table {
        let as_of = std::iter::once("as_of".to_string())
            .chain(std::iter::repeat_n(
                self.as_of.clone(),
                self.stores.len() + 1,
            ))
            .collect();
        Table {
            title: self.title.clone(),
            header: self.header(),
            rows: std::iter::once(as_of)
                .chain(self.table_rows(|f| f.key.clone(), Value::plain))
                .collect(),
        }
    }

    fn terminal_table(&self) -> Table {
        Table {
            title: self.title.clone(),
            header: self.header(),
            rows: self.table_rows(
                |f| f.label.clone(),
                |value| value.shown(self.currency.as_deref()),
            ),
        }
    }
}

/// One figure: its key (CSV and JSON), its label for people, its value.
struct Figure {
    key: String,
    label: String,
    value: Value,
}

enum Value {
    Count(u64),
    /// Cents; `None` when there is no such figure (an empty store).
    Money(Option<i64>),
    /// A share or a rate: CSV has the fraction, people a percentage.
    Fraction(Option<f64>),
    /// A plain ratio such as orders per customer.
    Ratio(Option<f64>),
}

impl Value {
    /// As CSV has it: plain numbers, and an empty cell where there is no
    /// value, as in the lists.
    fn plain(&self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Money(cents) => cents.map_or(String::new(), money),
            Value::Fraction(v) | Value::Ratio(v) => v.map_or(String::new(), |v| format!("{v:.4}")),
        }
    }

    /// As a terminal shows it: 11,493.22 EUR, 8.1%, 1.19.
    fn shown(&self, currency: Option<&str>) -> String {
        match self {
            Value::Count(n) => grouped(*n),
            Value::Money(Some(cents)) => match currency {
                Some(code) => format!("{} {code}", grouped_money(*cents)),
                None => grouped_money(*cents),
            },
            Value::Fraction(Some(v)) => format!("{:.1}%", v * 100.0),
            Value::Ratio(Some(v)) => format!("{v:.2}"),
            Value::Money(None) | Value::Fraction(None) | Value::Ratio(None) => "-".to_string(),
        }
    }
}

/// A count with thousands separators: 12,345.
fn grouped(n: u64) -> String {
    let cents = i64::try_from(n)
        .unwrap_or(i64::MAX / 100)
        .saturating_mul(100);
    let text = grouped_money(cents);
    text[..text.len() - 3].to_string()
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

/// The figures in the order of the spec, with their labels.
fn rows(s: &Summary, rules: &Rules, lifespan_years: f64) -> Vec<Figure> {
    let cents = |major: f64| (major * 100.0).round() as i64;
    let money = |v: Option<f64>| Value::Money(v.map(cents));
    let (low, high) = (rules.aov_low, rules.aov_high);
    let rows = [
        (
            "customers",
            "customers".to_string(),
            Value::Count(s.customers),
        ),
        ("orders", "orders".to_string(), Value::Count(s.orders)),
        ("revenue", "revenue".to_string(), money(Some(s.revenue))),
        ("aov", "average order value".to_string(), money(s.aov)),
        (
            "purchase_frequency",
            "orders per customer".to_string(),
            Value::Ratio(s.purchase_frequency),
        ),
        (
            "repeat_customers",
            "repeat customers (2 or more orders)".to_string(),
            Value::Count(s.repeat_customers),
        ),
        (
            "repeat_rate",
            "repeat rate".to_string(),
            Value::Fraction(s.repeat_rate),
        ),
        (
            "repeat_revenue_share",
            "revenue from repeat customers".to_string(),
            Value::Fraction(s.repeat_revenue_share),
        ),
        (
            "top_10_share",
            "revenue from the top 10% of customers".to_string(),
            Value::Fraction(s.top_10_share),
        ),
        (
            "top_20_share",
            "revenue from the top 20% of customers".to_string(),
            Value::Fraction(s.top_20_share),
        ),
        (
            "aov_low_customers",
            format!("customers whose average order is below {low}× the store's"),
            Value::Count(s.aov_low_customers),
        ),
        (
            "aov_mid_customers",
            format!("customers whose average order is {low}× to {high}× the store's"),
            Value::Count(s.aov_mid_customers),
        ),
        (
            "aov_high_customers",
            format!("customers whose average order is above {high}× the store's"),
            Value::Count(s.aov_high_customers),
        ),
        (
            "aov_low_revenue_share",
            format!("revenue from those below {low}×"),
            Value::Fraction(s.aov_low_revenue_share),
        ),
        (
            "aov_mid_revenue_share",
            format!("revenue from those at {low}× to {high}×"),
            Value::Fraction(s.aov_mid_revenue_share),
        ),
        (
            "aov_high_revenue_share",
            format!("revenue from those above {high}×"),
            Value::Fraction(s.aov_high_revenue_share),
        ),
        (
            "clv",
            format!("lifetime value of a customer over {lifespan_years} years"),
            money(s.clv),
        ),
        (
            "unattributed_orders",
            "orders without a customer (not counted)".to_string(),
            Value::Count(s.unattributed_orders),
        ),
        (
            "unattributed_revenue",
            "their revenue (not counted)".to_string(),
            money(Some(s.unattributed_revenue)),
        ),
        (
            "excluded_orders",
            "orders excluded (not counted)".to_string(),
            Value::Count(s.excluded_orders),
        ),
    ];
    let by_reason = s.excluded_by_reason.iter().map(|(reason, count)| Figure {
        key: format!("excluded_{reason}"),
        label: format!("  {}", reason.replace('_', " ")),
        value: Value::Count(*count),
    });
    rows.into_iter()
        .map(|(key, label, value)| Figure {
            key: key.to_string(),
            label,
            value,
        })
        .chain(by_reason)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn last_counts_back_from_until_inclusive() {
        assert_eq!(parse_last("90d"), Ok(Last::Days(90)));
        assert_eq!(parse_last("12m"), Ok(Last::Months(12)));
        for bad in [
            "", "d", "m", "90", "9 0d", "-1d", "0m", "1201m", "36501d", "90€", "1y",
        ] {
            assert!(parse_last(bad).is_err(), "{bad:?}");
        }
        let until = day("2025-06-30");
        assert_eq!(Last::Days(1).first_day(until), Some(until));
        assert_eq!(Last::Days(90).first_day(until), Some(day("2025-04-02")));
        assert_eq!(Last::Months(12).first_day(until), Some(day("2024-07-01")));
        // 2024-03-31 less a month is 2024-02-29 (February has no 31st).
        assert_eq!(
            Last::Months(1).first_day(day("2024-03-31")),
            Some(day("2024-03-01"))
        );
    }
}
