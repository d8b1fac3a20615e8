//! RFM scores and groups over the customers table (docs/rfm-and-prediction.md).
//!
//! - `recency_score`, `monetary_score`: quintiles by rank, 5 best. With N
//!   customers, a customer that b customers beat strictly and e customers
//!   (itself included) tie scores 1 + ⌊5 · (2b + e) / (2N)⌋, i.e. by the
//!   middle of its tied run: equal values always share a score, and with
//!   no ties each score holds a fifth of the customers. Recency ranks days
//!   since the last order (fewer is better), monetary ranks revenue.
//! - `frequency_score`: fixed order-count breaks ([`FREQUENCY_MIN_ORDERS`]),
//!   because most customers of most stores have one order: quintiles of a
//!   column that is mostly 1 say nothing.
//! - `rfm_score`: the three digits, "545".
//! - `rfm_group`: the first row of [`GROUPS`] whose ranges hold the scores.

use crate::customers::field as col;
use crate::segments::Segment;
use polars::prelude::*;
use std::ops::RangeInclusive;

/// Columns this module adds to the customers table.
pub mod rfm_col {
    /// UInt32, 1–5.
    pub const RECENCY_SCORE: &str = "recency_score";
    /// UInt32, 1–5.
    pub const FREQUENCY_SCORE: &str = "frequency_score";
    /// UInt32, 1–5.
    pub const MONETARY_SCORE: &str = "monetary_score";
    /// String: recency, frequency and monetary digits, "545".
    pub const RFM_SCORE: &str = "rfm_score";
    /// String: the [`super::Group`] name, `champions`.
    pub const RFM_GROUP: &str = "rfm_group";
}

/// Frequency score s needs at least `FREQUENCY_MIN_ORDERS[s - 1]` orders:
/// 1 order scores 1, 2 score 2, 3 score 3, 4–5 score 4, 6 or more score 5.
pub const FREQUENCY_MIN_ORDERS: [u32; 5] = [1, 2, 3, 4, 6];

/// A named RFM group: the customers whose three scores fall in its ranges
/// (and in no earlier group's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Name in the `rfm_group` column and file stem of `segments --rfm`
    /// (`rfm_<name>.csv`).
    pub name: &'static str,
    pub recency: RangeInclusive<u8>,
    pub frequency: RangeInclusive<u8>,
    pub monetary: RangeInclusive<u8>,
    /// Who they are, in plain words.
    pub meaning: &'static str,
}

const fn group(
    name: &'static str,
    recency: RangeInclusive<u8>,
    frequency: RangeInclusive<u8>,
    monetary: RangeInclusive<u8>,
    meaning: &'static str,
) -> Group {
    Group {
        name,
        recency,
        frequency,
        monetary,
        meaning,
    }
}

/// The groups, in the vocabulary of Shopify's and Klaviyo's RFM reports.
/// A customer belongs to the first group whose ranges hold its scores;
/// every combination of scores has a group (the last two rows catch the
/// rest). docs/rfm-and-prediction.md shows this table; a test checks that
/// the two agree.
pub const GROUPS: [Group; 10] = [
    group(
        "champions",
        4..=5,
        4..=5,
        4..=5,
        "bought recently, often, and spent the most",
    ),
    group(
        "loyal",
        3..=5,
        3..=5,
        1..=5,
        "three or more orders, the last one not long ago",
    ),
    group(
        "potential_loyalists",
        4..=5,
        2..=2,
        1..=5,
        "a recent second order",
    ),
    group(
        "new",
        5..=5,
        1..=1,
        1..=5,
        "one order, among the most recent fifth",
    ),
    group("promising", 4..=4, 1..=1, 1..=5, "one order, fairly recent"),
    group(
        "needs_attention",
        3..=3,
        1..=2,
        1..=5,
        "one or two orders, neither recent nor long ago",
    ),
    group(
        "cant_lose",
        1..=2,
        3..=5,
        4..=5,
        "big spenders with three or more orders who have gone quiet",
    ),
    group(
        "at_risk",
        1..=2,
        2..=5,
        1..=5,
        "repeat customers who have gone quiet",
    ),
    group("hibernating", 2..=2, 1..=1, 1..=5, "one order, a while ago"),
    group(
        "lost",
        1..=1,
        1..=1,
        1..=5,
        "one order, among the oldest fifth",
    ),
];

/// The group of a customer with these scores (the same rule as the
/// `rfm_group` column, for the tests).
#[cfg(test)]
pub fn group_of(recency: u8, frequency: u8, monetary: u8) -> Option<&'static Group> {
    GROUPS.iter().find(|g| {
        g.recency.contains(&recency)
            && g.frequency.contains(&frequency)
            && g.monetary.contains(&monetary)
    })
}

/// One customer list per group, `rfm_<group>.csv`, for `segments --rfm`:
/// the list columns, then the scores.
pub fn segments() -> Vec<Segment> {
    let range = |r: &RangeInclusive<u8>| {
        if r.start() == r.end() {
            r.start().to_string()
        } else {
            format!("{}-{}", r.start(), r.end())
        }
    };
    GROUPS
        .iter()
        .map(|g| {
            let rule = format!(
                "{} (recency {}, frequency {}, monetary {}; the first group that fits)",
                g.meaning,
                range(&g.recency),
                range(&g.frequency),
                range(&g.monetary)
            );
            Segment {
                name: format!("rfm_{}", g.name),
                about: rule.clone(),
                rule,
                members: col(rfm_col::RFM_GROUP).eq(lit(g.name)),
                extra_columns: &[
                    rfm_col::RECENCY_SCORE,
                    rfm_col::FREQUENCY_SCORE,
                    rfm_col::MONETARY_SCORE,
                    rfm_col::RFM_SCORE,
                ],
            }
        })
        .collect()
}

/// Score 1–5 of `value` by the middle of its tied run among all customers,
/// `descending` when a smaller value is better. Polars' average rank is
/// b + (e + 1) / 2 (b beaten strictly, e tied), so 2·rank − 1 = 2b + e.
fn rank_quintile(value: &str, smaller_is_better: bool) -> Expr {
    let average_rank = col(value).rank(
        RankOptions {
            method: RankMethod::Average,
            // Rank 1 is the worst value: the largest when smaller is better.
            descending: smaller_is_better,
        },
        None,
    );
    // 2·rank − 1 is a whole number (ranks are whole or halves), exact in
    // f64: from there on the arithmetic is on integers. ⌊5(2b+e)/(2N)⌋ is
    // the number of k in 1..=4 with 5(2b+e) ≥ 2N·k.
    let five_times = (lit(2.0) * average_rank - lit(1.0)).cast(DataType::Int64) * lit(5i64);
    let twice_customers = lit(2i64) * len().cast(DataType::Int64);
    (1..=4i64).fold(lit(1u32), |score, k| {
        let reached = five_times.clone().gt_eq(twice_customers.clone() * lit(k));
        score + reached.cast(DataType::UInt32)
    })
}

fn frequency_score() -> Expr {
    let orders = col(col::ORDERS).cast(DataType::UInt32);
    // Score 1, raised to each score whose break the orders reach.
    let mut score = lit(1u32);
    for (s, min_orders) in (1u32..).zip(FREQUENCY_MIN_ORDERS).skip(1) {
        score = when(orders.clone().gt_eq(lit(min_orders)))
            .then(lit(s))
            .otherwise(score);
    }
    score.cast(DataType::UInt32)
}

fn in_range(column: &str, range: &RangeInclusive<u8>) -> Expr {
    col(column)
        .gt_eq(lit(*range.start()))
        .and(col(column).lt_eq(lit(*range.end())))
}

fn group_expr() -> Expr {
    let member = |g: &Group| {
        in_range(rfm_col::RECENCY_SCORE, &g.recency)
            .and(in_range(rfm_col::FREQUENCY_SCORE, &g.frequency))
            .and(in_range(rfm_col::MONETARY_SCORE, &g.monetary))
    };
    // Built from the last row up, so that the first row that matches wins.
    // The innermost "none" is unreachable for scores 1–5 (a test covers
    // all 125 combinations).
    let mut expr = lit(NULL).cast(DataType::String);
    for g in GROUPS.iter().rev() {
        expr = when(member(g)).then(lit(g.name)).otherwise(expr);
    }
    expr
}

/// The customers table with the RFM columns added. Scores rank each
/// customer among all rows of `customers`, so pass the whole table.
pub fn with_rfm(customers: LazyFrame) -> LazyFrame {
    customers
        .with_columns([
            rank_quintile(col::DAYS_SINCE_LAST_ORDER, true).alias(rfm_col::RECENCY_SCORE),
            frequency_score().alias(rfm_col::FREQUENCY_SCORE),
            rank_quintile(col::REVENUE, false).alias(rfm_col::MONETARY_SCORE),
        ])
        .with_columns([
            concat_str(
                [
                    col(rfm_col::RECENCY_SCORE).cast(DataType::String),
                    col(rfm_col::FREQUENCY_SCORE).cast(DataType::String),
                    col(rfm_col::MONETARY_SCORE).cast(DataType::String),
                ],
                "",
                false,
            )
            .alias(rfm_col::RFM_SCORE),
            group_expr().alias(rfm_col::RFM_GROUP),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A customers table of just the columns RFM reads.
    fn customers(rows: &[(u32, i64, i32)]) -> DataFrame {
        df![
            col::ORDERS => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            col::REVENUE => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            col::DAYS_SINCE_LAST_ORDER => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        ]
        .unwrap()
    }

    fn scored(rows: &[(u32, i64, i32)]) -> DataFrame {
        with_rfm(customers(rows).lazy()).collect().unwrap()
    }

    fn scores(frame: &DataFrame, name: &str) -> Vec<u32> {
        frame
            .column(name)
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    fn strings(frame: &DataFrame, name: &str) -> Vec<String> {
        frame
            .column(name)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|s| s.unwrap_or("<null>").to_string())
            .collect()
    }

    #[test]
    fn distinct_values_make_equal_quintiles() {
        // Ten customers, revenue 1..=10 and days 10..=1: two per score.
        let rows: Vec<_> = (1..=10).map(|i| (1, i as i64, 11 - i)).collect();
        let t = scored(&rows);
        assert_eq!(
            scores(&t, rfm_col::MONETARY_SCORE),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        // The fewest days since the last order is the best recency.
        assert_eq!(
            scores(&t, rfm_col::RECENCY_SCORE),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
    }

    #[test]
    fn ties_share_the_score_of_the_middle_of_their_run() {
        // Revenue: 6 customers tie at 10 (b = 0, e = 6 of N = 10: 5·6/20 =
        // 1.5, score 2), then 20, 30, 40, 50 (b = 6..9: 5·13/20 = 3.25 → 4,
        // 3.75 → 4, 4.25 → 5, 4.75 → 5).
        let mut rows = vec![(1, 10, 5); 6];
        rows.extend([(1, 20, 5), (1, 30, 5), (1, 40, 5), (1, 50, 5)]);
        let t = scored(&rows);
        assert_eq!(
            scores(&t, rfm_col::MONETARY_SCORE),
            [2, 2, 2, 2, 2, 2, 4, 4, 5, 5]
        );
        // All bought the same day: one run, the middle score.
        assert_eq!(scores(&t, rfm_col::RECENCY_SCORE), [3; 10]);
    }

    #[test]
    fn a_single_customer_scores_in_the_middle() {
        let t = scored(&[(1, 100, 3)]);
        assert_eq!(strings(&t, rfm_col::RFM_SCORE), ["313"]);
        assert_eq!(strings(&t, rfm_col::RFM_GROUP), ["needs_attention"]);
    }

    #[test]
    fn frequency_follows_the_fixed_breaks() {
        let rows: Vec<_> = [1, 2, 3, 4, 5, 6, 40].map(|o| (o, 100, 1)).to_vec();
        let t = scored(&rows);
        assert_eq!(scores(&t, rfm_col::FREQUENCY_SCORE), [1, 2, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn score_and_group_columns() {
        // Five customers, so each is its own quintile on R and M.
        let t = scored(&[
            (6, 500, 1),   // R5 F5 M5
            (1, 100, 2),   // R4 F1 M1
            (2, 300, 3),   // R3 F2 M3
            (3, 400, 400), // R1 F3 M4
            (2, 200, 300), // R2 F2 M2
        ]);
        assert_eq!(
            strings(&t, rfm_col::RFM_SCORE),
            ["555", "411", "323", "134", "222"]
        );
        assert_eq!(
            strings(&t, rfm_col::RFM_GROUP),
            [
                "champions",
                "promising",
                "needs_attention",
                "cant_lose",
                "at_risk"
            ]
        );
    }

    #[test]
    fn every_score_combination_has_one_group_and_the_column_agrees() {
        let mut recency = Vec::new();
        let mut frequency = Vec::new();
        let mut monetary = Vec::new();
        for r in 1..=5u32 {
            for f in 1..=5u32 {
                for m in 1..=5u32 {
                    assert!(
                        group_of(r as u8, f as u8, m as u8).is_some(),
                        "{r}{f}{m} has no group"
                    );
                    recency.push(r);
                    frequency.push(f);
                    monetary.push(m);
                }
            }
        }
        let scores = df![
            rfm_col::RECENCY_SCORE => recency.clone(),
            rfm_col::FREQUENCY_SCORE => frequency.clone(),
            rfm_col::MONETARY_SCORE => monetary.clone(),
        ]
        .unwrap();
        let grouped = scores
            .lazy()
            .with_column(group_expr().alias(rfm_col::RFM_GROUP))
            .collect()
            .unwrap();
        let names = strings(&grouped, rfm_col::RFM_GROUP);
        for (i, name) in names.iter().enumerate() {
            let want = group_of(recency[i] as u8, frequency[i] as u8, monetary[i] as u8)
                .unwrap()
                .name;
            assert_eq!(name, want);
        }
        // Every group is reachable.
        for g in &GROUPS {
            assert!(
                names.iter().any(|n| n == g.name),
                "{} is never chosen",
                g.name
            );
        }
    }

    #[test]
    fn the_docs_table_is_this_table() {
        let docs = include_str!("../docs/rfm-and-prediction.md");
        let range = |r: &RangeInclusive<u8>| {
            if r.start() == r.end() {
                r.start().to_string()
            } else {
                format!("{}–{}", r.start(), r.end())
            }
        };
        for g in &GROUPS {
            let row = format!(
                "| `{}` | {} | {} | {} | {} |",
                g.name,
                range(&g.recency),
                range(&g.frequency),
                range(&g.monetary),
                g.meaning
            );
            assert!(docs.contains(&row), "docs lack the row\n{row}");
        }
    }
}
