//! `goldpan summary` on real samples and hand-made exports.

use crate::util::*;
use predicates::prelude::*;
use serde_json::{Value, json};

/// Figures of the three real Shopify samples, as of 2026-01-01. Computed
/// independently by benches/reference.py (DuckDB SQL) and again with a
/// Python-stdlib script using exact fractions; both agree to the last digit.
#[test]
fn real_shopify_samples_match_the_independent_reference() {
    let cases = [
        (
            "shopify_orders_2025_devstore_forezia.csv",
            json!({
                "customers": 3,
                "orders": 9,
                "revenue": 3337.59,
                "aov": 370.84,
                "purchase_frequency": 3.0,
                "repeat_customers": 3,
                "repeat_rate": 1.0,
                "repeat_revenue_share": 1.0,
                "top_10_share": 0.528267402526973,
                "top_20_share": 0.528267402526973,
                "aov_low_customers": 1,
                "aov_mid_customers": 1,
                "aov_high_customers": 1,
                "aov_low_revenue_share": 0.11671595372709051,
                "aov_mid_revenue_share": 0.35501664374593644,
                "aov_high_revenue_share": 0.528267402526973,
                "clv": 203175.79,
                "unattributed_orders": 10,
                "unattributed_revenue": 10751.45,
                "excluded_orders": 0,
            }),
        ),
        (
            "shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv",
            json!({
                "customers": 2,
                "orders": 50,
                "revenue": 563438.74,
                "aov": 11268.77,
                "purchase_frequency": 25.0,
                "repeat_customers": 1,
                "repeat_rate": 0.5,
                "repeat_revenue_share": 0.9684823233844375,
                "top_10_share": 0.9684823233844375,
                "top_20_share": 0.9684823233844375,
                "aov_low_customers": 0,
                "aov_mid_customers": 2,
                "aov_high_customers": 0,
                "aov_low_revenue_share": 0.0,
                "aov_mid_revenue_share": 1.0,
                "aov_high_revenue_share": 0.0,
                "clv": 308693999.68,
                "unattributed_orders": 1,
                "unattributed_revenue": 27244.55,
                "excluded_orders": 0,
            }),
        ),
        (
            "shopify_orders_2024_looker101_ANONYMIZED.csv",
            json!({
                "customers": 37,
                "orders": 44,
                "revenue": 11493.22,
                "aov": 261.21,
                "purchase_frequency": 1.1891891891891893,
                "repeat_customers": 3,
                "repeat_rate": 0.08108108108108109,
                "repeat_revenue_share": 0.4863867567139583,
                "top_10_share": 0.5244648584121769,
                "top_20_share": 0.6055248224605463,
                "aov_low_customers": 7,
                "aov_mid_customers": 27,
                "aov_high_customers": 3,
                "aov_low_revenue_share": 0.06486606886494821,
                "aov_mid_revenue_share": 0.44874717442109346,
                "aov_high_revenue_share": 0.4863867567139583,
                "clv": 28364.18,
                "unattributed_orders": 0,
                "unattributed_revenue": 0.0,
                "excluded_orders": 6,
            }),
        ),
    ];
    for (file, expected) in cases {
        assert_figures(&summary_json(file, "2026-01-01", &[]), &expected);
    }
}

/// Asserts each figure of `expected` (an object) in `json`, key by key:
/// numbers to a millionth, anything else exactly.
fn assert_figures(json: &Value, expected: &Value) {
    for (key, want) in expected.as_object().expect("an object of figures") {
        let got = &json[key];
        match (got.as_f64(), want.as_f64()) {
            (Some(got), Some(want)) => assert!(
                (got - want).abs() < 1e-9,
                "{key}: got {got}, expected {want}"
            ),
            _ => assert_eq!(got, want, "{key}"),
        }
    }
}

/// fixtures/shopify_traps.csv, worked out by hand (as of 2025-03-01):
/// valid, attributed orders are frank 200.00; ann 100.00 + 40.00 (her e-mail
/// written "  Ann@Shop.COM " once); bob 50.00 − 30.00 refunded = 20.00;
/// erin 60.00 + (15.00 − 20.00 refunded → 0). So N=4, O=6, R=420.00.
/// Left out: #1007 cancelled, #1006 voided, #1005 refunded, #1004 test
/// gateway, #1000 expired; #1003 has no e-mail (25.00).
#[test]
fn hand_made_export_with_every_trap() {
    let json = summary_json("shopify_traps.csv", "2025-03-01", &[]);
    assert_eq!(json["customers"], 4);
    assert_eq!(json["orders"], 6);
    assert_close(&json["revenue"], 420.0);
    assert_close(&json["aov"], 70.0);
    assert_close(&json["purchase_frequency"], 1.5);
    assert_eq!(json["repeat_customers"], 2); // ann, erin
    assert_close(&json["repeat_rate"], 0.5);
    assert_close(&json["repeat_revenue_share"], 200.0 / 420.0);
    // ceil(10% of 4) = ceil(20% of 4) = 1 customer: frank, 200.00.
    assert_close(&json["top_10_share"], 200.0 / 420.0);
    assert_close(&json["top_20_share"], 200.0 / 420.0);
    // Store AOV 70: bob 20 and erin 30 are below 35; frank 200 above 140.
    assert_eq!(json["aov_low_customers"], 2);
    assert_eq!(json["aov_mid_customers"], 1);
    assert_eq!(json["aov_high_customers"], 1);
    assert_close(&json["aov_low_revenue_share"], 80.0 / 420.0);
    assert_close(&json["aov_mid_revenue_share"], 140.0 / 420.0);
    assert_close(&json["aov_high_revenue_share"], 200.0 / 420.0);
    // span 2024-06-01..2025-02-28 = 273 days; 70 × (1.5 / (273/365.25)) × 3.
    assert_close(&json["clv"], 421.44);
    assert_eq!(json["unattributed_orders"], 1);
    assert_close(&json["unattributed_revenue"], 25.0);
    assert_eq!(json["excluded_orders"], 5);
    for reason in ["cancelled", "voided", "refunded", "test", "expired"] {
        assert_eq!(json["excluded_by_reason"][reason], 1, "{reason}");
    }
    assert_eq!(json["as_of"], "2025-03-01");
    assert_eq!(json["input"]["rows_read"], 14);
    assert_eq!(json["input"]["orders_read"], 12);
}

#[test]
fn lifespan_years_scales_clv() {
    let json = summary_json(
        "shopify_traps.csv",
        "2025-03-01",
        &["--lifespan-years", "1"],
    );
    assert_close(&json["clv"], 140.48);
}

#[test]
fn piped_summary_is_csv_with_the_as_of_date() {
    let output = goldpan()
        .args([
            "summary",
            &fixture("shopify_traps.csv"),
            "--as-of",
            "2025-03-01",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with(
            "figure,value\nas_of,2025-03-01\ncustomers,4\norders,6\nrevenue,420.00\naov,70.00\n"
        ),
        "{text}"
    );
    // Too few repeat customers to fit a model: an empty cell, as in the
    // lists, not a dash a spreadsheet would read as text.
    assert!(text.contains("\npredicted_revenue_365d,\n"), "{text}");
}

#[test]
fn mixed_currencies_stop_unless_one_is_chosen() {
    goldpan()
        .args([
            "summary",
            &fixture("mixed_currency.csv"),
            "--as-of",
            "2025-07-01",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("mixes currencies (EUR, USD)"))
        .stderr(predicate::str::contains("--currency"));
    let json = summary_json("mixed_currency.csv", "2025-07-01", &["--currency", "eur"]);
    assert_eq!(json["orders"], 2);
    assert_close(&json["revenue"], 30.0);
    assert_eq!(json["excluded_by_reason"]["other_currency"], 1);
}

#[test]
fn bad_cells_name_file_line_and_column() {
    goldpan()
        .args(["summary", &fixture("bad_date.csv"), "--as-of", "2025-07-01"])
        .assert()
        .code(1)
        .stderr(predicate::str::is_match(
            r#"^goldpan: .*bad_date.csv:3: column 12 \(Created at\): expected a date from 1970 on, such as 2025-05-11 09:55:16 -0400, found "2025-02-30 12:00:00 -0400" \(to skip such rows, count them and go on, use --skip-bad-rows\)\n$"#,
        ).unwrap());
    goldpan()
        .args(["summary", &fixture("bad_amount.csv"), "--as-of", "2025-07-01"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "bad_amount.csv:3: column 11 (Total): expected an amount such as 1659.95, found \"€10,00\"",
        ));
}

#[test]
fn other_exports_are_named_not_misread() {
    goldpan()
        .args(["summary", &fixture("abandoned_checkouts.csv")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("abandoned-checkouts export"));
    goldpan()
        .args([
            "summary",
            &fixture("shopify_customers_2020_synthetic_satwikkansal.csv"),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("customers export"));
    goldpan()
        .args(["summary", &fixture("make_hand_fixtures.py")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not an orders export"));
}

#[test]
fn missing_file_and_usage_errors_have_their_exit_codes() {
    goldpan()
        .args(["summary", "no/such/export.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "goldpan: cannot open no/such/export.csv",
        ));
    goldpan().args(["summary"]).assert().code(2);
    goldpan()
        .args([
            "summary",
            &fixture("shopify_traps.csv"),
            "--as-of",
            "yesterday",
        ])
        .assert()
        .code(2);
}

#[test]
fn gzip_and_stdin_read_the_same_orders() {
    use std::io::Write;
    let plain = std::fs::read(fixture("shopify_traps.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gz_path = dir.path().join("traps.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz_path).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(&plain).unwrap();
    gz.finish().unwrap();
    let from_gz = goldpan()
        .args(["summary", "--as-of", "2025-03-01", "--json"])
        .arg(&gz_path)
        .output()
        .unwrap();
    let from_stdin = goldpan()
        .args(["summary", "-", "--as-of", "2025-03-01", "--json"])
        .write_stdin(plain)
        .output()
        .unwrap();
    let gz_json: serde_json::Value = serde_json::from_slice(&from_gz.stdout).unwrap();
    let stdin_json: serde_json::Value = serde_json::from_slice(&from_stdin.stdout).unwrap();
    assert_eq!(gz_json["revenue"], 420.0);
    assert_eq!(gz_json, stdin_json);
}

#[test]
fn overlapping_exports_count_each_order_once() {
    let output = goldpan()
        .args(["summary", "--as-of", "2025-03-01", "--json"])
        .args([fixture("shopify_traps.csv"), fixture("shopify_traps.csv")])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["orders"], 6);
    assert_eq!(json["input"]["duplicate_orders"], 12);
    assert_eq!(json["input"]["files"], 2);
}

/// The table a store owner reads: what it measures on top, money with
/// thousands separators and the currency, rates as percentages, plain
/// words. The real looker101 export: EUR, counted orders from 2024-01-25
/// (its first paid order) to 2024-02-05.
#[test]
fn the_terminal_table_says_what_it_measures() {
    let shown = on_terminal(&[
        "summary",
        &fixture("shopify_orders_2024_looker101_ANONYMIZED.csv"),
        "--as-of",
        "2026-01-01",
    ]);
    let table_start = shown.find("Store figures").expect(&shown);
    let header: Vec<&str> = shown[table_start..].lines().take(3).collect();
    assert_eq!(
        header,
        [
            "Store figures as of 2026-01-01, amounts in EUR",
            "Orders counted: 44, the first on 2024-01-25, the last on 2024-02-05",
            "Revenue: order totals incl. tax and shipping, after discounts, less refunds",
        ],
        "{shown}"
    );
    let row = |label: &str| -> String {
        let line = shown
            .lines()
            .find(|line| line.starts_with(&format!("│ {label} ")))
            .unwrap_or_else(|| panic!("no row {label} in {shown}"));
        line.split('┆')
            .nth(1)
            .unwrap()
            .trim_end_matches('│')
            .trim()
            .to_string()
    };
    assert_eq!(row("revenue"), "11,493.22 EUR");
    assert_eq!(row("average order value"), "261.21 EUR");
    assert_eq!(
        row("lifetime value of a customer over 3 years"),
        "28,364.18 EUR"
    );
    assert_eq!(row("repeat rate"), "8.1%");
    assert_eq!(row("revenue from repeat customers"), "48.6%");
    assert_eq!(row("revenue from the top 20% of customers"), "60.6%");
    assert_eq!(row("orders per customer"), "1.19");
    assert_eq!(
        row("customers whose average order is above 2× the store's"),
        "3"
    );
    assert!(
        !shown.contains("repeat_rate"),
        "keys are for CSV and JSON: {shown}"
    );
}

/// A file that names no currency says so rather than guessing one.
#[test]
fn the_title_says_when_the_export_names_no_currency() {
    let shown = on_terminal(&[
        "summary",
        &fixture("cohorts_orders.csv"),
        "--as-of",
        "2024-04-30",
        "--map",
        COHORTS_MAP,
    ]);
    assert!(
        shown.contains(
            "Store figures as of 2024-04-30, amounts in the store's currency (the export does \
             not name it)\nOrders counted: 6, the first on 2024-01-03, the last on 2024-04-03\n\
             Revenue: the column mapped as total, less the one mapped as refunded (when mapped)\n"
        ),
        "{shown}"
    );
}

#[test]
fn json_names_currency_and_revenue_but_keeps_fractions() {
    let json = summary_json(
        "shopify_orders_2024_looker101_ANONYMIZED.csv",
        "2026-01-01",
        &[],
    );
    assert_eq!(json["currency"], "EUR");
    assert_eq!(
        json["revenue_is"],
        "order totals incl. tax and shipping, after discounts, less refunds"
    );
    assert_close(&json["repeat_rate"], 0.08108108108108109);
    assert_eq!(json["window"], Value::Null);
}

const COHORTS_MAP: &str = "order=Order,date=Date,email=Email,total=Total,status=State";

/// `summary` of cohorts_orders.csv (as of 2024-04-30) with `extra` flags.
fn cohorts_summary(extra: &[&str]) -> Value {
    let (stdout, _) = run_ok(
        goldpan()
            .args([
                "summary",
                &fixture("cohorts_orders.csv"),
                "--as-of",
                "2024-04-30",
                "--map",
                COHORTS_MAP,
                "--json",
            ])
            .args(extra),
    );
    serde_json::from_str(&stdout).unwrap()
}

/// cohorts_orders.csv by hand: a 10.00 (01-03), 5.00 (02-03), 5.00 (04-03);
/// b 20.00 (01-09); c 3.00 (03-01), 3.00 (04-01); d's order of 02-01 is
/// cancelled and order 8 (02-01, 99.99) has no customer. February and March:
/// a's 5.00 and c's 3.00 count, d's and order 8 are left out as always, and
/// the 4 others are outside.
#[test]
fn a_window_counts_only_its_orders_as_of_its_last_day() {
    let json = cohorts_summary(&["--since", "2024-02-01", "--until", "2024-03-31"]);
    assert_eq!(
        json["window"],
        json!({"since": "2024-02-01", "until": "2024-03-31"})
    );
    assert_eq!(json["as_of"], "2024-03-31");
    assert_eq!(json["customers"], 2);
    assert_eq!(json["orders"], 2);
    assert_close(&json["revenue"], 8.0);
    assert_close(&json["aov"], 4.0);
    assert_eq!(json["repeat_customers"], 0);
    assert_eq!(json["first_order_date"], "2024-02-03");
    assert_eq!(json["last_order_date"], "2024-03-01");
    assert_eq!(json["excluded_orders"], 1);
    assert_eq!(json["unattributed_orders"], 1);
    // The whole history, for comparison: 3 customers, 6 orders, 46.00.
    let all = cohorts_summary(&[]);
    assert_eq!(
        (all["customers"].clone(), all["orders"].clone()),
        (json!(3), json!(6))
    );
}

/// The last 2 months up to 2024-04-03 start on 2024-02-04, as do the last
/// 60 days (February 2024 has 29): a's order of 02-03 is out, c's two and
/// a's of 04-03 are in (c repeats within the window).
#[test]
fn last_days_or_months_end_on_until() {
    for last in ["2m", "60d"] {
        let json = cohorts_summary(&["--last", last, "--until", "2024-04-03"]);
        assert_eq!(
            json["window"],
            json!({"since": "2024-02-04", "until": "2024-04-03"}),
            "{last}"
        );
        assert_eq!(json["customers"], 2);
        assert_eq!(json["orders"], 3);
        assert_close(&json["revenue"], 11.0);
        assert_eq!(json["repeat_customers"], 1);
        assert_close(&json["repeat_rate"], 0.5);
    }
    // Without --until, the window ends on the as-of date.
    let json = cohorts_summary(&["--last", "30d"]);
    assert_eq!(
        json["window"],
        json!({"since": "2024-04-01", "until": "2024-04-30"})
    );
    assert_eq!(json["orders"], 2);
}

#[test]
fn a_window_is_named_in_the_title_and_the_account() {
    let shown = on_terminal(&[
        "summary",
        &fixture("cohorts_orders.csv"),
        "--as-of",
        "2024-04-30",
        "--map",
        COHORTS_MAP,
        "--since",
        "2024-02-01",
        "--until",
        "2024-03-31",
    ]);
    assert!(
        shown.contains(
            "Store figures for the orders dated 2024-02-01 to 2024-03-31 (a window), as of \
             2024-03-31, amounts in the store's currency (the export does not name it)\n\
             Orders counted: 2, the first on 2024-02-03, the last on 2024-03-01\n"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("; 4 order(s) outside the window 2024-02-01 to 2024-03-31 left out\n"),
        "{shown}"
    );
    // A window without orders still names the export's currency.
    let shown = on_terminal(&[
        "summary",
        &fixture("shopify_orders_2024_looker101_ANONYMIZED.csv"),
        "--as-of",
        "2026-01-01",
        "--since",
        "2025-01-01",
    ]);
    assert!(
        shown.contains(
            "Store figures for the orders dated 2025-01-01 to 2026-01-01 (a window), as of \
             2026-01-01, amounts in EUR\nOrders counted: none\n"
        ),
        "{shown}"
    );
}

/// Mistakes in the window are usage errors, found before reading anything
/// (the export does not exist: exit 2, not 1).
#[test]
fn window_mistakes_are_usage_errors() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--since", "2024-03-01", "--until", "2024-02-01"],
            "--since 2024-03-01 is after --until 2024-02-01",
        ),
        (
            &["--since", "2024-05-01"],
            "--since 2024-05-01 is after the as-of date 2024-04-30",
        ),
        (
            &["--until", "2024-05-01"],
            "--until 2024-05-01 is after the as-of date 2024-04-30",
        ),
        (
            &["--last", "90d", "--since", "2024-01-01"],
            "cannot be used with",
        ),
        (
            &["--last", "90x"],
            "expected a number of days or months such as 90d or 12m",
        ),
        (
            &["--last", "0d"],
            "expected 1 to 36500 days or 1 to 1200 months",
        ),
    ];
    for (flags, message) in cases {
        goldpan()
            .args(["summary", "no/such/export.csv", "--as-of", "2024-04-30"])
            .args(flags)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}
