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

# Clippy lints the workspace's crates as the tests build them, as Clippy's
# README describes (clippy-driver in place of rustc, for workspace members
# only), instead of in check builds of their own: a fresh clone compiled every
# dependency twice more for those (16 of 58 minutes). A lint fails the build
# like a compile error. Every cargo command below builds with it, so they
# share their crates. (The pages above are built without it: it turns MIR
# optimisations off, and the bundles' size counts.)
export RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-Dwarnings"

step "Unit and API tests, linted by Clippy as they build (SQLite and Postgres)"
SKIPCHECK_REQUIRE_PAGES=1 run cargo test --locked -p shared -p backend -p tests

step "Page tests in headless Chromium, linted by Clippy as they build"
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
