//! What share of the audit the knowledge base already answers: every scenario's name (its
//! most representative ticket's problem statement) is asked of suggest; a first answer whose
//! calibrated confidence reaches the threshold counts, unless it is one of the audited tickets
//! itself (an index that already holds the export would otherwise answer every scenario).

use std::collections::HashSet;

use super::figures::{AuditFigures, Coverage, KnownAnswer};
use crate::Result;
use crate::document::DocKind;
use crate::index::KnowledgeIndex;
use crate::suggest::SuggestRequest;

/// The default threshold: suggest's confidence is calibrated (of answers given 0.6, about
/// 60 % are right), so 0.5 counts the answers more likely right than wrong. The widget's
/// likely-fix badge asks for more ([`crate::suggest::LIKELY_FIX_CONFIDENCE`]).
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.5;

/// Candidates asked for per scenario (an audited ticket found in the index is passed over).
const CANDIDATES: usize = 5;

/// How coverage is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageSettings {
    /// The lowest confidence that counts as an answer.
    pub min_confidence: f32,
    /// Ids of the audited tickets: never an answer to themselves.
    pub audited_ids: HashSet<String>,
}

/// Asks `index` (the documents of `site`) for every scenario's answer and records the
/// coverage in `figures`.
pub fn check_coverage(
    figures: &mut AuditFigures,
    index: &KnowledgeIndex,
    site: &str,
    settings: &CoverageSettings,
) -> Result<()> {
    let mut coverage = Coverage {
        scenarios_checked: 0,
        scenarios_answered: 0,
        tickets_answered: 0,
    };
    for scenario in &mut figures.scenarios {
        let request = SuggestRequest {
            site: site.to_owned(),
            text: scenario.name.clone(),
            limit: CANDIDATES,
            ..SuggestRequest::default()
        };
        coverage.scenarios_checked += 1;
        let best = index.suggest(&request)?.into_iter().find(|suggestion| {
            !(suggestion.kind == DocKind::Ticket && settings.audited_ids.contains(&suggestion.id))
        });
        scenario.answer = best
            .filter(|suggestion| suggestion.confidence >= settings.min_confidence)
            .map(|suggestion| KnownAnswer {
                id: suggestion.id,
                title: suggestion.title,
                confidence: suggestion.confidence,
            });
        if scenario.answer.is_some() {
            coverage.scenarios_answered += 1;
            coverage.tickets_answered += scenario.members.len();
        }
    }
    figures.coverage = Some(coverage);
    Ok(())
}
