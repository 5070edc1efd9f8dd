//! Calls to the widget API (`/api/widget/v1`): JSON in with `JSON.stringify`,
//! JSON out read with `Reflect`, so no serde types are compiled into the wasm.

use js_sys::{JSON, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Where the API is and which site this is.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Origin of the Waymark server.
    pub api: String,
    /// The site key (`pk_…`).
    pub site: String,
}

impl Endpoint {
    /// `{api}/api/widget/v1{path}?site=…{extra}`.
    pub fn url(&self, path: &str, extra: &str) -> String {
        format!(
            "{}/api/widget/v1{path}?site={}{extra}",
            self.api,
            js_sys::encode_uri_component(&self.site)
        )
    }
}

/// The protocol version every request carries (`v`), core's `PROTOCOL_VERSION`.
pub fn version() -> JsValue {
    JsValue::from(waymark_core::wire::PROTOCOL_VERSION)
}

/// A JSON object from key/value pairs.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        if !value.is_undefined() {
            let _ = Reflect::set(&object, &JsValue::from_str(key), value);
        }
    }
    object.into()
}

/// `object[key]` (undefined when missing).
pub fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key]` as a string, empty when missing.
pub fn text(object: &JsValue, key: &str) -> String {
    get(object, key).as_string().unwrap_or_default()
}

/// A string value, or undefined (left out of the JSON) when empty.
pub fn optional(value: &str) -> JsValue {
    if value.is_empty() {
        JsValue::UNDEFINED
    } else {
        JsValue::from_str(value)
    }
}

/// What an API call answered: the parsed body, or `Err` (see [`call`]).
pub type Answer = Result<JsValue, ()>;

/// Calls the API and hands the answer to `done`. Every API call of the panel
/// goes through this one spawned future (a future per call site would each
/// cost the wasm its own task machinery).
pub fn then(
    url: String,
    method: &'static str,
    body: Option<JsValue>,
    token: Option<String>,
    done: impl FnOnce(Answer) + 'static,
) {
    spawn_call(url, method, body, token, Box::new(done));
}

fn spawn_call(
    url: String,
    method: &'static str,
    body: Option<JsValue>,
    token: Option<String>,
    done: Box<dyn FnOnce(Answer)>,
) {
    wasm_bindgen_futures::spawn_local(async move {
        done(call(&url, method, body.as_ref(), token.as_deref()).await);
    });
}

/// Calls the API; `Ok` with the parsed body (null when empty), `Err` when the
/// network failed or the status was not 2xx.
pub async fn call(
    url: &str,
    method: &str,
    body: Option<&JsValue>,
    token: Option<&str>,
) -> Result<JsValue, ()> {
    let json = match body {
        Some(body) => Some(JSON::stringify(body).map_err(|_| ())?),
        None => None,
    };
    let response = send(url, method, json.as_ref().map(|j| j.as_ref()), token)
        .await
        .map_err(|_| ())?;
    let body = wasm_bindgen_futures::JsFuture::from(response.text().map_err(|_| ())?)
        .await
        .map_err(|_| ())?
        .as_string()
        .unwrap_or_default();
    if body.is_empty() {
        return Ok(JsValue::NULL);
    }
    JSON::parse(&body).map_err(|_| ())
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Worth sending again (the network failed, or 408, 429, 5xx), after the
    /// server's `Retry-After` in ms if it sent one.
    Retry(Option<u32>),
    /// The server refused the request itself (any other 4xx): the same request
    /// sent again would be refused again.
    Refused,
}

impl Failure {
    /// What an HTTP status other than 2xx means for the request.
    pub fn of_status(status: u16, retry_after_ms: Option<u32>) -> Self {
        if (400..500).contains(&status) && status != 408 && status != 429 {
            Failure::Refused
        } else {
            Failure::Retry(retry_after_ms)
        }
    }
}

/// Sends a request (JSON body, bearer token, `keepalive` so it survives the
/// page going away); `Ok` with a 2xx response, else why it failed.
pub async fn send(
    url: &str,
    method: &str,
    json: Option<&JsValue>,
    token: Option<&str>,
) -> Result<web_sys::Response, Failure> {
    let network = Failure::Retry(None);
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| network)?;
    if let Some(json) = json {
        init.set_body(json);
        let _ = headers.set("content-type", "application/json");
    }
    if let Some(token) = token {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    init.set_headers(&headers);
    let _ = Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    let window = web_sys::window().ok_or(network)?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| network)?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| network)?;
    if response.ok() {
        return Ok(response);
    }
    let retry_after_ms = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map(|seconds| seconds.saturating_mul(1_000));
    Err(Failure::of_status(response.status(), retry_after_ms))
}

#[cfg(test)]
mod tests {
    use super::Failure;

    #[test]
    fn only_timeouts_rate_limits_and_server_errors_are_retried() {
        assert_eq!(Failure::of_status(400, None), Failure::Refused);
        assert_eq!(Failure::of_status(413, None), Failure::Refused);
        assert_eq!(Failure::of_status(422, None), Failure::Refused);
        assert_eq!(Failure::of_status(408, None), Failure::Retry(None));
        assert_eq!(
            Failure::of_status(429, Some(3_000)),
            Failure::Retry(Some(3_000))
        );
        assert_eq!(Failure::of_status(503, None), Failure::Retry(None));
    }
}
