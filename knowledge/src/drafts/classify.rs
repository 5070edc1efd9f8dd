//! What each piece of an answer or fix is: an instruction, a code or config line, an
//! explanation (possibly a cause), or chatter (courtesy, first-person narrative,
//! questions back to the customer, status news). Steps are made of the first two only.

use super::extract::is_instruction;

/// What a piece of a resolution text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// Tells the reader what to do ("Go to Settings", "Set X to Y", "You need to …").
    Instruction,
    /// A command, code or configuration line.
    Code,
    /// Says why or how things are; useful context, not a step.
    Explanation,
    /// Courtesy, narrative, questions back, status news: dropped.
    Chatter,
}

/// One piece of a resolution text, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The text, list markers and greetings removed.
    pub text: String,
    /// What it is.
    pub kind: PieceKind,
}

/// The longest code piece kept as a step, in characters (longer blobs stay in the ticket).
const MAX_CODE_CHARS: usize = 300;
/// The longest prose piece kept, in characters.
const MAX_PROSE_CHARS: usize = 400;

/// Splits a fix or an answer into classified pieces: code lines stay whole, prose
/// lines are split into sentences; greetings before the first sentence are removed.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for raw_line in text.lines() {
        let line = strip_list_marker(raw_line.trim());
        if line.is_empty() {
            continue;
        }
        if looks_like_code(line) {
            if line.chars().count() <= MAX_CODE_CHARS {
                pieces.push(Piece {
                    text: line.to_string(),
                    kind: PieceKind::Code,
                });
            }
            continue;
        }
        for sentence in split_sentences(line)
            .into_iter()
            .flat_map(split_after_label)
        {
            let sentence = strip_greeting(sentence.trim());
            if sentence.is_empty() {
                continue;
            }
            let kind = classify(sentence);
            let limit = if kind == PieceKind::Code {
                MAX_CODE_CHARS
            } else {
                MAX_PROSE_CHARS
            };
            if sentence.chars().count() > limit {
                continue;
            }
            pieces.push(Piece {
                text: sentence.to_string(),
                kind,
            });
        }
    }
    pieces
}

/// Openings of sentences that are courtesy or talk about the conversation itself.
const CHATTER_OPENINGS: &[&str] = &[
    "thanks",
    "thank you",
    "thx",
    "hope ",
    "i hope",
    "let me know",
    "let us know",
    "please let us know",
    "please let me know",
    "sorry",
    "glad",
    "you're welcome",
    "you are welcome",
    "have a great",
    "have a nice",
    "happy to help",
    "feel free",
    "cheers",
    "best regards",
    "regards",
    "kind regards",
    "good luck",
    "i'm closing",
    "closing this",
    "if solved",
    "if this solved",
    "if you found",
    "if this answer",
    "answered my own",
    "any update",
    "great question",
    "good question",
    "welcome to",
    "update:",
    "edit:",
    "here's how",
    "here is how",
    "here's what",
    "follow these steps",
    "sorry about",
    "apologies",
];

/// Phrases that make a sentence news about the case rather than a fix.
const STATUS_PHRASES: &[&str] = &[
    "appears to have been resolved",
    "has been resolved",
    "has been fixed",
    "was fixed",
    "is fixed now",
    "works now",
    "working now",
    "we are looking into",
    "we're looking into",
    "i'm looking into",
    "escalated this",
    "will get back to you",
    "i will check",
    "i'll check",
    "been fixed",
    "been resolved",
    "was an issue with",
    "describe that",
    "more details",
    "can you send",
    "could you send",
    "can you provide",
    "could you provide",
    "please provide",
    "please send us",
    "please share",
];

/// First-person words: a sentence with one tells the writer's story ("I just tested it…",
/// "When I came to do this…"), unless it opens with advice.
const FIRST_PERSON: &[&str] = &["i", "i'm", "i've", "i'd", "i'll", "my", "me", "myself"];
/// Openings that turn a first-person sentence into advice ("I would suggest…").
const ADVICE_OPENINGS: &[&str] = &[
    "i would suggest",
    "i'd suggest",
    "i suggest",
    "i would recommend",
    "i'd recommend",
    "i recommend",
    "i would advise",
    "i advise",
    "we recommend",
    "we suggest",
    "we advise",
    "my suggestion",
    "my recommendation",
];
/// Verbs that only point elsewhere ("See http://… for the answer").
const POINTER_OPENINGS: &[&str] = &[
    "see ",
    "refer to",
    "check out",
    "have a look",
    "take a look",
    "look at",
    "please see",
    "please refer",
    "more info",
    "more information",
    "link",
];

/// What a sentence is (see [`PieceKind`]).
pub fn classify(sentence: &str) -> PieceKind {
    let trimmed = sentence.trim();
    let lower = trimmed.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|word| !word.is_empty())
        .collect();
    if words.len() < 3 && !looks_like_code(trimmed) {
        // "Click Save." is a step; "Answered, thanks" is not.
        let is_short_instruction = words.len() == 2 && is_instruction(trimmed);
        if !is_short_instruction {
            return PieceKind::Chatter;
        }
    }
    if CHATTER_OPENINGS
        .iter()
        .any(|opening| lower.starts_with(opening))
        || STATUS_PHRASES.iter().any(|phrase| lower.contains(phrase))
    {
        return PieceKind::Chatter;
    }
    if looks_like_code(trimmed) {
        return PieceKind::Code;
    }
    let advises = ADVICE_OPENINGS
        .iter()
        .any(|opening| lower.starts_with(opening));
    if !advises && words.iter().any(|word| FIRST_PERSON.contains(word)) {
        return PieceKind::Chatter;
    }
    if is_navigation(trimmed) {
        return PieceKind::Chatter;
    }
    if is_pointer(&lower) {
        // "Also see here": a pointer that lost its link says nothing.
        let has_link = lower.contains("://") || lower.contains("www.");
        return if has_link || words.len() > 4 {
            PieceKind::Explanation
        } else {
            PieceKind::Chatter
        };
    }
    let asks_back = lower.contains('?')
        && [
            "what ", "how ", "why ", "which ", "when ", "where ", "is ", "are ", "do ", "does ",
            "can ",
        ]
        .iter()
        .any(|opening| lower.starts_with(opening));
    if asks_back {
        return PieceKind::Chatter;
    }
    if lower.ends_with('?') {
        let suggests = lower.starts_with("have you tried")
            || lower.starts_with("did you try")
            || lower.starts_with("could you try")
            || lower.starts_with("can you try");
        return if suggests {
            PieceKind::Instruction
        } else {
            PieceKind::Chatter
        };
    }
    if advises || is_instruction(trimmed) {
        return PieceKind::Instruction;
    }
    PieceKind::Explanation
}

/// A bare pointer to a page: "See http://… for resolution." (a step says what to do).
fn is_pointer(lower: &str) -> bool {
    let prose_words = lower
        .split_whitespace()
        .filter(|word| !word.contains("://") && !word.starts_with("www."))
        .count();
    let lower = lower.strip_prefix("also ").unwrap_or(lower);
    prose_words <= 8
        && POINTER_OPENINGS
            .iter()
            .any(|opening| lower.starts_with(opening))
}

/// Menu and page chrome scraped with the text ("API Walkthroughs API Explorer", "QUICK
/// START - IT COULDN'T BE EASIER Overview"): mostly capitalised words.
fn is_navigation(text: &str) -> bool {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphabetic))
        .collect();
    if words.len() < 4 || is_instruction(text) {
        return false;
    }
    let capitalised = words
        .iter()
        .filter(|word| word.chars().next().is_some_and(char::is_uppercase))
        .count();
    capitalised * 10 >= words.len() * 8
}

/// Phrases that mark an explanation as the cause of the problem.
const CAUSE_PHRASES: &[&str] = &[
    "because",
    "caused by",
    "is due to",
    "are due to",
    "the reason",
    "this happens",
    "this is happening",
    "happens when",
    "happens if",
    "the problem is",
    "the issue is",
    "by design",
    "is not supported",
    "isn't supported",
    "are not supported",
    "does not support",
    "doesn't support",
    "is expected",
    "is a known",
    "was causing",
    "is causing",
    "caused the",
];

/// Whether an explanation says why the problem happens.
pub fn is_cause(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    CAUSE_PHRASES.iter().any(|phrase| lower.contains(phrase))
}

/// Whether a line is code, a command or configuration rather than prose.
pub fn looks_like_code(line: &str) -> bool {
    let trimmed = line.trim();
    if trimmed.starts_with("```") || trimmed.starts_with("$ ") || trimmed.starts_with("<?xml") {
        return true;
    }
    let first = trimmed.split_whitespace().next().unwrap_or("");
    if matches!(
        first,
        "curl" | "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "sudo"
    ) {
        return true;
    }
    // Links are not code; measure the rest.
    let without_links: String = trimmed
        .split_whitespace()
        .filter(|word| !word.contains("://"))
        .collect::<Vec<_>>()
        .join(" ");
    let symbols = without_links
        .chars()
        .filter(|c| matches!(c, '{' | '}' | ';' | '=' | '<' | '>' | '[' | ']'))
        .count()
        + without_links.matches("()").count()
        + without_links.matches("->").count()
        + without_links.matches("\":").count();
    let letters_and_spaces = without_links
        .chars()
        .filter(|c| c.is_alphabetic() || *c == ' ')
        .count();
    let chars = without_links.chars().count().max(1);
    let spaces = without_links.chars().filter(|c| *c == ' ').count();
    let prose_like = spaces * 8 >= chars && letters_and_spaces * 10 >= chars * 8;
    let assigns = trimmed.split_whitespace().any(|token| {
        token.split_once('=').is_some_and(|(key, value)| {
            !key.is_empty()
                && !value.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        })
    });
    symbols >= 3 && !prose_like
        || (key_value_line(trimmed) && spaces <= 2)
        || (assigns && spaces <= 5)
}

/// `key = value` or `key: value` with an identifier-like key (config lines).
fn key_value_line(line: &str) -> bool {
    let Some((key, value)) = line.split_once(['=', ':']) else {
        return false;
    };
    let key = key.trim();
    !key.is_empty()
        && !value.trim().is_empty()
        && !key.contains(' ')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && key
            .chars()
            .enumerate()
            .any(|(index, c)| c == '_' || c == '.' || (index > 0 && c.is_ascii_uppercase()))
}

/// Removes a bullet or a short number ("1.", "2)") before a list item.
pub fn strip_list_marker(line: &str) -> &str {
    let without_bullet = line.trim_start_matches(['-', '*', '•', '–']).trim_start();
    let digits = without_bullet
        .chars()
        .take_while(char::is_ascii_digit)
        .count();
    if digits > 0 && digits <= 2 {
        let rest = &without_bullet[digits..];
        if let Some(stripped) = rest.strip_prefix(['.', ')', ':']) {
            return stripped.trim_start();
        }
    }
    without_bullet
}

/// Removes "Hi Paul," / "Hello all -" / "Hey there!" before a sentence.
pub(crate) fn strip_greeting(sentence: &str) -> &str {
    let lower = sentence.to_lowercase();
    let is_greeting = [
        "hi",
        "hello",
        "hey",
        "dear",
        "good morning",
        "good afternoon",
    ]
    .iter()
    .any(|greeting| {
        lower.starts_with(greeting)
            && lower[greeting.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    });
    if !is_greeting {
        // "Ergin, thank you…": a name before a comma.
        return match sentence.split_once(", ") {
            Some((name, rest))
                if !name.contains(' ')
                    && name.chars().next().is_some_and(char::is_uppercase)
                    && !is_instruction(name)
                    && name.chars().all(char::is_alphabetic)
                    && rest.chars().next().is_some_and(char::is_uppercase) =>
            {
                rest
            }
            _ => sentence,
        };
    }
    // The greeting ends at the first comma, dash or exclamation within four words.
    let cut = sentence
        .char_indices()
        .take_while(|(offset, _)| sentence[..*offset].split_whitespace().count() <= 4)
        .find(|(_, c)| matches!(c, ',' | '!' | '-' | '–' | ':'))
        .map(|(offset, c)| offset + c.len_utf8());
    // "Hello @korvinko I do know…": the greeting and the handle or name.
    let greeting_words = if lower.starts_with("good ") { 2 } else { 1 };
    let named = sentence
        .split_whitespace()
        .nth(greeting_words)
        .is_some_and(|word| {
            word.starts_with('@') || word.chars().next().is_some_and(char::is_uppercase)
        });
    match cut {
        Some(end) => sentence[end..].trim_start(),
        None if named => {
            let mut rest = sentence;
            for _ in 0..=greeting_words {
                rest = rest.trim_start();
                rest = rest.find(char::is_whitespace).map_or("", |at| &rest[at..]);
            }
            rest.trim_start()
        }
        None if sentence.split_whitespace().count() <= 3 => "",
        None => sentence,
    }
}

/// Splits "On Windows: You could use…" after a short label ending in a colon.
fn split_after_label(sentence: &str) -> Vec<&str> {
    let Some(at) = sentence.find(": ") else {
        return vec![sentence];
    };
    let (label, rest) = (&sentence[..=at], sentence[at + 1..].trim_start());
    let short_label = label.split_whitespace().count() <= 6;
    if short_label && rest.chars().next().is_some_and(char::is_uppercase) {
        vec![label, rest]
    } else {
        vec![sentence]
    }
}

/// Splits at `.`, `!` or `?` followed by a space and an upper-case letter or digit.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for window in 0..chars.len() {
        let (offset, c) = chars[window];
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next_is_space = chars
            .get(window + 1)
            .is_some_and(|(_, n)| n.is_whitespace());
        let after = chars.get(window + 2).map(|(_, n)| *n);
        if next_is_space && after.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit()) {
            sentences.push(&text[start..=offset]);
            start = offset + c.len_utf8();
        }
    }
    if start < text.len() {
        sentences.push(&text[start..]);
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PieceKind, String)> {
        pieces(text)
            .into_iter()
            .map(|piece| (piece.kind, piece.text))
            .collect()
    }

    #[test]
    fn instructions_code_explanations_and_chatter_are_told_apart() {
        use PieceKind::*;
        let answer = "Hi Paul, thanks for the details! I just tested it by creating two spreadsheets. \
            The import only reads the first sheet. Go to File > Settings and set Locale to United States.\n\
            1. Click Save.\n\
            export WAYMARK_LOCALE=en_US\n\
            Does that work for you? Hope this helps.";
        assert_eq!(
            kinds(answer),
            vec![
                (Chatter, "thanks for the details!".to_string()),
                (
                    Chatter,
                    "I just tested it by creating two spreadsheets.".to_string()
                ),
                (
                    Explanation,
                    "The import only reads the first sheet.".to_string()
                ),
                (
                    Instruction,
                    "Go to File > Settings and set Locale to United States.".to_string()
                ),
                (Instruction, "Click Save.".to_string()),
                (Code, "export WAYMARK_LOCALE=en_US".to_string()),
                (Chatter, "Does that work for you?".to_string()),
                (Chatter, "Hope this helps.".to_string()),
            ]
        );
    }

    #[test]
    fn advice_in_the_first_person_is_an_instruction() {
        assert_eq!(
            classify("I would suggest configuring the proxy for the web service calls."),
            PieceKind::Instruction
        );
        assert_eq!(
            classify("Have you tried sending the request with the v2.1 base path?"),
            PieceKind::Instruction
        );
        assert_eq!(
            classify("This appears to have been resolved over the weekend."),
            PieceKind::Chatter
        );
    }

    #[test]
    fn status_news_requests_for_details_bare_pointers_and_menus_are_chatter() {
        for sentence in [
            "There was an issue with the demo database.",
            "It's been fixed, sorry about that.",
            "If you can describe that a little more that will help us.",
            "Also see here",
            "API Walkthroughs API Explorer Dev Center",
            "What happens if the plan allows ten users? Will it fail.",
        ] {
            assert_eq!(classify(sentence), PieceKind::Chatter, "{sentence}");
        }
        assert_eq!(
            classify("See http://example.test/kb/42 for resolution."),
            PieceKind::Explanation
        );
    }

    #[test]
    fn a_short_label_before_a_colon_does_not_hide_the_instruction() {
        assert_eq!(
            kinds("On Windows: Highlight the text you want to copy."),
            vec![
                (PieceKind::Chatter, "On Windows:".to_string()),
                (
                    PieceKind::Instruction,
                    "Highlight the text you want to copy.".to_string()
                ),
            ]
        );
        assert_eq!(
            classify("Under your preferences, click on Branding."),
            PieceKind::Instruction
        );
        assert_eq!(
            classify("See, we really can't debug a snippet of code."),
            PieceKind::Explanation
        );
    }

    #[test]
    fn causes_are_recognised_among_explanations() {
        assert!(is_cause(
            "This happens because the token expired after eight hours."
        ));
        assert!(!is_cause("The import reads the first sheet."));
    }

    #[test]
    fn code_and_config_lines_are_not_prose() {
        assert!(looks_like_code(
            "curl -X POST https://example.test/v1/envelopes"
        ));
        assert!(looks_like_code(
            "{\"status\": \"sent\", \"emailSubject\": \"Hi\"}"
        ));
        assert!(looks_like_code("max_connections: 200"));
        assert!(looks_like_code("export WAYMARK_LOCALE=en_US"));
        assert!(!looks_like_code(
            "Go to Settings (the gear icon) and click Save."
        ));
        assert!(!looks_like_code("Note: this applies to every plan."));
    }
}
