//! The CSV exports inside a zip archive: Shopify e-mails a large export as a
//! zip, and goldpan reads it without unzipping.

use anyhow::{Context, Result, bail};
use std::fs::File;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, sync_channel};
use zip::{CompressionMethod, ZipArchive};

/// A CSV file inside a zip archive.
#[derive(Clone, Debug)]
pub struct Entry {
    archive: String,
    index: usize,
    name: String,
    /// The size the archive declares for the entry, unzipped.
    size: u64,
}

impl Entry {
    /// How messages name it: `archive.zip:orders_export_1.csv`.
    pub fn file(&self) -> String {
        format!("{}:{}", self.archive, self.name)
    }
}

/// Whether `path` is a regular file that starts as a zip archive does. Only
/// regular files are looked at: a pipe's first bytes cannot be read twice.
pub fn is_zip(path: &str) -> bool {
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|meta| meta.is_file()) {
        return false;
    }
    let mut head = [0; 4];
    // An empty archive has only its end record.
    file.read_exact(&mut head).is_ok() && (head == *b"PK\x03\x04" || head == *b"PK\x05\x06")
}

/// The advice for a spreadsheet given where an export is expected.
pub fn workbook_advice(file: &str) -> String {
    format!(
        "{file}: this is a spreadsheet workbook (.xlsx), not a CSV file: export the orders as \
         CSV from the store admin"
    )
}

/// Every `.csv` file in the zip at `path`, in name order, at any depth (the
/// `__MACOSX` copies a Mac adds are not exports). A zip with no CSV, with an
/// encrypted one or one compressed in a way goldpan does not read, is an
/// error before anything is read.
pub fn csv_entries(path: &str) -> Result<Vec<Entry>> {
    let archive = open(path)?;
    if archive.index_for_name("xl/workbook.xml").is_some() {
        bail!(workbook_advice(path));
    }
    let mut entries = Vec::new();
    let mut others = Vec::new();
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .with_context(|| format!("{path}: cannot read the zip's list of files"))?;
        if entry.is_dir() {
            continue;
        }
        // Shown as it is: messages escape control characters when printed.
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let base = name.rsplit('/').next().unwrap_or(&name);
        let is_csv = base.to_ascii_lowercase().ends_with(".csv")
            && !name.starts_with("__MACOSX/")
            && !base.starts_with("._")
            && entry.is_file();
        if !is_csv {
            others.push(name);
            continue;
        }
        if entry.encrypted() {
            bail!(
                "{path}:{name}: this file is encrypted (the zip has a password): unzip it with \
                 its password and give goldpan the CSV inside"
            );
        }
        let method = entry.compression();
        if !matches!(
            method,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            bail!(
                "{path}:{name}: this file is compressed with {method}, which goldpan does not \
                 read (it reads the usual zip compression, Deflate): unzip it and give goldpan \
                 the CSV inside"
            );
        }
        entries.push(Entry {
            archive: path.to_string(),
            index,
            name,
            size: entry.size(),
        });
    }
    if entries.is_empty() {
        if others.is_empty() {
            bail!("{path}: the zip is empty; expected a zip of CSV exports");
        }
        let shown: Vec<String> = others.iter().take(5).map(|n| format!("\"{n}\"")).collect();
        let more = if others.len() > 5 { ", …" } else { "" };
        bail!(
            "{path}: the zip holds no .csv file (it holds {}{more}): goldpan reads the CSV \
             exports inside a zip; export the orders as CSV",
            shown.join(", ")
        );
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

fn open(path: &str) -> Result<ZipArchive<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {path}"))?;
    ZipArchive::new(file).map_err(|err| {
        anyhow::anyhow!(
            "{path}: not a zip archive goldpan can read ({err}): is it complete? Download it \
             again"
        )
    })
}

/// The unzipped bytes of `entry`, as they come: never more than the size the
/// archive declares for it (a zip that lies about it is a decompression bomb).
pub fn open_entry(entry: &Entry) -> Result<Box<dyn Read + Send>> {
    let mut archive = open(&entry.archive)?;
    let (index, declared) = (entry.index, entry.size);
    // The zip crate's reader borrows the archive: a thread owns both and
    // hands the bytes over, a few chunks ahead.
    let (send, chunks) = sync_channel::<io::Result<Vec<u8>>>(4);
    std::thread::spawn(move || {
        let mut file = match archive.by_index(index) {
            Ok(file) => file,
            Err(err) => {
                let _ = send.send(Err(io::Error::other(err.to_string())));
                return;
            }
        };
        loop {
            let mut chunk = vec![0; 64 << 10];
            let sent = match file.read(&mut chunk) {
                Ok(0) => {
                    // An empty chunk says the entry ended, as opposed to the
                    // thread ending early.
                    let _ = send.send(Ok(Vec::new()));
                    return;
                }
                Ok(read) => {
                    chunk.truncate(read);
                    send.send(Ok(chunk))
                }
                Err(err) => {
                    let _ = send.send(Err(unzip_error(err, declared)));
                    return;
                }
            };
            // The reader is gone (an error, or the rows are not wanted).
            if sent.is_err() {
                return;
            }
        }
    });
    Ok(Box::new(Chunks {
        chunks,
        chunk: Vec::new(),
        at: 0,
        ended: false,
    }))
}

/// The zip crate's error for an entry that inflates past its declared size,
/// in words that say what it means.
fn unzip_error(err: io::Error, declared: u64) -> io::Error {
    if err.to_string().contains("larger than its declared") {
        io::Error::other(format!(
            "the file unzips to more than the {declared} bytes the zip declares for it: a \
             damaged or forged zip (a decompression bomb?); goldpan stops there"
        ))
    } else {
        io::Error::other(format!("cannot unzip it: {err}"))
    }
}

/// Reads the chunks the unzipping thread sends.
struct Chunks {
    chunks: Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
    ended: bool,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            self.chunk = self
                .chunks
                .recv()
                .map_err(|_| io::Error::other("unzipping stopped before the end of the file"))??;
            self.at = 0;
            self.ended = self.chunk.is_empty();
        }
        let read = buf.len().min(self.chunk.len() - self.at);
        buf[..read].copy_from_slice(&self.chunk[self.at..self.at + read]);
        self.at += read;
        Ok(read)
    }
}
