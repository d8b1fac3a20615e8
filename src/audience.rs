//! Customer-list upload files for ad and e-mail platforms: their columns and
//! how each value is normalized (and hashed) before upload.
//!
//! Sources: Meta "How to format a customer list" and the Conversions API
//! customer-information normalization; Google Ads Customer Match "Format your
//! customer data file" and its hashed-data guidelines; Klaviyo "How to create
//! and add contacts to a new list". See docs/audiences.md for the links.

use crate::consent::{self, Tally};
use crate::customers::field;
use crate::segments::Segment;
use polars::prelude::{DataFrame, IntoLazy, PolarsResult, col};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::ops::RangeInclusive;

/// The platforms `goldpan audience` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Meta (Facebook/Instagram) custom audience from a customer list
    Meta,
    /// Google Ads Customer Match
    Google,
    /// Klaviyo list import (plain text only: Klaviyo sends to these addresses)
    Klaviyo,
}

/// A customer as the customers table has them.
#[derive(Clone, Debug, Default)]
pub struct Person<'a> {
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub zip: Option<&'a str>,
    pub country: Option<&'a str>,
}

/// A country goldpan can turn a national phone number into E.164 for.
struct Country {
    /// ISO 3166-1 alpha-2.
    code: &'static str,
    /// Country calling code.
    calling: &'static str,
    /// The national trunk prefix dialled before a number inside the country.
    trunk: Option<&'static str>,
    /// Digits of a national number without the trunk prefix.
    national: RangeInclusive<usize>,
    /// Lower-case names an export may write instead of the code.
    names: &'static [&'static str],
}

const fn country(
    code: &'static str,
    calling: &'static str,
    trunk: Option<&'static str>,
    national: RangeInclusive<usize>,
    names: &'static [&'static str],
) -> Country {
    Country {
        code,
        calling,
        trunk,
        national,
        names,
    }
}

const COUNTRIES: &[Country] = &[
    country(
        "US",
        "1",
        Some("1"),
        10..=10,
        &["united states", "united states of america", "usa"],
    ),
    country("CA", "1", Some("1"), 10..=10, &["canada"]),
    country(
        "GB",
        "44",
        Some("0"),
        9..=10,
        &[
            "united kingdom",
            "uk",
            "great britain",
            "england",
            "scotland",
            "wales",
        ],
    ),
    country("IE", "353", Some("0"), 7..=9, &["ireland"]),
    country("DE", "49", Some("0"), 6..=11, &["germany", "deutschland"]),
    country("AT", "43", Some("0"), 6..=12, &["austria", "österreich"]),
    country(
        "CH",
        "41",
        Some("0"),
        9..=9,
        &["switzerland", "schweiz", "suisse"],
    ),
    country("FR", "33", Some("0"), 9..=9, &["france"]),
    country(
        "BE",
        "32",
        Some("0"),
        8..=9,
        &["belgium", "belgique", "belgië"],
    ),
    country(
        "NL",
        "31",
        Some("0"),
        9..=9,
        &["netherlands", "the netherlands", "nederland", "holland"],
    ),
    // Italy keeps the leading 0 of landlines after +39: no trunk prefix.
    country("IT", "39", None, 6..=11, &["italy", "italia"]),
    country("ES", "34", None, 9..=9, &["spain", "españa", "espana"]),
    country("PT", "351", None, 9..=9, &["portugal"]),
    country("SE", "46", Some("0"), 7..=9, &["sweden", "sverige"]),
    country("DK", "45", None, 8..=8, &["denmark", "danmark"]),
    country("NO", "47", None, 8..=8, &["norway", "norge"]),
    country("PL", "48", None, 9..=9, &["poland", "polska"]),
    country("AU", "61", Some("0"), 9..=9, &["australia"]),
    country("NZ", "64", Some("0"), 8..=10, &["new zealand"]),
    country("IN", "91", Some("0"), 10..=10, &["india"]),
    country("TH", "66", Some("0"), 8..=9, &["thailand"]),
    country("SG", "65", None, 8..=8, &["singapore"]),
    country("JP", "81", Some("0"), 9..=10, &["japan"]),
    country(
        "AE",
        "971",
        Some("0"),
        8..=9,
        &["united arab emirates", "uae"],
    ),
    country("ZA", "27", Some("0"), 9..=9, &["south africa"]),
    country("MX", "52", None, 10..=10, &["mexico", "méxico"]),
    country("BR", "55", Some("0"), 10..=11, &["brazil", "brasil"]),
];

/// ISO 3166-1 alpha-2 code, upper case: a 2-letter code as it is, or a
/// country name goldpan knows (`United Kingdom` → `GB`); `None` otherwise.
pub fn country_code(raw: &str) -> Option<String> {
    let text = raw.trim();
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        let code = text.to_ascii_uppercase();
        return Some(if code == "UK" { "GB".into() } else { code });
    }
    let name = text.to_lowercase();
    COUNTRIES
        .iter()
        .find(|c| c.names.contains(&name.as_str()))
        .map(|c| c.code.to_string())
}

/// The phone in E.164 digits (country code first, no `+`), or `None` when it
/// cannot be made one:
/// - `+44 20 7183 8750` (or `0044…`) already has its country code;
/// - otherwise the customer's country gives it, after dropping the national
///   trunk prefix (`07911 123456` in GB → `447911123456`);
/// - a number already starting with that country code (a spreadsheet dropped
///   its `+`) is kept.
pub fn e164_digits(raw: &str, country: Option<&str>) -> Option<String> {
    let text = raw.trim();
    let text = text.strip_prefix('\'').unwrap_or(text).trim_start();
    let text = text.strip_prefix("tel:").unwrap_or(text);
    // An extension (`x12`, `ext. 12`) is not part of the number.
    let text = text
        .split(|c: char| c.is_ascii_alphabetic())
        .next()
        .unwrap_or_default();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let international =
        |d: &str| ((7..=15).contains(&d.len()) && !d.starts_with('0')).then(|| d.to_string());
    if text.trim_start().starts_with('+') {
        return international(&digits);
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return international(rest);
    }
    let code = country_code(country?)?;
    let country = COUNTRIES.iter().find(|c| c.code == code)?;
    let national = match country.trunk {
        Some(trunk) if digits.starts_with(trunk) => &digits[trunk.len()..],
        _ => digits.as_str(),
    };
    if country.national.contains(&national.len()) {
        return Some(format!("{}{national}", country.calling));
    }
    match digits.strip_prefix(country.calling) {
        Some(rest) if country.national.contains(&rest.len()) => Some(digits.clone()),
        _ => None,
    }
}

/// First word, and the rest: `Mary Ann Smith` → (`Mary`, `Ann Smith`).
pub fn split_name(name: &str) -> (String, String) {
    let mut words = name.split_whitespace();
    let first = words.next().unwrap_or_default().to_string();
    let rest = words.collect::<Vec<_>>().join(" ");
    (first, rest)
}

/// Lower-case hex SHA-256 of the UTF-8 text.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Meta's name rule: lower case, letters (accents kept) and digits only.
fn meta_name(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Google's name rule: lower case, no spaces.
fn google_name(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Meta's zip rule: lower case without spaces or dashes; a US zip is its
/// first five digits.
fn meta_zip(zip: &str, country: Option<&str>) -> String {
    let zip: String = zip
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if country == Some("US") {
        zip.chars().take(5).collect()
    } else {
        zip
    }
}

/// One column of an upload file.
struct Column {
    header: &'static str,
    /// Whether `--hash` hashes it (Google wants Country and Zip in clear).
    hashed: bool,
}

const fn column(header: &'static str, hashed: bool) -> Column {
    Column { header, hashed }
}

const META: [Column; 6] = [
    column("email", true),
    column("phone", true),
    column("fn", true),
    column("ln", true),
    column("zip", true),
    column("country", true),
];
const GOOGLE: [Column; 6] = [
    column("Email", true),
    column("First Name", true),
    column("Last Name", true),
    column("Country", false),
    column("Zip", false),
    column("Phone", true),
];
const KLAVIYO: [Column; 6] = [
    column("Email", false),
    column("Phone Number", false),
    column("First Name", false),
    column("Last Name", false),
    column("Country", false),
    column("Zip Code", false),
];

fn columns(platform: Platform) -> &'static [Column; 6] {
    match platform {
        Platform::Meta => &META,
        Platform::Google => &GOOGLE,
        Platform::Klaviyo => &KLAVIYO,
    }
}

impl Platform {
    pub fn name(self) -> &'static str {
        match self {
            Platform::Meta => "meta",
            Platform::Google => "google",
            Platform::Klaviyo => "klaviyo",
        }
    }

    pub fn header(self) -> Vec<&'static str> {
        columns(self).iter().map(|c| c.header).collect()
    }

    /// Whether the platform takes SHA-256 hashed values.
    pub fn accepts_hashes(self) -> bool {
        self != Platform::Klaviyo
    }
}

/// What became of a person's phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneOutcome {
    None,
    Valid,
    Invalid,
}

/// One upload row: cells in [`Platform::header`] order, plain or hashed
/// (empty cells stay empty, never the hash of nothing), and what became of
/// the phone. `e164` is the phone's E.164 digits, if it has them.
pub fn row(platform: Platform, person: &Person, e164: Option<&str>, hash: bool) -> Vec<String> {
    let email = person
        .email
        .map(str::trim)
        .unwrap_or_default()
        .to_lowercase();
    let (first, last) = split_name(person.name.unwrap_or_default());
    let country = person.country.and_then(country_code);
    let zip = person.zip.map(str::trim).unwrap_or_default();
    let plus = |d: &str| format!("+{d}");
    let cells: [String; 6] = match platform {
        Platform::Meta => [
            email,
            e164.unwrap_or_default().to_string(),
            meta_name(&first),
            meta_name(&last),
            meta_zip(zip, country.as_deref()),
            country.unwrap_or_default().to_lowercase(),
        ],
        Platform::Google => [
            email,
            google_name(&first),
            google_name(&last),
            country.unwrap_or_default().to_lowercase(),
            zip.to_string(),
            e164.map(plus).unwrap_or_default(),
        ],
        Platform::Klaviyo => [
            email,
            e164.map(plus).unwrap_or_default(),
            first,
            last,
            country.unwrap_or_default(),
            zip.to_string(),
        ],
    };
    cells
        .into_iter()
        .zip(columns(platform))
        .map(|(cell, column)| {
            if hash && column.hashed && !cell.is_empty() {
                sha256_hex(&cell)
            } else {
                cell
            }
        })
        .collect()
}

/// The phone's E.164 digits and what became of it.
pub fn phone_of(person: &Person) -> (Option<String>, PhoneOutcome) {
    match person.phone.map(str::trim).filter(|p| !p.is_empty()) {
        None => (None, PhoneOutcome::None),
        Some(phone) => match e164_digits(phone, person.country) {
            Some(digits) => (Some(digits), PhoneOutcome::Valid),
            None => (None, PhoneOutcome::Invalid),
        },
    }
}

/// What became of a segment's customers on their way to an upload file.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Counts {
    /// Customers in the segment.
    pub segment_customers: u64,
    /// What the consent rule did: customers who declined marketing, with
    /// no consent on record, and left out.
    #[serde(flatten)]
    pub consent: Tally,
    /// Rows written.
    pub rows: u64,
    /// Customers left out: no e-mail and no usable phone.
    pub no_email_or_phone: u64,
    /// Phones that could not be made E.164 (left empty).
    pub invalid_phone: u64,
    /// Customers without any phone.
    pub no_phone: u64,
    /// klaviyo: a phone already given to an earlier row (left empty; Klaviyo
    /// refuses duplicate phones).
    pub duplicate_phone: u64,
    /// Separate stores only: customers left out because the same person (the
    /// same e-mail, else the same phone) is on an earlier row as a customer
    /// of another store: an upload lists a person once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_person_other_store: Option<u64>,
}

/// An upload file: rows in [`Platform::header`] order, and the counts.
#[derive(Debug)]
pub struct Upload {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub counts: Counts,
}

impl Upload {
    /// The upload file: the platform's header, then the rows.
    pub fn write_csv(&self, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(&self.header)?;
        for row in &self.rows {
            csv.write_record(row)?;
        }
        csv.flush()?;
        Ok(())
    }
}

/// The upload rows of a segment's customers (from the customers table), in
/// the table's order. The customers the consent rule does not let in are
/// left out first; then a customer with neither an e-mail nor a usable phone
/// is left out; a phone that is invalid (or, for Klaviyo, already on an
/// earlier row) is left empty; each is counted.
pub fn upload(
    customers: &DataFrame,
    segment: &Segment,
    consent: consent::Rule,
    platform: Platform,
    hash: bool,
) -> PolarsResult<Upload> {
    let in_segment = customers
        .clone()
        .lazy()
        .filter(segment.members.clone())
        .collect()?;
    let segment_customers = in_segment.height() as u64;
    let (consenting, tally) = consent::apply(in_segment, consent)?;
    let members = consenting
        .lazy()
        .select([
            col(field::EMAIL),
            col(field::NAME),
            col(field::PHONE),
            col(field::ZIP),
            col(field::COUNTRY),
        ])
        .collect()?;
    let text = |name: &str| members.column(name).and_then(|c| c.str().cloned());
    let (emails, names, phones, zips, countries) = (
        text(field::EMAIL)?,
        text(field::NAME)?,
        text(field::PHONE)?,
        text(field::ZIP)?,
        text(field::COUNTRY)?,
    );
    let mut upload = Upload {
        header: platform.header(),
        rows: Vec::new(),
        counts: Counts::default(),
    };
    let counts = &mut upload.counts;
    counts.segment_customers = segment_customers;
    counts.consent = tally;
    let separate_stores = customers.schema().contains(field::STORE);
    if separate_stores {
        counts.same_person_other_store = Some(0);
    }
    let mut phones_seen: HashSet<String> = HashSet::new();
    let mut people_seen: HashSet<String> = HashSet::new();
    for i in 0..members.height() {
        let person = Person {
            email: emails.get(i),
            name: names.get(i),
            phone: phones.get(i),
            zip: zips.get(i),
            country: countries.get(i),
        };
        let (mut e164, outcome) = phone_of(&person);
        if separate_stores
            && let Some(person) = person.email.map(str::to_string).or_else(|| e164.clone())
            && !people_seen.insert(person)
        {
            *counts.same_person_other_store.get_or_insert(0) += 1;
            continue;
        }
        match outcome {
            PhoneOutcome::None => counts.no_phone += 1,
            PhoneOutcome::Invalid => counts.invalid_phone += 1,
            PhoneOutcome::Valid => {}
        }
        if platform == Platform::Klaviyo
            && let Some(digits) = &e164
            && !phones_seen.insert(digits.clone())
        {
            counts.duplicate_phone += 1;
            e164 = None;
        }
        if person.email.is_none() && e164.is_none() {
            counts.no_email_or_phone += 1;
            continue;
        }
        upload
            .rows
            .push(row(platform, &person, e164.as_deref(), hash));
    }
    upload.counts.rows = upload.rows.len() as u64;
    Ok(upload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> Person<'static> {
        Person {
            email: Some(" Jane.Doe@Example.com "),
            name: Some("Jane Doe"),
            phone: Some("+1 (415) 555-0100"),
            zip: Some("94103"),
            country: Some("US"),
        }
    }

    #[test]
    fn phones_become_e164() {
        let e = |raw, country| e164_digits(raw, country);
        assert_eq!(e("+1 (415) 555-0100", None), Some("14155550100".into()));
        assert_eq!(e("(415) 555-0100", Some("US")), Some("14155550100".into()));
        assert_eq!(e("1-415-555-0100", Some("us")), Some("14155550100".into()));
        assert_eq!(e("07911 123456", Some("GB")), Some("447911123456".into()));
        assert_eq!(e("447911123456", Some("GB")), Some("447911123456".into()));
        assert_eq!(e("0044 7911 123456", None), Some("447911123456".into()));
        assert_eq!(e("'+44 20 7183 8750", None), Some("442071838750".into()));
        assert_eq!(
            e("0170 1234567", Some("Germany")),
            Some("491701234567".into())
        );
        assert_eq!(e("06 1234 5678", Some("IT")), Some("390612345678".into()));
        assert_eq!(e("081 234 5678", Some("TH")), Some("66812345678".into()));
        assert_eq!(e("050 123 4567", Some("AE")), Some("971501234567".into()));
        assert_eq!(
            e("(415) 555-0100 x12", Some("US")),
            Some("14155550100".into())
        );
        assert_eq!(e("12345", Some("US")), None);
        assert_eq!(e("5550100", None), None);
        assert_eq!(e("5550100", Some("ZZ")), None);
        assert_eq!(e("+12", None), None);
    }

    #[test]
    fn countries_are_codes() {
        assert_eq!(country_code("us"), Some("US".into()));
        assert_eq!(country_code("United Kingdom"), Some("GB".into()));
        assert_eq!(country_code("UK"), Some("GB".into()));
        assert_eq!(country_code("Atlantis"), None);
    }

    #[test]
    fn names_split_at_the_first_word() {
        assert_eq!(
            split_name("Mary Ann  Smith"),
            ("Mary".into(), "Ann Smith".into())
        );
        assert_eq!(split_name("Cher"), ("Cher".into(), "".into()));
        assert_eq!(split_name(""), ("".into(), "".into()));
    }

    #[test]
    fn meta_rows_follow_the_research_example() {
        let person = jane();
        let (e164, outcome) = phone_of(&person);
        assert_eq!(outcome, PhoneOutcome::Valid);
        assert_eq!(
            row(Platform::Meta, &person, e164.as_deref(), false),
            [
                "jane.doe@example.com",
                "14155550100",
                "jane",
                "doe",
                "94103",
                "us"
            ]
        );
        assert_eq!(
            row(Platform::Meta, &person, e164.as_deref(), true),
            [
                "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d",
                "5e7ec4c79ccac6e420876e65ad0e6b4b2ccf73ec3dccb50297bf2890a1ec73b9",
                "81f8f6dde88365f3928796ec7aa53f72820b06db8664f5fe76a7eb13e24546a2",
                "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f",
                "91dc2519ea98c5002cf2091e6a12b772eafdce9dca618e626d7d3b8275361789",
                "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
            ]
        );
    }

    #[test]
    fn google_hashes_keep_country_and_zip_plain() {
        let person = jane();
        let (e164, _) = phone_of(&person);
        assert_eq!(
            row(Platform::Google, &person, e164.as_deref(), true),
            [
                "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d",
                "81f8f6dde88365f3928796ec7aa53f72820b06db8664f5fe76a7eb13e24546a2",
                "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f",
                "us",
                "94103",
                "40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0",
            ]
        );
    }

    #[test]
    fn meta_names_and_zips_lose_punctuation() {
        assert_eq!(meta_name("O'Brien-Smith"), "obriensmith");
        assert_eq!(meta_name("Valéry"), "valéry");
        assert_eq!(meta_zip("94103-1234", Some("US")), "94103");
        assert_eq!(meta_zip("SW1A 1AA", Some("GB")), "sw1a1aa");
        assert_eq!(
            sha256_hex("valéry"),
            "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"
        );
    }
}
