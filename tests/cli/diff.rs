//! `goldpan diff`: two weekly runs of `segments` with known movers.
//!
//! fixtures/shopify_orders_week{1,2}_cron.csv: week 2 is week 1 plus two
//! orders. Between the runs (as of 2025-06-02 and 2025-06-09) ann orders a
//! second time (one_time → repeat), cara orders for the first time (enters
//! one_time and aov_mid), and fay's last order crosses 90 days
//! (lapsed_60 → lapsed_90).

use crate::util::{goldpan, read_csv, segments};
use std::path::Path;

const WEEK1: &str = "shopify_orders_week1_cron.csv";
const WEEK2: &str = "shopify_orders_week2_cron.csv";

fn column(path: &Path, name: &str) -> Vec<String> {
    read_csv(path)
        .into_iter()
        .map(|row| row[name].clone())
        .collect()
}

/// Both runs and the diff; returns (temp dir, out folder, stdout).
fn diff_runs(
    extra: &[&str],
) -> (
    tempfile::TempDir,
    tempfile::TempDir,
    std::path::PathBuf,
    Vec<u8>,
) {
    let (old_dir, old) = segments(WEEK1, "2025-06-02", &[]);
    let (new_dir, new) = segments(WEEK2, "2025-06-09", &[]);
    let out = old_dir.path().join("moves");
    let output = goldpan()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--out")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // New folder lives in its own temp dir: keep it alive with the old one.
    (old_dir, new_dir, out, output.stdout)
}

#[test]
fn movers_enter_and_leave_the_right_lists() {
    let (_old, _new, out, _) = diff_runs(&[]);
    let emails = |file: &str| column(&out.join(file), "email");
    assert_eq!(emails("one_time.entered.csv"), ["cara@example.com"]);
    assert_eq!(emails("one_time.left.csv"), ["ann@example.com"]);
    assert_eq!(emails("repeat.entered.csv"), ["ann@example.com"]);
    assert!(emails("repeat.left.csv").is_empty());
    assert!(emails("lapsed_60.entered.csv").is_empty());
    assert_eq!(emails("lapsed_60.left.csv"), ["fay@example.com"]);
    assert_eq!(emails("lapsed_90.entered.csv"), ["fay@example.com"]);
    assert_eq!(emails("aov_mid.entered.csv"), ["cara@example.com"]);
    // A customer in both runs is in neither list, however their figures moved.
    for stayed in ["top_20", "aov_high", "aov_low", "bulk_b2b"] {
        assert!(
            emails(&format!("{stayed}.entered.csv")).is_empty(),
            "{stayed}"
        );
        assert!(emails(&format!("{stayed}.left.csv")).is_empty(), "{stayed}");
    }
}

#[test]
fn lists_keep_the_segment_columns_and_each_runs_as_of() {
    let (_old, _new, out, _) = diff_runs(&[]);
    let entered = read_csv(&out.join("repeat.entered.csv"));
    assert_eq!(entered[0]["orders"], "2");
    assert_eq!(entered[0]["revenue"], "85.00");
    assert_eq!(entered[0]["as_of"], "2025-06-09");
    let left = read_csv(&out.join("one_time.left.csv"));
    assert_eq!(left[0]["orders"], "1");
    assert_eq!(left[0]["as_of"], "2025-06-02");
    let header = csv::Reader::from_path(out.join("bulk_b2b.entered.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(header.get(0), Some("email"));
    assert_eq!(header.get(header.len() - 2), Some("reasons"));
    assert_eq!(header.get(header.len() - 1), Some("as_of"));
}

#[test]
fn summary_counts_in_file_stdout_and_json() {
    let (_old, _new, out, stdout) = diff_runs(&[]);
    let expected = "segment,old,new,entered,left,old_as_of,new_as_of\n\
                    aov_high,1,1,0,0,2025-06-02,2025-06-09\n\
                    aov_low,1,1,0,0,2025-06-02,2025-06-09\n\
                    aov_mid,4,5,1,0,2025-06-02,2025-06-09\n\
                    bulk_b2b,0,0,0,0,2025-06-02,2025-06-09\n\
                    lapsed_60,2,1,0,1,2025-06-02,2025-06-09\n\
                    lapsed_90,0,1,1,0,2025-06-02,2025-06-09\n\
                    one_time,5,5,1,1,2025-06-02,2025-06-09\n\
                    repeat,1,2,1,0,2025-06-02,2025-06-09\n\
                    top_20,2,2,0,0,2025-06-02,2025-06-09\n";
    assert_eq!(
        std::fs::read_to_string(out.join("diff_summary.csv")).unwrap(),
        expected
    );
    assert_eq!(String::from_utf8(stdout).unwrap(), expected);

    let (_old, _new, _, stdout) = diff_runs(&["--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(json["old_as_of"], "2025-06-02");
    assert_eq!(json["new_as_of"], "2025-06-09");
    let one_time = &json["segments"].as_array().unwrap()[6];
    assert_eq!(
        one_time,
        &serde_json::json!({"segment": "one_time", "old": 5, "new": 5, "entered": 1, "left": 1})
    );
    assert_eq!(json["only_in_old"], serde_json::json!([]));
}

#[test]
fn segment_in_one_run_only_is_reported_not_an_error() {
    let (_old_dir, old) = segments(WEEK1, "2025-06-02", &[]);
    // The new run bands lapsed customers differently: lapsed_30 is new,
    // lapsed_60 and lapsed_90 are gone.
    let (_new_dir, new) = segments(WEEK2, "2025-06-09", &["--lapsed-days", "30"]);
    let out = tempfile::tempdir().unwrap();
    let output = goldpan()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--out")
        .arg(out.path())
        .arg("--json")
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["only_in_old"],
        serde_json::json!(["lapsed_60", "lapsed_90"])
    );
    assert_eq!(json["only_in_new"], serde_json::json!(["lapsed_30"]));
    assert!(!out.path().join("lapsed_30.entered.csv").exists());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("not compared, only in"), "{stderr}");
}

#[test]
fn customers_known_only_by_id_are_keyed_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    for d in [&old, &new] {
        std::fs::create_dir(d).unwrap();
    }
    let header = "email,customer_id,name,as_of\n";
    std::fs::write(
        old.join("repeat.csv"),
        format!("{header},17,Pos Customer,2025-06-02\nann@x.com,,Ann,2025-06-02\n"),
    )
    .unwrap();
    std::fs::write(
        new.join("repeat.csv"),
        format!("{header},17,Pos Customer,2025-06-09\n,18,Phone Order,2025-06-09\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    goldpan()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--out")
        .arg(&out)
        .arg("--unchecked")
        .assert()
        .success();
    assert_eq!(
        column(&out.join("repeat.entered.csv"), "customer_id"),
        ["18"]
    );
    assert_eq!(column(&out.join("repeat.left.csv"), "email"), ["ann@x.com"]);
}

#[test]
fn missing_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = goldpan()
        .args(["diff", "/no/such/folder"])
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "goldpan: /no/such/folder: no such folder (give two folders written by goldpan segments)\n"
    );
}

/// diff's error when week 2's run folder was changed by `edit` after the
/// run: it must refuse, writing nothing.
fn refusal_after(edit: impl Fn(&Path)) -> String {
    let (old_dir, old) = segments(WEEK1, "2025-06-02", &[]);
    let (_new_dir, new) = segments(WEEK2, "2025-06-09", &[]);
    edit(&new);
    let out = old_dir.path().join("moves");
    let output = goldpan()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!out.exists(), "nothing written");
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.replace(&new.display().to_string(), "NEW")
}

#[test]
fn a_run_whose_files_do_not_match_its_manifest_is_refused() {
    // A list saved again after the run (say, from a spreadsheet), or gone:
    // the folder is no longer the run goldpan wrote.
    let changed = refusal_after(|run| {
        let mut list = std::fs::read(run.join("one_time.csv")).unwrap();
        list.extend_from_slice(b"eve@example.com,,,,,,1,9.00,9.00,,,,,,\n");
        std::fs::write(run.join("one_time.csv"), list).unwrap();
    });
    assert_eq!(
        changed,
        "goldpan: NEW is not a complete run: one_time.csv was changed since the run wrote it \
         (its goldpan-manifest.json does not match its files); run goldpan segments for it \
         again\n"
    );
    let missing = refusal_after(|run| std::fs::remove_file(run.join("repeat.csv")).unwrap());
    assert_eq!(
        missing,
        "goldpan: NEW is not a complete run: repeat.csv is missing (its goldpan-manifest.json \
         does not match its files); run goldpan segments for it again\n"
    );
}

/// Folders given the wrong way round would swap who entered and who left.
#[test]
fn swapped_folders_are_a_usage_error() {
    let (old_dir, old) = segments(WEEK1, "2025-06-02", &[]);
    let (_new_dir, new) = segments(WEEK2, "2025-06-09", &[]);
    let out = old_dir.path().join("moves");
    let output = goldpan()
        .arg("diff")
        .arg(&new)
        .arg(&old)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("as of 2025-06-09, later than")
            && stderr.contains("give the older run first"),
        "{stderr}"
    );
    assert!(!out.exists());
}
