//! The review life of a draft: edits with history, approve, reject with a reason,
//! expiry, publishing closes the loop, and the optional rewrite.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use waymark_knowledge::cluster::PreviousAssignments;
use waymark_knowledge::drafts::{
    Draft, DraftConfig, DraftEdit, DraftRewriter, DraftsError, Flag, ReviewPeriod, ReviewState,
    ReviewedDraft, build_drafts, rewrite_draft,
};

use crate::fixture;

const NOW: i64 = 1_770_000_000_000;

fn a_draft() -> Draft {
    let run = build_drafts(
        &fixture::tickets(),
        &[],
        &PreviousAssignments::new(),
        &DraftConfig::default(),
        &mut |_, _, _| {},
    );
    run.drafts
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no draft"))
}

#[test]
fn edits_keep_the_previous_versions() {
    let mut review = ReviewedDraft::new(a_draft(), NOW);
    let original_title = review.draft.title.clone();
    let edit = DraftEdit {
        title: Some("Better title".into()),
        ..DraftEdit::default()
    };
    assert_eq!(review.edit(edit, "kim", NOW + 1), Ok(()));
    let steps = DraftEdit {
        steps: Some(vec!["Do this.".into()]),
        ..DraftEdit::default()
    };
    assert_eq!(review.edit(steps, "lee", NOW + 2), Ok(()));
    assert_eq!(review.draft.title, "Better title");
    assert_eq!(review.draft.steps.len(), 1);
    assert_eq!(review.history.len(), 2);
    assert_eq!(review.history[0].previous.title, original_title);
    assert_eq!(review.history[1].edited_by, "lee");
    assert_eq!(review.history[1].previous.title, "Better title");
}

#[test]
fn approval_publishes_an_article_and_closes_review() {
    let mut review = ReviewedDraft::new(a_draft(), NOW);
    let article = review.approve("kim", "kb-1", NOW + 5);
    let article = article.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(article.id, "kb-1");
    assert_eq!(article.title, review.draft.title);
    assert!(!article.fix.is_empty());
    assert!(matches!(review.state, ReviewState::Approved { ref by, .. } if by == "kim"));
    assert_eq!(
        review.reject("kim", "changed my mind", NOW + 6),
        Err(DraftsError::NotUnderReview { state: "approved" })
    );
}

#[test]
fn a_published_draft_is_flagged_as_duplicate_on_the_next_run() {
    let tickets = fixture::tickets();
    let config = DraftConfig::default();
    let first = build_drafts(
        &tickets,
        &[],
        &PreviousAssignments::new(),
        &config,
        &mut |_, _, _| {},
    );
    let mut review = ReviewedDraft::new(first.drafts[0].clone(), NOW);
    let article = review
        .approve("kim", "kb-new", NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    let second = build_drafts(
        &tickets,
        &[article],
        &first.assignments,
        &config,
        &mut |_, _, _| {},
    );
    let same = second
        .drafts
        .iter()
        .find(|d| d.cluster_id == first.drafts[0].cluster_id);
    let flags = same.map(|d| d.flags.clone()).unwrap_or_default();
    assert!(
        matches!(flags.as_slice(), [Flag::Duplicate { article_id, .. }] if article_id == "kb-new")
    );
}

#[test]
fn rejection_needs_a_reason() {
    let mut review = ReviewedDraft::new(a_draft(), NOW);
    assert_eq!(
        review.reject("kim", "  ", NOW),
        Err(DraftsError::MissingRejectionReason)
    );
    assert_eq!(review.state, ReviewState::Draft);
    assert_eq!(
        review.reject("kim", "covered by onboarding guide", NOW),
        Ok(())
    );
    assert!(
        matches!(review.state, ReviewState::Rejected { ref reason, .. } if reason == "covered by onboarding guide")
    );
}

#[test]
fn drafts_not_reviewed_in_time_expire_and_can_no_longer_be_edited() {
    let period = ReviewPeriod { millis: 1_000 };
    let mut review = ReviewedDraft::new(a_draft(), NOW);
    assert!(!review.expire_if_stale(NOW + 999, period));
    assert!(review.expire_if_stale(NOW + 1_000, period));
    assert_eq!(review.state, ReviewState::Expired { at_ms: NOW + 1_000 });
    assert!(!review.expire_if_stale(NOW + 5_000, period));
    assert_eq!(
        review.edit(DraftEdit::default(), "kim", NOW + 2_000),
        Err(DraftsError::NotUnderReview { state: "expired" })
    );
}

struct CannedRewriter;

impl DraftRewriter for CannedRewriter {
    fn complete(
        &self,
        request_body: String,
    ) -> impl Future<Output = Result<String, String>> + Send {
        let mentions_steps = request_body.contains("## Resolution");
        async move {
            if !mentions_steps {
                return Err("prompt without steps".to_string());
            }
            Ok(
                r##"{"choices":[{"message":{"content":"# Friendly title\n\nFriendly body."}}]}"##
                    .to_string(),
            )
        }
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

#[test]
fn a_rewrite_is_kept_beside_the_extractive_draft() {
    let mut draft = a_draft();
    let extractive_title = draft.title.clone();
    assert_eq!(
        block_on(rewrite_draft(&CannedRewriter, &mut draft, "local-model")),
        Ok(())
    );
    let rewritten = draft
        .rewritten
        .clone()
        .unwrap_or_else(|| panic!("no rewrite"));
    assert_eq!(rewritten.title, "Friendly title");
    assert_eq!(rewritten.model, "local-model");
    assert_eq!(draft.title, extractive_title);
    let mut review = ReviewedDraft::new(draft, NOW);
    let article = review
        .approve("kim", "kb-2", NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(article.title, "Friendly title");
}
