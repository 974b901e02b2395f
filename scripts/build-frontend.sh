#!/usr/bin/env bash
# Builds both page bundles with Trunk (release: wasm-opt -Oz) into
# frontend/dist/{checkin,leader}, which the server embeds when it is built.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

build() { # bundle, public url
  step "Building the $1 pages"
  trunk --config Trunk.toml build "frontend/$1.html" --dist "frontend/dist/$1" --public-url "$2"
}
build checkin /checkin/
build leader /
