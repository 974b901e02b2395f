//! The one error type of the API, and the JSON extractor that reports a bad
//! body in the same shape.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::FieldError;
use shared::api::ErrorBody;

/// Everything a request can fail with. Each variant has its status and code;
/// the client never sees more of an internal error than "internal error".
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Some answers need another look.")]
    Validation(Vec<FieldError>),
    #[error("Please log in.")]
    Unauthenticated,
    #[error("The email or password is not right.")]
    InvalidCredentials,
    #[error("Too many attempts. Please wait a moment, then try again.")]
    TooManyAttempts(std::time::Duration),
    #[error("This link is not valid. Ask the person who sent it for a new one.")]
    InvalidLink,
    #[error("This link has expired. Ask the person who sent it for a new one.")]
    ExpiredLink,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("Not found.")]
    NotFound,
    #[error("No such API route.")]
    NoRoute,
    #[error("The meeting has started, so the check-in can no longer be changed.")]
    Locked,
    #[error(
        "Your anonymous answers are already in and can't be changed: nothing links them to you any more."
    )]
    Sealed,
    /// An intranet's identity token was refused: (code, message).
    #[error("{1}")]
    Identity(&'static str, &'static str),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            Self::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            Self::InvalidLink => (StatusCode::NOT_FOUND, "invalid_link"),
            Self::ExpiredLink => (StatusCode::GONE, "expired_link"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::NoRoute => (StatusCode::NOT_FOUND, "no_route"),
            Self::Locked => (StatusCode::CONFLICT, "locked"),
            Self::Sealed => (StatusCode::CONFLICT, "sealed"),
            Self::Identity(code, _) => (StatusCode::UNAUTHORIZED, code),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// `Ok` when a check found no problem, else a validation error naming each field.
pub fn valid(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

impl ApiError {
    /// A problem with one field of a request body.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

/// Collects problems with the fields of one request, so the reader gets
/// every one of them at once.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// Keeps the value, or notes the problem under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
                None
            }
        }
    }

    /// Notes a problem under `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// `Ok` when nothing was noted.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// What a client hears when its text holds a NUL character, which Postgres
/// can't store: refused the same on every database.
pub const NUL_REFUSED: &str = "Text may not contain a NUL character.";

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        // A NUL that reached Postgres by a way the extractors don't look
        // (a path or query value): the client's mistake, not the server's.
        if let sqlx::Error::Database(db) = &e
            && db.code().as_deref() == Some("22021")
        {
            return Self::BadRequest(NUL_REFUSED.to_owned());
        }
        Self::Internal(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(e) = &self {
            // The full chain goes to the log; it holds no request body.
            tracing::error!(error = format!("{e:#}"), "request failed");
        }
        let fields = match &self {
            Self::Validation(fields) => fields.clone(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: code.to_owned(),
            message: self.to_string(),
            fields,
        };
        let mut response = (status, Json(body)).into_response();
        if let Self::TooManyAttempts(wait) = self {
            // Whole seconds, rounded up: never "try again now" too early.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.max(1).into());
        }
        response
    }
}

/// The answer to a request that failed on purpose when no route matched
/// under `/api`: JSON, like every other API error.
pub async fn no_route() -> ApiError {
    ApiError::NoRoute
}

/// `Json` that turns a malformed or mistyped body into our error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge("The request is larger than this API accepts.".to_owned())
                } else {
                    ApiError::BadRequest(rejection.body_text())
                }
            })?;
        let nul = holds_nul(&bytes);
        match Json::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state).await {
            Ok(_) if nul => Err(ApiError::BadRequest(NUL_REFUSED.to_owned())),
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(
                ApiError::TooLarge("The request is larger than this API accepts.".to_owned()),
            ),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

/// Refuses a path or query that holds an encoded NUL (`%00`) before a
/// handler reads it, the same on every database (Postgres can't hold one).
pub async fn refuse_nul(req: Request, next: axum::middleware::Next) -> Response {
    let nul = req
        .uri()
        .path_and_query()
        .is_some_and(|pq| pq.as_str().as_bytes().windows(3).any(|w| w == b"%00"));
    if nul {
        return ApiError::BadRequest(NUL_REFUSED.to_owned()).into_response();
    }
    next.run(req).await
}

/// Whether a JSON text holds an escaped NUL (`\\u0000`) outside an escaped
/// backslash; raw control characters aren't valid JSON, so this is the only way.
fn holds_nul(json: &[u8]) -> bool {
    let mut rest = json;
    while let Some(at) = rest.iter().position(|&b| b == b'\\') {
        if rest[at + 1..].starts_with(b"u0000") {
            return true;
        }
        // Skips the escaped character too, so `\\u0000` in a JSON text is a backslash, then text.
        rest = rest.get(at + 2..).unwrap_or_default();
    }
    false
}

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::holds_nul;

    #[test]
    fn finds_an_escaped_nul_and_only_that() {
        assert!(holds_nul(br#"{"email":"a\u0000b"}"#));
        assert!(holds_nul(br#"["\\\u0000"]"#));
        assert!(!holds_nul(br#"{"email":"a\\u0000b"}"#));
        assert!(holds_nul(br#""\u00001""#));
        assert!(!holds_nul(br#"{"text":"\u0001"}"#));
        assert!(!holds_nul(br#"{"text":"ends with a backslash \\"}"#));
        assert!(!holds_nul(b""));
    }
}
