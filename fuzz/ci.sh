#!/usr/bin/env bash
# CI for the fuzz targets, on stable Rust and without cargo-fuzz: builds them (libfuzzer-sys
# links libFuzzer; without cargo-fuzz's flags there is no sanitizer and no coverage
# instrumentation, which replaying does not need) and runs each over its committed inputs,
# fuzz/corpus/<target>/ and fuzz/regresiones/<target>/. Given files, a libFuzzer binary runs
# each once and exits non-zero on the first crash. Long fuzzing runs are benches/fuzz.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# The main project's target directory and dev profile, and its Cargo.lock (the fuzz-only crates
# are pinned in fuzz/Cargo.toml), so what `cargo test` compiled is reused, not compiled again.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$root/$CARGO_TARGET_DIR" ;; esac
cp Cargo.lock fuzz/Cargo.lock

# The contenido target keeps a copy of the fixture under $TMPDIR; a crash leaves it behind.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
log="$scratch/log"

started=$SECONDS
cargo build --manifest-path fuzz/Cargo.toml --bins --quiet
# The harness's own checks (the HTML safety checker must tell escaped text from markup).
cargo test --manifest-path fuzz/Cargo.toml --lib --quiet >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
built=$SECONDS
failed=0
for source in fuzz/fuzz_targets/*.rs; do
  target=$(basename "$source" .rs)
  inputs=()
  for dir in "fuzz/corpus/$target" "fuzz/regresiones/$target"; do
    [ -d "$dir" ] || continue
    while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$dir" -type f -print0 | sort -z)
  done
  if [ "${#inputs[@]}" -eq 0 ]; then
    echo "fuzz $target: no inputs to replay" >&2
    failed=1
    continue
  fi
  if TMPDIR="$scratch" "$CARGO_TARGET_DIR/debug/$target" -timeout=60 "${inputs[@]}" >"$log" 2>&1; then
    echo "fuzz $target: ${#inputs[@]} inputs replayed, no crash"
  else
    echo "fuzz $target: CRASH" >&2
    grep -E '^Running: ' "$log" | tail -1 >&2 || true
    grep -A20 -E 'panicked at|ERROR: ' "$log" | head -40 >&2 || true
    failed=1
  fi
done
echo "fuzz: build $((built - started)) s, replay $((SECONDS - built)) s"
exit "$failed"
