//! The fuzz test's mutated exports through the real binary, for what only a
//! whole run shows: the exit code is 0 or 1 (never a panic's 101 or a
//! signal), memory stays under a cap, and every order of a run that succeeds
//! is accounted for, those after the as-of date included. The in-process
//! test (src/ingest/fuzz.rs) runs many more cases of the same mutations;
//! `GOLDPAN_FUZZ_CASES=N` runs N/20 here.

#[path = "../../src/ingest/fuzz_mutations.rs"]
mod mutations;

use mutations::{Rng, SEEDS, mutate};

/// Dates around the seeds' orders (2021 to 2025): some orders fall after.
const AS_OF: [&str; 4] = ["2021-07-01", "2024-01-15", "2024-06-30", "2025-06-30"];

fn count(value: &serde_json::Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not a count: {value}"))
}

#[test]
fn mutated_exports_exit_0_or_1_in_bounded_memory_and_every_order_is_accounted_for() {
    let cases = mutations::cases(2_000) / 20;
    let seeds = mutations::seeds();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5851_f42d_4c95_7f2d);
    let (mut read, mut refused, mut after_as_of) = (0, 0, 0);
    for case in 0..cases {
        let seed = rng.below(seeds.len());
        let mut bytes = seeds[seed].clone();
        mutate(&mut rng, &mut bytes);
        let path = dir.path().join(format!("case{}.csv", case % 16));
        std::fs::write(&path, &bytes).unwrap();
        let mut command = std::process::Command::new("prlimit");
        command
            .arg(format!("--as={}", 512 << 20))
            .arg(env!("CARGO_BIN_EXE_goldpan"))
            .arg("summary")
            .arg(&path)
            .args(["--as-of", AS_OF[rng.below(AS_OF.len())], "--json"])
            .env("TZ", "UTC");
        if rng.below(2) == 0 {
            command.arg("--skip-bad-rows");
        }
        if rng.below(4) == 0 {
            command.args(["--currency", "EUR"]);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let why = format!(
            "case {case} (from {}): {stderr}; its bytes: {:?}",
            SEEDS[seed],
            String::from_utf8_lossy(&bytes)
        );
        match output.status.code() {
            Some(0) => read += 1,
            Some(1) => {
                refused += 1;
                let last = stderr.lines().last().unwrap_or_default();
                assert!(last.starts_with("goldpan: "), "{why}");
                assert!(!stderr.contains("panicked"), "{why}");
                continue;
            }
            _ => panic!("exit {:?}: {why}", output.status),
        }
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let input = &json["input"];
        assert_eq!(
            count(&input["rows_read"]),
            count(&input["rows_used"]) + count(&input["rows_rejected"]),
            "{why}"
        );
        assert_eq!(
            count(&input["orders_read"]),
            count(&input["orders_built"]) + count(&input["duplicate_orders"]),
            "{why}"
        );
        let by_reason: u64 = input["excluded_by_reason"]
            .as_object()
            .unwrap()
            .values()
            .map(count)
            .sum();
        assert_eq!(count(&input["excluded_orders"]), by_reason, "{why}");
        // Every order built is counted, excluded for a reason, without a
        // customer, or after the as-of date: none is lost.
        assert_eq!(
            count(&input["orders_built"]),
            count(&json["orders"])
                + by_reason
                + count(&input["unattributed_orders"])
                + count(&input["after_as_of"]),
            "{why}"
        );
        after_as_of += count(&input["after_as_of"]);
    }
    // Both kinds of case, and orders after the as-of date, or the test
    // tests little.
    assert!(
        read > cases / 10 && refused > cases / 10 && after_as_of > 0,
        "read {read}, refused {refused}, after as-of {after_as_of}"
    );
}
