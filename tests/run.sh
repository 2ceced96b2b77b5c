#!/usr/bin/env bash
# Runs every check of the project, as CI does: formatting, lints, docs, the test suite, and a
# determinism check of the shipped report. Installs what it needs when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet

step "cargo test"
cargo test --locked

step "the shipped report builds twice to identical bytes"
cargo build --release --locked --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./target/release/informe build --output "$tmp/a" >/dev/null 2>"$tmp/a.log"
TZ=America/Mexico_City LANG=es_MX.UTF-8 ./target/release/informe build --output "$tmp/b" >/dev/null 2>"$tmp/b.log"
diff -r "$tmp/a" "$tmp/b"
echo "identical: $(find "$tmp/a" -type f | wc -l) files"

step "all checks passed"
