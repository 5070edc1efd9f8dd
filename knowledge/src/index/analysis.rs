//! Text analysis: the English prose analyzer, the identifier analyzers for error codes, and route
//! normalisation.
//!
//! Identifiers such as `ERR_CONN_REFUSED`, `E502`, `net::ERR_FAILED` or `payment_intent_failed`
//! are kept whole (lowercased) and also split into their parts, so either form matches; a
//! trigram analyzer lets partial codes match too.

use std::sync::Arc;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Name of the English prose analyzer (lowercase, ASCII folding, stop words, Snowball stemmer).
pub const ENGLISH: &str = "wm_en";
/// Name of the exact-word analyzer (lowercase and ASCII folding, no stemming).
pub const PLAIN: &str = "wm_plain";
/// Name of the identifier analyzer (whole identifiers plus their parts).
pub const IDENTIFIER: &str = "wm_ident";
/// Name of the identifier trigram analyzer.
pub const TRIGRAM: &str = "wm_gram";

/// Tokens longer than this many bytes are dropped (base64 blobs, minified code).
const LONGEST_TOKEN: usize = 48;

/// English function words that carry no topic: the Snowball list, plus words that frame a
/// request ("is it possible", "I want to get"). Particles that change a verb's meaning
/// (`sign up`, `log out`, `turn off`) are kept.
pub const STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "would",
    "should",
    "could",
    "ought",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "in",
    "on",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "don",
    "now",
    "d",
    "ll",
    "m",
    "o",
    "re",
    "ve",
    "y",
    "isn",
    "aren",
    "wasn",
    "weren",
    "hasn",
    "haven",
    "hadn",
    "doesn",
    "didn",
    "won",
    "wouldn",
    "shouldn",
    "couldn",
    "mustn",
    "let",
    "also",
    "get",
    "got",
    "way",
    "possible",
    "want",
];

/// Builds the English prose analyzer.
pub fn english_analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    builder
        .filter_dynamic(StopWordFilter::remove(
            STOP_WORDS.iter().map(|word| (*word).to_owned()),
        ))
        .filter_dynamic(Stemmer::new(Language::English))
        .build()
}

/// The English analyzer for highlighting the analyzed `terms` in a text: it gives each of
/// those terms where [`english_analyzer`] gives it, and saves the stemming of words that cannot
/// stem to any of them (they come out empty and match nothing).
///
/// Stemming keeps a word's first letter and, up to `y` becoming `i`, its second (it only
/// rewrites suffixes after the first vowel–consonant pair, and its exceptional forms such as
/// `dying` → `die` keep them too); a stem of one letter keeps the first.
pub fn english_highlighter<'a>(terms: impl IntoIterator<Item = &'a str>) -> TextAnalyzer {
    let mut starts: Vec<(char, Option<char>)> = terms
        .into_iter()
        .filter(|term| !term.is_empty())
        .map(term_start)
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    builder
        .filter_dynamic(StopWordFilter::remove(
            STOP_WORDS.iter().map(|word| (*word).to_owned()),
        ))
        .filter_dynamic(StemCandidates {
            starts: Arc::from(starts),
        })
        .filter_dynamic(Stemmer::new(Language::English))
        .build()
}

/// The first letter of a non-empty term and its second, folded by [`fold_y`].
fn term_start(term: &str) -> (char, Option<char>) {
    let mut characters = term.chars();
    let first = characters.next().unwrap_or_default();
    (first, characters.next().map(fold_y))
}

/// `y` and `i` are one letter for [`english_highlighter`]: stemming turns some `y` into `i`.
fn fold_y(character: char) -> char {
    if character == 'y' { 'i' } else { character }
}

/// Empties the words that cannot stem to a term starting with one of `starts`: (first letter,
/// second letter folded by [`fold_y`], or `None` for a one-letter term).
#[derive(Clone)]
struct StemCandidates {
    starts: Arc<[(char, Option<char>)]>,
}

impl StemCandidates {
    fn may_stem_to_a_term(&self, word: &str) -> bool {
        let mut characters = word.chars();
        let Some(first) = characters.next() else {
            return false;
        };
        let second = characters.next().map(fold_y);
        self.starts.iter().any(|(term_first, term_second)| {
            *term_first == first && (term_second.is_none() || *term_second == second)
        })
    }
}

impl TokenFilter for StemCandidates {
    type Tokenizer<T: Tokenizer> = StemCandidatesFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemCandidatesFilter<T> {
        StemCandidatesFilter {
            candidates: self,
            inner: tokenizer,
        }
    }
}

/// The tokenizer of [`StemCandidates`].
#[derive(Clone)]
struct StemCandidatesFilter<T> {
    candidates: StemCandidates,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StemCandidatesFilter<T> {
    type TokenStream<'a> = StemCandidatesStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemCandidatesStream {
            candidates: &self.candidates,
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`StemCandidates`].
struct StemCandidatesStream<'a, T> {
    candidates: &'a StemCandidates,
    tail: T,
}

impl<T: TokenStream> TokenStream for StemCandidatesStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if !self.candidates.may_stem_to_a_term(&token.text) {
            token.text.clear();
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Builds the exact-word analyzer.
pub fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers every analyzer of the schema on an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    manager.register(ENGLISH, english_analyzer());
    manager.register(PLAIN, plain_analyzer());
    manager.register(
        IDENTIFIER,
        TextAnalyzer::builder(IdentifierTokenizer {
            mode: IdentifierMode::WholeAndParts,
        })
        .build(),
    );
    manager.register(
        TRIGRAM,
        TextAnalyzer::builder(IdentifierTokenizer {
            mode: IdentifierMode::Trigrams,
        })
        .build(),
    );
}

/// Runs an analyzer over a text and returns the terms it produces, in order.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

/// What the identifier tokenizer emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdentifierMode {
    /// Each identifier lowercased, its `.`/`:` sections, and its parts.
    WholeAndParts,
    /// Character trigrams of each identifier.
    Trigrams,
}

/// Splits text into identifier-like chunks and emits the chunks and their parts.
#[derive(Debug, Clone)]
struct IdentifierTokenizer {
    mode: IdentifierMode,
}

impl Tokenizer for IdentifierTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let mut tokens = Vec::new();
        for (offset, chunk) in identifier_chunks(text) {
            let push = |tokens: &mut Vec<Token>, text: String| {
                let position = tokens.len();
                tokens.push(Token {
                    offset_from: offset,
                    offset_to: offset + chunk.len(),
                    position,
                    text,
                    position_length: 1,
                });
            };
            match self.mode {
                IdentifierMode::WholeAndParts => {
                    for term in identifier_terms(chunk) {
                        push(&mut tokens, term);
                    }
                }
                IdentifierMode::Trigrams => {
                    for gram in trigrams(&chunk.to_lowercase()) {
                        push(&mut tokens, gram);
                    }
                }
            }
        }
        VecTokenStream {
            tokens,
            cursor: None,
        }
    }
}

/// A token stream over tokens computed up front.
struct VecTokenStream {
    tokens: Vec<Token>,
    cursor: Option<usize>,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        let next = self.cursor.map_or(0, |cursor| cursor + 1);
        self.cursor = Some(next);
        next < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.cursor.unwrap_or(0)]
    }

    fn token_mut(&mut self) -> &mut Token {
        let cursor = self.cursor.unwrap_or(0);
        &mut self.tokens[cursor]
    }
}

/// Characters that can sit inside an identifier besides letters and digits.
fn is_identifier_joiner(character: char) -> bool {
    matches!(character, '_' | '-' | '.' | ':')
}

/// Splits text into chunks of letters, digits and joiners, with their byte offsets; joiners at
/// either end are trimmed and chunks longer than [`LONGEST_TOKEN`] dropped.
pub fn identifier_chunks(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|character: char| !(character.is_alphanumeric() || is_identifier_joiner(character)))
        .filter_map(move |piece| {
            let trimmed = piece.trim_matches(is_identifier_joiner);
            if trimmed.is_empty() || trimmed.len() > LONGEST_TOKEN {
                return None;
            }
            let offset = trimmed.as_ptr() as usize - text.as_ptr() as usize;
            Some((offset, trimmed))
        })
}

/// The terms of one identifier: itself, its `.`/`:` sections, and its parts split at `_`, `-`,
/// letter/digit changes and camelCase humps. All lowercase, without duplicates.
pub fn identifier_terms(chunk: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut push = |term: &str| {
        let term = term.to_lowercase();
        if !term.is_empty() && !terms.contains(&term) {
            terms.push(term);
        }
    };
    push(chunk);
    for section in chunk
        .split(['.', ':'])
        .filter(|section| !section.is_empty())
    {
        push(section);
        for part in identifier_parts(section) {
            push(part);
        }
    }
    terms
}

/// Splits one section of an identifier at `_`, `-`, letter/digit changes and camelCase humps.
fn identifier_parts(section: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    for word in section.split(['_', '-']).filter(|word| !word.is_empty()) {
        let mut start = 0;
        let mut previous: Option<char> = None;
        for (index, character) in word.char_indices() {
            if let Some(before) = previous {
                let digit_change = before.is_ascii_digit() != character.is_ascii_digit();
                let camel_hump = before.is_lowercase() && character.is_uppercase();
                if digit_change || camel_hump {
                    parts.push(&word[start..index]);
                    start = index;
                }
            }
            previous = Some(character);
        }
        parts.push(&word[start..]);
    }
    parts
}

/// Character trigrams of a lowercased identifier (the identifier itself when shorter).
fn trigrams(identifier: &str) -> Vec<String> {
    let characters: Vec<char> = identifier.chars().collect();
    if characters.len() <= 3 {
        return vec![identifier.to_owned()];
    }
    characters
        .windows(3)
        .map(|window| window.iter().collect())
        .collect()
}

/// Whether a word looks like an identifier or code rather than prose: it has a digit, an
/// underscore, a `::`/`.` inside, or capitals after its first letter (`E502`, `ERR_FAILED`,
/// `TypeError`).
pub fn looks_like_identifier(word: &str) -> bool {
    let inner_capital = word.chars().skip(1).any(char::is_uppercase);
    let has_digit = word.chars().any(|character| character.is_ascii_digit());
    let has_joiner =
        word.contains('_') || word.contains("::") || word.trim_matches('.').contains('.');
    word.chars().count() >= 2 && (inner_capital || has_digit || has_joiner)
}

/// Normalises a page route or URL so the same page always gives the same key: scheme, host,
/// query string and fragment are dropped, the path is lowercased, segments that look like ids
/// (numbers, UUIDs, long hex or mixed tokens) become `:id`, and the trailing slash goes.
pub fn normalize_route(route: &str) -> String {
    let route = route.trim();
    let without_fragment = route.split(['#', '?']).next().unwrap_or_default();
    let path = match without_fragment.find("://") {
        Some(scheme_end) => {
            let after_scheme = &without_fragment[scheme_end + 3..];
            after_scheme
                .find('/')
                .map_or("/", |slash| &after_scheme[slash..])
        }
        None => without_fragment,
    };
    let segments: Vec<String> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            if segment_looks_like_id(segment) {
                ":id".to_owned()
            } else {
                segment.to_lowercase()
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// Whether a path segment is a record id rather than part of the page's name.
fn segment_looks_like_id(segment: &str) -> bool {
    if segment.starts_with(':') || segment.starts_with('{') || segment.starts_with('[') {
        return true;
    }
    let digits = segment.chars().filter(char::is_ascii_digit).count();
    let hex_only = segment
        .chars()
        .all(|character| character.is_ascii_hexdigit() || character == '-');
    digits == segment.len() || (hex_only && segment.len() >= 8 && digits > 0) || digits >= 4
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_kept_whole_and_split_into_parts() {
        assert_eq!(
            identifier_terms("ERR_CONN_REFUSED"),
            ["err_conn_refused", "err", "conn", "refused"]
        );
        assert_eq!(identifier_terms("E502"), ["e502", "e", "502"]);
        assert_eq!(
            identifier_terms("net::ERR_FAILED"),
            ["net::err_failed", "net", "err_failed", "err", "failed"]
        );
        assert_eq!(
            identifier_terms("TypeError"),
            ["typeerror", "type", "error"]
        );
    }

    #[test]
    fn chunks_drop_punctuation_around_codes() {
        let chunks: Vec<&str> = identifier_chunks("Failed (E502): see payment_intent_failed.")
            .map(|(_, chunk)| chunk)
            .collect();
        assert_eq!(chunks, ["Failed", "E502", "see", "payment_intent_failed"]);
    }

    #[test]
    fn routes_from_urls_and_ids_share_one_key() {
        assert_eq!(
            normalize_route("https://app.example.com/Billing/Invoices/81237?tab=2#top"),
            "/billing/invoices/:id"
        );
        assert_eq!(
            normalize_route("/billing/invoices/:invoice_id/"),
            "/billing/invoices/:id"
        );
        assert_eq!(
            normalize_route("/users/3f2a9c1e-77aa-4b1b-9d7e-0c2b7a9f0e11/settings"),
            "/users/:id/settings"
        );
        assert_eq!(normalize_route(""), "/");
    }

    #[test]
    fn identifiers_are_told_apart_from_prose() {
        assert!(looks_like_identifier("E502"));
        assert!(looks_like_identifier("ERR_CONN_REFUSED"));
        assert!(looks_like_identifier("payment_intent_failed"));
        assert!(!looks_like_identifier("invoice"));
        assert!(!looks_like_identifier("Invoice"));
    }

    /// Every lowercase word of up to three letters, and short stems followed by each English
    /// suffix, where stemming is most likely to reach the first letters.
    fn short_words() -> Vec<String> {
        let letters: Vec<char> = ('a'..='z').collect();
        let mut words: Vec<String> = Vec::new();
        for first in &letters {
            words.push(first.to_string());
            for second in &letters {
                words.push(format!("{first}{second}"));
                for third in &letters {
                    words.push(format!("{first}{second}{third}"));
                }
            }
        }
        let suffixes = [
            "s", "es", "ies", "ied", "ed", "edly", "ing", "ingly", "eed", "eedly", "ly", "y",
            "ness", "ful", "ation", "ational", "izer", "ement", "ment", "al", "ic", "e", "'s",
        ];
        for first in &letters {
            for second in ["", "a", "e", "i", "o", "u", "y", "b", "s", "l"] {
                for suffix in suffixes {
                    words.push(format!("{first}{second}{suffix}"));
                }
            }
        }
        words.extend(
            [
                "dying", "lying", "tying", "skies", "idly", "gently", "ugly", "early", "only",
            ]
            .map(str::to_owned),
        );
        words
    }

    #[test]
    fn the_highlighter_finds_every_term_the_english_analyzer_gives() {
        let words = short_words();
        let mut english = english_analyzer();
        for word in &words {
            let Some(term) = analyze(&mut english, word).into_iter().next() else {
                continue;
            };
            let candidates = StemCandidates {
                starts: Arc::from(vec![term_start(&term)]),
            };
            assert!(candidates.may_stem_to_a_term(word), "{word} → {term}");
        }
        let mut highlighter = english_highlighter(["invoic"]);
        assert_eq!(
            analyze(&mut highlighter, "Invoices and payments"),
            ["invoic", ""]
        );
    }

    #[test]
    fn english_analyzer_stems_and_drops_stop_words() {
        let terms = analyze(
            &mut english_analyzer(),
            "Deleting the accounts of Café users",
        );
        assert_eq!(terms, ["delet", "account", "cafe", "user"]);
    }
}
