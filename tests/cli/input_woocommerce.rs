//! WooCommerce exports of the Customer/Order/Coupon Export plugin.

use crate::util::*;

#[test]
fn default_layout_reads_line_items_and_every_status() {
    // woocommerce_default.csv, by hand:
    // 501 Bea@gmail.com, completed, 49.90, items 2 + 1 (an escaped "\;" "\|"
    //     "\:" in the second item's name) = 3, phone '+44… (spreadsheet mark)
    // 502 BEA@gmail.com, wc-processing, 120.00 − 20.00 refunded = 100.00, 36 items
    // 503 pending → unpaid, 504 failed, 505 trash and 506 checkout-draft → draft,
    // 507 cancelled, 508 refunded: 6 excluded
    // 509 on-hold guest, customer_id 0, no e-mail: unattributed, 15.00
    // 510 no e-mail, customer_id 8, company "Fox & Co", 30.00
    // → 2 customers, 3 orders, 179.90, aov 59.97.
    let json = summary_json("woocommerce_default.csv", "2024-04-01", &[]);
    assert_eq!(json["customers"], 2);
    assert_eq!(json["orders"], 3);
    assert_close(&json["revenue"], 179.90);
    assert_close(&json["aov"], 59.97);
    assert_eq!(json["excluded_orders"], 6);
    let by_reason = &json["excluded_by_reason"];
    assert_eq!(by_reason["unpaid"], 1);
    assert_eq!(by_reason["failed"], 1);
    assert_eq!(by_reason["draft"], 2);
    assert_eq!(by_reason["cancelled"], 1);
    assert_eq!(by_reason["refunded"], 1);
    assert_eq!(json["unattributed_orders"], 1);
    assert_close(&json["unattributed_revenue"], 15.00);
    assert_eq!(json["first_order_date"], "2024-01-10");
    assert_eq!(json["last_order_date"], "2024-03-20");

    // Fox & Co is a company without a work e-mail (no e-mail at all): in
    // bulk_b2b only with --company-is-b2b.
    let (_dir, out) = segments("woocommerce_default.csv", "2024-04-01", &[]);
    assert_eq!(read_csv(&out.join("bulk_b2b.csv")).len(), 1);
    let (_dir, out) = segments(
        "woocommerce_default.csv",
        "2024-04-01",
        &["--company-is-b2b"],
    );
    let bulk = read_csv(&out.join("bulk_b2b.csv"));
    assert_eq!(bulk.len(), 2);
    assert_eq!(bulk[0]["email"], "bea@gmail.com");
    assert_eq!(bulk[0]["customer_id"], "3");
    assert_eq!(bulk[0]["name"], "Bea Stone");
    assert_eq!(bulk[0]["phone"], "'+44 20 7183 8750");
    assert_eq!(bulk[0]["orders"], "2");
    assert_eq!(bulk[0]["revenue"], "149.90");
    assert_eq!(bulk[0]["total_quantity"], "39");
    assert_eq!(bulk[0]["max_order_quantity"], "36");
    assert_eq!(bulk[0]["reasons"], "order_qty");
    assert_eq!(bulk[1]["email"], "");
    assert_eq!(bulk[1]["customer_id"], "8");
    assert_eq!(bulk[1]["company"], "Fox & Co");
    assert_eq!(bulk[1]["reasons"], "company");
}

#[test]
fn one_row_per_item_layout_adds_item_quantities() {
    // woocommerce_items.csv, by hand:
    // 601 cara, 2 rows of 2 and 3 items, 25.00, 2024-02-01
    // 602 cara, cancelled
    // 603 cara, 2 rows of 4 and 4 items, 40.00 − 5.00 = 35.00, 2024-02-15
    // 604 dan (customer_id 0 but an e-mail), 1 item, 9.99
    // → 6 rows, 4 orders, 2 customers, 3 orders counted, 69.99.
    let json = summary_json("woocommerce_items.csv", "2024-04-01", &[]);
    assert_eq!(json["customers"], 2);
    assert_eq!(json["orders"], 3);
    assert_close(&json["revenue"], 69.99);
    assert_eq!(json["excluded_by_reason"]["cancelled"], 1);
    assert_eq!(json["input"]["rows_read"], 6);
    assert_eq!(json["input"]["orders_built"], 4);

    let (_dir, out) = segments("woocommerce_items.csv", "2024-04-01", &[]);
    let repeat = read_csv(&out.join("repeat.csv"));
    assert_eq!(repeat.len(), 1);
    assert_eq!(repeat[0]["email"], "cara@gmail.com");
    assert_eq!(repeat[0]["revenue"], "60.00");
    assert_eq!(repeat[0]["total_quantity"], "13");
    assert_eq!(repeat[0]["max_order_quantity"], "8");
    assert_eq!(emails(&out, "one_time"), ["dan@gmail.com"]);
}

#[test]
fn format_flag_overrides_detection() {
    // Forcing the wrong format reads the file as that format: here it lacks
    // WooCommerce's columns, and says which.
    let output = goldpan()
        .args([
            "summary",
            &fixture("bigcommerce_small.csv"),
            "--format",
            "woocommerce",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a complete WooCommerce orders export: missing column(s) \"order_id\""),
        "{stderr}"
    );
    let json = summary_json(
        "woocommerce_items.csv",
        "2024-04-01",
        &["--format", "woocommerce"],
    );
    assert_eq!(json["orders"], 3);
}
