//! The agent API over `fetch`: same-origin cookies, the CSRF token on every
//! write, answers read as JSON, errors as the API's `{error: {code, message}}`.

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

use crate::model::ApiErrorBody;

thread_local! {
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers the session's CSRF token (after login or `me`); `None` forgets it.
pub fn set_csrf(token: Option<String>) {
    CSRF.with(|csrf| *csrf.borrow_mut() = token);
}

/// A call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status (0: the network failed).
    pub status: u16,
    /// The API's stable code.
    pub code: String,
    /// Its message.
    pub message: String,
    /// `Retry-After`, in seconds, when given.
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    fn network(err: JsValue) -> Self {
        Self {
            status: 0,
            code: "network".into(),
            message: format!("The server could not be reached ({err:?})."),
            retry_after_secs: None,
        }
    }
}

/// One answer: the body and the next page's cursor, when the queue sent one.
pub struct Answer<T> {
    /// The body.
    pub body: T,
    /// `X-Next-Cursor`.
    pub next_cursor: Option<String>,
}

/// `GET path`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    Ok(call("GET", path, None).await?.body)
}

/// `GET path`, with the page cursor.
pub async fn get_page<T: DeserializeOwned>(path: &str) -> Result<Answer<T>, ApiError> {
    call("GET", path, None).await
}

/// A write (`POST`, `PUT`, `DELETE`) with a JSON body.
pub async fn send<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<T, ApiError> {
    Ok(call(method, path, body).await?.body)
}

async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<Answer<T>, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(ApiError::network)?;
    headers
        .set("accept", "application/json")
        .map_err(ApiError::network)?;
    if method != "GET"
        && let Some(token) = CSRF.with(|csrf| csrf.borrow().clone())
    {
        headers
            .set("x-csrf-token", &token)
            .map_err(ApiError::network)?;
    }
    if let Some(body) = body {
        headers
            .set("content-type", "application/json")
            .map_err(ApiError::network)?;
        init.set_body(&JsValue::from_str(&body.to_string()));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(ApiError::network)?;
    let window = web_sys::window().ok_or_else(|| ApiError::network(JsValue::NULL))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(ApiError::network)?
        .dyn_into()
        .map_err(ApiError::network)?;
    let status = response.status();
    let next_cursor = response.headers().get("x-next-cursor").ok().flatten();
    let retry_after_secs = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok());
    let text = JsFuture::from(response.text().map_err(ApiError::network)?)
        .await
        .map_err(ApiError::network)?
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        let (code, message) = match serde_json::from_str::<ApiErrorBody>(&text) {
            Ok(body) => (body.error.code, body.error.message),
            Err(_) => ("http".to_owned(), format!("The server answered {status}.")),
        };
        return Err(ApiError {
            status,
            code,
            message,
            retry_after_secs,
        });
    }
    let json = if text.trim().is_empty() {
        "null"
    } else {
        &text
    };
    let body = serde_json::from_str(json).map_err(|err| ApiError {
        status,
        code: "unreadable".into(),
        message: format!("The answer could not be read: {err}"),
        retry_after_secs: None,
    })?;
    Ok(Answer { body, next_cursor })
}
