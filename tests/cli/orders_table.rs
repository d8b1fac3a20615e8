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
