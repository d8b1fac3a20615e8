//! What the orders table means whatever the input: dates before 1970, the
//! latest contact details, duplicates across files, amounts out of range,
//! orders after the as-of date.

use crate::util::goldpan;
use std::path::{Path, PathBuf};

/// Writes `text` as `name` in `dir` and returns its path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `goldpan summary FILES --as-of 2025-06-30 [extra…]`: exit code and stderr.
fn summary_of(files: &[&Path], extra: &[&str]) -> (i32, String, String) {
    let output = goldpan()
        .arg("summary")
        .args(files)
        .args(["--as-of", "2025-06-30"])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_date_before_1970_is_a_row_error_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "shopify.csv",
            "Name,Email,Created at,Total,Lineitem quantity,Financial Status\n\
             #1,a@x.com,2025-01-02 10:00:00 +0000,10.00,1,paid\n\
             #2,b@x.com,1969-12-31 23:59:59 +0000,10.00,1,paid\n",
            &[][..],
            ":3: column 3 (Created at): expected a date from 1970 on",
        ),
        (
            "bigcommerce.csv",
            "Order ID,Order Date,Order Status,Order Total (inc tax),Total Quantity,Customer Email\n\
             1,02/01/2025,Completed,10.00,1,a@x.com\n\
             2,01/01/1900,Completed,10.00,1,b@x.com\n",
            &[][..],
            ":3: column 2 (Order Date): expected a day/month/year date from 1970 on",
        ),
        (
            "woocommerce.csv",
            "order_id,date,status,order_total,item_quantity,billing_email\n\
             1,2025-01-02 10:00:00,completed,10.00,1,a@x.com\n\
             2,1969-12-31 10:00:00,completed,10.00,1,b@x.com\n",
            &[][..],
            ":3: column 2 (date): expected a date from 1970 on",
        ),
        (
            "mapped.csv",
            "No,When,Amount,Mail\n1,2025-01-02,10.00,a@x.com\n2,1969-12-31,10.00,b@x.com\n",
            &["--map", "order=No,date=When,total=Amount,email=Mail"][..],
            ":3: column 2 (When): expected a day/month/year date from 1970 on",
        ),
    ];
    for (name, text, extra, expected) in cases {
        let path = write(dir.path(), name, text);
        let (code, _, stderr) = summary_of(&[&path], extra);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{name}{expected}")),
            "{name}: {stderr}"
        );
        // With --skip-bad-rows the row is set aside and the rest is counted.
        let (code, stdout, stderr) =
            summary_of(&[&path], &[extra, &["--skip-bad-rows", "--json"]].concat());
        assert_eq!(code, 0, "{name}: {stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["orders"], 1, "{name}: {stdout}");
    }
}

/// Every list of `goldpan segments FILES --as-of AS_OF`, by file name, as bytes.
fn lists_of(files: &[&Path], as_of: &str, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    let output = goldpan()
        .arg("segments")
        .args(files)
        .args(["--as-of", as_of, "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lists: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "csv"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    lists.sort();
    lists
}

/// The export's orders (all rows of an order, in their order) in another
/// order, chosen by a small seeded generator.
fn shuffle_orders(path: &Path, order_column: &str, seed: u64) -> String {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    let id_column = header.iter().position(|name| name == order_column).unwrap();
    let mut orders: Vec<(String, Vec<csv::StringRecord>)> = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let id = record[id_column].to_string();
        match orders.iter_mut().find(|(seen, _)| *seen == id) {
            Some((_, rows)) => rows.push(record),
            None => orders.push((id, vec![record])),
        }
    }
    let mut state = seed;
    for i in (1..orders.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        orders.swap(i, (state >> 33) as usize % (i + 1));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for (_, rows) in &orders {
        for row in rows {
            writer.write_record(row).unwrap();
        }
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

#[test]
fn shuffling_an_exports_orders_changes_no_list() {
    let dir = tempfile::tempdir().unwrap();
    let exports = [
        (
            "shopify_orders_2024_looker101_ANONYMIZED.csv",
            "Name",
            "2024-12-31",
        ),
        (
            "shopify_orders_2025_devstore_forezia.csv",
            "Name",
            "2025-12-31",
        ),
        (
            "shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv",
            "Name",
            "2025-12-31",
        ),
        (
            "bigcommerce_orders_2021-2024_urbanseeds_EXCERPT.csv",
            "Order ID",
            "2024-12-31",
        ),
    ];
    let hand_made = tempfile::tempdir().unwrap();
    let same_day = write(
        hand_made.path(),
        "same_day.csv",
        &format!("{SAME_DAY_HEADER}{}", SAME_DAY_ROWS.concat()),
    );
    let same_day = same_day.to_string_lossy().into_owned();
    for (name, order_column, as_of) in
        exports
            .into_iter()
            .chain([(same_day.as_str(), "Name", "2025-06-30")])
    {
        let original = PathBuf::from(crate::util::fixture(name));
        let name = original.file_name().unwrap().to_string_lossy().into_owned();
        let name = name.as_str();
        let expected = lists_of(&[&original], as_of, &[]);
        for seed in [1, 2, 3] {
            let shuffled = write(
                dir.path(),
                name,
                &shuffle_orders(&original, order_column, seed),
            );
            assert_eq!(
                lists_of(&[&shuffled], as_of, &[]),
                expected,
                "{name}, shuffled with seed {seed}: a list changed"
            );
        }
    }
}

/// The rows of `aov_low`, `aov_mid` and `aov_high` (every customer once) of
/// a run, as maps, by e-mail.
fn everyone(files: &[&Path]) -> std::collections::BTreeMap<String, Vec<(String, String)>> {
    let lists = lists_of(files, "2025-06-30", &[]);
    let mut people = std::collections::BTreeMap::new();
    for (name, bytes) in lists {
        if !name.starts_with("aov_") {
            continue;
        }
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header = reader.headers().unwrap().clone();
        for record in reader.records() {
            let record = record.unwrap();
            let row: Vec<(String, String)> = header
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            people.insert(record[0].to_string(), row);
        }
    }
    people
}

fn cell<'a>(row: &'a [(String, String)], name: &str) -> &'a str {
    &row.iter().find(|(h, _)| h == name).unwrap().1
}

/// Shopify lists the newest order first. Ann's two orders are on the same
/// day; Bob's two have the same timestamp, so the order number decides.
const SAME_DAY_HEADER: &str = "Name,Email,Created at,Total,Lineitem quantity,Financial Status,\
                               Billing Name,Billing Phone,Accepts Marketing\n";
const SAME_DAY_ROWS: [&str; 4] = [
    "#1002,ann@x.com,2025-03-01 18:00:00 -0400,20.00,1,paid,Ann New,555-2,no\n",
    "#1001,ann@x.com,2025-03-01 09:00:00 -0400,10.00,1,paid,Ann Old,555-1,yes\n",
    "#1000,bob@x.com,2025-02-01 10:00:00 -0400,10.00,1,paid,Bob New,,yes\n",
    "#999,bob@x.com,2025-02-01 10:00:00 -0400,10.00,1,paid,Bob Old,,no\n",
];

#[test]
fn the_latest_details_are_those_of_the_latest_order_of_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let rows = SAME_DAY_ROWS;
    let header = SAME_DAY_HEADER;
    let newest_first = write(
        dir.path(),
        "newest_first.csv",
        &format!("{header}{}", rows.concat()),
    );
    let reversed: Vec<&str> = rows.iter().rev().copied().collect();
    let oldest_first = write(
        dir.path(),
        "oldest_first.csv",
        &format!("{header}{}", reversed.concat()),
    );
    for file in [&newest_first, &oldest_first] {
        let people = everyone(&[file]);
        let ann = &people["ann@x.com"];
        assert_eq!(
            (
                cell(ann, "name"),
                cell(ann, "phone"),
                cell(ann, "accepts_marketing")
            ),
            ("Ann New", "555-2", "no"),
            "{}",
            file.display()
        );
        let bob = &people["bob@x.com"];
        assert_eq!(
            (cell(bob, "name"), cell(bob, "accepts_marketing")),
            ("Bob New", "yes"),
            "{}",
            file.display()
        );
    }
}

#[test]
fn orders_after_the_as_of_date_are_left_out_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    // Ann ordered in May and in July; Bob only in July.
    let export = write(
        dir.path(),
        "export.csv",
        "Name,Email,Created at,Total,Lineitem quantity,Financial Status\n\
         #3,bob@x.com,2025-07-02 10:00:00 +0000,50.00,1,paid\n\
         #2,ann@x.com,2025-07-01 00:00:01 +0000,30.00,1,paid\n\
         #1,ann@x.com,2025-05-31 23:59:59 +0000,10.00,1,paid\n",
    );
    let output = goldpan()
        .args(["summary", "--as-of", "2025-06-30", "--json"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["orders"], 1);
    assert_eq!(json["customers"], 1);
    assert_eq!(json["revenue"], 10.0);
    assert_eq!(json["input"]["after_as_of"], 2);
    assert_eq!(json["input"]["orders_built"], 3);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("; 2 after the as-of date left out;"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "goldpan: note: 2 order(s) dated after the as-of date 2025-06-30 are left out"
        ),
        "{stderr}"
    );
    // The lists are those of 30 June: Ann, 30 days after her only order.
    let people = everyone(&[&export]);
    assert_eq!(people.keys().collect::<Vec<_>>(), ["ann@x.com"]);
    assert_eq!(cell(&people["ann@x.com"], "days_since_last_order"), "30");
    assert_eq!(cell(&people["ann@x.com"], "orders"), "1");
}

/// An as-of date before every order (a typo, a wrong year) would rebuild
/// every list empty and make next week's diff say everyone left: it is an
/// error, and last week's lists stay as they were.
#[test]
fn an_as_of_date_before_every_order_is_an_error_that_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let export = write(
        dir.path(),
        "export.csv",
        "Name,Email,Created at,Total,Lineitem quantity,Financial Status\n\
         #2,ann@x.com,2025-07-01 00:00:01 +0000,30.00,1,paid\n\
         #1,ann@x.com,2025-05-31 23:59:59 +0000,10.00,1,paid\n",
    );
    let lists = dir.path().join("lists");
    goldpan()
        .args(["segments", "--as-of", "2025-06-30", "--out"])
        .arg(&lists)
        .arg(&export)
        .assert()
        .success();
    let before = std::fs::read(lists.join("one_time.csv")).unwrap();
    for command in ["summary", "segments", "customers"] {
        let mut run = goldpan();
        run.args([command, "--as-of", "2024-06-30"]);
        if command != "summary" {
            let out = if command == "segments" {
                lists.clone()
            } else {
                dir.path().join("c.csv")
            };
            run.arg("--out").arg(out);
        }
        let output = run.arg(&export).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains(
                "all 2 order(s) are dated after the as-of date 2024-06-30: nothing to compute"
            ),
            "{command}: {stderr}"
        );
    }
    assert_eq!(std::fs::read(lists.join("one_time.csv")).unwrap(), before);
    assert!(!dir.path().join("c.csv").exists());
}

const SHOPIFY_HEADER: &str =
    "Name,Email,Created at,Total,Lineitem quantity,Financial Status,Refunded Amount\n";

#[test]
fn the_copy_from_the_most_recent_export_wins() {
    let dir = tempfile::tempdir().unwrap();
    // Order #5 (170.00) is in both exports; only the later one has its refund
    // of 100.00. The exports are named so that their names sort the other way.
    let later = write(
        dir.path(),
        "a_later.csv",
        &format!(
            "{SHOPIFY_HEADER}\
             #6,bob@x.com,2025-03-02 10:00:00 +0000,30.00,1,paid,\n\
             #5,ann@x.com,2025-02-20 10:00:00 +0000,170.00,2,partially_refunded,100.00\n"
        ),
    );
    let earlier = write(
        dir.path(),
        "b_earlier.csv",
        &format!(
            "{SHOPIFY_HEADER}\
             #5,ann@x.com,2025-02-20 10:00:00 +0000,170.00,2,paid,\n\
             #4,ann@x.com,2025-01-05 10:00:00 +0000,20.00,1,paid,\n"
        ),
    );
    for files in [[&earlier, &later], [&later, &earlier]] {
        let (code, stdout, stderr) = summary_of(&[files[0], files[1]], &["--json"]);
        assert_eq!(code, 0, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        // 70.00 + 30.00 + 20.00, not 170.00 + 30.00 + 20.00.
        assert_eq!(json["revenue"], 120.0, "{files:?}");
        assert_eq!(json["input"]["duplicate_orders"], 1);
        assert_eq!(json["input"]["differing_duplicates"], 1);
        assert!(
            stderr.contains("1 order(s) found in several files differ between the files"),
            "{stderr}"
        );
    }
}

#[test]
fn two_stores_are_never_merged() {
    // Two real Shopify dev stores that both number their orders from #1001.
    let forezia = PathBuf::from(crate::util::fixture(
        "shopify_orders_2025_devstore_forezia.csv",
    ));
    let ramkumar = PathBuf::from(crate::util::fixture(
        "shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv",
    ));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    let output = goldpan()
        .arg("segments")
        .args([&forezia, &ramkumar])
        .args(["--as-of", "2025-12-31", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "shopify_orders_2025_devstore_ramkumar_ANONYMIZED.csv share 19 order numbers but \
             19 differ in date or customer: these look like two stores (e.g. #1019 of 2025-05-17 and \
             of 2025-12-06"
        ),
        "{stderr}"
    );
    assert!(
        stderr.starts_with("goldpan: ")
            && stderr.contains("shopify_orders_2025_devstore_forezia.csv and "),
        "{stderr}"
    );
    let written: Vec<_> = std::fs::read_dir(&out)
        .map(|entries| {
            entries
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".csv") || name.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    assert!(written.is_empty(), "no list is written: {written:?}");
    // Overlapping exports of one store still count an order once.
    let (code, stdout, stderr) = summary_of(&[&forezia, &forezia], &["--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["input"]["duplicate_orders"], 19);
    assert_eq!(json["input"]["differing_duplicates"], 0);
}

/// A Shopify export of `orders` orders of one customer each, all with this
/// total and this quantity.
fn many_orders(orders: usize, total: &str, quantity: &str) -> String {
    let mut text = String::from(SHOPIFY_HEADER);
    for i in 0..orders {
        text.push_str(&format!(
            "#{i},c{i}@x.com,2025-01-02 10:00:00 +0000,{total},{quantity},paid,\n"
        ));
    }
    text
}

#[test]
fn amounts_and_quantities_out_of_range_are_row_errors() {
    let dir = tempfile::tempdir().unwrap();
    let huge_amount = write(
        dir.path(),
        "huge_amount.csv",
        &many_orders(100, "999999999999999.99", "1"),
    );
    let (code, _, stderr) = summary_of(&[&huge_amount], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("huge_amount.csv:2: column 4 (Total): expected an amount such as 1659.95, found \"999999999999999.99\""),
        "{stderr}"
    );
    let huge_quantity = write(
        dir.path(),
        "huge_quantity.csv",
        &many_orders(2, "1.00", "9223372036854775807"),
    );
    let (code, _, stderr) = summary_of(&[&huge_quantity], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "huge_quantity.csv:2: column 5 (Lineitem quantity): expected a whole number of items"
        ),
        "{stderr}"
    );
    // The largest amounts allowed add up exactly: no wrap to a negative
    // revenue, and with every order equal nobody is both low and high.
    let largest = write(
        dir.path(),
        "largest.csv",
        &many_orders(100, "999999999999.99", "999999999"),
    );
    let (code, stdout, stderr) = summary_of(&[&largest], &["--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["revenue"], 99_999_999_999_999.0);
    assert_eq!(json["aov_mid_customers"], 100);
    assert_eq!(json["aov_low_customers"], 0);
    assert_eq!(json["aov_high_customers"], 0);
}

#[test]
fn a_huge_lifespan_is_a_usage_error_not_a_garbage_clv() {
    let export = PathBuf::from(crate::util::fixture(
        "shopify_orders_2024_looker101_ANONYMIZED.csv",
    ));
    for years in ["1e300", "101", "inf"] {
        let (code, stdout, stderr) = summary_of(&[&export], &["--lifespan-years", years]);
        assert_eq!(code, 2, "{years}: {stdout}{stderr}");
        assert!(stderr.contains("at most 100"), "{stderr}");
    }
    let (code, stdout, _) = summary_of(&[&export], &["--lifespan-years", "100", "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        json["clv"]
            .as_f64()
            .is_some_and(|clv| clv > 0.0 && clv < 1e9),
        "{json}"
    );
}

/// An order's line items need not be on rows next to each other: goldpan
/// looks the previous row's order up first, and must not take a row of
/// another order for one of it.
#[test]
fn line_items_apart_from_their_order_join_it() {
    let dir = tempfile::tempdir().unwrap();
    let header = "Name,Email,Created at,Total,Lineitem quantity,Financial Status\n";
    let first = [
        "#1,ann@x.com,2025-01-02 10:00:00 +0000,10.00,1,paid\n",
        "#2,bob@x.com,2025-01-03 10:00:00 +0000,20.00,2,paid\n",
    ];
    let later = [
        "#1,ann@x.com,2025-01-02 10:00:00 +0000,,3,\n",
        "#2,bob@x.com,2025-01-03 10:00:00 +0000,,4,\n",
        "#1,ann@x.com,2025-01-02 10:00:00 +0000,,5,\n",
    ];
    let apart = [first[0], first[1], later[0], later[1], later[2]].concat();
    let together = [first[0], later[0], later[2], first[1], later[1]].concat();
    let apart = write(dir.path(), "apart.csv", &(header.to_string() + &apart));
    let together = write(
        dir.path(),
        "together.csv",
        &(header.to_string() + &together),
    );
    for export in [&apart, &together] {
        let people = everyone(&[export]);
        assert_eq!(cell(&people["ann@x.com"], "total_quantity"), "9");
        assert_eq!(cell(&people["bob@x.com"], "total_quantity"), "6");
        assert_eq!(cell(&people["ann@x.com"], "orders"), "1");
    }
}
