//! Writing files safely, for every command that writes one: a file is
//! written to a hidden temporary beside it and renamed into place; a folder
//! is written by one goldpan at a time (a lock); an input export is never
//! written over; temporaries are removed on Ctrl-C, SIGTERM or SIGHUP, and
//! those a killed run (kill -9, a power cut) left are removed by the next
//! run into the same folder.

use crate::exit_codes::UsageError;
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

/// Names of goldpan's temporary files start with this.
pub const TEMP_PREFIX: &str = ".goldpan-";

/// The lock file of a folder goldpan writes into.
pub const LOCK_FILE: &str = ".goldpan.lock";

/// Temporary files being written now: removed if a signal stops the run.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The input exports of this run, by device and inode (a file is the same
/// file under any name: a symbolic or hard link, `./x` or `x`).
static INPUTS: Mutex<Vec<(u64, u64, String)>> = Mutex::new(Vec::new());

/// The folders this process holds the lock of (the open lock files).
static LOCKS: Mutex<Option<HashMap<PathBuf, File>>> = Mutex::new(None);

/// What was written: the file's size and SHA-256 (for a run's manifest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest256 {
    pub bytes: u64,
    pub sha256: String,
}

/// Remembers the input exports so that no output replaces one of them.
/// Standard input (`-`) and files that cannot be looked at are left out
/// (reading them fails with its own message).
pub fn protect_inputs<'a>(paths: impl IntoIterator<Item = &'a Path>) {
    let mut inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    for path in paths {
        if path.as_os_str() == "-" {
            continue;
        }
        if let Ok(meta) = std::fs::metadata(path) {
            inputs.push((meta.dev(), meta.ino(), path.display().to_string()));
        }
    }
}

/// A usage error when `path` is (the same file as) one of the inputs.
pub fn refuse_input(path: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, input)) = inputs
        .iter()
        .find(|(dev, ino, _)| *dev == meta.dev() && *ino == meta.ino())
    {
        return Err(UsageError(format!(
            "{} is the input export {input}: goldpan never writes over its input; \
             choose another output path",
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// A usage error when the output path `path` is a symbolic link to nothing
/// (creating a folder or file there would fail with a bare "File exists").
pub fn refuse_dangling_link(path: &Path) -> Result<()> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && std::fs::metadata(path).is_err() {
        let target = std::fs::read_link(path).unwrap_or_default();
        return Err(UsageError(format!(
            "{} is a symbolic link to {}, which does not exist: create it, or give \
             another output path",
            path.display(),
            target.display()
        ))
        .into());
    }
    Ok(())
}

/// Creates folder `dir` and whatever of its parents is missing, like
/// `mkdir -p`. When that cannot be done the error is a sentence naming the
/// part of the path that is missing (or is a file), not an OS code alone.
pub fn create_folder(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let shown = |path: &Path| {
        if path.as_os_str().is_empty() {
            ".".to_string()
        } else {
            path.display().to_string()
        }
    };
    // The deepest part of the path that is there, and the first one that is not.
    let mut first_missing = dir;
    let mut deepest = None;
    for part in dir.ancestors().skip(1) {
        let there = if part.as_os_str().is_empty() {
            Path::new(".")
        } else {
            part
        };
        if std::fs::metadata(there).is_ok() {
            deepest = Some(there);
            break;
        }
        first_missing = part;
    }
    if let Some(part) = deepest.filter(|part| !part.is_dir()) {
        bail!(
            "cannot create the folder {}: {} is a file, not a folder",
            dir.display(),
            shown(part)
        );
    }
    std::fs::create_dir_all(dir).map_err(|err| {
        anyhow::anyhow!(
            "cannot create the folder {}: {} does not exist and cannot be created ({})",
            dir.display(),
            shown(first_missing),
            plain_io_error(&err)
        )
    })
}

/// An I/O error as a phrase: `permission denied`, without the OS code.
fn plain_io_error(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.to_lowercase()
}

/// Takes the lock of folder `dir` for this run (once per process): a second
/// goldpan writing into the same folder at the same time is refused rather
/// than mixed with this one. The lock is the operating system's (flock), so
/// it goes with the process however it ends. Once the folder is ours, the
/// temporary files a killed run left in it are removed.
pub fn lock_folder(dir: &Path) -> Result<()> {
    let key = dir
        .canonicalize()
        .with_context(|| format!("cannot open the folder {}", dir.display()))?;
    let mut locks = LOCKS.lock().unwrap_or_else(|e| e.into_inner());
    let locks = locks.get_or_insert_with(HashMap::new);
    if locks.contains_key(&key) {
        return Ok(());
    }
    let lock_path = dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot create the lock file {}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another goldpan is writing into {} now (it holds {}): wait until it \
             finishes, or write somewhere else",
            dir.display(),
            lock_path.display()
        ),
        Err(std::fs::TryLockError::Error(err)) => {
            return Err(err).with_context(|| format!("cannot lock {}", lock_path.display()));
        }
    }
    locks.insert(key, file);
    remove_stale_temps(dir)
}

/// Removes the `.goldpan-*` temporary files in `dir` (the caller holds its
/// lock, so no running goldpan is writing them), with a note of how many.
fn remove_stale_temps(dir: &Path) -> Result<()> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?
        .flatten()
    {
        let is_temp = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        if is_temp && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
            removed += 1;
        }
    }
    if removed > 0 {
        super::note(&format!(
            "removed {removed} temporary file(s) that a stopped run left in {}",
            dir.display()
        ));
    }
    Ok(())
}

/// On SIGINT, SIGTERM and SIGHUP: remove the temporary files being written,
/// then end as the signal would have.
fn clean_up_on_signals() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the process ends: no new temporary file starts.
                let temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
                for temp in temps.iter() {
                    let _ = std::fs::remove_file(temp);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    });
}

/// A file written in full to a temporary beside its path, not yet in place.
pub struct Staged {
    temp: Option<tempfile::TempPath>,
    path: PathBuf,
    digest: Digest256,
}

/// Writes `path`'s new content to a temporary file in its folder (creating
/// the folder when it is missing, and taking its lock); [`Staged::commit`]
/// puts it in place. Errors name `path` (a full disk says which file it
/// could not write).
pub fn stage(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<Staged> {
    clean_up_on_signals();
    refuse_input(path)?;
    let dir = folder_of(path);
    create_folder(dir)?;
    lock_folder(dir)?;
    if path.is_dir() {
        bail!(
            "cannot write {}: it is a folder; give a file name",
            path.display()
        );
    }
    let cannot_write = || format!("cannot write {}", path.display());
    // A replaced file keeps its permissions; a new one gets the umask's
    // (0666 less the umask, as any program's new file).
    let old_mode = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions().mode() & 0o7777);
    let mut temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    let temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(std::fs::Permissions::from_mode(old_mode.unwrap_or(0o666)))
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temps.push(temp.path().to_path_buf());
    drop(temps);
    let (file, temp) = temp.into_parts();
    let mut staged = Staged {
        temp: Some(temp),
        path: path.to_path_buf(),
        digest: Digest256 {
            bytes: 0,
            sha256: String::new(),
        },
    };
    if let Some(mode) = old_mode {
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(cannot_write)?;
    }
    let mut out = Digesting {
        inner: std::io::BufWriter::new(&file),
        sha256: Sha256::new(),
        bytes: 0,
    };
    write(&mut out).with_context(cannot_write)?;
    out.flush().with_context(cannot_write)?;
    let Digesting {
        inner,
        sha256,
        bytes,
    } = out;
    drop(inner);
    staged.digest = Digest256 {
        bytes,
        sha256: sha256
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    };
    file.sync_all().with_context(cannot_write)?;
    Ok(staged)
}

impl Staged {
    /// Renames the temporary file into place.
    pub fn commit(mut self) -> Result<Digest256> {
        let temp = self.temp.take().expect("committed once");
        let temp_path = temp.to_path_buf();
        temp.persist(&self.path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        forget_temp(&temp_path);
        Ok(self.digest.clone())
    }
}

impl Drop for Staged {
    /// An uncommitted file's temporary is removed (by `TempPath`'s drop).
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let temp_path = temp.to_path_buf();
            drop(temp);
            forget_temp(&temp_path);
        }
    }
}

fn forget_temp(temp: &Path) {
    TEMPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|t| t != temp);
}

/// Puts several staged files in place together (a file and its sidecar): if
/// one cannot be, those already in place are put back as they were (the old
/// file, or none), so that readers see all the new files or none of them.
pub fn commit_all(staged: Vec<Staged>) -> Result<Vec<Digest256>> {
    // Each existing file's old content stays under a temporary name (a hard
    // link) until every new file is in place.
    let mut olds = Vec::new();
    for file in &staged {
        let old = if file.path.is_file() {
            let dir = folder_of(&file.path);
            let link = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .make_in(dir, |link| std::fs::hard_link(&file.path, link))
                .with_context(|| format!("cannot keep a copy of {}", file.path.display()))?;
            Some(link.into_temp_path())
        } else {
            None
        };
        olds.push(old);
    }
    let mut done = Vec::new();
    for (file, old) in staged.into_iter().zip(&mut olds) {
        let path = file.path.clone();
        match file.commit() {
            Ok(digest) => done.push((path, old.take(), digest)),
            Err(err) => {
                for (path, old, _) in done {
                    let _ = match old {
                        Some(old) => old.persist(&path).map_err(|e| e.error),
                        None => std::fs::remove_file(&path),
                    };
                }
                return Err(err);
            }
        }
    }
    Ok(done.into_iter().map(|(_, _, digest)| digest).collect())
}

/// The folder a file is written in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a file so that readers see either the old file or the complete new
/// one, never half of it: a temporary file in the same folder, then a rename.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Digest256> {
    stage(path, write)?.commit()
}

/// A writer that counts and hashes what goes through it.
struct Digesting<W> {
    inner: W,
    sha256: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha256.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Size and SHA-256 of a file as it is on disk.
pub fn digest_of(path: &Path) -> std::io::Result<Digest256> {
    let mut file = File::open(path)?;
    let mut out = Digesting {
        inner: std::io::sink(),
        sha256: Sha256::new(),
        bytes: 0,
    };
    std::io::copy(&mut file, &mut out)?;
    Ok(Digest256 {
        bytes: out.bytes,
        sha256: out
            .sha256
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_created_or_the_missing_part_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("new/lists");
        create_folder(&deep).unwrap();
        assert!(deep.is_dir());
        create_folder(&deep).unwrap();

        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "").unwrap();
        let err = create_folder(&file.join("lists")).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "cannot create the folder {}/lists: {} is a file, not a folder",
                file.display(),
                file.display()
            )
        );
    }

    fn text(write: &'static str) -> impl FnOnce(&mut dyn Write) -> Result<()> {
        move |out| Ok(out.write_all(write.as_bytes())?)
    }

    #[test]
    fn files_committed_together_are_all_put_back_when_one_fails() {
        let dir = tempfile::tempdir().unwrap();
        let (list, sidecar, fresh) = (
            dir.path().join("list.csv"),
            dir.path().join("list.csv.meta.json"),
            dir.path().join("fresh.csv"),
        );
        std::fs::write(&list, "old list").unwrap();
        let staged = vec![
            stage(&list, text("new list")).unwrap(),
            stage(&fresh, text("new file")).unwrap(),
            stage(&sidecar, text("new meta")).unwrap(),
        ];
        // The last rename fails: a folder took the sidecar's place.
        std::fs::create_dir(&sidecar).unwrap();
        std::fs::write(sidecar.join("x"), "").unwrap();
        assert!(commit_all(staged).is_err());
        assert_eq!(std::fs::read_to_string(&list).unwrap(), "old list");
        assert!(!fresh.exists());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(TEMP_PREFIX))
            .collect();
        assert_eq!(left, Vec::<String>::new());

        std::fs::remove_dir_all(&sidecar).unwrap();
        let staged = vec![
            stage(&list, text("new list")).unwrap(),
            stage(&sidecar, text("new meta")).unwrap(),
        ];
        let digests = commit_all(staged).unwrap();
        assert_eq!(std::fs::read_to_string(&list).unwrap(), "new list");
        assert_eq!(digests[1], digest_of(&sidecar).unwrap());
    }
}
