#!/usr/bin/env bash
# Installs what is missing, builds, creates the demo organisation on first
# start (SQLite in ./data) and serves the app. Quick when everything is there.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

scripts/setup.sh
scripts/build-frontend.sh
step "Building the server"
cargo build --locked -p backend

data="${SKIPCHECK_DATA_DIR:-data}"
mkdir -p "$data"
links="$data/demo-links.txt"
if [ ! -s "$links" ] || [ ! -f "$data/skipcheck.db" ]; then
  step "Creating the demo organisation"
  # The links carry secret tokens: keep the file to yourself.
  (umask 077 && target/debug/skipcheck demo --reset --data-dir "$data" > "$links")
fi
cat "$links"
echo
step "Serving; press Ctrl-C to stop"
exec target/debug/skipcheck serve --data-dir "$data"
