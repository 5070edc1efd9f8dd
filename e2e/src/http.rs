//! Reading the server's API from the journeys, over reqwest: a response is its
//! status and its body as text, so a journey can assert on both.

use anyhow::Context;

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Body as text.
    pub body: String,
}

/// `GET url`, with a bearer token if given.
pub async fn get(url: &str, token: Option<&str>) -> anyhow::Result<Response> {
    send(client()?.get(url), url, token, None).await
}

/// `POST url` with a JSON body.
pub async fn post_json(url: &str, token: Option<&str>, body: &str) -> anyhow::Result<Response> {
    send(client()?.post(url), url, token, Some(body)).await
}

/// `PUT url` with a JSON body.
pub async fn put_json(url: &str, token: Option<&str>, body: &str) -> anyhow::Result<Response> {
    send(client()?.put(url), url, token, Some(body)).await
}

fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")
}

async fn send(
    request: reqwest::RequestBuilder,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> anyhow::Result<Response> {
    let mut request = request;
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("request to {url} failed"))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .with_context(|| format!("cannot read the response body from {url}"))?;
    Ok(Response { status, body })
}
