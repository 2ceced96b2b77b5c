#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 600), one after another, on
# one core and at low priority, and prints one summary line per target: executions, exec/s,
# coverage, and crashes (with the artifact paths). Exits 1 when any target crashed.
#
#   benches/fuzz.sh [SECONDS]
#
# Environment: SANITIZER (address | none, default address), FUZZ_ROOT (the project whose fuzz/
# is run, default this checkout). Stable Rust is enough: RUSTC_BOOTSTRAP=1 lets cargo-fuzz
# pass its -Z flags. New corpus entries go to fuzz/trabajo/<target>/ (ignored by git), so the
# committed seeds in fuzz/corpus/<target>/ stay small; crashes go to fuzz/artifacts/<target>/.
set -euo pipefail
cd "${FUZZ_ROOT:-$(dirname "$0")/..}"

duration="${1:-600}"
sanitizer="${SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1
# One core: another job (benchmarks, CI) may share the machine.
export CARGO_BUILD_JOBS=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

# The same versions as the main project (fuzz/Cargo.lock is not committed).
cp Cargo.lock fuzz/Cargo.lock
# Optimised, with debug assertions and overflow checks (as the project's tests run).
build_flags=(-O -a -s "$sanitizer")
nice -n 10 cargo fuzz build "${build_flags[@]}"

# The contenido target keeps a copy of the fixture under $TMPDIR; a crash leaves it behind.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export TMPDIR="$scratch"

summary=()
crashed=0
for target in $(cargo fuzz list); do
  work="fuzz/trabajo/$target"
  artifacts="fuzz/artifacts/$target"
  log="fuzz/trabajo/$target.log"
  mkdir -p "$work" "$artifacts"
  extra=()
  [ -f "fuzz/$target.dict" ] && extra+=("-dict=fuzz/$target.dict")
  before=$(find "$artifacts" -type f | wc -l)
  echo "==> $target: ${duration} s (log: $log)"
  status=0
  nice -n 10 cargo fuzz run "${build_flags[@]}" "$target" "$work" "fuzz/corpus/$target" -- \
    -max_total_time="$duration" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" "${extra[@]}" >"$log" 2>&1 || status=$?
  after=$(find "$artifacts" -type f | wc -l)
  crashes=$((after - before))
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes=1 # a failure that left no artifact (build error, OOM of the driver): see the log
  fi
  [ "$crashes" -gt 0 ] && crashed=1
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
  corpus=$(find "$work" -type f | wc -l)
  line="$target: ${execs:-?} executions, ${rate:-?} exec/s, ${cov:-cov: ?}, corpus $corpus, crashes $crashes"
  if [ "$crashes" -gt 0 ]; then
    line="$line ($(grep -o 'Test unit written to [^ ]*' "$log" | sed 's/Test unit written to //' | tr '\n' ' ')see $log)"
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "fuzzing summary (${duration} s per target, sanitizer $sanitizer):"
printf '  %s\n' "${summary[@]}"
exit "$crashed"
