//! The weekly cron script (contrib/goldpan-weekly.sh, shown in docs/weekly.md), run as
//! cron runs it: `sh`, an empty environment but HOME and PATH=/usr/bin:/bin,
//! the home folder as working folder, goldpan in ~/.cargo/bin.

use crate::util::{fixture, read_csv};
use std::path::{Path, PathBuf};
use std::process::Command;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/goldpan-weekly.sh")
}

/// Runs the script as cron would; returns stdout, or panics with stderr.
fn cron(home: &Path, script: &Path, as_of: &str) -> String {
    let output = Command::new("/bin/sh")
        .arg(script)
        .arg(as_of)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("SHELL", "/bin/sh")
        .current_dir(home)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "script failed: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn weekly_script_runs_unchanged_under_cron() {
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_goldpan"), bin.join("goldpan")).unwrap();
    let store = home.path().join("shop");
    std::fs::create_dir_all(store.join("exports")).unwrap();
    let installed = store.join("goldpan-weekly.sh");
    std::fs::copy(script(), &installed).unwrap();

    // Week 1: one export.
    std::fs::copy(
        fixture("shopify_orders_week1_cron.csv"),
        store.join("exports/orders_2025-06-01.csv"),
    )
    .unwrap();
    let first = cron(home.path(), &installed, "2025-06-02");
    assert!(first.starts_with("First run"), "{first}");
    assert!(store.join("runs/2025-06-02/one_time.csv").is_file());

    // Week 2: the new export is dropped next to the old one (they overlap).
    std::fs::copy(
        fixture("shopify_orders_week2_cron.csv"),
        store.join("exports/orders_2025-06-08.csv"),
    )
    .unwrap();
    let second = cron(home.path(), &installed, "2025-06-09");
    assert!(
        second.starts_with("Moves from runs/2025-06-02 to runs/2025-06-09:"),
        "{second}"
    );
    assert!(
        second.contains("one_time,5,5,1,1,2025-06-02,2025-06-09"),
        "{second}"
    );
    let entered = read_csv(&store.join("runs/2025-06-09/moves/one_time.entered.csv"));
    assert_eq!(entered.len(), 1);
    assert_eq!(entered[0]["email"], "cara@example.com");

    // Run again the same day (a retry): still compares with the week before.
    let again = cron(home.path(), &installed, "2025-06-09");
    assert!(
        again.starts_with("Moves from runs/2025-06-02 to"),
        "{again}"
    );
}
