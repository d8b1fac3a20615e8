//! The mutations of the fuzz tests, shared by the in-process test
//! (`src/ingest/fuzz.rs`) and the one that runs the binary
//! (`tests/cli/fuzz.rs`): plain Rust, no goldpan code, so both can include it.

use std::path::Path;

/// xorshift64*: reproducible cases without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Fixtures small enough to read thousands of times in seconds.
pub const SEEDS: [&str; 8] = [
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
pub const PIECES: [&[u8]; 16] = [
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

pub fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
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

/// The bytes of each of [`SEEDS`].
pub fn seeds() -> Vec<Vec<u8>> {
    SEEDS
        .iter()
        .map(|name| {
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("fixtures")
                    .join(name),
            )
            .unwrap()
        })
        .collect()
}

/// Cases to run: `GOLDPAN_FUZZ_CASES`, else `default`.
pub fn cases(default: usize) -> usize {
    std::env::var("GOLDPAN_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}
