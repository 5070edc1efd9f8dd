//! What visitors may see of the knowledge: published articles and, when the site
//! allows it (`articles_and_fixes`, the default), the agent-written fix of a
//! resolved ticket, scrubbed, under a title written from the fix. Never the
//! customer's own words, the ticket's subject (often the customer's first
//! message) or the agents' replies (which greet the customer by name).
//!
//! Visitors name answers by opaque ids (`a_` + 24 hex digits of an HMAC keyed by
//! the installation secret): ids cannot be walked, and only ids given to a
//! visitor of the site open, and only while the document is visitor-visible.

use waymark_core::scrub::{ScrubConfig, scrub_text};
use waymark_core::wire::{AnswerDetail, AnswerSource, SuggestedAnswer};
use waymark_knowledge::{DocKind, KnowledgeDoc, KnowledgeIndex};

use super::FlowError;
use super::secrets::{answer_id, install_secret};
use crate::storage::Store;

/// Which knowledge a site's visitors may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VisitorSources {
    /// Published articles only.
    Articles,
    /// Articles and the fixes of resolved tickets.
    #[default]
    ArticlesAndFixes,
}

impl VisitorSources {
    /// Parses `articles | articles_and_fixes`.
    pub fn parse(text: &str) -> Result<Self, FlowError> {
        match text {
            "articles" => Ok(Self::Articles),
            "articles_and_fixes" => Ok(Self::ArticlesAndFixes),
            other => Err(FlowError::Invalid(format!(
                "visitor sources `{other}`: use articles or articles_and_fixes"
            ))),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Articles => "articles",
            Self::ArticlesAndFixes => "articles_and_fixes",
        }
    }
}

/// Longest title written from a fix, in characters.
const TITLE_CHARS: usize = 80;
/// Longest snippet of a fix, in characters.
const SNIPPET_CHARS: usize = 240;

/// The site's visitor sources.
pub async fn sources(store: &Store, site_id: &str) -> Result<VisitorSources, FlowError> {
    Ok(store
        .site_trust(site_id)
        .await?
        .and_then(|trust| VisitorSources::parse(&trust.visitor_sources).ok())
        .unwrap_or_default())
}

/// What a visitor may see of `doc`: its title and body, or `None`.
pub fn visible(doc: &KnowledgeDoc, sources: VisitorSources) -> Option<(String, String)> {
    match doc.kind {
        DocKind::Article => Some((doc.title.clone(), doc.problem.clone())),
        DocKind::Ticket if sources == VisitorSources::Articles => None,
        DocKind::Ticket => {
            let fix = doc.resolution.fix.as_deref().map(str::trim)?;
            if fix.is_empty() {
                return None;
            }
            let fix = scrub_text(fix, &ScrubConfig::default());
            Some((title_from_fix(&fix), fix))
        }
    }
}

/// A title written from the fix: its first sentence, at most [`TITLE_CHARS`].
pub fn title_from_fix(fix: &str) -> String {
    let first = fix
        .split_inclusive(['.', '!', '?', '\n'])
        .next()
        .unwrap_or(fix)
        .trim()
        .trim_end_matches(['.', '\n']);
    if first.chars().count() <= TITLE_CHARS {
        return first.to_owned();
    }
    let cut: String = first.chars().take(TITLE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Turns the index's answers into what a visitor sees (opaque ids, visible text
/// only; invisible answers dropped) and the internal ids of those shown.
pub async fn for_visitors(
    store: &Store,
    index: &KnowledgeIndex,
    site_id: &str,
    found: Vec<SuggestedAnswer>,
) -> Result<(Vec<SuggestedAnswer>, Vec<String>), FlowError> {
    let sources = sources(store, site_id).await?;
    let secret = install_secret(store).await?;
    let mut answers = Vec::with_capacity(found.len());
    let mut shown = Vec::with_capacity(found.len());
    let mut pairs = Vec::with_capacity(found.len());
    for mut answer in found {
        if answer.source == AnswerSource::Ticket {
            let Some(doc) = index
                .document(site_id, &answer.id)
                .map_err(|err| FlowError::Knowledge(err.to_string()))?
            else {
                continue;
            };
            let Some((title, body)) = visible(&doc, sources) else {
                continue;
            };
            answer.title = title;
            answer.snippet = body.chars().take(SNIPPET_CHARS).collect();
        }
        let public = answer_id(&secret, site_id, &answer.id);
        pairs.push((public.clone(), answer.id.clone()));
        shown.push(std::mem::replace(&mut answer.id, public));
        answers.push(answer);
    }
    store.remember_visitor_answers(site_id, &pairs).await?;
    Ok((answers, shown))
}

/// The whole visitor-visible text of the answer a visitor knows as `public_id`.
pub async fn answer_detail(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    public_id: &str,
) -> Result<AnswerDetail, FlowError> {
    let not_found = || FlowError::NotFound(format!("there is no answer `{public_id}`"));
    let index = index.ok_or_else(not_found)?;
    let doc_id = store
        .visitor_answer(site_id, public_id)
        .await?
        .ok_or_else(not_found)?;
    let doc = index
        .document(site_id, &doc_id)
        .map_err(|err| FlowError::Knowledge(err.to_string()))?
        .ok_or_else(not_found)?;
    let sources = sources(store, site_id).await?;
    let (title, body) = visible(&doc, sources).ok_or_else(not_found)?;
    // An article opened whole: one of its performance figures (no session is named).
    store
        .record_answer_open(site_id, "", &doc_id, crate::storage::now_ms())
        .await?;
    Ok(AnswerDetail {
        id: public_id.to_owned(),
        source: match doc.kind {
            DocKind::Article => AnswerSource::Article,
            DocKind::Ticket => AnswerSource::Ticket,
        },
        title,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_shows_only_its_fix_under_a_title_from_the_fix() {
        let doc = KnowledgeDoc {
            id: "T-1".into(),
            kind: DocKind::Ticket,
            title: "I tried to pay three times this morning".into(),
            problem: "I tried to pay three times this morning, my card is 4242".into(),
            answers: vec!["Hi Dana, sorry about that".into()],
            resolution: waymark_knowledge::Resolution {
                fix: Some("Retry after the provider recovered. No duplicate charge.".into()),
                ..Default::default()
            },
            ..KnowledgeDoc::default()
        };
        let (title, body) = visible(&doc, VisitorSources::ArticlesAndFixes).unwrap_or_default();
        assert_eq!(title, "Retry after the provider recovered");
        assert!(!body.contains("tried") && !body.contains("Dana"), "{body}");
        assert_eq!(visible(&doc, VisitorSources::Articles), None);
        let unfixed = KnowledgeDoc {
            resolution: waymark_knowledge::Resolution::default(),
            ..doc
        };
        assert_eq!(visible(&unfixed, VisitorSources::ArticlesAndFixes), None);
        assert!(title_from_fix(&"x".repeat(200)).chars().count() <= TITLE_CHARS);
    }
}
