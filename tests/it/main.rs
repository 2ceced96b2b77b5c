//! The one integration test binary: every behaviour is exercised through the `informe` CLI on
//! a fixture site of its own.

// Test code may touch the file system directly and unwrap: a failure is the test failing.
#![allow(clippy::disallowed_methods, clippy::unwrap_used, unreachable_pub)]

mod anexos;
mod build;
mod charts;
mod data;
mod errors;
mod faults;
mod harness;
mod incremental;
mod output;
mod quarters;
mod reuse;
mod search;
mod security;
mod serve;
mod shipped;
mod stored;
mod workflow;
