//! The Skipcheck pages, as two WebAssembly bundles: `checkin` (what an
//! employee or manager loads from their personal link; kept small, so no
//! router) and `leader` (the leader's pages, with a router).
//!
//! `api` does all the HTTP; `components` holds what both bundles show.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod api;
pub mod checkin;
pub mod components;
pub mod estimate;
pub mod leader;
