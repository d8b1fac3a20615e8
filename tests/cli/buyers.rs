//! `goldpan buyers`, and `audience --list` on the lists it writes, on the
//! linen store of fixtures/make_product_fixtures.py in every format.

use crate::products::EVERY_FORMAT;
use crate::util::{fixture, goldpan, read_csv, run_ok};
use std::path::Path;

const AS_OF: &str = "2025-03-31";

fn buyers(file: &str, extra: &[&str]) -> String {
    run_ok(
        goldpan()
            .args(["buyers", &fixture(file), "--as-of", AS_OF, "--out", "-"])
            .args(extra),
    )
    .0
}

/// (email, matched_products, matched_units, last_bought) of a buyers list.
fn matched(csv: &str) -> Vec<(String, String, String, String)> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (e, p, u, l) = (
        at("email"),
        at("matched_products"),
        at("matched_units"),
        at("last_bought"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[e].into(), r[p].into(), r[u].into(), r[l].into())
        })
        .collect()
}

fn row(email: &str, products: &str, units: &str, last: &str) -> (String, String, String, String) {
    (email.into(), products.into(), units.into(), last.into())
}

#[test]
fn dinner_napkins_but_no_cocktail_napkins_in_every_format() {
    // ann bought both; eve's cocktail napkins were cancelled, so she stays;
    // the order without a customer is on no list.
    for (file, extra) in EVERY_FORMAT {
        let args = [
            extra,
            &[
                "--bought",
                "dinner napkin",
                "--not-bought",
                "cocktail napkin",
            ],
        ]
        .concat();
        let out = buyers(file, &args);
        assert!(
            out.starts_with(
                "email,customer_id,name,company,phone,accepts_marketing,orders,revenue,aov,\
                 first_order,last_order,days_since_last_order,total_quantity,\
                 max_order_quantity,matched_products,matched_units,last_bought,as_of\n"
            ),
            "{file}: {out}"
        );
        assert_eq!(
            matched(&out),
            [
                row("bob@linen.test", "Dinner napkin", "1", "2025-02-01"),
                row("cat@linen.test", "Dinner napkin", "1", "2025-02-10"),
                row("eve@linen.test", "Dinner napkin", "1", "2025-03-05"),
            ],
            "{file}"
        );
    }
}

#[test]
fn several_patterns_globs_skus_and_since() {
    let file = "products_shopify.csv";
    // Any of several --bought; a SKU glob; the variant is part of the name.
    let out = buyers(file, &["--bought", "tea towel", "--bought", "CN-*"]);
    assert_eq!(
        matched(&out),
        [
            row("ann@linen.test", "Cocktail napkin", "4", "2025-01-25"),
            row("eve@linen.test", "Tea towel", "1", "2025-03-05"),
            row("dan@linen.test", "Tea towel", "3", "2025-02-15"),
        ]
    );
    let blue = buyers(file, &["--bought", "napkin - blue"]);
    let emails: Vec<String> = matched(&blue).into_iter().map(|r| r.0).collect();
    assert_eq!(
        emails,
        ["ann@linen.test", "cat@linen.test", "eve@linen.test"]
    );
    let since = buyers(file, &["--bought", "placemat", "--since", "2025-02-01"]);
    assert_eq!(
        matched(&since),
        [
            row("bob@linen.test", "Placemat", "2", "2025-03-03"),
            row("cat@linen.test", "Placemat", "1", "2025-02-10"),
        ]
    );
    // Nobody: a header and no rows, not an error.
    let nobody = buyers(file, &["--bought", "tablecloth"]);
    assert_eq!(nobody.lines().count(), 1);
}

#[test]
fn the_list_is_written_safely_and_patterns_must_say_something() {
    let dir = tempfile::tempdir().unwrap();
    let orders = dir.path().join("orders.csv");
    std::fs::copy(fixture("products_shopify.csv"), &orders).unwrap();
    let original = std::fs::read(&orders).unwrap();
    let link = dir.path().join("gone.csv");
    std::os::unix::fs::symlink(dir.path().join("nowhere/x.csv"), &link).unwrap();
    for (out, pattern, expected) in [
        (orders.clone(), "napkin", "is the input export"),
        (link.clone(), "napkin", "is a symbolic link to"),
        (dir.path().join("a.csv"), " ", "would match every product"),
        (dir.path().join("a.csv"), "**", "would match every product"),
    ] {
        let output = goldpan()
            .args(["buyers", orders.to_str().unwrap(), "--as-of", AS_OF])
            .args(["--bought", pattern, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{out:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
    assert_eq!(std::fs::read(&orders).unwrap(), original);
    let out = dir.path().join("new/folder/buyers.csv");
    let (_, stderr) = run_ok(
        goldpan()
            .args(["buyers", orders.to_str().unwrap(), "--as-of", AS_OF])
            .args(["--bought", "placemat", "--out"])
            .arg(&out),
    );
    assert!(
        stderr.contains("goldpan: 3 customers who bought \"placemat\" as of 2025-03-31 written to"),
        "{stderr}"
    );
    assert_eq!(read_csv(&out).len(), 3);
}

#[test]
fn separate_stores_put_the_store_first_and_consent_applies() {
    let out = buyers(
        "products_shopify.csv",
        &["--bought", "placemat", "--separate-stores"],
    );
    assert!(out.starts_with("store,email,"), "{out}");
    assert!(out.contains("\nproducts_shopify,ann@linen.test,"), "{out}");
    // No consent on record in this export: opted-in leaves everyone out, and says so.
    let output = goldpan()
        .args(["buyers", &fixture("products_shopify.csv"), "--as-of", AS_OF])
        .args([
            "--bought",
            "placemat",
            "--consent",
            "opted-in",
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("left out 3 customers with no marketing consent on record"),
        "{stderr}"
    );
}

fn upload(list: &Path, extra: &[&str]) -> (Vec<String>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("upload.csv");
    run_ok(
        goldpan()
            .args([
                "audience",
                &fixture("products_shopify.csv"),
                "--as-of",
                AS_OF,
            ])
            .args(["--platform", "klaviyo", "--list"])
            .arg(list)
            .arg("--out")
            .arg(&out)
            .args(extra),
    );
    let emails = read_csv(&out)
        .into_iter()
        .map(|r| r["Email"].clone())
        .collect();
    let meta = std::fs::read_to_string(dir.path().join("upload.csv.meta.json")).unwrap();
    (emails, serde_json::from_str(&meta).unwrap())
}

#[test]
fn a_buyers_list_becomes_an_audience_upload() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("cocktail.csv");
    run_ok(
        goldpan()
            .args(["buyers", &fixture("products_shopify.csv"), "--as-of", AS_OF])
            .args([
                "--bought",
                "dinner napkin",
                "--not-bought",
                "cocktail napkin",
            ])
            .arg("--out")
            .arg(&list),
    );
    let (emails, meta) = upload(&list, &[]);
    assert_eq!(
        emails,
        ["bob@linen.test", "cat@linen.test", "eve@linen.test"]
    );
    assert_eq!(meta["segment"], list.display().to_string());
    assert_eq!(meta["list_rows_not_customers"], 0);
    // A hand-edited list: a stranger and a row without an e-mail are counted out.
    let edited = dir.path().join("edited.csv");
    std::fs::write(
        &edited,
        "email,name\nCAT@linen.test,Cat\nzed@else.test,Zed\n,Nobody\n",
    )
    .unwrap();
    let (emails, meta) = upload(&edited, &[]);
    assert_eq!(emails, ["cat@linen.test"]);
    assert_eq!(meta["list_rows_not_customers"], 2);
}

#[test]
fn audience_list_mistakes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "who,what\nann,napkins\n").unwrap();
    let base = |cmd: &mut assert_cmd::Command| {
        cmd.args([
            "audience",
            &fixture("products_shopify.csv"),
            "--as-of",
            AS_OF,
        ])
        .args(["--platform", "meta"]);
    };
    let mut cmd = goldpan();
    base(&mut cmd);
    let output = cmd
        .arg("--list")
        .arg(&list)
        .arg("--out")
        .arg(dir.path().join("up.csv"))
        .output()
        .unwrap();
    // A file that is not a list is bad data (exit 1), not a bad command line.
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no email or customer_id column; its columns: who, what)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("give a list from goldpan segments, buyers or customers"),
        "{stderr}"
    );
    // The list itself is no place for the upload.
    std::fs::write(&list, "email\nann@linen.test\n").unwrap();
    let mut cmd = goldpan();
    base(&mut cmd);
    let output = cmd
        .arg("--list")
        .arg(&list)
        .arg("--out")
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is the input"));
    // One of --segment and --list.
    let mut cmd = goldpan();
    base(&mut cmd);
    let output = cmd
        .args(["--segment", "repeat", "--list"])
        .arg(&list)
        .arg("--out")
        .arg(dir.path().join("up.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// On the real BigCommerce sample: who bought a meat box and never fruit.
/// The DuckDB reference (benches/products_reference.py) finds the same 22
/// customers with the same units and dates.
#[test]
fn meat_box_but_no_fruit_on_the_real_bigcommerce_sample() {
    let out = run_ok(goldpan().args([
        "buyers",
        &fixture("bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv"),
        "--as-of",
        "2024-09-01",
        "--bought",
        "meat box",
        "--not-bought",
        "fruit",
        "--out",
        "-",
    ]))
    .0;
    let rows = matched(&out);
    assert_eq!(rows.len(), 22);
    assert!(rows.iter().all(|r| r.1 == "Meat Box"));
    // Customers known by id only: the export has no e-mail column.
    assert_eq!(
        (&*rows[0].0, &*rows[0].2, &*rows[0].3),
        ("", "8", "2021-11-16")
    );
    assert!(
        out.lines().nth(1).unwrap().starts_with(",16,,Anthem,"),
        "{out}"
    );
}

/// A mistyped product gives an empty list (or, after --not-bought, an
/// unfiltered one): stderr says the pattern matched nothing.
#[test]
fn a_pattern_that_matches_no_product_is_named() {
    let (csv, stderr) = run_ok(goldpan().args([
        "buyers",
        &fixture("products_shopify.csv"),
        "--as-of",
        AS_OF,
        "--out",
        "-",
        "--bought",
        "dinner napkn",
        "--bought",
        "placemat",
        "--not-bought",
        "coktail",
    ]));
    assert!(
        stderr.contains("no product matches --bought \"dinner napkn\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("no product matches --not-bought \"coktail\""),
        "{stderr}"
    );
    assert!(!stderr.contains("\"placemat\""), "{stderr}");
    assert_eq!(matched(&csv).len(), 3, "{csv}");
}

/// A buyers list is a mailing list: without a consent rule it keeps
/// everyone, and stderr says how many of them declined marketing.
#[test]
fn the_customers_who_declined_marketing_are_counted_when_kept() {
    let file = fixture("shopify_orders_2024_looker101_ANONYMIZED.csv");
    let args = [
        "buyers",
        &file,
        "--as-of",
        "2026-01-01",
        "--bought",
        "gucci*",
        "--out",
        "-",
    ];
    let (csv, stderr) = run_ok(goldpan().args(args));
    assert!(
        stderr.contains("note: 2 of the 10 customers listed declined marketing"),
        "{stderr}"
    );
    assert_eq!(csv.lines().count(), 11);
    let (csv, stderr) = run_ok(goldpan().args(args).args(["--consent", "not-declined"]));
    assert!(!stderr.contains("customers listed declined"), "{stderr}");
    assert!(
        stderr.contains("left out 2 customers who declined marketing"),
        "{stderr}"
    );
    assert_eq!(csv.lines().count(), 9);
}
