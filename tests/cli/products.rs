//! `goldpan products`, and the line items every format gives it: one small
//! store written as each export (fixtures/make_product_fixtures.py), whose
//! answers are worked out by hand there.

use crate::util::{fixture, goldpan, run_ok};

const AS_OF: &str = "2025-03-31";

/// The --map of fixtures/products_generic.csv.
pub const GENERIC_MAP: &str = "order=Order,date=Day,email=Buyer,total=Amount,status=State,\
    product=Article,sku=Article No,line_quantity=Units,line_price=Unit Price,currency=Cur";

/// The linen store in every format: (file, extra flags).
pub const EVERY_FORMAT: [(&str, &[&str]); 5] = [
    ("products_shopify.csv", &[]),
    ("products_bigcommerce.csv", &[]),
    ("products_woocommerce_default.csv", &[]),
    ("products_woocommerce_items.csv", &[]),
    ("products_generic.csv", &["--map", GENERIC_MAP]),
];

fn products(file: &str, extra: &[&str]) -> String {
    run_ok(
        goldpan()
            .args(["products", &fixture(file), "--as-of", AS_OF])
            .args(extra),
    )
    .0
}

/// Placemat: ann (first order), bob (second), cat (first): 60.00. Dinner
/// napkin, both colours: ann 2 (18.00 after the line discount), bob, cat,
/// eve and the order without a customer: 58.00; first orders of ann, bob,
/// cat and eve, of whom ann (20 days) and bob (30) came back. Eve's
/// cancelled cocktail napkins count nowhere.
const LINEN: &str = "\
product,sku,customers,orders,units,revenue,revenue_share,first_order_customers,repeat_share,median_days_to_second
Placemat,PM-1,3,3,4,60.00,0.3896,2,0.5000,20.0
Dinner napkin,\"DN-BLU, DN-WHT\",4,5,6,58.00,0.3766,4,0.5000,25.0
Cocktail napkin,CN-1,1,1,4,20.00,0.1299,0,,
Tea towel,,2,2,4,16.00,0.1039,2,0.0000,
";

#[test]
fn every_format_gives_the_hand_counted_products() {
    for (file, extra) in EVERY_FORMAT {
        assert_eq!(products(file, extra), LINEN, "{file}");
    }
}

#[test]
fn by_variant_splits_the_napkins_and_product_key_decides_identity() {
    let by_variant = products("products_shopify.csv", &["--by-variant"]);
    let names: Vec<&str> = by_variant
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Placemat",
            "Dinner napkin - Blue",
            "Cocktail napkin",
            "Dinner napkin - White",
            "Tea towel"
        ]
    );
    assert!(by_variant.contains("Dinner napkin - Blue,DN-BLU,3,3,4,38.00,"));
    // By SKU, each colour's SKU is a product (named after the product).
    let by_sku = products("products_shopify.csv", &["--product-key", "sku"]);
    assert!(
        by_sku.contains("Dinner napkin,DN-BLU,3,3,4,38.00,"),
        "{by_sku}"
    );
    assert!(
        by_sku.contains("Dinner napkin,DN-WHT,1,2,2,20.00,"),
        "{by_sku}"
    );
    let by_name = products("products_shopify.csv", &["--product-key", "name"]);
    assert_eq!(by_name, LINEN);
}

#[test]
fn json_has_the_same_figures() {
    let out = products("products_bigcommerce.csv", &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["as_of"], AS_OF);
    // The revenue column's unit, as summary names it.
    assert_eq!(json["currency"], "EUR");
    let napkin = &json["products"][1];
    assert_eq!(napkin["product"], "Dinner napkin");
    assert_eq!(napkin["revenue"], 58.0);
    assert_eq!(napkin["customers"], 4);
    assert_eq!(napkin["median_days_to_second"], 25.0);
    assert_eq!(json["products"][2]["repeat_share"], serde_json::Value::Null);
}

#[test]
fn exports_without_products_are_an_error_not_an_empty_table() {
    let output = goldpan()
        .args([
            "products",
            &fixture("products_generic.csv"),
            "--as-of",
            AS_OF,
        ])
        .args([
            "--map",
            "order=Order,date=Day,email=Buyer,total=Amount,currency=Cur",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no line items"), "{stderr}");
    assert!(stderr.contains("product=COLUMN"), "{stderr}");
}

#[test]
fn a_bad_line_item_stops_only_the_commands_that_read_line_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let text = std::fs::read_to_string(fixture("products_shopify.csv")).unwrap();
    std::fs::write(&path, text.replacen(",15.00,PM-1,", ",fifteen,PM-1,", 1)).unwrap();
    let output = goldpan()
        .args(["products", path.to_str().unwrap(), "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("orders.csv:3") && stderr.contains("Lineitem price"),
        "{stderr}"
    );
    // summary never reads line items: the file is fine for it.
    run_ok(
        goldpan()
            .args(["summary", path.to_str().unwrap(), "--as-of", AS_OF])
            .arg("--json"),
    );
    // Skipped, a later row of #1001 takes only its own item with it, as it
    // takes its quantity off the order.
    let (out, _) = run_ok(
        goldpan()
            .args(["products", path.to_str().unwrap(), "--as-of", AS_OF])
            .arg("--skip-bad-rows"),
    );
    assert!(out.contains("\nPlacemat,PM-1,2,2,3,45.00,"), "{out}");
    assert!(
        out.contains("\nDinner napkin,\"DN-BLU, DN-WHT\",4,5,6,58.00,"),
        "{out}"
    );
}

/// The real samples' products, checked against the DuckDB reference
/// (benches/products_reference.py), which agreed on every product.
#[test]
fn real_exports_group_variants_under_their_product() {
    // looker101 writes a few sizes into the name ("Versace VE1287 1001 - 59").
    let out = products("shopify_orders_2024_looker101_ANONYMIZED.csv", &[]);
    assert!(out.contains("\nVersace VE1287 1001,"), "{out}");
    assert!(!out.contains(" - 59"), "{out}");
    // BigCommerce boxes: no SKUs, variations in their own field.
    let out = run_ok(goldpan().args([
        "products",
        &fixture("bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv"),
        "--as-of",
        "2024-09-01",
    ]))
    .0;
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .starts_with("Meat Box,,80,173,238,3746.12,"),
        "{out}"
    );
}

#[test]
fn an_order_in_two_exports_counts_its_items_once() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("again.csv");
    std::fs::copy(fixture("products_shopify.csv"), &copy).unwrap();
    let out = run_ok(
        goldpan()
            .args(["products", &fixture("products_shopify.csv")])
            .arg(&copy)
            .args(["--as-of", AS_OF]),
    )
    .0;
    assert_eq!(out, LINEN);
    // Two stores, each with the linen store's orders: twice everything.
    let out = run_ok(
        goldpan()
            .args(["products", &fixture("products_shopify.csv")])
            .arg(&copy)
            .args(["--as-of", AS_OF, "--separate-stores"]),
    )
    .0;
    assert!(
        out.contains("\nDinner napkin,\"DN-BLU, DN-WHT\",8,10,12,116.00,0.3766,8,0.5000,25.0\n"),
        "{out}"
    );
}

/// A product name is store text: piped into a spreadsheet, it must not run.
#[test]
fn product_names_that_look_like_formulas_are_escaped() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("formula.csv");
    let mut file = std::fs::File::create(&export).unwrap();
    write!(
        file,
        "Name,Email,Financial Status,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n\
         #1,a@x.com,paid,10.00,2025-03-01 10:00:00 +0000,1,=1+2 Evil napkin,10.00\n\
         #2,b@x.com,paid,-5.00,2025-03-02 10:00:00 +0000,1,@SUM(A1),-5.00\n"
    )
    .unwrap();
    let csv = run_ok(goldpan().args(["products", "--as-of", AS_OF]).arg(&export)).0;
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[1].starts_with("'=1+2 Evil napkin,"), "{csv}");
    assert!(rows[2].starts_with("'@SUM(A1),"), "{csv}");
    // Numbers stay numbers.
    assert!(rows[2].contains(",-5.00,"), "{csv}");
}

/// On a terminal the title says what the revenue column is counted in.
#[test]
fn the_terminal_title_names_the_currency() {
    let shown = crate::util::on_terminal(&[
        "products",
        &fixture("products_bigcommerce.csv"),
        "--as-of",
        AS_OF,
    ]);
    assert!(
        shown.contains("Products as of 2025-03-31, amounts in EUR"),
        "{shown}"
    );
}

/// `products` lists no customer, so it reads no contact detail: a phone
/// cell that is not text stops `summary` (which keeps phones) but not
/// `products`, which counts the order as if the cell were empty.
#[test]
fn products_never_reads_contact_details() {
    let path = fixture("products_broken_phone.csv");

    let summary = goldpan()
        .args(["summary", &path, "--as-of", AS_OF])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&summary.stderr);
    assert!(!summary.status.success());
    assert!(
        err.contains("products_broken_phone.csv:3: column 10 (Billing Phone)"),
        "{err}"
    );

    let (out, _) = run_ok(goldpan().args(["products", &path, "--as-of", AS_OF]));
    assert_eq!(
        out,
        "product,sku,customers,orders,units,revenue,revenue_share,first_order_customers,\
repeat_share,median_days_to_second\nPlacemat,,2,2,3,30.00,1.0000,2,0.0000,\n"
    );
}
