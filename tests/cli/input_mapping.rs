//! `--map`: any CSV, read by naming its columns.

use crate::util::*;

const MAP: &str = "email=Buyer E-mail,date=Ordered,total=Amount,order=Order No,quantity=Qty";

#[test]
fn a_mapped_file_gives_orders_and_customers() {
    // generic_orders.csv, by hand:
    // A-1 X@gmail.com, two rows of 2 and 3 items (the second without an
    //     amount), 10.00, 2024-01-05
    // A-2 x@gmail.com, 20.00, 1 item; A-3 y@gmail.com, 11/02/2024 → 2024-02-11, 5.50
    // A-4 y, 99.00, State "Cancelled": excluded only when status is mapped.
    let json = summary_json(
        "generic_orders.csv",
        "2024-04-01",
        &["--map", &format!("{MAP},status=State")],
    );
    assert_eq!(json["customers"], 2);
    assert_eq!(json["orders"], 3);
    assert_close(&json["revenue"], 35.50);
    assert_eq!(json["excluded_by_reason"]["cancelled"], 1);
    assert_eq!(json["last_order_date"], "2024-02-11");
    assert_eq!(json["input"]["rows_read"], 5);
    assert_eq!(json["input"]["orders_built"], 4);

    let json = summary_json("generic_orders.csv", "2024-04-01", &["--map", MAP]);
    assert_eq!(json["orders"], 4);
    assert_close(&json["revenue"], 134.50);

    let (_dir, out) = segments("generic_orders.csv", "2024-04-01", &["--map", MAP]);
    let repeat = read_csv(&out.join("repeat.csv"));
    assert_eq!(repeat[0]["email"], "y@gmail.com");
    assert_eq!(repeat[1]["email"], "x@gmail.com");
    assert_eq!(repeat[1]["total_quantity"], "6");
    assert_eq!(repeat[1]["max_order_quantity"], "5");
}

#[test]
fn slash_dates_in_a_mapped_file_follow_date_order() {
    let json = summary_json(
        "generic_orders.csv",
        "2025-01-01",
        &["--map", MAP, "--date-order", "mdy"],
    );
    assert_eq!(json["last_order_date"], "2024-11-02");
}

fn failure(map: &str) -> String {
    let output = goldpan()
        .args(["summary", &fixture("generic_orders.csv"), "--map", map])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn unknown_keys_and_missing_columns_are_clear_errors() {
    let stderr = failure("order=Order No,date=Ordered,total=Amount,mail=Buyer E-mail");
    assert!(
        stderr.starts_with("goldpan: --map: unknown key \"mail\"; the keys are order ("),
        "{stderr}"
    );
    let stderr = failure("order=Order No,date=Ordered,total=Total,email=Mail");
    assert!(
        stderr.contains(
            "generic_orders.csv: --map email=Mail, total=Total: no such column; the file's \
             columns are \"Order No\", \"Ordered\", \"Buyer E-mail\", \"Amount\", \"Qty\", \"State\""
        ),
        "{stderr}"
    );
    let stderr = failure("email=Buyer E-mail");
    assert!(
        stderr.contains("--map: missing order, date, total"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_file_points_to_map() {
    let output = goldpan()
        .args(["summary", &fixture("generic_orders.csv")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not an orders export"), "{stderr}");
    assert!(stderr.contains("--map order="), "{stderr}");
}

/// `zip` and `country` reach the audience files, which match on them.
#[test]
fn mapped_zip_and_country_reach_the_audience_file() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("marketplace.csv");
    std::fs::write(
        &export,
        "Order No,Ordered,Amount,Buyer E-mail,Postcode,Land\n\
         M-1,2024-03-01,12.00,ann@gmail.com,10115,DE\n",
    )
    .unwrap();
    let out = dir.path().join("google.csv");
    goldpan()
        .args(["audience", "--as-of", "2024-04-01", "--segment", "one_time"])
        .args(["--platform", "google", "--map"])
        .arg(
            "order=Order No,date=Ordered,total=Amount,email=Buyer E-mail,zip=Postcode,country=Land",
        )
        .arg("--out")
        .arg(&out)
        .arg(&export)
        .assert()
        .success();
    let rows = read_csv(&out);
    assert_eq!(rows[0]["Email"], "ann@gmail.com");
    assert_eq!(rows[0]["Zip"], "10115");
    assert_eq!(rows[0]["Country"], "de");
}
