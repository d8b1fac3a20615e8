//! `goldpan audience`: a segment as an ad-platform customer-list upload.

use super::{load, usage};
use crate::audience::{self, Person, PhoneOutcome, Platform};
use crate::cli::{InputArgs, RuleArgs};
use crate::config;
use crate::customers::col;
use crate::metrics::Totals;
use crate::model::col as order;
use crate::output::write_atomically;
use crate::segments;
use anyhow::Result;
use polars::prelude::{IntoLazy, col as column};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a segment as a Meta, Google or Klaviyo customer-list upload file
///
/// The segment's customers, in the customer-list file each platform imports:
///
///   meta     email,phone,fn,ln,zip,country          (Custom Audience list)
///   google   Email,First Name,Last Name,Country,Zip,Phone   (Customer Match)
///   klaviyo  Email,Phone Number,First Name,Last Name,Country,Zip Code
///
/// Values are normalized the way each platform asks: e-mail trimmed and lower
/// case, phone in E.164 with its country code (meta: digits only; google and
/// klaviyo: with +), names split at the first word. --hash writes the SHA-256
/// hex of the normalized values instead (not klaviyo; google keeps Country and
/// Zip plain, as it requires). A customer with neither an e-mail nor a usable
/// phone cannot be uploaded: they are left out and counted. A phone that
/// cannot be made E.164 is left empty and counted.
///
/// Next to FILE, FILE.meta.json records the as-of date, platform, segment and
/// those counts (the platforms reject unknown columns in the file itself).
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// The segment to upload, e.g. one_time or lapsed_90 (see `goldpan segments --help`)
    #[arg(long, value_name = "NAME")]
    pub segment: String,

    /// The platform whose upload format to write
    #[arg(long, value_enum)]
    pub platform: Platform,

    /// The upload file to write (CSV); FILE.meta.json is written beside it
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Write SHA-256 hashes of the normalized values (meta, google)
    #[arg(long)]
    pub hash: bool,

    /// Print the counts as one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

/// What was written and what was not: the sidecar and `--json`.
#[derive(Debug, Default, serde::Serialize)]
struct Report {
    as_of: String,
    platform: Option<Platform>,
    segment: String,
    hashed: bool,
    file: String,
    columns: Vec<&'static str>,
    /// Customers in the segment.
    segment_customers: u64,
    /// Rows written.
    rows: u64,
    /// Customers left out: no e-mail and no usable phone.
    no_email_or_phone: u64,
    /// Phones that could not be made E.164 (left empty).
    invalid_phone: u64,
    /// Customers without any phone.
    no_phone: u64,
    /// klaviyo: a phone already given to an earlier row (left empty; Klaviyo
    /// refuses duplicate phones).
    duplicate_phone: u64,
    /// Valid orders with no customer at all: in no segment, so in no upload.
    unattributed_orders: u64,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    if args.hash && !args.platform.accepts_hashes() {
        usage!(
            "--hash: Klaviyo imports plain e-mail addresses and phone numbers (it sends to \
             them), not hashes; drop --hash for --platform klaviyo"
        );
    }
    if args.out.as_os_str() == "-" {
        usage!("--out -: audience writes a file and its FILE.meta.json; give a file name");
    }
    let settings = config::load(
        config_file,
        &args.input.settings().or(args.rules.settings()),
    )?;
    let rules = settings.rules();
    let store = load(&args.input, &settings)?;
    let totals = Totals::of(&store.customers)?;
    let all = segments::all(&rules, &totals);
    let Some(segment) = all.iter().find(|s| s.name == args.segment) else {
        let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
        usage!(
            "--segment: no segment named \"{}\"; the segments are {}",
            args.segment,
            names.join(", ")
        );
    };
    let members = store
        .customers
        .clone()
        .lazy()
        .filter(segment.members.clone())
        .select([
            column(col::EMAIL),
            column(col::NAME),
            column(col::PHONE),
            column(col::ZIP),
            column(col::COUNTRY),
        ])
        .collect()?;
    let text = |name: &str| -> Result<Vec<Option<String>>> {
        Ok(members
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let (emails, names, phones, zips, countries) = (
        text(col::EMAIL)?,
        text(col::NAME)?,
        text(col::PHONE)?,
        text(col::ZIP)?,
        text(col::COUNTRY)?,
    );

    let mut report = Report {
        as_of: store.as_of.to_string(),
        platform: Some(args.platform),
        segment: segment.name.clone(),
        hashed: args.hash,
        file: args.out.display().to_string(),
        columns: args.platform.header(),
        segment_customers: members.height() as u64,
        unattributed_orders: unattributed_orders(&store.orders)?,
        ..Report::default()
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut phones_seen: HashSet<String> = HashSet::new();
    for i in 0..members.height() {
        let person = Person {
            email: emails[i].as_deref(),
            name: names[i].as_deref(),
            phone: phones[i].as_deref(),
            zip: zips[i].as_deref(),
            country: countries[i].as_deref(),
        };
        let (mut e164, outcome) = audience::phone_of(&person);
        match outcome {
            PhoneOutcome::None => report.no_phone += 1,
            PhoneOutcome::Invalid => report.invalid_phone += 1,
            PhoneOutcome::Valid => {}
        }
        if args.platform == Platform::Klaviyo
            && let Some(digits) = &e164
            && !phones_seen.insert(digits.clone())
        {
            report.duplicate_phone += 1;
            e164 = None;
        }
        if person.email.is_none() && e164.is_none() {
            report.no_email_or_phone += 1;
            continue;
        }
        rows.push(audience::row(
            args.platform,
            &person,
            e164.as_deref(),
            args.hash,
        ));
    }
    report.rows = rows.len() as u64;

    write_atomically(&args.out, |out| {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(&report.columns)?;
        for row in &rows {
            csv.write_record(row)?;
        }
        csv.flush()?;
        Ok(())
    })?;
    let mut sidecar = args.out.clone().into_os_string();
    sidecar.push(".meta.json");
    let sidecar = PathBuf::from(sidecar);
    write_atomically(&sidecar, |out| {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        Ok(())
    })?;

    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
    }
    eprintln!(
        "goldpan: {}: {} of {} {} customers as of {} for {}{}",
        args.out.display(),
        report.rows,
        report.segment_customers,
        report.segment,
        report.as_of,
        args.platform.name(),
        if args.hash { " (hashed)" } else { "" }
    );
    for (count, what) in [
        (
            report.no_email_or_phone,
            "left out: no e-mail and no usable phone",
        ),
        (
            report.invalid_phone,
            "phone(s) not written: not a valid number with a country code",
        ),
        (
            report.duplicate_phone,
            "phone(s) not written: already on an earlier row",
        ),
        (
            report.unattributed_orders,
            "valid order(s) without an e-mail or customer id: in no segment, so in no upload",
        ),
    ] {
        if count > 0 {
            eprintln!("goldpan: {count} {what}");
        }
    }
    if args.hash && args.platform == Platform::Meta {
        eprintln!(
            "goldpan: note: Meta's Ads Manager hashes a plain list itself; hashed columns are \
             for the Marketing API and partner tools"
        );
    }
    Ok(())
}

/// Valid orders with neither e-mail nor customer id.
fn unattributed_orders(orders: &polars::prelude::DataFrame) -> Result<u64> {
    let count = orders
        .clone()
        .lazy()
        .filter(
            column(order::EXCLUDED)
                .is_null()
                .and(column(order::CUSTOMER).is_null()),
        )
        .collect()?
        .height();
    Ok(count as u64)
}
