//! `goldpan segments`: one customer-list CSV per segment.

use super::{Dataset, predict, protect_inputs, read_exports};
use crate::cli::InputArgs;
use crate::config::{self, Settings};
use crate::consent;
use crate::customers::Totals;
use crate::exit_codes::usage;
use crate::lists::{self, Destination, Written};
use crate::output::manifest::{self, FileEntry, Manifest};
use crate::output::{self, Emit, Emitter, Table, files};
use crate::rfm;
use crate::segments::{self, Segment};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::IntoLazy;
use std::path::{Path, PathBuf};

/// Write one customer-list CSV per segment into a folder
#[derive(clap::Args, Debug)]
#[command(long_about = long_about())]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Folder for the segment files (created if missing; other files in it
    /// are left alone). goldpan-manifest.json, written last, lists the files
    /// with their checksums: a folder without it is a run that did not finish.
    /// `-` writes the one segment chosen with --only to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Write only these segments, e.g. --only lapsed_60,top_20
    #[arg(long, value_delimiter = ',', value_name = "SEGMENT,…")]
    pub only: Vec<String>,

    /// Do not put a ' before cells a spreadsheet would run as a formula
    /// (for programs, not spreadsheets, reading the files)
    #[arg(long)]
    pub no_formula_escape: bool,

    /// Also write one list per RFM group, rfm_<group>.csv (rfm_champions.csv, …;
    /// docs/rfm-and-prediction.md)
    #[arg(long)]
    pub rfm: bool,

    /// Print the segment counts as one JSON object on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub settings: Settings,
}

pub fn run(args: &Args, config_file: Option<&Path>) -> Result<()> {
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout && args.json {
        usage!(
            "--json and --out - both want stdout: write the segment to a folder, or drop --json"
        );
    }
    let settings = config::settings(config_file, &args.settings)?;
    let rules = settings.rules();
    // With --rfm, the RFM groups' lists too.
    let every_segment = |totals: &Totals| {
        let mut all = segments::all(&rules, totals);
        if args.rfm {
            all.extend(rfm::segments());
        }
        all
    };
    // Usage mistakes are found before any input is read.
    choose(every_segment(&Totals::default()), &args.only, to_stdout)?;
    protect_inputs(&args.input)?;
    if !to_stdout {
        files::refuse_dangling_link(&args.out)?;
        files::create_folder(&args.out)?;
        // Refuse a second run into the same folder before reading anything.
        files::lock_folder(&args.out)?;
        for segment in every_segment(&Totals::default()) {
            files::refuse_input(&args.out.join(format!("{}.csv", segment.name)))?;
        }
    }
    let mut data = read_exports(&args.input, &settings)?;
    let predicted = predict(&mut data, settings.horizon_days())?;
    crate::allocator::give_back_freed_memory();
    let totals = Totals::of(&data.customers)?;
    let chosen = choose(every_segment(&totals), &args.only, to_stdout)?;
    let emitter = Emitter::new(args.json);
    let destination = if to_stdout {
        Destination::Stdout(&emitter)
    } else {
        // From here until the new manifest is written, the folder is a run
        // in progress: a stopped run leaves it detectably incomplete.
        manifest::start(&args.out)?;
        Destination::Folder(&args.out)
    };

    // The orders table is not needed any more: free it before the lists.
    let Dataset {
        customers,
        report: ingest_report,
        as_of,
        notes,
        orders,
        items,
        histories,
    } = data;
    drop((orders, items, histories));
    crate::allocator::give_back_freed_memory();
    let mut customers = predicted.join(lists::list_table(customers, &rules, as_of)?)?;
    if args.rfm {
        customers = rfm::with_rfm(customers.lazy()).collect()?;
    }
    // Consent is applied after every rule: it leaves people out of the
    // lists, it does not move the lines between segments (top_20 stays
    // the top 20% of all customers).
    let consent = match settings.lists_consent() {
        Some(rule) => {
            let (kept, tally) = consent::apply(customers, rule)?;
            customers = kept;
            Some((rule, tally))
        }
        None => None,
    };
    let written = lists::write_lists(&customers, &chosen, &destination, !args.no_formula_escape)?;
    if !to_stdout {
        manifest::finish(
            &args.out,
            &run_manifest(args, &settings, as_of, &chosen, &written)?,
        )?;
    }

    if let Some((rule, tally)) = &consent {
        if let Some(warning) = consent::warning(*rule, tally) {
            output::warn(&warning);
        }
        for line in consent::told(*rule, tally) {
            output::say(&format!("every list: {line}"));
        }
    }
    // Without a rule the lists hold everyone: say how many said no to
    // marketing before someone mails a list as it is.
    if consent.is_none() {
        let declined = consent::declined(&customers)?;
        if declined > 0 {
            output::note(&format!(
                "{} of the {} customers declined marketing (accepts_marketing = no) and the \
                 lists keep them: --consent not-declined leaves them out, as goldpan audience \
                 does",
                declined,
                customers.height()
            ));
        }
    }
    if ingest_report.rows_rejected > 0 {
        output::say(&format!(
            "{} malformed row(s) skipped (--skip-bad-rows); --rejects FILE lists them",
            ingest_report.rows_rejected
        ));
    }
    emitter.report(&Report {
        as_of,
        totals,
        out: &args.out,
        lists: chosen.iter().zip(written).collect(),
        consent,
        notes,
    })
}

/// What this run wrote, for its manifest.
fn run_manifest(
    args: &Args,
    settings: &config::Resolved,
    as_of: NaiveDate,
    chosen: &[Segment],
    written: &[Written],
) -> Result<Manifest> {
    let mut flags = Vec::new();
    if !args.only.is_empty() {
        flags.push(format!("--only={}", args.only.join(",")));
    }
    if args.no_formula_escape {
        flags.push("--no-formula-escape".to_string());
    }
    if let Some(format) = args.input.format {
        flags.push(format!("--format={}", format.name));
    }
    flags.extend(args.input.map.iter().map(|map| format!("--map={map}")));
    if args.input.skip_bad_rows {
        flags.push("--skip-bad-rows".to_string());
    }
    let files = chosen
        .iter()
        .zip(written)
        .filter_map(|(segment, written)| {
            let digest = written.file.clone()?;
            Some(FileEntry::new(
                format!("{}.csv", segment.name),
                written.customers,
                digest,
            ))
        })
        .collect();
    Ok(Manifest {
        goldpan: env!("CARGO_PKG_VERSION").to_string(),
        command: "segments".to_string(),
        as_of: as_of.to_string(),
        settings: serde_json::to_value(&settings.settings)?,
        flags,
        inputs: args.input.exports.clone(),
        files,
    })
}

/// `--help`: the segments and their rules at the default settings (the
/// rules' own words, so that they cannot disagree with the code).
fn long_about() -> String {
    let rules = config::defaults().rules();
    let mut text = String::from(
        "Write one customer-list CSV per segment into a folder\n\n\
         The segments, with the default settings:\n\n",
    );
    for segment in segments::all(&rules, &Totals::default()) {
        let mut line = format!("  {:<12} ", segment.name);
        for word in segment.about.split(' ') {
            if line.len() + word.len() > 80 {
                text.push_str(line.trim_end());
                text.push('\n');
                line = " ".repeat(15);
            }
            line.push_str(word);
            line.push(' ');
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text.push_str(
        "\nEvery number is a setting below (a flag, or a key of goldpan.toml). Rows are\n\
         sorted by revenue (highest first), then e-mail, so the same export gives\n\
         byte-identical files. The last column, as_of, is the --as-of date used.\n\n\
         Every list holds all the customers of its segment, with their marketing\n\
         consent in accepts_marketing. To mail straight from a list, --consent\n\
         not-declined (or opted-in) leaves out customers by their consent, as\n\
         goldpan audience does (see goldpan audience --help).",
    );
    text
}

/// The segments `--only` names (all of them without it); stdout takes one.
fn choose(mut all: Vec<Segment>, only: &[String], to_stdout: bool) -> Result<Vec<Segment>> {
    if !only.is_empty() {
        let known: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
        if let Some(unknown) = only.iter().find(|name| !known.contains(&name.as_str())) {
            usage!(
                "--only: no segment named \"{unknown}\"; the segments are {}",
                known.join(", ")
            );
        }
        all.retain(|s| only.contains(&s.name));
    }
    if to_stdout && all.len() != 1 {
        usage!("--out -: stdout takes one segment; choose it with --only, e.g. --only lapsed_60");
    }
    Ok(all)
}

/// What was written: the `--json` object and the report on stderr.
struct Report<'a> {
    as_of: NaiveDate,
    totals: Totals,
    out: &'a Path,
    lists: Vec<(&'a Segment, Written)>,
    /// The consent rule, when one was set, and what it did.
    consent: Option<(consent::Rule, consent::Tally)>,
    notes: Vec<String>,
}

impl Report<'_> {
    /// `part` of `whole` as a fraction, `None` for an empty store.
    fn fraction(part: f64, whole: f64) -> Option<f64> {
        (whole != 0.0).then(|| part / whole)
    }

    /// `part` of `whole` as a percentage with one decimal, `-` for an empty store.
    fn percent(part: f64, whole: f64) -> String {
        Self::fraction(part, whole).map_or("-".to_string(), |f| format!("{:.1}%", 100.0 * f))
    }
}

impl serde::Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let customers = self.totals.customers as f64;
        let revenue = self.totals.revenue_cents as f64;
        let segments: Vec<serde_json::Value> = self
            .lists
            .iter()
            .map(|(segment, written)| {
                serde_json::json!({
                    "segment": segment.name,
                    "customers": written.customers,
                    "customer_share": Self::fraction(written.customers as f64, customers),
                    "revenue_share": Self::fraction(written.revenue_cents as f64, revenue),
                    "rule": segment.rule,
                })
            })
            .collect();
        serde_json::json!({
            "as_of": self.as_of.to_string(),
            "customers": self.totals.customers,
            "out": self.out.display().to_string(),
            "segments": segments,
            "consent": self.consent.map(|(rule, tally)| serde_json::json!({
                "rule": rule,
                "declined_marketing": tally.declined_marketing,
                "unknown_consent": tally.unknown_consent,
                "left_out_for_consent": tally.left_out_for_consent,
            })),
            "notes": self.notes,
        })
        .serialize(serializer)
    }
}

impl Emit for Report<'_> {
    fn table(&self) -> Table {
        let customers = self.totals.customers as f64;
        let revenue = self.totals.revenue_cents as f64;
        Table {
            title: format!(
                "Segments as of {} ({} customers):",
                self.as_of, self.totals.customers
            ),
            header: ["segment", "customers", "of customers", "of revenue", "rule"]
                .map(String::from)
                .to_vec(),
            rows: self
                .lists
                .iter()
                .map(|(segment, written)| {
                    vec![
                        segment.name.clone(),
                        written.customers.to_string(),
                        Self::percent(written.customers as f64, customers),
                        Self::percent(written.revenue_cents as f64, revenue),
                        segment.rule.clone(),
                    ]
                })
                .collect(),
        }
    }

    fn log_lines(&self) -> Vec<String> {
        let title = format!(
            "segments as of {} ({} customers)",
            self.as_of, self.totals.customers
        );
        let rows = self.table().rows.into_iter().map(|row| {
            format!(
                "{}: {} customers ({} of customers, {} of revenue)",
                row[0], row[1], row[2], row[3]
            )
        });
        std::iter::once(title).chain(rows).collect()
    }
}
