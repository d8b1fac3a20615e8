//! A seeded mutation fuzz test of reading exports: the small fixtures with
//! bytes, quotes, delimiters, line endings, dates, amounts and encodings
//! mutated. Every case must read without a panic, and when it reads, its
//! account of rows and orders must add up. `GOLDPAN_FUZZ_CASES=200000 cargo
//! test --bin goldpan fuzz` runs a long local search (default: 2,000 cases).

use super::{IngestOptions, read_orders};
use std::path::Path;

/// xorshift64*: reproducible cases without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Fixtures small enough to read thousands of times in seconds.
const SEEDS: [&str; 8] = [
    "shopify_bad_rows.csv",
    "shopify_jan.csv",
    "shopify_traps.csv",
    "mixed_currency.csv",
    "bigcommerce_small.csv",
    "bigcommerce_ambiguous_dates.csv",
    "woocommerce_items.csv",
    "woocommerce_default.csv",
];

/// Bytes that make CSV and its cells interesting.
const PIECES: [&[u8]; 16] = [
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\x1b[2J",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"-",
    b"999999999999999.99",
    b"1969-12-31 10:00:00 +0000",
    b"31/12/2024",
    b"=cmd|' /C calc'!A0",
    b";",
    b"\"\"",
];

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if at < bytes.len() => bytes[at] = rng.next() as u8,
            1 if at < bytes.len() => {
                let end = (at + 1 + rng.below(8)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                let piece = PIECES[rng.below(PIECES.len())];
                bytes.splice(at..at, piece.iter().copied());
            }
            3 if at < bytes.len() && bytes[at].is_ascii_digit() => {
                bytes[at] = b'0' + rng.below(10) as u8;
            }
            4 => {
                // Every line ending as CRLF, or the other way round.
                let text = String::from_utf8_lossy(bytes).into_owned();
                let text = if text.contains("\r\n") {
                    text.replace("\r\n", "\n")
                } else {
                    text.replace('\n', "\r\n")
                };
                *bytes = text.into_bytes();
            }
            _ if at < bytes.len() => {
                // Repeat a line (a duplicated order or line item).
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |i| at + i + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(end..end, line);
            }
            _ => {}
        }
    }
}

#[test]
fn mutated_exports_read_without_panic_and_their_account_adds_up() {
    let cases: usize = std::env::var("GOLDPAN_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let seeds: Vec<Vec<u8>> = SEEDS
        .iter()
        .map(|name| {
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("fixtures")
                    .join(name),
            )
            .unwrap()
        })
        .collect();
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
        // Every order comes from at least one row that was used.
        assert!(
            report.rows_read >= report.rows_rejected + report.orders_read,
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
