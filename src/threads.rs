//! How many threads goldpan may use: all cores, or `--threads N` on a box
//! shared with other jobs. A leaf: it imports no other goldpan module.

use std::num::NonZeroUsize;
use std::sync::OnceLock;

static LIMIT: OnceLock<usize> = OnceLock::new();

/// Sets the limit for the whole run. Must be called before any thread starts
/// and before polars is first used: its pool reads `POLARS_MAX_THREADS` once,
/// when it is built.
pub fn limit(threads: Option<NonZeroUsize>) {
    let Some(threads) = threads else {
        return;
    };
    let n = threads.get().to_string();
    // SAFETY: called first thing in main, while the process has one thread,
    // so nothing reads the environment concurrently.
    unsafe {
        std::env::set_var("POLARS_MAX_THREADS", &n);
        std::env::set_var("RAYON_NUM_THREADS", &n);
    }
    let _ = LIMIT.set(threads.get());
}

/// The number of threads goldpan's own work may run on at once.
pub fn count() -> usize {
    *LIMIT.get_or_init(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
}
