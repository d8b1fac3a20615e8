//! `goldpan segments`: exact membership at every boundary, file contract,
//! spreadsheet safety, atomic writes.

use crate::util::*;
use predicates::prelude::*;

const ALL: [&str; 9] = [
    "bulk_b2b",
    "repeat",
    "one_time",
    "lapsed_60",
    "lapsed_90",
    "top_20",
    "aov_low",
    "aov_mid",
    "aov_high",
];

#[test]
fn bulk_boundaries_36_items_and_72_in_all() {
    let (_dir, out) = segments("boundaries_bulk.csv", "2025-06-30", &[]);
    let rows = read_csv(&out.join("bulk_b2b.csv"));
    let found: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["email"].as_str(), r["reasons"].as_str()))
        .collect();
    // q36: one order of 30+6 line items; t72: 24+24+24. Out: q35 (35
    // items), t71 (71 in all), "n/a" and "HOME" (no company at all), and
    // the weak signals alone: acme's company (a gmail address) and the
    // hotelgroup.com work e-mail (no company).
    assert_eq!(
        found,
        [
            ("t72@gmail.com", "total_qty"),
            ("q36@gmail.com", "order_qty")
        ]
    );
    let (_dir, out) = segments(
        "boundaries_bulk.csv",
        "2025-06-30",
        &["--bulk-order-qty", "35", "--bulk-total-qty", "71"],
    );
    assert_eq!(
        emails(&out, "bulk_b2b"),
        [
            "t72@gmail.com",
            "t71@gmail.com",
            "q36@gmail.com",
            "q35@gmail.com"
        ]
    );
}

/// fixtures/b2b_signals_orders.csv (as of 2025-06-30): both@acme-linens.com
/// has a company and a work e-mail; company@gmail.com only a company;
/// buyer@hotelgroup.com only a work e-mail; every@wholesale-co.com two
/// orders of 40 items, a company and a work e-mail, and in
/// b2b_signals_customers.csv a wholesale tag and a tax exemption;
/// plain@gmail.com none of these.
const SIGNALS: &str = "b2b_signals_orders.csv";

/// `(email, reasons)` of bulk_b2b.csv, run on `files` with `extra` flags.
fn bulk(files: &[&str], extra: &[&str]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    goldpan()
        .current_dir(dir.path())
        .arg("segments")
        .args(files.iter().map(|f| fixture(f)))
        .args(["--as-of", "2025-06-30", "--out", "lists"])
        .args(extra)
        .assert()
        .success();
    read_csv(&dir.path().join("lists/bulk_b2b.csv"))
        .into_iter()
        .map(|r| (r["email"].clone(), r["reasons"].clone()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn bulk_b2b_takes_a_company_and_a_work_email_together() {
    assert_eq!(
        bulk(&[SIGNALS], &[]),
        pairs(&[
            (
                "every@wholesale-co.com",
                "order_qty;total_qty;company;work_email"
            ),
            ("both@acme-linens.com", "company;work_email"),
        ])
    );
}

#[test]
fn reasons_name_every_signal_in_a_fixed_order() {
    let customers = "b2b_signals_customers.csv";
    assert_eq!(
        bulk(&[SIGNALS, customers], &[])[0],
        pairs(&[(
            "every@wholesale-co.com",
            "order_qty;total_qty;wholesale_tag;tax_exempt;company;work_email"
        )])[0]
    );
}

#[test]
fn company_or_work_email_alone_only_when_asked() {
    assert_eq!(
        bulk(&[SIGNALS], &["--company-is-b2b"]),
        pairs(&[
            (
                "every@wholesale-co.com",
                "order_qty;total_qty;company;work_email"
            ),
            ("company@gmail.com", "company"),
            ("both@acme-linens.com", "company;work_email"),
        ])
    );
    assert_eq!(
        bulk(&[SIGNALS], &["--work-email-is-b2b"]),
        pairs(&[
            (
                "every@wholesale-co.com",
                "order_qty;total_qty;company;work_email"
            ),
            ("buyer@hotelgroup.com", "work_email"),
            ("both@acme-linens.com", "company;work_email"),
        ])
    );
}

#[test]
fn flags_turn_the_weak_signals_of_goldpan_toml_back_off() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("goldpan.toml"),
        "company_is_b2b = true\nwork_email_is_b2b = true\n",
    )
    .unwrap();
    let emails = |extra: &[&str]| -> Vec<String> {
        goldpan()
            .current_dir(dir.path())
            .args(["segments", &fixture(SIGNALS), "--as-of", "2025-06-30"])
            .args(["--out", "lists"])
            .args(extra)
            .assert()
            .success();
        read_csv(&dir.path().join("lists/bulk_b2b.csv"))
            .into_iter()
            .map(|r| r["email"].clone())
            .collect()
    };
    assert_eq!(emails(&[]).len(), 4, "both switches on from the file");
    assert_eq!(
        emails(&["--company-is-b2b=false"]),
        [
            "every@wholesale-co.com",
            "buyer@hotelgroup.com",
            "both@acme-linens.com"
        ]
    );
    assert_eq!(
        emails(&["--company-is-b2b=false", "--work-email-is-b2b=false"]),
        ["every@wholesale-co.com", "both@acme-linens.com"]
    );
}

#[test]
fn lapsed_boundaries_59_60_89_90_days() {
    let (_dir, out) = segments("boundaries_lapsed.csv", "2025-06-30", &[]);
    // d59 bought 200 days ago too, but only the last order counts.
    assert_eq!(emails(&out, "lapsed_60"), ["d60@x.com", "d89@x.com"]);
    assert_eq!(emails(&out, "lapsed_90"), ["d90@x.com"]);
    let rows = read_csv(&out.join("lapsed_60.csv"));
    assert_eq!(rows[0]["days_since_last_order"], "60");
    assert_eq!(rows[1]["days_since_last_order"], "89");

    let (_dir, out) = segments(
        "boundaries_lapsed.csv",
        "2025-06-30",
        &["--lapsed-days", "30,60,90"],
    );
    assert_eq!(emails(&out, "lapsed_30"), ["d59@x.com", "d30@x.com"]);
    assert_eq!(emails(&out, "lapsed_60"), ["d60@x.com", "d89@x.com"]);
    assert_eq!(emails(&out, "lapsed_90"), ["d90@x.com"]);
}

/// Ten one-order customers, store AOV exactly 100.00: top1 200.01, a-tie and
/// b-tie 200.00, half 50.00, under 49.99, m1..m5 60.00.
#[test]
fn top_20_ties_are_cut_by_email() {
    let (_dir, out) = segments("boundaries_top_aov.csv", "2025-06-30", &[]);
    // ceil(20% of 10) = 2: the tie at 200.00 is broken by e-mail.
    assert_eq!(emails(&out, "top_20"), ["top1@t.com", "a-tie@t.com"]);
    let (_dir, out) = segments(
        "boundaries_top_aov.csv",
        "2025-06-30",
        &["--top-percent", "30"],
    );
    assert_eq!(
        emails(&out, "top_30"),
        ["top1@t.com", "a-tie@t.com", "b-tie@t.com"]
    );
}

#[test]
fn aov_exactly_half_and_double_the_store_are_mid() {
    let (_dir, out) = segments("boundaries_top_aov.csv", "2025-06-30", &[]);
    assert_eq!(emails(&out, "aov_low"), ["under@t.com"]);
    assert_eq!(emails(&out, "aov_high"), ["top1@t.com"]);
    assert_eq!(
        emails(&out, "aov_mid"),
        [
            "a-tie@t.com",
            "b-tie@t.com",
            "m1@t.com",
            "m2@t.com",
            "m3@t.com",
            "m4@t.com",
            "m5@t.com",
            "half@t.com",
        ]
    );
    let (_dir, out) = segments(
        "boundaries_top_aov.csv",
        "2025-06-30",
        &["--aov-bands", "0.6,1.5"],
    );
    assert_eq!(emails(&out, "aov_low"), ["half@t.com", "under@t.com"]);
    assert_eq!(
        emails(&out, "aov_high"),
        ["top1@t.com", "a-tie@t.com", "b-tie@t.com"]
    );
}

#[test]
fn repeat_and_one_time_on_the_trap_export() {
    let (_dir, out) = segments("shopify_traps.csv", "2025-03-01", &[]);
    assert_eq!(emails(&out, "repeat"), ["ann@shop.com", "erin@x.org"]);
    assert_eq!(emails(&out, "one_time"), ["frank@biz.io", "bob@home.net"]);
    assert_eq!(emails(&out, "lapsed_90"), ["erin@x.org"]);
    assert!(emails(&out, "lapsed_60").is_empty());
}

/// The column contract of docs/definitions.md (the list files), on the trap export.
#[test]
fn list_columns_money_dates_and_latest_details() {
    let (_dir, out) = segments("shopify_traps.csv", "2025-03-01", &[]);
    let text = std::fs::read_to_string(out.join("repeat.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "email,customer_id,name,company,phone,accepts_marketing,orders,revenue,aov,\
         first_order,last_order,days_since_last_order,total_quantity,max_order_quantity,as_of"
    );
    // Ann: latest non-empty name is from her 2025-02-28 order; "n/a" is no
    // company; her phone's leading ' (spreadsheet-safe export) is stripped,
    // and the "+1 555 0100" it leaves is escaped for spreadsheets again.
    // Her order on 2025-02-28 23:30 -0500 is 2025-02-28 local (1 day ago).
    // Erin: 1 item on #1002 and two line items of 1 on #1001 = 3.
    assert_eq!(
        lines.next().unwrap(),
        "ann@shop.com,,Ann Archer,,'+1 555 0100,no,2,140.00,70.00,2024-12-01,2025-02-28,1,37,36,2025-03-01"
    );
    assert_eq!(
        lines.next().unwrap(),
        "erin@x.org,,Erin E.,,,no,2,60.00,30.00,2024-06-01,2024-11-01,120,3,2,2025-03-01"
    );
    assert_eq!(lines.next(), None);
}

#[test]
fn identical_runs_give_identical_files() {
    let (_a, first) = segments(
        "shopify_orders_2024_looker101_ANONYMIZED.csv",
        "2026-01-01",
        &[],
    );
    let (_b, second) = segments(
        "shopify_orders_2024_looker101_ANONYMIZED.csv",
        "2026-01-01",
        &[],
    );
    for name in ALL {
        let file = format!("{name}.csv");
        assert_eq!(
            std::fs::read(first.join(&file)).unwrap(),
            std::fs::read(second.join(&file)).unwrap(),
            "{file}"
        );
    }
}

/// Segment sizes on the real samples, checked against benches/reference.py
/// (bulk_b2b by hand: no customer of these samples has both a company and a
/// work e-mail, their addresses being example.com; ramkumar's one has an
/// order of 36+ items).
#[test]
fn real_samples_give_the_reference_lists() {
    let cases = [
        (
            "shopify_orders_2025_devstore_forezia.csv",
            [0, 3, 0, 0, 3, 1, 1, 1, 1],
        ),
        (
            "shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv",
            [1, 1, 1, 0, 0, 1, 0, 2, 0],
        ),
        (
            "shopify_orders_2024_looker101_ANONYMIZED.csv",
            [0, 3, 34, 0, 37, 8, 7, 27, 3],
        ),
    ];
    for (file, sizes) in cases {
        let (_dir, out) = segments(file, "2026-01-01", &[]);
        for (name, size) in ALL.iter().zip(sizes) {
            assert_eq!(emails(&out, name).len(), size, "{file} {name}");
        }
    }
    // Their two customers with a billing company ("Receiving Department",
    // "Company Name") have example.com addresses: a company alone.
    let (_dir, out) = segments(
        "shopify_orders_2025_devstore_forezia.csv",
        "2026-01-01",
        &["--company-is-b2b"],
    );
    assert_eq!(
        emails(&out, "bulk_b2b"),
        ["karine.ruby@example.com", "russel.winfield@example.com"]
    );
    let (_dir, out) = segments(
        "shopify_orders_2024_looker101_ANONYMIZED.csv",
        "2026-01-01",
        &[],
    );
    let top = emails(&out, "top_20");
    assert_eq!(top.len(), 8); // ceil(20% of 37)
    // One cent apart: customer017 1074.58 ranks before customer009 1074.57.
    let rows = read_csv(&out.join("top_20.csv"));
    let pos = |e: &str| rows.iter().position(|r| r["email"] == e).unwrap();
    assert!(pos("customer017@example.com") < pos("customer009@example.com"));
}

#[test]
fn formula_cells_are_escaped_unless_asked_not_to() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("formula.csv");
    let mut file = std::fs::File::create(&export).unwrap();
    write!(
        file,
        "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Billing Name,Billing Company\n\
         #1,a@x.com,paid,10.00,2025-06-01 10:00:00 +0000,1,=HYPERLINK(\"http://x\"),@acme\n"
    )
    .unwrap();
    let out = dir.path().join("lists");
    goldpan()
        .args([
            "segments",
            "--as-of",
            "2025-06-30",
            "--only",
            "one_time",
            "--out",
        ])
        .arg(&out)
        .arg(&export)
        .assert()
        .success();
    let row = &read_csv(&out.join("one_time.csv"))[0];
    assert_eq!(row["name"], "'=HYPERLINK(\"http://x\")");
    assert_eq!(row["company"], "'@acme");
    assert_eq!(row["revenue"], "10.00");
    goldpan()
        .args([
            "segments",
            "--as-of",
            "2025-06-30",
            "--only",
            "one_time",
            "--no-formula-escape",
            "--out",
        ])
        .arg(&out)
        .arg(&export)
        .assert()
        .success();
    let row = &read_csv(&out.join("one_time.csv"))[0];
    assert_eq!(row["name"], "=HYPERLINK(\"http://x\")");
}

/// A spreadsheet reads `+995550736115` as 9.95551E+11 and `0955573306` as
/// 955573306: a phone that looks like a number gets the ' that marks text,
/// so the list can still be called from.
#[test]
fn phones_that_look_like_numbers_keep_their_plus_and_zeros() {
    let (_dir, lists) = segments(
        "shopify_orders_2024_looker101_ANONYMIZED.csv",
        "2026-01-01",
        &[],
    );
    let rows = read_csv(&lists.join("top_20.csv"));
    let phone = |email: &str| {
        rows.iter()
            .find(|r| r["email"] == email)
            .map(|r| r["phone"].clone())
            .unwrap()
    };
    assert_eq!(phone("customer001@example.com"), "'0955573306");
    assert_eq!(phone("customer017@example.com"), "'+995550736115");
    let (_dir, plain) = segments(
        "shopify_orders_2024_looker101_ANONYMIZED.csv",
        "2026-01-01",
        &["--no-formula-escape"],
    );
    let rows = read_csv(&plain.join("top_20.csv"));
    assert!(rows.iter().any(|r| r["phone"] == "0955573306"));
}

#[test]
fn only_and_stdout() {
    let output = goldpan()
        .args([
            "segments",
            &fixture("boundaries_lapsed.csv"),
            "--as-of",
            "2025-06-30",
        ])
        .args(["--only", "lapsed_90", "--out", "-"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.lines().nth(1).unwrap().starts_with("d90@x.com,"));

    goldpan()
        .args(["segments", &fixture("boundaries_lapsed.csv"), "--out", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--only"));
    goldpan()
        .args([
            "segments",
            &fixture("boundaries_lapsed.csv"),
            "--only",
            "lapsed_7",
            "--out",
            "x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no segment named \"lapsed_7\""));
}

#[test]
fn out_dir_is_created_and_other_files_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("weekly").join("lists");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    std::fs::write(out.join("repeat.csv"), "last week's list").unwrap();
    goldpan()
        .args([
            "segments",
            &fixture("shopify_traps.csv"),
            "--as-of",
            "2025-03-01",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "repeat: 2 customers (50.0% of customers, 47.6% of revenue)",
        ));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = ALL.iter().map(|n| format!("{n}.csv")).collect();
    expected.push("notes.txt".into());
    expected.push("goldpan-manifest.json".into());
    expected.push(".goldpan.lock".into());
    expected.sort();
    assert_eq!(names, expected, "no temporary file may be left behind");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn closed_pipe_exits_quietly() {
    // `goldpan … --out - | head -1`: the reader stops early; not an error.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("goldpan"))
        .args([
            "segments",
            &fixture("shopify_orders_2024_looker101_ANONYMIZED.csv"),
        ])
        .args(["--as-of", "2026-01-01", "--only", "lapsed_90", "--out", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("Broken pipe"));
}

#[test]
fn sigterm_and_ctrl_c_remove_the_runs_temporary_files() {
    use crate::weekly_script::{big_export, segments_caught_writing, temp_files};
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    big_export(&big, 40_000);
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let out = dir.path().join(format!("lists-{signal}"));
        std::fs::create_dir_all(&out).unwrap();
        let child = segments_caught_writing(&[&big], "2025-06-09", &out);
        // SAFETY: kill(2) on the child's pid, which has not been waited for.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let status = child.wait_with_output().unwrap().status;
        assert_eq!(status.signal(), Some(signal), "{status}");
        assert_eq!(temp_files(&out), Vec::<String>::new(), "signal {signal}");
        assert!(!out.join("goldpan-manifest.json").exists());
    }
}

#[test]
fn a_full_disk_names_the_file_it_could_not_write() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_goldpan"));
    command
        .args([
            "segments",
            &fixture("shopify_orders_2024_looker101_ANONYMIZED.csv"),
        ])
        .args(["--as-of", "2025-01-01", "--out"])
        .arg(&out);
    // SAFETY: only async-signal-safe calls between fork and exec. A file-size
    // limit makes writes past 2 kB fail as on a full disk (EFBIG; SIGXFSZ,
    // which would kill the process, is ignored as on a real full disk).
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2048,
                rlim_max: 2048,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let named = names_a_list_file(&stderr, &out);
    assert!(named && stderr.contains("File too large"), "{stderr}");
    assert_eq!(crate::weekly_script::temp_files(&out), Vec::<String>::new());
    assert!(!out.join("goldpan-manifest.json").exists());
}

/// Whether the error names one of the list files of `out`.
fn names_a_list_file(stderr: &str, out: &std::path::Path) -> bool {
    ALL.iter().any(|name| {
        stderr.contains(&format!(
            "goldpan: cannot write {}: ",
            out.join(format!("{name}.csv")).display()
        ))
    })
}

/// fixtures/shopify_orders_consent.csv (see tests/cli/audience.rs): the
/// repeat customers by revenue are gus (no), fay (yes), eve (unknown), cy
/// (no), dee (yes), bob (yes), ann (no).
#[test]
fn lists_hold_everyone_with_their_consent_unless_a_consent_rule_is_given() {
    let consent_of = |out: &std::path::Path, segment: &str| -> Vec<(String, String)> {
        read_csv(&out.join(format!("{segment}.csv")))
            .into_iter()
            .map(|r| (r["email"].clone(), r["accepts_marketing"].clone()))
            .collect()
    };
    let pair = |email: &str, consent: &str| (format!("{email}@example.com"), consent.to_string());
    let (_dir, out) = segments("shopify_orders_consent.csv", "2025-06-30", &[]);
    assert_eq!(
        consent_of(&out, "repeat"),
        [
            pair("gus", "no"),
            pair("fay", "yes"),
            pair("eve", ""),
            pair("cy", "no"),
            pair("dee", "yes"),
            pair("bob", "yes"),
            pair("ann", "no"),
        ]
    );

    // Kept, and counted on stderr, so that nobody mails a list unaware.
    let output = goldpan()
        .args(["segments", &fixture("shopify_orders_consent.csv")])
        .args(["--as-of", "2025-06-30", "--out"])
        .arg(out.parent().unwrap().join("again"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("note: 4 of the 10 customers declined marketing (accepts_marketing = no) and the lists keep them"),
        "{stderr}"
    );

    // For mailing straight from a list: the same rule as audience.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    let (stdout, stderr) = run_ok(
        goldpan()
            .args(["segments", &fixture("shopify_orders_consent.csv")])
            .args([
                "--as-of",
                "2025-06-30",
                "--consent",
                "not-declined",
                "--json",
            ])
            .arg("--out")
            .arg(&out),
    );
    assert_eq!(
        consent_of(&out, "repeat"),
        [
            pair("fay", "yes"),
            pair("eve", ""),
            pair("dee", "yes"),
            pair("bob", "yes"),
        ]
    );
    // top_20 is still the 2 customers with the most revenue; gus is left out.
    assert_eq!(consent_of(&out, "top_20"), [pair("fay", "yes")]);
    // ivy declined too: 4 in all.
    assert!(
        stderr.contains("goldpan: every list: left out 4 customers who declined marketing"),
        "{stderr}"
    );
    assert!(!stderr.contains("the lists keep them"), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["consent"]["rule"], "not-declined");
    assert_eq!(json["consent"]["left_out_for_consent"], 4);
    assert_eq!(json["consent"]["unknown_consent"], 2);

    // The customers export's consent is the lists' too.
    let (_dir, out) = segments(
        "shopify_orders_consent.csv",
        "2025-06-30",
        &[&fixture("shopify_customers_consent.csv")],
    );
    let repeat = consent_of(&out, "repeat");
    assert_eq!(repeat[0], pair("gus", "yes"));
    assert_eq!(repeat[1], pair("fay", "no"));
}

/// `--threads 1` parses on the reading thread and writes the lists one after
/// the other; the lists must be byte for byte those of 2 threads. The CDNOW
/// sample spans several parse batches (6,919 rows), the BigCommerce excerpt
/// has the long packed rows, and `--rfm` adds the lists the model ranks.
#[test]
fn lists_are_the_same_at_1_and_2_threads() {
    let cdnow = [
        "--map",
        "order=order,date=date,customer_id=customer_id,total=total,quantity=quantity",
        "--rfm",
    ];
    let cases: [(&str, &str, &[&str]); 3] = [
        ("cdnow_sample.csv", "1998-06-30", &cdnow),
        (
            "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv",
            "2025-01-01",
            &[],
        ),
        (
            "shopify_orders_2024_looker101_ANONYMIZED.csv",
            "2026-01-01",
            &[],
        ),
    ];
    for (file, as_of, extra) in cases {
        let one = [extra, &["--threads", "1"]].concat();
        let two = [extra, &["--threads", "2"]].concat();
        let (_a, first) = segments(file, as_of, &one);
        let (_b, second) = segments(file, as_of, &two);
        let mut names: Vec<_> = std::fs::read_dir(&first)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert!(names.len() >= 9, "{file}: {names:?}");
        for name in names {
            assert_eq!(
                std::fs::read(first.join(&name)).unwrap(),
                std::fs::read(second.join(&name)).unwrap(),
                "{file}: {name:?}"
            );
        }
    }
}

#[test]
fn zero_threads_is_a_usage_error() {
    goldpan()
        .args(["segments", &fixture("shopify_traps.csv"), "--threads", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--threads"));
}
