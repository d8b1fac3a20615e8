//! The weekly cron script (contrib/goldpan-weekly.sh, shown in docs/weekly.md), run as
//! cron runs it: `sh`, an empty environment but HOME and PATH=/usr/bin:/bin,
//! the home folder as working folder, goldpan in ~/.cargo/bin.

use crate::util::{fixture, read_csv};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn script() -> PathBuf {
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
    let (store, installed) = store_folder(home.path());

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

/// The store folder of a cron test: the script installed in `home/shop`,
/// goldpan in `home/.cargo/bin`, `exports/` empty.
fn store_folder(home: &Path) -> (PathBuf, PathBuf) {
    let bin = home.join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_goldpan"), bin.join("goldpan")).unwrap();
    let store = home.join("shop");
    std::fs::create_dir_all(store.join("exports")).unwrap();
    let installed = store.join("goldpan-weekly.sh");
    std::fs::copy(script(), &installed).unwrap();
    (store, installed)
}

#[test]
fn the_win_back_lines_name_who_reached_60_and_90_days_this_week() {
    // fixtures/shopify_orders_winback_week*.csv; the 60th day without an
    // order is the last order's date + 60:
    //   ivy 04-03 → 06-02 (week 1: already lapsed_60 on its last day)
    //   gil 04-04 → 06-03, lee 04-07 → 06-06, hal 04-10 → 06-09: week 2
    //   jon 04-11 → 06-10 (next week); mo 04-05 → 06-04, but he ordered
    //   again on 06-05. The 90th day: pat 03-03 → 06-01 (week 1), kim
    //   03-06 → 06-04 (week 2). nia is a new buyer, not a lapsed one.
    let home = tempfile::tempdir().unwrap();
    let (store, installed) = store_folder(home.path());
    std::fs::copy(
        fixture("shopify_orders_winback_week1.csv"),
        store.join("exports/orders_2025-06-01.csv"),
    )
    .unwrap();
    cron(home.path(), &installed, "2025-06-02");
    std::fs::copy(
        fixture("shopify_orders_winback_week2.csv"),
        store.join("exports/orders_2025-06-08.csv"),
    )
    .unwrap();
    let second = cron(home.path(), &installed, "2025-06-09");

    let moves = store.join("runs/2025-06-09/moves");
    let lines: Vec<&str> = second
        .lines()
        .filter(|l| l.starts_with("Win-back"))
        .collect();
    assert_eq!(
        lines,
        [
            format!(
                "Win-back: 3 customer(s) reached 60 days without an order since the last run: {}",
                moves.join("lapsed_60.entered.csv").display()
            ),
            format!(
                "Win-back, bigger discount: 1 customer(s) reached 90 days without an order since \
                 the last run: {}",
                moves.join("lapsed_90.entered.csv").display()
            ),
        ]
    );
    let entered = |segment: &str| -> Vec<String> {
        read_csv(&moves.join(format!("{segment}.entered.csv")))
            .into_iter()
            .map(|r| r["email"].clone())
            .collect()
    };
    assert_eq!(
        entered("lapsed_60"),
        ["lee@example.com", "hal@example.com", "gil@example.com"]
    );
    assert_eq!(entered("lapsed_90"), ["kim@example.com"]);
    assert_eq!(entered("one_time"), ["nia@example.com"]);
}

/// A Shopify export of `orders` one-row orders from `orders / 2` customers,
/// made fast (a few MB), so that writing its lists takes a moment.
pub fn big_export(path: &Path, orders: usize) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,\
         Billing Name,Billing Company,Billing Zip,Billing Country,Billing Phone,\
         Shipping Zip,Shipping Country,Cancelled at,Refunded Amount"
    )
    .unwrap();
    for i in 0..orders {
        writeln!(
            out,
            "#{},c{}@example.com,paid,USD,{}.50,2025-0{}-{} 10:00:00 +0000,{},Customer {i},,\
             9410{},US,,,,,",
            900_000 + i,
            i % (orders / 2),
            10 + i % 97,
            1 + i % 5,
            10 + i % 18,
            1 + i % 3,
            i % 10
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// goldpan's temporary files in `dir`.
pub fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with(".goldpan-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Starts `goldpan segments EXPORTS --as-of AS_OF --out OUT` and returns it
/// once it is writing its lists (a temporary file is in `out`).
pub fn segments_caught_writing(exports: &[&Path], as_of: &str, out: &Path) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_goldpan"))
        .arg("segments")
        .args(exports)
        .args(["--as-of", as_of, "--out"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if !temp_files(out).is_empty() {
            return child;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("goldpan ended ({status}) before it was caught writing: make the export bigger");
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
}

#[test]
fn a_killed_run_is_detectably_incomplete_and_the_script_skips_it() {
    let home = tempfile::tempdir().unwrap();
    let (store, installed) = store_folder(home.path());
    let week1 = store.join("exports/orders_2025-06-01.csv");
    std::fs::copy(fixture("shopify_orders_week1_cron.csv"), &week1).unwrap();
    cron(home.path(), &installed, "2025-06-02");

    // Week 2's run is killed (kill -9) while it writes its lists: the folder
    // holds some new lists, some old ones and temporary files.
    let big = home.path().join("big.csv");
    big_export(&big, 40_000);
    let killed = store.join("runs/2025-06-09");
    std::fs::create_dir_all(&killed).unwrap();
    std::fs::copy(
        store.join("runs/2025-06-02/one_time.csv"),
        killed.join("one_time.csv"),
    )
    .unwrap();
    let mut child = segments_caught_writing(&[&week1, &big], "2025-06-09", &killed);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!killed.join("goldpan-manifest.json").exists());

    // diff refuses it, naming the incomplete run.
    let output = Command::new(env!("CARGO_BIN_EXE_goldpan"))
        .arg("diff")
        .arg(store.join("runs/2025-06-02"))
        .arg(&killed)
        .arg("--out")
        .arg(home.path().join("moves"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{} is not a complete run: it has no goldpan-manifest.json",
            killed.display()
        )),
        "{stderr}"
    );
    assert!(!home.path().join("moves").exists(), "nothing written");

    // Next week's run compares with the last complete run, week 1.
    std::fs::copy(
        fixture("shopify_orders_week2_cron.csv"),
        store.join("exports/orders_2025-06-08.csv"),
    )
    .unwrap();
    let next = cron(home.path(), &installed, "2025-06-16");
    assert!(
        next.starts_with(
            "Skipped runs/2025-06-09: that run did not finish (it has no goldpan-manifest.json).\n\
             Moves from runs/2025-06-02 to runs/2025-06-16:"
        ),
        "{next}"
    );

    // Running week 2 again removes the killed run's temporary files and
    // completes the folder.
    assert!(!temp_files(&killed).is_empty());
    cron(home.path(), &installed, "2025-06-09");
    assert_eq!(temp_files(&killed), Vec::<String>::new());
    assert!(killed.join("goldpan-manifest.json").is_file());
}
