#!/usr/bin/env bash
# The example intranet on http://127.0.0.1:8090, embedding the demo's check-in
# (start the app first with scripts/start.sh). It signs who is viewing with
# the demo's secret, read from data/demo-links.txt.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

links="${SKIPCHECK_DATA_DIR:-data}/demo-links.txt"
[ -s "$links" ] || { echo "No demo yet: run scripts/start.sh first." >&2; exit 1; }
SKIPCHECK_ORG="$(awk '/^  organisation: / { print $2 }' "$links")"
SKIPCHECK_EMBED_SECRET="$(awk '/^  secret: / { print $2 }' "$links")"
if [ -z "$SKIPCHECK_ORG" ] || [ -z "$SKIPCHECK_EMBED_SECRET" ]; then
  echo "$links is from an older demo: remove it and run scripts/start.sh again." >&2
  exit 1
fi
export SKIPCHECK_ORG SKIPCHECK_EMBED_SECRET
exec node frontend/embed/example/intranet.mjs
