#!/usr/bin/env bash
# Builds the page bundles with Trunk (release: wasm-opt -Oz) into
# frontend/dist/{checkin,leader,admin,insights,templates}, which the server
# embeds when it is built. Only the bundles older than what goes into them.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# One bundle: Trunk (its cargo step finds the bin built), then terser.
optimise() {
  local public_url="/$1/"
  [ "$1" = leader ] && public_url=/
  trunk --config Trunk.toml build "frontend/$1.html" --dist "frontend/dist/$1" --public-url "$public_url"
  # Trunk's own JS minifier fails on wasm-bindgen's glue (it logs a warning); terser doesn't.
  for js in "frontend/dist/$1"/*.js; do
    terser "$js" --module --compress --mangle --output "$js"
  done
}
export -f optimise

stale=()
for bundle in checkin leader admin insights templates; do
  index="frontend/dist/$bundle/index.html"
  # Up to date: nothing that goes into the pages is newer than the last build.
  # (Skipping also spares the server a rebuild, since it embeds these files.)
  if [ -f "$index" ] && [ -z "$(find frontend/src frontend/style frontend/*.html frontend/Cargo.toml \
        shared/src shared/Cargo.toml Cargo.toml Cargo.lock Trunk.toml -newer "$index" -print -quit)" ]; then
    step "The $bundle pages are up to date"
  else
    stale+=("$bundle")
  fi
done
[ ${#stale[@]} -eq 0 ] && exit 0

# All the stale bins in one cargo run, as Trunk would build each (same
# profile, target and flags, so its own cargo step then has nothing to do):
# cargo links two at once, where Trunk runs would take turns.
step "Compiling the pages: ${stale[*]}"
cargo build --locked --offline --profile wasm-release --target wasm32-unknown-unknown \
  --manifest-path frontend/Cargo.toml $(printf -- '--bin %s ' "${stale[@]}")

# Then wasm-bindgen and wasm-opt (most of the time, each mostly on one
# core), two bundles at a time, each line marked with its bundle.
step "Optimising the pages, two at a time"
printf '%s\n' "${stale[@]}" |
  xargs -P 2 -I '{}' bash -c 'set -eo pipefail; optimise "$1" 2>&1 | sed -u "s/^/[$1] /"' _ '{}'
