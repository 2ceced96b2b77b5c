#!/usr/bin/env bash
# Runs every check of the project, as CI does: formatting, lints, docs, the test suite, and a
# determinism check of the shipped report. Installs what it needs when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# A clean clone compiles everything once: incremental data would only take disk, and a CI
# machine's disk has run out before (see [profile.dev] in Cargo.toml).
if [ "${CI:-}" = "true" ]; then
  export CARGO_INCREMENTAL=0
fi
echo "free disk: $(df -Ph . | awk 'NR == 2 { print $4 }')"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet

step "cargo test"
cargo test --locked

step "fuzz targets build and replay their seeds and past crashes (fuzz/ci.sh)"
fuzz/ci.sh

step "the shipped report builds twice to identical bytes"
cargo build --release --locked --quiet
informe="${CARGO_TARGET_DIR:-target}/release/informe"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$informe" build --output "$tmp/a" >/dev/null 2>"$tmp/a.log"
TZ=America/Mexico_City LANG=es_MX.UTF-8 "$informe" build --output "$tmp/b" >/dev/null 2>"$tmp/b.log"
diff -r "$tmp/a" "$tmp/b"
echo "identical: $(find "$tmp/a" -type f | wc -l) files"

step "open data: every datapackage.json validates with frictionless"
if ! command -v frictionless >/dev/null 2>&1; then
  python3 -m pip install --quiet frictionless || true
fi
if command -v frictionless >/dev/null 2>&1; then
  for pkg in "$tmp"/a/datos/*/datapackage.json; do
    frictionless validate "$pkg" >"$tmp/frictionless.log" 2>&1 || { cat "$tmp/frictionless.log"; exit 1; }
    echo "valid: ${pkg#"$tmp"/a/}"
  done
elif [ "${CI:-}" = "true" ]; then
  echo "frictionless could not be installed" >&2
  exit 1
else
  echo "SKIPPED: frictionless is not installed and could not be installed"
fi

step "end-to-end: axe WCAG 2.1 AA, 375/1280 px, keyboard, Nu HTML checker, links (tests/e2e/run.sh)"
tests/e2e/run.sh

step "search: Pagefind in headless Chromium finds Spanish words with and without accents"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
search() { # CONTENT CASES [BUILD FLAGS]: build CONTENT, serve it, run buscar.cjs's CASES on it
  "$informe" build --content "$1" --base-url "http://127.0.0.1:$port/" --output "$tmp/buscar-$2" "${@:3}" >/dev/null 2>&1
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp/buscar-$2" >/dev/null 2>&1 &
  server=$!
  # Wait until this server answers with this site: a fixed second once let the first query
  # run before it was ready, and that case found nothing.
  for _ in $(seq 50); do
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
      "http://127.0.0.1:$port/pagefind/pagefind-entry.json" 2>/dev/null && break
    sleep 0.2
  done
  (cd tests/e2e && node buscar.cjs "http://127.0.0.1:$port/" "$2")
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
search tests/fixtures/minimo/content minimo
# The shipped report: what every page repeats (publication data, download links) is not searched.
search content informe
# An index in three parts, one per quarter, merged by the search page.
search tests/fixtures/historia/content historia --paginas-por-parte 1

echo "target folder: $(du -sh "${CARGO_TARGET_DIR:-target}" | cut -f1)"
step "all checks passed in ${SECONDS} s"
