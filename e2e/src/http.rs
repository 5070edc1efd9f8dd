//! A minimal HTTP/1.0 client over a TCP stream: enough to read the server's API
//! from the journeys without another HTTP stack.

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Body as text.
    pub body: String,
}

/// `GET url`, with a bearer token if given. Only `http://host:port/path` URLs.
pub async fn get(url: &str, token: Option<&str>) -> anyhow::Result<Response> {
    request("GET", url, token, None).await
}

/// `POST url` with a JSON body.
pub async fn post_json(url: &str, token: Option<&str>, body: &str) -> anyhow::Result<Response> {
    request("POST", url, token, Some(body)).await
}

/// `PUT url` with a JSON body.
pub async fn put_json(url: &str, token: Option<&str>, body: &str) -> anyhow::Result<Response> {
    request("PUT", url, token, Some(body)).await
}

async fn request(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> anyhow::Result<Response> {
    let rest = url.strip_prefix("http://").context("only http:// URLs")?;
    let (authority, path) = rest
        .split_once('/')
        .map(|(a, p)| (a, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut stream = TcpStream::connect(authority)
        .await
        .with_context(|| format!("cannot connect to {authority}"))?;
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {authority}\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    if let Some(body) = body {
        stream.write_all(body.as_bytes()).await?;
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        bail!("malformed HTTP response from {url}")
    };
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("no status line in the response from {url}"))?;
    Ok(Response {
        status,
        body: body.to_owned(),
    })
}
