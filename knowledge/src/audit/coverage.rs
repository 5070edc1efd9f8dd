//! What share of the audit the knowledge base already answers: every scenario's name (its
//! most representative ticket's problem statement) is asked of suggest; a first answer counts
//! when its calibrated confidence reaches the threshold and the answer's text holds at least
//! half of the name's words (suggest drops words the index has never seen, so in a small
//! knowledge base one shared word can look like a confident match), unless it is one of the
//! audited tickets itself (an index that already holds the export would otherwise answer
//! every scenario).

use std::collections::HashSet;

use super::figures::{AuditFigures, Coverage, KnownAnswer};
use crate::Result;
use crate::cluster::Analyzer;
use crate::document::DocKind;
use crate::index::KnowledgeIndex;
use crate::suggest::SuggestRequest;

/// The default threshold: suggest's confidence is calibrated (of answers given 0.6, about
/// 60 % are right), so 0.5 counts the answers more likely right than wrong. The widget's
/// likely-fix badge asks for more ([`crate::suggest::LIKELY_FIX_CONFIDENCE`]).
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.5;

/// The share of the scenario name's words the answer must hold.
pub const MIN_SHARED_WORDS: f32 = 0.5;

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
    let analyzer = Analyzer::default();
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
        let confident = best.filter(|suggestion| suggestion.confidence >= settings.min_confidence);
        let answer = match confident {
            Some(suggestion) => {
                let shared = match index.document(site, &suggestion.id)? {
                    Some(doc) => shared_words(
                        &analyzer,
                        &scenario.name,
                        &[
                            doc.title.as_str(),
                            doc.problem.as_str(),
                            &doc.answers.join(" "),
                        ],
                    ),
                    None => 0.0,
                };
                (shared >= MIN_SHARED_WORDS).then_some(suggestion)
            }
            None => None,
        };
        scenario.answer = answer.map(|suggestion| KnownAnswer {
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

/// The share of `question`'s distinct words (stems, codes) found in `texts`.
fn shared_words(analyzer: &Analyzer, question: &str, texts: &[&str]) -> f32 {
    let asked: HashSet<String> = analyzer.terms(question).into_iter().collect();
    if asked.is_empty() {
        return 0.0;
    }
    let found: HashSet<String> = texts.iter().flat_map(|text| analyzer.terms(text)).collect();
    asked.intersection(&found).count() as f32 / asked.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shared_word_is_not_an_answer() {
        let analyzer = Analyzer::default();
        let article = [
            "Invoice download fails with error E502",
            "Retry the download.",
        ];
        let share = shared_words(&analyzer, "Large CSV export fails with timeout", &article);
        assert!(share < MIN_SHARED_WORDS, "{share}");
        let share = shared_words(&analyzer, "E502 when downloading an invoice", &article);
        assert!(share >= MIN_SHARED_WORDS, "{share}");
    }
}
