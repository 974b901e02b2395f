#!/usr/bin/env bash
# Builds both page bundles with Trunk (release: wasm-opt -Oz) into
# frontend/dist/{checkin,leader}, which the server embeds when it is built.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

build() { # bundle, public url
  step "Building the $1 pages"
  trunk --config Trunk.toml build "frontend/$1.html" --dist "frontend/dist/$1" --public-url "$2"
  # Trunk's own JS minifier fails on wasm-bindgen's glue (it logs a warning); terser doesn't.
  for js in "frontend/dist/$1"/*.js; do
    terser "$js" --module --compress --mangle --output "$js"
  done
}
build checkin /checkin/
build leader /
