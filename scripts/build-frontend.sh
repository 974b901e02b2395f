#!/usr/bin/env bash
# Builds the four page bundles with Trunk (release: wasm-opt -Oz) into
# frontend/dist/{checkin,leader,admin,insights}, which the server embeds when it is built.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

build() { # bundle, public url
  local index="frontend/dist/$1/index.html"
  # Up to date: nothing that goes into the pages is newer than the last build.
  # (Skipping also spares the server a rebuild, since it embeds these files.)
  if [ -f "$index" ] && [ -z "$(find frontend/src frontend/style frontend/*.html frontend/Cargo.toml \
        shared/src shared/Cargo.toml Cargo.toml Cargo.lock Trunk.toml -newer "$index" -print -quit)" ]; then
    step "The $1 pages are up to date"
    return
  fi
  step "Building the $1 pages"
  trunk --config Trunk.toml build "frontend/$1.html" --dist "frontend/dist/$1" --public-url "$2"
  # Trunk's own JS minifier fails on wasm-bindgen's glue (it logs a warning); terser doesn't.
  for js in "frontend/dist/$1"/*.js; do
    terser "$js" --module --compress --mangle --output "$js"
  done
}
build checkin /checkin/
build leader /
build admin /admin/
build insights /insights/
build templates /templates/
