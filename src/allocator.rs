//! goldpan's memory allocator, and when it gives memory back.

// glibc's allocator spent a quarter of the time on a large export in
// malloc/free of the many small strings ingest makes; mimalloc is much cheaper.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives the memory freed so far back to the system. mimalloc keeps freed
/// memory for a second to reuse it, and most runs are shorter, so what one
/// step freed (the reader's buffers, the models' fits, the orders table)
/// stayed in the run's peak beside what the next step builds: on a 77 MB
/// export `segments` peaked at 116-120 MB, 89-90 MB with this called between
/// the steps (after reading, after the customers table, after the models,
/// after the orders table is dropped). Between steps, not after every free:
/// giving memory back at once (mimalloc's purge delay of 0) saved a few MB
/// more but cost 7% of the time on 1M orders.
pub fn give_back_freed_memory() {
    // SAFETY: asks mimalloc to purge the memory it holds free; no pointer
    // or allocation is touched.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
