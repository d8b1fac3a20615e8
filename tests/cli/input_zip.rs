//! Zipped exports: every CSV inside a zip is read as a file of its own, and a
//! zip that is not a zip of exports (no CSV, a password, a forged size, a
//! workbook) is refused with a sentence.

use crate::util::*;
use std::io::Write;
use std::path::PathBuf;

/// A zip archive of these entries, deflated, in this order.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Writes `bytes` as `name` in a temp dir.
fn write(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn summary_json_of(path: &str) -> serde_json::Value {
    let (stdout, _) = run_ok(goldpan().args(["summary", path, "--as-of", "2026-01-01", "--json"]));
    serde_json::from_str(&stdout).unwrap()
}

/// goldpan's one-line error on these arguments, which must exit 1.
fn failure(args: &[&str]) -> String {
    let output = goldpan().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    stderr
}

#[test]
fn a_shopify_zip_reads_like_the_csv_inside() {
    // The zip Shopify e-mails: orders_export_1.csv, here the looker101 sample.
    let zipped = summary_json_of(&fixture("shopify_orders_export.zip"));
    let plain = summary_json_of(&fixture("shopify_orders_2024_looker101_ANONYMIZED.csv"));
    assert_eq!(zipped["input"]["files"], 1);
    assert_eq!(zipped["input"]["rows_read"], 68);
    for key in ["customers", "orders", "revenue", "excluded_orders", "clv"] {
        assert_eq!(zipped[key], plain[key], "{key}");
    }
}

#[test]
fn every_csv_in_a_zip_is_read_as_a_file_of_its_own() {
    // jan: #1 a 10.00; #2 b 20.00. feb: #2 again, #3 a 5.00 (as in
    // input_files). The customers export is recognized as one, beside them;
    // a Mac's __MACOSX copy and a text file are not exports.
    let zip = zip_of(&[
        ("notes.txt", b"exported by the shop"),
        (
            "__MACOSX/2024/._shopify_feb.csv",
            b"\0\x05\x16\x07 not a csv",
        ),
        ("2024/shopify_feb.csv", &fixture_bytes("shopify_feb.csv")),
        ("shopify_jan.csv", &fixture_bytes("shopify_jan.csv")),
        (
            "customers_export.csv",
            &fixture_bytes("b2b_signals_customers.csv"),
        ),
    ]);
    let (_dir, path) = write("exports.zip", &zip);
    let json = summary_json_of(&path.to_string_lossy());
    let input = &json["input"];
    assert_eq!(input["files"], 3);
    assert_eq!(input["rows_read"], 6);
    assert_eq!(input["orders_read"], 4);
    assert_eq!(input["duplicate_orders"], 1);
    assert_eq!(input["orders_built"], 3);
    assert!(input["customers_export_rows"].as_u64().unwrap() > 0);
    assert_eq!(json["customers"], 2);
    assert_close(&json["revenue"], 35.00);
}

#[test]
fn a_bad_row_in_a_zip_names_the_archive_the_csv_and_the_line() {
    let bad_date = fixture_bytes("bad_date.csv");
    let (dir, path) = write("orders.zip", &zip_of(&[("orders_export_1.csv", &bad_date)]));
    let path = path.to_string_lossy();
    let stderr = failure(&["summary", &path]);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "goldpan: {path}:orders_export_1.csv:3: column 12 (Created at): expected a date \
             from 1970 on, such as 2025-05-11 09:55:16 -0400, found \"2025-02-30 12:00:00 \
             -0400\" (to skip such rows, count them and go on, use --skip-bad-rows)"
        )
    );
    // Skipped, the row names the same place in the rejects file.
    let rejects = dir.path().join("rejects.csv");
    run_ok(
        goldpan()
            .args(["summary", &path, "--as-of", "2026-01-01", "--skip-bad-rows"])
            .arg("--rejects")
            .arg(&rejects),
    );
    let rows = read_csv(&rejects);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["file"], format!("{path}:orders_export_1.csv"));
    assert_eq!(rows[0]["line"], "3");
}

#[test]
fn the_csvs_of_a_zip_are_read_in_name_order() {
    // b.csv comes first in the archive, a.csv first by name: a.csv's bad
    // amount is the error, not b.csv's bad date.
    let (_dir, path) = write(
        "orders.zip",
        &zip_of(&[
            ("b.csv", &fixture_bytes("bad_date.csv")),
            ("a.csv", &fixture_bytes("bad_amount.csv")),
        ]),
    );
    let path = path.to_string_lossy();
    let stderr = failure(&["summary", &path]);
    assert!(
        stderr.starts_with(&format!("goldpan: {path}:a.csv:")),
        "{stderr}"
    );
}

#[test]
fn a_zip_without_a_csv_is_an_error_naming_what_it_holds() {
    let (_dir, path) = write(
        "orders.zip",
        &zip_of(&[
            ("orders_export_1.pdf", b"%PDF-1.7"),
            ("__MACOSX/._orders.csv", b"\0\x05\x16\x07"),
        ]),
    );
    let path = path.to_string_lossy();
    assert_eq!(
        failure(&["summary", &path]).trim_end(),
        format!(
            "goldpan: {path}: the zip holds no .csv file (it holds \"orders_export_1.pdf\", \
             \"__MACOSX/._orders.csv\"): goldpan reads the CSV exports inside a zip; export the \
             orders as CSV"
        )
    );
    let (_dir, empty) = write("empty.zip", &zip_of(&[]));
    let empty = empty.to_string_lossy();
    assert_eq!(
        failure(&["summary", &empty]).trim_end(),
        format!("goldpan: {empty}: the zip is empty; expected a zip of CSV exports")
    );
}

#[test]
fn an_encrypted_zip_is_an_error_before_anything_is_read() {
    // Made with `zip -P secret`: shopify_jan.csv as orders_export_1.csv.
    let path = fixture("encrypted_orders.zip");
    assert_eq!(
        failure(&["summary", &path, &fixture("shopify_feb.csv")]).trim_end(),
        format!(
            "goldpan: {path}:orders_export_1.csv: this file is encrypted (the zip has a \
             password): unzip it with its password and give goldpan the CSV inside"
        )
    );
}

/// Rewrites the unzipped size that the archive declares for its one entry,
/// in its local header and in the central directory.
fn forge_declared_size(zip: &mut [u8], size: u32) {
    let size = size.to_le_bytes();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    zip[22..26].copy_from_slice(&size);
    let end = zip.len() - 22;
    assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
    let central = u32::from_le_bytes(zip[end + 16..end + 20].try_into().unwrap()) as usize;
    assert_eq!(&zip[central..central + 4], b"PK\x01\x02");
    zip[central + 24..central + 28].copy_from_slice(&size);
}

/// A header, an order, then 32 MiB of zeros: 32 KB zipped.
fn zeros_after_an_order() -> Vec<u8> {
    let mut csv = fixture_bytes("shopify_jan.csv");
    csv.truncate(csv.iter().position(|&b| b == b'\n').unwrap() + 1);
    csv.extend_from_slice(b"#1,a@gmail.com,paid,2024-01-02 10:00:00 +0000,1,10.00,EUR,\n");
    csv.resize(csv.len() + (32 << 20), 0);
    csv
}

#[test]
fn a_zip_that_unzips_past_its_declared_size_stops_there() {
    let mut zip = zip_of(&[("orders_export_1.csv", &zeros_after_an_order())]);
    forge_declared_size(&mut zip, 1000);
    let (_dir, path) = write("bomb.zip", &zip);
    let path = path.to_string_lossy();
    let output = bounded_summary(&path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "goldpan: {path}:orders_export_1.csv: cannot read the header: the file unzips to \
             more than the 1000 bytes the zip declares for it: a damaged or forged zip (a \
             decompression bomb?); goldpan stops there"
        )
    );
}

#[test]
fn a_zip_of_zeros_stops_at_the_cell_cap_as_a_gzip_does() {
    let zip = zip_of(&[("orders_export_1.csv", &zeros_after_an_order())]);
    assert!(zip.len() < 100 << 10);
    let (_dir, path) = write("zeros.zip", &zip);
    let path = path.to_string_lossy();
    let output = bounded_summary(&path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{path}:orders_export_1.csv:3: a cell of this row is longer than 1 MiB"
        )),
        "{stderr}"
    );
}

#[test]
fn a_workbook_keeps_the_advice_to_export_csv() {
    let (_dir, path) = write(
        "orders_export_1.xlsx",
        &zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", b"<worksheet/>"),
        ]),
    );
    let path = path.to_string_lossy();
    assert_eq!(
        failure(&["summary", &path]).trim_end(),
        format!(
            "goldpan: {path}: this is a spreadsheet workbook (.xlsx), not a CSV file: export \
             the orders as CSV from the store admin"
        )
    );
}

#[test]
fn a_zip_on_standard_input_asks_for_the_file() {
    let output = goldpan()
        .args(["summary", "-"])
        .write_stdin(fixture_bytes("shopify_orders_export.zip"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "goldpan: <stdin>: a zip archive (or a .xlsx workbook) read from standard input or a pipe: \
         save it as a file and give goldpan its path"
    );
}
