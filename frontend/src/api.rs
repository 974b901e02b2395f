//! All HTTP the pages do. Every function returns `shared` types, or an
//! [`ApiError`] holding the server's error body.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::FieldError;
use shared::api::{
    Briefing, CheckinView, DraftRequest, ErrorBody, EstimateRequest, EstimateView, LoginRequest,
    Me, MoraleReport, RoundDetail, RoundSummary, Saved, SubmitRequest,
};

/// A request that did not give what was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error.
    Server { status: u16, body: ErrorBody },
    /// The server could not be reached, or answered something unreadable.
    Network(String),
}

impl ApiError {
    /// A sentence for the person.
    pub fn message(&self) -> String {
        match self {
            Self::Server { body, .. } => body.message.clone(),
            Self::Network(_) => {
                "The server could not be reached. Check your connection and try again.".to_owned()
            }
        }
    }

    /// Problems with single fields, if the server named any.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Self::Server { body, .. } => &body.fields,
            Self::Network(_) => &[],
        }
    }

    /// Whether the session is missing or over.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, Self::Server { status: 401, .. })
    }
}

type Result<T> = std::result::Result<T, ApiError>;

fn network(e: gloo_net::Error) -> ApiError {
    ApiError::Network(e.to_string())
}

fn unreadable(what: impl std::fmt::Debug) -> ApiError {
    ApiError::Network(format!("unreadable answer: {what:?}"))
}

/// JSON text for a value. Maps become plain objects, as the server expects.
pub fn to_json<T: Serialize>(value: &T) -> Option<String> {
    let js = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&js).ok().map(String::from)
}

/// A value from JSON text, parsed by the browser.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    let js = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(js).ok()
}

/// The response body as JSON, parsed by the browser, then read into `T`.
async fn body<T: DeserializeOwned>(response: &Response) -> Result<T> {
    let text = response.text().await.map_err(network)?;
    let js = js_sys::JSON::parse(&text).map_err(unreadable)?;
    serde_wasm_bindgen::from_value(js).map_err(unreadable)
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T> {
    if response.ok() {
        return body(&response).await;
    }
    let status = response.status();
    let body = body::<ErrorBody>(&response)
        .await
        .unwrap_or_else(|_| ErrorBody {
            error: "http".to_owned(),
            message: format!("The server answered {status}. Please try again."),
            fields: Vec::new(),
        });
    Err(ApiError::Server { status, body })
}

async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T> {
    read(request.send().await.map_err(network)?).await
}

async fn send_json<B: Serialize, T: DeserializeOwned>(
    request: RequestBuilder,
    body: &B,
) -> Result<T> {
    let text = to_json(body)
        .ok_or_else(|| ApiError::Network("could not encode the request".to_owned()))?;
    let request = request
        .header("Content-Type", "application/json")
        .body(text)
        .map_err(network)?;
    read(request.send().await.map_err(network)?).await
}

fn bearer(request: RequestBuilder, token: &str) -> RequestBuilder {
    request.header("Authorization", &format!("Bearer {token}"))
}

/// The employee's check-in.
pub async fn checkin(token: &str) -> Result<CheckinView> {
    send(bearer(Request::get("/api/checkin"), token)).await
}

/// Saves the confidential answers typed so far.
pub async fn save_draft(token: &str, body: &DraftRequest) -> Result<Saved> {
    send_json(bearer(Request::put("/api/checkin/draft"), token), body).await
}

/// Submits the check-in.
pub async fn submit(token: &str, body: &SubmitRequest) -> Result<Saved> {
    send_json(bearer(Request::post("/api/checkin/submit"), token), body).await
}

/// A manager's perception form.
pub async fn estimate(token: &str) -> Result<EstimateView> {
    send(bearer(Request::get("/api/estimate"), token)).await
}

/// Saves a manager's estimate.
pub async fn save_estimate(token: &str, body: &EstimateRequest) -> Result<EstimateView> {
    send_json(bearer(Request::put("/api/estimate"), token), body).await
}

/// Logs in; the server sets the session cookie.
pub async fn login(body: &LoginRequest) -> Result<Me> {
    send_json(Request::post("/api/session"), body).await
}

/// Logs out.
pub async fn logout() -> Result<()> {
    let response = Request::delete("/api/session")
        .send()
        .await
        .map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        Err(ApiError::Network(response.status_text()))
    }
}

/// The logged-in account.
pub async fn me() -> Result<Me> {
    send(Request::get("/api/me")).await
}

/// The leader's rounds.
pub async fn rounds() -> Result<Vec<RoundSummary>> {
    send(Request::get("/api/rounds")).await
}

/// One round with its meetings.
pub async fn round(id: &str) -> Result<RoundDetail> {
    send(Request::get(&format!("/api/rounds/{id}"))).await
}

/// A round's anonymous figures and managers' estimates.
pub async fn morale(id: &str) -> Result<MoraleReport> {
    send(Request::get(&format!("/api/rounds/{id}/morale"))).await
}

/// One meeting's briefing.
pub async fn briefing(id: &str) -> Result<Briefing> {
    send(Request::get(&format!("/api/meetings/{id}"))).await
}
