//! Hostile files at the reading level: quotes left open, endless cells,
//! control characters, and what every message shows of them.

use crate::util::*;
use std::path::PathBuf;

const HEADER: &str =
    "Name,Email,Financial Status,Created at,Lineitem quantity,Total,Currency,Billing Company\n";

fn row(name: &str, email: &str, day: u32, total: &str) -> String {
    format!("{name},{email},paid,2024-01-{day:02} 10:00:00 +0000,1,{total},EUR,\n")
}

/// Writes `content` to a file in a temp dir.
fn write(name: &str, content: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

fn run(args: &[&str]) -> std::process::Output {
    goldpan().args(args).output().unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_end_of_the_file_inside_quotes_names_the_line_the_quote_opened() {
    // Line 3's last cell opens a quote that nothing closes: before, rows 4-6
    // vanished into that cell with exit 0.
    let mut content = HEADER.to_string() + &row("#1", "a@gmail.com", 2, "10.00");
    content += "#2,b@gmail.com,paid,2024-01-03 10:00:00 +0000,1,20.00,EUR,\"Acme\n";
    for (i, day) in [4, 5, 6].iter().enumerate() {
        content += &row(&format!("#{}", i + 3), "c@gmail.com", *day, "5.00");
    }
    let (_dir, path) = write("open_quote.csv", content.as_bytes());
    let path = path.to_string_lossy();
    for extra in [&[][..], &["--skip-bad-rows"][..]] {
        let output = run(&[&["summary", &*path][..], extra].concat());
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
        assert!(
            stderr(&output).contains(&format!(
                "{path}:3: the file ends inside a quoted cell that opens on this line"
            )),
            "{}",
            stderr(&output)
        );
    }
}

/// Line 3 opens a quote in its last cell that line 5 closes: lines 4 and 5
/// are whole rows of the file swallowed by that cell.
fn swallowing_file() -> (tempfile::TempDir, PathBuf) {
    let mut content = HEADER.to_string() + &row("#1", "a@gmail.com", 2, "10.00");
    content += "#2,b@gmail.com,paid,2024-01-03 10:00:00 +0000,1,20.00,EUR,\"Acme\n";
    content += &row("#3", "c@gmail.com", 4, "5.00");
    content += "#4,d@gmail.com,paid,2024-01-05 10:00:00 +0000,1,7.00,EUR,\"\n";
    content += &row("#5", "e@gmail.com", 6, "15.00");
    write("swallowing.csv", content.as_bytes())
}

#[test]
fn a_cell_swallowing_whole_rows_is_an_error() {
    let (_dir, path) = swallowing_file();
    let path = path.to_string_lossy();
    let output = run(&["summary", &path]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!(
            "{path}:3: column 8 (Billing Company): the quoted cell that opens on line 3 holds \
             line 4, which looks like a whole row of this file: a \" is not closed, and lines \
             3-5 would be read as one row"
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn skipping_a_swallowing_row_counts_every_line_lost() {
    let (dir, path) = swallowing_file();
    let rejects = dir.path().join("rejects.csv");
    let output = goldpan()
        .args(["summary", &path.to_string_lossy(), "--as-of", "2024-04-01"])
        .args(["--json", "--skip-bad-rows", "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let input = &json["input"];
    // 5 lines of data: #1 and #5 used, lines 3-5 lost (3 rows rejected).
    assert_eq!(input["rows_read"], 5);
    assert_eq!(input["orders_built"], 2);
    assert_eq!(input["rows_rejected"], 3);
    let rows = read_csv(&rejects);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["line"], "3");
}

#[test]
fn dev_zero_stops_at_the_cell_cap() {
    let output = bounded_summary("/dev/zero");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output).trim_end(),
        "goldpan: /dev/zero:1: a cell of this row is longer than 1 MiB, which no store export \
         has (a quote that is not closed, or not a CSV export?)"
    );
}

#[test]
fn a_gzip_of_zeros_after_a_header_stops_at_the_cell_cap() {
    use std::io::Write;
    // The case: 4 GiB of zeros after the first rows, 4 MB of gzip
    // (one member of 1 MiB of zeros, 4,096 times: gzip members concatenate).
    // Before the cap, the cell grew past the 512 MiB the run may use.
    let gzip = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    };
    let mut file = gzip((HEADER.to_string() + &row("#1", "a@gmail.com", 2, "10.00")).as_bytes());
    let zeros = gzip(&vec![0u8; 1 << 20]);
    for _ in 0..4096 {
        file.extend_from_slice(&zeros);
    }
    assert!(file.len() < 8 << 20);
    let (_dir, path) = write("zeros.csv.gz", &file);
    let path = path.to_string_lossy();
    let output = bounded_summary(&path);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "{path}:3: a cell of this row is longer than 1 MiB"
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_row_past_the_row_cap_is_an_error() {
    // 20 cells of 900 KiB each: under the cell cap, over the row cap.
    let cell = "x".repeat(900 << 10);
    let mut content = HEADER.to_string();
    content += &vec![cell; 20].join(",");
    content += "\n";
    let (_dir, path) = write("long_row.csv", content.as_bytes());
    let output = bounded_summary(&path.to_string_lossy());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(":2: this row is longer than 16 MiB"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_rejects_file_is_formula_safe() {
    let mut content = HEADER.to_string() + &row("#1", "a@gmail.com", 2, "10.00");
    content += "=cmd|' /C calc'!A0,b@gmail.com\n";
    let (dir, path) = write("formula.csv", content.as_bytes());
    let rejects = dir.path().join("rejects.csv");
    goldpan()
        .args(["summary", &path.to_string_lossy(), "--as-of", "2024-04-01"])
        .args(["--skip-bad-rows", "--rejects"])
        .arg(&rejects)
        .assert()
        .success();
    let rows = read_csv(&rejects);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["raw"], "'=cmd|' /C calc'!A0,b@gmail.com");
}

#[test]
fn a_negative_refund_is_a_row_error_in_every_format() {
    for (name, content, extra, expected) in [
        (
            "bigcommerce.csv",
            "Order ID,Customer ID,Customer Email,Order Date,Order Status,Order Total (inc tax),\
             Refund Amount,Total Quantity\n\
             1,2,a@gmail.com,17/06/2021,Completed,30.00,-50.00,1\n",
            &["--date-order", "dmy"][..],
            ":2: column 7 (Refund Amount): expected a refund of 0 or more, found \"-50.00\"",
        ),
        (
            "shopify.csv",
            "Name,Email,Financial Status,Created at,Lineitem quantity,Total,Refunded Amount\n\
             #1,a@gmail.com,paid,2024-01-02 10:00:00 +0000,1,30.00,-50.00\n",
            &[][..],
            ":2: column 7 (Refunded Amount): expected a refund of 0 or more, found \"-50.00\"",
        ),
        (
            "woocommerce.csv",
            "order_id,date,status,order_total,refunded_total,billing_email,item_quantity\n\
             1,2024-01-02 10:00:00,completed,30.00,-50.00,a@gmail.com,1\n",
            &[][..],
            ":2: column 5 (refunded_total): expected a refund of 0 or more, found \"-50.00\"",
        ),
        (
            "mapped.csv",
            "No,When,Amount,Back,Mail\n1,2024-01-02,30.00,-50.00,a@gmail.com\n",
            &[
                "--map",
                "order=No,date=When,total=Amount,refunded=Back,email=Mail",
            ][..],
            ":2: column 4 (Back): expected a refund of 0 or more, found \"-50.00\"",
        ),
    ] {
        let (_dir, path) = write(name, content.as_bytes());
        let output = run(&[&["summary", &*path.to_string_lossy()][..], extra].concat());
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("{name}{expected}")),
            "{name}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_later_line_item_with_another_email_is_a_row_error() {
    let shopify = HEADER.to_string()
        + &row("#1", "a@gmail.com", 2, "10.00")
        + "#1,b@gmail.com,,2024-01-02 10:00:00 +0000,1,,,\n";
    let woocommerce = "order_id,date,status,order_total,billing_email,item_quantity\n\
                       7,2024-01-02 10:00:00,completed,30.00,a@gmail.com,1\n\
                       7,2024-01-02 10:00:00,completed,30.00,b@gmail.com,2\n";
    let mapped = "No,When,Amount,Mail\n\
                  #1,2024-01-02,30.00,a@gmail.com\n\
                  #1,2024-01-02,30.00,b@gmail.com\n";
    for (name, content, extra, order) in [
        ("shopify.csv", shopify.as_str(), &[][..], "#1"),
        ("woocommerce.csv", woocommerce, &[][..], "7"),
        (
            "mapped.csv",
            mapped,
            &["--map", "order=No,date=When,total=Amount,email=Mail"][..],
            "#1",
        ),
    ] {
        let (_dir, path) = write(name, content.as_bytes());
        let output = run(&[&["summary", &*path.to_string_lossy()][..], extra].concat());
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        let err = stderr(&output);
        assert!(
            err.contains(&format!(
                "{name}:3: a later line item of order {order} has another e-mail than the \
                 order's first row (line 2): two orders under one number?"
            )),
            "{err}"
        );
        assert!(!err.contains("b@gmail.com"), "{err}");
    }
}

#[test]
fn control_characters_never_reach_the_lists() {
    let content = "Name,Email,Financial Status,Created at,Lineitem quantity,Total,Currency,\
                   Billing Company,Billing Name,Phone\n\
                   #1,a@gmail.com,paid,2024-01-02 10:00:00 +0000,1,10.00,EUR,\"Ac\0me\x1b[2J\",\"Ann\tL\x07ee\",\
                   \"+1 555\x7f 01\r\n00\"\n";
    let (dir, path) = write("controls.csv", content.as_bytes());
    let out = dir.path().join("lists");
    goldpan()
        .args([
            "segments",
            &path.to_string_lossy(),
            "--as-of",
            "2024-04-01",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let rows = read_csv(&out.join("one_time.csv"));
    assert_eq!(rows[0]["name"], "Ann Lee");
    assert_eq!(rows[0]["company"], "Acme[2J");
    // A spreadsheet-safe list marks a phone with a leading +.
    assert_eq!(rows[0]["phone"], "'+1 555 01  00");
}

#[test]
fn with_currency_a_blank_currency_is_left_out_as_another_currency() {
    let content = HEADER.to_string()
        + &row("#1", "a@gmail.com", 2, "10.00")
        + "#2,b@gmail.com,paid,2024-01-03 10:00:00 +0000,1,20.00,USD,\n"
        + "#3,c@gmail.com,paid,2024-01-04 10:00:00 +0000,1,40.00,,\n";
    let (_dir, path) = write("blank_currency.csv", content.as_bytes());
    let output = run(&[
        "summary",
        &path.to_string_lossy(),
        "--as-of",
        "2024-04-01",
        "--currency",
        "EUR",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_close(&json["revenue"], 10.00);
    assert_eq!(json["input"]["excluded_by_reason"]["other_currency"], 2);
}

#[test]
fn two_columns_with_one_name_are_an_error_naming_it() {
    let content = "Name,Email,Financial Status,Created at,Lineitem quantity,Total,Email\n\
                   #1,a@gmail.com,paid,2024-01-02 10:00:00 +0000,1,10.00,b@gmail.com\n";
    let (_dir, path) = write("two_emails_columns.csv", content.as_bytes());
    let output = run(&["summary", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            ":1: two columns are named \"Email\" (columns 2 and 7): goldpan cannot tell which \
             one to read; rename or remove one"
        ),
        "{}",
        stderr(&output)
    );
}

/// Stderr of a failing run, which must hold no raw escape or bell character.
fn escaped_failure(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(!err.contains(['\x1b', '\x07', '\0']), "{err:?}");
    err
}

#[test]
fn messages_show_file_content_with_control_characters_escaped() {
    // "Total on an earlier row": the order name comes from the file.
    let name = "#1\x1b]0;owned\x07";
    let content = HEADER.to_string()
        + &row(name, "a@gmail.com", 2, "10.00")
        + &format!("{name},a@gmail.com,,2024-01-02 10:00:00 +0000,1,10.00,,\n");
    let (_dir, path) = write("escape_total.csv", content.as_bytes());
    let err = escaped_failure(&["summary", &path.to_string_lossy()]);
    assert!(
        err.contains("expected order #1\\u{1b}]0;owned\\u{7} only once"),
        "{err}"
    );

    // --map naming a column the file lacks lists the file's columns.
    let content = "Order\x1b[31m,Date,Amount\n1,2024-01-02,10.00\n";
    let (_dir, path) = write("escape_map.csv", content.as_bytes());
    let err = escaped_failure(&[
        "summary",
        &path.to_string_lossy(),
        "--map",
        "order=Order No,date=Date,total=Amount",
    ]);
    assert!(err.contains("\"Order\\u{1b}[31m\""), "{err}");

    // Mixed currencies: the codes come from the file.
    let content = HEADER.to_string()
        + &row("#1", "a@gmail.com", 2, "10.00")
        + "#2,b@gmail.com,paid,2024-01-03 10:00:00 +0000,1,20.00,U\x1b[2JSD,\n";
    let (_dir, path) = write("escape_currency.csv", content.as_bytes());
    let err = escaped_failure(&["summary", &path.to_string_lossy()]);
    assert!(
        err.contains("the export mixes currencies (EUR, U[2JSD)"),
        "{err}"
    );
}

#[test]
fn the_date_order_note_shows_control_characters_escaped() {
    let content = "Order ID,Customer ID,Customer Email,Order Date,Order Status,\
                   Order Total (inc tax),Total Quantity\n\
                   1,2,a@gmail.com,02/07/2021,Completed,30.00,1\n";
    let (_dir, path) = write("note\x1b[2J.csv", content.as_bytes());
    let output = run(&["summary", &path.to_string_lossy(), "--as-of", "2021-08-01"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("note\\u{1b}[2J.csv: dates such as 02/07/2021"),
        "{err}"
    );
    assert!(!err.contains('\x1b'), "{err:?}");
}

#[test]
fn a_header_only_export_is_an_error_that_leaves_the_lists_alone() {
    let (dir, out) = segments("shopify_jan.csv", "2024-04-01", &[]);
    let before = std::fs::read(out.join("one_time.csv")).unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, HEADER).unwrap();
    let output = goldpan()
        .args([
            "segments",
            &empty.to_string_lossy(),
            "--as-of",
            "2024-04-01",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("empty.csv: the export has a header but no orders"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(out.join("one_time.csv")).unwrap(), before);
}
