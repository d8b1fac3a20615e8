//! Parsing of single cells: money, quantities, dates, flags.
//!
//! Each parser returns `None` on text it does not accept; the caller knows
//! the file, line and column and turns that into an error a user can act on.

use chrono::NaiveDate;

/// Parses an amount into integer cents: `12`, `12.5`, `1659.95`, `-3.10`,
/// `30.479999` (an Excel re-save; rounded half away from zero). No currency
/// symbols, no thousands separators, no exponents: those are refused rather
/// than guessed.
pub fn parse_cents(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || whole.len() > 15
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let digit = |i: usize| fraction.as_bytes().get(i).map_or(0, |b| (b - b'0') as i64);
    let mut cents = whole * 100 + digit(0) * 10 + digit(1);
    if digit(2) >= 5 {
        cents += 1;
    }
    Some(if negative { -cents } else { cents })
}

/// Parses a whole, non-negative quantity. `3.0` is accepted (some exports
/// write quantities as decimals); `2.5` is not.
pub fn parse_quantity(text: &str) -> Option<i64> {
    let whole = match text.split_once('.') {
        Some((whole, zeros)) if zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => text,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse().ok()
}

/// The calendar date of a timestamp as the export writes it:
/// `2021-08-19 23:10:05 -0400` → 2021-08-19. The offset is the store's local
/// one, so the date is taken as written, never shifted to UTC. Also accepts a
/// bare `YYYY-MM-DD`, a `T` separator and a `Z`/offset suffix.
pub fn parse_local_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() < 10 {
        return None;
    }
    // By hand rather than chrono's format parser: this runs once per order,
    // and chrono's strftime machinery was a visible share of a large import.
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    match bytes.get(10) {
        None | Some(b' ') | Some(b'T') => Some(date),
        _ => None,
    }
}

/// Day and month order of a slash-separated date such as `02/07/2021`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// day/month/year, as BigCommerce writes it in real exports
    Dmy,
    /// month/day/year
    Mdy,
}

/// Parses `dd/mm/yyyy` or `mm/dd/yyyy` (one-digit day or month allowed), in
/// the given order. Returns also whether the text alone was ambiguous (both
/// numbers ≤ 12 and different).
pub fn parse_slash_date(text: &str, order: DateOrder) -> Option<(NaiveDate, bool)> {
    let mut parts = text.trim().splitn(3, '/');
    let first: u32 = parts.next()?.parse().ok()?;
    let second: u32 = parts.next()?.parse().ok()?;
    let year_text = parts.next()?;
    // A time after the date ("17/06/2021 10:05") belongs to another column in
    // real exports, but is harmless to ignore.
    let year_text = year_text.split(' ').next()?;
    if year_text.len() != 4 {
        return None;
    }
    let year: i32 = year_text.parse().ok()?;
    let (day, month) = match order {
        DateOrder::Dmy => (first, second),
        DateOrder::Mdy => (second, first),
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some((date, first <= 12 && second <= 12 && first != second))
}

impl DateOrder {
    fn other(self) -> DateOrder {
        match self {
            DateOrder::Dmy => DateOrder::Mdy,
            DateOrder::Mdy => DateOrder::Dmy,
        }
    }
}

/// Reads the slash dates of one file in one day/month order and remembers
/// whether the file settles that order (a day above 12) or leaves it open.
pub struct SlashDates {
    chosen: Option<DateOrder>,
    ambiguous_example: Option<String>,
    settled: bool,
}

impl SlashDates {
    /// `chosen` is `--date-order`; `None` reads day/month (dmy) and notes it.
    pub fn new(chosen: Option<DateOrder>) -> Self {
        SlashDates {
            chosen,
            ambiguous_example: None,
            settled: false,
        }
    }

    fn order(&self) -> DateOrder {
        self.chosen.unwrap_or(DateOrder::Dmy)
    }

    /// Parses `17/06/2021` (or an ISO date). On failure, the problem, and
    /// whether it concerns the whole file (the date only makes sense in the
    /// other order, so every ambiguous date of the file may be misread).
    pub fn parse(&mut self, text: &str) -> Result<NaiveDate, (String, bool)> {
        let text = text.trim();
        let order = self.order();
        let (first, other) = match order {
            DateOrder::Dmy => ("day/month/year", "month/day/year"),
            DateOrder::Mdy => ("month/day/year", "day/month/year"),
        };
        if let Some((date, ambiguous)) = parse_slash_date(text, order) {
            if ambiguous && self.ambiguous_example.is_none() {
                self.ambiguous_example = Some(text.to_string());
            }
            if parse_slash_date(text, order.other()).is_none() {
                self.settled = true;
            }
            return Ok(date);
        }
        if let Some(date) = parse_local_date(text) {
            return Ok(date);
        }
        if parse_slash_date(text, order.other()).is_some() {
            let flag = match order.other() {
                DateOrder::Dmy => "dmy",
                DateOrder::Mdy => "mdy",
            };
            return Err((
                format!(
                    "\"{}\" is not a {first} date, but it is one as {other}: if the file \
                     writes dates {other}, use --date-order {flag}",
                    text.escape_debug()
                ),
                true,
            ));
        }
        Err((
            format!(
                "expected a {first} date such as 17/06/2021, found \"{}\"",
                text.escape_debug()
            ),
            false,
        ))
    }

    /// The note to print once the file is read: when no date in it showed
    /// whether the day or the month comes first and none was chosen.
    pub fn note(&self, file: &str) -> Option<String> {
        match (&self.ambiguous_example, self.settled, self.chosen) {
            (Some(example), false, None) => Some(format!(
                "{file}: dates such as {example} read as day/month (dmy); \
                 use --date-order mdy if they are month/day"
            )),
            _ => None,
        }
    }
}

/// `25/01/2024 13:23`, `1/25/2024 1:23 PM`, `25.01.24`: a timestamp as Excel
/// writes it back after opening a file (seconds and time zone gone).
pub fn looks_like_excel_date(text: &str) -> bool {
    let mut words = text.trim().splitn(2, ' ');
    let date = words.next().unwrap_or_default();
    let parts: Vec<&str> = date.split(['/', '.', '-']).collect();
    let digits =
        |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let date_ok = parts.len() == 3
        && digits(parts[0], &[1, 2])
        && digits(parts[1], &[1, 2])
        && digits(parts[2], &[2, 4]);
    let time_ok = words.next().is_none_or(|time| {
        let clock = time.split(' ').next().unwrap_or_default();
        let pieces: Vec<&str> = clock.split(':').collect();
        (2..=3).contains(&pieces.len()) && pieces.iter().all(|p| digits(p, &[1, 2]))
    });
    date_ok && time_ok
}

/// `yes`/`no`, `true`/`false`, `1`/`0`; `None` for empty or anything else.
pub fn parse_flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "y" => Some(true),
        "no" | "false" | "0" | "n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_cents() {
        assert_eq!(parse_cents("1659.95"), Some(165995));
        assert_eq!(parse_cents("0.1"), Some(10));
        assert_eq!(parse_cents("30"), Some(3000));
        assert_eq!(parse_cents("-3.10"), Some(-310));
        assert_eq!(parse_cents(".5"), Some(50));
        assert_eq!(parse_cents("30.479999"), Some(3048));
        assert_eq!(parse_cents("30.474"), Some(3047));
        assert_eq!(parse_cents("1,234.00"), None);
        assert_eq!(parse_cents("5,52E+12"), None);
        assert_eq!(parse_cents("$12.00"), None);
        assert_eq!(parse_cents(""), None);
        assert_eq!(parse_cents("."), None);
    }

    #[test]
    fn quantities_are_whole() {
        assert_eq!(parse_quantity("36"), Some(36));
        assert_eq!(parse_quantity("3.00"), Some(3));
        assert_eq!(parse_quantity("2.5"), None);
        assert_eq!(parse_quantity("-1"), None);
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn local_date_ignores_offset() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(
            parse_local_date("2021-08-19 23:10:05 -0400"),
            d(2021, 8, 19)
        );
        assert_eq!(parse_local_date("2021-08-19"), d(2021, 8, 19));
        assert_eq!(parse_local_date("2021-08-19T23:10:05Z"), d(2021, 8, 19));
        assert_eq!(parse_local_date("19/08/2021 23:10"), None);
        assert_eq!(parse_local_date("2021-02-30 10:00:00 +0000"), None);
    }

    #[test]
    fn slash_dates_follow_the_order_and_flag_ambiguity() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            parse_slash_date("17/06/2021", DateOrder::Dmy),
            Some((d(2021, 6, 17), false))
        );
        assert_eq!(
            parse_slash_date("2/7/2021", DateOrder::Dmy),
            Some((d(2021, 7, 2), true))
        );
        assert_eq!(
            parse_slash_date("2/7/2021", DateOrder::Mdy),
            Some((d(2021, 2, 7), true))
        );
        assert_eq!(parse_slash_date("17/06/2021", DateOrder::Mdy), None);
        assert_eq!(parse_slash_date("17/06/21", DateOrder::Dmy), None);
    }

    #[test]
    fn a_file_of_ambiguous_dates_gets_one_note() {
        let mut dates = SlashDates::new(None);
        assert_eq!(
            dates.parse("2/7/2021"),
            Ok(NaiveDate::from_ymd_opt(2021, 7, 2).unwrap())
        );
        dates.parse("3/7/2021").unwrap();
        let note = dates.note("f.csv").unwrap();
        assert!(note.starts_with("f.csv: dates such as 2/7/2021 read as day/month (dmy)"));
        // A day above 12 settles the order: no note.
        dates.parse("17/06/2021").unwrap();
        assert_eq!(dates.note("f.csv"), None);
        // A chosen order needs no note either.
        let mut chosen = SlashDates::new(Some(DateOrder::Dmy));
        chosen.parse("2/7/2021").unwrap();
        assert_eq!(chosen.note("f.csv"), None);
    }

    #[test]
    fn a_date_impossible_as_day_month_suggests_mdy() {
        let mut dates = SlashDates::new(None);
        let (problem, whole_file) = dates.parse("06/17/2021").unwrap_err();
        assert!(problem.contains("--date-order mdy"), "{problem}");
        assert!(whole_file);
        let mut mdy = SlashDates::new(Some(DateOrder::Mdy));
        assert_eq!(
            mdy.parse("06/17/2021"),
            Ok(NaiveDate::from_ymd_opt(2021, 6, 17).unwrap())
        );
        assert!(!dates.parse("June 17").unwrap_err().1);
    }

    #[test]
    fn excel_dates_are_recognized() {
        assert!(looks_like_excel_date("25/01/2024 13:23"));
        assert!(looks_like_excel_date("1/25/2024 1:23 PM"));
        assert!(looks_like_excel_date("25.01.24"));
        assert!(!looks_like_excel_date("2024-01-25 13:23:45 +0100"));
        assert!(!looks_like_excel_date("#1001"));
    }
}
