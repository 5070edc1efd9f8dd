//! Suggest: words and page context to answers, with explanation, snippet and confidence.

use waymark_knowledge::suggest::{FailedRequest, MatchKind, PageContext};
use waymark_knowledge::{DocKind, SuggestRequest};

use crate::help_desk;

fn request(text: &str, context: PageContext) -> SuggestRequest {
    SuggestRequest {
        site: "acme".to_owned(),
        text: text.to_owned(),
        context,
        limit: 3,
    }
}

#[test]
fn an_error_code_on_the_page_finds_its_answer_without_words() {
    let index = help_desk();
    let context = PageContext {
        route: Some("https://app.example.com/billing/invoices/81237?tab=pdf".to_owned()),
        errors: vec!["Request failed: E502 Bad Gateway".to_owned()],
        ..PageContext::default()
    };
    let suggestions = index.suggest(&request("", context)).unwrap();
    let best = &suggestions[0];
    assert_eq!(best.id, "T-1");
    assert!(
        best.explanation.contains("your error E502"),
        "{}",
        best.explanation
    );
    assert!(
        best.explanation.contains("/billing/invoices/:id"),
        "{}",
        best.explanation
    );
    assert!(
        best.matched
            .iter()
            .any(|field| field.kind == MatchKind::Route)
    );
}

#[test]
fn identifiers_match_whole_and_by_parts() {
    let index = help_desk();
    for text in [
        "ERR_CONNECTION_REFUSED",
        "net::ERR_CONNECTION_REFUSED",
        "connection refused",
    ] {
        let suggestions = index
            .suggest(&request(text, PageContext::default()))
            .unwrap();
        assert_eq!(suggestions[0].id, "T-2", "{text}");
    }
    let failed = PageContext {
        failed_requests: vec![FailedRequest {
            method: Some("GET".to_owned()),
            url: "/dashboard/data".to_owned(),
            status: None,
        }],
        ..PageContext::default()
    };
    assert_eq!(index.suggest(&request("", failed)).unwrap()[0].id, "T-2");
}

#[test]
fn articles_rank_above_equally_relevant_tickets() {
    let index = help_desk();
    let suggestions = index
        .suggest(&request(
            "password reset email never arrives",
            PageContext::default(),
        ))
        .unwrap();
    assert_eq!(suggestions[0].kind, DocKind::Article);
    assert_eq!(suggestions[1].id, "T-3");
}

#[test]
fn typos_still_find_the_answer() {
    let index = help_desk();
    let suggestions = index
        .suggest(&request("pasword reset", PageContext::default()))
        .unwrap();
    assert!(
        suggestions.iter().any(|suggestion| suggestion.id == "T-3"),
        "{suggestions:?}"
    );
}

#[test]
fn snippets_highlight_the_matching_words_safely() {
    let index = help_desk();
    let suggestions = index
        .suggest(&request(
            "retry the invoice download",
            PageContext::default(),
        ))
        .unwrap();
    let snippet = &suggestions[0].snippet;
    assert!(snippet.html.contains("<mark>"), "{}", snippet.html);
    assert!(!snippet.highlights.is_empty());
    assert!(
        suggestions[0].explanation.contains("“download”"),
        "{}",
        suggestions[0].explanation
    );
}

#[test]
fn empty_long_and_unusual_input_never_fails() {
    let index = help_desk();
    assert!(
        index
            .suggest(&request("", PageContext::default()))
            .unwrap()
            .is_empty()
    );
    assert!(
        index
            .suggest(&request("   ?!  ", PageContext::default()))
            .unwrap()
            .is_empty()
    );
    let long = "invoice download fails ".repeat(5_000);
    let suggestions = index
        .suggest(&request(&long, PageContext::default()))
        .unwrap();
    assert_eq!(suggestions[0].id, "T-1");
    for text in [
        "发票下载失败 😡",
        "ñandú ÉLAN",
        "\u{0}\u{200b}",
        "E502 E502 E502",
    ] {
        let suggestions = index
            .suggest(&request(text, PageContext::default()))
            .unwrap();
        assert!(
            suggestions
                .iter()
                .all(|suggestion| (0.0..=1.0).contains(&suggestion.confidence))
        );
    }
}

#[test]
fn a_clear_match_is_more_confident_than_a_vague_one() {
    let index = help_desk();
    let clear = index
        .suggest(&request(
            "invoice pdf download fails",
            PageContext::default(),
        ))
        .unwrap();
    let vague = index
        .suggest(&request("fails", PageContext::default()))
        .unwrap();
    assert!(clear[0].confidence > 0.5, "{}", clear[0].confidence);
    assert!(vague[0].confidence < clear[0].confidence);
}
