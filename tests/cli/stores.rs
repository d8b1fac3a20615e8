//! `--separate-stores` and `--store NAME=FILE`: exports of two stores that
//! number their orders alike, read each as its own store.
//!
//! fixtures/shop_linen.csv and fixtures/shop_candles.csv both have orders
//! #1001-#1003, other orders in each store. Linen: ann@shop.com #1001 100.00
//! and #1003 60.00, bob@x.org #1002 50.00, carl@x.org #1004 cancelled.
//! Candles: dana@x.org #1001 30.00, ann@shop.com #1002 25.00, erin@x.org
//! #1003 40.00. As of 2025-12-31 everyone is lapsed.

use crate::util::{fixture, goldpan, read_csv, run_ok};
use std::collections::BTreeSet;
use std::path::Path;

const AS_OF: &str = "2025-12-31";

fn linen() -> String {
    fixture("shop_linen.csv")
}

fn candles() -> String {
    fixture("shop_candles.csv")
}

/// `(store, email)` of every row of a list.
fn store_emails(path: &Path) -> BTreeSet<(String, String)> {
    read_csv(path)
        .into_iter()
        .map(|row| (row["store"].clone(), row["email"].clone()))
        .collect()
}

fn pair(store: &str, email: &str) -> (String, String) {
    (store.to_string(), email.to_string())
}

/// Runs `goldpan segments FILES… --as-of AS_OF --out DIR/name extra…`.
fn segments_of(dir: &Path, name: &str, files: &[String], extra: &[&str]) -> std::path::PathBuf {
    let out = dir.join(name);
    run_ok(
        goldpan()
            .arg("segments")
            .args(files)
            .args(["--as-of", AS_OF, "--out"])
            .arg(&out)
            .args(extra),
    );
    out
}

#[test]
fn without_the_flag_two_stores_are_refused_and_the_message_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let output = goldpan()
        .arg("segments")
        .args([linen(), candles()])
        .args(["--as-of", AS_OF, "--out"])
        .arg(dir.path().join("lists"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("share 3 order numbers but 3 differ in date or customer")
            && stderr.contains("add --separate-stores"),
        "{stderr}"
    );
    assert!(!dir.path().join("lists/lapsed_90.csv").exists());
}

#[test]
fn each_store_keeps_its_customers_and_a_customer_of_both_is_listed_once_per_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = segments_of(
        dir.path(),
        "lists",
        &[linen(), candles()],
        &["--separate-stores"],
    );
    let header = std::fs::read_to_string(out.join("lapsed_90.csv")).unwrap();
    assert!(
        header.starts_with("store,email,customer_id,name,"),
        "{header}"
    );
    assert_eq!(
        store_emails(&out.join("lapsed_90.csv")),
        BTreeSet::from([
            pair("shop_linen", "ann@shop.com"),
            pair("shop_linen", "bob@x.org"),
            pair("shop_candles", "dana@x.org"),
            pair("shop_candles", "ann@shop.com"),
            pair("shop_candles", "erin@x.org"),
        ])
    );
    // Ann's two orders in linen make her a repeat customer there only.
    assert_eq!(
        store_emails(&out.join("repeat.csv")),
        BTreeSet::from([pair("shop_linen", "ann@shop.com")])
    );
    let one_time = read_csv(&out.join("one_time.csv"));
    let ann = one_time
        .iter()
        .find(|row| row["email"] == "ann@shop.com")
        .unwrap();
    assert_eq!(
        (
            ann["store"].as_str(),
            ann["orders"].as_str(),
            ann["revenue"].as_str()
        ),
        ("shop_candles", "1", "25.00")
    );
    assert_eq!(ann["name"], "Ann A.", "her name in that store");
}

#[test]
fn summary_covers_the_stores_together_and_each_store_in_its_column() {
    let (stdout, _) = run_ok(
        goldpan()
            .args(["summary", &linen(), &candles(), "--separate-stores"])
            .args(["--as-of", AS_OF, "--json"]),
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Ann counts once in each store.
    assert_eq!(json["customers"], 5);
    assert_eq!(json["orders"], 6);
    assert_eq!(json["revenue"], 305.0);
    assert_eq!(json["input"]["duplicate_orders"], 0);
    assert_eq!(json["excluded_orders"], 1);
    let in_linen = &json["stores"]["shop_linen"];
    assert_eq!(
        (
            &in_linen["customers"],
            &in_linen["orders"],
            &in_linen["revenue"]
        ),
        (&2.into(), &3.into(), &210.0.into())
    );
    assert_eq!(in_linen["repeat_customers"], 1);
    assert_eq!(in_linen["excluded_orders"], 1);
    let in_candles = &json["stores"]["shop_candles"];
    assert_eq!(
        (
            &in_candles["customers"],
            &in_candles["orders"],
            &in_candles["revenue"]
        ),
        (&3.into(), &3.into(), &95.0.into())
    );
    assert_eq!(in_candles["excluded_orders"], 0);
    // Top 20% of three customers is one: erin's 40.00 of the store's 95.00.
    assert_eq!(in_candles["top_20_share"], 40.0 / 95.0);

    // CSV: the combined value, then one column per store, as given.
    let (stdout, _) = run_ok(
        goldpan()
            .args(["summary", &linen(), &candles(), "--separate-stores"])
            .args(["--as-of", AS_OF]),
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "figure,value,shop_linen,shop_candles");
    assert_eq!(lines[1], format!("as_of,{AS_OF},{AS_OF},{AS_OF}"));
    assert!(lines.contains(&"customers,5,2,3"), "{stdout}");
    assert!(lines.contains(&"excluded_cancelled,1,1,0"), "{stdout}");
}

#[test]
fn customers_output_has_the_store_column_and_a_row_per_store() {
    let (stdout, _) = run_ok(
        goldpan()
            .args(["customers", &linen(), &candles(), "--separate-stores"])
            .args(["--as-of", AS_OF, "--out", "-"]),
    );
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "store");
    let anns: Vec<String> = reader
        .records()
        .map(|row| row.unwrap())
        .filter(|row| &row[1] == "ann@shop.com")
        .map(|row| row[0].to_string())
        .collect();
    assert_eq!(anns, ["shop_linen", "shop_candles"], "by revenue");

    let (stdout, _) = run_ok(
        goldpan()
            .args(["customers", &linen(), &candles(), "--separate-stores"])
            .args(["--as-of", AS_OF, "--out", "-", "--json"]),
    );
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["store"], "shop_linen");
    assert!(
        stdout.lines().next().unwrap().starts_with("{\"store\":"),
        "{stdout}"
    );
}

#[test]
fn store_names_the_store_of_a_file_and_implies_separate_stores() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("linen={}", linen());
    let out = segments_of(
        dir.path(),
        "lists",
        &[linen(), candles()],
        &["--store", &store],
    );
    assert_eq!(
        store_emails(&out.join("repeat.csv")),
        BTreeSet::from([pair("linen", "ann@shop.com")])
    );
    assert!(store_emails(&out.join("lapsed_90.csv")).contains(&pair("shop_candles", "erin@x.org")));
}

#[test]
fn overlapping_exports_of_one_store_are_two_stores_unless_given_one_name() {
    let (jan, feb) = (fixture("shopify_jan.csv"), fixture("shopify_feb.csv"));
    let summary = |extra: &[&str]| -> (serde_json::Value, String) {
        let (stdout, stderr) = run_ok(
            goldpan()
                .args(["summary", &jan, &feb, "--as-of", "2024-03-01", "--json"])
                .args(extra),
        );
        (serde_json::from_str(&stdout).unwrap(), stderr)
    };
    // Each file its own store: #2, in both, counts in each, and a note says
    // the two look like one store.
    let (json, stderr) = summary(&["--separate-stores"]);
    assert_eq!(json["orders"], 4);
    assert_eq!(json["input"]["duplicate_orders"], 0);
    assert!(
        stderr.contains(
            "stores shopify_jan and shopify_feb share 1 of their 1 common order numbers with the \
             same date and customer: overlapping exports of one store?"
        ),
        "{stderr}"
    );
    // One name for both: one store, #2 counts once, as without the flag.
    let (jan_store, feb_store) = (format!("s={jan}"), format!("s={feb}"));
    let (json, stderr) = summary(&["--store", &jan_store, "--store", &feb_store]);
    let (plain, _) = summary(&[]);
    assert_eq!(json["orders"], 3);
    assert_eq!(json["input"]["duplicate_orders"], 1);
    assert_eq!(json["revenue"], plain["revenue"]);
    assert_eq!(json["stores"]["s"]["customers"], plain["customers"]);
    assert!(!stderr.contains("overlapping exports"), "{stderr}");
}

#[test]
fn two_stores_given_one_name_are_refused_like_two_stores() {
    let (a, b) = (format!("x={}", linen()), format!("x={}", candles()));
    let output = goldpan()
        .args([
            "summary",
            &linen(),
            &candles(),
            "--store",
            &a,
            "--store",
            &b,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("share 3 order numbers but 3 differ")
            && stderr.contains("yet --store names both store x"),
        "{stderr}"
    );
}

#[test]
fn store_names_that_cannot_be_used_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    // The same file name in two folders would be one store name twice.
    for folder in ["a", "b"] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::copy(linen(), dir.path().join(folder).join("orders.csv")).unwrap();
    }
    let (a, b) = ("a/orders.csv", "b/orders.csv");
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec!["-", "--separate-stores"],
            "-: no store name can be made of this file name",
        ),
        (
            vec![a, b, "--separate-stores"],
            "a/orders.csv and b/orders.csv would both be store orders",
        ),
        (
            vec![a, "--store", "linen"],
            "--store linen: expected NAME=FILE",
        ),
        (
            vec![a, "--store", "linen=c.csv"],
            "--store linen=c.csv: c.csv is not one of the exports given",
        ),
        (
            vec![a, "--store", "my store=a/orders.csv"],
            "a store name is 1 to 64 letters, digits",
        ),
        (
            vec![a, b, "--store", "orders=a/orders.csv"],
            "a/orders.csv and b/orders.csv would both be store orders",
        ),
    ];
    for (args, message) in cases {
        let output = goldpan()
            .current_dir(dir.path())
            .arg("summary")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // Given the same name on purpose, two files are one store.
    run_ok(
        goldpan()
            .current_dir(dir.path())
            .args(["summary", a, b, "--store", "o=a/orders.csv", "--store"])
            .arg("o=b/orders.csv"),
    );
}

#[test]
fn a_customers_export_adds_hints_to_the_customers_of_its_store() {
    let (orders, customers) = (
        fixture("b2b_signals_orders.csv"),
        fixture("b2b_signals_customers.csv"),
    );
    let output = goldpan()
        .args(["summary", &orders, &customers, "--separate-stores"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no orders export is of store b2b_signals_customers"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (o, c) = (format!("b2b={orders}"), format!("b2b={customers}"));
    let out = dir.path().join("lists");
    run_ok(
        goldpan()
            .args(["segments", &orders, &customers, "--as-of", "2025-06-30"])
            .args(["--store", &o, "--store", &c, "--out"])
            .arg(&out),
    );
    let bulk = read_csv(&out.join("bulk_b2b.csv"));
    let every = bulk
        .iter()
        .find(|row| row["email"] == "every@wholesale-co.com")
        .unwrap();
    assert_eq!(every["store"], "b2b");
    assert!(
        every["reasons"].contains("wholesale_tag;tax_exempt"),
        "{every:?}"
    );
}

#[test]
fn diff_matches_customers_on_store_and_email() {
    let dir = tempfile::tempdir().unwrap();
    let old = segments_of(dir.path(), "old", &[linen()], &["--separate-stores"]);
    let new = segments_of(
        dir.path(),
        "new",
        &[linen(), candles()],
        &["--separate-stores"],
    );
    let changes = dir.path().join("changes");
    run_ok(
        goldpan()
            .arg("diff")
            .args([&old, &new])
            .arg("--out")
            .arg(&changes),
    );
    // Ann was lapsed in linen already; as a candles customer she is new.
    assert_eq!(
        store_emails(&changes.join("lapsed_90.entered.csv")),
        BTreeSet::from([
            pair("shop_candles", "ann@shop.com"),
            pair("shop_candles", "dana@x.org"),
            pair("shop_candles", "erin@x.org"),
        ])
    );
    assert!(read_csv(&changes.join("lapsed_90.left.csv")).is_empty());

    // Lists with and without a store column cannot be compared.
    let plain = dir.path().join("plain");
    run_ok(
        goldpan()
            .args(["segments", &linen(), "--as-of", AS_OF, "--out"])
            .arg(&plain),
    );
    let output = goldpan()
        .arg("diff")
        .args([&plain, &new])
        .arg("--out")
        .arg(dir.path().join("mixed"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has a store column and") && stderr.contains("cannot be compared"),
        "{stderr}"
    );
}

#[test]
fn an_audience_lists_a_person_once_and_its_meta_names_the_stores() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lapsed.csv");
    run_ok(
        goldpan()
            .args(["audience", &linen(), &candles(), "--separate-stores"])
            .args([
                "--as-of",
                AS_OF,
                "--segment",
                "lapsed_90",
                "--platform",
                "klaviyo",
            ])
            // Every order of these fixtures declines marketing: consent is
            // another test's subject, here everyone is written.
            .args(["--consent", "ignore"])
            .arg("--out")
            .arg(&out),
    );
    let rows = read_csv(&out);
    let emails: Vec<&str> = rows.iter().map(|row| row["Email"].as_str()).collect();
    assert_eq!(emails.len(), 4, "{emails:?}");
    assert_eq!(
        emails
            .iter()
            .filter(|email| **email == "ann@shop.com")
            .count(),
        1
    );
    assert!(
        !rows[0].contains_key("store"),
        "the platforms refuse other columns"
    );
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("lapsed.csv.meta.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        meta["stores"],
        serde_json::json!(["shop_linen", "shop_candles"])
    );
    assert_eq!(meta["segment_customers"], 5);
    assert_eq!(meta["same_person_other_store"], 1);
    // Without the flag the sidecar has neither key.
    let single = dir.path().join("single.csv");
    run_ok(
        goldpan()
            .args([
                "audience",
                &linen(),
                "--as-of",
                AS_OF,
                "--segment",
                "lapsed_90",
            ])
            .args(["--platform", "klaviyo", "--out"])
            .arg(&single),
    );
    let meta = std::fs::read_to_string(dir.path().join("single.csv.meta.json")).unwrap();
    assert!(
        !meta.contains("stores") && !meta.contains("same_person"),
        "{meta}"
    );
}

#[test]
fn real_stores_read_together_have_each_store_s_own_figures() {
    // Two real Shopify stores in euros: the looker101 export and a dev store.
    let looker = fixture("shopify_orders_2024_looker101_ANONYMIZED.csv");
    let forezia = fixture("shopify_orders_2025_devstore_forezia.csv");
    let summary = |files: &[&str], extra: &[&str]| -> serde_json::Value {
        let (stdout, _) = run_ok(
            goldpan()
                .arg("summary")
                .args(files)
                .args(["--as-of", AS_OF, "--json"])
                .args(extra),
        );
        serde_json::from_str(&stdout).unwrap()
    };
    let (stdout, stderr) = run_ok(
        goldpan()
            .args(["summary", &looker, &forezia, "--separate-stores"])
            .args(["--as-of", AS_OF, "--json"]),
    );
    let both: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Each store's export is stale on its own: one fresher store hides no other.
    for (store, newest) in [
        ("shopify_orders_2024_looker101_ANONYMIZED", "2024-02-05"),
        ("shopify_orders_2025_devstore_forezia", "2025-05-17"),
    ] {
        assert!(
            stderr.contains(&format!(
                "note: store {store}: the newest order is from {newest}"
            )),
            "{stderr}"
        );
    }
    let alone = [summary(&[&looker], &[]), summary(&[&forezia], &[])];
    for figure in [
        "customers",
        "orders",
        "excluded_orders",
        "unattributed_orders",
    ] {
        let sum = alone[0][figure].as_u64().unwrap() + alone[1][figure].as_u64().unwrap();
        assert_eq!(both[figure].as_u64(), Some(sum), "{figure}");
    }
    for (store, alone) in [
        ("shopify_orders_2024_looker101_ANONYMIZED", &alone[0]),
        ("shopify_orders_2025_devstore_forezia", &alone[1]),
    ] {
        for figure in [
            "customers",
            "orders",
            "revenue",
            "aov",
            "top_20_share",
            "clv",
        ] {
            assert_eq!(
                both["stores"][store][figure], alone[figure],
                "{store} {figure}"
            );
        }
    }
}

#[test]
fn stores_in_different_currencies_are_refused_naming_each_store_s() {
    // Two real dev stores that both number their orders from #1001 (refused
    // without the flag: tests/cli/orders_table.rs), one in euros, one in rupees.
    let output = goldpan()
        .arg("summary")
        .args([
            fixture("shopify_orders_2025_devstore_forezia.csv"),
            fixture("shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv"),
        ])
        .args(["--separate-stores", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "the stores are in different currencies (shopify_orders_2025_devstore_forezia: EUR; \
             shopify_orders_2025_devstore_ramkumar_ANONYMIZED: INR)"
        ),
        "{stderr}"
    );
}
