//! `goldpan cohorts`: customers by the period of their first order.

use crate::util::*;
use serde_json::Value;

const MAP: &str = "order=Order,date=Date,email=Email,total=Total,status=State";

/// cohorts_orders.csv, by hand: a orders in Jan, Feb and Apr (10 + 5 + 5);
/// b in Jan (20); c in Mar and Apr (3 + 3); d's order is cancelled and
/// order 8 has no customer: neither counts.
fn cohorts(extra: &[&str]) -> String {
    let (stdout, _) = run_ok(
        goldpan()
            .args([
                "cohorts",
                &fixture("cohorts_orders.csv"),
                "--as-of",
                "2024-04-30",
                "--map",
                MAP,
            ])
            .args(extra),
    );
    stdout
}

#[test]
fn monthly_cohorts_as_csv() {
    assert_eq!(
        cohorts(&[]),
        "cohort,customers,period,active_customers,retention,revenue,cumulative_revenue_per_customer\n\
         2024-01,2,0,2,1.0000,30.00,15.00\n\
         2024-01,2,1,1,0.5000,5.00,17.50\n\
         2024-01,2,2,0,0.0000,0.00,17.50\n\
         2024-01,2,3,1,0.5000,5.00,20.00\n\
         2024-03,1,0,1,1.0000,3.00,3.00\n\
         2024-03,1,1,1,1.0000,3.00,6.00\n"
    );
}

#[test]
fn quarterly_cohorts_as_json_with_every_cohort_together() {
    let json: Value = serde_json::from_str(&cohorts(&["--by", "quarter", "--json"])).unwrap();
    assert_eq!(json["by"], "quarter");
    assert_eq!(json["as_of"], "2024-04-30");
    let rows = json["cohorts"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    // Q1: a, b, c; in Q2 a and c ordered again.
    assert_eq!(rows[1]["cohort"], "2024-Q1");
    assert_eq!(rows[1]["customers"], 3);
    assert_eq!(rows[1]["period"], 1);
    assert_eq!(rows[1]["active_customers"], 2);
    assert_close(&rows[1]["revenue"], 8.0);
    assert_close(&rows[1]["cumulative_revenue_per_customer"], 15.33);
    assert_eq!(json["overall"][0]["cohort"], "all");
}

#[test]
fn the_report_shows_the_cohorts_command_numbers() {
    // The BigCommerce sample spans three years: the report groups by quarter.
    let file = "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv";
    let (stdout, _) = run_ok(goldpan().args([
        "cohorts",
        &fixture(file),
        "--as-of",
        "2024-08-31",
        "--by",
        "quarter",
        "--json",
    ]));
    let cohorts: Value = serde_json::from_str(&stdout).unwrap();
    let (stdout, _) =
        run_ok(goldpan().args(["report", &fixture(file), "--as-of", "2024-08-31", "--json"]));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["cohorts"]["period"], "quarter");
    for row in report["cohorts"]["cohorts"].as_array().unwrap() {
        for cell in row["cells"].as_array().unwrap() {
            let twin = cohorts["cohorts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["cohort"] == row["cohort"] && r["period"] == cell["period"])
                .unwrap_or_else(|| {
                    panic!("{} {} not in cohorts --json", row["cohort"], cell["period"])
                });
            assert_eq!(twin["customers"], row["customers"]);
            assert_eq!(twin["active_customers"], cell["active_customers"]);
            assert_eq!(twin["retention"], cell["retention"]);
            assert_close(
                &twin["cumulative_revenue_per_customer"],
                cell["cumulative_revenue_per_customer_cents"]
                    .as_f64()
                    .unwrap()
                    / 100.0,
            );
        }
    }
}
