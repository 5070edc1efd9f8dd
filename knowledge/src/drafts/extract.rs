//! Extractive pieces of a draft: titles from problem statements, steps from fix fields
//! and agent answers (split, cleaned, grouped across tickets, ordered), and the
//! normalisation of routes and error messages.

use std::collections::{HashMap, HashSet};

use super::classify::{split_sentences, strip_list_marker};
use crate::cluster::Analyzer;

/// Openings of sentences that are courtesy, not instructions.
const COURTESY_OPENINGS: &[&str] = &[
    "thanks",
    "thank you",
    "hope this helps",
    "hope that helps",
    "let me know",
    "hi ",
    "hello",
    "sorry",
    "glad",
    "you're welcome",
    "you are welcome",
    "have a great",
    "happy to help",
    "please let us know",
    "please let me know",
    "feel free",
    "cheers",
    "best regards",
    "regards",
    "kind regards",
    "thanks for",
    "i'm closing",
    "closing this",
];

/// The longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 120;

/// A title from a problem statement: reply prefixes dropped, whitespace collapsed,
/// first letter capitalised, cut at a word boundary.
pub fn clean_title(text: &str) -> String {
    let mut title = text.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let lower = title.to_lowercase();
        let Some(prefix) = ["re:", "fwd:", "fw:"]
            .iter()
            .find(|p| lower.starts_with(**p))
        else {
            break;
        };
        title = title[prefix.len()..].trim_start().to_string();
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        let cut: String = title.chars().take(MAX_TITLE_CHARS).collect();
        title = match cut.rfind(' ') {
            Some(space) => format!("{}…", &cut[..space]),
            None => format!("{cut}…"),
        };
    }
    let title = title.trim_end_matches(['.', ' ']).to_string();
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => title,
    }
}

/// A route with volatile segments (numbers, UUIDs, long hex ids) replaced by `:id`,
/// query and fragment dropped, no trailing slash.
pub fn normalize_route(route: &str) -> String {
    let path = route.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| {
            let is_number = !segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit());
            let is_hex_id =
                segment.len() >= 16 && segment.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if is_number || is_hex_id {
                ":id".to_string()
            } else {
                segment.to_string()
            }
        })
        .collect();
    let joined = segments.join("/");
    let trimmed = joined.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_string()
    }
}

/// An error message with whitespace collapsed and surrounding punctuation trimmed.
pub fn normalize_error(message: &str) -> String {
    message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| c == '.' || c == '"' || c == '\'')
        .to_string()
}

/// The instruction-like pieces of a text, in order: lines, list items and sentences,
/// with numbering and bullets removed and courtesy sentences dropped.
pub fn split_steps(text: &str) -> Vec<String> {
    let mut steps = Vec::new();
    for line in text.lines() {
        let line = strip_list_marker(line.trim());
        for sentence in split_sentences(line) {
            let sentence = sentence.trim();
            let lower = sentence.to_lowercase();
            let words = sentence.split_whitespace().count();
            if words < 2
                || COURTESY_OPENINGS
                    .iter()
                    .any(|opening| lower.starts_with(opening))
            {
                continue;
            }
            steps.push(sentence.to_string());
        }
    }
    steps
}

/// Verbs an instruction starts with ("Click…", "Go to…").
const INSTRUCTION_VERBS: &[&str] = &[
    "add",
    "allow",
    "append",
    "apply",
    "assign",
    "avoid",
    "ask",
    "call",
    "cancel",
    "change",
    "check",
    "choose",
    "clear",
    "click",
    "close",
    "configure",
    "confirm",
    "connect",
    "contact",
    "copy",
    "create",
    "define",
    "delete",
    "deselect",
    "disable",
    "double-click",
    "do",
    "don't",
    "download",
    "never",
    "drag",
    "edit",
    "enable",
    "encode",
    "ensure",
    "enter",
    "export",
    "filter",
    "find",
    "get",
    "follow",
    "go",
    "hide",
    "highlight",
    "hit",
    "hover",
    "grant",
    "import",
    "include",
    "insert",
    "install",
    "invite",
    "log",
    "login",
    "make",
    "mark",
    "merge",
    "modify",
    "move",
    "navigate",
    "open",
    "pass",
    "paste",
    "pick",
    "point",
    "press",
    "provide",
    "put",
    "reinstall",
    "refer",
    "regenerate",
    "register",
    "reload",
    "remove",
    "rename",
    "report",
    "replace",
    "request",
    "reset",
    "restart",
    "restore",
    "retry",
    "right",
    "right-click",
    "run",
    "save",
    "scroll",
    "search",
    "see",
    "select",
    "send",
    "set",
    "share",
    "sign",
    "specify",
    "start",
    "switch",
    "sync",
    "tap",
    "try",
    "toggle",
    "turn",
    "type",
    "uncheck",
    "uninstall",
    "unblock",
    "unmerge",
    "update",
    "upgrade",
    "upload",
    "use",
    "verify",
    "view",
    "visit",
    "wait",
    "write",
];

/// Phrases that mark an instruction inside a sentence ("you can…", "to do this…").
const INSTRUCTION_PHRASES: &[&str] = &[
    "you can ",
    "you need to ",
    "you should ",
    "you have to ",
    "you must ",
    "you'll need to ",
    "you could ",
    "you'd need to ",
    "you would need to ",
    "what you need to do is",
    "what you do is",
    "you will need to ",
    "you may want to ",
    "you might want to ",
    "to do this",
    "to do that",
    "make sure ",
    "ensure that ",
    "the solution is to ",
    "the fix is to ",
    "the workaround is to ",
];

/// Whether a sentence reads as an instruction: it starts with an imperative verb
/// (after an optional "then", "first", "please"…) or tells the reader what to do.
pub fn is_instruction(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    if starts_with_instruction_verb(&lower) {
        return true;
    }
    // "Under your preferences, click Branding." / "If it fails, restart the app."
    let leading_clause = lower
        .split_once(", ")
        .filter(|(clause, _)| clause.split_whitespace().count() <= 8);
    if let Some((_, rest)) = leading_clause
        && starts_with_instruction_verb(rest)
    {
        return true;
    }
    INSTRUCTION_PHRASES.iter().any(|phrase| {
        lower.match_indices(phrase).any(|(at, _)| {
            // "if you can find it" is a condition, not advice.
            !lower[..at].ends_with("if ") && !lower[..at].ends_with("whether ")
        })
    })
}

fn starts_with_instruction_verb(lower: &str) -> bool {
    // "See, we can't…" / "Look, …" are interjections, not imperatives.
    if lower
        .split_whitespace()
        .next()
        .is_some_and(|word| word.ends_with(','))
    {
        return false;
    }
    let mut words = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .filter(|word| !word.is_empty());
    let mut first = words.next().unwrap_or("");
    if matches!(
        first,
        "then" | "first" | "next" | "finally" | "please" | "now" | "also" | "just" | "simply"
    ) {
        first = words.next().unwrap_or("");
    }
    INSTRUCTION_VERBS.contains(&first)
}

/// A candidate step from one ticket.
#[derive(Debug, Clone)]
pub struct StepCandidate {
    /// The ticket (index within the cluster) it came from.
    pub ticket: usize,
    /// The step text.
    pub text: String,
    /// Its relative position in its source text (0 = first, 1 = last).
    pub position: f32,
}

/// Steps grouped across tickets by their terms.
#[derive(Debug, Clone)]
pub struct StepGroup {
    /// The wording used most often (ties: shortest, then alphabetical).
    pub text: String,
    /// Distinct tickets containing the step.
    pub tickets: usize,
    /// Mean relative position.
    pub position: f32,
}

/// How many of the most-supported exact groups are compared for near-identical wording.
const FUZZY_GROUPS: usize = 64;
/// Jaccard similarity of term sets from which two wordings are the same step.
const SAME_STEP_JACCARD: f32 = 0.6;

/// Groups candidate steps by wording: identical term sets first, then near-identical
/// ones among the best-supported groups. Returns groups, best-supported first.
pub fn group_steps(candidates: &[StepCandidate], analyzer: &Analyzer) -> Vec<StepGroup> {
    struct Pending {
        terms: HashSet<String>,
        tickets: HashSet<usize>,
        positions: Vec<f32>,
        wordings: HashMap<String, usize>,
    }
    let mut exact: HashMap<Vec<String>, Pending> = HashMap::new();
    for candidate in candidates {
        let mut terms = analyzer.terms(&candidate.text);
        if terms.is_empty() {
            continue;
        }
        terms.sort();
        terms.dedup();
        let pending = exact.entry(terms.clone()).or_insert_with(|| Pending {
            terms: terms.into_iter().collect(),
            tickets: HashSet::new(),
            positions: Vec::new(),
            wordings: HashMap::new(),
        });
        pending.tickets.insert(candidate.ticket);
        pending.positions.push(candidate.position);
        *pending.wordings.entry(candidate.text.clone()).or_insert(0) += 1;
    }
    let mut groups: Vec<(Vec<String>, Pending)> = exact.into_iter().collect();
    groups.sort_by(|x, y| {
        y.1.tickets
            .len()
            .cmp(&x.1.tickets.len())
            .then(x.0.cmp(&y.0))
    });

    let mut merged: Vec<Pending> = Vec::new();
    for (index, (_, group)) in groups.into_iter().enumerate() {
        let target = if index < FUZZY_GROUPS {
            merged
                .iter_mut()
                .find(|existing| jaccard(&existing.terms, &group.terms) >= SAME_STEP_JACCARD)
        } else {
            None
        };
        match target {
            Some(existing) => {
                existing.tickets.extend(group.tickets);
                existing.positions.extend(group.positions);
                for (wording, count) in group.wordings {
                    *existing.wordings.entry(wording).or_insert(0) += count;
                }
            }
            None => merged.push(group),
        }
    }
    let mut result: Vec<StepGroup> = merged
        .into_iter()
        .map(|group| {
            let mut wordings: Vec<(String, usize)> = group.wordings.into_iter().collect();
            wordings.sort_by(|x, y| {
                y.1.cmp(&x.1)
                    .then(x.0.len().cmp(&y.0.len()))
                    .then(x.0.cmp(&y.0))
            });
            StepGroup {
                text: wordings
                    .into_iter()
                    .next()
                    .map(|(w, _)| w)
                    .unwrap_or_default(),
                tickets: group.tickets.len(),
                position: group.positions.iter().sum::<f32>() / group.positions.len().max(1) as f32,
            }
        })
        .collect();
    result.sort_by(|x, y| y.tickets.cmp(&x.tickets).then(x.text.cmp(&y.text)));
    result
}

/// Jaccard similarity of two term sets.
pub fn jaccard(left: &HashSet<String>, right: &HashSet<String>) -> f32 {
    let union = left.union(right).count();
    if union == 0 {
        return 0.0;
    }
    left.intersection(right).count() as f32 / union as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_reply_prefixes_and_get_a_capital() {
        assert_eq!(clean_title("Re: RE:  export   fails."), "Export fails");
        assert_eq!(
            clean_title("why does export fail?"),
            "Why does export fail?"
        );
        assert!(clean_title(&"word ".repeat(60)).chars().count() <= MAX_TITLE_CHARS + 1);
    }

    #[test]
    fn routes_lose_ids_queries_and_trailing_slashes() {
        assert_eq!(
            normalize_route("/invoices/1234/pdf?x=1"),
            "/invoices/:id/pdf"
        );
        assert_eq!(
            normalize_route("/u/6f1c2e1a-9d7b-4a8e-b7f0-1c2d3e4f5a6b/"),
            "/u/:id"
        );
        assert_eq!(normalize_route("/"), "/");
    }

    #[test]
    fn steps_are_split_into_items_and_sentences_without_courtesy() {
        let fix = "Hi there! 1. Open Settings > Billing.\n2) Click Update card. Then retry the payment.\n- Thanks for your patience!";
        assert_eq!(
            split_steps(fix),
            vec![
                "Open Settings > Billing.",
                "Click Update card.",
                "Then retry the payment."
            ]
        );
    }

    #[test]
    fn instructions_are_told_apart_from_explanations() {
        assert!(is_instruction("Click on All Mail on the left."));
        assert!(is_instruction("Then request a new reset link."));
        assert!(is_instruction("You can use the search box instead."));
        assert!(!is_instruction("Inbox is a label."));
        assert!(!is_instruction("Facebook is a megalomaniac."));
    }

    #[test]
    fn the_same_step_in_different_wordings_is_grouped() {
        let analyzer = Analyzer::default();
        let candidate = |ticket, text: &str, position| StepCandidate {
            ticket,
            text: text.to_string(),
            position,
        };
        let candidates = vec![
            candidate(0, "Clear the browser cache.", 0.0),
            candidate(1, "Clear the browser cache", 0.0),
            candidate(2, "Please clear your browser cache.", 0.1),
            candidate(0, "Reload the page.", 1.0),
            candidate(1, "Reload the page.", 1.0),
        ];
        let groups = group_steps(&candidates, &analyzer);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].text, "Clear the browser cache");
        assert_eq!(groups[0].tickets, 3);
        assert_eq!(groups[1].tickets, 2);
    }
}
