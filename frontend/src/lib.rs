//! The Skipcheck pages, as four WebAssembly bundles: `checkin` (what an
//! employee loads from their personal link; kept small, so no router),
//! `leader` (the leader's pages and the manager's form, with a router),
//! `insights` (the leader's round reports and trends, with their charts) and
//! `admin` (setup, people and accounts). `shell` holds what the last two share.
//!
//! `api` does all the HTTP; `components` holds what both bundles show.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod account;
pub mod admin;
pub mod api;
pub mod charts;
pub mod checkin;
pub mod components;
pub mod embed_settings;
pub mod estimate;
pub mod forms;
pub mod i18n;
pub mod insights;
pub mod leader;
pub mod meeting;
pub mod series;
pub mod shell;
pub mod template_editor;
pub mod themes;

/// The allocator of both bundles: smaller than the default (dlmalloc), which
/// matters for the check-in's size budget.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
