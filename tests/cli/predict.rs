//! RFM and the purchase models through the commands: `customers`,
//! `summary`'s model block, `segments --rfm` and the lapsed lists' p_alive.
//! The CDNOW sample (fixtures/cdnow_sample.csv) is checked against the
//! published fits and the `lifetimes` package (fixtures/cdnow_reference.py).

use crate::util::*;
use std::collections::HashMap;

const CDNOW: &str = "cdnow_sample.csv";
const CDNOW_MAP: &str =
    "order=order,date=date,customer_id=customer_id,total=total,quantity=quantity";
/// The end of the papers' 39-week calibration period.
const CALIBRATION_END: &str = "1997-09-30";

fn same_to_3_significant_digits(got: f64, published: f64) -> bool {
    let unit = 10f64.powf(published.abs().log10().floor() - 2.0);
    (got / unit).round() == (published / unit).round()
}

/// `goldpan customers FILE --as-of AS_OF --out <temp file> [extra…]`, read.
fn customers_csv(file: &str, as_of: &str, extra: &[&str]) -> Vec<HashMap<String, String>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("customers.csv");
    goldpan()
        .args(["customers", &fixture(file), "--as-of", as_of, "--out"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    read_csv(&out)
}

#[test]
fn summary_reproduces_the_published_cdnow_parameters() {
    let json = summary_json(CDNOW, CALIBRATION_END, &["--map", CDNOW_MAP]);
    let model = &json["model"];
    assert_eq!(model["time_unit"], "days");
    assert_eq!(model["repeat_customers_fitted"], 946);
    let published = [
        (&model["bgnbd"]["r"], 0.2426),
        (&model["bgnbd"]["alpha"], 4.4136 * 7.0),
        (&model["bgnbd"]["a"], 0.7929),
        (&model["bgnbd"]["b"], 2.4259),
        (&model["gamma_gamma"]["p"], 6.2496),
        (&model["gamma_gamma"]["q"], 3.7442),
        (&model["gamma_gamma"]["gamma"], 15.4435),
    ];
    for (got, want) in published {
        let got = got.as_f64().unwrap();
        assert!(same_to_3_significant_digits(got, want), "{got} vs {want}");
    }
    // The sum over customers of lifetimes' expected purchases × expected
    // order value at its own fit: 75873.35.
    let revenue = json["predicted_revenue_365d"].as_f64().unwrap();
    assert!((revenue - 75873.35).abs() < 1.0, "{revenue}");
}

#[test]
fn customers_file_has_every_column_and_the_reference_predictions() {
    let rows = customers_csv(CDNOW, CALIBRATION_END, &["--map", CDNOW_MAP]);
    assert_eq!(rows.len(), 2357);
    let customer = |id: &str| rows.iter().find(|r| r["customer_id"] == id).unwrap();
    // lifetimes 0.11.3 at its fit: (customer, P(alive), expected purchases in 365 days)
    for (id, p_alive, orders) in [
        ("0001", 0.7266202977882545, 1.5621896762588914),
        ("0100", 0.6469924176400724, 0.8031293530399989),
        ("1000", 0.6802677040516631, 2.9654776150677375),
        ("2000", 1.0, 0.316921889761335),
    ] {
        let row = customer(id);
        let got: f64 = row["p_alive"].parse().unwrap();
        assert!((got - p_alive).abs() < 1e-4, "{id}: p_alive {got}");
        let got: f64 = row["expected_orders_365d"].parse().unwrap();
        assert!((got - orders).abs() < 1e-4, "{id}: orders {got}");
    }
    // 0001: 1.56219 orders × 24.6539 expected value.
    assert_eq!(customer("0001")["predicted_revenue_365d"], "38.51");
    // Even odds of a next order within the year for 0001 (P(alive) 0.73):
    // s = (α+T)((1 − ½/P(alive))^(−1/(r+x)) − 1) = 206.35 days (in Python
    // at lifetimes' fit), so the 207th day after the as-of date; none for
    // 0002 (P(alive) 0.21).
    assert_eq!(customer("0001")["expected_next_order"], "1998-04-25");
    assert_eq!(customer("0002")["expected_next_order"], "");
    let first = &rows[0];
    for column in [
        "email",
        "revenue",
        "as_of",
        "reasons",
        "bulk_b2b",
        "lapsed_90",
        "top_20",
        "aov_high",
        "recency_score",
        "rfm_score",
        "rfm_group",
    ] {
        assert!(first.contains_key(column), "no {column}");
    }
}

#[test]
fn customers_rows_are_sorted_like_the_lists_and_flags_match_the_lists() {
    let rows = customers_csv(CDNOW, CALIBRATION_END, &["--map", CDNOW_MAP]);
    let (_dir, lists) = segments(CDNOW, CALIBRATION_END, &["--map", CDNOW_MAP]);
    let ids = |rows: &[HashMap<String, String>]| -> Vec<String> {
        rows.iter().map(|r| r["customer_id"].clone()).collect()
    };
    let top = read_csv(&lists.join("top_20.csv"));
    assert_eq!(ids(&rows)[..top.len()], ids(&top)[..]);
    for segment in [
        "repeat",
        "one_time",
        "lapsed_60",
        "lapsed_90",
        "aov_low",
        "bulk_b2b",
    ] {
        let members: Vec<HashMap<String, String>> = rows
            .iter()
            .filter(|r| r[segment] == "true")
            .cloned()
            .collect();
        let list = read_csv(&lists.join(format!("{segment}.csv")));
        assert_eq!(ids(&members), ids(&list), "{segment}");
        assert!(
            rows.iter()
                .all(|r| r[segment] == "true" || r[segment] == "false")
        );
    }
}

#[test]
fn customers_json_lines_carry_the_same_rows_with_types() {
    let output = goldpan()
        .args(["customers", &fixture(CDNOW), "--as-of", CALIBRATION_END])
        .args(["--map", CDNOW_MAP, "--out", "-", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2357);
    let first = &lines[0];
    assert!(first["revenue"].is_f64(), "{first}");
    assert!(first["repeat"].is_boolean());
    assert!(first["recency_score"].is_u64());
    assert!(first["rfm_score"].is_string());
    let c0001 = lines.iter().find(|l| l["customer_id"] == "0001").unwrap();
    assert_close(&c0001["predicted_revenue_365d"], 38.51);
    // The keys in the CSV's column order.
    assert!(
        text.starts_with("{\"email\":null,\"customer_id\":"),
        "{}",
        &text[..80]
    );
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("\"as_of\":\"1997-09-30\"}")
    );
}

#[test]
fn the_horizon_names_the_columns_and_shortens_the_forecast() {
    let year = customers_csv(CDNOW, CALIBRATION_END, &["--map", CDNOW_MAP]);
    let month = customers_csv(
        CDNOW,
        CALIBRATION_END,
        &["--map", CDNOW_MAP, "--horizon-days", "30"],
    );
    let orders = |rows: &[HashMap<String, String>], column: &str| -> f64 {
        rows.iter().map(|r| r[column].parse::<f64>().unwrap()).sum()
    };
    let in_a_month = orders(&month, "expected_orders_30d");
    assert!(in_a_month > 0.0 && in_a_month < orders(&year, "expected_orders_365d") / 5.0);
    assert!(!month[0].contains_key("expected_orders_365d"));
}

#[test]
fn too_few_repeat_customers_leave_the_predictions_empty_and_say_why() {
    let sample = "shopify_orders_2024_looker101_ANONYMIZED.csv";
    let output = goldpan()
        .args([
            "summary",
            &fixture(sample),
            "--as-of",
            "2024-03-01",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "no predictions (p_alive, expected orders, predicted revenue): 3 repeat \
             customer(s), at least 30 are needed to fit the model"
        ),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json["model"].is_null());
    assert!(json["predicted_revenue_365d"].is_null());
    assert!(json["notes"].to_string().contains("no predictions"));
    let rows = customers_csv(sample, "2024-03-01", &[]);
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row["p_alive"], "");
        assert_eq!(row["predicted_revenue_365d"], "");
        // RFM needs no model.
        assert_eq!(row["rfm_score"].len(), 3);
    }
}

#[test]
fn segments_rfm_writes_one_list_per_group_covering_every_customer() {
    let sample = "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv";
    let (_dir, lists) = segments(sample, "2024-09-01", &["--rfm"]);
    let groups = [
        "champions",
        "loyal",
        "potential_loyalists",
        "new",
        "promising",
        "needs_attention",
        "cant_lose",
        "at_risk",
        "hibernating",
        "lost",
    ];
    let mut in_groups = 0;
    for group in groups {
        let rows = read_csv(&lists.join(format!("rfm_{group}.csv")));
        in_groups += rows.len();
        for row in rows {
            assert_eq!(
                row["rfm_score"],
                format!(
                    "{}{}{}",
                    row["recency_score"], row["frequency_score"], row["monetary_score"]
                )
            );
        }
    }
    let all =
        read_csv(&lists.join("repeat.csv")).len() + read_csv(&lists.join("one_time.csv")).len();
    assert_eq!(in_groups, all);
    // This store's spend model finds no maximum: no predicted revenue, but
    // P(alive) and expected orders.
    let json = summary_json(sample, "2024-09-01", &[]);
    assert!(json["predicted_revenue_365d"].is_null(), "{json}");
    assert!(json["model"]["gamma_gamma"].is_null());
    assert_eq!(json["model"]["repeat_customers_fitted"], 66);
    let lapsed = read_csv(&lists.join("lapsed_90.csv"));
    assert!(lapsed.iter().all(|row| !row["p_alive"].is_empty()));
    // Without --rfm, no RFM lists.
    let (_dir, plain) = segments(sample, "2024-09-01", &[]);
    assert!(!plain.join("rfm_champions.csv").exists());
}

#[test]
fn lapsed_lists_carry_p_alive() {
    let (_dir, lists) = segments(CDNOW, CALIBRATION_END, &["--map", CDNOW_MAP]);
    let lapsed = read_csv(&lists.join("lapsed_90.csv"));
    assert!(!lapsed.is_empty());
    for row in &lapsed {
        let p: f64 = row["p_alive"].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    // Not in the other lists.
    assert!(!read_csv(&lists.join("repeat.csv"))[0].contains_key("p_alive"));
}

#[test]
fn customers_refuses_to_write_over_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("orders.csv");
    std::fs::copy(fixture(CDNOW), &input).unwrap();
    let output = goldpan()
        .args([
            "customers",
            input.to_str().unwrap(),
            "--map",
            CDNOW_MAP,
            "--out",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(fixture(CDNOW)).unwrap(),
        "the input was overwritten"
    );
}
