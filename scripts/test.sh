#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (native and wasm32), the shared
# rules, the server's unit tests, the API suite on SQLite and on Postgres, the
# page tests in headless Chromium, the end-to-end test in a real browser, and
# the bundle size report. Installs what is missing first.
#
# Postgres: SKIPCHECK_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test)
# must name a server where the user may create databases; each test makes its own.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

log="$(mktemp -d)/test.log"
run() { "$@" 2>&1 | tee -a "$log"; return "${PIPESTATUS[0]}"; }

scripts/setup.sh --test

step "Formatting"
cargo fmt --all --check

step "Building the pages (release, wasm-opt)"
scripts/build-frontend.sh

step "Clippy, native"
cargo clippy --locked --workspace --exclude frontend --all-targets -- -D warnings
step "Clippy, wasm32"
cargo clippy --locked -p frontend -p shared --target wasm32-unknown-unknown --all-targets -- -D warnings

step "Unit and API tests (SQLite and Postgres)"
SKIPCHECK_REQUIRE_PAGES=1 run cargo test --locked -p shared -p backend -p tests

step "Page tests in headless Chromium"
CHROMEDRIVER="$(command -v chromedriver)" run cargo test --locked -p frontend --target wasm32-unknown-unknown

cargo build --locked -q -p backend --bins --examples
step "API fuzzing from the OpenAPI document (schemathesis; SQLite and Postgres)"
run .tools/fuzz-venv/bin/python tests/fuzz/fuzz.py --bin target/debug/skipcheck

step "Benchmark, smoke run (every figure comes out; no goal is enforced)"
run scripts/bench.sh --smoke

step "End to end in Chromium"
run node --test tests/e2e/

step "Bundle sizes (release, brotli)"
node scripts/size-report.mjs --enforce

step "Done"
# One closing line over every runner above.
awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
  /^# pass / { p += $3 } /^# fail / { f += $3 }
  END { printf "\ntests: %d passed, %d failed\n", p, f; exit (f > 0) }
' "$log"
