//! What every export format shares: `--format` values, the message for a file
//! no format claims, and the grouping of rows into orders.

use crate::util::*;

#[test]
fn format_accepts_the_orders_formats_of_the_registry() {
    let output = goldpan().args(["summary", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("[possible values: shopify, bigcommerce, woocommerce]"),
        "{help}"
    );
    // A customers export is in the registry but has no orders to read a file as.
    let output = goldpan()
        .args([
            "summary",
            &fixture("shopify_jan.csv"),
            "--format",
            "shopify-customers",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_file_no_format_claims_names_every_format_and_how_to_export_it() {
    let file = fixture("generic_orders.csv");
    let output = goldpan().args(["summary", &file]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        format!(
            "goldpan: {file}: not an orders export: it looks like no export goldpan knows; its \
             header starts \"Order No, Ordered, Buyer E-mail, Amount, Qty, State\". goldpan \
             reads the orders exports of Shopify (Admin › Orders › Export), BigCommerce \
             (Orders › Export) and WooCommerce (Customer/Order/Coupon Export); for any other \
             file, name its columns with --map, e.g. --map \
             order=Order No,date=Ordered,total=Amount,email=E-mail"
        )
    );
}

#[test]
fn a_customers_export_is_recognized_even_with_format() {
    let json = summary_json(
        "shopify_b2b_orders.csv",
        "2024-04-01",
        &[&fixture("shopify_b2b_customers.csv"), "--format", "shopify"],
    );
    assert_eq!(json["input"]["customers_export_rows"], 5);
    assert_eq!(json["input"]["files"], 2);
    assert_eq!(json["customers"], 4);
}

#[test]
fn later_items_of_a_rejected_order_are_rejected_with_it() {
    // woocommerce_items_bad_rows.csv, one row per item:
    // 2-3 701 ann 25.00, 2 + 3 items: kept
    // 4   702 date 2024-13-40: rejected; 5 its second item: rejected too
    // 6   703 item_quantity "two": rejected; 7 704 cat 9.99: kept
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.csv");
    let output = goldpan()
        .args(["summary", &fixture("woocommerce_items_bad_rows.csv")])
        .args([
            "--as-of",
            "2024-04-01",
            "--json",
            "--skip-bad-rows",
            "--rejects",
        ])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["input"]["rows_read"], 6);
    assert_eq!(json["input"]["rows_rejected"], 3);
    assert_eq!(json["orders"], 2);
    assert_close(&json["revenue"], 34.99);
    let reasons: Vec<(String, String)> = read_csv(&rejects)
        .into_iter()
        .map(|row| (row["line"].clone(), row["reason"].clone()))
        .collect();
    assert_eq!(reasons[1].0, "5");
    assert_eq!(
        reasons[1].1,
        "a later line item of order 702, whose first row (line 4) was rejected"
    );
    assert_eq!(reasons.len(), 3);

    let (_dir, out) = segments(
        "woocommerce_items_bad_rows.csv",
        "2024-04-01",
        &["--skip-bad-rows"],
    );
    let one_time = read_csv(&out.join("one_time.csv"));
    let ann = one_time
        .iter()
        .find(|r| r["email"] == "ann@gmail.com")
        .unwrap();
    assert_eq!(ann["total_quantity"], "5");
}

#[test]
fn an_order_id_twice_in_a_row_per_order_export_is_a_bad_row() {
    // bigcommerce_repeated_order.csv: orders 100 and 101, then 100 again on line 4.
    let file = fixture("bigcommerce_repeated_order.csv");
    let output = goldpan().args(["summary", &file]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "goldpan: {file}:4: column 1 (Order ID): expected each order on one row in this \
             layout (this order id came before), found \"100\""
        )),
        "{stderr}"
    );
    let json = summary_json(
        "bigcommerce_repeated_order.csv",
        "2024-04-01",
        &["--skip-bad-rows"],
    );
    assert_eq!(json["input"]["rows_rejected"], 1);
    assert_eq!(json["input"]["duplicate_orders"], 0);
    assert_eq!(json["orders"], 2);
    assert_close(&json["revenue"], 30.00);
}
