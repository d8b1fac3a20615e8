//! Equal-width bins over non-negative integers (cents, days), for the
//! distributions in the report: a few dozen rows whatever the data's size.

use polars::prelude::{Column, DataFrame, PolarsResult};

/// Column names of a bins table.
pub mod col {
    /// Int64: the bin holds values ≥ this.
    pub const FROM: &str = "from";
    /// Int64 or null: … and < this; null for the last, open-ended bin.
    pub const TO: &str = "to";
    /// UInt64: how many values fall in the bin.
    pub const COUNT: &str = "count";
}

/// The smallest of `widths` (ascending) giving at most `max_bins` bins
/// from 0 to `top`, preferring one that every `align` value is a multiple
/// of (so band edges fall on bin edges); the largest width if none does.
pub fn pick_width(top: i64, max_bins: i64, widths: &[i64], align: &[i64]) -> i64 {
    let fits = |w: &&i64| top / **w < max_bins;
    let aligned = |w: &&i64| align.iter().all(|a| a % **w == 0);
    widths
        .iter()
        .filter(fits)
        .find(aligned)
        .or_else(|| widths.iter().find(fits))
        .or(widths.last())
        .copied()
        .unwrap_or(1)
        .max(1)
}

/// "Nice" widths (1, 2, 2.5 and 5 times a power of ten) from 1 up.
pub fn nice_widths() -> Vec<i64> {
    let mut widths = Vec::new();
    let mut power = 1i64;
    while power <= 1_000_000_000_000 {
        widths.extend([power, 2 * power, (5 * power + 1) / 2, 5 * power]);
        power *= 10;
    }
    widths.retain(|&w| w > 0);
    widths.sort_unstable();
    widths.dedup();
    widths
}

/// Bins [0, w), [w, 2w), … up to the one holding `top`, then one open bin
/// [.., ∞) when some value is beyond it. Negative values count in the first.
pub fn bins(values: &[i64], width: i64, top: i64) -> PolarsResult<DataFrame> {
    let closed = (top.max(0) / width + 1) as usize;
    let mut counts = vec![0u64; closed + 1];
    for &v in values {
        let bin = (v.max(0) / width) as usize;
        counts[bin.min(closed)] += 1;
    }
    let open = counts[closed] > 0;
    if !open {
        counts.pop();
    }
    let from: Vec<i64> = (0..counts.len() as i64).map(|i| i * width).collect();
    let to: Vec<Option<i64>> = (0..counts.len())
        .map(|i| (i < closed).then_some((i as i64 + 1) * width))
        .collect();
    DataFrame::new(
        counts.len(),
        vec![
            Column::new(col::FROM.into(), from),
            Column::new(col::TO.into(), to),
            Column::new(col::COUNT.into(), counts),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::i64s;

    #[test]
    fn values_beyond_the_top_go_to_one_open_bin() {
        let t = bins(&[0, 9, 10, 25, 29, 31, 500], 10, 29).unwrap();
        assert_eq!(i64s(&t, col::FROM).unwrap(), [0, 10, 20, 30]);
        assert_eq!(i64s(&t, col::COUNT).unwrap(), [2, 1, 2, 2]);
        let to: Vec<_> = t.column(col::TO).unwrap().i64().unwrap().iter().collect();
        assert_eq!(to, [Some(10), Some(20), Some(30), None]);
        // Nothing beyond the top: no open bin.
        let t = bins(&[0, 29], 10, 29).unwrap();
        assert_eq!(i64s(&t, col::COUNT).unwrap(), [1, 0, 1]);
    }

    #[test]
    fn width_is_the_smallest_that_fits_preferring_aligned_ones() {
        let days = [7, 10, 14, 15, 30, 60, 90, 180, 365];
        // 0..=390 days in at most 40 bins: 10 fits and divides 60 and 90;
        // 0..=400 needs 41 bins of 10: 15 is the next that divides both.
        assert_eq!(pick_width(390, 40, &days, &[60, 90]), 10);
        assert_eq!(pick_width(400, 40, &days, &[60, 90]), 15);
        // 0..=1000: 30 is the smallest that fits and divides both.
        assert_eq!(pick_width(1000, 40, &days, &[60, 90]), 30);
        // 0..=1000 with a band at 45: none aligned fits; the smallest that fits.
        assert_eq!(pick_width(1000, 40, &days, &[45]), 30);
        assert_eq!(pick_width(99_999, 40, &days, &[]), 365);
        let nice = nice_widths();
        assert_eq!(&nice[..6], [1, 2, 3, 5, 10, 20]);
        assert_eq!(pick_width(12_345, 25, &nice, &[]), 500);
    }
}
