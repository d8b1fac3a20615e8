//! `goldpan audience`: a segment as an ad-platform customer-list upload.

use super::{protect_inputs, read_exports};
use crate::audience::{self, Counts, Platform};
use crate::cli::InputArgs;
use crate::config::{self, Settings};
use crate::consent;
use crate::customers::Totals;
use crate::exit_codes::usage;
use crate::model::{col as order, normalize_email, store_customer};
use crate::output::{self, Emitter, files};
use crate::segments::{self, Segment};
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, IntoLazy, col};
use std::path::{Path, PathBuf};

/// Write a segment as a Meta, Google or Klaviyo customer-list upload file
///
/// The segment's customers (or, with --list FILE, the customers of a list
/// goldpan wrote: a segment list, a buyers list, a customers file), in the
/// customer-list file each platform imports:
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
/// Marketing consent decides who is in the file, for every platform (their
/// terms exclude people who opted out). A customer's consent is that of their
/// latest order that says, or a Shopify customers export's Accepts Email
/// Marketing when one is given; --consent chooses the rule:
///
///   not-declined  (default) everyone but customers whose latest consent is
///                 no; unknown consent (BigCommerce, WooCommerce, --map
///                 without a consent column) is kept
///   opted-in      only customers whose latest consent is yes (strict e-mail
///                 lists)
///   ignore        everyone, with a warning
///
/// Those left out, and those whose consent is unknown, are counted.
///
/// Next to FILE, FILE.meta.json records the as-of date, platform, segment,
/// consent rule and those counts (the platforms reject unknown columns in the
/// file itself). With --separate-stores it names the stores too, and the
/// upload lists a person in several stores' segment once (counted).
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// The segment to upload, e.g. one_time or lapsed_90 (see `goldpan segments --help`)
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "list",
        conflicts_with = "list"
    )]
    pub segment: Option<String>,

    /// Upload the customers of this list file instead of a segment: a CSV
    /// goldpan wrote (segments, buyers, customers), matched to the exports'
    /// customers by its email column (else customer_id; store too with
    /// separate stores)
    #[arg(long, value_name = "FILE")]
    pub list: Option<PathBuf>,

    /// The platform whose upload format to write
    #[arg(long, value_enum)]
    pub platform: Platform,

    /// The upload file to write (CSV); FILE.meta.json is written beside it.
    /// A missing folder is created
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Write SHA-256 hashes of the normalized values (meta, google)
    #[arg(long)]
    pub hash: bool,

    /// Print the counts as one JSON object on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: Settings,
}

/// What was written and what was not: the sidecar and `--json`.
#[derive(Debug, serde::Serialize)]
struct Report {
    as_of: String,
    platform: Platform,
    segment: String,
    hashed: bool,
    /// The consent rule: who may be in the file.
    consent: &'static str,
    file: String,
    columns: Vec<&'static str>,
    #[serde(flatten)]
    counts: Counts,
    /// With --list: rows of the list that are no customer of the exports
    /// (or name none), left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    list_rows_not_customers: Option<u64>,
    /// Valid orders with no customer at all: in no segment, so in no upload.
    unattributed_orders: u64,
    /// The stores whose customers the upload holds (--separate-stores only:
    /// the upload file itself has no store column).
    #[serde(skip_serializing_if = "Option::is_none")]
    stores: Option<Vec<String>>,
    notes: Vec<String>,
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
    let settings = config::settings(config_file, &args.settings)?;
    // Usage mistakes are found before any input is read.
    if let Some(name) = &args.segment {
        find(segments::all(&settings.rules(), &Totals::default()), name)?;
    }
    protect_inputs(&args.input)?;
    let listed = match &args.list {
        Some(list) => {
            files::protect_inputs([list.as_path()]);
            Some(read_list(list)?)
        }
        None => None,
    };
    files::refuse_dangling_link(&args.out)?;
    files::refuse_input(&args.out)?;
    files::refuse_input(&sidecar(&args.out))?;
    let data = read_exports(&args.input, &settings)?;
    let (segment, list_rows_not_customers) = match (&args.segment, listed) {
        (Some(name), _) => {
            let totals = Totals::of(&data.customers)?;
            (find(segments::all(&settings.rules(), &totals), name)?, None)
        }
        (None, Some(listed)) => {
            let list = args.list.as_ref().expect("--list or --segment");
            list_segment(&data.customers, &list.display().to_string(), listed)?
        }
        (None, None) => unreachable!("clap requires --segment or --list"),
    };
    let consent = settings.audience_consent();
    let upload = audience::upload(&data.customers, &segment, consent, args.platform, args.hash)?;
    let report = Report {
        as_of: data.as_of.to_string(),
        platform: args.platform,
        segment: segment.name,
        hashed: args.hash,
        consent: consent.name(),
        file: args.out.display().to_string(),
        columns: upload.header.clone(),
        counts: upload.counts.clone(),
        list_rows_not_customers,
        unattributed_orders: unattributed_orders(&data.orders)?,
        stores: Some(args.input.store_names()?).filter(|stores| !stores.is_empty()),
        notes: data.notes,
    };
    // Both files are written in full before either is put in place: a
    // failed run leaves both old files, never a new list with an old sidecar.
    let list = files::stage(&args.out, |out| upload.write_csv(out))?;
    let meta = files::stage(&sidecar(&args.out), |out| {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        Ok(())
    })?;
    files::commit_all(vec![list, meta])?;
    let emitter = Emitter::new(args.json);
    if emitter.wants_json() {
        emitter.json(&report)?;
    }
    tell(&report, consent);
    Ok(())
}

/// The segment named `name`, or a usage error naming the segments.
fn find(all: Vec<Segment>, name: &str) -> Result<Segment> {
    let names: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
    match all.into_iter().find(|s| s.name == name) {
        Some(segment) => Ok(segment),
        None => usage!(
            "--segment: no segment named \"{name}\"; the segments are {}",
            names.join(", ")
        ),
    }
}

/// The customer keys (`crate::customers::field::CUSTOMER`) of a list file,
/// and how many of its rows name no customer (neither e-mail nor customer id).
struct Listed {
    keys: Vec<String>,
    unnamed: u64,
}

/// Reads a list goldpan wrote: its email (else customer_id) and store columns.
fn read_list(path: &Path) -> Result<Listed> {
    let file = path.display();
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("{file}: cannot read the list"))?;
    let header = reader
        .headers()
        .with_context(|| format!("{file}: cannot read the list's header"))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (email, customer_id, store) = (column("email"), column("customer_id"), column("store"));
    if email.is_none() && customer_id.is_none() {
        // The file's own data is wrong, not the command line: exit 1. Its
        // first columns are enough to recognize it (an orders export has 79).
        let shown: Vec<&str> = header.iter().take(6).collect();
        let more = if header.len() > 6 { ", …" } else { "" };
        anyhow::bail!(
            "--list {file}: not a customer list goldpan wrote (it has no email or customer_id \
             column; its columns: {}{more}): give a list from goldpan segments, buyers or \
             customers, or the export itself as EXPORT",
            crate::sanitize::printable(&shown.join(", "))
        );
    }
    let mut listed = Listed {
        keys: Vec::new(),
        unnamed: 0,
    };
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{file}: row {} cannot be read", i + 2))?;
        let cell = |index: Option<usize>| {
            let text = index.and_then(|i| record.get(i)).unwrap_or_default();
            // Undo the ' the lists put before what a spreadsheet would run.
            match text.strip_prefix('\'') {
                Some(rest) if output::needs_formula_escape(rest) => rest.to_string(),
                _ => text.to_string(),
            }
        };
        let key = match (normalize_email(&cell(email)), cell(customer_id).trim()) {
            (Some(email), _) => email,
            (None, id) if !id.is_empty() => format!("id:{id}"),
            _ => {
                listed.unnamed += 1;
                continue;
            }
        };
        listed.keys.push(match store {
            Some(_) => store_customer(cell(store).trim(), &key),
            None => key,
        });
    }
    Ok(listed)
}

/// The segment of the customers a list names, and how many of its rows are
/// no customer of the exports.
fn list_segment(
    customers: &DataFrame,
    name: &str,
    listed: Listed,
) -> Result<(Segment, Option<u64>)> {
    let known: std::collections::HashSet<&str> = customers
        .column(crate::customers::field::CUSTOMER)?
        .str()?
        .iter()
        .flatten()
        .collect();
    let mut keys = listed.keys;
    keys.sort_unstable();
    keys.dedup();
    let not_customers = keys.iter().filter(|k| !known.contains(k.as_str())).count() as u64;
    let series = <polars::prelude::Series as polars::prelude::NamedFrom<_, [String]>>::new(
        "listed".into(),
        keys,
    );
    let segment = Segment {
        name: name.to_string(),
        rule: format!("the customers of {name}"),
        about: format!("the customers of {name}"),
        members: col(crate::customers::field::CUSTOMER)
            .is_in(polars::prelude::lit(series).implode(false), false),
        extra_columns: &[],
    };
    Ok((segment, Some(not_customers + listed.unnamed)))
}

/// `FILE.meta.json` beside the upload file.
fn sidecar(file: &Path) -> PathBuf {
    let mut sidecar = file.as_os_str().to_owned();
    sidecar.push(".meta.json");
    PathBuf::from(sidecar)
}

/// What was written, and what was not, for people on stderr.
fn tell(report: &Report, consent: consent::Rule) {
    let counts = &report.counts;
    output::say(&format!(
        "{}: {} of {} {} customers as of {} for {}{}",
        report.file,
        counts.rows,
        counts.segment_customers,
        report.segment,
        report.as_of,
        report.platform.name(),
        if report.hashed { " (hashed)" } else { "" }
    ));
    if let Some(warning) = consent::warning(consent, &counts.consent) {
        output::warn(&warning);
    }
    for line in consent::told(consent, &counts.consent) {
        output::say(&line);
    }
    for (count, what) in [
        (
            counts.no_email_or_phone,
            "left out: no e-mail and no usable phone",
        ),
        (
            counts.invalid_phone,
            "phone(s) not written: not a valid number with a country code",
        ),
        (
            counts.duplicate_phone,
            "phone(s) not written: already on an earlier row",
        ),
        (
            counts.same_person_other_store.unwrap_or(0),
            "left out: the same person is on an earlier row, as a customer of another store",
        ),
        (
            report.unattributed_orders,
            "valid order(s) without an e-mail or customer id: in no segment, so in no upload",
        ),
        (
            report.list_rows_not_customers.unwrap_or(0),
            "row(s) of the list left out: no customer of these exports",
        ),
    ] {
        if count > 0 {
            output::say(&format!("{count} {what}"));
        }
    }
    if report.hashed && report.platform == Platform::Meta {
        output::note(
            "Meta's Ads Manager hashes a plain list itself; hashed columns are for the \
             Marketing API and partner tools",
        );
    }
}

/// Valid orders with neither e-mail nor customer id.
fn unattributed_orders(orders: &DataFrame) -> Result<u64> {
    let count = orders
        .clone()
        .lazy()
        .filter(
            col(order::EXCLUDED)
                .is_null()
                .and(col(order::CUSTOMER).is_null()),
        )
        .collect()?
        .height();
    Ok(count as u64)
}
