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
