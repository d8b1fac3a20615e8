//! Runs the real `goldpan` binary on files under `fixtures/`.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// `goldpan` with a pinned time zone, so nothing depends on the machine.
pub fn goldpan() -> Command {
    let mut cmd = Command::cargo_bin("goldpan").unwrap();
    cmd.env("TZ", "UTC");
    cmd
}

/// Runs a goldpan command that must succeed; returns its stdout and stderr.
/// A failure shows goldpan's stderr, so the test output says what went wrong.
pub fn run_ok(cmd: &mut Command) -> (String, String) {
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "goldpan failed: {stderr}");
    (stdout, stderr)
}

/// `goldpan summary FILE --as-of AS_OF --json [extra…]`, parsed.
pub fn summary_json(file: &str, as_of: &str, extra: &[&str]) -> serde_json::Value {
    let (stdout, _) = run_ok(
        goldpan()
            .args(["summary", &fixture(file), "--as-of", as_of, "--json"])
            .args(extra),
    );
    serde_json::from_str(&stdout).unwrap()
}

/// Rows of a CSV file as maps from header to cell.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The `email` column of a segment file, in file order.
pub fn emails(dir: &Path, segment: &str) -> Vec<String> {
    read_csv(&dir.join(format!("{segment}.csv")))
        .into_iter()
        .map(|row| row["email"].clone())
        .collect()
}

/// Runs `goldpan segments FILE --as-of AS_OF --out <temp dir> [extra…]`.
pub fn segments(file: &str, as_of: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    run_ok(
        goldpan()
            .args(["segments", &fixture(file), "--as-of", as_of, "--out"])
            .arg(&out)
            .args(extra),
    );
    (dir, out)
}

/// Asserts a float is within a millionth of what is expected.
pub fn assert_close(value: &serde_json::Value, expected: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!(
        (got - expected).abs() < 1e-9,
        "got {got}, expected {expected}"
    );
}

/// Runs goldpan with stdout and stderr on a pseudo-terminal, as in a terminal
/// window (goldpan then draws tables); returns what the window showed.
pub fn on_terminal(args: &[&str]) -> String {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    // SAFETY: plain calls on a descriptor this function owns; ptsname_r
    // writes into this function's buffer (other tests open terminals too).
    let (terminal, mut shown) = unsafe {
        let shown = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(shown >= 0, "cannot open a pseudo-terminal");
        assert_eq!(libc::grantpt(shown), 0);
        assert_eq!(libc::unlockpt(shown), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(shown, name.as_mut_ptr(), name.len()), 0);
        let name = std::ffi::CStr::from_ptr(name.as_ptr())
            .to_str()
            .unwrap()
            .to_string();
        let shown = std::fs::File::from_raw_fd(shown);
        let terminal = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name)
            .unwrap();
        (terminal, shown)
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_goldpan"))
        .args(args)
        .env("TZ", "UTC")
        .stdin(std::process::Stdio::null())
        .stdout(terminal.try_clone().unwrap())
        .stderr(terminal)
        .spawn()
        .unwrap();
    let mut output = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        match shown.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => output.extend_from_slice(&buffer[..n]),
            // Linux answers EIO once no program has the terminal open.
            Err(err) if err.raw_os_error() == Some(libc::EIO) => break,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => panic!("reading the terminal: {err}"),
        }
    }
    child.wait().unwrap();
    String::from_utf8_lossy(&output).replace("\r\n", "\n")
}

/// Runs goldpan on `path` with its address space capped at 512 MiB: a
/// stream of zeros (or any endless cell) must stop at the cell cap, quickly.
pub fn bounded_summary(path: &str) -> std::process::Output {
    let started = std::time::Instant::now();
    let output = std::process::Command::new("prlimit")
        .arg(format!("--as={}", 512 << 20))
        .arg(assert_cmd::cargo::cargo_bin("goldpan"))
        .args(["summary", path, "--as-of", "2024-04-01"])
        .output()
        .unwrap();
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
    output
}
