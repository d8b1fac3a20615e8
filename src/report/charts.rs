//! One function per section of the page: the chart (inline SVG), its key
//! number in words, and how to read it. Each only lays out the numbers it
//! is given; positions and colours are the only things worked out here.

use super::format::{Money, coord, count, month_long, month_name, percent, percent_whole};
use super::svg::{Frame, Linear, chart, legend, rect, ticks, x_axis, x_title, y_axis};
use super::{Bin, CohortRow, Month, Report, SegmentBar};
use crate::calendar::Period;
use maud::{Markup, html};

const WIDTH: f64 = 640.0;

/// A section: heading, the key number in words, the figures, how to read.
fn section(id: &str, heading: &str, key: Markup, figures: Markup, how: Markup) -> Markup {
    html! {
        section class="card" id=(id) {
            h2 { (heading) }
            p class="key" { (key) }
            (figures)
            p class="how" { strong { "How to read it: " } (how) }
        }
    }
}

/// A chart in a figure whose wrapper scrolls sideways on a narrow phone
/// rather than shrinking the text below reading size.
fn figure(svg: Markup) -> Markup {
    html! { figure { div class="scroll" { (svg) } } }
}

/// A tick value without a currency symbol (the axis title names it).
fn plain(v: f64) -> String {
    let trimmed = |x: f64| {
        let text = format!("{x:.1}");
        text.strip_suffix(".0").map_or(text.clone(), str::to_string)
    };
    // Round ticks of millions and tens of thousands, short enough for the
    // axis margin: 1.5M, 250k.
    if v.abs() >= 1_000_000.0 {
        format!("{}M", trimmed(v / 1_000_000.0))
    } else if v.abs() >= 10_000.0 {
        format!("{}k", trimmed(v / 1_000.0))
    } else if v.fract() == 0.0 {
        count(v.abs() as u64)
    } else {
        format!("{v:.2}")
    }
}

// ---------------------------------------------------------------- monthly

/// One stacked-bar chart over the months: returning (dark, at the bottom)
/// and new (light, on top), high-season months on a grey column.
fn monthly_bars(
    id: &str,
    title: &str,
    desc: &str,
    months: &[Month],
    value: impl Fn(&Month) -> (f64, f64),
    y_title: &str,
    threshold: Option<(f64, String)>,
) -> Markup {
    let frame = Frame {
        width: WIDTH,
        height: 300.0,
        left: 64.0,
        right: 22.0,
        top: 34.0,
        bottom: 58.0,
    };
    let n = months.len().max(1);
    let slot = frame.plot_width() / n as f64;
    // Bars no wider than 48 units: two months of data are not two slabs.
    let bar = (slot * 0.74).clamp(1.0, 48.0);
    let highest = months
        .iter()
        .map(|m| {
            let (a, b) = value(m);
            a + b
        })
        .chain(threshold.iter().map(|t| t.0))
        .fold(0.0, f64::max);
    let y_ticks = ticks(highest, 5);
    let y = Linear::new(
        (0.0, *y_ticks.last().unwrap_or(&1.0)),
        (frame.y0(), frame.y1()),
    );
    // Month names: every month for a year of data, each quarter's first
    // month up to three years, none beyond (the years under January say it).
    let named = |label: &str| match n {
        0..=12 => true,
        13..=36 => matches!(month_name(label), "Jan" | "Apr" | "Jul" | "Oct"),
        _ => false,
    };
    // The first month's year is written unless the next January, whose
    // year is written anyway, is too close to it.
    let first_year_fits = months.first().is_some_and(|m| {
        let to_january = 13 - m.month[5..].parse::<usize>().unwrap_or(1);
        to_january as f64 * slot >= 44.0
    });
    let body = html! {
        @for (i, m) in months.iter().enumerate() {
            @if m.high_season {
                (rect(frame.x0() + i as f64 * slot, frame.y1(), slot, frame.y0() - frame.y1(), "season"))
            }
        }
        (y_axis(&frame, &y, &y_ticks, plain, y_title))
        @for (i, m) in months.iter().enumerate() {
            @let (returning, new) = value(m);
            @let x = frame.x0() + i as f64 * slot + (slot - bar) / 2.0;
            (rect(x, y.at(returning), bar, frame.y0() - y.at(returning), "returning"))
            (rect(x, y.at(returning + new), bar, y.at(returning) - y.at(returning + new), "new"))
        }
        @if let Some((at, words)) = &threshold {
            line class="threshold" x1=(frame.x0()) x2=(frame.x1()) y1=(y.at(*at)) y2=(y.at(*at)) {}
            text class="note" x=(frame.x1()) y=(y.at(*at) - 4.0) text-anchor="end" { (words) }
        }
        g class="axis x" {
            @for (i, m) in months.iter().enumerate() {
                @let x = frame.x0() + (i as f64 + 0.5) * slot;
                @if named(&m.month) {
                    text class="tick" x=(x) y=(frame.y0() + 15.0) text-anchor="middle" { (month_name(&m.month)) }
                }
                @if m.month.ends_with("-01") || (i == 0 && first_year_fits) {
                    text class="tick year" x=(x) y=(frame.y0() + 30.0) text-anchor="middle" { (&m.month[..4]) }
                }
            }
            (x_title(&frame, "Month (calendar month of the order)"))
        }
        (legend(frame.x0(), 18.0, &[
            ("returning", "Returning customers"),
            ("new", "New customers (their first month)"),
            ("season", "High season"),
        ][..if months.iter().any(|m| m.high_season) { 3 } else { 2 }]))
    };
    chart(id, title, desc, &frame, body)
}

pub fn monthly(report: &Report, money: &Money) -> Markup {
    let m = &report.monthly;
    let months = &m.months;
    let high: Vec<String> = months
        .iter()
        .filter(|m| m.high_season)
        .map(|m| month_long(&m.month))
        .collect();
    let key = match (
        months.len(),
        m.median_revenue_cents,
        &m.high_season_from_cents,
    ) {
        (0, _, _) => html! { "No counted orders with a customer yet: nothing to chart." },
        (n, None, _) => html! {
            "With " (n) " month" @if n != 1 { "s" } " of orders there is no season to tell yet (it takes "
            (m.high_season_min_months) " months)."
        },
        (_, Some(_), None) => html! {
            "Most months have no orders, so no month is marked as high season."
        },
        (_, Some(median), Some(from)) if high.is_empty() => html! {
            "No month reached " (money.cents_f(*from)) " (" (m.high_season_factor) "× the median month, "
            (money.cents_f(median)) "): sales are even through the year."
        },
        (_, Some(median), Some(from)) => html! {
            "High season: " strong { (high.join(", ")) } " — the months with at least "
            (money.cents_f(*from)) " of revenue, " (m.high_season_factor) "× the median month ("
            (money.cents_f(median)) ")."
        },
    };
    if months.is_empty() {
        return section(
            "monthly",
            "Revenue and orders by month",
            key,
            html! {},
            html! { "—" },
        );
    }
    let span = format!(
        "{} to {}",
        month_long(&months[0].month),
        month_long(&months[months.len() - 1].month)
    );
    let revenue_desc: Vec<String> = months
        .iter()
        .map(|m| {
            format!(
                "{}: {} (returning {}, new {}){}",
                month_long(&m.month),
                money.cents(m.revenue_cents),
                money.cents(m.returning_revenue_cents),
                money.cents(m.new_revenue_cents),
                if m.high_season { ", high season" } else { "" }
            )
        })
        .collect();
    let orders_desc: Vec<String> = months
        .iter()
        .map(|m| {
            format!(
                "{}: {} orders (returning {}, new {})",
                month_long(&m.month),
                m.new_orders + m.returning_orders,
                m.returning_orders,
                m.new_orders
            )
        })
        .collect();
    let threshold = m.high_season_from_cents.map(|from| {
        (
            from / 100.0,
            format!("high season from {}", money.whole(from)),
        )
    });
    let figures = html! {
        (figure(monthly_bars(
            "chart-monthly-revenue",
            &format!("Revenue by month, {span}"),
            &format!("Bar chart of revenue by month. {}.", revenue_desc.join("; ")),
            months,
            |m| (m.returning_revenue_cents as f64 / 100.0, m.new_revenue_cents as f64 / 100.0),
            &money.titled("Revenue"),
            threshold,
        )))
        (figure(monthly_bars(
            "chart-monthly-orders",
            &format!("Orders by month, {span}"),
            &format!("Bar chart of orders by month. {}.", orders_desc.join("; ")),
            months,
            |m| (m.returning_orders as f64, m.new_orders as f64),
            "Orders",
            None,
        )))
    };
    let any_high = months.iter().any(|m| m.high_season);
    let how = html! {
        "each bar is one calendar month. The dark part comes from returning customers (who first ordered in an \
         earlier month), the light part from new customers (in the month of their first order). "
        @if any_high {
            "Grey columns mark high season and the dashed line is where it starts. Stock up before the high \
             season and send campaigns a few weeks ahead of it. (On a fast-growing store the latest months \
             are all above the median: the grey columns then show growth, not a season.) "
        } @else if m.high_season_from_cents.is_some() {
            "The dashed line is where high season would start. "
        }
        "The last month may not be over yet. Orders without a customer are not in these bars, as in the \
         headline figures."
    };
    section("monthly", "Revenue and orders by month", key, figures, how)
}

// ---------------------------------------------------------------- cohorts

/// Retention steps of the heatmap: a share at or above `STEPS[i]` (and
/// above 0) gets shade i + 1; exactly 0 gets shade 0.
const STEPS: [f64; 6] = [0.0, 0.02, 0.05, 0.10, 0.20, 0.40];
const STEP_WORDS: [&str; 7] = [
    "0%", "under 2%", "2–5%", "5–10%", "10–20%", "20–40%", "40% +",
];

fn shade(retention: f64) -> usize {
    if retention <= 0.0 {
        0
    } else {
        STEPS.iter().rposition(|&s| retention >= s).unwrap_or(0) + 1
    }
}

fn cohort_label(period: Period, cohort: &str) -> String {
    match period {
        Period::Month => month_long(cohort),
        Period::Quarter => cohort.to_string(),
    }
}

/// "1st", "2nd", "3rd", "4th", … for the words.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn heatmap(report: &Report) -> Markup {
    let c = &report.cohorts;
    let period = c.period.name();
    let columns = c
        .cohorts
        .iter()
        .chain([&c.overall])
        .flat_map(|r| r.cells.iter().map(|cell| cell.period))
        .max()
        .unwrap_or(0)
        .max(1);
    let row_height = 22.0;
    let rows = c.cohorts.len() as f64 + 1.0;
    let frame = Frame {
        width: WIDTH,
        height: 64.0 + rows * row_height + 8.0 + 40.0,
        left: 180.0,
        right: 8.0,
        top: 64.0,
        bottom: 40.0,
    };
    // Squares no wider than 48 units: a young store's one or two columns
    // are not stretched into bars.
    let cell_width = (frame.plot_width() / columns as f64).min(48.0);
    let row_y = |i: usize| {
        let gap = if i == c.cohorts.len() { 8.0 } else { 0.0 };
        frame.y1() + i as f64 * row_height + gap
    };
    let draw_row = |i: usize, row: &CohortRow, label: String| {
        html! {
            text class="tick row-label" x=(8) y=(row_y(i) + 15.0) { (label) }
            text class="tick" x=(frame.x0() - 6.0) y=(row_y(i) + 15.0) text-anchor="end" { (count(row.customers)) }
            @for cell in row.cells.iter().filter(|cell| cell.period >= 1) {
                @let x = frame.x0() + (cell.period - 1) as f64 * cell_width;
                @let s = shade(cell.retention);
                (rect(x + 1.0, row_y(i) + 1.0, cell_width - 2.0, row_height - 2.0, &format!("h{s}")))
                @if cell_width >= 30.0 {
                    text class=(if s >= 4 { "cell light" } else { "cell" })
                        x=(x + cell_width / 2.0) y=(row_y(i) + 15.0) text-anchor="middle" {
                        (percent_whole(cell.retention))
                    }
                }
            }
        }
    };
    let mut desc: Vec<String> = c
        .cohorts
        .iter()
        .chain([&c.overall])
        .map(|row| {
            let cells: Vec<String> = row
                .cells
                .iter()
                .filter(|cell| cell.period >= 1)
                .map(|cell| format!("{} {}: {}", period, cell.period, percent(cell.retention)))
                .collect();
            format!(
                "{} ({} customers): {}",
                cohort_label(c.period, &row.cohort),
                row.customers,
                if cells.is_empty() {
                    "no later period yet".to_string()
                } else {
                    cells.join(", ")
                }
            )
        })
        .collect();
    desc.insert(
        0,
        format!("Heatmap: for customers grouped by the {period} of their first order, the share who ordered again in each later {period}"),
    );
    let body = html! {
        text class="axis-title" x=(frame.x0()) y=(20) {
            (format!("{}s after the first order", capitalize(period)))
        }
        text class="axis-title" x=(8) y=(52) { "First order" }
        text class="axis-title" x=(frame.x0() - 6.0) y=(52) text-anchor="end" { "Customers" }
        @for k in 1..=columns {
            text class="tick" x=(frame.x0() + (k as f64 - 0.5) * cell_width) y=(52) text-anchor="middle" { (k) }
        }
        @for (i, row) in c.cohorts.iter().enumerate() {
            (draw_row(i, row, cohort_label(c.period, &row.cohort)))
        }
        (draw_row(c.cohorts.len(), &c.overall, "All customers".to_string()))
        (legend(8.0, frame.height - 14.0, &STEP_WORDS.iter().enumerate()
            .map(|(i, w)| (["h0", "h1", "h2", "h3", "h4", "h5", "h6"][i], *w))
            .collect::<Vec<_>>()))
    };
    chart(
        "chart-cohort-retention",
        &format!("Share of customers who ordered again, by the {period} of their first order"),
        &(desc.join(". ") + "."),
        &frame,
        body,
    )
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn cumulative_revenue(report: &Report, money: &Money) -> Markup {
    let c = &report.cohorts;
    let period = c.period.name();
    let frame = Frame {
        width: WIDTH,
        height: 320.0,
        left: 64.0,
        right: 110.0,
        top: 34.0,
        bottom: 44.0,
    };
    let rows: Vec<&CohortRow> = c.cohorts.iter().collect();
    let columns = rows
        .iter()
        .chain([&&c.overall])
        .flat_map(|r| r.cells.iter().map(|cell| cell.period))
        .max()
        .unwrap_or(0)
        .max(1);
    let highest = rows
        .iter()
        .chain([&&c.overall])
        .flat_map(|r| r.cells.iter())
        .map(|cell| cell.cumulative_revenue_per_customer_cents as f64 / 100.0)
        .fold(0.0, f64::max);
    let y_ticks = ticks(highest, 5);
    let y = Linear::new(
        (0.0, *y_ticks.last().unwrap_or(&1.0)),
        (frame.y0(), frame.y1()),
    );
    let x = Linear::new((0.0, columns as f64), (frame.x0(), frame.x1()));
    let path = |row: &CohortRow| {
        row.cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { "L" },
                    x.at(cell.period as f64),
                    y.at(cell.cumulative_revenue_per_customer_cents as f64 / 100.0)
                )
            })
            .collect::<String>()
    };
    let n = rows.len();
    // Older cohorts lighter, newer darker: 6 shades of one blue.
    let line_class = |i: usize| format!("l{}", if n <= 1 { 5 } else { i * 5 / (n - 1) });
    let x_ticks: Vec<(f64, String)> = (0..=columns)
        .filter(|k| columns <= 12 || k % 2 == 0)
        .map(|k| (x.at(k as f64), k.to_string()))
        .collect();
    let mut desc = vec![format!(
        "Line chart: revenue per customer so far, by {period}s after the first order"
    )];
    desc.extend(rows.iter().chain([&&c.overall]).map(|row| {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|cell| {
                format!(
                    "{} {}: {}",
                    period,
                    cell.period,
                    money.cents(cell.cumulative_revenue_per_customer_cents)
                )
            })
            .collect();
        format!(
            "{}: {}",
            cohort_label(c.period, &row.cohort),
            cells.join(", ")
        )
    }));
    let body = html! {
        (y_axis(&frame, &y, &y_ticks, plain, &money.titled("Revenue per customer")))
        (x_axis(&frame, &x_ticks, &format!("{}s after the first order (0 = the {period} of the first order)", capitalize(period))))
        @for (i, row) in rows.iter().enumerate() {
            path class=(format!("cohort {}", line_class(i))) d=(path(row)) {}
            // A dot at the end: a cohort with one period is a dot alone.
            @if let Some(cell) = row.cells.last() {
                circle class=(format!("dot {}", line_class(i))) r="3"
                    cx=(coord(x.at(cell.period as f64)))
                    cy=(coord(y.at(cell.cumulative_revenue_per_customer_cents as f64 / 100.0))) {}
            }
        }
        path class="overall" d=(path(&c.overall)) {}
        @for (label, at_x, at_y, strong) in end_labels(&rows, &c.overall, c.period, &x, &y) {
            text class=(if strong { "note strong" } else { "note" }) x=(at_x + 6.0) y=(at_y + 4.0) { (label) }
        }
        (legend(frame.x0(), 18.0, &[("swatch-overall", "All customers"), ("swatch-old", "Older cohorts"), ("swatch-new", "Newer cohorts")]))
    };
    chart(
        "chart-cohort-revenue",
        &format!("Revenue per customer so far, by the {period} of their first order"),
        &(desc.join(". ") + "."),
        &frame,
        body,
    )
}

/// Labels at the right end of the lines: "All customers", and each
/// cohort's name when there are few enough to read, pushed apart
/// vertically so that they do not overlap.
fn end_labels(
    rows: &[&CohortRow],
    overall: &CohortRow,
    period: Period,
    x: &Linear,
    y: &Linear,
) -> Vec<(String, f64, f64, bool)> {
    const MAX_LABELLED: usize = 8;
    const GAP: f64 = 14.0;
    let end = |row: &CohortRow| {
        row.cells.last().map(|cell| {
            (
                x.at(cell.period as f64),
                y.at(cell.cumulative_revenue_per_customer_cents as f64 / 100.0),
            )
        })
    };
    let mut labels: Vec<(String, f64, f64, bool)> = Vec::new();
    if rows.len() <= MAX_LABELLED {
        for row in rows {
            if let Some((ex, ey)) = end(row) {
                labels.push((cohort_label(period, &row.cohort), ex, ey, false));
            }
        }
    }
    if let Some((ex, ey)) = end(overall) {
        labels.push(("All customers".into(), ex, ey, true));
    }
    labels.sort_by(|a, b| a.2.total_cmp(&b.2));
    for i in 1..labels.len() {
        if labels[i].2 - labels[i - 1].2 < GAP {
            labels[i].2 = labels[i - 1].2 + GAP;
        }
    }
    labels
}

pub fn cohorts(report: &Report, money: &Money) -> Markup {
    let c = &report.cohorts;
    let period = c.period.name();
    let cell = |k: u32| c.overall.cells.iter().find(|cell| cell.period == k);
    let key = if c.cohorts.is_empty() {
        html! { "No customers yet: nothing to chart." }
    } else {
        html! {
            @if let Some(first) = cell(1) {
                "Of all customers, " strong { (percent(first.retention)) } " ("
                (count(first.active_customers)) " of " (count(first.customers))
                ") ordered again in the " (period) " after their first order"
                @if let Some(third) = cell(3) {
                    ", " (percent(third.retention)) " in the 3rd " (period)
                }
                ". "
                // Orders again within the first period count in the repeat
                // rate but in no later period: without this, a store whose
                // regulars come back within weeks reads as nobody returning.
                @if let Some(rate) = report.summary.repeat_rate {
                    "Counting orders again within the first " (period) " too, "
                    (percent(rate)) " of customers have ordered more than once (the repeat rate). "
                }
            } @else {
                "The data covers one " (period) " so far: nobody can have come back in a later one yet. "
            }
            @if let (Some(start), Some(end)) = (c.overall.cells.first(), c.overall.cells.last()) {
                "A customer spends " (money.cents(start.cumulative_revenue_per_customer_cents))
                " on average in their first " (period)
                @if end.period > 0 {
                    " and " strong { (money.cents(end.cumulative_revenue_per_customer_cents)) }
                    " by the " (ordinal(end.period)) " " (period) " after it"
                }
                "."
            }
        }
    };
    if c.cohorts.is_empty() {
        return section(
            "cohorts",
            "Do new customers come back?",
            key,
            html! {},
            html! { "—" },
        );
    }
    let figures = html! {
        (figure(heatmap(report)))
        (figure(cumulative_revenue(report, money)))
    };
    let how = html! {
        "each row of the grid is a cohort: the customers whose first order was in that " (period)
        " (how many, on the left). Each square is the share of them who ordered again " (ordinal(1)) ", "
        (ordinal(2)) ", … " (period) "s later: darker is more. The bottom row takes every cohort together. "
        "In the line chart each line is a cohort's spending per customer, adding up " (period) " after "
        (period) "; a line that keeps climbing means those customers keep buying (the last points of the \
         All customers line come from the oldest cohorts only). The latest "
        (period) " is not over yet, so its squares are low. "
        @if c.cohorts_left_out > 0 {
            "The " (c.cohorts_left_out) " oldest cohorts are left out here (all are in the \"All customers\" \
             row); "
        }
        "goldpan cohorts writes the whole table as CSV."
    };
    section("cohorts", "Do new customers come back?", key, figures, how)
}

// ---------------------------------------------------------------- pareto

/// The heights of the Pareto marks' labels: below each mark, at least a
/// line apart, in the marks' order.
fn mark_label_ys(marks: &[&super::ParetoPoint], y: &Linear) -> Vec<f64> {
    const LINE: f64 = 18.0;
    let mut order: Vec<usize> = (0..marks.len()).collect();
    let at = |i: usize| y.at(marks[i].revenue_share) + 16.0;
    order.sort_by(|&a, &b| at(a).total_cmp(&at(b)));
    let mut ys = vec![0.0; marks.len()];
    let mut last = f64::NEG_INFINITY;
    for i in order {
        let wanted = at(i).max(last + LINE);
        ys[i] = wanted;
        last = wanted;
    }
    ys
}

pub fn pareto(report: &Report) -> Markup {
    let p = &report.pareto;
    let s = &report.summary;
    let frame = Frame {
        width: WIDTH,
        height: 400.0,
        left: 64.0,
        right: 24.0,
        top: 16.0,
        bottom: 48.0,
    };
    let x = Linear::new((0.0, 1.0), (frame.x0(), frame.x1()));
    let y = Linear::new((0.0, 1.0), (frame.y0(), frame.y1()));
    let shares = ticks(1.0, 5);
    let line: String = p
        .points
        .iter()
        .enumerate()
        .map(|(i, pt)| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { "L" },
                x.at(pt.customer_share),
                y.at(pt.revenue_share)
            )
        })
        .collect();
    let area = format!(
        "{line}L{:.1},{:.1}L{:.1},{:.1}Z",
        x.at(1.0),
        y.at(0.0),
        x.at(0.0),
        y.at(0.0)
    );
    let marks: Vec<_> = p
        .points
        .iter()
        .filter(|pt| pt.top_percent.is_some())
        .collect();
    // Labels in one column right of the marks, each at its mark's height
    // and pushed down to keep them apart (the marks are often close).
    let label_x = marks
        .iter()
        .map(|pt| x.at(pt.customer_share))
        .fold(frame.x0(), f64::max)
        + 12.0;
    let desc = format!(
        "Curve of the share of revenue against the share of customers, best customers first. {}",
        marks
            .iter()
            .map(|pt| format!(
                "The top {}% of customers ({}) bring {} of revenue.",
                pt.top_percent.unwrap_or(0),
                pt.customers,
                percent(pt.revenue_share)
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let body = html! {
        (y_axis(&frame, &y, &shares, percent_whole, "Share of revenue"))
        (x_axis(&frame, &shares.iter().map(|&v| (x.at(v), percent_whole(v))).collect::<Vec<_>>(),
            "Share of customers, best customers first"))
        path class="pareto-area" d=(area) {}
        line class="diagonal" x1=(x.at(0.0)) y1=(y.at(0.0)) x2=(x.at(1.0)) y2=(y.at(1.0)) {}
        text class="note" x=(x.at(0.62)) y=(y.at(0.52)) transform=(format!("rotate(-32 {:.1} {:.1})", x.at(0.62), y.at(0.52))) {
            "if every customer spent the same"
        }
        path class="pareto" d=(line) {}
        @for pt in &marks {
            @let (px, py) = (x.at(pt.customer_share), y.at(pt.revenue_share));
            line class="guide" x1=(px) x2=(px) y1=(py) y2=(frame.y0()) {}
            line class="guide" x1=(frame.x0()) x2=(px) y1=(py) y2=(py) {}
            circle class="mark" cx=(format!("{px:.1}")) cy=(format!("{py:.1}")) r="5" {}
        }
        @for (pt, label_y) in marks.iter().zip(mark_label_ys(&marks, &y)) {
            text class="note strong" x=(coord(label_x)) y=(coord(label_y)) {
                "Top " (pt.top_percent.unwrap_or(0)) "%: " (percent(pt.revenue_share)) " of revenue"
            }
        }
    };
    let count_of = |percent: u32| {
        p.points
            .iter()
            .find(|pt| pt.top_percent == Some(percent))
            .map(|pt| pt.customers)
    };
    let key = match (s.top_20_share, s.top_10_share) {
        (Some(top20), Some(top10)) => html! {
            "Your top 20% of customers"
            @if let Some(n) = count_of(20) { " (" (count(n)) ")" }
            " bring " strong { (percent(top20)) } " of the revenue; the top 10%"
            @if let Some(n) = count_of(10) { " (" (count(n)) ")" }
            " bring " strong { (percent(top10)) } "."
        },
        _ => html! { "No revenue yet: nothing to chart." },
    };
    let how = html! {
        "customers are lined up from the biggest spender to the smallest. Follow the curve: at 20% across, \
         its height is the share of all revenue those best 20% brought. The further the curve bulges above \
         the dashed diagonal, the more the store depends on a few customers — look after them (the "
        code { "top_20.csv" } " list)."
    };
    section(
        "pareto",
        "How much do your best customers bring?",
        key,
        figure(chart(
            "chart-pareto",
            "Share of revenue by share of customers",
            &desc,
            &frame,
            body,
        )),
        how,
    )
}

// ---------------------------------------------------------------- histograms

/// Bars over equal bins, the open-ended last bin (if any) after a gap.
/// `x_of` maps a bin edge to the axis, `band_of` gives each bar's class.
struct Histogram<'a> {
    bins: &'a [Bin],
    frame: Frame,
}

impl Histogram<'_> {
    fn closed(&self) -> usize {
        self.bins.iter().filter(|b| b.to.is_some()).count()
    }
    fn has_open(&self) -> bool {
        self.bins.iter().any(|b| b.to.is_none())
    }
    fn end(&self) -> f64 {
        self.bins.iter().filter_map(|b| b.to).max().unwrap_or(1) as f64
    }
    fn width(&self) -> f64 {
        self.bins
            .first()
            .and_then(|b| b.to.map(|to| (to - b.from) as f64))
            .unwrap_or(1.0)
    }
    /// The x scale of the closed bins (the open one sits past its end).
    fn x(&self) -> Linear {
        let slots = self.closed() as f64 + if self.has_open() { 1.3 } else { 0.0 };
        let end = self.end();
        let right =
            self.frame.x0() + self.frame.plot_width() * self.closed() as f64 / slots.max(1.0);
        Linear::new((0.0, end), (self.frame.x0(), right))
    }
    fn y(&self, ticks: &[f64]) -> Linear {
        Linear::new(
            (0.0, *ticks.last().unwrap_or(&1.0)),
            (self.frame.y0(), self.frame.y1()),
        )
    }
    fn y_ticks(&self) -> Vec<f64> {
        ticks(
            self.bins.iter().map(|b| b.count).max().unwrap_or(0) as f64,
            5,
        )
    }
    fn bars(&self, class: impl Fn(&Bin) -> String) -> Markup {
        let x = self.x();
        let y = self.y(&self.y_ticks());
        let slot = x.at(self.width()) - x.at(0.0);
        html! {
            @for b in self.bins {
                @let left = match b.to { Some(_) => x.at(b.from as f64), None => x.at(self.end()) + slot * 0.3 };
                @if b.count > 0 {
                    (rect(left + 0.5, y.at(b.count as f64), slot - 1.0, self.frame.y0() - y.at(b.count as f64), &class(b)))
                }
            }
        }
    }
}

pub fn order_values(report: &Report, money: &Money) -> Markup {
    let v = &report.order_values;
    let band = |name: &str| v.bands.iter().find(|b| b.band == name);
    let (Some(aov), Some(low), Some(high)) = (v.aov_cents, v.low_below_cents, v.high_above_cents)
    else {
        return section(
            "order-values",
            "What is an order worth?",
            html! { "No counted orders yet: nothing to chart." },
            html! {},
            html! { "—" },
        );
    };
    let frame = Frame {
        width: WIDTH,
        height: 320.0,
        left: 64.0,
        right: 12.0,
        top: 56.0,
        bottom: 48.0,
    };
    let h = Histogram {
        bins: &v.bins,
        frame,
    };
    let x = h.x();
    let y_ticks = h.y_ticks();
    let y = h.y(&y_ticks);
    let end = h.end();
    let money_ticks: Vec<(f64, String)> = ticks(end / 100.0, 6)
        .into_iter()
        .filter(|t| t * 100.0 <= end + 0.5)
        .map(|t| (x.at(t * 100.0), plain(t)))
        .collect();
    let mut x_ticks = money_ticks;
    if h.has_open() {
        let slot = x.at(h.width()) - x.at(0.0);
        x_ticks.push((x.at(end) + slot * 0.8, format!("{}+", plain(end / 100.0))));
    }
    let within = |c: f64| c <= end;
    let cut_line = |cents: f64, row: f64, words: String, class: &str| {
        html! {
            @if within(cents) {
                line class=(class) x1=(x.at(cents)) x2=(x.at(cents)) y1=(frame.y1() - 4.0 - row) y2=(frame.y0()) {}
                text class="note" x=(x.at(cents)) y=(frame.y1() - 8.0 - row) text-anchor="middle" { (words) }
            }
        }
    };
    let bar_class = |b: &Bin| {
        let mid = (b.from as f64 + b.to.map_or(b.from as f64, |t| t as f64)) / 2.0;
        if b.to.is_some() && mid < low {
            "bar low".to_string()
        } else if b.to.is_none() || mid > high {
            "bar high".to_string()
        } else {
            "bar".to_string()
        }
    };
    let desc = format!(
        "Histogram of order values. The average order is {}. {}. Bins: {}.",
        money.cents_f(aov),
        v.bands
            .iter()
            .map(|b| format!(
                "{} orders {} ({})",
                b.band,
                b.orders,
                percent(b.order_share)
            ))
            .collect::<Vec<_>>()
            .join(", "),
        v.bins
            .iter()
            .map(|b| match b.to {
                Some(to) => format!(
                    "{} to {}: {}",
                    money.cents(b.from),
                    money.cents(to),
                    b.count
                ),
                None => format!("{} and more: {}", money.cents(b.from), b.count),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    let body = html! {
        @if within(low) { (rect(frame.x0(), frame.y1(), x.at(low) - frame.x0(), frame.y0() - frame.y1(), "band-low")) }
        (rect(x.at(high.min(end)), frame.y1(), frame.x1() - x.at(high.min(end)), frame.y0() - frame.y1(), "band-high"))
        // The shaded ends named where there is room for the words.
        @if within(low) && x.at(low) - frame.x0() > 80.0 {
            text class="note region" x=(frame.x0() + 4.0) y=(frame.y1() + 14.0) { "small orders" }
        }
        @if frame.x1() - x.at(high.min(end)) > 80.0 {
            text class="note region" x=(x.at(high.min(end)) + 4.0) y=(frame.y1() + 14.0) { "large orders" }
        }
        (y_axis(&frame, &y, &y_ticks, plain, "Orders"))
        (x_axis(&frame, &x_ticks, &money.titled("Order value after refunds")))
        (h.bars(bar_class))
        (cut_line(low, 0.0, format!("{}× AOV {}", v.low_factor, money.whole(low)), "cut"))
        (cut_line(aov, 16.0, format!("AOV {}", money.whole(aov)), "aov"))
        (cut_line(high, 0.0, format!("{}× AOV {}", v.high_factor, money.whole(high)), "cut"))
    };
    let key = html! {
        "The average order (AOV) is " strong { (money.cents_f(aov)) } ". "
        @if let Some(b) = band("low") {
            (count(b.orders)) " orders (" (percent(b.order_share)) ") were below " (money.cents_f(low)) " (" (v.low_factor) "× AOV), "
        }
        @if let Some(b) = band("mid") {
            (count(b.orders)) " (" (percent(b.order_share)) ") in between, "
        }
        @if let Some(b) = band("high") {
            "and " (count(b.orders)) " (" (percent(b.order_share)) ") above " (money.cents_f(high)) " (" (v.high_factor) "× AOV)."
        }
    };
    let how = html! {
        "each bar counts the orders whose value (after refunds) falls in its range. The dashed lines are the \
         cut-offs of the " code { "aov_low" } " and " code { "aov_high" } " lists (they sort customers by their own \
         average order the same way); the shaded ends are the small and the large orders. "
        @if h.has_open() { "The last bar, after the gap, holds the rare largest orders together. " }
        "A second peak at the right often means business buyers or gift orders."
    };
    section(
        "order-values",
        "What is an order worth?",
        key,
        figure(chart(
            "chart-order-values",
            "Orders by value",
            &desc,
            &frame,
            body,
        )),
        how,
    )
}

/// Words for a recency band: `last order under 60 days ago`, …
fn recency_words(from: i64, to: Option<i64>) -> String {
    match (from, to) {
        (0, Some(to)) => format!("under {to} days ago"),
        (from, Some(to)) => format!("{from}–{} days ago", to - 1),
        (from, None) => format!("{from}+ days ago"),
    }
}

pub fn recency(report: &Report) -> Markup {
    let r = &report.recency;
    let frame = Frame {
        width: WIDTH,
        height: 320.0,
        left: 64.0,
        right: 12.0,
        top: 56.0,
        bottom: 48.0,
    };
    let h = Histogram {
        bins: &r.bins,
        frame,
    };
    let x = h.x();
    let y_ticks = h.y_ticks();
    let y = h.y(&y_ticks);
    let end = h.end();
    let x_ticks: Vec<(f64, String)> = ticks(end, 8)
        .into_iter()
        .filter(|&t| t <= end)
        .map(|t| (x.at(t), plain(t)))
        .collect();
    let n = r.bands.len();
    // The longer ago, the lighter: customers fading away.
    let band_class = |i: usize| format!("bar r{}", if n <= 1 { 0 } else { i * 3 / (n - 1) });
    let band_of = |days: i64| {
        r.bands
            .iter()
            .rposition(|b| days >= b.from_days)
            .unwrap_or(0)
    };
    let entries: Vec<(String, String)> = r
        .bands
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                format!("r{}", if n <= 1 { 0 } else { i * 3 / (n - 1) }),
                recency_words(b.from_days, b.to_days),
            )
        })
        .collect();
    let desc = format!(
        "Histogram of customers by days since their last order, as of {}. {}.",
        report.as_of,
        r.bands
            .iter()
            .map(|b| format!(
                "{}: {} customers",
                recency_words(b.from_days, b.to_days),
                b.customers
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let body = html! {
        (y_axis(&frame, &y, &y_ticks, plain, "Customers"))
        (x_axis(&frame, &x_ticks, &format!("Days since the customer's last order (as of {})", report.as_of)))
        (h.bars(|b| band_class(band_of(b.from))))
        @for (i, b) in r.bands.iter().skip(1).enumerate() {
            @if (b.from_days as f64) <= end {
                @let at = x.at(b.from_days as f64);
                line class="cut" x1=(at) x2=(at) y1=(frame.y1() - 16.0) y2=(frame.y0()) {}
                // Neighbouring edges are often close: labels alternate sides.
                @if i % 2 == 0 {
                    text class="note" x=(at - 4.0) y=(frame.y1() - 5.0) text-anchor="end" { (b.from_days) " days" }
                } @else {
                    text class="note" x=(at + 4.0) y=(frame.y1() - 5.0) { (b.from_days) " days" }
                }
            }
        }
        (legend(frame.x0(), 18.0, &entries.iter().map(|(c, w)| (c.as_str(), w.as_str())).collect::<Vec<_>>()))
    };
    let key = html! {
        @for (i, b) in r.bands.iter().enumerate() {
            strong { (count(b.customers)) } " customers "
            @match (b.from_days, b.to_days) {
                (0, Some(to)) => { "last ordered less than " (to) " days ago" }
                (from, Some(to)) => { "last ordered " (from) "–" (to - 1) " days ago (" code { (b.band) ".csv" } ")" }
                (from, None) => { "last ordered " (from) " or more days ago (" code { (b.band) ".csv" } ")" }
            }
            @if i + 1 < n { "; " } @else { "." }
        }
    };
    let how = html! {
        "each bar counts the customers whose last order was that many days before " (report.as_of)
        ". Bars on the left are your active customers; the further right, the longer they have been away. The \
         dashed lines are where the lapsed lists start: send those lists a reminder or a win-back offer before \
         they drift to the far right."
    };
    section(
        "recency",
        "How long since customers last ordered?",
        key,
        figure(chart(
            "chart-recency",
            "Customers by days since their last order",
            &desc,
            &frame,
            body,
        )),
        how,
    )
}

// ---------------------------------------------------------------- segments

/// One row per list: its file name and size, a dark bar for its share of
/// customers and a light one for its share of revenue.
fn share_bars(id: &str, title: &str, what: &str, bars: &[SegmentBar]) -> Markup {
    let row_height = 40.0;
    // Room for the longest file name (bold monospace, about 7.5 px a letter).
    let longest = bars
        .iter()
        .map(|b| b.file.chars().count())
        .max()
        .unwrap_or(0);
    let frame = Frame {
        width: WIDTH,
        height: 40.0 + bars.len() as f64 * row_height + 44.0,
        left: (16.0 + 7.5 * longest as f64).max(150.0),
        right: 60.0,
        top: 40.0,
        bottom: 44.0,
    };
    let x = Linear::new((0.0, 1.0), (frame.x0(), frame.x1()));
    let shares = ticks(1.0, 5);
    let desc = format!(
        "Bar chart of {what}: {}.",
        bars.iter()
            .map(|b| format!(
                "{}: {} customers ({} of customers), {} of revenue",
                b.file,
                b.customers,
                percent(b.customer_share),
                percent(b.revenue_share)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let body = html! {
        @for &t in &shares {
            line class=(if t == 0.0 { "base" } else { "grid" }) x1=(x.at(t)) x2=(x.at(t))
                y1=(frame.y1()) y2=(frame.y0()) {}
        }
        (x_axis(&frame, &shares.iter().map(|&v| (x.at(v), percent_whole(v))).collect::<Vec<_>>(),
            "Share of all customers / of all revenue"))
        @for (i, b) in bars.iter().enumerate() {
            @let top = frame.y1() + i as f64 * row_height + 6.0;
            text class="tick row-label file" x=(8) y=(top + 12.0) { (b.file) }
            text class="tick" x=(8) y=(top + 27.0) { (count(b.customers)) " customers" }
            (rect(x.at(0.0), top, x.at(b.customer_share) - x.at(0.0), 13.0, "share-customers"))
            text class="note" x=(x.at(b.customer_share) + 4.0) y=(top + 11.0) { (percent(b.customer_share)) }
            (rect(x.at(0.0), top + 15.0, x.at(b.revenue_share) - x.at(0.0), 13.0, "share-revenue"))
            text class="note" x=(x.at(b.revenue_share) + 4.0) y=(top + 26.0) { (percent(b.revenue_share)) }
        }
        (legend(frame.x0(), 20.0, &[("share-customers", "Share of customers"), ("share-revenue", "Share of revenue")]))
    };
    figure(chart(id, title, &desc, &frame, body))
}

/// The lists beside the chart: file, who is in it, customers, revenue share.
fn lists_table(bars: &[SegmentBar]) -> Markup {
    html! {
        table class="lists" {
            thead { tr { th { "List" } th { "Who is in it" } th class="num" { "Customers" } th class="num" { "Revenue share" } } }
            tbody {
                @for b in bars {
                    tr {
                        td { code { (b.file) } }
                        td { (b.rule) }
                        td class="num" { (count(b.customers)) }
                        td class="num" { (percent(b.revenue_share)) }
                    }
                }
            }
        }
    }
}

pub fn segments(report: &Report) -> Markup {
    let bars = &report.segments;
    let key = html! {
        "goldpan segments writes one list of customers per row below. "
        @if let Some(top) = bars.iter().find(|b| b.segment.starts_with("top_")) {
            "The " code { (top.file) } " list holds " (percent(top.customer_share)) " of your customers and "
            strong { (percent(top.revenue_share)) } " of the revenue."
        }
    };
    let how = html! {
        "each row is one list (file name on the left): the dark bar is its share of all customers, the light bar \
         its share of all revenue. A list whose light bar is much longer than its dark one holds your most \
         valuable customers. Lists overlap: a customer can be in several."
    };
    section(
        "segments",
        "The customer lists",
        key,
        html! {
            (share_bars("chart-segments", "Size and revenue share of each customer list", "the segment lists", bars))
            (lists_table(bars))
        },
        how,
    )
}

// ---------------------------------------------------------------- RFM and prediction

pub fn rfm(report: &Report) -> Markup {
    let groups = &report.rfm_groups;
    let biggest = groups.iter().max_by_key(|g| g.customers);
    let richest = groups
        .iter()
        .max_by(|a, b| a.revenue_share.total_cmp(&b.revenue_share));
    let key = html! {
        @match (biggest, richest) {
            (Some(big), Some(rich)) if big.customers > 0 => {
                "Your biggest group is " code { (big.file) } " (" (count(big.customers)) " customers, "
                (percent(big.customer_share)) "); " code { (rich.file) } " brings the most revenue: "
                strong { (percent(rich.revenue_share)) } "."
            }
            _ => { "No customers yet: nothing to group." }
        }
    };
    let how = html! {
        "every customer gets three scores from 1 to 5: recency (5 = ordered most recently), frequency (5 = most \
         orders) and monetary value (5 = spent most), ranked among all your customers. The scores put each \
         customer in exactly one group (first row that fits); "
        code { "goldpan segments --rfm" } " writes each group as a list and " code { "goldpan customers" }
        " gives every customer's scores. Win back " code { "rfm_cant_lose.csv" } " and " code { "rfm_at_risk.csv" }
        " first: they used to buy often."
    };
    section(
        "rfm",
        "Who are your customers? RFM groups",
        key,
        html! {
            (share_bars("chart-rfm", "Size and revenue share of each RFM group", "the RFM groups", groups))
            (lists_table(groups))
        },
        how,
    )
}

pub fn prediction(report: &Report, money: &Money) -> Markup {
    let p = &report.prediction;
    let heading = format!(
        "Who is still a customer, and what the next {} days may bring",
        p.horizon_days
    );
    if let Some(why) = &p.unfitted_because {
        return section(
            "prediction",
            &heading,
            html! { "No predictions for this store: " (why) "." },
            html! {},
            html! {
                "the models learn from customers who ordered more than once; with too few of them, or all their \
                 orders within a few days, they cannot tell who is still a customer, so goldpan shows no guess. \
                 The RFM groups above still apply."
            },
        );
    }
    let frame = Frame {
        width: WIDTH,
        height: 300.0,
        left: 64.0,
        right: 24.0,
        top: 40.0,
        bottom: 48.0,
    };
    let h = Histogram {
        bins: &p.p_alive_bins,
        frame,
    };
    let x = h.x();
    let y_ticks = h.y_ticks();
    let y = h.y(&y_ticks);
    let x_ticks: Vec<(f64, String)> = (0..=10)
        .map(|i| (x.at(i as f64 * 10.0), format!("{}%", i * 10)))
        .collect();
    let cut = p.likely_alive_from * 100.0;
    let likely = |b: &Bin| b.from as f64 >= cut;
    let desc = format!(
        "Histogram of the repeat customers' probability of still being a customer (P(alive)), in steps of \
         10%: {}. {} of {} customers who ordered on two or more days have a P(alive) of {} or more.",
        p.p_alive_bins
            .iter()
            .map(|b| format!("{}–{}%: {}", b.from, b.to.unwrap_or(100), b.count))
            .collect::<Vec<_>>()
            .join(", "),
        p.likely_alive,
        p.repeat_customers,
        percent_whole(p.likely_alive_from)
    );
    let body = html! {
        (y_axis(&frame, &y, &y_ticks, plain, "Repeat customers"))
        (x_axis(&frame, &x_ticks, "Probability the customer is still a customer (P(alive))"))
        (h.bars(|b| if likely(b) { "bar alive".to_string() } else { "bar faded".to_string() }))
        line class="cut" x1=(x.at(cut)) x2=(x.at(cut)) y1=(frame.y1() - 16.0) y2=(frame.y0()) {}
        text class="note" x=(x.at(cut) + 4.0) y=(frame.y1() - 5.0) { (percent_whole(p.likely_alive_from)) }
        (legend(frame.x0(), 18.0, &[("alive", "likely still a customer"), ("faded", "likely gone")]))
    };
    let one_time = p.customers - p.repeat_customers;
    // The model's repeat customers bought on two different days: a customer
    // with two orders on one day is a repeat customer in the summary but not
    // here, so the sentence says which it counts.
    let key = html! {
        strong { (count(p.likely_alive)) } " of your " (count(p.repeat_customers))
        " customers who ordered on two or more days ("
        (percent(if p.repeat_customers == 0 { 0.0 } else { p.likely_alive as f64 / p.repeat_customers as f64 }))
        ") are likely still customers. Over the next " (p.horizon_days) " days all " (count(p.customers))
        " customers are expected to place " (count(p.expected_orders.unwrap_or(0.0).round() as u64))
        " orders"
        @match p.predicted_revenue_cents {
            Some(cents) => { " worth " strong { (money.cents(cents)) } "." }
            None => { " (no predicted revenue: see the notes at the top)." }
        }
    };
    let how = html! {
        "each bar counts the repeat customers whose chance of still buying from you falls in that tenth, as \
         the BG/NBD model estimates it from how often and how recently each one ordered: someone who used to \
         order every month and has not for a year has likely moved on. Customers on the right are worth a \
         reward or a new-product mail; a discount to those on the left is rarely worth it. The model cannot \
         judge the " (count(one_time)) " customers who ordered on one day only (it gives them 100%): go by the days \
         since their order (chart above) for them. The model assumes each customer buys at a steady pace \
         until they stop: customers of a seasonal store, who buy once a year in season, look gone out of \
         season. The " code { "p_alive" } " column of "
        code { "goldpan customers" } " and of the lapsed lists gives each customer's value."
    };
    section(
        "prediction",
        &heading,
        key,
        figure(chart(
            "chart-p-alive",
            "Customers by probability of still being a customer",
            &desc,
            &frame,
            body,
        )),
        how,
    )
}

// ---------------------------------------------------------------- products

/// One bar of [`fraction_bars`]: a label and a line under it, the bar's
/// length (0–1) and the words at its end.
struct FractionBar {
    label: String,
    under: String,
    fraction: f64,
    words: String,
}

/// Horizontal bars of fractions (0–100%), one row each, with an optional
/// dashed reference line (a store-wide figure to compare with).
fn fraction_bars(
    id: &str,
    title: &str,
    desc: &str,
    bars: &[FractionBar],
    axis_title: &str,
    reference: Option<(f64, String)>,
) -> Markup {
    let row_height = 40.0;
    // Room for the longest label (bold, about 7.6 px a letter), within reason:
    // longer names are cut with an ellipsis.
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(34);
    let frame = Frame {
        width: WIDTH,
        height: 40.0 + bars.len() as f64 * row_height + 44.0,
        left: (20.0 + 7.6 * longest as f64).max(175.0),
        right: 70.0,
        top: 40.0,
        bottom: 44.0,
    };
    let top_value = bars
        .iter()
        .map(|b| b.fraction)
        .fold(0.0, f64::max)
        .max(reference.as_ref().map_or(0.0, |r| r.0));
    let end = if top_value > 0.5 {
        1.0
    } else {
        (top_value * 10.0).ceil().max(1.0) / 10.0
    };
    let x = Linear::new((0.0, end), (frame.x0(), frame.x1()));
    let shares = ticks(end, 5);
    let cut = |text: &str| {
        if text.chars().count() > 34 {
            format!("{}…", text.chars().take(33).collect::<String>())
        } else {
            text.to_string()
        }
    };
    let body = html! {
        @for &t in &shares {
            line class=(if t == 0.0 { "base" } else { "grid" }) x1=(x.at(t)) x2=(x.at(t))
                y1=(frame.y1()) y2=(frame.y0()) {}
        }
        (x_axis(&frame, &shares.iter().map(|&v| (x.at(v), percent_whole(v))).collect::<Vec<_>>(), axis_title))
        @for (i, b) in bars.iter().enumerate() {
            @let top = frame.y1() + i as f64 * row_height + 6.0;
            text class="tick row-label" x=(8) y=(top + 12.0) { title { (b.label) } (cut(&b.label)) }
            text class="tick" x=(8) y=(top + 27.0) { (b.under) }
            (rect(x.at(0.0), top + 4.0, x.at(b.fraction) - x.at(0.0), 18.0, "share-customers"))
            text class="note" x=(x.at(b.fraction) + 4.0) y=(top + 18.0) { (b.words) }
        }
        @if let Some((at, words)) = &reference {
            line class="cut" x1=(x.at(*at)) x2=(x.at(*at)) y1=(frame.y1() - 16.0) y2=(frame.y0()) {}
            text class="note" x=(x.at(*at) + 4.0) y=(frame.y1() - 5.0) { (words) }
        }
    };
    figure(chart(id, title, desc, &frame, body))
}

pub fn products(report: &Report, money: &Money) -> Markup {
    let p = &report.products;
    let heading = "What do customers buy?";
    if let Some(why) = &p.no_products_because {
        return section(
            "products",
            heading,
            html! { "No products to show: " (why) "." },
            html! {},
            html! { "the products, and what goes with what, come from the line items of the orders." },
        );
    }
    let top: Vec<FractionBar> = p
        .top
        .iter()
        .map(|r| FractionBar {
            label: r.product.clone(),
            under: format!(
                "{} {}, {} {}",
                count(r.customers),
                if r.customers == 1 {
                    "customer"
                } else {
                    "customers"
                },
                count(r.units.max(0) as u64),
                if r.units == 1 { "unit" } else { "units" }
            ),
            fraction: r.revenue_share,
            words: format!(
                "{} ({})",
                percent(r.revenue_share),
                money.cents(r.revenue_cents)
            ),
        })
        .collect();
    let top_desc = format!(
        "Bar chart of the {} products with the most revenue, as a share of all items' revenue: {}.",
        p.top.len(),
        p.top
            .iter()
            .map(|r| format!(
                "{}: {} ({} customers)",
                r.product,
                percent(r.revenue_share),
                r.customers
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let first: Vec<FractionBar> = p
        .first_purchases
        .iter()
        .map(|r| FractionBar {
            label: r.product.clone(),
            under: format!("in {} first orders", count(r.first_order_customers)),
            fraction: r.repeat_share.unwrap_or(0.0),
            words: match r.median_days_to_second {
                Some(days) => format!(
                    "{}, after {days:.0} days",
                    percent(r.repeat_share.unwrap_or(0.0))
                ),
                None => percent(r.repeat_share.unwrap_or(0.0)),
            },
        })
        .collect();
    let first_desc = format!(
        "Bar chart of the products most often in a customer's first order (at least {} customers), by the \
         share of those customers who ordered again{}: {}.",
        p.min_first_customers,
        p.repeat_rate.map_or(String::new(), |r| format!(
            " (store-wide repeat rate {})",
            percent(r)
        )),
        p.first_purchases
            .iter()
            .map(|r| format!(
                "{}: {} of {} came back",
                r.product,
                percent(r.repeat_share.unwrap_or(0.0)),
                r.first_order_customers
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let key = html! {
        @if let Some(best) = p.top.first() {
            (count(p.products)) " products sold; " strong { (best.product) } " brings the most revenue: "
            (percent(best.revenue_share)) " of all items' revenue. "
        }
        @if let Some(best) = p.first_purchases.first() {
            "Of the customers whose first order had " strong { (best.product) } ", "
            strong { (percent(best.repeat_share.unwrap_or(0.0))) } " ordered again"
            @if let Some(rate) = p.repeat_rate { " (all customers: " (percent(rate)) ")" } "."
        }
    };
    let pairs = html! {
        @if p.pairs.is_empty() {
            p { "No two products were bought by " (p.min_pair_customers) " or more of the same customers \
                 (" code { "--min-customers" } "): nothing to pair yet." }
        } @else {
            table class="lists" {
                caption { "Bought by the same customers (across their orders), strongest first" }
                thead { tr {
                    th { "Products" } th class="num" { "Customers of both" }
                    th class="num" { "Bought the second" } th class="num" { "Lift" }
                } }
                tbody {
                    @for pair in &p.pairs {
                        tr {
                            td { (pair.product_a) " ↔ " (pair.product_b) }
                            td class="num" { (count(pair.customers_both)) }
                            td class="num" { (percent(pair.a_then_b)) " / " (percent(pair.b_then_a)) }
                            td class="num" { (format!("{:.2}", pair.lift)) }
                        }
                    }
                }
            }
        }
    };
    let how = html! {
        "the first chart is each product's share of the revenue of all items sold (refunds are per order in the \
         exports, so these are before refunds). The second shows which first purchase makes regulars: of the \
         customers whose first order had the product, the share who ordered again, and the median days until \
         they did; the dashed line is the store's repeat rate, so a bar past it is a product that brings people \
         back. The table pairs products bought by the same customers: \"bought the second\" is the share of \
         the first product's customers who also bought the second (and the other way round); a lift above 1 \
         means more often than chance. " code { "goldpan products" } ", " code { "goldpan related" } " and "
        code { "goldpan buyers" } " give the full lists."
    };
    section(
        "products",
        heading,
        key,
        html! {
            (fraction_bars("chart-products", "Products with the most revenue", &top_desc, &top,
                "Share of the revenue of all items sold", None))
            @if first.is_empty() {
                p { "No product was in " (p.min_first_customers) " or more customers' first order yet: too few to say \
                     which first purchase makes regulars." }
            } @else {
                (fraction_bars("chart-first-products", "First purchases that make regulars", &first_desc, &first,
                    "Share of the customers whose first order had it who ordered again",
                    p.repeat_rate.map(|r| (r, format!("all customers {}", percent(r))))))
            }
            (pairs)
        },
        how,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_shades_step_up_and_zero_stands_apart() {
        assert_eq!(shade(0.0), 0);
        assert_eq!(shade(0.001), 1);
        assert_eq!(shade(0.02), 2);
        assert_eq!(shade(0.099), 3);
        assert_eq!(shade(0.1), 4);
        assert_eq!(shade(0.5), 6);
        assert_eq!(shade(1.0), 6);
        assert_eq!(STEP_WORDS.len(), STEPS.len() + 1);
    }

    #[test]
    fn axis_numbers_are_short() {
        assert_eq!(plain(0.0), "0");
        assert_eq!(plain(5000.0), "5,000");
        assert_eq!(plain(15_000.0), "15k");
        assert_eq!(plain(250_000.0), "250k");
        assert_eq!(plain(1_500_000.0), "1.5M");
        assert_eq!(plain(2_000_000.0), "2M");
        assert_eq!(plain(0.25), "0.25");
    }

    #[test]
    fn ordinals() {
        let words: Vec<_> = [1, 2, 3, 4, 11, 12, 13, 21, 22].map(ordinal).to_vec();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"
            ]
        );
    }
}
