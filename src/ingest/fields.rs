//! Parsing of single cells: money, quantities, dates, flags.
//!
//! Each parser returns `None` on text it does not accept; the caller knows
//! the file, line and column and turns that into an error a user can act on.

use chrono::NaiveDate;

/// The first date an order may have: no store export has an earlier one, and
/// the orders table counts days from it. An earlier date is a row error.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(date) => date,
    None => unreachable!(),
};

/// The date, if it is on or after [`EARLIEST_DATE`].
fn from_1970(date: NaiveDate) -> Option<NaiveDate> {
    (date >= EARLIEST_DATE).then_some(date)
}

/// The largest amount an order may have, in whole currency units (just under
/// a trillion), and the most items a line may have (just under a billion).
/// Beyond them a cell is a row error: no store sells that much, and the
/// bounds keep every sum goldpan makes far from integer overflow.
pub const MAX_AMOUNT_DIGITS: usize = 12;
pub const MAX_QUANTITY_DIGITS: usize = 9;

/// Parses an amount into integer cents: `12`, `12.5`, `1659.95`, `-3.10`,
/// `30.479999` (an Excel re-save; rounded half away from zero). No currency
/// symbols, no thousands separators, no exponents: those are refused rather
/// than guessed; nor amounts of more than [`MAX_AMOUNT_DIGITS`] whole digits.
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
        || whole.trim_start_matches('0').len() > MAX_AMOUNT_DIGITS
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

/// Parses a whole, non-negative quantity of at most [`MAX_QUANTITY_DIGITS`]
/// digits. `3.0` is accepted (some exports write quantities as decimals);
/// `2.5` is not.
pub fn parse_quantity(text: &str) -> Option<i64> {
    let whole = match text.split_once('.') {
        Some((whole, zeros)) if zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => text,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = whole.trim_start_matches('0');
    if digits.len() > MAX_QUANTITY_DIGITS {
        return None;
    }
    whole.parse().ok()
}

/// The calendar date of a timestamp as the export writes it:
/// `2021-08-19 23:10:05 -0400` → 2021-08-19. The offset is the store's local
/// one, so the date is taken as written, never shifted to UTC. Also accepts a
/// bare `YYYY-MM-DD`, a `T` separator and a `Z`/offset suffix. A date before
/// 1970 is refused.
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
        None | Some(b' ') | Some(b'T') => from_1970(date),
        _ => None,
    }
}

/// The time of day of a timestamp, in seconds since midnight, as written
/// (never shifted to UTC): `2021-08-19 23:10:05 -0400`, `2021-08-19T23:10:05Z`,
/// `17/06/2021 10:05`, `1/25/2024 1:23 PM`. `None` when there is no time.
pub fn parse_time_in_timestamp(text: &str) -> Option<u32> {
    let text = text.trim();
    // The date is at least 8 characters (1/1/2024); the time follows a space or T.
    let start = text
        .char_indices()
        .skip(8)
        .find(|&(_, c)| c == ' ' || c == 'T')?
        .0;
    parse_time_of_day(&text[start + 1..])
}

/// `09:55:16`, `9:55`, `1:23 PM`, optionally followed by a time zone
/// (`09:55:16 -0400`, `09:55:16Z`, `09:55:16+02:00`): seconds since midnight.
pub fn parse_time_of_day(text: &str) -> Option<u32> {
    let text = text.trim();
    let clock_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(text.len());
    let (clock, rest) = text.split_at(clock_len);
    let mut parts = clock.split(':');
    let number = |part: Option<&str>, max: u32| -> Option<u32> {
        let part = part?;
        if part.is_empty() || part.len() > 2 {
            return None;
        }
        part.parse().ok().filter(|&n| n <= max)
    };
    let mut hours = number(parts.next(), 23)?;
    let minutes = number(parts.next(), 59)?;
    let seconds = match parts.next() {
        Some(part) => number(Some(part), 59)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    // Drop fractions of a second; then AM/PM, if any.
    let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    // Compared in place: this runs once per order.
    let half = rest.trim_start().as_bytes().get(..2);
    let pm = half.is_some_and(|h| h.eq_ignore_ascii_case(b"PM"));
    if pm || half.is_some_and(|h| h.eq_ignore_ascii_case(b"AM")) {
        if !(1..=12).contains(&hours) {
            return None;
        }
        hours = hours % 12 + if pm { 12 } else { 0 };
    }
    Some(hours * 3600 + minutes * 60 + seconds)
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
/// numbers ≤ 12 and different). A date before 1970 is refused.
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
    let date = from_1970(NaiveDate::from_ymd_opt(year, month, day)?)?;
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
                "expected a {first} date from 1970 on, such as 17/06/2021, found \"{}\"",
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
    let digits =
        |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    // Asked of every row of an export: no allocation, and an ISO date
    // (`2024-...`) is refused at its first part, before anything is split.
    let bytes = text.as_bytes();
    if bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-' {
        return false;
    }
    let (date, time) = match text.trim().split_once(' ') {
        Some((date, time)) => (date, Some(time)),
        None => (text.trim(), None),
    };
    let mut parts = date.split(['/', '.', '-']);
    let date_ok = matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(day), Some(month), Some(year), None)
            if digits(day, &[1, 2]) && digits(month, &[1, 2]) && digits(year, &[2, 4])
    );
    date_ok
        && time.is_none_or(|time| {
            let clock = time.split(' ').next().unwrap_or_default();
            (2..=3).contains(&clock.split(':').count())
                && clock.split(':').all(|piece| digits(piece, &[1, 2]))
        })
}

/// `yes`/`no`, `true`/`false`, `1`/`0`; `None` for empty or anything else.
pub fn parse_flag(text: &str) -> Option<bool> {
    let text = text.trim();
    let is = |word: &str| text.eq_ignore_ascii_case(word);
    if ["yes", "true", "1", "y"].into_iter().any(is) {
        Some(true)
    } else if ["no", "false", "0", "n"].into_iter().any(is) {
        Some(false)
    } else {
        None
    }
}

/// A marketing consent as exports and mailing tools write it: yes/no,
/// true/false, 1/0 (see [`parse_flag`]) or subscribed/unsubscribed.
pub fn parse_consent(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "subscribed" => Some(true),
        "unsubscribed" => Some(false),
        other => parse_flag(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consents_in_the_usual_words() {
        for yes in ["yes", "TRUE", "1", " Subscribed "] {
            assert_eq!(parse_consent(yes), Some(true), "{yes}");
        }
        for no in ["no", "false", "0", "unsubscribed"] {
            assert_eq!(parse_consent(no), Some(false), "{no}");
        }
        assert_eq!(parse_consent("pending"), None);
    }

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
        assert_eq!(parse_cents("999999999999.99"), Some(99_999_999_999_999));
        assert_eq!(parse_cents("1000000000000.00"), None);
        assert_eq!(parse_cents("-999999999999999.99"), None);
    }

    #[test]
    fn quantities_are_whole() {
        assert_eq!(parse_quantity("36"), Some(36));
        assert_eq!(parse_quantity("3.00"), Some(3));
        assert_eq!(parse_quantity("2.5"), None);
        assert_eq!(parse_quantity("-1"), None);
        assert_eq!(parse_quantity(""), None);
        assert_eq!(parse_quantity("999999999"), Some(999_999_999));
        assert_eq!(parse_quantity("0000000001"), Some(1));
        assert_eq!(parse_quantity("1000000000"), None);
        assert_eq!(parse_quantity("9223372036854775808"), None);
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
    fn times_of_day_are_read_as_written() {
        let at = |h: u32, m: u32, s: u32| Some(h * 3600 + m * 60 + s);
        assert_eq!(
            parse_time_in_timestamp("2021-08-19 23:10:05 -0400"),
            at(23, 10, 5)
        );
        assert_eq!(
            parse_time_in_timestamp("2021-08-19T23:10:05Z"),
            at(23, 10, 5)
        );
        assert_eq!(
            parse_time_in_timestamp("2021-08-19T23:10:05-04:00"),
            at(23, 10, 5)
        );
        assert_eq!(parse_time_in_timestamp("17/06/2021 10:05"), at(10, 5, 0));
        assert_eq!(parse_time_in_timestamp("1/25/2024 1:23 PM"), at(13, 23, 0));
        assert_eq!(parse_time_in_timestamp("1/25/2024 12:05 AM"), at(0, 5, 0));
        assert_eq!(parse_time_in_timestamp("2021-08-19"), None);
        assert_eq!(parse_time_in_timestamp("17/06/2021"), None);
        assert_eq!(parse_time_of_day("10:00:00.250"), at(10, 0, 0));
        assert_eq!(parse_time_of_day("24:00"), None);
        assert_eq!(parse_time_of_day("noon"), None);
        assert_eq!(parse_time_of_day("1:23 pm"), at(13, 23, 0));
        assert_eq!(parse_time_of_day("12:00 Am"), at(0, 0, 0));
        assert_eq!(parse_time_of_day("13:00 PM"), None);
        assert_eq!(parse_time_of_day("9:00 P"), at(9, 0, 0));
    }

    #[test]
    fn flags_are_read_in_any_case() {
        for (text, flag) in [
            ("yes", Some(true)),
            (" TRUE ", Some(true)),
            ("Y", Some(true)),
            ("1", Some(true)),
            ("No", Some(false)),
            ("false", Some(false)),
            ("n", Some(false)),
            ("0", Some(false)),
            ("", None),
            ("maybe", None),
            ("yess", None),
        ] {
            assert_eq!(parse_flag(text), flag, "{text:?}");
        }
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
        // A '-' fifth is not always an ISO date's.
        assert!(looks_like_excel_date("1/12-2024"));
        assert!(looks_like_excel_date("01-12-2024 10:00"));
        assert!(!looks_like_excel_date("#1001"));
        assert!(looks_like_excel_date(" 5-1-24 1:23:45 "));
        assert!(!looks_like_excel_date("25/01/2024 13"));
        assert!(!looks_like_excel_date("25/01/2024 13:23:45:10"));
        assert!(!looks_like_excel_date("25/01/2024/1 13:23"));
        assert!(!looks_like_excel_date("25/01/2024  13:23"));
        assert!(!looks_like_excel_date("25/01/20245"));
        assert!(!looks_like_excel_date(""));
    }
}
