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

impl Quoting {
    /// The state after `byte`.
    fn after(self, byte: u8) -> Quoting {
        use Quoting::*;
        match (self, byte) {
            (InQuotedCell, b'"') => QuoteInQuotedCell,
            (InQuotedCell, _) => InQuotedCell,
            (QuoteInQuotedCell, b'"') => InQuotedCell,
            (StartOfRecord | StartOfCell, b'"') => InQuotedCell,
            (_, b',') => StartOfCell,
            (_, b'\r' | b'\n') => StartOfRecord,
            (StartOfRecord | StartOfCell | InCell | QuoteInQuotedCell, _) => InCell,
        }
    }
}

/// The line on which a quoted cell opens and is never closed, when the bytes
/// of a record, read from `line` on, end inside it. Asked only of a record
/// that the end of the file ends: csv_core would take it as a whole row.
fn quote_left_open(raw: &[u8], mut line: u64) -> Option<u64> {
    let mut quoting = Quoting::StartOfRecord;
    let mut quote_line = line;
    for &byte in raw {
        let next = quoting.after(byte);
        if next == Quoting::InQuotedCell
            && matches!(quoting, Quoting::StartOfRecord | Quoting::StartOfCell)
        {
            quote_line = line;
        }
        if byte == b'\n' {
            line += 1;
        }
        quoting = next;
    }
    (quoting == Quoting::InQuotedCell).then_some(quote_line)
}

/// Why a file could not be read on.
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

/// Why a record could not be split off.
#[derive(Debug)]
enum SplitError {
    /// The record has another number of cells than the header: that row can
    /// be skipped.
    UnequalLengths {
        expected: usize,
        found: usize,
    },
    /// Nothing after this can be read.
    Unreadable(Unreadable),
    Io(std::io::Error),
}

/// One CSV record: its cells' text one after the other, where each ends,
/// and the line it starts on.
#[derive(Clone, Default)]
pub struct Record {
    cells: Cells,
    ends: Vec<usize>,
    /// The line its first cell starts on.
    line: u64,
}

/// A record's bytes, checked for UTF-8 once, on the parser thread: the
/// reading thread then takes a cell's text without looking at its bytes.
#[derive(Clone)]
enum Cells {
    Text(String),
    /// Not all UTF-8: each cell is checked when read.
    Bytes(Vec<u8>),
}

impl Default for Cells {
    fn default() -> Self {
        Cells::Text(String::new())
    }
}

impl Record {
    fn bytes(&self) -> &[u8] {
        match &self.cells {
            Cells::Text(text) => text.as_bytes(),
            Cells::Bytes(bytes) => bytes,
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    fn range(&self, index: usize) -> std::ops::Range<usize> {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        start..self.ends[index]
    }

    /// The text of a cell (empty past the last), or its bytes when they are
    /// not UTF-8.
    fn text(&self, index: usize) -> Result<&str, &[u8]> {
        if index >= self.len() {
            return Ok("");
        }
        let range = self.range(index);
        match &self.cells {
            // Not on a character's boundary: the cell's own bytes are not
            // UTF-8, although the record's are together.
            Cells::Text(text) => text.get(range.clone()).ok_or(&text.as_bytes()[range]),
            Cells::Bytes(bytes) => {
                std::str::from_utf8(&bytes[range.clone()]).map_err(|_| &bytes[range])
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|index| &self.bytes()[self.range(index)])
    }
}

/// Splits an export's bytes into CSV records with `csv_core`'s default
/// settings, as the csv crate would, but keeping memory bounded: a cell or
/// row past its cap, or the end of the file inside quotes, is an error.
struct Splitter {
    input: Box<dyn BufRead + Send>,
    core: csv_core::Reader,
    /// The header's number of cells, once it is read.
    cells: Option<usize>,
    /// The bytes of the record being split that earlier input buffers held:
    /// when the file ends the record, they tell whether a quote is left open.
    raw: Vec<u8>,
}

impl Splitter {
    fn new(input: Box<dyn BufRead + Send>) -> Splitter {
        Splitter {
            input,
            core: csv_core::Reader::new(),
            cells: None,
            raw: Vec::new(),
        }
    }

    /// The next record into `record`; `false` at the end of the file.
    fn read(&mut self, record: &mut Record) -> Result<bool, SplitError> {
        use csv_core::ReadRecordResult::*;
        // Where `raw` starts: the line breaks before the record are in it.
        let raw_line = self.core.line();
        record.line = raw_line;
        let mut bytes = match std::mem::take(&mut record.cells) {
            Cells::Text(text) => text.into_bytes(),
            Cells::Bytes(bytes) => bytes,
        };
        // The room is what the buffer's last row took (or 1 KiB), and one
        // more cell than the header has: only room beyond that is zeroed,
        // and a longer row gets more as it is split.
        bytes.resize(bytes.len().max(1024), 0);
        let cells = self.cells.map_or(64, |cells| cells + 1);
        record.ends.clear();
        record.ends.resize(cells, 0);
        self.raw.clear();
        let (mut written, mut ended) = (0, 0);
        let mut started = false;
        loop {
            let input = loop {
                match self.input.fill_buf() {
                    Ok(input) => break input,
                    Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(err) => return Err(SplitError::Io(err)),
                }
            };
            let at_end = input.is_empty();
            if !started {
                // csv_core skips the line breaks before a record: the record
                // is on the line after them.
                let breaks = input.iter().position(|&b| b != b'\r' && b != b'\n');
                let skipped = &input[..breaks.unwrap_or(input.len())];
                record.line = self.core.line() + memchr::memchr_iter(b'\n', skipped).count() as u64;
                started = breaks.is_some();
            }
            let (result, read, wrote, ends) =
                self.core
                    .read_record(input, &mut bytes[written..], &mut record.ends[ended..]);
            if !matches!(result, Record | End) {
                self.raw.extend_from_slice(&input[..read]);
            }
            self.input.consume(read);
            written += wrote;
            ended += ends;
            match result {
                InputEmpty => {}
                OutputFull => {
                    let cell_start = if ended == 0 {
                        0
                    } else {
                        record.ends[ended - 1]
                    };
                    check_caps(written - cell_start, written, record.line)?;
                    bytes.resize(bytes.len() * 2, 0);
                }
                OutputEndsFull => {
                    let longer = record.ends.len() * 2;
                    record.ends.resize(longer, 0);
                }
                Record => {
                    bytes.truncate(written);
                    record.ends.truncate(ended);
                    let mut start = 0;
                    for &end in &record.ends {
                        check_caps(end - start, written, record.line)?;
                        start = end;
                    }
                    if at_end && let Some(line) = quote_left_open(&self.raw, raw_line) {
                        return Err(SplitError::Unreadable(Unreadable::UnclosedQuote { line }));
                    }
                    record.cells = match String::from_utf8(bytes) {
                        Ok(text) => Cells::Text(text),
                        Err(not_text) => Cells::Bytes(not_text.into_bytes()),
                    };
                    let expected = *self.cells.get_or_insert(ended);
                    if ended != expected {
                        return Err(SplitError::UnequalLengths {
                            expected,
                            found: ended,
                        });
                    }
                    return Ok(true);
                }
                End => {
                    bytes.clear();
                    record.cells = Cells::Bytes(bytes);
                    record.ends.clear();
                    return Ok(false);
                }
            }
        }
    }
}

/// A cell or row past its cap, as far as it is split.
fn check_caps(cell_bytes: usize, row_bytes: usize, line: u64) -> Result<(), SplitError> {
    if cell_bytes as u64 > MAX_CELL_BYTES {
        return Err(SplitError::Unreadable(Unreadable::CellTooLong { line }));
    }
    if row_bytes as u64 > MAX_ROW_BYTES {
        return Err(SplitError::Unreadable(Unreadable::RowTooLong { line }));
    }
    Ok(())
}

/// A CSV export opened for reading, with its header.
pub struct ExportReader {
    file: String,
    header: Header,
    /// The current row.
    record: Record,
    /// Whether the current row holds a line break (inside quotes).
    record_has_line_break: bool,
    /// The file's size when it is read as it is (not from a pipe, not
    /// gzipped), and the bytes of the rows read so far: how far along it is.
    size: Option<u64>,
    bytes_read: u64,
    /// Rows parsed ahead, and the next one to hand out.
    batch: Batch,
    next: usize,
    rows: Rows,
}

/// Rows parsed ahead, in file order.
#[derive(Default)]
struct Batch {
    rows: Vec<Record>,
    /// Whether each row holds a line break: looked for by the parser, while
    /// the row's bytes are in its core's cache (on the reading thread that
    /// search was 3-4% of a large export's time).
    line_breaks: Vec<bool>,
}

/// What parsing gives: rows in file order, or the error of a row.
enum Parsed {
    Rows(Batch),
    Error(SplitError, Record),
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
        // Boxed: csv_core's tables are large.
        csv: Box<Splitter>,
        pending: VecDeque<Parsed>,
        reuse: Batch,
        done: bool,
    },
}

impl Rows {
    fn new(mut csv: Splitter) -> Rows {
        if crate::threads::count() == 1 {
            return Rows::Inline {
                csv: Box::new(csv),
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
    csv: &mut Splitter,
    Batch {
        mut rows,
        mut line_breaks,
    }: Batch,
) -> (Vec<Parsed>, bool) {
    rows.resize_with(BATCH_ROWS, Record::default);
    line_breaks.clear();
    let mut filled = 0;
    let mut batch_bytes = 0;
    // The error of the row that ends the batch, and whether the file ends.
    let mut error = None;
    let mut last = false;
    // Long rows end a batch early: the batches in flight stay a few MiB
    // however long the rows are.
    while filled < BATCH_ROWS && batch_bytes <= BATCH_BYTES {
        match csv.read(&mut rows[filled]) {
            Ok(true) => {
                let row = rows[filled].bytes();
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
                last = !matches!(err, SplitError::UnequalLengths { .. });
                error = Some(Parsed::Error(err, rows[filled].clone()));
                break;
            }
        }
    }
    rows.truncate(filled);
    let batch = Parsed::Rows(Batch { rows, line_breaks });
    (std::iter::once(batch).chain(error).collect(), last)
}

/// Asks the core to fetch a row parsed ahead into its cache. The parser
/// thread wrote the row on the other core: without this, reading its cells'
/// places was the orders thread's costliest step (a cache miss for every few
/// cells, half the time of reading a cell).
fn prefetch(record: &Record) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const LINE: usize = 64;
        // SAFETY: SSE is part of every x86_64 CPU, and a prefetch is a hint
        // that never faults, whatever the address.
        unsafe {
            for end in record.ends.chunks(LINE / size_of::<usize>()) {
                _mm_prefetch::<_MM_HINT_T0>(end.as_ptr().cast());
            }
            for bytes in record.bytes().chunks(LINE) {
                _mm_prefetch::<_MM_HINT_T0>(bytes.as_ptr().cast());
            }
        }
    }
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
/// Its size too, when it is read as it is (a regular file, not gzipped).
fn open_bytes(path: &str) -> Result<(Box<dyn BufRead + Send>, Option<u64>)> {
    let mut size = None;
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        let file = File::open(path).with_context(|| format!("cannot open {path}"))?;
        size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        with_progress(file, path)
    };
    let mut buffered: Box<dyn BufRead + Send> = if crate::threads::count() == 1 {
        Box::new(BufReader::with_capacity(READ_BLOCK, raw))
    } else {
        Box::new(ReadAhead::new(raw))
    };
    let head = buffered
        .fill_buf()
        .with_context(|| format!("cannot read {path}"))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let unzipped = BufReader::with_capacity(1 << 20, MultiGzDecoder::new(buffered));
        return Ok((Box::new(unzipped), None));
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
    Ok((buffered, size))
}

/// The bytes read from a file at once.
const READ_BLOCK: usize = 1 << 20;

/// A file read ahead in blocks by a thread of its own: copying the bytes out
/// of the kernel's cache (5% of a large export's time) is then off the
/// thread that splits them into records, the busier of goldpan's two.
struct ReadAhead {
    blocks: Receiver<std::io::Result<Vec<u8>>>,
    /// Blocks handed back to the reading thread, to reuse their memory.
    spent: SyncSender<Vec<u8>>,
    block: Vec<u8>,
    /// How much of `block` was consumed.
    at: usize,
    done: bool,
}

impl ReadAhead {
    fn new(mut input: Box<dyn Read + Send>) -> ReadAhead {
        // Four blocks go round: being read into, waiting (two), being split.
        // They are made here, so the reading thread never allocates (a heap
        // of its own would take address space a limited process lacks).
        const BLOCKS: usize = 4;
        let (send, blocks) = sync_channel(BLOCKS - 2);
        let (spent, reuse) = sync_channel::<Vec<u8>>(BLOCKS);
        for _ in 0..BLOCKS {
            let _ = spent.try_send(Vec::with_capacity(READ_BLOCK));
        }
        std::thread::spawn(move || {
            // Blocks stop coming back once nobody reads on.
            while let Ok(mut block) = reuse.recv() {
                block.clear();
                let read = (&mut input).take(READ_BLOCK as u64).read_to_end(&mut block);
                // An empty block is the end of the file. On an error the bytes
                // read before it come first, and nothing more is read. A failed
                // send means nobody reads on.
                let error = read.err();
                let last = block.is_empty() || error.is_some();
                if (!block.is_empty() || error.is_none()) && send.send(Ok(block)).is_err() {
                    return;
                }
                if let Some(error) = error {
                    let _ = send.send(Err(error));
                }
                if last {
                    return;
                }
            }
        });
        ReadAhead {
            blocks,
            spent,
            block: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(into.len());
        into[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ReadAhead {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.at == self.block.len() && !self.done {
            match self.blocks.recv() {
                Ok(Ok(block)) => {
                    self.done = block.is_empty();
                    let spent = std::mem::replace(&mut self.block, block);
                    // Not the empty block it starts with.
                    if spent.capacity() > 0 {
                        let _ = self.spent.try_send(spent);
                    }
                    self.at = 0;
                }
                Ok(Err(err)) => {
                    self.done = true;
                    return Err(err);
                }
                // The reading thread is gone only after the end or an error.
                Err(_) => self.done = true,
            }
        }
        Ok(&self.block[self.at..])
    }

    fn consume(&mut self, amount: usize) {
        self.at += amount;
    }
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
        let (bytes, size) = open_bytes(path)?;
        let mut reader = Self::read_header(file.to_string(), bytes)?;
        reader.size = size;
        Ok(reader)
    }

    pub fn open_source(source: &Source) -> Result<Self> {
        match source {
            Source::File(path) => Self::open(path),
            Source::Zipped(entry) => Self::read_header(
                entry.file(),
                Box::new(BufReader::with_capacity(
                    1 << 20,
                    archive::open_entry(entry)?,
                )),
            ),
        }
    }

    /// Reads the header of the export whose bytes are `bytes`, and starts
    /// parsing its rows.
    fn read_header(file: String, bytes: Box<dyn BufRead + Send>) -> Result<Self> {
        let mut csv = Splitter::new(bytes);
        let mut header_record = Record::default();
        csv.read(&mut header_record).map_err(|err| match err {
            SplitError::Unreadable(why) => anyhow::anyhow!("{file}:{}: {why}", why.line()),
            SplitError::Io(err) => anyhow::anyhow!("{file}: cannot read the header: {err}"),
            // The header sets the number of cells.
            SplitError::UnequalLengths { .. } => unreachable!("the header is the first record"),
        })?;
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
            record: Record::default(),
            record_has_line_break: false,
            size: None,
            bytes_read: 0,
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
        // The row's cells and about one separator each.
        self.bytes_read += (self.record.bytes().len() + self.record.len()) as u64;
        self.record_has_line_break = self.batch.line_breaks[self.next];
        self.next += 1;
        if let Some(ahead) = self.batch.rows.get(self.next + 3) {
            prefetch(ahead);
        }
        match self.swallowed_row() {
            Some(err) => Err(err),
            None => Ok(true),
        }
    }

    /// About how much of the file the rows read so far are, when its size
    /// is known.
    pub fn share_read(&self) -> Option<f64> {
        let size = self.size.filter(|&size| size > 0)?;
        Some((self.bytes_read as f64 / size as f64).min(1.0))
    }

    /// Physical lines the current row spans (a quoted cell can hold line
    /// breaks): what is lost when the row is rejected.
    pub fn record_lines(&self) -> u64 {
        1 + self.record.bytes().iter().filter(|&&b| b == b'\n').count() as u64
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

    fn csv_error(&self, err: SplitError) -> RowError {
        let mut line = self.line();
        let (problem, fatal) = match err {
            SplitError::UnequalLengths { expected, found } => (
                format!(
                    "the row has {found} fields where the header has {expected} \
                     (a broken quote or a cut-off file?)"
                ),
                false,
            ),
            SplitError::Unreadable(why) => {
                line = why.line();
                (why.to_string(), true)
            }
            SplitError::Io(io) => (format!("cannot read the file: {io}"), true),
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
        self.record.line
    }

    /// The current row's cell, without one leading `'` (the mark a
    /// spreadsheet-safe export puts before zips and phones).
    pub fn cell(&self, index: usize) -> Result<&str, RowError> {
        let text = self.record.text(index).map_err(|raw| {
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
        let _ = writer.write_record(self.record.iter());
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

    /// A record's cells and line, or its error.
    type Split = Result<(Vec<Vec<u8>>, u64), String>;

    /// What splitting gives, record by record.
    fn split(text: &[u8], buffer: usize) -> Vec<Split> {
        let input = BufReader::with_capacity(buffer, std::io::Cursor::new(text.to_vec()));
        let mut splitter = Splitter::new(Box::new(input));
        let mut record = Record::default();
        let mut records = Vec::new();
        loop {
            match splitter.read(&mut record) {
                Ok(true) => records.push(Ok((
                    record.iter().map(<[u8]>::to_vec).collect(),
                    record.line,
                ))),
                Ok(false) => return records,
                Err(SplitError::UnequalLengths { .. }) => records.push(Err("unequal".into())),
                Err(SplitError::Unreadable(why)) => {
                    records.push(Err(format!("{}: {why}", why.line())));
                    return records;
                }
                Err(SplitError::Io(err)) => panic!("{err}"),
            }
        }
    }

    /// The line each record starts on, counted the slow way: the records'
    /// bytes are found again in the text.
    #[test]
    fn records_are_split_as_the_csv_crate_splits_them() {
        let alphabet = b"ab,\"\r\n";
        let mut rng = Rng(7);
        for case in 0..3000 {
            let length = (rng.next() % 120) as usize;
            let text: Vec<u8> = (0..length)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            let shown = String::from_utf8_lossy(&text).into_owned();
            // Small input buffers: records straddle them.
            let buffer = 1 + (rng.next() % 9) as usize;
            let ours = split(&text, buffer);
            let mut csv = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(&text[..]);
            let mut theirs = Vec::new();
            let mut record = csv::ByteRecord::new();
            loop {
                match csv.read_byte_record(&mut record) {
                    Ok(true) => {
                        theirs.push(Ok(record.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()))
                    }
                    Ok(false) => break,
                    Err(_) => theirs.push(Err("unequal".to_string())),
                }
            }
            // The slow guard goldpan had: the whole text through the state
            // machine, byte by byte.
            let mut quoting = Quoting::StartOfRecord;
            for &byte in &text {
                quoting = quoting.after(byte);
            }
            let left_open = quoting == Quoting::InQuotedCell;
            let ours_cells: Vec<Result<Vec<Vec<u8>>, String>> = ours
                .iter()
                .map(|r| r.clone().map(|(cells, _)| cells))
                .collect();
            if left_open {
                let (last, before) = ours_cells.split_last().unwrap();
                assert_eq!(
                    before,
                    &theirs[..theirs.len() - 1],
                    "case {case}: {shown:?}"
                );
                assert!(
                    last.as_ref()
                        .is_err_and(|e| e.contains("ends inside a quoted cell")),
                    "case {case}: {shown:?}: {last:?}"
                );
            } else {
                assert_eq!(ours_cells, theirs, "case {case}: {shown:?}");
            }
            // Each record's line: one more than the line breaks before its
            // first byte, which is not a line break.
            let mut lines_before = Vec::new();
            let mut quoting = Quoting::StartOfRecord;
            let mut line = 1;
            for &byte in &text {
                if quoting == Quoting::StartOfRecord && byte != b'\r' && byte != b'\n' {
                    lines_before.push(line);
                }
                quoting = quoting.after(byte);
                line += u64::from(byte == b'\n');
            }
            let our_lines: Vec<u64> = ours
                .iter()
                .filter_map(|r| r.as_ref().ok().map(|r| r.1))
                .collect();
            let ok_lines: Vec<u64> = lines_before
                .iter()
                .zip(&ours)
                .filter(|(_, r)| r.is_ok())
                .map(|(&line, _)| line)
                .collect();
            assert_eq!(our_lines, ok_lines, "case {case}: {shown:?}");
        }
    }

    #[test]
    fn a_cell_past_the_cap_is_found_on_its_line() {
        for quoted in [false, true] {
            let mut text = b"a,b\n\nx,".to_vec();
            if quoted {
                text.push(b'"');
            }
            text.extend(std::iter::repeat_n(b'z', MAX_CELL_BYTES as usize + 1));
            let records = split(&text, 1 << 16);
            assert_eq!(records.len(), 2, "quoted: {quoted}");
            let error = records[1].as_ref().unwrap_err();
            assert!(
                error.starts_with("3: a cell of this row is longer"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_cell_at_the_cap_is_read() {
        let mut text = b"a,b\nx,".to_vec();
        text.extend(std::iter::repeat_n(b'z', MAX_CELL_BYTES as usize));
        let records = split(&text, 1 << 16);
        assert_eq!(records.len(), 2);
        let (cells, line) = records[1].as_ref().unwrap();
        assert_eq!((cells[1].len() as u64, *line), (MAX_CELL_BYTES, 2));
    }

    #[test]
    fn a_quote_left_open_is_named_by_the_line_it_opens_on() {
        // Line 2's quote is closed on line 3; line 4's is not.
        let text = b"a,b\nx,\"y\n\"\"z\"\n1,\"w\nv";
        let records = split(text, 3);
        let error = records.last().unwrap().as_ref().unwrap_err();
        assert!(
            error.starts_with("4: the file ends inside a quoted cell"),
            "{error}"
        );
    }

    /// How far along a file is, for sizing the orders table: close to all
    /// of it once every row is read (less its header and quotes); unknown
    /// for a gzipped file, whose size is not its text's.
    #[test]
    fn the_share_read_of_a_file_ends_near_all_of_it() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/shopify_orders_2024_looker101_ANONYMIZED.csv"
        );
        let mut reader = ExportReader::open(path).unwrap();
        assert_eq!(reader.share_read(), Some(0.0));
        let mut shares = Vec::new();
        while reader.next_row().unwrap() {
            shares.push(reader.share_read().unwrap());
        }
        assert!(shares.windows(2).all(|w| w[0] < w[1]));
        let last = *shares.last().unwrap();
        assert!((0.9..=1.0).contains(&last), "{last}");
        let gzipped = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/shopify_feb.csv.gz");
        assert_eq!(ExportReader::open(gzipped).unwrap().share_read(), None);
    }

    #[test]
    fn read_ahead_gives_every_byte_in_order_then_the_error() {
        /// Hands out its bytes a few at a time, then fails.
        struct Failing {
            data: Vec<u8>,
            at: usize,
        }
        impl Read for Failing {
            fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
                if self.at == self.data.len() {
                    return Err(std::io::Error::other("the disk is gone"));
                }
                let n = into.len().min(4093).min(self.data.len() - self.at);
                into[..n].copy_from_slice(&self.data[self.at..self.at + n]);
                self.at += n;
                Ok(n)
            }
        }
        let data: Vec<u8> = (0..3 * READ_BLOCK + 5).map(|i| (i % 251) as u8).collect();
        let failing = Failing {
            data: data.clone(),
            at: 0,
        };
        let mut ahead = ReadAhead::new(Box::new(failing));
        let mut read = Vec::new();
        let err = ahead.read_to_end(&mut read).unwrap_err();
        assert_eq!(err.to_string(), "the disk is gone");
        assert!(read == data, "{} bytes read of {}", read.len(), data.len());

        let mut whole = ReadAhead::new(Box::new(std::io::Cursor::new(data.clone())));
        let mut read = Vec::new();
        whole.read_to_end(&mut read).unwrap();
        assert!(read == data);
    }

    #[test]
    fn a_cell_that_is_not_utf8_alone_is_found() {
        // Together the two cells are "é" in UTF-8; apart, neither is text.
        let text = b"a,b\n\xc3,\xa9\n";
        let mut splitter = Splitter::new(Box::new(&text[..]));
        let mut record = Record::default();
        assert!(splitter.read(&mut record).unwrap());
        assert!(splitter.read(&mut record).unwrap());
        assert_eq!(record.text(0), Err(&b"\xc3"[..]));
        assert_eq!(record.text(1), Err(&b"\xa9"[..]));
        assert_eq!(record.text(2), Ok(""));
    }
}
