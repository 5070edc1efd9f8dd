//! Long technical questions: what in them names the problem (error signatures) and what is
//! noise (greetings, thanks, signatures, repeated lines, ids and URLs' hosts).
//!
//! An error signature is what an answer about that error would quote: an error code
//! (`INVALID_REQUEST_BODY`, `ERR_CONN_REFUSED`, `E502`), an exception class
//! (`SoapHeaderException`, `TypeError`), an HTTP status next to a word that says so
//! (`HTTP 401`, `status 500`), an API name (`RequestStatuses`, `createEnvelope`), the path of an
//! endpoint (`/restapi/v2/accounts/:id/envelopes`), the top frame of a stack trace, or a quoted
//! message.

use super::query::truncate;

/// What kind of signature a piece of the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureKind {
    /// An upper-case code with an underscore or a letter-digit code (`INVALID_API_VERSION`,
    /// `E502`).
    ErrorCode,
    /// A class or type name ending in `Exception`, `Error` or `Fault`.
    Exception,
    /// An HTTP status (400–599) the text calls a status, an error or a response.
    HttpStatus,
    /// A camelCase or PascalCase API name (`RequestStatuses`, `createEnvelope`).
    ApiName,
    /// The path of an endpoint, normalised (`/restapi/v2/accounts/:id/envelopes`).
    Endpoint,
}

/// One signature found in a text: its kind and its form as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    pub kind: SignatureKind,
    pub text: String,
}

/// Most signatures taken from one text.
const MAX_SIGNATURES: usize = 12;
/// Longest quoted message taken as a message.
const MAX_QUOTED_CHARS: usize = 160;

/// The error signatures of a text, strongest kinds first, without duplicates.
pub(crate) fn signatures(text: &str) -> Vec<Signature> {
    let mut found: Vec<Signature> = Vec::new();
    let push = |found: &mut Vec<Signature>, kind, text: &str| {
        let text = if kind == SignatureKind::Endpoint {
            text
        } else {
            text.trim_matches(|character: char| !character.is_alphanumeric())
        };
        if text.is_empty()
            || found
                .iter()
                .any(|known| known.text.eq_ignore_ascii_case(text))
        {
            return;
        }
        found.push(Signature {
            kind,
            text: text.to_owned(),
        });
    };
    let words: Vec<&str> = text
        .split(|character: char| character.is_whitespace() || "\"'`,;()[]{}<>=".contains(character))
        .filter(|word| !word.is_empty())
        .collect();
    for (position, raw) in words.iter().enumerate() {
        let word =
            raw.trim_matches(|character: char| !character.is_alphanumeric() && character != '_');
        if is_error_code(word) {
            push(&mut found, SignatureKind::ErrorCode, word);
        } else if let Some(name) = exception_name(word) {
            push(&mut found, SignatureKind::Exception, name);
        } else if is_http_status(word) && mentions_status(&words, position) {
            push(&mut found, SignatureKind::HttpStatus, word);
        } else if raw.starts_with('/') || raw.contains("://") {
            if let Some(path) = endpoint(raw) {
                push(&mut found, SignatureKind::Endpoint, &path);
            }
        } else if is_api_name(word) {
            push(&mut found, SignatureKind::ApiName, word);
        }
    }
    found.sort_by_key(|signature| signature.kind as u8);
    found.truncate(MAX_SIGNATURES);
    found
}

/// `INVALID_API_VERSION`, `ERR_CONN_REFUSED`, `E502`, `ORA-00942`: upper-case letters with an
/// underscore, or a short upper-case prefix followed by digits.
fn is_error_code(word: &str) -> bool {
    let letters = word.chars().filter(char::is_ascii_alphabetic).count();
    let upper = word.chars().all(|character| {
        character.is_ascii_uppercase()
            || character.is_ascii_digit()
            || character == '_'
            || character == '-'
    });
    if !upper || letters == 0 || word.len() < 3 {
        return false;
    }
    let parts: Vec<&str> = word.split('_').filter(|part| !part.is_empty()).collect();
    if parts.len() >= 2 && letters >= 4 {
        return true;
    }
    // A letter prefix then digits: E502, ERR42, ORA-00942.
    let prefix: String = word.chars().take_while(char::is_ascii_uppercase).collect();
    let rest = word[prefix.len()..].trim_start_matches('-');
    (1..=4).contains(&prefix.len())
        && rest.len() >= 2
        && rest.chars().all(|character| character.is_ascii_digit())
}

/// `FaultException`, `System.Net.WebException` → `WebException`, `TypeError`.
fn exception_name(word: &str) -> Option<&str> {
    let last = word.rsplit(['.', ':']).next().unwrap_or(word);
    let capitalised = last
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_uppercase());
    let suffix = ["Exception", "Error", "Fault"]
        .iter()
        .any(|suffix| last.len() > suffix.len() && last.ends_with(suffix));
    (capitalised
        && suffix
        && last
            .chars()
            .all(|character| character.is_ascii_alphanumeric()))
    .then_some(last)
}

fn is_http_status(word: &str) -> bool {
    word.len() == 3
        && word.chars().all(|character| character.is_ascii_digit())
        && matches!(word.as_bytes()[0], b'4' | b'5')
}

/// Whether a word near `position` says the number is a status.
fn mentions_status(words: &[&str], position: usize) -> bool {
    let from = position.saturating_sub(3);
    let to = (position + 3).min(words.len());
    words[from..to].iter().any(|word| {
        let word = word.to_ascii_lowercase();
        [
            "http",
            "status",
            "error",
            "code",
            "response",
            "returned",
            "returns",
            "bad",
            "unauthorized",
            "forbidden",
            "internal",
        ]
        .iter()
        .any(|marker| word.contains(marker))
    })
}

/// The normalised path of a URL or absolute path with at least two segments.
fn endpoint(raw: &str) -> Option<String> {
    let route = crate::index::analysis::normalize_route(raw);
    (route.matches('/').count() >= 2 && route.len() <= 120).then_some(route)
}

/// camelCase or PascalCase with at least two humps and letters only (`RequestStatuses`,
/// `createEnvelope`, `EnvelopeStatusFilter`), not an ALL-CAPS word.
fn is_api_name(word: &str) -> bool {
    if word.len() < 6
        || word.len() > 48
        || !word
            .chars()
            .all(|character| character.is_ascii_alphanumeric())
    {
        return false;
    }
    let humps = word
        .as_bytes()
        .windows(2)
        .filter(|pair| pair[0].is_ascii_lowercase() && pair[1].is_ascii_uppercase())
        .count();
    humps >= 1 && word.chars().any(|character| character.is_ascii_lowercase())
}

/// Lines that carry no problem: greetings, thanks, sign-offs.
const BOILERPLATE_STARTS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "greetings",
    "good morning",
    "good afternoon",
    "thanks",
    "thank you",
    "thx",
    "regards",
    "best regards",
    "kind regards",
    "cheers",
    "best",
    "sincerely",
    "any help",
    "any ideas",
    "please help",
    "appreciate",
    "i appreciate",
    "help would be",
];

/// The text without what does not describe the problem: greeting and sign-off sentences,
/// repeated lines (a log's same line many times), long hex/UUID/base64 tokens and digits-only
/// ids; camelCase names are followed by their words (`RequestStatuses` → `RequestStatuses
/// Request Statuses`) so prose that names the same thing in words matches. At most
/// `max_bytes` of the input are read.
pub(crate) fn reduce(text: &str, max_bytes: usize) -> String {
    let text = truncate(text, max_bytes);
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut seen_lines: Vec<&str> = Vec::new();
    for sentence in text.split_inclusive(['\n', '.', '!', '?']) {
        let trimmed = sentence.trim();
        if trimmed.is_empty() {
            continue;
        }
        let lower = trimmed.to_ascii_lowercase();
        let short = trimmed.len() <= 60;
        if short
            && BOILERPLATE_STARTS
                .iter()
                .any(|start| starts_with_word(&lower, start))
        {
            continue;
        }
        if trimmed.len() > 20 {
            if seen_lines.contains(&trimmed) {
                continue;
            }
            seen_lines.push(trimmed);
        }
        for word in sentence.split_inclusive(char::is_whitespace) {
            let core = word.trim_matches(|character: char| !character.is_alphanumeric());
            if is_opaque_id(core) {
                out.push(' ');
                continue;
            }
            out.push_str(word);
            if is_api_name(core) {
                out.push(' ');
                out.push_str(&split_humps(core));
                out.push(' ');
            }
        }
        out.push(' ');
    }
    out
}

fn starts_with_word(text: &str, start: &str) -> bool {
    text.starts_with(start)
        && text[start.len()..]
            .chars()
            .next()
            .is_none_or(|next| !next.is_alphanumeric())
}

/// Tokens that identify one record and never repeat across tickets: UUIDs, long hex or
/// base64-like runs, long numbers.
fn is_opaque_id(word: &str) -> bool {
    if word.len() < 8 {
        return false;
    }
    let digits = word.chars().filter(char::is_ascii_digit).count();
    let hex = word
        .chars()
        .all(|character| character.is_ascii_hexdigit() || character == '-');
    (hex && digits >= 3)
        || digits * 3 >= word.len()
        || (word.len() >= 24 && digits > 0 && !word.contains('_'))
}

/// `RequestStatuses` → `Request Statuses`.
fn split_humps(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 4);
    let mut previous: Option<char> = None;
    for character in word.chars() {
        if previous
            .is_some_and(|before| before.is_ascii_lowercase() && character.is_ascii_uppercase())
        {
            out.push(' ');
        }
        out.push(character);
        previous = Some(character);
    }
    out
}

/// Quoted messages of a text (`"The API Version specified is not valid."`): text between
/// double quotes of two to [`MAX_QUOTED_CHARS`] characters with at least two words.
pub(crate) fn quoted_messages(text: &str) -> Vec<&str> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::trim)
        .filter(|quoted| {
            quoted.chars().count() <= MAX_QUOTED_CHARS
                && quoted.split_whitespace().count() >= 2
                && quoted.chars().any(char::is_alphabetic)
        })
        .collect()
}

/// The first sentence of a text (a subject line), at most 200 bytes.
pub(crate) fn subject(text: &str) -> &str {
    let end = text
        .find(['\n', '?', '!'])
        .into_iter()
        .chain(text.find(". "))
        .min()
        .unwrap_or(text.len());
    truncate(&text[..end], 200)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(SignatureKind, String)> {
        signatures(text)
            .into_iter()
            .map(|signature| (signature.kind, signature.text))
            .collect()
    }

    #[test]
    fn error_signatures_are_recognised() {
        let found = kinds(
            "Response Body{ \"errorCode\":\"INVALID_API_VERSION\" } then a \
             System.ServiceModel.FaultException and HTTP 401 from \
             https://demo.docusign.net/restapi/v2/accounts/163051/envelopes while calling \
             RequestStatuses; code E502, ERR_CONN_REFUSED. We have 200 users.",
        );
        assert!(found.contains(&(SignatureKind::ErrorCode, "INVALID_API_VERSION".into())));
        assert!(found.contains(&(SignatureKind::ErrorCode, "E502".into())));
        assert!(found.contains(&(SignatureKind::ErrorCode, "ERR_CONN_REFUSED".into())));
        assert!(found.contains(&(SignatureKind::Exception, "FaultException".into())));
        assert!(found.contains(&(SignatureKind::HttpStatus, "401".into())));
        assert!(found.contains(&(SignatureKind::ApiName, "RequestStatuses".into())));
        assert!(found.contains(&(
            SignatureKind::Endpoint,
            "/restapi/v2/accounts/:id/envelopes".into()
        )));
        assert!(
            !found
                .iter()
                .any(|(_, text)| text == "200" || text == "HTTP")
        );
        assert_eq!(found[0].0, SignatureKind::ErrorCode);
    }

    #[test]
    fn plain_questions_have_no_signatures() {
        assert!(kinds("How do I reset my password? Thanks!").is_empty());
        assert!(kinds("").is_empty());
    }

    #[test]
    fn boilerplate_ids_and_repeats_are_dropped() {
        let reduced = reduce(
            "Hi all,\nThe envelope 95c08eff-76ca-45ce-b88d-1d16ad68b64d fails.\n\
             ERROR line repeated here\nERROR line repeated here\nThanks in advance\nJohn",
            10_000,
        );
        assert!(!reduced.contains("Hi all"));
        assert!(!reduced.contains("95c08eff"));
        assert!(!reduced.contains("Thanks"));
        assert_eq!(reduced.matches("repeated").count(), 1);
        assert!(reduced.contains("envelope"));
        assert!(reduce("Calling RequestStatuses fails", 100).contains("Request Statuses"));
    }

    #[test]
    fn any_input_is_reduced_without_panicking() {
        for text in [
            "",
            "é",
            "\u{0}\u{ffff}..!!??",
            "a".repeat(10_000).as_str(),
            "_ _ -- ::",
        ] {
            let _ = reduce(text, 2_000);
            let _ = signatures(text);
            let _ = subject(text);
        }
    }
}
