//! The page: head, headline figures, the chart sections, and the one style
//! sheet (inline; the page fetches nothing, and its Content-Security-Policy
//! forbids it to).

use super::Report;
use super::charts;
use super::format::{Money, count, percent};
use crate::predict::pred_col::predicted_revenue;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Nothing may be loaded: no scripts, fonts, images or connections; only
/// the inline style sheet and inline SVG.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Okabe–Ito colours (distinguishable with every common colour-vision
/// deficiency), paired so that each pair also differs in lightness and
/// survives greyscale printing; sequential scales vary lightness only.
const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d0d0d0;
  --dark: #0072b2; --light: #e69f00; --accent: #d55e00; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #f4f4f1; color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 50rem; margin: 0 auto; padding: 1rem; }
header h1 { font-size: 1.6rem; margin: .5rem 0 .25rem; }
header p { margin: .1rem 0; color: var(--muted); }
header p.note { color: var(--ink); background: #fff4d6; border-left: 4px solid var(--light); padding: .3rem .6rem; margin: .5rem 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.1rem; margin: 1rem 0; }
h2 { font-size: 1.25rem; margin: 0 0 .4rem; }
.key { font-size: 1.05rem; margin: .2rem 0 .6rem; }
.how { color: #333; font-size: .95rem; margin: .6rem 0 0; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: .92em; }
figure { margin: .5rem 0; }
.scroll { overflow-x: auto; }
svg.chart { display: block; width: 100%; height: auto; min-width: 34rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .6rem; margin: .6rem 0 0; padding: 0; }
.figures div { border: 1px solid var(--line); border-radius: 5px; padding: .5rem .7rem; }
.figures dt { font-size: .9rem; color: var(--muted); }
.figures dd { margin: 0; }
.figures .value { font-size: 1.35rem; font-weight: 650; }
.figures .def { display: block; font-size: .82rem; color: var(--muted); }
table.lists { border-collapse: collapse; width: 100%; font-size: .88rem; margin-top: .6rem; }
table.lists th, table.lists td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
table.lists .num { text-align: right; white-space: nowrap; }
footer { color: var(--muted); font-size: .85rem; margin: 1.5rem 0 2rem; }
/* Charts */
svg text { font-size: 12px; fill: var(--ink); }
svg .tick { font-size: 12px; fill: #333; }
svg .year { font-weight: 600; }
svg .axis-title { font-size: 13px; font-weight: 600; fill: #222; }
svg .note { font-size: 12px; fill: #222; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .strong { font-weight: 700; }
svg .region { fill: #555; font-style: italic; }
svg .row-label { font-weight: 600; }
svg .file { font-family: ui-monospace, Menlo, Consolas, monospace; }
svg .grid { stroke: #e3e3e3; stroke-width: 1; }
svg .base, svg .tick-mark { stroke: #555; stroke-width: 1; }
svg .returning, svg .share-customers, svg .swatch-overall { fill: var(--dark); }
svg .new, svg .share-revenue { fill: var(--light); }
svg .season { fill: #e9e9e9; }
svg .legend .season { stroke: #999; }
svg .threshold { stroke: #222; stroke-width: 1.2; stroke-dasharray: 5 4; }
svg .cut { stroke: #222; stroke-width: 1.3; stroke-dasharray: 5 4; }
svg .aov { stroke: #222; stroke-width: 1.6; }
svg .bar { fill: var(--dark); }
svg .bar.low, svg .bar.high { fill: #56b4e9; }
svg .band-low, svg .band-high { fill: #f1f1f1; }
svg .h0 { fill: #f4f4f4; stroke: #ddd; }
svg .h1 { fill: #e3eef8; } svg .h2 { fill: #c6dbef; } svg .h3 { fill: #9ecae1; }
svg .h4 { fill: #4292c6; } svg .h5 { fill: #2171b5; } svg .h6 { fill: #08306b; }
svg .cell { font-size: 11px; fill: #1b1b1b; }
svg .cell.light { fill: #fff; }
svg path.cohort { fill: none; stroke-width: 1.4; }
svg circle.dot { fill: #fff; stroke-width: 2; }
svg .l0 { stroke: #c6dbef; } svg .l1 { stroke: #9ecae1; } svg .l2 { stroke: #6baed6; }
svg .l3 { stroke: #4292c6; } svg .l4 { stroke: #2171b5; } svg .l5 { stroke: #08519c; }
svg .swatch-old { fill: #c6dbef; } svg .swatch-new { fill: #08519c; }
svg path.overall { fill: none; stroke: var(--accent); stroke-width: 3.5; }
svg .swatch-overall { fill: var(--accent); }
svg path.pareto { fill: none; stroke: var(--dark); stroke-width: 3; }
svg .pareto-area { fill: #e3eef8; }
svg .diagonal { stroke: #777; stroke-width: 1.2; stroke-dasharray: 6 5; }
svg .guide { stroke: var(--accent); stroke-width: 1; stroke-dasharray: 3 3; }
svg .mark { fill: var(--accent); stroke: #fff; stroke-width: 1.5; }
svg .alive { fill: var(--dark); } svg .faded { fill: #c6dbef; stroke: #6baed6; }
svg .r0 { fill: #08519c; } svg .r1 { fill: #4292c6; } svg .r2 { fill: #9ecae1; } svg .r3 { fill: #c6dbef; stroke: #6baed6; }
@media (max-width: 36rem) {
  main { padding: .5rem; }
  .card { padding: .8rem .7rem; }
  .figures { grid-template-columns: 1fr 1fr; }
  .figures .value { font-size: 1.1rem; }
}
@media print {
  @page { margin: 12mm; }
  body { background: #fff; font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .card { border: none; padding: 0; margin: 0 0 6mm; break-inside: avoid; }
  figure { break-inside: avoid; }
  .scroll { overflow: visible; }
  svg.chart { min-width: 0; }
  .figures { grid-template-columns: repeat(3, 1fr); }
}
"#;

/// One headline figure: its `summary --json` key, its name, its value as
/// written, and what it means in one line.
struct Figure {
    key: String,
    name: &'static str,
    value: String,
    definition: String,
}

fn figures(report: &Report, money: &Money) -> Vec<Figure> {
    let s = &report.summary;
    let reasons: Vec<String> = s
        .excluded_by_reason
        .iter()
        .map(|(reason, n)| format!("{} {reason}", count(*n)))
        .collect();
    let excluded = if reasons.is_empty() {
        "cancelled, refunded, test … orders: in no figure".to_string()
    } else {
        format!("{}: in no figure", reasons.join(", "))
    };
    let dash = || "–".to_string();
    let share = |v: Option<f64>| v.map_or_else(dash, percent);
    let amount = |v: Option<f64>| v.map_or_else(dash, |v| money.major(v));
    let figure = |key: &str, name, value, definition: &str| Figure {
        key: key.to_string(),
        name,
        value,
        definition: definition.to_string(),
    };
    vec![
        figure(
            "customers",
            "Customers",
            count(s.customers),
            "people with at least one counted order (by e-mail or customer id)",
        ),
        figure(
            "orders",
            "Orders",
            count(s.orders),
            "counted orders of those customers",
        ),
        figure(
            "revenue",
            "Revenue",
            money.major(s.revenue),
            "their orders' totals after refunds",
        ),
        figure(
            "aov",
            "Average order (AOV)",
            amount(s.aov),
            "revenue ÷ orders",
        ),
        figure(
            "purchase_frequency",
            "Orders per customer",
            s.purchase_frequency
                .map_or_else(dash, |v| format!("{v:.2}")),
            "orders ÷ customers",
        ),
        figure(
            "repeat_customers",
            "Repeat customers",
            count(s.repeat_customers),
            "customers with 2 or more orders",
        ),
        figure(
            "repeat_rate",
            "Repeat rate",
            share(s.repeat_rate),
            "repeat customers ÷ customers",
        ),
        figure(
            "repeat_revenue_share",
            "Revenue from repeat customers",
            share(s.repeat_revenue_share),
            "share of revenue from customers with 2+ orders",
        ),
        figure(
            "top_10_share",
            "Top 10% of customers bring",
            share(s.top_10_share),
            "share of revenue of the biggest spenders",
        ),
        figure(
            "top_20_share",
            "Top 20% of customers bring",
            share(s.top_20_share),
            "share of revenue (the top_20.csv list)",
        ),
        figure(
            "clv",
            "Lifetime value (simple)",
            amount(s.clv),
            &format!(
                "AOV × orders per customer per year × {} years",
                report.lifespan_years
            ),
        ),
        figure(
            &predicted_revenue(report.prediction.horizon_days),
            "Predicted revenue",
            report
                .prediction
                .predicted_revenue_cents
                .map_or_else(dash, |cents| money.cents(cents)),
            &format!(
                "next {} days, from each customer's expected orders and order value (models)",
                report.prediction.horizon_days
            ),
        ),
        figure(
            "excluded_orders",
            "Orders left out",
            count(s.excluded_orders),
            &excluded,
        ),
        figure(
            "unattributed_orders",
            "Orders without a customer",
            count(s.unattributed_orders),
            "no e-mail or customer id (POS, phone): in no customer figure",
        ),
        figure(
            "unattributed_revenue",
            "Their revenue",
            money.major(s.unattributed_revenue),
            "revenue of the orders without a customer",
        ),
    ]
}

fn headline(report: &Report, money: &Money) -> Markup {
    let s = &report.summary;
    html! {
        section class="card" id="headline" {
            h2 { "The store at a glance" }
            p class="key" {
                "As of " strong { (report.as_of) } ": " (count(s.customers)) " customers placed "
                (count(s.orders)) " orders worth " strong { (money.major(s.revenue)) } "."
            }
            dl class="figures" {
                @for f in figures(report, money) {
                    div {
                        dt { (f.name) }
                        dd {
                            span class="value" data-figure=(f.key) { (f.value) }
                            span class="def" { (f.definition) }
                        }
                    }
                }
            }
            p class="how" {
                strong { "How to read it: " }
                "these are the figures " code { "goldpan summary" } " prints. Only counted orders (not cancelled, \
                 refunded or test orders) of known customers are in them; the last three boxes say what was left out."
            }
        }
    }
}

/// The whole page.
pub fn page(report: &Report) -> Markup {
    let money = Money::new(report.currency.as_deref());
    let s = &report.summary;
    let span = match (s.first_order_date, s.last_order_date) {
        (Some(first), Some(last)) => format!("orders from {first} to {last}"),
        _ => "no counted orders".to_string(),
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(POLICY);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("goldpan ", env!("CARGO_PKG_VERSION")));
                title { "Store report as of " (report.as_of) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    header {
                        h1 { "Store report" }
                        p { "As of " (report.as_of) " · " (span) " · currency " (money.unit()) }
                        p { "From " @for (i, file) in report.exports.iter().enumerate() {
                            @if i > 0 { ", " } code { (file) }
                        } }
                        @for note in &report.notes {
                            p class="note" { strong { "Note: " } (note) }
                        }
                    }
                    (headline(report, &money))
                    (charts::monthly(report, &money))
                    (charts::cohorts(report, &money))
                    (charts::pareto(report))
                    (charts::order_values(report, &money))
                    (charts::recency(report))
                    (charts::segments(report))
                    (charts::rfm(report))
                    (charts::prediction(report, &money))
                    (charts::products(report, &money))
                    footer {
                        "Made by goldpan " (env!("CARGO_PKG_VERSION")) ". Every number on this page is also in "
                        code { "goldpan report --json" } "; the headline figures are those of "
                        code { "goldpan summary --json" } "."
                    }
                }
            }
        }
    }
}
