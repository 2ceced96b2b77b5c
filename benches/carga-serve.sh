#!/usr/bin/env bash
# A bounded load on `informe serve`, only against 127.0.0.1: 200 concurrent keep-alive
# clients for DURATION seconds (default 5) while the content is edited (3 rebuilds), then the
# request count, errors and latency percentiles as wrk prints them.
#   benches/carga-serve.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}
command -v wrk >/dev/null 2>&1 || apt-get install -y wrk >/dev/null
cargo build --release --locked --quiet
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
cp -r content "$work/content"
"$bin/informe" serve --content "$work/content" --theme theme --port 0 >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q Sirviendo "$work/serve.log" && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2)
(sleep 1; for _ in 1 2 3; do touch "$work/content/informes/2023-t2/unidades/uaa.yaml"; sleep 1; done) &
wrk -t2 -c200 -d"${duration}s" --latency "http://127.0.0.1:$port/informes/2023/t2/dsepd/"
echo "rebuilds during the load: $(( $(grep -c Compilado "$work/serve.log") - 1 ))"
