//! A minimal HTTP/1.1 client for the optional OpenAI-compatible draft rewrite: one
//! POST per draft over a plain TCP connection (`http://` only; put a TLS-terminating
//! proxy in front of a remote `https://` endpoint).

use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use waymark_knowledge::drafts::DraftRewriter;

/// How long one rewrite request may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest response body accepted.
const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// An OpenAI-compatible chat-completions endpoint.
#[derive(Debug, Clone)]
pub struct ChatEndpoint {
    host: String,
    port: u16,
    path: String,
    api_key: Option<String>,
}

impl ChatEndpoint {
    /// Parses `http://host[:port]/path`.
    pub fn new(url: &str, api_key: Option<String>) -> anyhow::Result<ChatEndpoint> {
        let Some(rest) = url.strip_prefix("http://") else {
            bail!("rewrite URL {url:?} must start with http:// (use a local proxy for https)");
        };
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/v1/chat/completions"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .with_context(|| format!("bad port in {url:?}"))?,
            ),
            None => (authority, 80),
        };
        if host.is_empty() {
            bail!("rewrite URL {url:?} has no host");
        }
        Ok(ChatEndpoint {
            host: host.to_string(),
            port,
            path: path.to_string(),
            api_key,
        })
    }

    /// POSTs a JSON body and returns the response body of a 2xx answer.
    pub async fn post(&self, body: &str) -> anyhow::Result<String> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(body))
            .await
            .context("rewrite endpoint timed out")?
    }

    async fn exchange(&self, body: &str) -> anyhow::Result<String> {
        let mut stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .with_context(|| format!("cannot connect to {}:{}", self.host, self.port))?;
        let authorization = match &self.api_key {
            Some(key) => format!("Authorization: Bearer {key}\r\n"),
            None => String::new(),
        };
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json\r\n{authorization}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.path,
            self.host,
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream
            .take(MAX_RESPONSE_BYTES)
            .read_to_end(&mut raw)
            .await?;
        parse_response(&raw)
    }
}

impl DraftRewriter for ChatEndpoint {
    fn complete(
        &self,
        request_body: String,
    ) -> impl std::future::Future<Output = Result<String, String>> + Send {
        let endpoint = self.clone();
        async move {
            endpoint
                .post(&request_body)
                .await
                .map_err(|error| format!("{error:#}"))
        }
    }
}

/// The body of a 2xx HTTP/1.1 response (plain or chunked).
fn parse_response(raw: &[u8]) -> anyhow::Result<String> {
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        bail!("incomplete HTTP response from the rewrite endpoint");
    };
    let head = String::from_utf8_lossy(&raw[..split]);
    let body = &raw[split + 4..];
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .context("no HTTP status line")?;
    let chunked = lines.any(|line| {
        let lower = line.to_ascii_lowercase();
        lower.starts_with("transfer-encoding:") && lower.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    let text = String::from_utf8(body).context("response body is not UTF-8")?;
    if !(200..300).contains(&status) {
        let excerpt: String = text.chars().take(200).collect();
        bail!("rewrite endpoint answered {status}: {excerpt}");
    }
    Ok(text)
}

fn dechunk(mut body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") else {
            bail!("bad chunked encoding");
        };
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .context("bad chunk size")?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size {
            bail!("truncated chunk");
        }
        out.extend_from_slice(&body[..size]);
        body = body.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_into_host_port_and_path() {
        let endpoint = ChatEndpoint::new("http://127.0.0.1:8080/v1/chat/completions", None);
        let endpoint = endpoint.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((endpoint.host.as_str(), endpoint.port), ("127.0.0.1", 8080));
        assert_eq!(endpoint.path, "/v1/chat/completions");
        assert!(ChatEndpoint::new("https://api.example.com/v1", None).is_err());
    }

    #[test]
    fn chunked_and_error_responses_are_understood() {
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked).ok().as_deref(), Some("abcdef"));
        let error = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 3\r\n\r\nno!";
        let message = parse_response(error)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("401"), "{message}");
    }
}
