//! Resolution capture: fields prefilled from the thread and the page for the
//! agent to confirm, and the resolved ticket as a knowledge document.

use waymark_core::domain::Resolution;
use waymark_core::wire::MessageAuthor;
use waymark_knowledge::{DocKind, KnowledgeDoc};

use super::handoff::{NoteInput, build_note};
use super::routing::Snapshot;
use crate::storage::TicketRecord;

/// Prefills resolution fields from the thread: the fix from the last agent
/// reply, the root cause from a sentence with "because"/"caused by", environment
/// and version from the page the conversation started on.
pub(crate) fn prefill_resolution(snapshot: &Snapshot) -> Resolution {
    let agent_texts: Vec<&str> = snapshot
        .messages
        .iter()
        .filter(|m| m.author == MessageAuthor::Agent)
        .map(|m| m.text.as_str())
        .collect();
    let root_cause = agent_texts
        .iter()
        .flat_map(|text| text.split_inclusive(['.', '!', '?']))
        .find(|sentence| {
            let lower = sentence.to_lowercase();
            lower.contains("because") || lower.contains("caused by")
        })
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let page: Option<waymark_core::wire::PageInfo> = snapshot
        .conversation
        .page
        .as_deref()
        .and_then(|page| serde_json::from_str(page).ok());
    let environment = page
        .as_ref()
        .map(|page| {
            let mut parts = vec![format!("route {}", page.route)];
            if let Some(locale) = &page.locale {
                parts.push(format!("locale {locale}"));
            }
            parts.join(", ")
        })
        .unwrap_or_default();
    Resolution {
        root_cause,
        fix: agent_texts
            .last()
            .map(|t| (*t).to_owned())
            .unwrap_or_default(),
        environment,
        version: page.and_then(|p| p.app_version).unwrap_or_default(),
    }
}

pub(crate) fn knowledge_doc(
    site_id: &str,
    ticket: &TicketRecord,
    snapshot: &Snapshot,
    resolution: &Resolution,
) -> KnowledgeDoc {
    let text_of = |author: MessageAuthor| -> Vec<String> {
        snapshot
            .messages
            .iter()
            .filter(|m| m.author == author)
            .map(|m| m.text.clone())
            .collect()
    };
    let non_empty = |text: &str| (!text.trim().is_empty()).then(|| text.to_owned());
    let note = build_note(&NoteInput {
        events: &snapshot.events,
        ..NoteInput::default()
    });
    let mut routes: Vec<String> = note.page_trail.iter().map(|i| i.route.clone()).collect();
    routes.dedup();
    KnowledgeDoc {
        site: site_id.to_owned(),
        id: ticket.id.clone(),
        kind: DocKind::Ticket,
        title: ticket.subject.clone(),
        problem: text_of(MessageAuthor::Customer).join("\n"),
        answers: text_of(MessageAuthor::Agent),
        resolution: waymark_knowledge::Resolution {
            root_cause: non_empty(&resolution.root_cause),
            fix: non_empty(&resolution.fix),
            environment: non_empty(&resolution.environment),
            version: non_empty(&resolution.version),
        },
        routes,
        errors: note
            .page_trail
            .iter()
            .filter(|i| i.kind == "js_error" || i.kind == "failed_request")
            .map(|i| i.detail.clone())
            .collect(),
        product_area: None,
        tags: Vec::new(),
        // A resolved ticket points at no page elements until someone adds steps.
        guide: Vec::new(),
    }
}
