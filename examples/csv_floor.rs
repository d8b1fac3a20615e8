//! The floor under any CSV tool on this machine: one pass of the `csv` crate
//! over an export, counting records and bytes, doing nothing with them.
//! `benches/bench.py` and docs/performance.md compare goldpan with it.
//!
//!     cargo run --release --example csv_floor -- EXPORT.csv

use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: csv_floor EXPORT.csv"))?;
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(&path)?;
    let mut record = csv::ByteRecord::new();
    let (mut records, mut bytes) = (0u64, 0u64);
    while reader.read_byte_record(&mut record)? {
        records += 1;
        bytes += record.as_slice().len() as u64;
    }
    println!(
        "{records} records, {bytes} bytes of cells, {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
