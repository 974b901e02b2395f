#!/usr/bin/env bash
# The benchmark (README, "Benchmarks"): builds the release server and the
# raw-transaction reference, then runs scripts/bench/bench.mjs, which prints
# the results table and writes target/bench/results.{md,json}. Takes a few
# minutes: it generates a 10 000-person organisation with 20 rounds on
# SQLite and on Postgres (SKIPCHECK_TEST_POSTGRES, as the tests).
#
#   scripts/bench.sh                       # everything, both databases
#   scripts/bench.sh --databases sqlite    # any option of bench.mjs
#   scripts/bench.sh --smoke               # a short run on the debug build
#                                          # that checks every figure comes out
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

profile=release
for arg in "$@"; do [ "$arg" = --smoke ] && profile=debug; done

scripts/setup.sh --test
if [ ! -d scripts/bench/node_modules/lighthouse ] \
   || [ scripts/bench/package-lock.json -nt scripts/bench/node_modules/.package-lock.json ]; then
  step "Installing Lighthouse, the benchmark's page timer, from npm"
  npm ci --prefix scripts/bench --no-audit --no-fund --loglevel=error
fi
[ -d frontend/dist/checkin ] || scripts/build-frontend.sh

if [ "$profile" = release ]; then
  step "Building the release server and the reference"
  cargo build --locked -q --release -p backend --bins --examples
else
  cargo build --locked -q -p backend --bins --examples
fi
step "Measuring"
node scripts/bench/bench.mjs --bin "target/$profile/skipcheck" --raw "target/$profile/examples/raw_txn" "$@"
