//! `goldpan audience`: upload files for Meta, Google and Klaviyo.
//!
//! fixtures/shopify_orders_week2_cron.csv, segment one_time as of 2025-06-09:
//! jane (the test person of the platforms' docs: +1 (415) 555-0100, 94103,
//! US), cara (GB, +44 20 7183 8750), fay (no phone), eve (phone 5550100 and no
//! country: invalid), dan (phone 12345: invalid). One order has no e-mail.

use crate::util::{fixture, goldpan};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const WEEK2: &str = "shopify_orders_week2_cron.csv";

/// Runs audience into a temp dir; returns (dir, file, stdout, stderr).
fn audience(platform: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{platform}.csv"));
    let output = goldpan()
        .args(["audience", &fixture(WEEK2), "--as-of", "2025-06-09"])
        .args(["--segment", "one_time", "--platform", platform, "--out"])
        .arg(&file)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    (dir, file, String::from_utf8(output.stdout).unwrap(), stderr)
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// SHA-256 of `text` computed by coreutils' `sha256sum`, not by goldpan's code.
fn sha256sum(text: &str) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum (coreutils) is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap()[..64].to_string()
}

#[test]
fn meta_plain_file_is_normalized() {
    let (_dir, file, _, _) = audience("meta", &[]);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "email,phone,fn,ln,zip,country\n\
         jane.doe@example.com,14155550100,jane,doe,94103,us\n\
         cara@example.com,442071838750,cara,diaz,ec1a1bb,gb\n\
         fay@example.com,,fay,wong,75018,fr\n\
         eve@example.com,,eve,park,,\n\
         dan@example.com,,dan,ray,10001,us\n"
    );
}

#[test]
fn meta_hashes_match_sha256sum_of_the_plain_values() {
    let (_d1, plain, _, _) = audience("meta", &[]);
    let (_d2, hashed, _, stderr) = audience("meta", &["--hash"]);
    let (plain, hashed) = (rows(&plain), rows(&hashed));
    assert_eq!(plain[0], hashed[0], "same header");
    assert_eq!(plain.len(), hashed.len());
    for (p, h) in plain.iter().zip(&hashed).skip(1) {
        for (value, hash) in p.iter().zip(h) {
            if value.is_empty() {
                assert_eq!(hash, "", "an empty value stays empty");
            } else {
                assert_eq!(hash, &sha256sum(value), "hash of {value:?}");
            }
        }
    }
    // Meta's documented vectors, as in the README: jane's row.
    assert_eq!(
        hashed[1],
        [
            "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d",
            "5e7ec4c79ccac6e420876e65ad0e6b4b2ccf73ec3dccb50297bf2890a1ec73b9",
            "81f8f6dde88365f3928796ec7aa53f72820b06db8664f5fe76a7eb13e24546a2",
            "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f",
            "91dc2519ea98c5002cf2091e6a12b772eafdce9dca618e626d7d3b8275361789",
            "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
        ]
    );
    assert!(stderr.contains("Meta's Ads Manager hashes a plain list itself"));
}

#[test]
fn google_hashes_keep_the_plus_and_leave_country_and_zip_plain() {
    let (_d1, plain, _, _) = audience("google", &[]);
    assert_eq!(
        std::fs::read_to_string(&plain).unwrap(),
        "Email,First Name,Last Name,Country,Zip,Phone\n\
         jane.doe@example.com,jane,doe,us,94103,+14155550100\n\
         cara@example.com,cara,diaz,gb,EC1A 1BB,+442071838750\n\
         fay@example.com,fay,wong,fr,75018,\n\
         eve@example.com,eve,park,,,\n\
         dan@example.com,dan,ray,us,10001,\n"
    );
    let (_d2, hashed, _, _) = audience("google", &["--hash"]);
    let hashed = rows(&hashed);
    assert_eq!(hashed[1][0], sha256sum("jane.doe@example.com"));
    assert_eq!(hashed[1][1], sha256sum("jane"));
    assert_eq!(hashed[1][2], sha256sum("doe"));
    assert_eq!(hashed[1][3], "us");
    assert_eq!(hashed[1][4], "94103");
    assert_eq!(hashed[1][5], sha256sum("+14155550100"));
    assert_eq!(
        hashed[1][5],
        "40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0"
    );
    assert_eq!(hashed[2][3..5], ["gb", "EC1A 1BB"]);
}

#[test]
fn klaviyo_is_plain_with_display_names() {
    let (_dir, file, _, _) = audience("klaviyo", &[]);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "Email,Phone Number,First Name,Last Name,Country,Zip Code\n\
         jane.doe@example.com,+14155550100,Jane,Doe,US,94103\n\
         cara@example.com,+442071838750,Cara,Diaz,GB,EC1A 1BB\n\
         fay@example.com,,Fay,Wong,FR,75018\n\
         eve@example.com,,Eve,Park,,\n\
         dan@example.com,,Dan,Ray,US,10001\n"
    );
}

#[test]
fn klaviyo_with_hash_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k.csv");
    let output = goldpan()
        .args(["audience", &fixture(WEEK2), "--as-of", "2025-06-09"])
        .args([
            "--segment",
            "one_time",
            "--platform",
            "klaviyo",
            "--hash",
            "--out",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("goldpan: --hash: Klaviyo imports plain"),
        "{stderr}"
    );
    assert!(!file.exists());
}

#[test]
fn sidecar_and_json_count_what_was_not_written() {
    let (_dir, file, stdout, stderr) = audience("meta", &["--json"]);
    let sidecar: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(file.with_file_name("meta.csv.meta.json")).unwrap(),
    )
    .unwrap();
    let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sidecar, printed);
    assert_eq!(sidecar["as_of"], "2025-06-09");
    assert_eq!(sidecar["platform"], "meta");
    assert_eq!(sidecar["segment"], "one_time");
    assert_eq!(sidecar["hashed"], false);
    assert_eq!(sidecar["segment_customers"], 5);
    assert_eq!(sidecar["rows"], 5);
    assert_eq!(sidecar["invalid_phone"], 2);
    assert_eq!(sidecar["no_phone"], 1);
    assert_eq!(sidecar["no_email_or_phone"], 0);
    assert_eq!(sidecar["unattributed_orders"], 1);
    assert!(
        stderr.contains("goldpan: 2 phone(s) not written"),
        "{stderr}"
    );
    assert!(
        stderr.contains("goldpan: 1 valid order(s) without an e-mail"),
        "{stderr}"
    );
}

#[test]
fn unknown_segment_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = goldpan()
        .args(["audience", &fixture(WEEK2), "--as-of", "2025-06-09"])
        .args(["--segment", "lapsed_30", "--platform", "meta", "--out"])
        .arg(dir.path().join("a.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("no segment named \"lapsed_30\"; the segments are bulk_b2b, repeat"),
        "{stderr}"
    );
    // The same thresholds as segments: with --lapsed-days 30 it exists.
    goldpan()
        .args(["audience", &fixture(WEEK2), "--as-of", "2025-06-09"])
        .args([
            "--segment",
            "lapsed_30",
            "--lapsed-days",
            "30",
            "--platform",
            "meta",
        ])
        .arg("--out")
        .arg(dir.path().join("a.csv"))
        .assert()
        .success();
}

/// fixtures/shopify_orders_consent.csv as of 2025-06-30, segment repeat
/// (by revenue): gus (his orders say no), fay (yes), eve (never said), cy
/// (two orders on 2025-05-10: #1008 at 09:00 says yes, #1007 at 18:00 says
/// no; the latest by time is no), dee (her latest order is silent, the one
/// before says yes), bob (no, then yes), ann (yes, then no).
/// fixtures/shopify_customers_consent.csv says fay no, gus yes, nothing for
/// ann, and both yes and no for dee (two records of one e-mail).
const CONSENT: &str = "shopify_orders_consent.csv";
const CONSENT_CUSTOMERS: &str = "shopify_customers_consent.csv";

/// `audience EXPORTS --segment SEGMENT --platform klaviyo` as of 2025-06-30:
/// the e-mails written, the sidecar and stderr.
fn consent_upload(
    exports: &[&str],
    segment: &str,
    extra: &[&str],
) -> (Vec<String>, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("klaviyo.csv");
    let output = goldpan()
        .arg("audience")
        .args(exports.iter().map(|e| fixture(e)))
        .args(["--as-of", "2025-06-30", "--segment", segment])
        .args(["--platform", "klaviyo", "--out"])
        .arg(&file)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let emails = rows(&file)
        .into_iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    let sidecar = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("klaviyo.csv.meta.json")).unwrap(),
    )
    .unwrap();
    (emails, sidecar, stderr)
}

#[test]
fn customers_who_declined_marketing_are_left_out_by_default() {
    let (emails, sidecar, stderr) = consent_upload(&[CONSENT], "repeat", &[]);
    assert_eq!(
        emails,
        [
            "fay@example.com",
            "eve@example.com",
            "dee@example.com",
            "bob@example.com"
        ]
    );
    assert!(
        stderr.contains("goldpan: left out 3 customers who declined marketing\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("goldpan: kept 1 customer with no marketing consent on record"),
        "{stderr}"
    );
    assert_eq!(sidecar["consent"], "not-declined");
    assert_eq!(sidecar["segment_customers"], 7);
    assert_eq!(sidecar["declined_marketing"], 3);
    assert_eq!(sidecar["unknown_consent"], 1);
    assert_eq!(sidecar["left_out_for_consent"], 3);
    assert_eq!(sidecar["rows"], 4);
}

#[test]
fn opted_in_keeps_only_a_yes_and_ignore_keeps_everyone_with_a_warning() {
    let (emails, sidecar, stderr) =
        consent_upload(&[CONSENT], "repeat", &["--consent", "opted-in"]);
    assert_eq!(
        emails,
        ["fay@example.com", "dee@example.com", "bob@example.com"]
    );
    assert_eq!(sidecar["consent"], "opted-in");
    assert_eq!(sidecar["left_out_for_consent"], 4);
    assert_eq!(sidecar["unknown_consent"], 1);
    assert!(
        stderr.contains("goldpan: left out 1 customer with no marketing consent on record"),
        "{stderr}"
    );

    let (emails, sidecar, stderr) = consent_upload(&[CONSENT], "repeat", &["--consent", "ignore"]);
    assert_eq!(emails.len(), 7);
    assert_eq!(sidecar["consent"], "ignore");
    assert_eq!(sidecar["declined_marketing"], 3);
    assert_eq!(sidecar["left_out_for_consent"], 0);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(
        warnings,
        [
            "goldpan: warning: --consent ignore: kept 3 customers who declined marketing; the \
          platforms' terms require leaving them out of marketing"
        ]
    );
}

#[test]
fn a_customers_export_has_the_last_word_on_consent() {
    let (emails, sidecar, _) = consent_upload(&[CONSENT, CONSENT_CUSTOMERS], "repeat", &[]);
    // fay said no on her customer record, gus yes; ann's record is silent,
    // so her latest order's no stands. SMS consent is not e-mail consent.
    // Of dee's two records one says no: goldpan cannot tell which is newer,
    // and a no is what must not be missed.
    assert_eq!(
        emails,
        ["gus@example.com", "eve@example.com", "bob@example.com"]
    );
    assert_eq!(sidecar["declined_marketing"], 4);
}

#[test]
fn the_consent_rule_is_a_setting_of_goldpan_toml_and_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("goldpan.toml");
    std::fs::write(&config, "consent = \"opted-in\"\n").unwrap();
    let config = config.to_str().unwrap();
    let (emails, sidecar, _) = consent_upload(&[CONSENT], "repeat", &["--config", config]);
    assert_eq!(sidecar["consent"], "opted-in");
    assert_eq!(emails.len(), 3);
    let (_, sidecar, _) = consent_upload(
        &[CONSENT],
        "repeat",
        &["--config", config, "--consent", "not-declined"],
    );
    assert_eq!(sidecar["consent"], "not-declined");

    std::fs::write(dir.path().join("goldpan.toml"), "consent = \"no\"\n").unwrap();
    let output = goldpan()
        .args(["config", "--print", "--config", config])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!(
            "goldpan: consent in {config}: expected opted-in, not-declined, ignore, got \"no\"\n"
        )
    );
}

#[test]
fn an_export_without_consent_keeps_everyone_and_counts_them() {
    // week 2 has no Accepts Marketing column: consent is unknown for all.
    let (_dir, file, _, stderr) = audience("klaviyo", &[]);
    assert_eq!(rows(&file).len(), 6);
    assert!(
        stderr.contains("goldpan: kept 5 customers with no marketing consent on record"),
        "{stderr}"
    );
    let (_dir, file, _, _) = audience("klaviyo", &["--consent", "opted-in"]);
    assert_eq!(rows(&file).len(), 1, "only the header");
}

#[test]
fn a_mapped_consent_column_reads_the_usual_words() {
    let map = "order=Order No,date=Ordered,total=Amount,email=Buyer E-mail,consent=Newsletter";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("meta.csv");
    let output = goldpan()
        .args(["audience", &fixture("generic_orders_consent.csv")])
        .args(["--map", map, "--as-of", "2025-06-01", "--skip-bad-rows"])
        .args(["--segment", "one_time", "--platform", "meta", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    // ben unsubscribed, dot 0: left out; cal true, eli unknown: kept.
    let emails: Vec<String> = rows(&file)
        .into_iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(emails, ["eli@example.com", "cal@example.com"]);

    // A word that is no consent is a bad cell, not an unknown consent.
    let output = goldpan()
        .args(["audience", &fixture("generic_orders_consent.csv")])
        .args(["--map", map, "--as-of", "2025-06-01"])
        .args(["--segment", "one_time", "--platform", "meta", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "generic_orders_consent.csv:8: column 5 (Newsletter): expected a marketing consent"
        ),
        "{stderr}"
    );
}
