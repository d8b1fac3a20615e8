//! Probability still a customer and predicted value (docs/rfm-and-prediction.md):
//! purchase histories from the orders table, the BG/NBD and Gamma-Gamma
//! models fitted on them, and each customer's prediction columns.
//!
//! The numerics live in [`crate::clv_model`]; this module only turns tables
//! into the plain numbers it takes and its answers back into columns.

use crate::clv_model::{FitError, bgnbd, gamma_gamma};
#[cfg(test)]
use crate::customers::attributed_valid_orders;
use crate::customers::field as customer;
#[cfg(test)]
use crate::model::col as order;
use crate::model::epoch_days;
use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

/// Columns this module adds to the customers table.
pub mod pred_col {
    /// Float64, 0–1: probability that the customer is still a customer.
    pub const P_ALIVE: &str = "p_alive";
    /// Date: first date by which the chance of a next order reaches one
    /// half; null when not within the horizon.
    pub const EXPECTED_NEXT_ORDER: &str = "expected_next_order";

    /// Float64: expected orders in the next `horizon_days`.
    pub fn expected_orders(horizon_days: u32) -> String {
        format!("expected_orders_{horizon_days}d")
    }

    /// Int64, cents: expected revenue in the next `horizon_days`.
    pub fn predicted_revenue(horizon_days: u32) -> String {
        format!("predicted_revenue_{horizon_days}d")
    }
}

use crate::customers::history_col as hist;

#[cfg(test)]
const DAY_NET: &str = "day_net_cents";

/// One row per customer with a valid order on or before `as_of`, sorted by
/// customer: the (x, tₓ, T) of BG/NBD and the mean repeat value of
/// Gamma-Gamma, in days and major currency units.
///
/// This query is the definition; goldpan computes the same table in one
/// pass over the orders with the customers table
/// ([`crate::customers::customers_and_histories`]), and a test checks that
/// both agree.
#[cfg(test)]
pub fn histories(orders: LazyFrame, as_of: NaiveDate) -> LazyFrame {
    let as_of_days = epoch_days(as_of);
    let date = || col(order::DATE).cast(DataType::Int32);
    attributed_valid_orders(orders)
        .filter(date().lt_eq(lit(as_of_days)))
        // Several orders on one day are one purchase, worth their sum.
        .group_by([col(order::CUSTOMER), date().alias(order::DATE)])
        .agg([col(order::NET).sum().alias(DAY_NET)])
        .sort(
            [order::CUSTOMER, order::DATE],
            SortMultipleOptions::default(),
        )
        .group_by_stable([col(order::CUSTOMER)])
        .agg([
            (len() - lit(1)).cast(DataType::UInt32).alias(hist::X),
            (col(order::DATE).last() - col(order::DATE).first()).alias(hist::T_X),
            (lit(as_of_days) - col(order::DATE).first()).alias(hist::AGE),
            (col(DAY_NET).sum() - col(DAY_NET).first()).alias(DAY_NET),
        ])
        .with_column(
            when(col(hist::X).gt(lit(0u32)))
                .then(
                    col(DAY_NET).cast(DataType::Float64)
                        / lit(100.0)
                        / col(hist::X).cast(DataType::Float64),
                )
                .otherwise(lit(0.0))
                .alias(hist::REPEAT_MEAN_VALUE),
        )
        .select([
            col(order::CUSTOMER).alias(hist::CUSTOMER),
            col(hist::X),
            col(hist::T_X).cast(DataType::Int32),
            col(hist::AGE).cast(DataType::Int32),
            col(hist::REPEAT_MEAN_VALUE),
        ])
}

/// The fitted models. Gamma-Gamma may fail where BG/NBD fits (then there
/// are orders and P(alive) but no predicted revenue).
pub struct Models {
    pub bgnbd: bgnbd::Fit,
    pub gamma_gamma: Result<gamma_gamma::Fit, FitError>,
    /// The unique histories and their counts, kept for the predictions.
    unique_histories: Vec<(bgnbd::History, u64)>,
}

/// The fitted parameters as `summary --json` shows them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ModelReport {
    pub time_unit: &'static str,
    pub bgnbd: bgnbd::Params,
    pub gamma_gamma: Option<gamma_gamma::Params>,
    pub repeat_customers_fitted: u64,
}

impl Models {
    pub fn report(&self) -> ModelReport {
        ModelReport {
            time_unit: "days",
            bgnbd: self.bgnbd.params,
            gamma_gamma: self.gamma_gamma.as_ref().ok().map(|fit| fit.params),
            repeat_customers_fitted: self.bgnbd.repeat_customers,
        }
    }
}

fn column_values<'a, T: PolarsNumericType>(
    frame: &'a DataFrame,
    name: &str,
) -> PolarsResult<impl Iterator<Item = T::Native> + 'a> {
    let values: &ChunkedArray<T> = frame.column(name)?.as_materialized_series().unpack()?;
    Ok(values.into_no_null_iter())
}

/// Fits both models on a histories table (from [`histories`]).
pub fn fit(histories: &DataFrame) -> PolarsResult<Result<Models, FitError>> {
    let x = column_values::<UInt32Type>(histories, hist::X)?;
    let t_x = column_values::<Int32Type>(histories, hist::T_X)?;
    let age = column_values::<Int32Type>(histories, hist::AGE)?;
    let unique_histories =
        bgnbd::aggregate(x.zip(t_x).zip(age).map(|((x, t_x), age)| bgnbd::History {
            x,
            t_x: t_x as f64,
            age: age as f64,
        }));
    let bgnbd = match bgnbd::fit(&unique_histories) {
        Ok(fit) => fit,
        Err(why) => return Ok(Err(why)),
    };
    let x = column_values::<UInt32Type>(histories, hist::X)?;
    let mean = column_values::<Float64Type>(histories, hist::REPEAT_MEAN_VALUE)?;
    let mut spend: Vec<(gamma_gamma::Spend, u64)> = x
        .zip(mean)
        .filter(|(x, _)| *x > 0)
        .map(|(x, mean_value)| (gamma_gamma::Spend { x, mean_value }, 1))
        .collect();
    // Customers with the same spend count once, with their number.
    spend.sort_by(|(a, _), (b, _)| {
        (a.x, a.mean_value)
            .partial_cmp(&(b.x, b.mean_value))
            .unwrap()
    });
    spend.dedup_by(|(later, n_later), (kept, n_kept)| {
        let same = later == kept;
        if same {
            *n_kept += *n_later;
        }
        same
    });
    Ok(Ok(Models {
        bgnbd,
        gamma_gamma: gamma_gamma::fit(&spend),
        unique_histories,
    }))
}

const NEXT_ORDER_IN_DAYS: &str = "next_order_in_days";

/// One row per customer of `histories` with the prediction columns
/// ([`pred_col`]) over the next `horizon_days`.
pub fn predictions(
    histories: &DataFrame,
    models: &Models,
    horizon_days: u32,
    as_of: NaiveDate,
) -> PolarsResult<DataFrame> {
    let horizon = horizon_days as f64;
    let params = models.bgnbd.params;
    // Computed once per unique history (side by side: a large store has
    // hundreds of thousands), then joined to its customers.
    let unique = &models.unique_histories;
    let p_alive: Vec<f64> = unique.par_iter().map(|(h, _)| params.p_alive(h)).collect();
    let expected: Vec<Option<f64>> = unique
        .par_iter()
        .map(|(h, _)| params.expected_purchases(h, horizon))
        .collect();
    let next_in_days: Vec<Option<i32>> = unique
        .par_iter()
        .map(|(h, _)| {
            params
                .time_to_even_odds_of_next_purchase(h)
                .filter(|days| *days <= horizon)
                .map(|days| days.ceil() as i32)
        })
        .collect();
    let by_history = df![
        hist::X => unique.iter().map(|(h, _)| h.x).collect::<Vec<_>>(),
        hist::T_X => unique.iter().map(|(h, _)| h.t_x as i32).collect::<Vec<_>>(),
        hist::AGE => unique.iter().map(|(h, _)| h.age as i32).collect::<Vec<_>>(),
        pred_col::P_ALIVE => p_alive,
        pred_col::expected_orders(horizon_days) => expected,
        NEXT_ORDER_IN_DAYS => next_in_days,
    ]?;
    let expected_orders = pred_col::expected_orders(horizon_days);
    let mut out = histories
        .clone()
        .lazy()
        .join(
            by_history.lazy(),
            [col(hist::X), col(hist::T_X), col(hist::AGE)],
            [col(hist::X), col(hist::T_X), col(hist::AGE)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            (lit(epoch_days(as_of)) + col(NEXT_ORDER_IN_DAYS))
                .cast(DataType::Date)
                .alias(pred_col::EXPECTED_NEXT_ORDER),
        )
        .collect()?;
    // Expected orders × Gamma-Gamma's expected order value, in cents
    // (rounded half up: the values are never negative).
    let revenue: Vec<Option<i64>> = match &models.gamma_gamma {
        Ok(fit) => column_values::<UInt32Type>(&out, hist::X)?
            .zip(column_values::<Float64Type>(&out, hist::REPEAT_MEAN_VALUE)?)
            .zip(out.column(&expected_orders)?.f64()?.iter())
            .map(|((x, mean), orders)| {
                let value = fit.params.expected_order_value(x, mean);
                orders.map(|orders| (orders * value * 100.0 + 0.5) as i64)
            })
            .collect(),
        Err(_) => vec![None; out.height()],
    };
    out.with_column(Column::new(
        pred_col::predicted_revenue(horizon_days).into(),
        revenue,
    ))?;
    out.select([
        hist::CUSTOMER.to_string(),
        pred_col::P_ALIVE.to_string(),
        expected_orders,
        pred_col::predicted_revenue(horizon_days),
        pred_col::EXPECTED_NEXT_ORDER.to_string(),
    ])
}

/// A customer whose P(alive) is at least this is counted as likely still a
/// customer in the report.
pub const LIKELY_ALIVE: f64 = 0.5;

/// The store's outlook over the horizon, from a [`predictions`] table.
#[derive(Debug)]
pub struct Outlook {
    /// Customers with a prediction.
    pub customers: u64,
    /// Of them, those with a repeat purchase day (x > 0). BG/NBD gives every
    /// one-time customer P(alive) = 1 (nothing to judge them by), so only
    /// repeat customers are counted and charted by P(alive).
    pub repeat_customers: u64,
    /// Repeat customers with P(alive) ≥ [`LIKELY_ALIVE`].
    pub likely_alive: u64,
    /// Expected orders of all customers over the horizon.
    pub expected_orders: f64,
    /// Their predicted revenue (the `summary` figure); None without a spend
    /// model.
    pub predicted_revenue_cents: Option<i64>,
    /// Repeat customers' P(alive) in percent, in [`crate::histogram`] bins
    /// a tenth wide: [0, 10), …, [90, 100] (100 counts in the last bin).
    pub p_alive_bins: DataFrame,
}

/// Sums and the P(alive) distribution of the predictions of `histories`.
pub fn outlook(
    histories: &DataFrame,
    predictions: &DataFrame,
    models: &Models,
    horizon_days: u32,
) -> PolarsResult<Outlook> {
    let repeat = predictions
        .clone()
        .lazy()
        .join(
            histories
                .clone()
                .lazy()
                .select([col(hist::CUSTOMER), col(hist::X)]),
            [col(hist::CUSTOMER)],
            [col(hist::CUSTOMER)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(hist::X).gt(lit(0u32)))
        .select([col(pred_col::P_ALIVE)])
        .collect()?;
    let p_alive: Vec<f64> = column_values::<Float64Type>(&repeat, pred_col::P_ALIVE)?.collect();
    let percent: Vec<i64> = p_alive
        .iter()
        .map(|p| ((p * 100.0).floor() as i64).clamp(0, 99))
        .collect();
    let likely_alive = p_alive.iter().filter(|&&p| p >= LIKELY_ALIVE).count();
    let expected_orders = predictions
        .column(&pred_col::expected_orders(horizon_days))?
        .f64()?
        .sum()
        .unwrap_or(0.0);
    let revenue = predictions
        .column(&pred_col::predicted_revenue(horizon_days))?
        .i64()?
        .sum();
    Ok(Outlook {
        customers: predictions.height() as u64,
        repeat_customers: p_alive.len() as u64,
        likely_alive: likely_alive as u64,
        expected_orders,
        predicted_revenue_cents: if models.gamma_gamma.is_ok() {
            revenue
        } else {
            None
        },
        p_alive_bins: crate::histogram::bins(&percent, 10, 99)?,
    })
}

/// The customers table with the prediction columns joined on; when there
/// are no predictions (no model could be fitted) the columns are there,
/// empty, so every output has the same header.
pub fn with_predictions(
    customers: LazyFrame,
    predictions: Option<DataFrame>,
    horizon_days: u32,
) -> LazyFrame {
    match predictions {
        Some(predictions) => customers.join(
            predictions.lazy(),
            [col(customer::CUSTOMER)],
            [col(hist::CUSTOMER)],
            // The customers table's order (the lists' order) is kept.
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        ),
        None => customers.with_columns([
            lit(NULL).cast(DataType::Float64).alias(pred_col::P_ALIVE),
            lit(NULL)
                .cast(DataType::Float64)
                .alias(pred_col::expected_orders(horizon_days)),
            lit(NULL)
                .cast(DataType::Int64)
                .alias(pred_col::predicted_revenue(horizon_days)),
            lit(NULL)
                .cast(DataType::Date)
                .alias(pred_col::EXPECTED_NEXT_ORDER),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Exclusion, Order, OrdersBuilder};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn orders(rows: &[(&str, &str, &str, i64)]) -> DataFrame {
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for (id, email, day, cents) in rows {
            builder
                .push(Order {
                    id: id.to_string(),
                    email: Some(email.to_string()),
                    date: date(day),
                    quantity: 1,
                    total_cents: *cents,
                    ..Order::default()
                })
                .unwrap();
        }
        builder.finish().unwrap().orders
    }

    /// The histories goldpan computes (with the customers table).
    fn computed_histories(orders: &DataFrame, as_of: NaiveDate) -> DataFrame {
        crate::customers::customers_and_histories(orders, None, as_of)
            .unwrap()
            .1
    }

    #[test]
    fn the_computed_histories_are_the_query_s() {
        // Orders of 300 customers over two years, several on some days, in
        // no order of time, some cancelled, some without a customer, some
        // after the as-of date: a pseudo-random but fixed set.
        let mut state: u64 = 42;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % below
        };
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for n in 0..5_000 {
            let day = date("2024-01-01") + chrono::Days::new(next(760));
            builder
                .push(Order {
                    id: format!("#{n}"),
                    email: (next(20) > 0).then(|| format!("c{}@x.com", next(300))),
                    date: day,
                    time_of_day: (next(3) > 0).then(|| next(86_400) as u32),
                    quantity: 1,
                    total_cents: next(20_000) as i64 - 1_000,
                    excluded: (next(15) == 0).then_some(Exclusion::Cancelled),
                    ..Order::default()
                })
                .unwrap();
        }
        let orders = builder.finish().unwrap().orders;
        for as_of in ["2025-12-31", "2025-06-30", "2024-01-01"] {
            let expected = histories(orders.clone().lazy(), date(as_of))
                .collect()
                .unwrap();
            let computed = computed_histories(&orders, date(as_of));
            assert!(expected.height() > 0);
            assert!(
                computed.equals_missing(&expected),
                "as of {as_of}:\n{computed}\n{expected}"
            );
        }
    }

    #[test]
    fn histories_count_one_purchase_per_day_and_leave_out_the_first_day_value() {
        let orders = orders(&[
            ("#1", "a@x.com", "2025-01-01", 1000),
            ("#2", "a@x.com", "2025-01-01", 500), // same day: one purchase of 15.00
            ("#3", "a@x.com", "2025-01-11", 2000),
            ("#4", "a@x.com", "2025-01-21", 4000),
            ("#5", "b@x.com", "2025-01-31", 700),
            ("#6", "b@x.com", "2025-03-01", 900), // after the as-of date
        ]);
        let t = computed_histories(&orders, date("2025-01-31"));
        let customers: Vec<_> = t
            .column(hist::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(customers, ["a@x.com", "b@x.com"]);
        let x: Vec<_> = column_values::<UInt32Type>(&t, hist::X).unwrap().collect();
        let t_x: Vec<_> = column_values::<Int32Type>(&t, hist::T_X).unwrap().collect();
        let age: Vec<_> = column_values::<Int32Type>(&t, hist::AGE).unwrap().collect();
        let mean: Vec<_> = column_values::<Float64Type>(&t, hist::REPEAT_MEAN_VALUE)
            .unwrap()
            .collect();
        assert_eq!(x, [2, 0]);
        assert_eq!(t_x, [20, 0]);
        assert_eq!(age, [30, 0]);
        // (20.00 + 40.00) / 2: the first day's 15.00 left out.
        assert_eq!(mean, [30.0, 0.0]);
    }

    #[test]
    fn excluded_orders_are_not_purchases() {
        let mut frame = orders(&[("#1", "a@x.com", "2025-01-01", 1000)]);
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        builder
            .push(Order {
                id: "#2".into(),
                email: Some("a@x.com".into()),
                date: date("2025-01-05"),
                total_cents: 100,
                excluded: Some(Exclusion::Cancelled),
                ..Order::default()
            })
            .unwrap();
        frame.vstack_mut(&builder.finish().unwrap().orders).unwrap();
        let t = computed_histories(&frame, date("2025-01-31"));
        let x: Vec<_> = column_values::<UInt32Type>(&t, hist::X).unwrap().collect();
        assert_eq!(x, [0]);
    }

    #[test]
    fn too_few_repeat_customers_give_no_models_and_empty_columns() {
        let orders = orders(&[
            ("#1", "a@x.com", "2025-01-01", 1000),
            ("#2", "a@x.com", "2025-01-05", 1000),
            ("#3", "b@x.com", "2025-01-03", 1000),
        ]);
        let t = computed_histories(&orders, date("2025-01-31"));
        let Err(why) = fit(&t).unwrap() else {
            panic!("fitted on one repeat customer");
        };
        assert!(
            why.to_string()
                .starts_with("1 repeat customer(s), at least 30"),
            "{why}"
        );
        let customers = df![customer::CUSTOMER => ["a@x.com", "b@x.com"]].unwrap();
        let out = with_predictions(customers.lazy(), None, 365)
            .collect()
            .unwrap();
        for name in [
            pred_col::P_ALIVE.to_string(),
            pred_col::expected_orders(365),
            pred_col::predicted_revenue(365),
            pred_col::EXPECTED_NEXT_ORDER.to_string(),
        ] {
            assert_eq!(out.column(&name).unwrap().null_count(), 2, "{name}");
        }
    }

    /// The CDNOW fixture as an orders table, through histories, fit and
    /// predictions: the numbers `lifetimes` gives at its own fit
    /// (fixtures/cdnow_reference.py), to the precision two optimisers agree.
    #[test]
    fn cdnow_predictions_match_lifetimes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cdnow_sample.csv");
        let mut builder = OrdersBuilder::default();
        builder.start_file("test.csv");
        for row in csv::Reader::from_path(path).unwrap().records() {
            let row = row.unwrap();
            let cents = (row[3].parse::<f64>().unwrap() * 100.0).round() as i64;
            builder
                .push(Order {
                    id: row[0].to_string(),
                    customer_id: Some(row[2].to_string()),
                    date: date(&row[1]),
                    quantity: row[4].parse().unwrap(),
                    total_cents: cents,
                    ..Order::default()
                })
                .unwrap();
        }
        let as_of = date("1997-09-30");
        let histories = histories(builder.finish().unwrap().orders.lazy(), as_of)
            .collect()
            .unwrap();
        let models = fit(&histories).unwrap().unwrap();
        let report = models.report();
        assert_eq!(report.repeat_customers_fitted, 946);
        assert!((report.bgnbd.alpha - 30.895).abs() < 1e-3, "{report:?}");
        assert!(
            (report.gamma_gamma.unwrap().gamma - 15.4435).abs() < 1e-3,
            "{report:?}"
        );
        let out = predictions(&histories, &models, 365, as_of).unwrap();
        assert_eq!(out.height(), 2357);
        // (customer, P(alive), expected purchases in 365 days, expected order value)
        let lifetimes = [
            (
                "id:0001",
                0.7266202977882545,
                1.5621896762588914,
                24.6539187132351,
            ),
            (
                "id:0100",
                0.6469924176400724,
                0.8031293530399989,
                28.950974468657755,
            ),
            (
                "id:1000",
                0.6802677040516631,
                2.9654776150677375,
                18.13056976939726,
            ),
            ("id:2000", 1.0, 0.316921889761335, 35.17037133045394),
            (
                "id:0157",
                0.9692212746052579,
                25.11534630913531,
                26.394263503099893,
            ),
        ];
        let customers: Vec<&str> = out
            .column(hist::CUSTOMER)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(Option::unwrap)
            .collect();
        let p_alive: Vec<f64> = column_values::<Float64Type>(&out, pred_col::P_ALIVE)
            .unwrap()
            .collect();
        let expected: Vec<f64> =
            column_values::<Float64Type>(&out, &pred_col::expected_orders(365))
                .unwrap()
                .collect();
        let revenue: Vec<i64> = column_values::<Int64Type>(&out, &pred_col::predicted_revenue(365))
            .unwrap()
            .collect();
        let close = |got: f64, want: f64| ((got - want) / want).abs() < 1e-4;
        for (id, alive, orders, value) in lifetimes {
            let i = customers.iter().position(|c| *c == id).unwrap();
            assert!(close(p_alive[i], alive), "{id}: P(alive) {}", p_alive[i]);
            assert!(close(expected[i], orders), "{id}: orders {}", expected[i]);
            // Whole cents: lifetimes' value within half a cent plus the
            // 1e-4 the two fits agree to.
            let cents = orders * value * 100.0;
            assert!(
                (revenue[i] as f64 - cents).abs() <= 0.5 + 1e-4 * cents,
                "{id}: revenue {} cents",
                revenue[i]
            );
        }
        // Customer 0001 (x = 2, T = 272 days, P(alive) 0.73) has even odds of
        // a next order within the horizon; 0002 (P(alive) 0.21) has none.
        let next = out.column(pred_col::EXPECTED_NEXT_ORDER).unwrap();
        let at = |id: &str| {
            next.get(customers.iter().position(|c| *c == id).unwrap())
                .unwrap()
        };
        assert!(
            matches!(at("id:0001"), AnyValue::Date(_)),
            "{:?}",
            at("id:0001")
        );
        assert_eq!(at("id:0002"), AnyValue::Null);
    }
}
