//! Malformed rows (stop, or skip and list them) and files Excel rewrote.

use crate::util::*;

fn run(args: &[&str]) -> std::process::Output {
    goldpan().args(args).output().unwrap()
}

/// `goldpan summary` of a file named `name` holding `content`, which must
/// fail with exit code 1: its stderr.
fn failed_summary(name: &str, content: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    let output = run(&["summary", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_row_stops_the_run_with_file_line_column_and_value() {
    let file = fixture("shopify_bad_rows.csv");
    let output = run(&["summary", &file]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "goldpan: {file}:4: column 4 (Created at): expected a date from 1970 on, such as \
             2025-05-11 09:55:16 -0400, found \"2024-13-45 10:00:00 +0000\" (to skip such \
             rows, count them and go on, use --skip-bad-rows)"
        )
    );
}

#[test]
fn a_row_with_too_few_fields_stops_the_run() {
    let stderr = failed_summary(
        "cut.csv",
        "Name,Email,Financial Status,Created at,Lineitem quantity,Total\n\
         #1,a@gmail.com,paid,2024-01-02 10:00:00 +0000,1,10.00\n\
         #2,b@gmail.com,paid,2024-01-02 10:00:00 +0000\n",
    );
    assert!(
        stderr.contains(":3: the row has 4 fields where the header has 6"),
        "{stderr}"
    );
}

#[test]
fn skipped_rows_are_counted_and_written_to_the_rejects_file() {
    // shopify_bad_rows.csv, 7 rows:
    // 2-3 #1 a, 10.00, 1 + 2 items: kept
    // 4   #2 date 2024-13-45: rejected; 5 its second line item: rejected too
    // 6   #3 Total "12,00 EUR": rejected; 7 #4 one field short: rejected
    // 8   #5 e, 15.00, 3 items: kept
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("rejects.csv");
    let file = fixture("shopify_bad_rows.csv");
    let output = goldpan()
        .args(["summary", &file, "--as-of", "2024-04-01", "--json"])
        .args(["--skip-bad-rows", "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["customers"], 2);
    assert_close(&json["revenue"], 25.00);
    let input = &json["input"];
    assert_eq!(input["rows_read"], 7);
    assert_eq!(input["rows_rejected"], 4);
    assert_eq!(input["orders_built"], 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("read 7 rows from 1 file(s): 2 orders built (2 read, 0 duplicate(s) left out), 4 row(s) rejected"),
        "{stderr}"
    );

    let rows = read_csv(&rejects);
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["file"].as_str(),
                r["line"].as_str(),
                r["reason"].as_str(),
                r["raw"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                file.as_str(),
                "4",
                "column 4 (Created at): expected a date from 1970 on, such as 2025-05-11 09:55:16 -0400, \
                 found \"2024-13-45 10:00:00 +0000\"",
                "#2,b@gmail.com,paid,2024-13-45 10:00:00 +0000,1,20.00,EUR,",
            ),
            (
                file.as_str(),
                "5",
                "a later line item of order #2, whose first row (line 4) was rejected",
                "#2,b@gmail.com,,2024-13-45 10:00:00 +0000,1,,,",
            ),
            (
                file.as_str(),
                "6",
                "column 6 (Total): expected an amount such as 1659.95, found \"12,00 EUR\"",
                "#3,c@gmail.com,paid,2024-01-05 10:00:00 +0000,1,\"12,00 EUR\",EUR,",
            ),
            (
                file.as_str(),
                "7",
                "the row has 7 fields where the header has 8 (a broken quote or a cut-off file?)",
                "#4,d@gmail.com,paid,2024-01-06 10:00:00 +0000,1,7.00,EUR",
            ),
        ]
    );
}

#[test]
fn rejects_needs_skip_bad_rows() {
    let output = run(&[
        "summary",
        &fixture("shopify_bad_rows.csv"),
        "--rejects",
        "x.csv",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

/// Runs with --skip-bad-rows (which must not skip an Excel re-save) and
/// returns stderr.
fn excel_failure(file: &str) -> String {
    let output = run(&["summary", &fixture(file), "--skip-bad-rows"]);
    assert_eq!(output.status.code(), Some(1), "{file}");
    assert!(output.stdout.is_empty());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const ADVICE: &str = "Export the orders again from the store and give goldpan that file \
                      without opening or saving it in Excel";

#[test]
fn a_semicolon_header_is_an_excel_resave() {
    let stderr = excel_failure("excel_resaved_semicolon.csv");
    assert!(
        stderr.contains("excel_resaved_semicolon.csv:1: the header is separated by ';'"),
        "{stderr}"
    );
    assert!(stderr.contains("saved again by Excel"), "{stderr}");
    assert!(stderr.contains(ADVICE), "{stderr}");
}

#[test]
fn a_reformatted_created_at_is_an_excel_resave() {
    let stderr = excel_failure("excel_resaved_dates.csv");
    assert!(
        stderr.contains(
            "excel_resaved_dates.csv:3: column 4 (Created at): found \"25/01/2024 13:23\": \
             this file was opened and saved again by Excel, which rewrote dates in its own \
             format"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(ADVICE), "{stderr}");
}

#[test]
fn a_scientific_id_is_an_excel_resave() {
    let stderr = excel_failure("excel_resaved_scientific.csv");
    assert!(
        stderr.contains(
            "excel_resaved_scientific.csv:3: column 8 (Id): found \"5,52E+12\": this file \
             was opened and saved again by Excel, which wrote long numbers in scientific notation"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(ADVICE), "{stderr}");
}

#[test]
fn a_decimal_comma_amount_is_an_excel_resave() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comma.csv");
    std::fs::write(
        &path,
        "Order ID,Customer ID,Order Date,Order Status,Order Total (inc tax),Total Quantity\n\
         1,2,17/06/2021,Completed,\"30,48\",1\n",
    )
    .unwrap();
    let output = run(&["summary", &path.to_string_lossy(), "--skip-bad-rows"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            ":2: column 5 (Order Total (inc tax)): found \"30,48\": this file was opened and \
             saved again by Excel, which wrote amounts with a decimal comma"
        ),
        "{stderr}"
    );
}

/// With `--threads 1` the rows are parsed on the reading thread: a row of the
/// wrong length is still rejected with its line, and the rows after it read.
#[test]
fn bad_rows_are_the_same_at_1_and_2_threads() {
    let runs: Vec<(String, String)> = ["1", "2"]
        .into_iter()
        .map(|threads| {
            run_ok(goldpan().args([
                "summary",
                &fixture("shopify_bad_rows.csv"),
                "--skip-bad-rows",
                "--as-of",
                "2025-01-01",
                "--threads",
                threads,
            ]))
        })
        .collect();
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].1.contains("rejected"), "{}", runs[0].1);
}

/// A tab-separated copy reads as one long column name: say what it is
/// instead of showing that name.
#[test]
fn a_tab_separated_file_is_named_as_such() {
    let stderr = failed_summary(
        "orders.tsv",
        "Name\tEmail\tFinancial Status\tCreated at\tTotal\n\
         #1\ta@x.com\tpaid\t2025-01-01 10:00:00 +0000\t10.00\n",
    );
    assert!(
        stderr.contains("orders.tsv:1: the header is separated by tabs, not commas"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// Blank lines are skipped, and the row after them is named by its own
/// line (it was once named by the line after the row before the blanks).
#[test]
fn a_row_after_blank_lines_is_named_by_its_own_line() {
    let stderr = failed_summary(
        "blank.csv",
        "Name,Email,Financial Status,Created at,Lineitem quantity,Total\n\
         #1,a@gmail.com,paid,2024-01-02 10:00:00 +0000,1,10.00\n\
         \n\
         \r\n\
         #2,b@gmail.com,paid,2024-13-45 10:00:00 +0000,1,10.00\n",
    );
    assert!(
        stderr.contains("blank.csv:5: column 4 (Created at): expected a date"),
        "{stderr}"
    );
}
