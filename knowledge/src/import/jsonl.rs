//! The Waymark JSONL format: one [`KnowledgeDoc`] a line, e.g.
//!
//! ```json
//! {"id": "T-1042", "kind": "ticket", "title": "Invoice PDF fails with E502",
//!  "problem": "Downloading an invoice shows error E502", "answers": ["Retry after ..."],
//!  "resolution": {"root_cause": "...", "fix": "...", "environment": "Chrome 126", "version": "4.2"},
//!  "routes": ["/billing/invoices/:id"], "errors": ["E502"], "product_area": "billing", "tags": ["pdf"]}
//! {"id": "kb-7", "kind": "article", "title": "Reset your password", "body": "Open Settings..."}
//! ```
//!
//! `id` and `title` (or `problem`/`body`) are required; everything else is optional; `body` and
//! `description` are accepted for `problem`; `site` may be left out and given at import. The
//! answers are taken as written: the producer of the file vouches that they are human agents'.

use serde_json::Value;

use super::Outcome;
use super::report::SkipReason;
use crate::document::KnowledgeDoc;

pub(crate) fn convert(value: Value) -> Outcome {
    let id = value.get("id").and_then(super::id_text);
    match serde_json::from_value::<KnowledgeDoc>(normalize_id(value)) {
        Ok(doc) => Outcome::Doc(Box::new(doc)),
        Err(error) => Outcome::Skip {
            id,
            reason: SkipReason::Invalid(error.to_string()),
        },
    }
}

/// Accepts numeric ids by turning them into strings.
fn normalize_id(mut value: Value) -> Value {
    if let Some(id) = value.get_mut("id")
        && let Value::Number(number) = id
    {
        *id = Value::String(number.to_string());
    }
    value
}
