//! `goldpan report`: the HTML page, its `--json` twin, and the page opened
//! in a real browser (headless Chromium, driven by tests/browser/check_page.mjs).

use crate::util::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const SHOPIFY: &str = "shopify_orders_2024_looker101_ANONYMIZED.csv";
const SHOPIFY_AS_OF: &str = "2024-02-29";
const BIGCOMMERCE: &str = "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv";
const BIGCOMMERCE_AS_OF: &str = "2024-08-31";

const CDNOW: &str = "cdnow_sample.csv";
const CDNOW_AS_OF: &str = "1997-09-30";
const CDNOW_MAP: &str =
    "order=order,date=date,customer_id=customer_id,total=total,quantity=quantity";

/// The P(alive) chart: drawn when the purchase model can be fitted (CDNOW,
/// the BigCommerce sample), not on the Shopify sample (3 repeat customers).
const P_ALIVE_CHART: &str = "chart-p-alive";

/// The products charts: drawn when the exports name products (not the CDNOW
/// fixture); the first-purchase one when a product was in at least 5
/// customers' first order (the BigCommerce sample).
const PRODUCTS_CHART: &str = "chart-products";
const FIRST_PRODUCTS_CHART: &str = "chart-first-products";

/// Every other chart of the page, by the id of its `<svg>`.
const CHARTS: [&str; 9] = [
    "chart-monthly-revenue",
    "chart-monthly-orders",
    "chart-cohort-retention",
    "chart-cohort-revenue",
    "chart-pareto",
    "chart-order-values",
    "chart-recency",
    "chart-segments",
    "chart-rfm",
];

/// `goldpan report FILE --as-of AS_OF --out <temp>/report.html [extra…]`:
/// the folder (kept alive by the caller) and the page's path.
fn write_report(file: &str, as_of: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    goldpan()
        .args(["report", &fixture(file), "--as-of", as_of, "--out"])
        .arg(&page)
        .args(extra)
        .assert()
        .success();
    (dir, page)
}

fn report_json(file: &str, as_of: &str, extra: &[&str]) -> Value {
    let (stdout, _) = run_ok(
        goldpan()
            .args(["report", &fixture(file), "--as-of", as_of, "--json"])
            .args(extra),
    );
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn the_page_stands_alone_and_loads_nothing() {
    let (_dir, page) = write_report(SHOPIFY, SHOPIFY_AS_OF, &[]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy"));
    for loader in [
        "<script", "<link", "<img", "src=", "href=", "@import", "url(",
    ] {
        assert!(!html.contains(loader), "the page contains {loader}");
    }
    for id in CHARTS {
        assert!(html.contains(&format!("id=\"{id}\"")), "no {id}");
    }
}

#[test]
fn the_page_of_a_large_export_stays_small() {
    // 40,000 orders over ten years, from customers who keep arriving (the
    // pool grows to 8,000), each order from one of them.
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("orders.csv");
    let mut csv = String::from("Order,Date,Email,Total\n");
    for i in 0..40_000u32 {
        let customer = (i as u64 * 7919) % (i as u64 / 5 + 1);
        let day = (i as u64 * 3659 / 40_000) as i64; // 2015-01-01 + up to ~10 years
        let date =
            chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Days::new(day as u64);
        csv.push_str(&format!(
            "{i},{date},c{customer}@x.com,{}.{:02}\n",
            10 + (i * 37) % 490,
            i % 100
        ));
    }
    std::fs::write(&export, csv).unwrap();
    let page = dir.path().join("report.html");
    goldpan()
        .args([
            "report",
            export.to_str().unwrap(),
            "--as-of",
            "2025-01-15",
            "--out",
        ])
        .arg(&page)
        .args(["--map", "order=Order,date=Date,email=Email,total=Total"])
        .assert()
        .success();
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 2_000_000, "the page is {size} bytes");
    let json: Value = {
        let (stdout, _) = run_ok(
            goldpan()
                .args([
                    "report",
                    export.to_str().unwrap(),
                    "--as-of",
                    "2025-01-15",
                    "--json",
                ])
                .args(["--map", "order=Order,date=Date,email=Email,total=Total"]),
        );
        serde_json::from_str(&stdout).unwrap()
    };
    // 2015-01 to 2025-01: quarterly cohorts, the 24 latest shown, each over 12 quarters at most.
    assert_eq!(json["cohorts"]["period"], "quarter");
    assert_eq!(json["cohorts"]["cohorts"].as_array().unwrap().len(), 24);
    assert!(json["cohorts"]["cohorts_left_out"].as_u64().unwrap() > 0);
    assert!(json["pareto"]["points"].as_array().unwrap().len() <= 203);
    assert_eq!(json["monthly"]["months"].as_array().unwrap().len(), 121);
}

#[test]
fn every_number_on_the_page_has_the_same_twin_elsewhere() {
    let json = report_json(BIGCOMMERCE, BIGCOMMERCE_AS_OF, &[]);
    let summary = summary_json(BIGCOMMERCE, BIGCOMMERCE_AS_OF, &[]);
    // The headline is summary --json's figures, to the last digit.
    for (key, value) in json["summary"].as_object().unwrap() {
        assert_eq!(&summary[key], value, "{key}");
    }
    assert_eq!(json["currency"], "USD");
    // The months add up to the revenue and orders of the headline.
    let months = json["monthly"]["months"].as_array().unwrap();
    let sum = |key: &str| months.iter().map(|m| m[key].as_i64().unwrap()).sum::<i64>();
    assert_eq!(
        sum("revenue_cents"),
        (summary["revenue"].as_f64().unwrap() * 100.0).round() as i64
    );
    assert_eq!(
        sum("new_orders") + sum("returning_orders"),
        summary["orders"].as_i64().unwrap()
    );
    // Every customer's first month is once a "new" month.
    assert_eq!(sum("new_customers"), summary["customers"].as_i64().unwrap());
    // The Pareto marks are the top_10_share and top_20_share figures.
    for point in json["pareto"]["points"].as_array().unwrap() {
        match point["top_percent"].as_u64() {
            Some(10) => assert_close(
                &summary["top_10_share"],
                point["revenue_share"].as_f64().unwrap(),
            ),
            Some(20) => assert_close(
                &summary["top_20_share"],
                point["revenue_share"].as_f64().unwrap(),
            ),
            _ => {}
        }
    }
    // The recency bands hold the customers of the lapsed lists.
    let (_dir, lists) = segments(BIGCOMMERCE, BIGCOMMERCE_AS_OF, &[]);
    for band in json["recency"]["bands"].as_array().unwrap() {
        let name = band["band"].as_str().unwrap();
        if name != "active" {
            let members = emails(&lists, name).len() as u64;
            assert_eq!(band["customers"].as_u64().unwrap(), members, "{name}");
        }
    }
    // The list bars are the lists.
    for bar in json["segments"].as_array().unwrap() {
        let name = bar["segment"].as_str().unwrap();
        assert_eq!(bar["file"], format!("{name}.csv"));
        assert_eq!(
            bar["customers"].as_u64().unwrap(),
            emails(&lists, name).len() as u64
        );
    }
    // The AOV bands split every order.
    let bands = json["order_values"]["bands"].as_array().unwrap();
    let orders: u64 = bands.iter().map(|b| b["orders"].as_u64().unwrap()).sum();
    assert_eq!(orders, summary["orders"].as_u64().unwrap());
    // (summary's aov is rounded to the cent, the page's cut-offs are not.)
    let aov = json["order_values"]["aov_cents"].as_f64().unwrap();
    assert!((aov - summary["aov"].as_f64().unwrap() * 100.0).abs() <= 0.5);
}

#[test]
fn the_page_is_replaced_whole_and_a_missing_folder_is_created() {
    let (dir, page) = write_report(SHOPIFY, SHOPIFY_AS_OF, &[]);
    std::fs::write(&page, "old").unwrap();
    goldpan()
        .args([
            "report",
            &fixture(SHOPIFY),
            "--as-of",
            SHOPIFY_AS_OF,
            "--out",
        ])
        .arg(&page)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .contains("Store report")
    );
    // The page and the folder's lock file (kept on purpose), nothing else.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [".goldpan.lock", "report.html"],
        "a temporary file was left behind"
    );
    goldpan()
        .args([
            "report",
            &fixture(SHOPIFY),
            "--as-of",
            SHOPIFY_AS_OF,
            "--out",
        ])
        .arg(dir.path().join("new/folder/report.html"))
        .assert()
        .success();
    assert!(dir.path().join("new/folder/report.html").is_file());
    // Under a file, no folder can be made: the message says which part.
    let output = goldpan()
        .args([
            "report",
            &fixture(SHOPIFY),
            "--as-of",
            SHOPIFY_AS_OF,
            "--out",
        ])
        .arg(page.join("folder/report.html"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.ends_with(&format!(
            "goldpan: cannot create the folder {}/folder: {} is a file, not a folder\n",
            page.display(),
            page.display()
        )),
        "{stderr}"
    );
}

// ------------------------------------------------------------ the browser

/// Whether the browser check can run here: node, Chromium and
/// playwright-core (`npm ci --prefix tests/browser`). Under CI=true it must:
/// a missing piece fails the test instead of skipping it.
fn browser_ready() -> bool {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        (
            Command::new("node").arg("--version").output().is_err(),
            "node",
        ),
        (
            !Path::new(&chromium).exists(),
            "chromium (apt-get install chromium)",
        ),
        (
            !browser_dir.join("node_modules/playwright-core").exists(),
            "playwright-core (npm ci --prefix tests/browser)",
        ),
    ]
    .into_iter()
    .filter_map(|(absent, what)| absent.then_some(what))
    .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("the browser test must run under CI, but these are missing: {missing:?}");
    }
    eprintln!("skipping the browser check: missing {missing:?}");
    false
}

/// Opens the page in headless Chromium at `width` × 900 and returns what
/// tests/browser/check_page.mjs saw; the full-page screenshot goes to `png`.
fn open_in_browser(page: &Path, png: &Path, width: u32) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_page.mjs");
    let output = Command::new("node")
        .arg(script)
        .arg(page)
        .arg(png)
        .arg(width.to_string())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the browser check failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Digits in groups of three, as the page writes counts and money.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The text the page must show for a `summary --json` figure.
fn expected_text(key: &str, value: &Value) -> String {
    // A figure the store has no value for (no model) shows a dash.
    let Some(number) = value.as_f64() else {
        return "–".to_string();
    };
    match key {
        "customers" | "orders" | "repeat_customers" | "excluded_orders" | "unattributed_orders" => {
            grouped(value.as_u64().unwrap())
        }
        "revenue" | "aov" | "clv" | "unattributed_revenue" | "predicted_revenue_365d" => {
            let cents = (number * 100.0).round() as u64;
            format!("{}.{:02}", grouped(cents / 100), cents % 100)
        }
        "purchase_frequency" => format!("{number:.2}"),
        _ => format!("{:.1}%", number * 100.0),
    }
}

/// Where the screenshots go: a temporary folder, or `docs/` when
/// GOLDPAN_SCREENSHOTS=docs (how the README's pictures are made).
fn screenshot_path(temp: &Path, name: &str) -> PathBuf {
    match std::env::var("GOLDPAN_SCREENSHOTS").as_deref() {
        Ok("docs") => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name),
        _ => temp.join(name),
    }
}

fn check_in_browser(file: &str, as_of: &str, name: &str, extra: &[&str], charts: &[&str]) {
    if !browser_ready() {
        return;
    }
    let (dir, page) = write_report(file, as_of, extra);
    let summary = summary_json(file, as_of, extra);
    let seen = open_in_browser(
        &page,
        &screenshot_path(dir.path(), &format!("report-{name}.png")),
        1000,
    );

    let errors: Vec<&Value> = seen["console"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "error" || m["type"] == "warning")
        .collect();
    assert!(errors.is_empty(), "console: {errors:?}");
    assert_eq!(seen["pageErrors"], serde_json::json!([]));
    assert_eq!(
        seen["requests"],
        serde_json::json!([]),
        "the page asked for something"
    );

    let ids: Vec<&str> = seen["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, charts);
    for chart in seen["charts"].as_array().unwrap() {
        let id = &chart["id"];
        assert!(
            chart["width"].as_f64().unwrap() > 300.0,
            "{id} is not laid out"
        );
        assert!(
            chart["height"].as_f64().unwrap() > 100.0,
            "{id} is not laid out"
        );
        assert!(chart["drawn"].as_u64().unwrap() > 0, "{id} draws nothing");
        assert_eq!(chart["role"], "img", "{id}");
        assert!(
            !chart["title"].as_str().unwrap().is_empty(),
            "{id} has no title"
        );
        assert!(
            chart["desc"].as_str().unwrap().len() > 40,
            "{id} has no text alternative"
        );
    }

    let figures = seen["figures"].as_object().unwrap();
    for key in [
        "customers",
        "orders",
        "revenue",
        "aov",
        "purchase_frequency",
        "repeat_customers",
        "repeat_rate",
        "repeat_revenue_share",
        "top_10_share",
        "top_20_share",
        "clv",
        "excluded_orders",
        "unattributed_orders",
        "unattributed_revenue",
        "predicted_revenue_365d",
    ] {
        let shown = figures[key].as_str().unwrap();
        let expected = expected_text(key, &summary[key]);
        assert!(
            shown.ends_with(&expected),
            "{key}: the page shows {shown:?}, summary --json {expected:?}"
        );
    }

    // On a phone the page is still one column and the figures are readable.
    let phone = open_in_browser(
        &page,
        &screenshot_path(dir.path(), &format!("report-{name}-phone.png")),
        390,
    );
    assert_eq!(phone["requests"], serde_json::json!([]));
    assert_eq!(phone["charts"].as_array().unwrap().len(), charts.len());
}

#[test]
fn shopify_report_in_a_real_browser() {
    // Too few customers for first purchases that make regulars.
    let mut charts = CHARTS.to_vec();
    charts.push(PRODUCTS_CHART);
    check_in_browser(SHOPIFY, SHOPIFY_AS_OF, "shopify", &[], &charts);
}

#[test]
fn bigcommerce_report_in_a_real_browser() {
    // 66 repeat customers: the purchase model fits (the spend model does not).
    let mut charts = CHARTS.to_vec();
    charts.extend([P_ALIVE_CHART, PRODUCTS_CHART, FIRST_PRODUCTS_CHART]);
    check_in_browser(BIGCOMMERCE, BIGCOMMERCE_AS_OF, "bigcommerce", &[], &charts);
}

#[test]
fn cdnow_report_with_predictions_in_a_real_browser() {
    let mut charts = CHARTS.to_vec();
    charts.push(P_ALIVE_CHART);
    check_in_browser(CDNOW, CDNOW_AS_OF, "cdnow", &["--map", CDNOW_MAP], &charts);
}

#[test]
fn rfm_groups_and_predictions_are_those_of_summary_and_customers() {
    let extra = ["--map", CDNOW_MAP];
    let json = report_json(CDNOW, CDNOW_AS_OF, &extra);
    let summary = summary_json(CDNOW, CDNOW_AS_OF, &extra);
    let p = &json["prediction"];
    assert_eq!(p["unfitted_because"], Value::Null);
    // The store's predicted revenue is summary's, to the cent.
    assert_eq!(
        p["predicted_revenue_cents"].as_i64().unwrap(),
        (summary["predicted_revenue_365d"].as_f64().unwrap() * 100.0).round() as i64
    );
    // Only the repeat customers the model was fitted on are charted: the
    // bins hold exactly them (the papers' 946), the 1,411 others are counted.
    let binned: u64 = p["p_alive_bins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(binned, 946);
    assert_eq!(p["repeat_customers"], 946);
    assert_eq!(summary["model"]["repeat_customers_fitted"], 946);
    assert_eq!(p["customers"], 2357);
    let likely: u64 = p["p_alive_bins"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["from"].as_i64().unwrap() >= 50)
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(p["likely_alive"].as_u64().unwrap(), likely);
    assert!(likely > 0 && likely < 946);

    // One bar per RFM group, with the customers `goldpan customers` puts in it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("customers.csv");
    run_ok(
        goldpan()
            .args([
                "customers",
                &fixture(CDNOW),
                "--as-of",
                CDNOW_AS_OF,
                "--out",
            ])
            .arg(&file)
            .args(extra),
    );
    let rows = read_csv(&file);
    let groups = json["rfm_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 10);
    for g in groups {
        let name = g["segment"].as_str().unwrap().strip_prefix("rfm_").unwrap();
        let members = rows.iter().filter(|r| r["rfm_group"] == name).count() as u64;
        assert_eq!(g["customers"].as_u64().unwrap(), members, "{name}");
        assert_eq!(g["file"], format!("rfm_{name}.csv"));
    }
    let total: u64 = groups
        .iter()
        .map(|g| g["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(total, rows.len() as u64);
}

#[test]
fn without_enough_repeat_customers_the_page_says_why_and_draws_no_p_alive_chart() {
    let json = report_json(SHOPIFY, SHOPIFY_AS_OF, &[]);
    let why = json["prediction"]["unfitted_because"].as_str().unwrap();
    assert!(why.contains("at least 30 are needed"), "{why}");
    assert_eq!(json["prediction"]["predicted_revenue_cents"], Value::Null);
    let (_dir, page) = write_report(SHOPIFY, SHOPIFY_AS_OF, &[]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("No predictions for this store"));
    assert!(!html.contains(P_ALIVE_CHART));
    assert!(html.contains("id=\"chart-rfm\""));
}

#[test]
fn the_notes_about_the_input_are_on_the_page() {
    // The sample's newest order is from 2024-08-14: as of the year's end the
    // export looks stale, and the page says so as stderr does.
    let (_dir, page) = write_report(BIGCOMMERCE, "2024-12-31", &[]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("139 days before the as-of date 2024-12-31: is the export stale?"));
    // Not stale as of the last order's month: the only note is the spend
    // model's, which the prediction section refers to.
    let (_dir, page) = write_report(BIGCOMMERCE, BIGCOMMERCE_AS_OF, &[]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("Note:").count(), 1);
    assert!(html.contains("Note: </strong>no predicted revenue"));
    // Without a model at all the section says why and the top does not;
    // its one note is that 12 days of orders make no lifetime value.
    let (_dir, page) = write_report(SHOPIFY, SHOPIFY_AS_OF, &[]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("Note:").count(), 1);
    assert!(html.contains("Note: </strong>clv takes the pace of 12 day(s) of orders"));
}

#[test]
fn the_page_never_replaces_an_input_and_goes_to_stdout_with_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("orders.csv");
    std::fs::copy(fixture(SHOPIFY), &export).unwrap();
    let before = std::fs::read(&export).unwrap();
    goldpan()
        .args([
            "report",
            export.to_str().unwrap(),
            "--as-of",
            SHOPIFY_AS_OF,
            "--out",
        ])
        .arg(&export)
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&export).unwrap(), before);
    let (stdout, _) = run_ok(goldpan().args([
        "report",
        &fixture(SHOPIFY),
        "--as-of",
        SHOPIFY_AS_OF,
        "--out",
        "-",
    ]));
    assert!(stdout.starts_with("<!DOCTYPE html>") && stdout.contains("id=\"chart-pareto\""));
    goldpan()
        .args(["report", &fixture(SHOPIFY), "--json", "--out", "x.html"])
        .assert()
        .code(2);
}

#[test]
fn the_products_section_is_goldpan_products_and_related() {
    let json = report_json(BIGCOMMERCE, BIGCOMMERCE_AS_OF, &[]);
    let section = &json["products"];
    assert_eq!(section["no_products_because"], Value::Null);
    let (products, _) = run_ok(goldpan().args([
        "products",
        &fixture(BIGCOMMERCE),
        "--as-of",
        BIGCOMMERCE_AS_OF,
        "--json",
    ]));
    let products: Value = serde_json::from_str(&products).unwrap();
    let rows = products["products"].as_array().unwrap();
    assert_eq!(section["products"].as_u64().unwrap(), rows.len() as u64);
    // The top ten are the command's first ten rows, to the cent.
    let top = section["top"].as_array().unwrap();
    assert_eq!(top.len(), 10);
    for (shown, row) in top.iter().zip(rows) {
        assert_eq!(shown["product"], row["product"]);
        assert_eq!(shown["customers"], row["customers"]);
        assert_eq!(
            shown["revenue_cents"].as_i64().unwrap(),
            (row["revenue"].as_f64().unwrap() * 100.0).round() as i64
        );
    }
    // First purchases: every product in 5+ first orders, by repeat share.
    let first = section["first_purchases"].as_array().unwrap();
    let eligible = rows
        .iter()
        .filter(|r| r["first_order_customers"].as_u64().unwrap() >= 5)
        .count();
    assert_eq!(first.len(), eligible.min(10));
    let shares: Vec<f64> = first
        .iter()
        .map(|r| r["repeat_share"].as_f64().unwrap())
        .collect();
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");
    assert_eq!(first[0]["product"], "Grain / Bean Box");
    let summary = summary_json(BIGCOMMERCE, BIGCOMMERCE_AS_OF, &[]);
    assert_eq!(section["repeat_rate"], summary["repeat_rate"]);

    // The pairs are related's strongest, each once.
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        goldpan()
            .args([
                "related",
                &fixture(BIGCOMMERCE),
                "--as-of",
                BIGCOMMERCE_AS_OF,
            ])
            .arg("--out")
            .arg(dir.path()),
    );
    let related = read_csv(&dir.path().join("pairs.csv"));
    let pairs = section["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 8);
    for pair in pairs {
        let (a, b) = (
            pair["product_a"].as_str().unwrap(),
            pair["product_b"].as_str().unwrap(),
        );
        let row = related
            .iter()
            .find(|r| r["product_a"] == a && r["product_b"] == b)
            .unwrap();
        assert_eq!(
            pair["customers_both"].as_u64().unwrap().to_string(),
            row["customers_both"]
        );
        let back = related
            .iter()
            .find(|r| r["product_a"] == b && r["product_b"] == a)
            .unwrap();
        let close = |x: &Value, text: &str| {
            assert!((x.as_f64().unwrap() - text.parse::<f64>().unwrap()).abs() < 1e-4)
        };
        close(&pair["a_then_b"], &row["confidence"]);
        close(&pair["b_then_a"], &back["confidence"]);
        close(&pair["lift"], &row["lift"]);
    }
    // The strongest pair first, as in pairs.csv.
    assert_eq!(pairs[0]["product_a"], related[0]["product_a"]);
}

#[test]
fn without_products_the_section_says_why() {
    let json = report_json(CDNOW, CDNOW_AS_OF, &["--map", CDNOW_MAP]);
    let why = json["products"]["no_products_because"].as_str().unwrap();
    assert!(why.contains("name no product"), "{why}");
    let (_dir, page) = write_report(CDNOW, CDNOW_AS_OF, &["--map", CDNOW_MAP]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("No products to show"));
    assert!(!html.contains(PRODUCTS_CHART));
}
