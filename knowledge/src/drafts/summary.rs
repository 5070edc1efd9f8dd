//! The customer's side of a draft: the problem summarised in the reader's words (the
//! most telling sentence, shortened and turned to the second person — never a quote
//! with names, greetings or the customer's "I"), and error codes, exception names and
//! HTTP statuses found in the customer's text.

use super::classify::{looks_like_code, split_sentences, strip_greeting};
use crate::ticket::ResolvedTicket;

/// The most words a summary keeps.
const MAX_SUMMARY_WORDS: usize = 30;
/// Sentences longer than this are rambling, not a statement of the problem.
const MAX_SENTENCE_WORDS: usize = 45;

/// Words that mark a sentence as describing what goes wrong.
const PROBLEM_MARKERS: &[&str] = &[
    "error",
    "fail",
    "not ",
    "n't",
    "unable",
    "cannot",
    "can not",
    "return",
    "instead",
    "wrong",
    "exception",
    "no longer",
    "stopped",
    "missing",
    "blank",
    "invalid",
    "denied",
    "timeout",
    "timed out",
];

/// Openings of problem sentences that say nothing about the problem.
const EMPTY_OPENINGS: &[&str] = &[
    "thanks",
    "thank you",
    "any help",
    "any ideas",
    "any suggestions",
    "please help",
    "help",
    "regards",
    "i appreciate",
    "appreciate",
    "hope",
];

/// The customer's description: the problem field, else what the customer wrote.
pub fn problem_text(ticket: &ResolvedTicket) -> String {
    if ticket.problem.trim().is_empty() {
        ticket.customer_messages().collect::<Vec<_>>().join("\n")
    } else {
        ticket.problem.clone()
    }
}

/// The problem in one short sentence addressed to the reader, from the customer's
/// description; a sentence that only repeats `title` is not a summary. `None` when
/// nothing usable is there.
pub fn summarise_problem(title: &str, problem: &str) -> Option<String> {
    let mut candidates: Vec<(i32, usize, String)> = Vec::new();
    let mut position = 0;
    for line in problem.lines() {
        for sentence in split_sentences(line.trim()) {
            let sentence = strip_greeting(sentence.trim()).trim();
            position += 1;
            let words = sentence.split_whitespace().count();
            let lower = sentence.to_lowercase();
            if !(4..=MAX_SENTENCE_WORDS).contains(&words)
                || looks_like_code(sentence)
                || EMPTY_OPENINGS
                    .iter()
                    .any(|opening| lower.starts_with(opening))
            {
                continue;
            }
            let marks = PROBLEM_MARKERS
                .iter()
                .filter(|marker| lower.contains(*marker))
                .count()
                .min(2) as i32;
            let asks = i32::from(lower.ends_with('?'));
            let early = i32::from(position <= 2);
            let score = marks * 2 + asks + early;
            candidates.push((score, position, sentence.to_string()));
        }
    }
    let title = title.to_lowercase();
    let title = title.trim_end_matches(['?', '.', ' ']);
    let (_, _, best) = candidates
        .into_iter()
        // A sentence that only repeats the title adds nothing.
        .filter(|(_, _, text)| text.to_lowercase().trim_end_matches(['?', '.', ' ']) != title)
        .max_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)))?;
    let shortened = shorten(&best, MAX_SUMMARY_WORDS);
    Some(capitalise(&to_second_person(&shortened)))
}

fn shorten(sentence: &str, limit: usize) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() <= limit {
        return words.join(" ");
    }
    let cut = words[..limit]
        .join(" ")
        .trim_end_matches([',', ';', ':', '-'])
        .to_string();
    format!("{cut}…")
}

/// First-person words and their second-person replacements.
const PERSON: &[(&str, &str)] = &[
    ("i", "you"),
    ("i'm", "you're"),
    ("i've", "you've"),
    ("i'd", "you'd"),
    ("i'll", "you'll"),
    ("me", "you"),
    ("my", "your"),
    ("mine", "yours"),
    ("myself", "yourself"),
    ("we", "you"),
    ("we're", "you're"),
    ("we've", "you've"),
    ("we'd", "you'd"),
    ("we'll", "you'll"),
    ("our", "your"),
    ("ours", "yours"),
    ("ourselves", "yourselves"),
    ("us", "you"),
    ("am", "are"),
];

/// Verb forms that follow "I" and read wrong after "you".
const AGREEMENT: &[(&str, &str)] = &[
    ("was", "were"),
    ("has", "have"),
    ("does", "do"),
    ("is", "are"),
    ("wasn't", "weren't"),
    ("hasn't", "haven't"),
    ("doesn't", "don't"),
    ("isn't", "aren't"),
];

/// Turns the customer's "I/we/my/our" into the reader's "you/your".
pub fn to_second_person(sentence: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut previous_was_subject = false;
    for token in sentence.split(' ') {
        let start = token
            .find(|c: char| c.is_alphanumeric())
            .unwrap_or(token.len());
        let end = token
            .rfind(|c: char| c.is_alphanumeric())
            .map_or(start, |i| i + 1);
        let (before, word, after) = (&token[..start], &token[start..end], &token[end..]);
        let word = word.replace('’', "'");
        let lower = word.to_lowercase();
        // "US" is a country; every other form is the customer speaking.
        let is_first_person = word != "US";
        let replacement = PERSON
            .iter()
            .find(|(from, _)| {
                *from == lower && is_first_person && (lower != "am" || previous_was_subject)
            })
            .map(|(_, to)| to.to_string())
            .or_else(|| {
                previous_was_subject
                    .then(|| AGREEMENT.iter().find(|(from, _)| *from == lower))
                    .flatten()
                    .map(|(_, to)| to.to_string())
            });
        previous_was_subject = matches!(lower.as_str(), "i" | "we") && is_first_person;
        match replacement {
            Some(replacement) => out.push(format!("{before}{replacement}{after}")),
            None => out.push(token.to_string()),
        }
    }
    out.join(" ")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Parts of an upper-case identifier that make it an error code (`INVALID_API_VERSION`)
/// rather than a constant (`CURLOPT_HEADER`).
const ERROR_CODE_PARTS: &[&str] = &[
    "ERR",
    "INVALID",
    "FAIL",
    "DENIED",
    "NOT_",
    "UNKNOWN",
    "MISSING",
    "EXCEED",
    "TIMEOUT",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "LIMIT",
    "REQUIRED",
    "CANNOT",
    "UNABLE",
    "EXPIRED",
    "LOCKED",
    "DISABLED",
    "NO_",
    "WRONG",
    "BAD_",
    "UNSUPPORTED",
    "DUPLICATE",
    "MISMATCH",
    "EXCEPTION",
];

/// The most error signals taken from one text.
const MAX_TEXT_ERRORS: usize = 4;

/// Error codes (`INVALID_API_VERSION`), exception names (`NullReferenceException`) and
/// HTTP statuses (`401 Unauthorized`) in a customer's text, in order, without repeats.
pub fn errors_in_text(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut push = |value: String| {
        if !found.iter().any(|known| known.eq_ignore_ascii_case(&value)) {
            found.push(value);
        }
    };
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map(|token| token.trim_matches('.'))
        .filter(|token| !token.is_empty())
        .collect();
    for (index, token) in tokens.iter().enumerate() {
        let is_code = token.contains('_')
            && token.len() >= 6
            && token
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && token.chars().filter(char::is_ascii_uppercase).count() >= 4
            && ERROR_CODE_PARTS.iter().any(|part| token.contains(part));
        let bare = token.rsplit('.').next().unwrap_or(token);
        let is_exception = (bare.ends_with("Exception") || bare.ends_with("Error"))
            && bare.len() > "Error".len() + 2
            && bare.chars().next().is_some_and(char::is_uppercase)
            && bare.chars().skip(1).any(char::is_uppercase);
        if is_code || is_exception {
            push(bare.to_string());
        } else if let Some(status) = http_status(token, tokens.get(index + 1).copied()) {
            push(status);
        }
    }
    found.truncate(MAX_TEXT_ERRORS);
    found
}

/// "401" followed by its reason phrase ("Unauthorized", "Bad", "Not"…).
fn http_status(token: &str, next: Option<&str>) -> Option<String> {
    let code: u16 = token.parse().ok()?;
    let reason = match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        407 => "Proxy Authentication Required",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    };
    let first_reason_word = reason.split(' ').next().unwrap_or(reason);
    next.filter(|word| word.eq_ignore_ascii_case(first_reason_word))
        .map(|_| format!("{code} {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_the_telling_sentence_in_the_readers_words() {
        let problem = "Hi all, thanks in advance. I've noticed that when I upload an envelope \
            with tabs my recipients can no longer drag their own signature tags. \
            Is there any way to override this behavior?";
        assert_eq!(
            summarise_problem("Recipient-placed tags", problem).as_deref(),
            Some(
                "You've noticed that when you upload an envelope with tabs your recipients can \
                 no longer drag their own signature tags."
            )
        );
    }

    #[test]
    fn a_summary_is_short_and_never_the_greeting() {
        let long = format!(
            "Hello Marc, the export fails {}",
            "with a very long story ".repeat(8)
        );
        let summary = summarise_problem("Export", &long).unwrap_or_default();
        assert!(summary.starts_with("The export fails"), "{summary}");
        assert!(summary.split_whitespace().count() <= MAX_SUMMARY_WORDS);
        assert_eq!(summarise_problem("x", "Thanks!"), None);
    }

    #[test]
    fn first_person_becomes_second_person_with_agreement() {
        assert_eq!(
            to_second_person("I was sure my key is valid, but we get an error in the US."),
            "you were sure your key is valid, but you get an error in the US."
        );
        assert_eq!(to_second_person("I am stuck."), "you are stuck.");
    }

    #[test]
    fn error_codes_exceptions_and_statuses_are_found_in_text() {
        let text = "Response: {\"errorCode\":\"INVALID_API_VERSION\"} CURLOPT_HEADER then \
            System.NullReferenceException and (401) Unauthorized, again INVALID_API_VERSION.";
        assert_eq!(
            errors_in_text(text),
            vec![
                "INVALID_API_VERSION",
                "NullReferenceException",
                "401 Unauthorized"
            ]
        );
        assert!(errors_in_text("I got 401 of them, an error").is_empty());
    }
}
