//! A seeded mutation fuzz test of reading exports: the small fixtures with
//! bytes, quotes, delimiters, line endings, dates, amounts and encodings
//! mutated. Every case must read without a panic, and when it reads, its
//! account of rows and orders must add up. `GOLDPAN_FUZZ_CASES=200000 cargo
//! test --bin goldpan fuzz` runs a long local search (default: 2,000 cases).
//! `tests/cli/fuzz.rs` runs the binary on the same mutations, for what only
//! a whole run shows: exit codes, bounded memory, the orders after as-of.

use super::fuzz_mutations::{Rng, SEEDS, cases, mutate, seeds};
use super::{IngestOptions, read_orders};

#[test]
fn mutated_exports_read_without_panic_and_their_account_adds_up() {
    let cases = cases(2_000);
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut read, mut refused) = (0, 0);
    for case in 0..cases {
        let seed = rng.below(seeds.len());
        let mut bytes = seeds[seed].clone();
        mutate(&mut rng, &mut bytes);
        let path = dir.path().join(format!("case{}.csv", case % 16));
        std::fs::write(&path, &bytes).unwrap();
        let options = IngestOptions {
            skip_bad_rows: rng.below(2) == 0,
            currency: (rng.below(4) == 0).then(|| "EUR".to_string()),
            line_items: rng.below(2) == 0,
            ..IngestOptions::default()
        };
        let paths = [path.to_string_lossy().into_owned()];
        let outcome = std::panic::catch_unwind(|| read_orders(&paths, &options));
        let Ok(outcome) = outcome else {
            panic!(
                "case {case} (from {}) panicked; its bytes: {:?}",
                SEEDS[seed],
                String::from_utf8_lossy(&bytes)
            );
        };
        let Ok(ingested) = outcome else {
            refused += 1;
            continue;
        };
        read += 1;
        let report = &ingested.report;
        let why = || format!("case {case} (from {}): {report:?}", SEEDS[seed]);
        assert_eq!(
            report.orders_read,
            report.orders_built + report.duplicate_orders,
            "{}",
            why()
        );
        // Every row is used or rejected, and every order comes from a row
        // that was used.
        assert_eq!(
            report.rows_read,
            report.rows_used + report.rows_rejected,
            "{}",
            why()
        );
        assert!(report.rows_used >= report.orders_read, "{}", why());
        assert_eq!(
            ingested.rejected.iter().map(|row| row.lines).sum::<u64>(),
            report.rows_rejected,
            "{}",
            why()
        );
        assert_eq!(
            ingested.orders.height() as u64,
            report.orders_built,
            "{}",
            why()
        );
    }
    // The mutations must leave both kinds of case, or the test tests little.
    assert!(
        read > cases / 10 && refused > cases / 10,
        "read {read}, refused {refused}"
    );
}
