//! Outputs never clobber: no output replaces an input export, one goldpan
//! writes into a folder at a time, usage mistakes stop before anything is
//! read or written, files keep their permissions.

use crate::util::{fixture, goldpan};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const WEEK1: &str = "shopify_orders_week1_cron.csv";

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.csv");
    std::fs::copy(fixture(WEEK1), &orders).unwrap();
    let original = std::fs::read(&orders).unwrap();
    // The same file under other names: a symbolic link, a hard link, a `./`.
    let symlink = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&orders, &symlink).unwrap();
    let hardlink = dir.path().join("hard.csv");
    std::fs::hard_link(&orders, &hardlink).unwrap();
    let dotted = dir.path().join(".").join("orders.csv");
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec![
            "summary".into(),
            orders.clone().into(),
            "--skip-bad-rows".into(),
            "--rejects".into(),
            symlink.clone().into(),
        ],
        vec![
            "summary".into(),
            orders.clone().into(),
            "--skip-bad-rows".into(),
            "--rejects".into(),
            hardlink.clone().into(),
        ],
        vec![
            "audience".into(),
            orders.clone().into(),
            "--segment".into(),
            "one_time".into(),
            "--platform".into(),
            "meta".into(),
            "--out".into(),
            dotted.clone().into(),
        ],
    ];
    for args in runs {
        let output = goldpan()
            .args(&args)
            .args(["--as-of", "2025-06-02"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&output).contains("is the input export"),
            "{}",
            stderr_of(&output)
        );
        assert_eq!(std::fs::read(&orders).unwrap(), original, "{args:?}");
    }

    // A segment file as the input of a run into its own folder.
    let out = dir.path().join("lists");
    std::fs::create_dir(&out).unwrap();
    std::fs::copy(fixture(WEEK1), out.join("one_time.csv")).unwrap();
    let output = goldpan()
        .arg("segments")
        .arg(out.join("one_time.csv"))
        .args(["--as-of", "2025-06-02", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("one_time.csv is the input export"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(std::fs::read(out.join("one_time.csv")).unwrap(), original);
    assert!(!out.join("repeat.csv").exists(), "nothing written");
}

#[test]
fn usage_mistakes_exit_2_before_any_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    // The export does not exist: reading it would fail with exit 1.
    let missing = dir.path().join("missing.csv");
    for (flags, expected) in [
        (&["--aov-bands", "2,0.5"][..], "--aov-bands"),
        (&["--lapsed-days", "90,60"], "--lapsed-days"),
        (&["--lifespan-years", "0"], "--lifespan-years"),
        (&["--bulk-order-qty", "0"], "--bulk-order-qty"),
        (
            &["--only", "lapsed_61"],
            "--only: no segment named \"lapsed_61\"",
        ),
    ] {
        let output = goldpan()
            .arg("segments")
            .arg(&missing)
            .arg("--out")
            .arg(&out)
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flags:?}");
        assert!(
            stderr_of(&output).contains(expected),
            "{}",
            stderr_of(&output)
        );
        assert!(!out.exists(), "{flags:?}: no folder made");
    }
    let output = goldpan().args(["summary", "-", "-"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("- (standard input) is given twice"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn a_dangling_out_symlink_gets_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("lists");
    std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
    let output = goldpan()
        .args([
            "segments",
            &fixture(WEEK1),
            "--as-of",
            "2025-06-02",
            "--out",
        ])
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("lists is a symbolic link to")
            && stderr.contains("gone, which does not exist"),
        "{stderr}"
    );
}

#[test]
fn diff_out_dash_is_refused_and_makes_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    for week in ["a", "b"] {
        goldpan()
            .args([
                "segments",
                &fixture(WEEK1),
                "--as-of",
                "2025-06-02",
                "--out",
                week,
            ])
            .current_dir(dir.path())
            .assert()
            .success();
    }
    let output = goldpan()
        .args(["diff", "a", "b", "--out", "-"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("--out -"),
        "{}",
        stderr_of(&output)
    );
    assert!(!dir.path().join("-").exists());
}

#[test]
fn audience_writes_its_csv_and_meta_json_both_or_neither() {
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("upload.csv");
    // The sidecar cannot be written: a folder is in its place.
    std::fs::create_dir(dir.path().join("upload.csv.meta.json")).unwrap();
    let output = goldpan()
        .args(["audience", &fixture(WEEK1), "--as-of", "2025-06-02"])
        .args(["--segment", "one_time", "--platform", "meta", "--out"])
        .arg(&upload)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("upload.csv.meta.json"),
        "{}",
        stderr_of(&output)
    );
    assert!(!upload.exists(), "no upload file without its meta.json");
    assert_eq!(
        crate::weekly_script::temp_files(dir.path()),
        Vec::<String>::new()
    );
}

#[test]
fn a_second_run_into_a_folder_being_written_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("repeat.csv"), "last week's list").unwrap();
    // A run in progress holds the folder's lock.
    let lock = std::fs::File::create(out.join(".goldpan.lock")).unwrap();
    lock.lock().unwrap();
    let output = goldpan()
        .args([
            "segments",
            &fixture(WEEK1),
            "--as-of",
            "2025-06-02",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains("another goldpan is writing into"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("repeat.csv")).unwrap(),
        "last week's list"
    );
    drop(lock);
    goldpan()
        .args([
            "segments",
            &fixture(WEEK1),
            "--as-of",
            "2025-06-02",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_replaced_list_keeps_its_permissions_and_new_files_follow_the_umask() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("repeat.csv"), "last week's list").unwrap();
    std::fs::set_permissions(
        out.join("repeat.csv"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_goldpan"));
    command
        .args([
            "segments",
            &fixture(WEEK1),
            "--as-of",
            "2025-06-02",
            "--out",
        ])
        .arg(&out);
    // SAFETY: umask(2) is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    assert!(command.status().unwrap().success());
    assert_eq!(mode(&out.join("repeat.csv")), 0o640);
    assert_eq!(mode(&out.join("one_time.csv")), 0o644);
}

#[test]
fn stale_temporary_files_of_a_killed_run_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join(".goldpan-a1B2c3"), "half a list").unwrap();
    let output = goldpan()
        .args([
            "segments",
            &fixture(WEEK1),
            "--as-of",
            "2025-06-02",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        stderr_of(&output).contains("removed 1 temporary file(s) that a stopped run left in"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(crate::weekly_script::temp_files(&out), Vec::<String>::new());
}

#[test]
fn out_into_a_missing_folder_creates_it_like_mkdir_p() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new/lists");
    let runs: Vec<(Vec<std::ffi::OsString>, std::path::PathBuf)> = vec![
        (
            vec![
                "audience".into(),
                fixture(WEEK1).into(),
                "--segment".into(),
                "one_time".into(),
                "--platform".into(),
                "meta".into(),
                "--out".into(),
                new.join("meta.csv").into(),
            ],
            new.join("meta.csv.meta.json"),
        ),
        (
            vec![
                "customers".into(),
                fixture(WEEK1).into(),
                "--out".into(),
                new.join("more/customers.csv").into(),
            ],
            new.join("more/customers.csv"),
        ),
        (
            vec![
                "summary".into(),
                fixture(WEEK1).into(),
                "--skip-bad-rows".into(),
                "--rejects".into(),
                new.join("rejects/rejects.csv").into(),
            ],
            new.join("rejects/rejects.csv"),
        ),
        (
            vec![
                "segments".into(),
                fixture(WEEK1).into(),
                "--out".into(),
                new.join("runs/2025-06-02").into(),
            ],
            new.join("runs/2025-06-02/goldpan-manifest.json"),
        ),
    ];
    for (args, written) in runs {
        let output = goldpan()
            .args(&args)
            .args(["--as-of", "2025-06-02"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert!(written.is_file(), "{args:?}");
    }
}

#[test]
fn out_under_a_file_names_the_part_that_is_not_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new");
    std::fs::write(&file, "a file, not a folder").unwrap();
    let output = goldpan()
        .args(["audience", &fixture(WEEK1), "--as-of", "2025-06-02"])
        .args(["--segment", "one_time", "--platform", "meta", "--out"])
        .arg(file.join("lists/meta.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(
        stderr.ends_with(&format!(
            "goldpan: cannot create the folder {}/lists: {} is a file, not a folder\n",
            file.display(),
            file.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
}
