#!/usr/bin/env bash
# Live-reload latency of `informe serve` on the synthetic report.
#
#   benches/reload-latency.sh [PAGES] [EDITS]      (default 1000 pages, 10 edits)
#
# Starts `informe serve --port 0` on a synthetic report (examples/sintetico.rs), opens the SSE
# stream GET /__informe/eventos, then EDITS times: rewrites the last quarter's last unit file
# with a new first sentence in its objective, measures the time from the write to the
# `data: recargar` line (watcher quiet spell of 25 ms + rebuild + event), and fails unless the
# unit's page then shows the new sentence. Content, binary, theme copy and serve's preview
# folder all live under BENCH_DIR (default /dev/shm). Prints each edit's latency, then
# min / median / max, then the rebuild times serve itself logged ("Compilado: N páginas en
# X ms"). PAUSE (seconds, default 0.5) is the wait after each reload before the next edit;
# serve re-indexes search in the background after each reload (on one core), so a PAUSE
# shorter than that (about 3 s at 1,000 pages) measures edits that compete with indexing.
# INFORME_TIEMPOS=1 keeps serve's log, with each rebuild's phase timings, as
# BENCH_DIR/reload-serve.log.
set -euo pipefail
cd "$(dirname "$0")/.."

pages=${1:-1000}
edits=${2:-10}
cargo build --release --quiet --bin informe --example sintetico
bin=${CARGO_TARGET_DIR:-target}/release

work=$(mktemp -d "${BENCH_DIR:-/dev/shm}/informe-reload.XXXXXX")
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cp "$bin/informe" "$work/informe"
cp -r theme "$work/theme"
"$bin/examples/sintetico" --paginas "$pages" --salida "$work/gen" >/dev/null
content=$work/gen/informe/content

# serve previews into $TMPDIR/informe-vista-previa-<pid> and does not delete it when killed:
# keep it inside $work so the cleanup removes it.
mkdir "$work/tmp"
TMPDIR=$work/tmp INFORME_TIEMPOS=${INFORME_TIEMPOS:-} "$work/informe" serve --content "$content" --theme "$work/theme" --port 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 600); do
  grep -q '^Compilado' "$work/serve.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.2
done
url=$(sed -nE '1s/^Sirviendo en (http:[^ ]+).*/\1/p' "$work/serve.out")
echo "serve: $url, first build: $(grep '^Compilado' "$work/serve.out")"
unit=$(find "$content/informes" -name '*.yaml' -path '*unidades*' | sort | tail -1)

python3 - "$url" "$unit" "$edits" "${PAUSE:-0.5}" <<'PY'
import socket, statistics, sys, time, urllib.parse

url, unit, edits = sys.argv[1], sys.argv[2], int(sys.argv[3])
pause = float(sys.argv[4])
u = urllib.parse.urlparse(url)
s = socket.create_connection((u.hostname, u.port))
s.sendall(f"GET /__informe/eventos HTTP/1.1\r\nHost: {u.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode())
buf = b""

def wait_for(token, timeout):
    global buf
    s.settimeout(timeout)
    while token not in buf:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("the event stream closed")
        buf += chunk
    buf = buf[buf.index(token) + len(token):]

wait_for(b": conectado\n\n", 10)
lat = []
# informes/2024-t4/unidades/uaa.yaml → /informes/2024/t4/uaa/
parts = unit.split("/")
year, quarter = parts[-3].split("-")
page = f"/informes/{year}/{quarter}/{parts[-1].removesuffix('.yaml')}/"
with open(unit, encoding="utf-8") as f:
    original = f.read()
if "objetivo: |\n  " not in original:
    sys.exit(f"{unit}: no `objetivo: |` block to edit")

def fetch(path):
    c = socket.create_connection((u.hostname, u.port))
    c.sendall(f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nConnection: close\r\n\r\n".encode())
    body = b""
    while chunk := c.recv(65536):
        body += chunk
    c.close()
    return body.decode("utf-8", "replace")

for i in range(edits):
    # A visible edit: the unit's objective, shown on its page and in the print version.
    marker = f"Edición de prueba {i}."
    t0 = time.perf_counter()
    with open(unit, "w", encoding="utf-8") as f:
        f.write(original.replace("objetivo: |\n  ", f"objetivo: |\n  {marker} ", 1))
    wait_for(b"data: recargar\n\n", 600)
    ms = (time.perf_counter() - t0) * 1000
    lat.append(ms)
    if marker not in fetch(page):
        sys.exit(f"edit {i + 1}: {page} does not show the edit after the reload event")
    print(f"edit {i + 1}: {ms:.0f} ms ({page} shows it)", flush=True)
    time.sleep(pause)
print(f"reload latency over {edits} edits: min {min(lat):.0f} ms, median {statistics.median(lat):.0f} ms, max {max(lat):.0f} ms")
PY
# With INFORME_TIEMPOS=1, serve's log (phase timings of each rebuild) is kept for reading.
if [ -n "${INFORME_TIEMPOS:-}" ]; then cp "$work/serve.err" "${BENCH_DIR:-/dev/shm}/reload-serve.log"; fi
grep '^Compilado' "$work/serve.err" | sed -E 's/.* en ([0-9]+) ms/\1/' | sort -n |
  awk '{a[NR]=$1} END {if (NR) printf "rebuilds inside serve (from its log): %d, min %d ms, median %d ms\n", NR, a[1], a[int((NR+1)/2)]}'
