//! The CDNOW sample (fixtures/cdnow_sample.csv) as the models see it, for
//! the tests against the published fits: each customer's history at the
//! calibration end 1997-09-30 (later purchases left out), one purchase per
//! day at most (a day's amounts summed), in days.

use super::bgnbd::History;
use chrono::NaiveDate;
use std::collections::BTreeMap;

pub struct Customer {
    pub id: String,
    pub history: History,
    /// Mean value of the repeat purchase days (the first day left out); 0
    /// for a customer who never bought again.
    pub repeat_mean_value: f64,
}

pub fn customers() -> Vec<Customer> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cdnow_sample.csv");
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    // customer → date → amount of that day
    let mut days: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(path).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let date = NaiveDate::parse_from_str(&row[1], "%Y-%m-%d").unwrap();
        if date > end {
            continue;
        }
        let amount: f64 = row[3].parse().unwrap();
        *days
            .entry(row[2].to_string())
            .or_default()
            .entry(date)
            .or_default() += amount;
    }
    days.into_iter()
        .map(|(id, days)| {
            let first = *days.keys().next().unwrap();
            let last = *days.keys().next_back().unwrap();
            let x = days.len() as u32 - 1;
            let repeat_total: f64 = days.values().skip(1).sum();
            Customer {
                id,
                history: History {
                    x,
                    t_x: (last - first).num_days() as f64,
                    age: (end - first).num_days() as f64,
                },
                repeat_mean_value: if x > 0 { repeat_total / x as f64 } else { 0.0 },
            }
        })
        .collect()
}

/// `got` rounds to the same 3 significant digits as `published`.
pub fn same_to_3_significant_digits(got: f64, published: f64) -> bool {
    let unit = 10f64.powf(published.abs().log10().floor() - 2.0);
    (got / unit).round() == (published / unit).round()
}
