//! Allocator settings shared by the `informe` binary and the examples that time it, so their
//! figures are the binary's. Both use mimalloc as their global allocator.

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3); libmimalloc-sys names the options
/// around it but not this one.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory for a minute before handing it back to the system. mimalloc's default
/// is 10 ms, so `serve` faulted its memory in again on every rebuild after an indexing run:
/// half the time of a 1,000-page rebuild in place (benches/reload-latency.sh). A minute keeps
/// it while a webmaster edits, and still returns it when they stop. Call it first thing in
/// `main`, for `serve` only.
pub fn keep_freed_memory() {
    set_purge_delay(60_000);
}

/// Hands freed memory back to the system as soon as it is freed, for a build: memory kept
/// free counts in the build's resident size until something reuses it, and much of it never
/// was. At 13,424 pages a rebuild without search peaked at 411,000–418,000 KiB keeping freed
/// memory a minute, 389,000–400,000 with mimalloc's 10 ms and 375,000 with none (heaptrack,
/// with the system's allocator, saw a live heap of 150 MB), in the same time within noise.
/// Call it first thing in `main`.
pub fn return_freed_memory_at_once() {
    set_purge_delay(0);
}

fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: sets a documented option by its documented number; no memory is involved.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
}

/// Hands back to the system, on every thread of the pool and this one, the memory freed so
/// far that mimalloc's heaps still hold (a block freed by another thread waits in its owner's
/// list until the owner collects). A build calls it once it has let its model go, before the
/// search index: at 13,424 pages the index then grew from 30 MB resident to 300 MB, instead of
/// from the model's 380 MB to 400–430 MB (measured when builds kept freed memory a minute).
/// Harmless when mimalloc is not the global allocator (its heaps are then empty).
pub fn release_freed_memory() {
    // SAFETY: `mi_collect` only walks mimalloc's own heaps of the calling thread.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
}
