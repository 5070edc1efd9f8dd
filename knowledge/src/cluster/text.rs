//! Text analysis shared by clustering, drafts and gaps: lower-cased words, English
//! stop words removed, Snowball stems for words, exact terms for error codes.

use std::collections::HashSet;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// English function words and web boilerplate that carry no topic.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
    "doing", "don", "each", "for", "from", "get", "got", "had", "has", "have", "having", "he",
    "her", "here", "him", "his", "how", "i", "if", "im", "in", "into", "is", "it", "its", "just",
    "me", "more", "my", "no", "not", "now", "of", "on", "one", "only", "or", "other", "our", "out",
    "own", "please", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "up", "us",
    "use", "using", "very", "was", "way", "we", "were", "what", "when", "where", "which", "while",
    "who", "why", "will", "with", "would", "you", "your", "yours", "s", "t", "ve", "ll", "re", "d",
    "m", "http", "https", "www", "com", "amp", "quot", "nbsp", "gt", "lt", "hi", "hello", "thanks",
    "thank", "want", "need", "like", "possible", "there", "anyone", "know", "make",
];

/// Turns text into the terms clustering and similarity compare.
pub struct Analyzer {
    stemmer: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer(english)")
    }
}

impl Analyzer {
    /// The terms of a text in order: stems of ordinary words, and error codes or
    /// identifiers (anything with a digit or an underscore) kept whole in lower case.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            let word = raw.trim_matches('_');
            if word.is_empty() {
                continue;
            }
            let lower = word.to_lowercase();
            let is_code = lower.chars().any(|c| c.is_ascii_digit() || c == '_');
            if is_code {
                terms.push(lower);
                continue;
            }
            if lower.chars().count() < 2 || is_stop_word(&lower) {
                continue;
            }
            terms.push(self.stemmer.stem(&lower).into_owned());
        }
        terms
    }
}

fn is_stop_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
        .contains(word)
}

/// A stable 64-bit hash (FNV-1a followed by a SplitMix finaliser): the same bytes give
/// the same value on every platform and every run, which stable ids rely on.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(hash)
}

/// SplitMix64's finaliser: spreads the bits of `value`.
pub fn mix(mut value: u64) -> u64 {
    value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_stemmed_and_stop_words_dropped() {
        let analyzer = Analyzer::default();
        assert_eq!(
            analyzer.terms("How do I delete my accounts?"),
            vec!["delet", "account"]
        );
    }

    #[test]
    fn error_codes_are_kept_whole() {
        let analyzer = Analyzer::default();
        assert_eq!(
            analyzer.terms("Got ERR_CONN_REFUSED and E502 on /billing"),
            vec!["err_conn_refused", "e502", "bill"]
        );
    }

    #[test]
    fn the_stable_hash_does_not_change_between_runs() {
        assert_eq!(stable_hash(b"ticket-1"), stable_hash(b"ticket-1"));
        assert_ne!(stable_hash(b"ticket-1"), stable_hash(b"ticket-2"));
        assert_eq!(stable_hash(b""), mix(0xcbf2_9ce4_8422_2325));
    }
}
