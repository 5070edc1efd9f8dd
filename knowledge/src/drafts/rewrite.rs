//! The optional rewrite of an extractive draft by an OpenAI-compatible chat endpoint.
//! This module builds the request body and parses the response; the HTTP call itself
//! belongs to the caller (the server), behind [`DraftRewriter`].

use std::future::Future;

use serde_json::{Value, json};

use super::DraftsError;
use super::model::{Draft, RewrittenDraft};

/// Sends a chat-completions request body and returns the response body.
pub trait DraftRewriter {
    /// Posts `request_body` (JSON) to the endpoint and returns the response body.
    fn complete(&self, request_body: String)
    -> impl Future<Output = Result<String, String>> + Send;
}

/// The instructions given to the model.
const SYSTEM_PROMPT: &str = "You edit help-center articles. Rewrite the draft below into a clear, \
friendly article for end users. Keep every fact, error message and step; do not invent steps, \
causes, versions or links. Answer in Markdown: the first line is the title as '# Title', then \
the body.";

/// The chat-completions request body for a draft.
pub fn rewrite_request_body(draft: &Draft, model: &str) -> String {
    let user = format!("# {}\n\n{}", draft.title, draft.body_markdown());
    json!({
        "model": model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user},
        ],
    })
    .to_string()
}

/// Parses a chat-completions response into a rewritten title and body.
pub fn parse_rewrite_response(body: &str, model: &str) -> Result<RewrittenDraft, DraftsError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|error| DraftsError::RewriteResponse(format!("not JSON: {error}")))?;
    let content = value
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| DraftsError::RewriteResponse("no choices[0].message.content".into()))?
        .trim();
    let (first, rest) = content.split_once('\n').unwrap_or((content, ""));
    let title = first.trim().trim_start_matches('#').trim().to_string();
    if title.is_empty() {
        return Err(DraftsError::RewriteResponse("empty title".into()));
    }
    Ok(RewrittenDraft {
        model: value
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(model)
            .to_string(),
        title,
        body_markdown: rest.trim().to_string(),
    })
}

/// Rewrites a draft through `rewriter`, keeping the extractive draft beside the rewrite.
pub async fn rewrite_draft<R: DraftRewriter>(
    rewriter: &R,
    draft: &mut Draft,
    model: &str,
) -> Result<(), DraftsError> {
    let response = rewriter
        .complete(rewrite_request_body(draft, model))
        .await
        .map_err(DraftsError::RewriteTransport)?;
    draft.rewritten = Some(parse_rewrite_response(&response, model)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_completion_becomes_title_and_body() {
        let response = r##"{"model":"m1","choices":[{"message":{"role":"assistant","content":"# Fix CSV export\n\nOpen **Settings**."}}]}"##;
        let rewritten = parse_rewrite_response(response, "fallback").ok();
        assert_eq!(
            rewritten,
            Some(RewrittenDraft {
                model: "m1".into(),
                title: "Fix CSV export".into(),
                body_markdown: "Open **Settings**.".into(),
            })
        );
    }

    #[test]
    fn a_response_without_content_is_an_error() {
        assert!(matches!(
            parse_rewrite_response(r#"{"choices":[]}"#, "m"),
            Err(DraftsError::RewriteResponse(_))
        ));
        assert!(parse_rewrite_response("<html>", "m").is_err());
    }
}
