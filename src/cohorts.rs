//! Cohort retention: customers grouped by the period (month or quarter) of
//! their first order, and what each group did in the periods after it.
//!
//! Over the attributed valid orders. For a cohort (say 2024-01, the
//! customers whose first order was in January 2024) and a period number k:
//! - `active_customers`: how many of them ordered in period k after their
//!   first (k = 0 is the first order's own period, so it is every one);
//! - `retention`: active_customers / the cohort's customers;
//! - `cumulative_revenue_per_customer_cents`: their revenue from period 0
//!   to k, divided by the cohort's customers (what a customer of that
//!   cohort has spent on average by then).
//!
//! A cohort has a row for every k up to the latest period (that of the
//! as-of date, or of the newest order if later), so the table is a
//! triangle; that latest period may not be over yet.

use crate::calendar::Period;
use crate::customers::attributed_valid_orders;
use crate::frame::i64s;
use crate::model::col as order;
use chrono::NaiveDate;
use polars::prelude::*;

/// Column names of the cohorts tables.
pub mod col {
    /// String: `2024-01` or `2024-Q1`; `all` in the overall table.
    pub const COHORT: &str = "cohort";
    /// UInt64: customers whose first order was in the cohort's period (in
    /// the overall table: of the cohorts that have reached this period).
    pub const CUSTOMERS: &str = "customers";
    /// UInt32: periods since the cohort's own.
    pub const PERIOD: &str = "period";
    /// UInt64: of those customers, how many ordered in this period.
    pub const ACTIVE_CUSTOMERS: &str = "active_customers";
    /// Float64: active_customers / customers.
    pub const RETENTION: &str = "retention";
    /// Int64, cents: their revenue in this period.
    pub const REVENUE: &str = "revenue_cents";
    /// Int64, cents: their revenue from period 0 to this one, per customer,
    /// rounded to the cent.
    pub const CUMULATIVE_REVENUE_PER_CUSTOMER: &str = "cumulative_revenue_per_customer_cents";
}

/// The cohort triangle and its overall line.
#[derive(Debug)]
pub struct Cohorts {
    pub period: Period,
    /// One row per (cohort, period) for cohorts with customers, oldest
    /// cohort first, periods ascending.
    pub cells: DataFrame,
    /// One row per period number: every cohort that has reached it, taken
    /// together (cohort `all`).
    pub overall: DataFrame,
}

const PERIOD_INDEX: &str = "period_index";
const FIRST: &str = "first_period";

/// Cohorts of the orders table by `period`, up to the as-of date.
pub fn cohorts(orders: &DataFrame, period: Period, as_of: NaiveDate) -> PolarsResult<Cohorts> {
    let mut valid = attributed_valid_orders(orders.clone().lazy())
        .select([col(order::CUSTOMER), col(order::DATE), col(order::NET)])
        .collect()?;
    let index = period.of_dates(valid.column(order::DATE)?, PERIOD_INDEX)?;
    valid.with_column(index)?;
    let groups = valid
        .lazy()
        .with_column(
            col(PERIOD_INDEX)
                .min()
                .over([col(order::CUSTOMER)])?
                .alias(FIRST),
        )
        .group_by([
            col(FIRST),
            (col(PERIOD_INDEX) - col(FIRST)).alias(col::PERIOD),
        ])
        .agg([
            col(order::CUSTOMER).n_unique().alias(col::ACTIVE_CUSTOMERS),
            col(order::NET).sum().alias(col::REVENUE),
        ])
        .collect()?;

    let first = i64s(&groups, FIRST)?;
    let k = i64s(&groups, col::PERIOD)?;
    let active = i64s(&groups, col::ACTIVE_CUSTOMERS)?;
    let revenue = i64s(&groups, col::REVENUE)?;
    let (Some(&oldest), Some(&newest)) = (first.iter().min(), first.iter().max()) else {
        return Ok(Cohorts {
            period,
            cells: Cells::default().frame()?,
            overall: Cells::default().frame()?,
        });
    };
    let latest = (period.index(as_of) as i64).max(
        (0..groups.height())
            .map(|g| first[g] + k[g])
            .max()
            .unwrap_or(newest),
    );
    // grid[cohort][k] = (active customers, revenue).
    let mut grid: Vec<Vec<(i64, i64)>> = (oldest..=newest)
        .map(|c| vec![(0, 0); (latest - c + 1) as usize])
        .collect();
    for g in 0..groups.height() {
        grid[(first[g] - oldest) as usize][k[g] as usize] = (active[g], revenue[g]);
    }

    let mut cells = Cells::default();
    // Per period number: customers of the cohorts that reached it, their
    // active customers, their revenue up to it.
    let mut overall = vec![(0i64, 0i64, 0i64); (latest - oldest + 1) as usize];
    for (c, row) in (oldest..).zip(&grid) {
        let customers = row[0].0;
        if customers == 0 {
            continue; // no first order in this period: no cohort
        }
        let mut cumulative = 0;
        for (k, &(active, revenue)) in row.iter().enumerate() {
            cumulative += revenue;
            cells.push(
                period.label(c as i32),
                customers,
                k,
                active,
                revenue,
                cumulative,
            );
            let all = &mut overall[k];
            all.0 += customers;
            all.1 += active;
            all.2 += cumulative;
        }
    }
    let mut all = Cells::default();
    let mut revenue_before = 0;
    for (k, &(customers, active, cumulative)) in overall.iter().enumerate() {
        // Revenue in period k alone is not meaningful across cohorts of
        // different sizes; keep the column for a uniform table.
        all.push(
            "all".into(),
            customers,
            k,
            active,
            cumulative - revenue_before,
            cumulative,
        );
        revenue_before = cumulative;
    }
    Ok(Cohorts {
        period,
        cells: cells.frame()?,
        overall: all.frame()?,
    })
}

/// Rows of a cohorts table, built column by column.
#[derive(Default)]
struct Cells {
    cohort: Vec<String>,
    customers: Vec<u64>,
    period: Vec<u32>,
    active: Vec<u64>,
    revenue: Vec<i64>,
    cumulative_per_customer: Vec<i64>,
}

impl Cells {
    fn push(
        &mut self,
        cohort: String,
        customers: i64,
        k: usize,
        active: i64,
        revenue: i64,
        cumulative: i64,
    ) {
        self.cohort.push(cohort);
        self.customers.push(customers as u64);
        self.period.push(k as u32);
        self.active.push(active as u64);
        self.revenue.push(revenue);
        // Rounded half away from zero, like every money figure.
        self.cumulative_per_customer
            .push((cumulative as f64 / customers as f64).round() as i64);
    }

    fn frame(self) -> PolarsResult<DataFrame> {
        let retention: Vec<f64> = self
            .active
            .iter()
            .zip(&self.customers)
            .map(|(&a, &n)| a as f64 / n as f64)
            .collect();
        DataFrame::new(
            self.cohort.len(),
            vec![
                Column::new(col::COHORT.into(), self.cohort),
                Column::new(col::CUSTOMERS.into(), self.customers),
                Column::new(col::PERIOD.into(), self.period),
                Column::new(col::ACTIVE_CUSTOMERS.into(), self.active),
                Column::new(col::RETENTION.into(), retention),
                Column::new(col::REVENUE.into(), self.revenue),
                Column::new(
                    col::CUMULATIVE_REVENUE_PER_CUSTOMER.into(),
                    self.cumulative_per_customer,
                ),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::orders_with;

    fn strings(frame: &DataFrame, name: &str) -> Vec<String> {
        let column = frame.column(name).unwrap().str().unwrap().clone();
        column.iter().map(|s| s.unwrap().to_string()).collect()
    }

    fn floats(frame: &DataFrame, name: &str) -> Vec<f64> {
        let column = frame.column(name).unwrap().f64().unwrap().clone();
        column.iter().map(|v| v.unwrap()).collect()
    }

    /// a: Jan, Feb, Apr. b: Jan only. c: Mar, Apr. d: cancelled in Feb.
    fn table() -> DataFrame {
        orders_with(
            &[
                ("#1", Some("a"), (2024, 1, 3), 1000),
                ("#2", Some("a"), (2024, 2, 3), 500),
                ("#3", Some("a"), (2024, 4, 3), 500),
                ("#4", Some("b"), (2024, 1, 9), 2000),
                ("#5", Some("c"), (2024, 3, 1), 300),
                ("#6", Some("c"), (2024, 4, 1), 300),
                ("#7", Some("d"), (2024, 2, 1), 9999),
                ("#8", None, (2024, 2, 1), 9999),
            ],
            &["#7"],
        )
    }

    #[test]
    fn monthly_cohorts_up_to_the_as_of_month() {
        let as_of = NaiveDate::from_ymd_opt(2024, 4, 30).unwrap();
        let c = cohorts(&table(), Period::Month, as_of).unwrap();
        let t = &c.cells;
        // Two cohorts with customers (Jan: a, b; Mar: c); Feb has none.
        assert_eq!(
            strings(t, col::COHORT),
            [
                "2024-01", "2024-01", "2024-01", "2024-01", "2024-03", "2024-03"
            ]
        );
        assert_eq!(i64s(t, col::PERIOD).unwrap(), [0, 1, 2, 3, 0, 1]);
        assert_eq!(i64s(t, col::CUSTOMERS).unwrap(), [2, 2, 2, 2, 1, 1]);
        assert_eq!(i64s(t, col::ACTIVE_CUSTOMERS).unwrap(), [2, 1, 0, 1, 1, 1]);
        assert_eq!(floats(t, col::RETENTION), [1.0, 0.5, 0.0, 0.5, 1.0, 1.0]);
        assert_eq!(
            i64s(t, col::REVENUE).unwrap(),
            [3000, 500, 0, 500, 300, 300]
        );
        // January: 3000 / 2 customers, then +500, +0, +500.
        assert_eq!(
            i64s(t, col::CUMULATIVE_REVENUE_PER_CUSTOMER).unwrap(),
            [1500, 1750, 1750, 2000, 300, 600]
        );
        // All cohorts together: period 1 was reached by Jan (2 customers,
        // 1 active) and Mar (1, 1); periods 2 and 3 by Jan alone.
        let all = &c.overall;
        assert_eq!(i64s(all, col::CUSTOMERS).unwrap(), [3, 3, 2, 2]);
        assert_eq!(i64s(all, col::ACTIVE_CUSTOMERS).unwrap(), [3, 2, 0, 1]);
        assert_eq!(
            i64s(all, col::CUMULATIVE_REVENUE_PER_CUSTOMER).unwrap(),
            [1100, 1367, 1750, 2000]
        );
    }

    #[test]
    fn quarterly_cohorts_and_a_later_as_of_date() {
        let as_of = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        let c = cohorts(&table(), Period::Quarter, as_of).unwrap();
        let t = &c.cells;
        assert_eq!(strings(t, col::COHORT), ["2024-Q1"; 3]);
        assert_eq!(i64s(t, col::CUSTOMERS).unwrap(), [3, 3, 3]);
        // Q2: a and c ordered in April; Q3 (the as-of quarter): nobody yet.
        assert_eq!(i64s(t, col::ACTIVE_CUSTOMERS).unwrap(), [3, 2, 0]);
    }

    #[test]
    fn no_customers_no_cohorts() {
        let orders = orders_with(&[("#1", None, (2024, 1, 1), 100)], &[]);
        let as_of = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
        let c = cohorts(&orders, Period::Month, as_of).unwrap();
        assert_eq!((c.cells.height(), c.overall.height()), (0, 0));
    }
}
