#!/usr/bin/env bash
# Paired timing of two whole commands, for "did this change make the build faster?":
#
#   benches/pares.sh RUNS 'COMMAND A' 'COMMAND B'
#
# Runs one warm-up of each, then A and B in turn (A B A B …) RUNS times each under
# /usr/bin/time, and prints for each the median wall time, CPU (user + system) and peak RSS,
# then the median of the pair-by-pair ratio A/B of wall time. On a shared machine whose speed
# drifts by ±10 % from minute to minute, the ratio of runs made side by side holds better than
# two medians taken apart. Commands run through `sh -c`; their output is discarded.
#
# Example (old and new binaries, each with its own theme, the 1,341-page synthetic report):
#   benches/pares.sh 15 \
#     '/tmp/viejo build --sin-busqueda --content /dev/shm/s/informe/content --theme /tmp/tema-viejo --output /dev/shm/a' \
#     'target/release/informe build --sin-busqueda --content /dev/shm/s/informe/content --output /dev/shm/b'
set -euo pipefail

if [ $# -ne 3 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
  echo "uso: $0 CORRIDAS 'ORDEN A' 'ORDEN B'" >&2
  exit 2
fi
runs=$1 a=$2 b=$3
[ -x /usr/bin/time ] || {
  echo "falta /usr/bin/time (apt-get install time)" >&2
  exit 2
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

once() { # label command
  /usr/bin/time -f "$1 %e %U %S %M" -a -o "$log" sh -c "$2" >/dev/null 2>&1 || {
    echo "falló: $2" >&2
    exit 1
  }
}

once warmup "$a"
once warmup "$b"
for _ in $(seq "$runs"); do
  once A "$a"
  once B "$b"
done

python3 - "$log" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l[:1] in "AB"]
runs = {k: [(float(e), float(u) + float(s), int(m)) for t, e, u, s, m in rows if t == k] for k in "AB"}
for k in "AB":
    r = runs[k]
    print(f"{k}: wall {statistics.median(x[0] for x in r):.3f} s (min {min(x[0] for x in r):.3f}, "
          f"max {max(x[0] for x in r):.3f}), cpu {statistics.median(x[1] for x in r):.3f} s, "
          f"peak {statistics.median(x[2] for x in r) / 1024:.0f} MiB")
ratios = [a[0] / b[0] for a, b in zip(runs["A"], runs["B"])]
print(f"A/B wall, pair by pair: median {statistics.median(ratios):.3f} "
      f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")
PY
