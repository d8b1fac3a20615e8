//! BigCommerce orders exports: the real urbanseeds sample and hand-made traps.

use crate::util::*;

fn run(args: &[&str]) -> std::process::Output {
    goldpan().args(args).output().unwrap()
}

#[test]
fn real_sample_figures_match_an_independent_count() {
    // Pinned from a separate Python count (csv + Decimal, regex over
    // "Product Qty: N,"): 317 orders, 13 excluded (12 Cancelled, 1 Refunded),
    // 304 valid orders of 109 customers known only by Customer ID.
    let json = summary_json(
        "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv",
        "2025-01-01",
        &[],
    );
    assert_eq!(json["customers"], 109);
    assert_eq!(json["orders"], 304);
    assert_close(&json["revenue"], 10695.00);
    assert_close(&json["aov"], 35.18);
    assert_eq!(json["repeat_customers"], 68);
    assert_close(&json["repeat_revenue_share"], 0.8656231884057971);
    assert_close(&json["top_10_share"], 0.37056661991584855);
    assert_close(&json["top_20_share"], 0.5626975222066386);
    assert_eq!(json["aov_low_customers"], 22);
    assert_eq!(json["aov_mid_customers"], 80);
    assert_eq!(json["aov_high_customers"], 7);
    assert_close(&json["clv"], 93.09);
    assert_eq!(json["first_order_date"], "2021-06-17");
    assert_eq!(json["last_order_date"], "2024-08-14");
    assert_eq!(json["excluded_orders"], 13);
    assert_eq!(json["excluded_by_reason"]["cancelled"], 12);
    assert_eq!(json["excluded_by_reason"]["refunded"], 1);
    assert_eq!(json["unattributed_orders"], 0);
    let input = &json["input"];
    assert_eq!(input["rows_read"], 317);
    assert_eq!(input["orders_built"], 317);
    assert_eq!(input["rows_rejected"], 0);
}

#[test]
fn real_sample_lists_are_keyed_by_customer_id() {
    // Same independent count, as of 2024-10-15: last orders 60-89 days
    // before are customers 316, 596, 673, 676, 677, 749, 786, 789; the top
    // customer is id 44 (12 orders, 591.03, 47 items by Product Qty, at most
    // 6 in one order — Total Quantity would say far more).
    let (_dir, out) = segments(
        "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv",
        "2024-10-15",
        &[],
    );
    let lapsed = read_csv(&out.join("lapsed_60.csv"));
    let mut ids: Vec<&str> = lapsed.iter().map(|r| r["customer_id"].as_str()).collect();
    ids.sort_by_key(|id| id.parse::<u32>().unwrap());
    assert_eq!(
        ids,
        ["316", "596", "673", "676", "677", "749", "786", "789"]
    );
    assert!(lapsed.iter().all(|r| r["email"].is_empty()));

    let top = read_csv(&out.join("top_20.csv"));
    assert_eq!(top.len(), 22);
    let first = &top[0];
    assert_eq!(first["email"], "");
    assert_eq!(first["customer_id"], "44");
    assert_eq!(first["orders"], "12");
    assert_eq!(first["revenue"], "591.03");
    assert_eq!(first["total_quantity"], "47");
    assert_eq!(first["max_order_quantity"], "6");
    assert_eq!(first["first_order"], "2021-06-24");
    assert_eq!(first["last_order"], "2021-12-14");
    // Billing Company is filled for 80 of the 109 customers in this store
    // ("how did you hear about us" answers), none of whom has an e-mail: a
    // company alone, in bulk_b2b only with --company-is-b2b.
    assert_eq!(read_csv(&out.join("bulk_b2b.csv")).len(), 0);
    let (_dir, with_company) = segments(
        "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv",
        "2024-10-15",
        &["--company-is-b2b"],
    );
    let bulk = read_csv(&with_company.join("bulk_b2b.csv"));
    assert_eq!(bulk.len(), 80);
    assert!(bulk.iter().all(|r| r["reasons"] == "company"));
    assert_eq!(read_csv(&out.join("lapsed_90.csv")).len(), 101);
}

#[test]
fn real_sample_needs_no_date_order_note() {
    // 17/06/2021 and later days above 12 settle day/month: no note.
    let output = run(&[
        "summary",
        &fixture("bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv"),
        "--as-of",
        "2025-01-01",
    ]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("read as day/month"), "{stderr}");
    assert!(stderr.contains("read 317 rows from 1 file(s): 317 orders built"));
}

#[test]
fn small_export_with_every_status_and_identity_trap() {
    // bigcommerce_small.csv, by hand:
    // 1001 ann@gmail.com ("Ann@Gmail.com "), 03/02/2024 → 2024-02-03, 30.479999 → 30.48,
    //      Product Qty 2 + 3 = 5 (Total Quantity says 9), company Acme Ltd
    // 1002 ann, 17/02/2024, Partially Refunded: 100 − 25.5 = 74.50, 40 items
    // 1003 Customer ID 0, no e-mail: unattributed, 12.00
    // 1004 cancelled, 1005 DECLINED, 1007 Incomplete, 1008 Refunded: excluded
    // 1006 no e-mail, Customer ID 9: customer "9", 20.00, company N/A → none
    // → 2 customers, 3 orders, 124.98, aov 41.66.
    let json = summary_json("bigcommerce_small.csv", "2024-04-01", &[]);
    assert_eq!(json["customers"], 2);
    assert_eq!(json["orders"], 3);
    assert_close(&json["revenue"], 124.98);
    assert_close(&json["aov"], 41.66);
    assert_eq!(json["unattributed_orders"], 1);
    assert_close(&json["unattributed_revenue"], 12.00);
    assert_eq!(json["excluded_orders"], 4);
    for reason in ["cancelled", "declined", "incomplete", "refunded"] {
        assert_eq!(json["excluded_by_reason"][reason], 1, "{reason}");
    }
    assert_eq!(json["first_order_date"], "2024-02-03");

    let (_dir, out) = segments("bigcommerce_small.csv", "2024-04-01", &[]);
    let bulk = read_csv(&out.join("bulk_b2b.csv"));
    assert_eq!(bulk.len(), 1);
    assert_eq!(bulk[0]["email"], "ann@gmail.com");
    assert_eq!(bulk[0]["customer_id"], "5");
    assert_eq!(bulk[0]["revenue"], "104.98");
    assert_eq!(bulk[0]["total_quantity"], "45");
    assert_eq!(bulk[0]["max_order_quantity"], "40");
    assert_eq!(bulk[0]["reasons"], "order_qty;company");
    let one_time = read_csv(&out.join("one_time.csv"));
    assert_eq!(one_time.len(), 1);
    assert_eq!(one_time[0]["email"], "");
    assert_eq!(one_time[0]["customer_id"], "9");
    assert_eq!(one_time[0]["name"], "Bo Chen");
    assert_eq!(one_time[0]["company"], "");
}

#[test]
fn ambiguous_dates_default_to_day_month_with_one_note() {
    // Both dates (02/07/2021, 03/07/2021) have day and month ≤ 12.
    let output = run(&[
        "summary",
        &fixture("bigcommerce_ambiguous_dates.csv"),
        "--as-of",
        "2022-01-01",
        "--json",
    ]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let note = "dates such as 02/07/2021 read as day/month (dmy); \
                use --date-order mdy if they are month/day";
    assert_eq!(stderr.matches(note).count(), 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["first_order_date"], "2021-07-02");
    assert_eq!(json["last_order_date"], "2021-07-03");

    let output = run(&[
        "summary",
        &fixture("bigcommerce_ambiguous_dates.csv"),
        "--as-of",
        "2022-01-01",
        "--json",
        "--date-order",
        "mdy",
    ]);
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("read as day/month"));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["first_order_date"], "2021-02-07");
    assert_eq!(json["last_order_date"], "2021-03-07");
}

#[test]
fn a_month_first_date_stops_the_run_and_suggests_mdy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("us.csv");
    std::fs::write(
        &path,
        "Order ID,Customer ID,Order Date,Order Status,Order Total (inc tax),Total Quantity\n\
         1,2,02/07/2021,Completed,5.00,1\n\
         2,2,06/17/2021,Completed,5.00,1\n",
    )
    .unwrap();
    let path = path.to_string_lossy().to_string();
    // Even --skip-bad-rows does not skip it: every other date may be misread.
    let output = run(&["summary", &path, "--skip-bad-rows"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{path}:3: column 3 (Order Date): \"06/17/2021\" is not a day/month/year date, \
             but it is one as month/day/year: if the file writes dates month/day/year, \
             use --date-order mdy"
        )),
        "{stderr}"
    );
    let output = run(&["summary", &path, "--date-order", "mdy", "--json"]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["first_order_date"], "2021-02-07");
    assert_eq!(json["last_order_date"], "2021-06-17");
    // Without Product Details, Total Quantity is the order's quantity.
    assert_eq!(json["orders"], 2);
}

#[test]
fn a_bad_product_qty_names_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qty.csv");
    std::fs::write(
        &path,
        "Order ID,Customer ID,Order Date,Order Status,Order Total (inc tax),Product Details\n\
         1,2,17/06/2021,Completed,5.00,\"Product ID: 1, Product Qty: two, Product SKU: , \
         Product Name: A, Product Weight: 1, Product Variation Details: , Product Unit Price: \
         1.00, Product Total Price: 2.00\"\n",
    )
    .unwrap();
    let output = run(&["summary", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(":2: column 6 (Product Details): expected a whole number after \"Product Qty: \" in product 1 (it says \"two\")"),
        "{stderr}"
    );
}
