//! Calendar periods (months, quarters) as plain integers, so that orders can
//! be grouped by period with an integer column instead of date arithmetic.
//!
//! A period index counts periods since year 0: month index = year × 12 +
//! month − 1, quarter index = year × 4 + quarter − 1. Consecutive periods have
//! consecutive indexes, so "months after the first order" is a subtraction.

use chrono::{Datelike, NaiveDate};
use polars::prelude::{Column, DataType, PolarsResult};

/// How orders are grouped in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Month,
    Quarter,
}

impl Period {
    /// The index of the period that holds `date`.
    pub fn index(self, date: NaiveDate) -> i32 {
        let month = date.year() * 12 + date.month0() as i32;
        match self {
            Period::Month => month,
            Period::Quarter => month.div_euclid(3),
        }
    }

    /// `2024-03` for a month, `2024-Q1` for a quarter.
    pub fn label(self, index: i32) -> String {
        match self {
            Period::Month => format!(
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            ),
            Period::Quarter => format!("{:04}-Q{}", index.div_euclid(4), index.rem_euclid(4) + 1),
        }
    }

    /// The word for one period, for headers and sentences ("month", "quarter").
    pub fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }

    /// A Date column turned into a column of period indexes (Int32, nulls
    /// kept). Dates repeat a lot (every order of a day has the same), so each
    /// distinct day is converted once.
    pub fn of_dates(self, dates: &Column, name: &str) -> PolarsResult<Column> {
        let days = dates.cast(&DataType::Int32)?;
        let mut cache: rustc_hash::FxHashMap<i32, i32> = rustc_hash::FxHashMap::default();
        let indexes: Vec<Option<i32>> = days
            .i32()?
            .iter()
            .map(|day| {
                day.map(|day| {
                    *cache
                        .entry(day)
                        .or_insert_with(|| self.index(crate::output::date_from_days(day)))
                })
            })
            .collect();
        Ok(Column::new(name.into(), indexes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn consecutive_periods_have_consecutive_indexes() {
        let dec = Period::Month.index(date(2023, 12, 31));
        let jan = Period::Month.index(date(2024, 1, 1));
        assert_eq!(jan - dec, 1);
        assert_eq!(Period::Month.label(jan), "2024-01");
        assert_eq!(Period::Month.label(dec), "2023-12");
        let q4 = Period::Quarter.index(date(2023, 12, 31));
        let q1 = Period::Quarter.index(date(2024, 3, 31));
        assert_eq!(q1 - q4, 1);
        assert_eq!(Period::Quarter.label(q1), "2024-Q1");
        assert_eq!(Period::Quarter.label(q4), "2023-Q4");
    }
}
