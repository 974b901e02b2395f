#!/usr/bin/env bash
# Installs whatever is missing, from package registries only (crates.io, npm,
# Debian), and does nothing when everything is there. `--test` adds what the
# tests need: Chromium and ChromeDriver, HAProxy, psql, wrk, schemathesis.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# The pinned toolchain, with the wasm32 target (rust-toolchain.toml).
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown

if [ "$(trunk --version 2>/dev/null)" != "trunk 0.21.14" ]; then
  step "Installing Trunk 0.21.14 (a few minutes, once)"
  # 0.22 needs a newer rustc than the pinned one.
  cargo install --locked trunk --version 0.21.14
fi

wbg="$(wasm_bindgen_version)"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
  step "Installing wasm-bindgen-cli $wbg (about two minutes, once)"
  # Without --locked: its own lockfile names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$wbg" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing npm tools (binaryen 132 for wasm-opt, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$want_test" = 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
   || ! command -v haproxy >/dev/null || ! command -v psql >/dev/null || ! command -v wrk >/dev/null; }; then
  step "Installing Chromium, ChromeDriver, HAProxy, psql and wrk from Debian"
  sudo_cmd=""
  [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq \
    chromium chromium-driver haproxy postgresql-client wrk >/dev/null
fi

fuzz_venv=.tools/fuzz-venv
if [ "$want_test" = 1 ] && ! cmp -s tests/fuzz/requirements.txt "$fuzz_venv/requirements.txt"; then
  step "Installing schemathesis from PyPI (the API fuzzer, once)"
  python3 -m venv "$fuzz_venv"
  "$fuzz_venv/bin/pip" install -q --disable-pip-version-check -r tests/fuzz/requirements.txt
  cp tests/fuzz/requirements.txt "$fuzz_venv/requirements.txt"
fi

# Trunk builds offline; fetch the crates once (quick when they are there).
cargo fetch --locked -q
