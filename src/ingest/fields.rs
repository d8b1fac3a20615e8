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
    let date = NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
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
}
