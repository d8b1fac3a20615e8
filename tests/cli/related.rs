//! `goldpan related`: pairs.csv and next_items.csv, on the linen store of
//! fixtures/make_product_fixtures.py (answers worked out there) and on an
//! export of examples/gen_orders.rs, whose carts pair three products with
//! three others.

use crate::products::EVERY_FORMAT;
use crate::util::{fixture, goldpan, read_csv, run_ok};
use std::path::{Path, PathBuf};

const AS_OF: &str = "2025-03-31";

fn related(file: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("related");
    let (_, stderr) = run_ok(
        goldpan()
            .args(["related", &fixture(file), "--as-of", AS_OF, "--out"])
            .arg(&out)
            .args(extra),
    );
    (dir, out, stderr)
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// 5 customers: ann {dinner napkin, placemat, cocktail napkin}, bob and cat
/// {dinner napkin, placemat}, dan {tea towel}, eve {dinner napkin, tea towel}.
/// Dinner napkin and placemat: 3 in common, lift 3·5 / (4·3) = 1.25;
/// placemat and cocktail napkin: 1·5 / (3·1) = 1.6667; tea towel and dinner
/// napkin: 1·5 / (2·4) = 0.625, less than chance.
const PAIRS: &str = "\
product_a,product_b,customers_a,customers_b,customers_both,confidence,lift
Cocktail napkin,Placemat,1,3,1,1.0000,1.6667
Placemat,Cocktail napkin,3,1,1,0.3333,1.6667
Dinner napkin,Placemat,4,3,3,0.7500,1.2500
Placemat,Dinner napkin,3,4,3,1.0000,1.2500
Cocktail napkin,Dinner napkin,1,4,1,1.0000,1.2500
Dinner napkin,Cocktail napkin,4,1,1,0.2500,1.2500
Dinner napkin,Tea towel,4,2,1,0.2500,0.6250
Tea towel,Dinner napkin,2,4,1,0.5000,0.6250
";

/// Each customer's strongest pairs to what they lack; none from a lift
/// below 1 (so nothing for dan, and no tea towel for anyone).
const NEXT_ITEMS: &str = "\
email,customer_id,name,accepts_marketing,rank,product,because_of,confidence,lift,as_of
bob@linen.test,,,,1,Cocktail napkin,Placemat,0.3333,1.6667,2025-03-31
cat@linen.test,,,,1,Cocktail napkin,Placemat,0.3333,1.6667,2025-03-31
eve@linen.test,,,,1,Placemat,Dinner napkin,0.7500,1.2500,2025-03-31
eve@linen.test,,,,2,Cocktail napkin,Dinner napkin,0.2500,1.2500,2025-03-31
";

#[test]
fn every_format_gives_the_hand_counted_pairs_and_next_items() {
    for (file, extra) in EVERY_FORMAT {
        let args = [extra, &["--min-customers", "1"]].concat();
        let (_dir, out, stderr) = related(file, &args);
        assert_eq!(text(&out.join("pairs.csv")), PAIRS, "{file}");
        let next = text(&out.join("next_items.csv"));
        // The BigCommerce and WooCommerce exports have customer ids.
        let next: String = next
            .lines()
            .map(|line| {
                let cells: Vec<&str> = line.split(',').collect();
                let id = if cells[1] == "customer_id" {
                    "customer_id"
                } else {
                    ""
                };
                format!("{},{id},{}\n", cells[0], cells[2..].join(","))
            })
            .collect();
        assert_eq!(next, NEXT_ITEMS, "{file}");
        assert!(
            stderr.contains(
                "4 product pairs with at least 1 customer(s) in common, of 5 customers; 4 \
                 related items for 3 customers in next_items.csv"
            ),
            "{stderr}"
        );
    }
}

/// 25 customers all bought an apron, 7 of them a bowl: P(bowl | apron) =
/// 7/25 = P(bowl), a lift of exactly 1 both ways, so nobody is offered a
/// bowl (a lift computed in two roundings was 1.0000000000000002, and 18
/// customers were).
#[test]
fn a_lift_of_exactly_one_is_listed_but_suggests_nothing() {
    let (_dir, out, stderr) = related("related_lift_one.csv", &["--min-customers", "1"]);
    assert_eq!(
        text(&out.join("pairs.csv")),
        "product_a,product_b,customers_a,customers_b,customers_both,confidence,lift\n\
         Apron,Bowl,25,7,7,0.2800,1.0000\n\
         Bowl,Apron,7,25,7,1.0000,1.0000\n"
    );
    assert_eq!(text(&out.join("next_items.csv")).lines().count(), 1);
    assert!(
        stderr.contains("0 related items for 0 customers"),
        "{stderr}"
    );
}

#[test]
fn min_customers_drops_the_rare_pairs_and_per_customer_caps_the_list() {
    let (_dir, out, _) = related("products_shopify.csv", &[]);
    assert_eq!(
        text(&out.join("pairs.csv")).lines().count(),
        1,
        "default 5: none"
    );
    let output = goldpan()
        .args([
            "related",
            &fixture("products_shopify.csv"),
            "--as-of",
            AS_OF,
        ])
        .args(["--min-customers", "0", "--out", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("expected at least 1 customer"));
    let (_dir, out, _) = related("products_shopify.csv", &["--min-customers", "2"]);
    assert_eq!(
        text(&out.join("pairs.csv")),
        "product_a,product_b,customers_a,customers_b,customers_both,confidence,lift\n\
         Dinner napkin,Placemat,4,3,3,0.7500,1.2500\n\
         Placemat,Dinner napkin,3,4,3,1.0000,1.2500\n"
    );
    let next = read_csv(&out.join("next_items.csv"));
    assert_eq!(next.len(), 1);
    assert_eq!(
        (
            &*next[0]["email"],
            &*next[0]["product"],
            &*next[0]["because_of"]
        ),
        ("eve@linen.test", "Placemat", "Dinner napkin")
    );
    let (_dir, out, _) = related(
        "products_shopify.csv",
        &["--min-customers", "1", "--per-customer", "1"],
    );
    let ranks: Vec<String> = read_csv(&out.join("next_items.csv"))
        .into_iter()
        .map(|r| format!("{} {}", r["email"], r["product"]))
        .collect();
    assert_eq!(
        ranks,
        [
            "bob@linen.test Cocktail napkin",
            "cat@linen.test Cocktail napkin",
            "eve@linen.test Placemat"
        ]
    );
}

#[test]
fn the_generated_store_pairs_are_found() {
    // examples/gen_orders.rs --orders 3000 --seed 42 --end-date 2026-11-01:
    // 60% of carts with a snuffer bottle, a 14" pan or a sluice box add
    // vials, a sieve or crevice tools. Those are the six strongest pairs.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("related");
    run_ok(
        goldpan()
            .args(["related", &fixture("gen_orders_3000_seed42.csv.gz")])
            .args(["--as-of", "2026-11-01", "--out"])
            .arg(&out),
    );
    let pairs = read_csv(&out.join("pairs.csv"));
    let mut top: Vec<String> = pairs[..6]
        .iter()
        .map(|p| {
            let mut two = [p["product_a"].clone(), p["product_b"].clone()];
            two.sort();
            two.join(" + ")
        })
        .collect();
    top.sort();
    top.dedup();
    assert_eq!(
        top,
        [
            "Classic Gold Pan 14\" + Classifier Sieve 1/4\"",
            "Crevice Tool Kit + Sluice Box: Trailblazer 36\"",
            "Glass Vials, 6 pack + Snuffer Bottle",
        ]
    );
    for pair in &pairs[..6] {
        assert!(pair["lift"].parse::<f64>().unwrap() > 2.5, "{pair:?}");
    }
    // Who bought only a snuffer bottle is offered the vials first.
    let next = read_csv(&out.join("next_items.csv"));
    let first = next
        .iter()
        .find(|r| r["email"] == "lukasz.lopez99@gmail.com" && r["rank"] == "1")
        .unwrap();
    assert_eq!(
        (&*first["product"], &*first["because_of"]),
        ("Glass Vials, 6 pack", "Snuffer Bottle")
    );
}

#[test]
fn a_customer_with_hundreds_of_products_is_left_out_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let mut csv = String::from("Order,Day,Buyer,Amount,Article\n");
    // A reseller with 250 different products, and two customers who share two.
    for i in 0..250 {
        csv.push_str(&format!(
            "R1,2025-01-02,shop@resell.test,1000.00,Item {i:03}\n"
        ));
    }
    for (order, buyer) in [("A1", "a@x.test"), ("B1", "b@x.test")] {
        for item in ["Item 000", "Item 001"] {
            csv.push_str(&format!("{order},2025-01-03,{buyer},20.00,{item}\n"));
        }
    }
    std::fs::write(&path, csv).unwrap();
    let out = dir.path().join("related");
    let (stdout, stderr) = run_ok(
        goldpan()
            .args(["related", path.to_str().unwrap(), "--as-of", AS_OF])
            .args([
                "--map",
                "order=Order,date=Day,email=Buyer,total=Amount,product=Article",
            ])
            .args(["--min-customers", "1", "--json", "--out"])
            .arg(&out),
    );
    assert!(
        stderr.contains(
            "1 customer(s) with more than 200 different products left out of the pairs and next \
             items"
        ),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["customers"], 2);
    assert_eq!(report["customers_over_the_bound"], 1);
    assert_eq!(report["max_products_per_customer"], 200);
    assert_eq!(
        text(&out.join("pairs.csv")),
        "product_a,product_b,customers_a,customers_b,customers_both,confidence,lift\n\
         Item 000,Item 001,2,2,2,1.0000,1.0000\n\
         Item 001,Item 000,2,2,2,1.0000,1.0000\n"
    );
}

#[test]
fn the_folder_is_written_safely_with_the_store_first() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("pairs.csv");
    std::fs::copy(fixture("products_shopify.csv"), &orders).unwrap();
    let output = goldpan()
        .args([
            "related",
            orders.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is the input export"));
    let output = goldpan()
        .args([
            "related",
            orders.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let link = dir.path().join("gone");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
    let output = goldpan()
        .args([
            "related",
            orders.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--out",
        ])
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let (_dir, out, _) = related(
        "products_shopify.csv",
        &["--min-customers", "2", "--separate-stores"],
    );
    assert!(
        text(&out.join("next_items.csv"))
            .starts_with("store,email,customer_id,name,accepts_marketing,rank,product,"),
    );
}

#[test]
fn consent_leaves_customers_out_of_next_items_not_out_of_the_pairs() {
    let (_dir, out, stderr) = related(
        "products_shopify.csv",
        &["--min-customers", "1", "--consent", "opted-in"],
    );
    assert_eq!(text(&out.join("pairs.csv")), PAIRS);
    assert_eq!(read_csv(&out.join("next_items.csv")).len(), 0);
    assert!(
        stderr.contains("next_items.csv: left out 5 customers with no marketing consent on record"),
        "{stderr}"
    );
}
