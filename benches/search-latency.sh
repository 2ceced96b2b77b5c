#!/usr/bin/env bash
# What the search index costs a citizen: the synthetic report built, served locally and
# searched in headless Chromium (benches/search-latency.cjs: page load to every result
# linked, nothing cached), with the index in its default parts (500 pages) and in parts of
# 100 pages; with BASELINE=<another informe binary> (e.g. one built before the index came in
# parts), with that binary too.
#
#   benches/search-latency.sh [PAGES] [ROUNDS]     (default 1000 and 5)
#
# Needs /usr/bin/chromium and tests/e2e's npm packages (`npm ci` in tests/e2e; the test
# command installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

pages=${1:-1000}
rounds=${2:-5}
cargo build --release --quiet --bin informe --example sintetico
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d "${BENCH_DIR:-/dev/shm}/informe-busqueda.XXXXXX")
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin/examples/sintetico" --paginas "$pages" --salida "$work/gen" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Words of the synthetic activities, and one of every unit's titles.
queries=(capacitacion expedientes "declaraciones patrimoniales" oficio)
runs=("$bin/informe|--paginas-por-parte 500" "$bin/informe|--paginas-por-parte 100")
[ -n "${BASELINE:-}" ] && runs+=("$BASELINE|")
for run in "${runs[@]}"; do
  informe=${run%%|*} flags=${run#*|}
  out=$work/out-$(date +%s%N)
  # shellcheck disable=SC2086 # the flags are words
  "$informe" build --content "$work/gen/informe/content" --theme theme --output "$out" \
    --base-url "http://127.0.0.1:$port/" $flags >/dev/null
  parts=1
  if [ -f "$out/pagefind/partes.js" ]; then
    parts=$((1 + $(grep -o 'parte-' "$out/pagefind/partes.js" | wc -l || true)))
  fi
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$out" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 50); do
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
      "http://127.0.0.1:$port/pagefind/pagefind-entry.json" 2>/dev/null && break
    sleep 0.2
  done
  echo "$informe $flags: $parts part(s), $(du -sh "$out/pagefind" | cut -f1) of index"
  NODE_PATH=tests/e2e/node_modules node benches/search-latency.cjs \
    "http://127.0.0.1:$port/" "$rounds" "${queries[@]}"
  kill "$server"
  wait "$server" 2>/dev/null || true
done
