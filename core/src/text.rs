//! Small hand-written text helpers shared by the rules engine and the detectors:
//! case-insensitive whole-word phrase search and route patterns.

/// Whether `phrase` occurs in `text` as whole words, ignoring ASCII case.
///
/// "cancel" matches "I want to CANCEL." and "cancel my plan" but not "cancellation"
/// nor "uncancel". Runs of whitespace in the phrase match any whitespace run.
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    if words.is_empty() {
        return false;
    }
    let text_words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|word| !word.is_empty())
        .map(|word| word.trim_matches(|c| c == '\'' || c == '-'))
        .collect();
    text_words.windows(words.len()).any(|window| {
        window
            .iter()
            .zip(&words)
            .all(|(candidate, wanted)| candidate.eq_ignore_ascii_case(wanted))
    })
}

/// The first phrase of `phrases` found in `text` (see [`contains_phrase`]).
pub fn first_phrase<'a>(text: &str, phrases: &'a [String]) -> Option<&'a str> {
    phrases
        .iter()
        .find(|phrase| contains_phrase(text, phrase))
        .map(String::as_str)
}

/// Follow-ups that mean a handoff left the customer in the dark ("who has my
/// ticket?", "any update?"): the server records them as a handoff failure.
pub fn is_status_follow_up(text: &str) -> bool {
    const FOLLOW_UPS: [&str; 9] = [
        "who has my ticket",
        "who is handling",
        "who's handling",
        "any update",
        "any news",
        "still waiting",
        "is anyone there",
        "anybody there",
        "what is happening with my",
    ];
    FOLLOW_UPS
        .iter()
        .any(|phrase| contains_phrase(text, phrase))
}

/// Whether a route matches a pattern.
///
/// Patterns are paths where `*` matches exactly one segment and a trailing `**`
/// matches any number of segments (zero or more): `/billing/**`, `/orders/*/pay`.
/// A trailing slash is ignored on both sides; everything else is compared exactly.
pub fn route_matches(pattern: &str, route: &str) -> bool {
    let route = route.split(['?', '#']).next().unwrap_or_default();
    let pattern_segments: Vec<&str> = segments(pattern);
    let route_segments: Vec<&str> = segments(route);
    let mut index = 0;
    for (position, wanted) in pattern_segments.iter().enumerate() {
        if *wanted == "**" && position + 1 == pattern_segments.len() {
            return true;
        }
        let Some(actual) = route_segments.get(index) else {
            return false;
        };
        if *wanted != "*" && wanted != actual {
            return false;
        }
        index += 1;
    }
    index == route_segments.len()
}

/// The path of a URL without scheme, host, query or fragment:
/// `https://shop.example/api/pay?x=1` → `/api/pay`; a bare path is kept.
pub fn url_path(url: &str) -> &str {
    let without_fragment = url.split(['?', '#']).next().unwrap_or_default();
    let Some(scheme_end) = find_from(without_fragment, "://", 0) else {
        return without_fragment;
    };
    let after_scheme = without_fragment.get(scheme_end + 3..).unwrap_or_default();
    match after_scheme.find('/') {
        Some(slash) => after_scheme.get(slash..).unwrap_or_default(),
        None => "/",
    }
}

/// The byte offset of the first `needle` in `haystack` at or after `from`, as
/// `haystack[from..].find(needle)` would find it (plus `from`), by a plain byte
/// scan that never panics: no substring-search tables or panic formatting are
/// compiled into the widget, and its texts are short.
pub fn find_from(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let (bytes, wanted) = (haystack.as_bytes(), needle.as_bytes());
    let rest = bytes.get(from..)?;
    if wanted.is_empty() {
        return Some(from);
    }
    rest.windows(wanted.len())
        .position(|window| window == wanted)
        .map(|at| from + at)
}

/// `text[start..end]`, or `""` when that is not a range of `text` on character
/// boundaries (never panics).
pub fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or_default()
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words_only() {
        let cases = [
            ("I want to CANCEL.", "cancel", true),
            ("cancellation policy?", "cancel", false),
            ("I'll call my lawyer", "lawyer", true),
            ("talk to an   executive  please", "an executive", true),
            ("we are leaving for good", "leave", false),
            ("", "cancel", false),
            ("anything", "", false),
        ];
        for (text, phrase, expected) in cases {
            assert_eq!(
                contains_phrase(text, phrase),
                expected,
                "{text:?} ~ {phrase:?}"
            );
        }
    }

    #[test]
    fn status_follow_ups() {
        assert!(is_status_follow_up("Hello?? Who has my ticket now?"));
        assert!(is_status_follow_up("any update on this"));
        assert!(!is_status_follow_up("I updated my card"));
    }

    #[test]
    fn url_paths() {
        assert_eq!(url_path("https://shop.example/api/pay?x=1#f"), "/api/pay");
        assert_eq!(url_path("https://shop.example"), "/");
        assert_eq!(url_path("/api/cart?id=2"), "/api/cart");
    }

    #[test]
    fn route_patterns() {
        let cases = [
            ("/billing/**", "/billing", true),
            ("/billing/**", "/billing/invoices/42", true),
            ("/billing/**", "/billings", false),
            ("/orders/*/pay", "/orders/17/pay", true),
            ("/orders/*/pay", "/orders/pay", false),
            ("/settings", "/settings/", true),
            ("/settings", "/settings?tab=1", true),
            ("/", "/", true),
            ("/", "/a", false),
            ("/**", "/anything/at/all", true),
        ];
        for (pattern, route, expected) in cases {
            assert_eq!(
                route_matches(pattern, route),
                expected,
                "{pattern} ~ {route}"
            );
        }
    }
}
