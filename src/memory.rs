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
    // SAFETY: sets a documented option by its documented number; no memory is involved.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 60_000) };
}

/// Hands back to the system, on every thread of the pool and this one, the memory freed so
/// far that mimalloc's heaps still hold (pages waiting out the purge delay, blocks freed by
/// another thread waiting in their owner's list). Freed memory that is kept counts in the
/// build's resident size until something reuses it, and much of it never is. A build calls
/// it when it has its model (what parsing and modelling freed), when it has taken the previous
/// site's pages (the manifest), and once it has let its model go, before the search index.
/// At 13,424 pages a rebuild without search then peaked at 387,000–390,000 KiB (5 runs),
/// against 389,000–408,000 with mimalloc's 10 ms purge delay alone and 411,000–418,000 when
/// builds kept freed memory a minute; and the search index grew from 30 MB resident to
/// 300 MB, instead of from the model's 380 MB to 400–430 MB. Handing memory back as soon as
/// it is freed (a delay of 0) peaked at 375,000 but made a build into an empty folder 10–15 %
/// slower. Harmless when mimalloc is not the global allocator (its heaps are
/// then empty).
pub fn release_freed_memory() {
    // SAFETY: `mi_collect` only walks mimalloc's own heaps of the calling thread.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
}
