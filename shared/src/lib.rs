//! What the Skipcheck server and its pages must agree on: the shape of templates,
//! answers and API payloads, and the validation rules both sides apply, so a field
//! the page accepts is a field the server accepts.
//!
//! This crate depends on serde only; it builds for wasm32 and native alike.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod admin;
pub mod api;
pub mod embed;
pub mod meeting;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod people;
pub mod series;
pub mod template;
pub mod templates;
pub mod text;
pub mod validate;

pub use people::Email;
pub use template::{Answer, Answers, Question, QuestionKind, Section, Template, Visibility};
pub use validate::{AnonymityThreshold, AnswerError, FieldError, Mode, Score};
