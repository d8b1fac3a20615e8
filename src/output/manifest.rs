//! A run's manifest: `goldpan-manifest.json`, written into the output folder
//! after every other file of the run, so that a complete run can be told
//! from one that was killed or failed part way (that one has no manifest, or
//! files that do not match it).

use super::files::{Digest256, digest_of, write_atomically};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// The manifest's file name in a run folder.
pub const FILE: &str = "goldpan-manifest.json";

/// What a complete run wrote.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// The goldpan version that wrote the run.
    pub goldpan: String,
    /// The command, e.g. `segments`.
    pub command: String,
    pub as_of: String,
    /// The settings used (defaults < goldpan.toml < flags).
    pub settings: serde_json::Value,
    /// Other choices of the run, e.g. `--only`.
    pub flags: Vec<String>,
    /// The input exports, as given.
    pub inputs: Vec<String>,
    pub files: Vec<FileEntry>,
}

/// One file of a run.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// The file name, in the run folder.
    pub name: String,
    /// Data rows (customers), header not counted.
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

impl FileEntry {
    pub fn new(name: String, rows: u64, digest: Digest256) -> FileEntry {
        FileEntry {
            name,
            rows,
            bytes: digest.bytes,
            sha256: digest.sha256,
        }
    }
}

/// Before a run writes into `dir`: the old manifest goes, so that until the
/// new one is written the folder reads as incomplete.
pub fn start(dir: &Path) -> Result<()> {
    let path = dir.join(FILE);
    match std::fs::remove_file(&path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// After every other file of the run: the manifest.
pub fn finish(dir: &Path, manifest: &Manifest) -> Result<()> {
    write_atomically(&dir.join(FILE), |out| {
        serde_json::to_writer_pretty(&mut *out, manifest)?;
        writeln!(out)?;
        Ok(())
    })?;
    Ok(())
}

/// The manifest of a complete run in `dir`, or an error saying why the run
/// is not complete: no manifest, or a file missing or not as written.
pub fn verify(dir: &Path) -> Result<Manifest> {
    let path = dir.join(FILE);
    let shown = dir.display();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "{shown} is not a complete run: it has no {FILE}, which goldpan segments \
             writes last (the run was stopped or failed part way, or the folder was not \
             written by goldpan segments); run goldpan segments for it again"
        ),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{shown} is not a complete run: {FILE} is unreadable"))?;
    for file in &manifest.files {
        let expected = Digest256 {
            bytes: file.bytes,
            sha256: file.sha256.clone(),
        };
        let problem = match digest_of(&dir.join(&file.name)) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => "is missing",
            Err(_) => "cannot be read",
            Ok(found) if found != expected => "was changed since the run wrote it",
            Ok(_) => continue,
        };
        bail!(
            "{shown} is not a complete run: {} {problem} (its {FILE} does not match its \
             files); run goldpan segments for it again",
            file.name
        );
    }
    Ok(manifest)
}
