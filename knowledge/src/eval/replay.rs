//! Learning from use, measured offline: the first half of a dataset's queries (even positions)
//! is asked as a user would, and what they would have said is recorded — "solved it" on the
//! relevant answer when it was among the three shown; otherwise "didn't help" on the first
//! answer shown, and the relevant answer as the one an agent reused to resolve the ticket.
//! The other half (odd positions) is then ranked with and without those verdicts.

use super::calibrate::is_fit_half;
use super::dataset::{Dataset, EVAL_SITE};
use super::harness::{RANK_DEPTH, WaymarkRetriever};
use super::metrics;
use super::report::FeedbackReplay;
use crate::Result;
use crate::feedback::{Feedback, Outcome, Verdict};
use crate::suggest::SuggestRequest;

/// Answers the widget shows at once.
const SHOWN: usize = 3;

impl WaymarkRetriever {
    /// Replays the dataset's first half as verdicts and ranks its second half before and after.
    pub fn replay_feedback(&self, dataset: &Dataset) -> Result<FeedbackReplay> {
        let request = |text: &str, limit: usize| SuggestRequest {
            site: EVAL_SITE.to_owned(),
            text: text.to_owned(),
            limit,
            ..SuggestRequest::default()
        };
        let mut verdicts = Vec::new();
        for (position, query) in dataset.queries.iter().enumerate() {
            if !is_fit_half(position) {
                continue;
            }
            let shown = self
                .index
                .suggest_with(&request(&query.text, SHOWN), &self.ranking)?;
            let found = shown
                .iter()
                .find(|suggestion| query.relevant.contains(&suggestion.id));
            let verdict = |doc_id: &str, outcome| Verdict {
                query: query.text.clone(),
                doc_id: doc_id.to_owned(),
                outcome,
            };
            match found {
                Some(right) => verdicts.push(verdict(&right.id, Outcome::Helped)),
                None => {
                    if let Some(first) = shown.first() {
                        verdicts.push(verdict(&first.id, Outcome::NotHelpful));
                    }
                    if let Some(relevant) = query.relevant.first() {
                        verdicts.push(verdict(relevant, Outcome::Helped));
                    }
                }
            }
        }
        let feedback = self.index.feedback(&verdicts);
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (position, query) in dataset.queries.iter().enumerate() {
            if is_fit_half(position) {
                continue;
            }
            for (ranks, memory) in [(&mut before, &Feedback::default()), (&mut after, &feedback)] {
                let ranked: Vec<String> = self
                    .index
                    .suggest_with_feedback(
                        &request(&query.text, RANK_DEPTH),
                        &self.ranking,
                        memory,
                    )?
                    .into_iter()
                    .map(|suggestion| suggestion.id)
                    .collect();
                ranks.push(metrics::query_metrics(&ranked, &query.relevant));
            }
        }
        Ok(FeedbackReplay {
            verdicts: verdicts.len(),
            queries: before.len(),
            before: metrics::mean(&before),
            after: metrics::mean(&after),
        })
    }
}
