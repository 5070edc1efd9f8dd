//! The HTTP client of the optional OpenAI-compatible draft rewrite: one POST per
//! draft to an `http://` or `https://` chat-completions endpoint.

use std::time::Duration;

use anyhow::{Context, bail};
use waymark_knowledge::drafts::DraftRewriter;

/// How long one rewrite request may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest response body accepted.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// An OpenAI-compatible chat-completions endpoint.
#[derive(Debug, Clone)]
pub struct ChatEndpoint {
    url: reqwest::Url,
    api_key: Option<String>,
    client: reqwest::Client,
}

impl ChatEndpoint {
    /// Checks `http[s]://host[:port][/path]`; without a path, the usual
    /// `/v1/chat/completions`.
    pub fn new(url: &str, api_key: Option<String>) -> anyhow::Result<ChatEndpoint> {
        let mut parsed = reqwest::Url::parse(url)
            .with_context(|| format!("rewrite URL {url:?} is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            bail!("rewrite URL {url:?} must start with http:// or https://");
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            bail!("rewrite URL {url:?} has no host");
        }
        if parsed.path() == "/" {
            parsed.set_path("/v1/chat/completions");
        }
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .context("cannot build the HTTP client")?;
        Ok(ChatEndpoint {
            url: parsed,
            api_key,
            client,
        })
    }

    /// POSTs a JSON body and returns the response body of a 2xx answer.
    pub async fn post(&self, body: &str) -> anyhow::Result<String> {
        let mut request = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body.to_owned());
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let mut response = request
            .send()
            .await
            .with_context(|| format!("cannot reach the rewrite endpoint {}", self.url))?;
        let status = response.status();
        let mut raw = Vec::new();
        while let Some(chunk) = response.chunk().await.context("reading the response")? {
            if raw.len() + chunk.len() > MAX_RESPONSE_BYTES {
                bail!("the rewrite endpoint's answer is larger than {MAX_RESPONSE_BYTES} bytes");
            }
            raw.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(raw).context("response body is not UTF-8")?;
        if !status.is_success() {
            let excerpt: String = text.chars().take(200).collect();
            bail!("rewrite endpoint answered {}: {excerpt}", status.as_u16());
        }
        Ok(text)
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn urls_are_checked_and_get_the_usual_path() {
        let endpoint =
            ChatEndpoint::new("http://127.0.0.1:8080", None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            endpoint.url.as_str(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert!(ChatEndpoint::new("https://api.example.com/v1/chat/completions", None).is_ok());
        assert!(ChatEndpoint::new("ftp://example.com/", None).is_err());
        assert!(ChatEndpoint::new("not a url", None).is_err());
    }

    /// A one-shot HTTP server on loopback answering `answer` to the first request,
    /// returning the request it read.
    async fn serve_once(answer: &'static str) -> (String, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let url = format!(
            "http://{}/v1/chat/completions",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        let handle = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
            let mut seen = Vec::new();
            let mut buffer = [0u8; 4096];
            while !String::from_utf8_lossy(&seen).contains("\"draft\"") {
                let n = socket.read(&mut buffer).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buffer[..n]);
            }
            let _ = socket.write_all(answer.as_bytes()).await;
            String::from_utf8_lossy(&seen).into_owned()
        });
        (url, handle)
    }

    #[tokio::test]
    async fn a_chunked_answer_is_read_and_the_key_is_sent() {
        let (url, server) = serve_once(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n",
        )
        .await;
        let endpoint =
            ChatEndpoint::new(&url, Some("sk-test".into())).unwrap_or_else(|e| panic!("{e}"));
        let body = endpoint
            .post(r#"{"draft":1}"#)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(body, "abcdef");
        let request = server.await.unwrap_or_default();
        assert!(
            request.contains("authorization: Bearer sk-test"),
            "{request}"
        );
    }

    #[tokio::test]
    async fn an_error_status_names_the_status() {
        let (url, _server) = serve_once(
            "HTTP/1.1 401 Unauthorized\r\nContent-Length: 3\r\nConnection: close\r\n\r\nno!",
        )
        .await;
        let endpoint = ChatEndpoint::new(&url, None).unwrap_or_else(|e| panic!("{e}"));
        let message = endpoint
            .post(r#"{"draft":1}"#)
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("401"), "{message}");
    }
}
