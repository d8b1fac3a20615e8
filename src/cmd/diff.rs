//! `goldpan diff OLD_DIR NEW_DIR --out DIR`: who entered and who left each
//! segment between two runs of `goldpan segments`.

use crate::customers::field;
use crate::exit_codes::usage;
use crate::lists::AS_OF;
use crate::model::store_customer;
use crate::output::{self, Emit, Emitter, Table, files, manifest, write_atomically, write_csv};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Who entered and who left each segment between two runs of `segments`
///
/// Compare two folders written by `goldpan segments` (say last week's and
/// this week's) and write, for every segment file found in both:
///
///   <segment>.entered.csv   customers in the new file but not in the old one
///   <segment>.left.csv      customers in the old file but not in the new one
///
/// with the same columns as the segment files (entered rows from the new
/// file, left rows from the old one), and diff_summary.csv with the counts.
/// A customer is their e-mail, or their customer_id when the e-mail is
/// empty; in lists of separate stores (segments --separate-stores, a store
/// column), their store and e-mail or customer_id. Only membership counts: a customer in both files is in neither
/// list, however their figures changed. A segment file in only one folder is
/// reported, not compared.
///
/// Both folders must be complete runs: goldpan segments writes
/// goldpan-manifest.json last, with each file's size and SHA-256, and diff
/// refuses (exit 1) a folder without one or whose files do not match it (a
/// run that was killed or failed part way). Only the files of the manifest
/// are compared. The counts also go to stdout (a table on a terminal, else
/// CSV; --json for JSON). Exits 0 whether or not anyone moved.
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Folder of the earlier run
    #[arg(value_name = "OLD_DIR")]
    pub old: PathBuf,

    /// Folder of the later run
    #[arg(value_name = "NEW_DIR")]
    pub new: PathBuf,

    /// Folder for the .entered.csv/.left.csv files and diff_summary.csv
    /// (created if missing; other files in it are left alone)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Print the counts as one JSON object
    #[arg(long)]
    pub json: bool,

    /// Compare folders without a goldpan manifest (lists not written by
    /// goldpan segments, or by an older goldpan): every <name>.csv in them,
    /// without checking that they are complete runs
    #[arg(long)]
    pub unchecked: bool,
}

/// The file the counts are written to, in the `--out` folder.
pub const SUMMARY_FILE: &str = "diff_summary.csv";

/// One segment file read: header, rows as they are, and each row's key.
struct SegmentFile {
    header: csv::StringRecord,
    rows: Vec<csv::StringRecord>,
    keys: Vec<String>,
    as_of: Option<String>,
    /// Whether the file has a `store` column (lists of separate stores).
    stores: bool,
}

/// The counts of one segment.
#[derive(Debug, serde::Serialize)]
struct Moves {
    segment: String,
    old: usize,
    new: usize,
    entered: usize,
    left: usize,
}

/// Segment files of a run folder: those of its manifest, once the run is
/// checked complete; with `--unchecked`, every `<name>.csv` with no other dot
/// in the name (so `.entered.csv`, `.left.csv` and hidden files are not),
/// except the diff summary.
/// The segment files of a run folder by name, and the run's as-of date when
/// its manifest is read (not with `--unchecked`).
fn segment_files(
    dir: &Path,
    unchecked: bool,
) -> Result<(BTreeMap<String, PathBuf>, Option<String>)> {
    if !unchecked {
        let manifest = manifest::verify(dir)?;
        let files = manifest
            .files
            .iter()
            .filter_map(|file| {
                let stem = file.name.strip_suffix(".csv")?;
                Some((stem.to_string(), dir.join(&file.name)))
            })
            .collect();
        return Ok((files, Some(manifest.as_of)));
    }
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?;
    let mut files = BTreeMap::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read the folder {}", dir.display()))?
            .path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".csv") else {
            continue;
        };
        if stem.is_empty() || stem.contains('.') || name == SUMMARY_FILE || !path.is_file() {
            continue;
        }
        files.insert(stem.to_string(), path);
    }
    Ok((files, None))
}

/// Where a segment file's customer key is.
#[derive(Clone, Copy)]
struct KeyColumns {
    email: usize,
    id: Option<usize>,
    store: Option<usize>,
}

/// A row's customer: its e-mail, else `id:<customer_id>`; with a store
/// column, its store first, as the customer key of that store. A
/// spreadsheet-safe `'` written before a risky cell is not part of the value.
fn key_of(row: &csv::StringRecord, columns: KeyColumns) -> Option<String> {
    let cell = |i: usize| {
        let text = row.get(i).unwrap_or_default().trim();
        text.strip_prefix('\'').unwrap_or(text).to_string()
    };
    let email = cell(columns.email);
    let customer = if email.is_empty() {
        let id = columns.id.map(cell).unwrap_or_default();
        (!id.is_empty()).then(|| format!("id:{id}"))?
    } else {
        email
    };
    match columns.store {
        Some(store) => Some(store_customer(&cell(store), &customer)),
        None => Some(customer),
    }
}

fn read_segment_file(path: &Path) -> Result<Option<SegmentFile>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .clone();
    let position = |name: &str| header.iter().position(|h| h == name);
    let Some(email) = position(field::EMAIL) else {
        return Ok(None);
    };
    let columns = KeyColumns {
        email,
        id: position(field::CUSTOMER_ID),
        store: position(field::STORE),
    };
    let as_of_column = position(AS_OF);
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    let mut as_of = None;
    for record in reader.records() {
        let row = record.with_context(|| format!("cannot read {}", path.display()))?;
        let Some(key) = key_of(&row, columns) else {
            let line = row.position().map_or(0, |p| p.line());
            bail!(
                "{}:{line}: a row with neither email nor customer_id: cannot tell who it is",
                path.display()
            );
        };
        if as_of.is_none() {
            as_of = as_of_column.and_then(|i| row.get(i)).map(str::to_string);
        }
        keys.push(key);
        rows.push(row);
    }
    Ok(Some(SegmentFile {
        header,
        rows,
        keys,
        as_of,
        stores: columns.store.is_some(),
    }))
}

/// Rows of `from` whose customer is not in `other`, in `from`'s order.
fn not_in<'a>(from: &'a SegmentFile, other: &SegmentFile) -> Vec<&'a csv::StringRecord> {
    let others: HashSet<&str> = other.keys.iter().map(String::as_str).collect();
    from.rows
        .iter()
        .zip(&from.keys)
        .filter(|(_, key)| !others.contains(key.as_str()))
        .map(|(row, _)| row)
        .collect()
}

fn write_rows(path: &Path, header: &csv::StringRecord, rows: &[&csv::StringRecord]) -> Result<()> {
    write_atomically(path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(header)?;
        for row in rows {
            csv.write_record(*row)?;
        }
        csv.flush()?;
        Ok(())
    })?;
    Ok(())
}

pub fn run(args: &Args) -> Result<()> {
    for dir in [&args.old, &args.new] {
        if !dir.is_dir() {
            bail!(
                "{}: no such folder (give two folders written by goldpan segments)",
                dir.display()
            );
        }
    }
    if args.old.canonicalize()? == args.new.canonicalize()? {
        usage!("OLD_DIR and NEW_DIR are the same folder: nothing to compare");
    }
    if args.out.as_os_str() == "-" {
        usage!(
            "--out -: diff writes a folder of files; give a folder (the counts go to stdout anyway)"
        );
    }
    files::refuse_dangling_link(&args.out)?;
    // Both runs are checked before anything is written.
    let (old_files, old_as_of) = segment_files(&args.old, args.unchecked)?;
    let (new_files, new_as_of) = segment_files(&args.new, args.unchecked)?;
    // Swapped folders would silently swap who entered and who left.
    if let (Some(old), Some(new)) = (&old_as_of, &new_as_of)
        && old > new
    {
        usage!(
            "{} is as of {old}, later than {} as of {new}: give the older run first \
             (goldpan diff OLD_DIR NEW_DIR)",
            args.old.display(),
            args.new.display()
        );
    }
    files::protect_inputs(
        old_files
            .values()
            .chain(new_files.values())
            .map(PathBuf::as_path),
    );
    files::create_folder(&args.out)?;
    let report = compare(args, &old_files, &new_files)?;
    if report.moves.is_empty() && report.not_segments.is_empty() {
        bail!(
            "no segment file is in both {} and {}: are they folders written by goldpan segments?",
            args.old.display(),
            args.new.display()
        );
    }
    write_atomically(&args.out.join(SUMMARY_FILE), |out| {
        write_csv(&report.table(), out)
    })?;
    Emitter::new(args.json).data(&report)?;
    report.tell();
    Ok(())
}

/// Compares the segment files found in both folders, writing each one's
/// entered and left lists into `--out`.
fn compare<'a>(
    args: &'a Args,
    old_files: &BTreeMap<String, PathBuf>,
    new_files: &BTreeMap<String, PathBuf>,
) -> Result<Report<'a>> {
    let mut report = Report {
        args,
        moves: Vec::new(),
        only_old: Vec::new(),
        only_new: Vec::new(),
        not_segments: Vec::new(),
        old_as_of: None,
        new_as_of: None,
    };
    for (name, old_path) in old_files {
        let Some(new_path) = new_files.get(name) else {
            report.only_old.push(name.clone());
            continue;
        };
        let (Some(old), Some(new)) = (read_segment_file(old_path)?, read_segment_file(new_path)?)
        else {
            report.not_segments.push(format!("{name}.csv"));
            continue;
        };
        if old.stores != new.stores {
            let (with, without) = if old.stores {
                (old_path, new_path)
            } else {
                (new_path, old_path)
            };
            bail!(
                "{} has a store column and {} has none: lists of separate stores \
                 (--separate-stores) and of one store cannot be compared; run segments the same \
                 way both times",
                with.display(),
                without.display()
            );
        }
        report.old_as_of = report.old_as_of.or(old.as_of.clone());
        report.new_as_of = report.new_as_of.or(new.as_of.clone());
        let entered = not_in(&new, &old);
        let left = not_in(&old, &new);
        let out = |what: &str| args.out.join(format!("{name}.{what}.csv"));
        write_rows(&out("entered"), &new.header, &entered)?;
        write_rows(&out("left"), &old.header, &left)?;
        report.moves.push(Moves {
            segment: name.clone(),
            old: old.rows.len(),
            new: new.rows.len(),
            entered: entered.len(),
            left: left.len(),
        });
    }
    report.only_new = new_files
        .keys()
        .filter(|name| !old_files.contains_key(*name))
        .cloned()
        .collect();
    Ok(report)
}

/// The comparison: the summary file, stdout and `--json`.
struct Report<'a> {
    args: &'a Args,
    moves: Vec<Moves>,
    /// Segment files in only one folder, not compared.
    only_old: Vec<String>,
    only_new: Vec<String>,
    /// CSV files in both folders without an email column.
    not_segments: Vec<String>,
    old_as_of: Option<String>,
    new_as_of: Option<String>,
}

impl Report<'_> {
    /// Notes on stderr about the files that were not compared.
    fn tell(&self) {
        for (names, what) in [
            (
                &self.only_old,
                format!("only in {}", self.args.old.display()),
            ),
            (
                &self.only_new,
                format!("only in {}", self.args.new.display()),
            ),
        ] {
            if !names.is_empty() {
                output::note(&format!("not compared, {what}: {}", names.join(", ")));
            }
        }
        if !self.not_segments.is_empty() {
            output::note(&format!(
                "not compared, no email column (not a goldpan segment file): {}",
                self.not_segments.join(", ")
            ));
        }
    }
}

impl serde::Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::json!({
            "old_as_of": self.old_as_of.as_deref().filter(|d| !d.is_empty()),
            "new_as_of": self.new_as_of.as_deref().filter(|d| !d.is_empty()),
            "old_dir": self.args.old.display().to_string(),
            "new_dir": self.args.new.display().to_string(),
            "out": self.args.out.display().to_string(),
            "segments": self.moves,
            "only_in_old": self.only_old,
            "only_in_new": self.only_new,
            "not_segment_files": self.not_segments,
        })
        .serialize(serializer)
    }
}

impl Emit for Report<'_> {
    /// diff_summary.csv: the counts and both as-of dates.
    fn table(&self) -> Table {
        let old_as_of = self.old_as_of.clone().unwrap_or_default();
        let new_as_of = self.new_as_of.clone().unwrap_or_default();
        Table {
            title: format!("Segment moves from {old_as_of} to {new_as_of}:"),
            header: [
                "segment",
                "old",
                "new",
                "entered",
                "left",
                "old_as_of",
                "new_as_of",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .moves
                .iter()
                .map(|m| {
                    vec![
                        m.segment.clone(),
                        m.old.to_string(),
                        m.new.to_string(),
                        m.entered.to_string(),
                        m.left.to_string(),
                        old_as_of.clone(),
                        new_as_of.clone(),
                    ]
                })
                .collect(),
        }
    }

    /// The as-of dates are in the title.
    fn terminal_table(&self) -> Table {
        let mut table = self.table();
        table.header.truncate(5);
        for row in &mut table.rows {
            row.truncate(5);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_email_else_customer_id() {
        let columns = KeyColumns {
            email: 0,
            id: Some(1),
            store: None,
        };
        let row = csv::StringRecord::from(vec!["'-ann@x.com", "7"]);
        assert_eq!(key_of(&row, columns), Some("-ann@x.com".into()));
        let row = csv::StringRecord::from(vec!["", "42"]);
        assert_eq!(key_of(&row, columns), Some("id:42".into()));
        let row = csv::StringRecord::from(vec!["", ""]);
        assert_eq!(key_of(&row, columns), None);
    }

    #[test]
    fn with_a_store_column_the_key_is_the_store_and_the_customer() {
        let columns = KeyColumns {
            email: 1,
            id: Some(2),
            store: Some(0),
        };
        let in_a = csv::StringRecord::from(vec!["shop_a", "ann@x.com", ""]);
        let in_b = csv::StringRecord::from(vec!["shop_b", "ann@x.com", ""]);
        assert_ne!(key_of(&in_a, columns), key_of(&in_b, columns));
        let by_id = csv::StringRecord::from(vec!["shop_b", "", "42"]);
        assert_eq!(
            key_of(&by_id, columns),
            Some(store_customer("shop_b", "id:42"))
        );
    }
}
