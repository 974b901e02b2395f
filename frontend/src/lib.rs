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

/// The allocator of both bundles: smaller than the default (dlmalloc), which
/// matters for the check-in's size budget.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
