//! Settings: defaults < goldpan.toml (or --config FILE) < flags.

use crate::util::{fixture, goldpan, run_ok};
use std::path::Path;

const WEEK2: &str = "shopify_orders_week2_cron.csv";

/// Segment file names written by `segments` run in `dir`.
fn segment_files(dir: &Path, extra: &[&str]) -> Vec<String> {
    let out = dir.join("lists");
    let output = goldpan()
        .current_dir(dir)
        .args([
            "segments",
            &fixture(WEEK2),
            "--as-of",
            "2025-06-09",
            "--out",
        ])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    std::fs::remove_dir_all(&out).unwrap();
    names.sort();
    names
}

fn print(dir: &Path, extra: &[&str]) -> String {
    let output = goldpan()
        .current_dir(dir)
        .args(["config", "--print"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn file_overrides_defaults_and_flags_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let defaults = segment_files(dir.path(), &[]);
    assert!(defaults.contains(&"lapsed_60.csv".to_string()));
    assert!(defaults.contains(&"top_20.csv".to_string()));

    std::fs::write(
        dir.path().join("goldpan.toml"),
        "# weekly job\ntop_percent = 50\nlapsed_days = [30, 60]\n",
    )
    .unwrap();
    let from_file = segment_files(dir.path(), &[]);
    for name in ["lapsed_30.csv", "lapsed_60.csv", "top_50.csv"] {
        assert!(
            from_file.contains(&name.to_string()),
            "{name} in {from_file:?}"
        );
    }
    assert!(!from_file.contains(&"lapsed_90.csv".to_string()));

    let flagged = segment_files(dir.path(), &["--top-percent", "10"]);
    assert!(flagged.contains(&"top_10.csv".to_string()));
    assert!(
        flagged.contains(&"lapsed_30.csv".to_string()),
        "the file still counts"
    );

    // --config replaces ./goldpan.toml: its lapsed_days no longer apply.
    std::fs::write(dir.path().join("other.toml"), "top_percent = 40\n").unwrap();
    let other = segment_files(dir.path(), &["--config", "other.toml"]);
    assert!(other.contains(&"top_40.csv".to_string()));
    assert!(other.contains(&"lapsed_90.csv".to_string()));
}

#[test]
fn print_shows_each_setting_and_its_source() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("goldpan.toml"),
        "top_percent = 10\nlapsed_days = [30, 60]\ncurrency = \"USD\"\n\
         extra_free_mail_domains = [\"posteo.de\"]\n",
    )
    .unwrap();
    assert_eq!(
        print(dir.path(), &["--top-percent", "5", "--lifespan-years", "2"]),
        "# goldpan settings; config file: goldpan.toml\n\
         bulk_order_qty = 36  # from default\n\
         bulk_total_qty = 72  # from default\n\
         company_is_b2b = false  # from default\n\
         work_email_is_b2b = false  # from default\n\
         lapsed_days = [30, 60]  # from goldpan.toml\n\
         top_percent = 5  # from --top-percent\n\
         aov_bands = [0.5, 2.0]  # from default\n\
         lifespan_years = 2.0  # from --lifespan-years\n\
         horizon_days = 365  # from default\n\
         currency = \"USD\"  # from goldpan.toml\n\
         # date_order is not set: dmy, with a note when a date is ambiguous  # from default\n\
         extra_free_mail_domains = [\"posteo.de\"]  # from goldpan.toml\n\
         extra_non_company_words = []  # from default\n\
         # consent is not set: audience leaves out who declined (not-declined), segments \
         lists everyone  # from default\n\
         product_key = \"auto\"  # from default\n\
         by_variant = false  # from default\n\
         min_customers = 5  # from default\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&print(dir.path(), &["--json", "--date-order", "mdy"])).unwrap();
    assert_eq!(json["config_file"], "goldpan.toml");
    let setting = |key: &str| {
        json["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["setting"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(
        setting("date_order"),
        serde_json::json!({"setting": "date_order", "value": "mdy", "source": "--date-order"})
    );
    assert_eq!(
        setting("currency"),
        serde_json::json!({"setting": "currency", "value": "USD", "source": "goldpan.toml"})
    );
}

#[test]
fn printed_settings_are_a_valid_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let printed = print(dir.path(), &["--lapsed-days", "45,120"]);
    std::fs::write(dir.path().join("goldpan.toml"), &printed).unwrap();
    let again = print(dir.path(), &[]);
    assert!(
        again.contains("lapsed_days = [45, 120]  # from goldpan.toml"),
        "{again}"
    );
}

#[test]
fn unknown_key_names_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("goldpan.toml"),
        "top_percent = 10\nlapsed_dayz = [30]\n",
    )
    .unwrap();
    let output = goldpan()
        .current_dir(dir.path())
        .args(["summary", &fixture(WEEK2), "--as-of", "2025-06-09"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr
            .starts_with("goldpan: goldpan.toml:2:1: unknown field `lapsed_dayz`, expected one of"),
        "{stderr}"
    );
}

#[test]
fn bad_values_from_the_file_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shop.toml"), "aov_bands = [2, 0.5]\n").unwrap();
    let output = goldpan()
        .current_dir(dir.path())
        .args(["--config", "shop.toml", "config", "--print"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "goldpan: aov_bands in shop.toml: expected 0 < LOW ≤ HIGH, got 2,0.5\n"
    );
}

#[test]
fn summary_and_ingest_read_their_settings_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let summary = |extra: &[&str]| -> serde_json::Value {
        let output = goldpan()
            .current_dir(dir.path())
            .args([
                "summary",
                &fixture(WEEK2),
                "--as-of",
                "2025-06-09",
                "--json",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let clv_default = summary(&[])["clv"].as_f64().unwrap();
    std::fs::write(dir.path().join("goldpan.toml"), "lifespan_years = 6\n").unwrap();
    let clv_file = summary(&[])["clv"].as_f64().unwrap();
    assert!(
        (clv_file - 2.0 * clv_default).abs() < 0.011,
        "{clv_file} vs {clv_default}"
    );
    let clv_flag = summary(&["--lifespan-years", "3"])["clv"].as_f64().unwrap();
    assert_eq!(clv_flag, clv_default);

    std::fs::write(dir.path().join("goldpan.toml"), "currency = \"EUR\"\n").unwrap();
    let output = goldpan()
        .current_dir(dir.path())
        .args(["summary", &fixture(WEEK2), "--as-of", "2025-06-09"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no order is in EUR"));
}

#[test]
fn a_flag_turns_a_switch_of_the_file_back_off() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("goldpan.toml"),
        "work_email_is_b2b = true\ncompany_is_b2b = true\n",
    )
    .unwrap();
    let printed = print(dir.path(), &[]);
    assert!(printed.contains("work_email_is_b2b = true  # from goldpan.toml\n"));
    let printed = print(
        dir.path(),
        &["--work-email-is-b2b=false", "--company-is-b2b=false"],
    );
    assert!(
        printed.contains("company_is_b2b = false  # from --company-is-b2b\n"),
        "{printed}"
    );
    assert!(
        printed.contains("work_email_is_b2b = false  # from --work-email-is-b2b\n"),
        "{printed}"
    );
    // A bare switch still means true.
    let printed = print(dir.path(), &["--company-is-b2b"]);
    assert!(printed.contains("company_is_b2b = true  # from --company-is-b2b\n"));
}

#[test]
fn a_bad_flag_value_is_a_usage_error_a_bad_file_value_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = goldpan()
        .current_dir(dir.path())
        .args(["config", "--print", "--lapsed-days", "90,60"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "goldpan: --lapsed-days: expected ascending whole days such as 60,90, got [90, 60]\n"
    );
    std::fs::write(dir.path().join("goldpan.toml"), "lapsed_days = [90, 60]\n").unwrap();
    let output = goldpan()
        .current_dir(dir.path())
        .args(["config", "--print"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn help_shows_each_default_written_once_in_the_settings() {
    let output = goldpan().args(["segments", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for shown in [
        "[default: 36]",
        "[default: 72]",
        "[default: 60,90]",
        "[default: 20]",
        "[default: 0.5,2]",
        "--work-email-is-b2b[=<BOOL>]",
    ] {
        assert!(help.contains(shown), "{shown} in {help}");
    }
    let output = goldpan().args(["summary", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("[default: 3]"), "lifespan years: {help}");
}

/// Every setting's flag.
const SETTING_FLAGS: [&str; 17] = [
    "--bulk-order-qty",
    "--bulk-total-qty",
    "--company-is-b2b",
    "--work-email-is-b2b",
    "--lapsed-days",
    "--top-percent",
    "--aov-bands",
    "--lifespan-years",
    "--horizon-days",
    "--currency",
    "--date-order",
    "--extra-free-mail-domains",
    "--extra-non-company-words",
    "--consent",
    "--product-key",
    "--by-variant",
    "--min-customers",
];

/// The flags a subcommand's `--help` lists (lines that start with one).
fn flags_in_help(command: &str) -> Vec<&'static str> {
    let output = goldpan().args([command, "--help"]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let listed: Vec<&str> = help
        .lines()
        .filter_map(|line| line.trim_start().split([' ', '[', '=']).next())
        .collect();
    SETTING_FLAGS
        .into_iter()
        .filter(|flag| listed.contains(flag))
        .collect()
}

#[test]
fn each_help_lists_only_the_settings_that_change_its_output() {
    let segment_rules = [
        "--bulk-order-qty",
        "--bulk-total-qty",
        "--company-is-b2b",
        "--work-email-is-b2b",
        "--lapsed-days",
        "--top-percent",
        "--aov-bands",
        "--extra-free-mail-domains",
        "--extra-non-company-words",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let wanted: Vec<&str> = segment_rules.iter().chain(extra).copied().collect();
        SETTING_FLAGS
            .into_iter()
            .filter(|flag| wanted.contains(flag))
            .collect()
    };
    let reading = ["--currency", "--date-order"];
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "summary",
            vec![
                "--aov-bands",
                "--lifespan-years",
                "--horizon-days",
                "--currency",
                "--date-order",
            ],
        ),
        (
            "segments",
            with(&["--horizon-days", "--currency", "--date-order", "--consent"]),
        ),
        (
            "customers",
            with(&["--horizon-days", "--currency", "--date-order"]),
        ),
        (
            "audience",
            with(&["--currency", "--date-order", "--consent"]),
        ),
        (
            "report",
            with(&[
                "--lifespan-years",
                "--horizon-days",
                "--currency",
                "--date-order",
                "--product-key",
                "--by-variant",
                "--min-customers",
            ]),
        ),
        ("cohorts", reading.to_vec()),
        (
            "products",
            vec![
                "--currency",
                "--date-order",
                "--product-key",
                "--by-variant",
            ],
        ),
        (
            "buyers",
            vec![
                "--currency",
                "--date-order",
                "--consent",
                "--product-key",
                "--by-variant",
            ],
        ),
        (
            "related",
            vec![
                "--currency",
                "--date-order",
                "--consent",
                "--product-key",
                "--by-variant",
                "--min-customers",
            ],
        ),
        ("diff", vec![]),
        ("config", SETTING_FLAGS.to_vec()),
    ];
    for (command, expected) in cases {
        assert_eq!(flags_in_help(command), expected, "goldpan {command} --help");
    }
}

#[test]
fn a_setting_that_changes_nothing_is_refused_before_reading() {
    let output = goldpan()
        .args(["summary", "nope.csv", "--bulk-order-qty", "5"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "usage, not a missing file");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        "goldpan: --bulk-order-qty does not change what `goldpan summary` prints; it is a \
         setting of segments, customers, audience, report\n"
    );
    let output = goldpan()
        .args(["cohorts", "nope.csv", "--work-email-is-b2b"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn goldpan_toml_may_hold_settings_a_command_does_not_use() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("goldpan.toml"), "bulk_order_qty = 5\n").unwrap();
    run_ok(goldpan().current_dir(dir.path()).args([
        "summary",
        &fixture("shopify_jan.csv"),
        "--as-of",
        "2025-02-01",
    ]));
}
