//! Exit codes, completions, --json, and the as-of date in every output.

use crate::util::{fixture, goldpan, read_csv, segments};

const WEEK1: &str = "shopify_orders_week1_cron.csv";

#[test]
fn exit_codes_are_0_ok_1_error_2_usage() {
    goldpan()
        .args(["summary", &fixture(WEEK1), "--as-of", "2025-06-02"])
        .assert()
        .code(0);
    // An error in the data or the files: 1.
    let missing = goldpan()
        .args(["summary", "/no/such/export.csv"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("goldpan: cannot open"));
    // Usage, found by clap: 2.
    for args in [
        &["summary", "--no-such-flag", "x.csv"][..],
        &["segments", "x.csv"][..],
        &["summary", "x.csv", "--top-percent", "0"][..],
        &["summary", "x.csv", "--lapsed-days", "90,60"][..],
        &["summary", "x.csv", "--work-email-is-b2b=maybe"][..],
        &["completions", "tcsh"][..],
        &["frobnicate"][..],
    ] {
        goldpan().args(args).assert().code(2);
    }
    // Usage, found by goldpan: 2.
    let dir = tempfile::tempdir().unwrap();
    goldpan()
        .args(["segments", &fixture(WEEK1), "--out", "-", "--json"])
        .assert()
        .code(2);
    goldpan()
        .args(["segments", &fixture(WEEK1), "--only", "nope", "--out"])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn completions_for_bash_zsh_fish() {
    for (shell, marker) in [
        ("bash", "_goldpan()"),
        ("zsh", "#compdef goldpan"),
        ("fish", "complete -c goldpan"),
    ] {
        let output = goldpan().args(["completions", shell]).output().unwrap();
        assert!(output.status.success());
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}");
        assert!(script.contains("audience"), "{shell} completes subcommands");
        assert!(script.contains("lapsed-days"), "{shell} completes flags");
    }
}

#[test]
fn segment_files_end_with_the_as_of_date() {
    let (_dir, out) = segments(WEEK1, "2025-06-02", &[]);
    for name in ["one_time", "bulk_b2b", "lapsed_60"] {
        let path = out.join(format!("{name}.csv"));
        let header = csv::Reader::from_path(&path)
            .unwrap()
            .headers()
            .unwrap()
            .clone();
        assert_eq!(header.iter().next_back(), Some("as_of"), "{name}");
        for row in read_csv(&path) {
            assert_eq!(row["as_of"], "2025-06-02");
        }
    }
}

#[test]
fn segments_json_prints_counts_and_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let output = goldpan()
        .args([
            "segments",
            &fixture(WEEK1),
            "--as-of",
            "2025-06-02",
            "--json",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["as_of"], "2025-06-02");
    assert_eq!(json["customers"], 6);
    let one_time = &json["segments"][2];
    assert_eq!(one_time["segment"], "one_time");
    assert_eq!(one_time["customers"], 5);
    assert_eq!(one_time["rule"], "exactly 1 order");
    crate::util::assert_close(&one_time["customer_share"], 5.0 / 6.0);
    crate::util::assert_close(&one_time["revenue_share"], 270.0 / 410.0);
}

#[test]
fn summary_says_its_as_of_date() {
    let json = crate::util::summary_json(WEEK1, "2025-06-02", &[]);
    assert_eq!(json["as_of"], "2025-06-02");
    let output = goldpan()
        .args(["summary", &fixture(WEEK1), "--as-of", "2025-06-02"])
        .output()
        .unwrap();
    let csv = String::from_utf8(output.stdout).unwrap();
    assert!(csv.starts_with("figure,value\nas_of,2025-06-02\n"), "{csv}");
}

#[test]
fn stale_export_gets_one_note() {
    let stderr = |as_of: &str| {
        let output = goldpan()
            .args(["summary", &fixture(WEEK1), "--as-of", as_of])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    // The newest order is from 2025-05-31.
    assert!(
        !stderr("2025-06-30").contains("stale"),
        "30 days is not stale"
    );
    let late = stderr("2025-07-15");
    let notes: Vec<&str> = late.lines().filter(|l| l.contains("stale")).collect();
    assert_eq!(
        notes,
        [
            "goldpan: note: the newest order is from 2025-05-31, 45 days before the as-of date \
          2025-07-15: is the export stale? (figures are computed as of 2025-07-15)"
        ]
    );
}

#[test]
fn top_level_help_shows_the_exit_codes() {
    let output = goldpan().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        help.contains("Exit codes: 0 ok, 1 error (bad data, an unreadable file, …), 2 usage"),
        "{help}"
    );
}

/// The notes of reading the exports (here: a stale export) go to stderr
/// once, and into the `notes` array of every `--json`.
#[test]
fn json_carries_the_notes() {
    let stale = "the newest order is from 2025-05-31, 45 days before the as-of date 2025-07-15: \
                 is the export stale? (figures are computed as of 2025-07-15)";
    let dir = tempfile::tempdir().unwrap();
    let runs: [&[&str]; 3] = [
        &["summary"],
        &["segments", "--out", "lists"],
        &[
            "audience",
            "--segment",
            "one_time",
            "--platform",
            "meta",
            "--out",
            "meta.csv",
        ],
    ];
    for args in runs {
        let output = goldpan()
            .current_dir(dir.path())
            .args(args)
            .args([&fixture(WEEK1), "--as-of", "2025-07-15", "--json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert_eq!(stderr.matches(stale).count(), 1, "{args:?}: {stderr}");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        // The stale note, and (from the commands that predict) why this
        // small store has no predictions, and (from summary) that 87 days
        // of orders make no lifetime value.
        let notes: Vec<&str> = json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .filter(|n| !n.starts_with("no predictions") && !n.starts_with("clv takes"))
            .collect();
        assert_eq!(notes, [stale], "{args:?}");
    }
    let json = crate::util::summary_json(WEEK1, "2025-06-02", &[]);
    let notes = json["notes"].as_array().unwrap();
    assert!(
        notes.iter().all(|n| {
            let n = n.as_str().unwrap();
            n.starts_with("no predictions") || n.starts_with("clv takes")
        }),
        "no other note: {notes:?}"
    );
    // A note of ingest itself: dates whose day/month order is open.
    let json = crate::util::summary_json("bigcommerce_ambiguous_dates.csv", "2021-07-31", &[]);
    let notes = json["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[1].as_str().unwrap().starts_with("no predictions"));
    assert!(notes[2].as_str().unwrap().starts_with("clv takes"));
    let note = notes[0].as_str().unwrap();
    assert!(
        note.ends_with(
            "dates such as 02/07/2021 read as day/month (dmy); \
             use --date-order mdy if they are month/day"
        ),
        "{note}"
    );
}

#[test]
fn a_pipe_whose_reader_has_gone_ends_every_command_quietly_with_0() {
    // `goldpan … | head -1`: head has read its line and left. Here the
    // reader is gone before goldpan starts, so every write meets it.
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let export = fixture(WEEK1);
    let (old, new) = (path("old"), path("new"));
    for (run, as_of) in [(&old, "2025-06-02"), (&new, "2025-06-09")] {
        goldpan()
            .args(["segments", &export, "--as-of", as_of, "--out", run])
            .assert()
            .success();
    }
    let as_of = ["--as-of", "2025-06-09"];
    let (lists, moves, upload) = (path("lists"), path("moves"), path("meta.csv"));
    let runs: Vec<Vec<&str>> = vec![
        [&["summary", &export][..], &as_of].concat(),
        [&["summary", &export, "--json"][..], &as_of].concat(),
        [
            &["segments", &export, "--only", "one_time", "--out", "-"][..],
            &as_of,
        ]
        .concat(),
        [
            &["segments", &export, "--out", &lists, "--json"][..],
            &as_of,
        ]
        .concat(),
        [&["customers", &export, "--out", "-"][..], &as_of].concat(),
        [&["customers", &export, "--out", "-", "--json"][..], &as_of].concat(),
        vec!["diff", &old, &new, "--out", &moves],
        vec!["diff", &old, &new, "--out", &moves, "--json"],
        [
            &[
                "audience",
                &export,
                "--segment",
                "one_time",
                "--platform",
                "meta",
            ][..],
            &["--out", &upload, "--json"],
            &as_of,
        ]
        .concat(),
        [&["report", &export, "--out", "-"][..], &as_of].concat(),
        [&["report", &export, "--json"][..], &as_of].concat(),
        [&["cohorts", &export][..], &as_of].concat(),
        [&["cohorts", &export, "--json"][..], &as_of].concat(),
        vec!["config", "--print"],
        vec!["config", "--print", "--json"],
        vec!["completions", "bash"],
        vec!["help", "audience"],
        vec!["--version"],
    ];
    for args in &runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_goldpan"))
            .args(args)
            .env("TZ", "UTC")
            .current_dir(dir.path())
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        for word in ["Broken pipe", "panicked", "error"] {
            assert!(!stderr.contains(word), "{args:?}: {stderr}");
        }
    }
    // `goldpan … 2>&1 | head -1`: the notes on stderr meet the closed pipe too.
    for args in &runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_goldpan"))
            .args(args)
            .env("TZ", "UTC")
            .current_dir(dir.path())
            .stdout(writer.try_clone().unwrap())
            .stderr(writer)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0), "2>&1: {args:?}");
    }
}

/// A date in another form, or a day that does not exist, is a usage error
/// that says what a date looks like, for every date flag.
#[test]
fn a_bad_date_says_the_form_dates_take() {
    let file = fixture(WEEK1);
    for (args, expected) in [
        (
            vec!["summary", &file, "--as-of", "01/06/2025"],
            "expected a date as YYYY-MM-DD",
        ),
        (
            vec!["summary", &file, "--as-of", "2025-02-30"],
            "there is no such day",
        ),
        (
            vec!["summary", &file, "--since", "June 1"],
            "expected a date as YYYY-MM-DD",
        ),
        (
            vec!["summary", &file, "--until", "2025-13-01"],
            "there is no such day",
        ),
        (
            vec![
                "buyers",
                &file,
                "--bought",
                "x",
                "--out",
                "-",
                "--since",
                "2025/06/01",
            ],
            "expected a date as YYYY-MM-DD",
        ),
    ] {
        goldpan()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(expected));
    }
}

/// clv takes a short export's pace for whole years: summary and report say
/// so below 90 days of orders, and not above.
#[test]
fn clv_of_a_short_export_gets_a_note() {
    let note = "clv takes the pace of 6 day(s) of orders for whole years: with fewer than 90 \
                days of orders it is not a lifetime value";
    let json = crate::util::summary_json(
        "shopify_orders_2025_devstore_forezia.csv",
        "2026-01-01",
        &[],
    );
    assert!(
        json["notes"].as_array().unwrap().iter().any(|n| n == note),
        "{json}"
    );
    let json = crate::util::summary_json(
        "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv",
        "2026-01-01",
        &[],
    );
    assert!(
        !json["notes"].to_string().contains("clv takes"),
        "{}",
        json["notes"]
    );
}
