//! Several files, gzip, stdin, the Shopify customers export, and the
//! account of rows on every real Shopify sample.

use crate::util::*;
use std::io::Write;

fn json_of(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "goldpan failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn summary(files: &[String], extra: &[&str]) -> serde_json::Value {
    let output = goldpan()
        .arg("summary")
        .args(files)
        .args(["--as-of", "2025-06-30", "--json"])
        .args(extra)
        .output()
        .unwrap();
    json_of(&output)
}

#[test]
fn overlapping_monthly_files_count_an_order_once() {
    // jan: #1 a 10.00; #2 b 20.00 (2 + 1 items). feb (gzip): #2 again, #3 a 5.00.
    // → 6 rows, 4 orders read, 1 duplicate, 3 orders, 2 customers, 35.00.
    for files in [
        [fixture("shopify_jan.csv"), fixture("shopify_feb.csv.gz")],
        [fixture("shopify_feb.csv.gz"), fixture("shopify_jan.csv")],
    ] {
        let json = summary(&files, &[]);
        assert_eq!(json["customers"], 2);
        assert_eq!(json["orders"], 3);
        assert_close(&json["revenue"], 35.00);
        let input = &json["input"];
        assert_eq!(input["files"], 2);
        assert_eq!(input["rows_read"], 6);
        assert_eq!(input["orders_read"], 4);
        assert_eq!(input["duplicate_orders"], 1);
        assert_eq!(input["orders_built"], 3);
    }
    // The duplicate's line items are not added again: b has 3 items, not 6.
    let dir = tempfile::tempdir().unwrap();
    goldpan()
        .args(["segments", &fixture("shopify_jan.csv")])
        .arg(fixture("shopify_feb.csv.gz"))
        .args(["--as-of", "2024-04-01", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let one_time = read_csv(&dir.path().join("one_time.csv"));
    assert_eq!(one_time[0]["email"], "b@gmail.com");
    assert_eq!(one_time[0]["total_quantity"], "3");
}

#[test]
fn the_same_real_export_twice_gives_the_same_figures() {
    let file = fixture("shopify_orders_2024_looker101_ANONYMIZED.csv");
    let once = summary(std::slice::from_ref(&file), &[]);
    let twice = summary(&[file.clone(), file], &[]);
    assert_eq!(twice["input"]["duplicate_orders"], 50);
    assert_eq!(twice["input"]["orders_built"], 50);
    for key in [
        "customers",
        "orders",
        "revenue",
        "excluded_orders",
        "top_20_share",
    ] {
        assert_eq!(once[key], twice[key], "{key}");
    }
}

#[test]
fn gzip_and_stdin_read_like_the_plain_file() {
    let plain = fixture("shopify_orders_2025_devstore_forezia.csv");
    let bytes = std::fs::read(&plain).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("forezia.csv.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), Default::default());
    encoder.write_all(&bytes).unwrap();
    encoder.finish().unwrap();

    let from_file = summary(&[plain], &[]);
    let from_gzip = summary(&[gz.to_string_lossy().into_owned()], &[]);
    let from_stdin = json_of(
        &goldpan()
            .args(["summary", "-", "--as-of", "2025-06-30", "--json"])
            .write_stdin(bytes)
            .output()
            .unwrap(),
    );
    // Pinned also by the DuckDB reference (benches/reference.py).
    assert_close(&from_file["revenue"], 3337.59);
    assert_eq!(from_file["unattributed_orders"], 10);
    for json in [&from_gzip, &from_stdin] {
        assert_eq!(json["revenue"], from_file["revenue"]);
        assert_eq!(json["customers"], from_file["customers"]);
        assert_eq!(json["input"]["rows_read"], 40);
    }
}

#[test]
fn every_real_shopify_sample_accounts_for_its_rows() {
    // (file, rows, orders, excluded, unattributed); orders and exclusions as
    // in the DuckDB reference results, rows = data lines of the file.
    for (file, rows, orders, excluded, unattributed) in [
        ("shopify_orders_2024_looker101_ANONYMIZED.csv", 68, 50, 6, 0),
        ("shopify_orders_2025_devstore_forezia.csv", 40, 19, 0, 10),
        (
            "shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv",
            121,
            51,
            0,
            1,
        ),
    ] {
        let json = summary_json(file, "2026-01-01", &[]);
        let input = &json["input"];
        assert_eq!(input["rows_read"], rows, "{file}");
        assert_eq!(input["orders_built"], orders, "{file}");
        assert_eq!(input["rows_rejected"], 0, "{file}");
        assert_eq!(input["excluded_orders"], excluded, "{file}");
        assert_eq!(input["unattributed_orders"], unattributed, "{file}");
        assert_eq!(input["excluded_by_reason"]["cancelled"], excluded, "{file}");
        assert_eq!(input["excluded_by_reason"]["test"], 0, "{file}");
    }
}

#[test]
fn a_customers_export_alone_asks_for_the_orders_export() {
    for file in [
        "shopify_customers_2024_bodybar_ANONYMIZED.csv",
        "shopify_customers_2020_synthetic_satwikkansal.csv",
    ] {
        let output = goldpan()
            .args(["summary", &fixture(file)])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("only a Shopify customers export was given")
                && stderr.contains("Give the orders export too"),
            "{stderr}"
        );
    }
}

#[test]
fn a_customers_export_adds_b2b_hints_to_customers_who_ordered() {
    // shopify_b2b_orders.csv: ann 10, bob 20, cat 30, dan 40, no company.
    // shopify_b2b_customers.csv: ann Tax Exempt yes; bob tagged "Wholesale,
    // VIP"; cat has Company "Cat Corp"; dan "tradeshow-2023" and company n/a
    // (neither counts); eve tax exempt and wholesale but never ordered.
    let orders = fixture("shopify_b2b_orders.csv");
    let customers = fixture("shopify_b2b_customers.csv");
    let json = summary(&[customers.clone(), orders.clone()], &[]);
    assert_eq!(json["customers"], 4);
    assert_close(&json["revenue"], 100.00);
    assert_eq!(json["input"]["customers_export_rows"], 5);

    let dir = tempfile::tempdir().unwrap();
    goldpan()
        .args([
            "segments",
            &orders,
            &customers,
            "--as-of",
            "2024-04-01",
            "--company-is-b2b",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let bulk = read_csv(&dir.path().join("bulk_b2b.csv"));
    let got: Vec<(&str, &str, &str)> = bulk
        .iter()
        .map(|r| {
            (
                r["email"].as_str(),
                r["company"].as_str(),
                r["reasons"].as_str(),
            )
        })
        .collect();
    // Cat Corp (from the customers export) is a company at a gmail address:
    // a company alone, which counts only with --company-is-b2b.
    assert_eq!(
        got,
        [
            ("cat@gmail.com", "Cat Corp", "company"),
            ("bob@gmail.com", "", "wholesale_tag"),
            ("ann@gmail.com", "", "tax_exempt"),
        ]
    );
    // Without it, nobody in these orders looks like a business.
    let (_dir, out) = segments("shopify_b2b_orders.csv", "2024-04-01", &[]);
    assert!(read_csv(&out.join("bulk_b2b.csv")).is_empty());
}

#[test]
fn a_real_customers_export_never_adds_customers() {
    // No e-mail of the satwikkansal customers is in the looker101 orders.
    let orders = fixture("shopify_orders_2024_looker101_ANONYMIZED.csv");
    let alone = summary(std::slice::from_ref(&orders), &[]);
    let with = summary(
        &[
            orders,
            fixture("shopify_customers_2020_synthetic_satwikkansal.csv"),
        ],
        &[],
    );
    assert_eq!(with["input"]["customers_export_rows"], 17);
    for key in ["customers", "orders", "revenue", "top_20_share"] {
        assert_eq!(alone[key], with[key], "{key}");
    }
}

/// goldpan turns transparent huge pages off for itself (src/main.rs, and
/// docs/performance.md for why): seen in /proc while it waits for stdin.
#[cfg(target_os = "linux")]
#[test]
fn goldpan_runs_without_transparent_huge_pages() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("goldpan"))
        .args(["summary", "-", "--as-of", "2026-01-01"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let thp_enabled = || {
        let text = std::fs::read_to_string(&status).unwrap_or_default();
        let line = text.lines().find(|l| l.starts_with("THP_enabled:"))?;
        Some(line.split_whitespace().nth(1)?.to_string())
    };
    // The flag is set first thing in main; give the process time to get there.
    let mut seen = thp_enabled();
    for _ in 0..100 {
        if seen.as_deref() == Some("0") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        seen = thp_enabled();
    }
    drop(child.stdin.take());
    let _ = child.wait();
    assert_eq!(seen.as_deref(), Some("0"), "THP_enabled in {status}");
}
