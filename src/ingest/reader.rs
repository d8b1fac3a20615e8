//! Reading an export file row by row, with every error located by file, line
//! and column.

use super::archive;
use crate::sanitize::printable;
use anyhow::{Context, Result, bail};
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// The column names of an export's first row, trimmed.
pub struct Header {
    names: Vec<String>,
}

impl Header {
    pub fn new(names: Vec<String>) -> Header {
        Header { names }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Position of the column with this name, if any.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|h| h == name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }

    /// The first few names, for "this is not what we expected" errors.
    pub fn preview(&self) -> String {
        let shown: Vec<&str> = self.names.iter().take(6).map(String::as_str).collect();
        let more = if self.names.len() > 6 { ", …" } else { "" };
        // Header text comes from the file: keep control characters off the terminal.
        printable(&format!("\"{}\"{more}", shown.join(", ")))
    }
}

/// The longest cell goldpan reads: no store export has a cell near it, and a
/// cell that grows past it is a broken quote, or not an export at all (a
/// stream of zeros): stopping keeps memory bounded by the export's content.
pub const MAX_CELL_BYTES: u64 = 1 << 20;
/// The longest row goldpan reads, all its cells together.
pub const MAX_ROW_BYTES: u64 = 16 << 20;

/// Where the CSV parser is within a record, as `csv_core` sees it with its
/// default settings (`,`, `"` doubled inside quotes, `\r`, `\n` or `\r\n`
/// ends a record).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    StartOfRecord,
    StartOfCell,
    InCell,
    InQuotedCell,
    /// A `"` inside a quoted cell: either the first of `""` or its end.
    QuoteInQuotedCell,
}

/// Why [`Guarded`] stopped reading a file.
#[derive(Debug)]
pub enum Unreadable {
    /// The file ends inside a quoted cell that opened on this line.
    UnclosedQuote { line: u64 },
    /// A cell of the record starting on this line is longer than [`MAX_CELL_BYTES`].
    CellTooLong { line: u64 },
    /// The record starting on this line is longer than [`MAX_ROW_BYTES`].
    RowTooLong { line: u64 },
}

impl Unreadable {
    pub fn line(&self) -> u64 {
        match self {
            Unreadable::UnclosedQuote { line }
            | Unreadable::CellTooLong { line }
            | Unreadable::RowTooLong { line } => *line,
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::UnclosedQuote { .. } => write!(
                f,
                "the file ends inside a quoted cell that opens on this line: a \" is not \
                 closed, so every line after it would be read as part of that cell"
            ),
            Unreadable::CellTooLong { .. } => write!(
                f,
                "a cell of this row is longer than {} MiB, which no store export has \
                 (a quote that is not closed, or not a CSV export?)",
                MAX_CELL_BYTES >> 20
            ),
            Unreadable::RowTooLong { .. } => write!(
                f,
                "this row is longer than {} MiB, which no store export has \
                 (a quote that is not closed, or not a CSV export?)",
                MAX_ROW_BYTES >> 20
            ),
        }
    }
}

impl std::error::Error for Unreadable {}

/// The [`Unreadable`] behind a CSV error, if that is what stopped the parser.
fn unreadable(err: &csv::Error) -> Option<&Unreadable> {
    match err.kind() {
        csv::ErrorKind::Io(io) => io.get_ref()?.downcast_ref::<Unreadable>(),
        _ => None,
    }
}

/// The bytes of an export on their way to the CSV parser, watched as the
/// parser will split them: a cell or row past its cap, or the end of the file
/// inside quotes, is an error before the parser buffers it.
pub struct Guarded<R> {
    inner: R,
    quoting: Quoting,
    /// Line being read, from 1.
    line: u64,
    record_line: u64,
    quote_line: u64,
    cell_bytes: u64,
    record_bytes: u64,
}

impl<R: Read> Guarded<R> {
    pub fn new(inner: R) -> Self {
        Guarded {
            inner,
            quoting: Quoting::StartOfRecord,
            line: 1,
            record_line: 1,
            quote_line: 1,
            cell_bytes: 0,
            record_bytes: 0,
        }
    }

    fn watch(&mut self, bytes: &[u8]) -> Result<(), Unreadable> {
        let mut at = 0;
        while at < bytes.len() {
            // Inside a cell, the bytes up to the next one that can end it
            // change nothing but the counts: skipped in one tight loop, as
            // most cells are a few bytes long (shorter than memchr pays off).
            let rest = &bytes[at..];
            let plain = match self.quoting {
                Quoting::InQuotedCell => {
                    let plain = rest.iter().position(|&b| b == b'"').unwrap_or(rest.len());
                    self.line += rest[..plain].iter().filter(|&&b| b == b'\n').count() as u64;
                    plain
                }
                Quoting::InCell => rest
                    .iter()
                    .position(|&b| matches!(b, b',' | b'\r' | b'\n'))
                    .unwrap_or(rest.len()),
                _ => 0,
            };
            if plain > 0 {
                self.cell_bytes += plain as u64;
                self.record_bytes += plain as u64;
                self.check_caps()?;
                at += plain;
                continue;
            }
            self.step(rest[0]);
            self.check_caps()?;
            at += 1;
        }
        Ok(())
    }

    /// One byte through the state machine.
    fn step(&mut self, byte: u8) {
        use Quoting::*;
        if self.quoting == StartOfRecord && byte != b'\r' && byte != b'\n' {
            self.record_line = self.line;
            self.record_bytes = 0;
        }
        if byte == b'\n' {
            self.line += 1;
        }
        self.quoting = match (self.quoting, byte) {
            (InQuotedCell, b'"') => QuoteInQuotedCell,
            (InQuotedCell, _) => InQuotedCell,
            (QuoteInQuotedCell, b'"') => InQuotedCell,
            (StartOfRecord | StartOfCell, b'"') => {
                self.quote_line = self.line;
                InQuotedCell
            }
            (_, b',') => StartOfCell,
            (_, b'\r' | b'\n') => StartOfRecord,
            (StartOfRecord | StartOfCell | InCell | QuoteInQuotedCell, _) => InCell,
        };
        match self.quoting {
            StartOfCell => self.cell_bytes = 0,
            StartOfRecord => {
                self.cell_bytes = 0;
                self.record_bytes = 0;
            }
            _ => {
                self.cell_bytes += 1;
                self.record_bytes += 1;
            }
        }
    }

    fn check_caps(&self) -> Result<(), Unreadable> {
        if self.cell_bytes > MAX_CELL_BYTES {
            return Err(Unreadable::CellTooLong {
                line: self.record_line,
            });
        }
        if self.record_bytes > MAX_ROW_BYTES {
            return Err(Unreadable::RowTooLong {
                line: self.record_line,
            });
        }
        Ok(())
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && matches!(self.quoting, Quoting::InQuotedCell) {
            return Err(std::io::Error::other(Unreadable::UnclosedQuote {
                line: self.quote_line,
            }));
        }
        self.watch(&buf[..read]).map_err(std::io::Error::other)?;
        Ok(read)
    }
}

/// A CSV export opened for reading, with its header.
pub struct ExportReader {
    file: String,
    header: Header,
    /// The current row.
    record: csv::ByteRecord,
    /// Whether the current row holds a line break (inside quotes).
    record_has_line_break: bool,
    /// Rows parsed ahead, and the next one to hand out.
    batch: Batch,
    next: usize,
    rows: Rows,
}

/// Rows parsed ahead, in file order.
#[derive(Default)]
struct Batch {
    rows: Vec<csv::ByteRecord>,
    /// Whether each row holds a line break: looked for by the parser, while
    /// the row's bytes are in its core's cache (on the reading thread that
    /// search was 3-4% of a large export's time).
    line_breaks: Vec<bool>,
}

/// What parsing gives: rows in file order, or the error of a row.
enum Parsed {
    Rows(Batch),
    Error(csv::Error, csv::ByteRecord),
}

const BATCH_ROWS: usize = 1024;
const BATCH_BYTES: usize = 4 << 20;

/// Where the reader's rows come from.
enum Rows {
    /// A thread of its own splits the file into CSV records: on a large
    /// export that is a third of the work, and it overlaps with building the
    /// orders.
    Thread {
        parsed: Receiver<Parsed>,
        /// Batches handed back to the parser thread, to reuse their memory.
        spent: SyncSender<Batch>,
    },
    /// With `--threads 1` the reading thread splits them itself, so that
    /// goldpan keeps to one core.
    Inline {
        csv: csv::Reader<Box<dyn Read + Send>>,
        pending: VecDeque<Parsed>,
        reuse: Batch,
        done: bool,
    },
}

impl Rows {
    fn new(mut csv: csv::Reader<Box<dyn Read + Send>>) -> Rows {
        if crate::threads::count() == 1 {
            return Rows::Inline {
                csv,
                pending: VecDeque::new(),
                reuse: Batch::default(),
                done: false,
            };
        }
        let (send_parsed, parsed) = sync_channel::<Parsed>(4);
        let (spent, reuse) = sync_channel::<Batch>(8);
        std::thread::spawn(move || {
            loop {
                let batch = reuse.try_recv().unwrap_or_default();
                let (messages, last) = parse_batch(&mut csv, batch);
                for message in messages {
                    // A failed send means the reader was dropped: nobody
                    // wants more rows.
                    if send_parsed.send(message).is_err() {
                        return;
                    }
                }
                if last {
                    return;
                }
            }
        });
        Rows::Thread { parsed, spent }
    }

    /// The next batch of rows, or the error of a row; `None` at the end.
    /// `spent` is the previous batch, handed back for its memory.
    fn next(&mut self, spent_batch: Batch) -> Option<Parsed> {
        match self {
            Rows::Thread { parsed, spent } => {
                let _ = spent.try_send(spent_batch);
                parsed.recv().ok()
            }
            Rows::Inline {
                csv,
                pending,
                reuse,
                done,
            } => {
                *reuse = spent_batch;
                if pending.is_empty() && !*done {
                    let (messages, last) = parse_batch(csv, std::mem::take(reuse));
                    pending.extend(messages);
                    *done = last;
                }
                pending.pop_front()
            }
        }
    }
}

/// Fills one batch with the next rows, and adds the error of a row when one
/// ends it; `true` when nothing more is to be read.
fn parse_batch(
    csv: &mut csv::Reader<Box<dyn Read + Send>>,
    Batch {
        mut rows,
        mut line_breaks,
    }: Batch,
) -> (Vec<Parsed>, bool) {
    rows.resize_with(BATCH_ROWS, csv::ByteRecord::new);
    line_breaks.clear();
    let mut filled = 0;
    let mut batch_bytes = 0;
    // The error of the row that ends the batch, and whether the file ends.
    let mut error = None;
    let mut last = false;
    // Long rows end a batch early: the batches in flight stay a few MiB
    // however long the rows are.
    while filled < BATCH_ROWS && batch_bytes <= BATCH_BYTES {
        match csv.read_byte_record(&mut rows[filled]) {
            Ok(true) => {
                let row = rows[filled].as_slice();
                batch_bytes += row.len();
                line_breaks.push(memchr::memchr(b'\n', row).is_some());
                filled += 1;
            }
            Ok(false) => {
                last = true;
                break;
            }
            Err(err) => {
                // A row of the wrong length can be skipped; anything else
                // (unreadable bytes) ends the file.
                last = !matches!(err.kind(), csv::ErrorKind::UnequalLengths { .. });
                error = Some(Parsed::Error(err, rows[filled].clone()));
                break;
            }
        }
    }
    rows.truncate(filled);
    let batch = Parsed::Rows(Batch { rows, line_breaks });
    (std::iter::once(batch).chain(error).collect(), last)
}

/// A cell (or row) that could not be read, with where it is.
#[derive(Debug, Clone)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    /// 1-based column number and header name.
    pub column: Option<(usize, String)>,
    pub problem: String,
    /// The whole file is unusable (an Excel re-save, an unreadable file):
    /// `--skip-bad-rows` must not skip past it.
    pub fatal: bool,
}

impl RowError {
    /// Where in the row and what is wrong, without the file and line: the
    /// `reason` of a rejected row.
    pub fn reason(&self) -> String {
        match &self.column {
            Some((number, name)) => format!("column {number} ({name}): {}", self.problem),
            None => self.problem.clone(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason())
    }
}

impl std::error::Error for RowError {}

/// Opens a path (`-` is stdin) and undoes gzip when the bytes say so.
fn open_bytes(path: &str) -> Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = if path == "-" {
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
        return Ok(Box::new(Guarded::new(BufReader::with_capacity(
            1 << 20,
            MultiGzDecoder::new(buffered),
        ))));
    }
    if head.starts_with(b"PK\x03\x04") {
        // Regular files that are zips are read by [`sources`]; a zip's list
        // of files is at its end, which a pipe cannot seek to.
        let name = if path == "-" { "<stdin>" } else { path };
        bail!(
            "{name}: a zip archive (or a .xlsx workbook) read from standard input or a pipe: \
             save it as a file and give goldpan its path"
        );
    }
    Ok(Box::new(Guarded::new(buffered)))
}

/// A progress bar on stderr while a file is read, for people watching a large
/// export; nothing when stderr is not a terminal (pipes, cron).
fn with_progress(file: File, path: &str) -> Box<dyn Read + Send> {
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

/// One CSV export to read: a file (`-` is stdin), or a CSV inside a zip.
pub enum Source {
    File(String),
    Zipped(archive::Entry),
}

/// The CSV exports a path given on the command line holds: the file itself,
/// or each CSV inside a zip, in name order.
pub fn sources(path: &str) -> Result<Vec<Source>> {
    if path != "-" && archive::is_zip(path) {
        return Ok(archive::csv_entries(path)?
            .into_iter()
            .map(Source::Zipped)
            .collect());
    }
    Ok(vec![Source::File(path.to_string())])
}

impl ExportReader {
    /// Opens a plain or gzipped CSV file (not a zip: see [`sources`]).
    pub fn open(path: &str) -> Result<Self> {
        let file = if path == "-" { "<stdin>" } else { path };
        Self::read_header(file.to_string(), open_bytes(path)?)
    }

    pub fn open_source(source: &Source) -> Result<Self> {
        match source {
            Source::File(path) => Self::open(path),
            Source::Zipped(entry) => Self::read_header(
                entry.file(),
                Box::new(Guarded::new(archive::open_entry(entry)?)),
            ),
        }
    }

    /// Reads the header of the export whose bytes are `bytes`, and starts
    /// parsing its rows.
    fn read_header(file: String, bytes: Box<dyn Read + Send>) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let header_record = csv
            .byte_headers()
            .map_err(|err| match unreadable(&err) {
                Some(why) => anyhow::anyhow!("{file}:{}: {why}", why.line()),
                None => anyhow::anyhow!("{file}: cannot read the header: {err}"),
            })?
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
        let mut seen = rustc_hash::FxHashMap::default();
        for (second, name) in headers.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
            if let Some(first) = seen.insert(name, second) {
                bail!(
                    "{file}:1: two columns are named \"{}\" (columns {} and {}): goldpan cannot \
                     tell which one to read; rename or remove one",
                    printable(name),
                    first + 1,
                    second + 1
                );
            }
        }
        let tabs: usize = headers.iter().map(|h| h.matches('\t').count()).sum();
        if tabs > 0 && tabs >= headers.len() {
            bail!(
                "{file}:1: the header is separated by tabs, not commas: this is a tab-separated \
                 file (.tsv, or a copy from a spreadsheet). Give goldpan the CSV file the store \
                 exports"
            );
        }
        let semicolons: usize = headers.iter().map(|h| h.matches(';').count()).sum();
        if semicolons > 0 && semicolons >= headers.len() {
            bail!(
                "{file}:1: the header is separated by ';', not ',': this file was opened and saved \
                 again by Excel (it uses ';' in many languages' settings, and also rewrites dates \
                 and long numbers). Export the orders again from the store and give goldpan that \
                 file without opening or saving it in Excel"
            );
        }
        Ok(ExportReader {
            file,
            header: Header::new(headers),
            record: csv::ByteRecord::new(),
            record_has_line_break: false,
            batch: Batch::default(),
            next: 0,
            rows: Rows::new(csv),
        })
    }

    /// The name errors use for this file.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Position of the column with this header, if any.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.column(name)
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
                self.header.preview()
            );
        }
        Ok(names.iter().map(|n| self.column(n).unwrap()).collect())
    }

    /// Reads the next row; `false` at the end of the file.
    pub fn next_row(&mut self) -> Result<bool, RowError> {
        while self.next == self.batch.rows.len() {
            self.next = 0;
            match self.rows.next(std::mem::take(&mut self.batch)) {
                Some(Parsed::Rows(rows)) => self.batch = rows,
                Some(Parsed::Error(err, record)) => {
                    self.record = record;
                    return Err(self.csv_error(err));
                }
                None => return Ok(false),
            }
        }
        std::mem::swap(&mut self.record, &mut self.batch.rows[self.next]);
        self.record_has_line_break = self.batch.line_breaks[self.next];
        self.next += 1;
        match self.swallowed_row() {
            Some(err) => Err(err),
            None => Ok(true),
        }
    }

    /// Physical lines the current row spans (a quoted cell can hold line
    /// breaks): what is lost when the row is rejected.
    pub fn record_lines(&self) -> u64 {
        1 + self
            .record
            .as_slice()
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    }

    /// A quoted cell holding a line with as many cells as a row of this
    /// file: a `"` left open swallowed the rows after it, which must not
    /// pass for one row.
    fn swallowed_row(&self) -> Option<RowError> {
        let columns = self.header.names.len();
        if columns < 3 || !self.record_has_line_break {
            return None;
        }
        // The line each cell's text is on: a cell with line breaks moves the
        // cells after it down.
        let mut line = self.line();
        for (index, cell) in self.record.iter().enumerate() {
            for (nth, text) in cell.split(|&b| b == b'\n').enumerate() {
                line += u64::from(nth > 0);
                let cells = 1 + text.iter().filter(|&&b| b == b',').count();
                if nth > 0 && cells >= columns {
                    return Some(self.problem(
                        index,
                        format!(
                            "the quoted cell that opens on line {} holds line {line}, which looks \
                             like a whole row of this file: a \" is not closed, and lines {}-{} \
                             would be read as one row",
                            self.line(),
                            self.line(),
                            self.line() + self.record_lines() - 1
                        ),
                        false,
                    ));
                }
            }
        }
        None
    }

    fn csv_error(&self, err: csv::Error) -> RowError {
        let mut line = err.position().map_or(self.line(), |p| p.line());
        let (problem, fatal) = match err.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => (
                format!(
                    "the row has {len} fields where the header has {expected_len} \
                     (a broken quote or a cut-off file?)"
                ),
                false,
            ),
            csv::ErrorKind::Io(io) => match unreadable(&err) {
                Some(why) => {
                    line = why.line();
                    (why.to_string(), true)
                }
                None => (format!("cannot read the file: {io}"), true),
            },
            other => (format!("not valid CSV: {other:?}"), true),
        };
        RowError {
            file: self.file.clone(),
            line,
            column: None,
            problem,
            fatal,
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
        let text = std::str::from_utf8(raw).map_err(|_| {
            let mut err = self.bad(index, "UTF-8 text", raw);
            err.problem.push_str(
                ": the file is not UTF-8, as store exports are; was it saved again by Excel \
                 (\"CSV\" rather than \"CSV UTF-8\")? Export it again from the store",
            );
            err.fatal = true;
            err
        })?;
        Ok(text.strip_prefix('\'').unwrap_or(text))
    }

    /// The cell of an optional column; empty when the export lacks it.
    pub fn optional_cell(&self, index: Option<usize>) -> Result<&str, RowError> {
        index.map_or(Ok(""), |i| self.cell(i))
    }

    /// The first non-empty, trimmed cell among these optional columns.
    pub fn first_non_empty(&self, columns: &[Option<usize>]) -> Result<Option<String>, RowError> {
        for &column in columns {
            if let Some(text) = crate::model::non_empty(self.optional_cell(column)?) {
                return Ok(Some(text));
            }
        }
        Ok(None)
    }

    /// An error about the current row's cell: what was expected, what is there.
    pub fn bad(&self, index: usize, expected: &str, found: &[u8]) -> RowError {
        let found = String::from_utf8_lossy(found);
        let found: String = found.chars().take(60).collect();
        RowError {
            file: self.file.clone(),
            line: self.line(),
            column: Some((index + 1, self.header.names[index].clone())),
            problem: format!("expected {expected}, found \"{}\"", found.escape_debug()),
            fatal: false,
        }
    }

    /// An error about the current row's cell, in the caller's words.
    pub fn problem(&self, index: usize, problem: String, fatal: bool) -> RowError {
        RowError {
            file: self.file.clone(),
            line: self.line(),
            column: Some((index + 1, self.header.names[index].clone())),
            problem,
            fatal,
        }
    }

    /// The file was rewritten by Excel: say what Excel did and what to do.
    pub fn excel(&self, index: usize, found: &str, what_excel_did: &str) -> RowError {
        RowError {
            file: self.file.clone(),
            line: self.line(),
            column: Some((index + 1, self.header.names[index].clone())),
            problem: format!(
                "found \"{}\": this file was opened and saved again by Excel, which {what_excel_did}. \
                 goldpan cannot undo that reliably. Export the orders again from the store and give \
                 goldpan that file without opening or saving it in Excel (to look at it, open a copy)",
                found.escape_debug()
            ),
            fatal: true,
        }
    }

    /// Fails when an id or amount cell holds a number Excel rewrote
    /// (`5,52E+12`, decimal comma); otherwise the cell.
    pub fn check_excel_number(&self, index: usize) -> Result<&str, RowError> {
        let text = self.cell(index)?;
        match excel_rewrite_of_number(text.trim()) {
            Some(what) => Err(self.excel(index, text.trim(), what)),
            None => Ok(text),
        }
    }

    /// The current row re-joined as one CSV record (for the rejects file).
    pub fn raw_record(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let _ = writer.write_byte_record(&self.record);
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .trim_end_matches('\n')
            .to_string()
    }

    /// Parses a cell with `parse`, or fails saying what was expected.
    pub fn parse<T>(
        &self,
        index: usize,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, RowError> {
        let text = self.cell(index)?;
        parse(text.trim()).ok_or_else(|| match excel_rewrite_of_number(text.trim()) {
            Some(what) => self.excel(index, text.trim(), what),
            None => self.bad(index, expected, text.as_bytes()),
        })
    }
}

/// What Excel did to a number, when `text` looks like its work: scientific
/// notation (`5,52E+12`, `5.52E+12`) or a decimal comma (`54,50`).
pub fn excel_rewrite_of_number(text: &str) -> Option<&'static str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if let Some((mantissa, exponent)) = unsigned.split_once(['E', 'e']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let mantissa_ok = match mantissa.split_once([',', '.']) {
            Some((whole, fraction)) => digits(whole) && digits(fraction),
            None => digits(mantissa),
        };
        if mantissa_ok && digits(exponent) {
            return Some("wrote long numbers in scientific notation and cut their digits");
        }
    }
    if let Some((whole, fraction)) = unsigned.split_once(',')
        && digits(whole)
        && digits(fraction)
        && fraction.len() <= 2
    {
        return Some("wrote amounts with a decimal comma for your language settings");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fuzz_mutations::Rng;

    /// Where the guard stands, to compare two guards.
    fn state<R>(guard: &Guarded<R>) -> (bool, u64, u64, u64, u64, u64) {
        (
            guard.quoting == Quoting::InQuotedCell,
            guard.line,
            guard.record_line,
            guard.quote_line,
            guard.cell_bytes,
            guard.record_bytes,
        )
    }

    /// The guard as it was first written: every byte through the state
    /// machine.
    fn watch_bytewise<R: Read>(guard: &mut Guarded<R>, bytes: &[u8]) -> Result<(), Unreadable> {
        for &byte in bytes {
            guard.step(byte);
            guard.check_caps()?;
        }
        Ok(())
    }

    #[test]
    fn skipping_inside_cells_ends_where_going_byte_by_byte_does() {
        let alphabet = b"ab,\"\r\n";
        let mut rng = Rng(7);
        for case in 0..2000 {
            let length = (rng.next() % 200) as usize;
            let text: Vec<u8> = (0..length)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            let (mut fast, mut slow) = (Guarded::new(&[][..]), Guarded::new(&[][..]));
            // The same bytes, handed over in chunks of any size.
            let mut at = 0;
            while at < text.len() {
                let chunk = 1 + (rng.next() % 17) as usize;
                let end = (at + chunk).min(text.len());
                fast.watch(&text[at..end]).unwrap();
                at = end;
            }
            watch_bytewise(&mut slow, &text).unwrap();
            let shown = String::from_utf8_lossy(&text);
            assert_eq!(state(&fast), state(&slow), "case {case}: {shown:?}");
        }
    }

    #[test]
    fn a_cell_past_the_cap_is_found_on_its_line_either_way() {
        for quoted in [false, true] {
            let mut text = b"a,b\n\nx,".to_vec();
            if quoted {
                text.push(b'"');
            }
            text.extend(std::iter::repeat_n(b'z', MAX_CELL_BYTES as usize + 1));
            let (mut fast, mut slow) = (Guarded::new(&[][..]), Guarded::new(&[][..]));
            let fast = fast.watch(&text).unwrap_err();
            let slow = watch_bytewise(&mut slow, &text).unwrap_err();
            assert!(
                matches!(fast, Unreadable::CellTooLong { line: 3 }),
                "{fast:?}"
            );
            assert!(
                matches!(slow, Unreadable::CellTooLong { line: 3 }),
                "{slow:?}"
            );
        }
    }
}
