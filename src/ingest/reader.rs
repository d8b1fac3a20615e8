//! Reading an export file row by row, with every error located by file, line
//! and column.

use anyhow::{Context, Result, bail};
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};

/// A CSV export opened for reading, with its header.
pub struct ExportReader {
    file: String,
    csv: csv::Reader<Box<dyn Read>>,
    headers: Vec<String>,
    record: csv::ByteRecord,
}

/// A cell (or row) that could not be read, with where it is.
#[derive(Debug, Clone)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    /// 1-based column number and header name.
    pub column: Option<(usize, String)>,
    pub problem: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some((number, name)) = &self.column {
            write!(f, ": column {number} ({name})")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for RowError {}

/// Opens a path (`-` is stdin) and undoes gzip when the bytes say so.
fn open_bytes(path: &str) -> Result<Box<dyn Read>> {
    let raw: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        let file = File::open(path).with_context(|| format!("cannot open {path}"))?;
        with_progress(file, path)
    };
    let mut buffered = BufReader::with_capacity(1 << 20, raw);
    let head = buffered
        .fill_buf()
        .with_context(|| format!("cannot read {path}"))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        return Ok(Box::new(BufReader::with_capacity(
            1 << 20,
            MultiGzDecoder::new(buffered),
        )));
    }
    if head.starts_with(b"PK\x03\x04") {
        bail!(
            "{path}: this is a spreadsheet workbook (.xlsx) or zip, not a CSV file: \
             export the orders as CSV from the store admin"
        );
    }
    Ok(Box::new(buffered))
}

/// A progress bar on stderr while a file is read, for people watching a large
/// export; nothing when stderr is not a terminal (pipes, cron).
fn with_progress(file: File, path: &str) -> Box<dyn Read> {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if !std::io::stderr().is_terminal() || size < 50_000_000 {
        return Box::new(file);
    }
    let style = ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes} {eta}")
        .expect("a valid template");
    let bar = ProgressBar::new(size)
        .with_style(style)
        .with_message(format!("reading {path}"))
        .with_finish(ProgressFinish::AndClear);
    Box::new(bar.wrap_read(file))
}

impl ExportReader {
    pub fn open(path: &str) -> Result<Self> {
        let file = if path == "-" { "<stdin>" } else { path }.to_string();
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(open_bytes(path)?);
        let header_record = csv
            .byte_headers()
            .map_err(|err| anyhow::anyhow!("{file}: cannot read the header: {err}"))?
            .clone();
        let mut headers = Vec::with_capacity(header_record.len());
        for (i, raw) in header_record.iter().enumerate() {
            let text = std::str::from_utf8(raw).map_err(|_| {
                anyhow::anyhow!(
                    "{file}:1: column {}: the header is not UTF-8 text; is this a CSV export?",
                    i + 1
                )
            })?;
            let text = if i == 0 {
                text.trim_start_matches('\u{feff}')
            } else {
                text
            };
            headers.push(text.trim().to_string());
        }
        if headers.iter().all(String::is_empty) {
            bail!("{file}: the file is empty; expected a CSV export with a header row");
        }
        if headers.len() == 1 && headers[0].contains(';') {
            bail!(
                "{file}: the header is separated by ';', not ',': the file was probably opened \
                 and saved again by Excel, which also rewrites dates and long numbers. \
                 Export it again from the store and give goldpan that file unchanged"
            );
        }
        Ok(ExportReader {
            file,
            csv,
            headers,
            record: csv::ByteRecord::new(),
        })
    }

    /// The name errors use for this file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Position of the column with this header, if any.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The first few header names, for "this is not what we expected" errors.
    pub fn header_preview(&self) -> String {
        let shown: Vec<&str> = self.headers.iter().take(6).map(String::as_str).collect();
        let more = if self.headers.len() > 6 { ", …" } else { "" };
        format!("\"{}\"{more}", shown.join(", "))
    }

    /// Positions of required columns, or an error naming every missing one.
    pub fn require(&self, names: &[&str], what: &str) -> Result<Vec<usize>> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| self.column(n).is_none())
            .collect();
        if !missing.is_empty() {
            bail!(
                "{}: not a complete {what}: missing column(s) {}; its header starts {}",
                self.file,
                missing
                    .iter()
                    .map(|m| format!("\"{m}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.header_preview()
            );
        }
        Ok(names.iter().map(|n| self.column(n).unwrap()).collect())
    }

    /// Reads the next row; `false` at the end of the file.
    pub fn next_row(&mut self) -> Result<bool, RowError> {
        match self.csv.read_byte_record(&mut self.record) {
            Ok(more) => Ok(more),
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                let problem = match err.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "the row has {len} fields where the header has {expected_len} \
                         (a broken quote or a cut-off file?)"
                    ),
                    csv::ErrorKind::Io(io) => format!("cannot read the file: {io}"),
                    other => format!("not valid CSV: {other:?}"),
                };
                Err(RowError {
                    file: self.file.clone(),
                    line,
                    column: None,
                    problem,
                })
            }
        }
    }

    /// Line on which the current row starts.
    pub fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// The current row's cell, without one leading `'` (the mark a
    /// spreadsheet-safe export puts before zips and phones).
    pub fn cell(&self, index: usize) -> Result<&str, RowError> {
        let raw = self.record.get(index).unwrap_or_default();
        let text = std::str::from_utf8(raw)
            .map_err(|_| self.bad(index, "the cell is not UTF-8 text", raw))?;
        Ok(text.strip_prefix('\'').unwrap_or(text))
    }

    /// The cell of an optional column; empty when the export lacks it.
    pub fn optional_cell(&self, index: Option<usize>) -> Result<&str, RowError> {
        index.map_or(Ok(""), |i| self.cell(i))
    }

    /// An error about the current row's cell: what was expected, what is there.
    pub fn bad(&self, index: usize, expected: &str, found: &[u8]) -> RowError {
        let found = String::from_utf8_lossy(found);
        let found: String = found.chars().take(60).collect();
        RowError {
            file: self.file.clone(),
            line: self.line(),
            column: Some((index + 1, self.headers[index].clone())),
            problem: format!("expected {expected}, found \"{}\"", found.escape_debug()),
        }
    }

    /// Parses a cell with `parse`, or fails saying what was expected.
    pub fn parse<T>(
        &self,
        index: usize,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, RowError> {
        let text = self.cell(index)?;
        parse(text.trim()).ok_or_else(|| self.bad(index, expected, text.as_bytes()))
    }
}
