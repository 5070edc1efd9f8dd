//! Boilerplate replies learned from the data: sentences that recur, near-identical,
//! in the answers to unrelated tickets (forum footers, "post your API questions on
//! …", signatures, macros' greetings) are not fixes. No phrase list: a sentence is
//! boilerplate when most of its word 4-grams appear in many distinct sources.
//!
//! A *source* is one distinct answer or fix text (copies of the same text count once,
//! so a macro sent unchanged for one problem is not boilerplate), or one cluster when
//! clusters are known ([`Boilerplate::learn_in_clusters`]): the same text across
//! tickets about the same problem is agreement, across problems it is boilerplate.

use std::collections::{HashMap, HashSet};

use super::classify::split_sentences;
use crate::cluster::text::{mix, stable_hash};
use crate::ticket::ResolvedTicket;

/// How boilerplate is recognised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoilerplateConfig {
    /// Words per shingle.
    pub shingle_words: usize,
    /// The fewest distinct sources a shingle must appear in to be frequent.
    pub min_sources: usize,
    /// The share of all sources a shingle must appear in to be frequent, when that is
    /// more than `min_sources` (large collections).
    pub min_source_share: f32,
    /// The share of a sentence's shingles that must be frequent for it to be boilerplate.
    pub covered_share: f32,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            shingle_words: 4,
            min_sources: 4,
            min_source_share: 0.002,
            covered_share: 0.6,
        }
    }
}

/// What the answers of a collection repeat across unrelated sources.
#[derive(Debug, Clone, Default)]
pub struct Boilerplate {
    /// Distinct sources per shingle hash.
    sources_of: HashMap<u64, u32>,
    /// A shingle is frequent from this many sources (0: nothing is known).
    frequent_from: u32,
    config: BoilerplateConfig,
}

impl Boilerplate {
    /// A model that knows no boilerplate (every sentence passes).
    pub fn none() -> Self {
        Boilerplate::default()
    }

    /// Learns from the tickets' agent answers and fixes; each distinct text is a source.
    pub fn learn(tickets: &[ResolvedTicket], config: &BoilerplateConfig) -> Self {
        let (counts, total) = count_by_text(tickets, config);
        Self::from_counts(counts, total, config)
    }

    /// Learns with clusters known (`cluster_of[i]` is ticket `i`'s cluster): a shingle
    /// is frequent when it is in enough distinct texts spread over at least two
    /// clusters, so a problem's own wording, however often its tickets repeat it, is
    /// agreement, not boilerplate. (Counting clusters alone would miss a footer whose
    /// tickets the clustering grouped together *because* of the shared footer.)
    pub fn learn_in_clusters(
        tickets: &[ResolvedTicket],
        cluster_of: &[usize],
        config: &BoilerplateConfig,
    ) -> Self {
        debug_assert_eq!(tickets.len(), cluster_of.len());
        let (mut by_text, texts) = count_by_text(tickets, config);
        let frequent_from = frequent_from(texts, config);
        by_text.retain(|_, count| *count >= frequent_from);
        // Each distinct text's frequent shingles, computed once.
        let mut frequent_in: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut clusters_of: HashMap<u64, (usize, bool)> = HashMap::new();
        for (ticket, &cluster) in tickets.iter().zip(cluster_of) {
            for text in resolution_texts(ticket) {
                let shingles = frequent_in
                    .entry(stable_hash(text.as_bytes()))
                    .or_insert_with(|| {
                        shingles_of_text(text, config.shingle_words)
                            .into_iter()
                            .filter(|shingle| by_text.contains_key(shingle))
                            .collect()
                    });
                for shingle in shingles.iter() {
                    let entry = clusters_of.entry(*shingle).or_insert((cluster, false));
                    entry.1 |= entry.0 != cluster;
                }
            }
        }
        by_text.retain(|shingle, _| clusters_of.get(shingle).is_some_and(|(_, spread)| *spread));
        Self::from_counts(by_text, texts, config)
    }

    fn from_counts(
        mut sources_of: HashMap<u64, u32>,
        total: usize,
        config: &BoilerplateConfig,
    ) -> Self {
        let frequent_from = frequent_from(total, config);
        sources_of.retain(|_, count| *count >= frequent_from);
        Boilerplate {
            sources_of,
            frequent_from,
            config: *config,
        }
    }

    /// Whether a sentence is boilerplate: most of its shingles recur across sources.
    pub fn is_boilerplate(&self, sentence: &str) -> bool {
        if self.sources_of.is_empty() {
            return false;
        }
        let normalized = normalize(sentence);
        let shingles = sentence_shingles(&normalized, self.config.shingle_words);
        if shingles.is_empty() {
            return false;
        }
        let frequent = shingles
            .iter()
            .filter(|shingle| self.sources_of.contains_key(shingle))
            .count();
        frequent as f32 >= shingles.len() as f32 * self.config.covered_share
    }

    /// How many distinct sources make a shingle frequent (0 when nothing was learned).
    pub fn frequent_from(&self) -> u32 {
        self.frequent_from
    }
}

/// Distinct sources per shingle, with each distinct normalised text a source; and the
/// number of sources.
fn count_by_text(
    tickets: &[ResolvedTicket],
    config: &BoilerplateConfig,
) -> (HashMap<u64, u32>, usize) {
    let mut seen: HashSet<u64> = HashSet::new();
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for ticket in tickets {
        for text in resolution_texts(ticket) {
            let normalized = normalize(text);
            if normalized.is_empty() || !seen.insert(stable_hash(normalized.as_bytes())) {
                continue;
            }
            for shingle in shingles_of_text(text, config.shingle_words) {
                *counts.entry(shingle).or_insert(0) += 1;
            }
        }
    }
    (counts, seen.len())
}

/// How many sources make a shingle frequent among `total`.
fn frequent_from(total: usize, config: &BoilerplateConfig) -> u32 {
    let by_share = (total as f32 * config.min_source_share).ceil() as usize;
    config.min_sources.max(by_share).max(2) as u32
}

/// The texts that may carry a resolution: the fix field and the agents' answers.
fn resolution_texts(ticket: &ResolvedTicket) -> impl Iterator<Item = &str> {
    ticket
        .resolution
        .as_ref()
        .map(|resolution| resolution.fix.as_str())
        .into_iter()
        .chain(ticket.agent_answers())
}

/// Lower case, words of letters only (numbers become `#`, punctuation a space), so
/// that the same footer with another date or id still matches.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_alphabetic() {
            out.extend(c.to_lowercase());
            in_number = false;
        } else if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else if c == '\'' || c == '’' {
            in_number = false;
        } else {
            if !out.ends_with(' ') && !out.ends_with('\n') {
                out.push(if c == '\n' { '\n' } else { ' ' });
            } else if c == '\n' && out.ends_with(' ') {
                out.pop();
                out.push('\n');
            }
            in_number = false;
        }
    }
    out.trim().to_string()
}

/// The shingles of one normalised sentence: its word n-grams, or the whole sentence
/// as one shingle when it is shorter than n words. Hashed without building strings.
fn sentence_shingles(normalized: &str, n: usize) -> Vec<u64> {
    let words: Vec<u64> = normalized
        .split_whitespace()
        .map(|word| stable_hash(word.as_bytes()))
        .collect();
    let combine = |window: &[u64]| {
        window.iter().fold(window.len() as u64, |hash, word| {
            mix(hash.rotate_left(17) ^ word)
        })
    };
    if words.is_empty() {
        return Vec::new();
    }
    if words.len() < n {
        return vec![combine(&words)];
    }
    words.windows(n).map(combine).collect()
}

/// The shingles of a whole text: those of each of its sentences (split before
/// normalising, which removes the punctuation), so that short footers count too.
fn shingles_of_text(text: &str, n: usize) -> HashSet<u64> {
    let mut shingles = HashSet::new();
    for line in text.lines() {
        for sentence in split_sentences(line.trim()) {
            shingles.extend(sentence_shingles(&normalize(sentence), n));
        }
    }
    shingles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::{AuthorKind, Message, TicketId};

    fn ticket(id: &str, answer: &str) -> ResolvedTicket {
        ResolvedTicket {
            id: TicketId(id.into()),
            messages: vec![Message {
                author: AuthorKind::Agent,
                text: answer.into(),
            }],
            ..ResolvedTicket::default()
        }
    }

    fn forum() -> Vec<ResolvedTicket> {
        let footer =
            "Please post any API and Integration questions on StackOverflow using tag docusignapi.";
        vec![
            ticket(
                "1",
                &format!("Set the clientUserId on the recipient.\n{footer}"),
            ),
            ticket(
                "2",
                &format!("Use the envelopes endpoint with status sent.\n{footer}"),
            ),
            ticket(
                "3",
                &format!("Enable the legacy header in the admin console.\n{footer}"),
            ),
            ticket(
                "4",
                &format!("Regenerate the integrator key in the sandbox.\n{footer}"),
            ),
            ticket("5", "Set the clientUserId on the recipient."),
        ]
    }

    #[test]
    fn a_footer_repeated_across_unrelated_answers_is_boilerplate() {
        let model = Boilerplate::learn(&forum(), &BoilerplateConfig::default());
        assert!(model.is_boilerplate(
            "Please post any API and Integration questions on StackOverflow using tag docusignapi."
        ));
        // The same footer with another tag and a signature still matches.
        assert!(model.is_boilerplate(
            "Please post any API and Integration questions on StackOverflow using tag docusign, Marc"
        ));
        assert!(!model.is_boilerplate("Set the clientUserId on the recipient."));
        assert!(!model.is_boilerplate("Regenerate the integrator key in the sandbox."));
    }

    #[test]
    fn the_same_text_copied_into_many_tickets_counts_once() {
        let answer = "Open Settings, then Billing, and click Update card.";
        let tickets: Vec<ResolvedTicket> = (0..10)
            .map(|index| ticket(&index.to_string(), answer))
            .collect();
        let model = Boilerplate::learn(&tickets, &BoilerplateConfig::default());
        assert!(!model.is_boilerplate(answer));
    }

    #[test]
    fn repeated_text_within_one_cluster_is_agreement_not_boilerplate() {
        let tickets = forum();
        // Tickets 0-3 about one problem: the footer is in one source only.
        let model = Boilerplate::learn_in_clusters(
            &tickets,
            &[0, 0, 0, 0, 1],
            &BoilerplateConfig::default(),
        );
        assert!(!model.is_boilerplate(
            "Please post any API and Integration questions on StackOverflow using tag docusignapi."
        ));
        // Every ticket its own cluster: the footer spans four problems.
        let model = Boilerplate::learn_in_clusters(
            &tickets,
            &[0, 1, 2, 3, 4],
            &BoilerplateConfig::default(),
        );
        assert!(model.is_boilerplate(
            "Please post any API and Integration questions on StackOverflow using tag docusignapi."
        ));
    }

    #[test]
    fn nothing_is_boilerplate_for_a_model_that_learned_nothing() {
        assert!(!Boilerplate::none().is_boilerplate("Hope this helps"));
    }
}
