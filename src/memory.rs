//! Allocator settings shared by the `informe` binary and the examples that time it, so their
//! figures are the binary's. Both use mimalloc as their global allocator.

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3); libmimalloc-sys names the options
/// around it but not this one.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory for a minute before handing it back to the system. mimalloc's default
/// is 10 ms, so `serve` faulted its memory in again on every rebuild after an indexing run:
/// half the time of a 1,000-page rebuild in place (benches/reload-latency.sh). A minute keeps
/// it while a webmaster edits, and still returns it when they stop. Call it first thing in
/// `main`.
pub fn keep_freed_memory() {
    // SAFETY: sets a documented option by its documented number; no memory is involved.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 60_000) };
}
