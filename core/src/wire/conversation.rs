//! Suggestions, conversations, escalation, messages, notices and CSAT.

use super::default_version;
use super::events::PageInfo;
use super::guide::GuideStep;
use serde::{Deserialize, Serialize};

/// "Can you answer this?" — the user's words (if any) plus the page context.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SuggestRequest {
    /// Protocol version.
    #[serde(default = "default_version")]
    pub v: u32,
    /// The widget session.
    pub session_id: String,
    /// What the user typed; absent for a proactive nudge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The page the user is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// The error the user just hit, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorContext>,
    /// The proactive rule that opened the nudge, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Most answers wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// An error as context for suggestions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorContext {
    /// The (scrubbed) message.
    #[serde(default)]
    pub message: String,
    /// Its fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// Answers for a suggest request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SuggestResponse {
    /// Identifies this answer set for feedback.
    #[serde(default)]
    pub query_id: String,
    /// Best first.
    #[serde(default)]
    pub answers: Vec<SuggestedAnswer>,
    /// What the widget should lead with.
    #[serde(default)]
    pub recommendation: Recommendation,
}

/// One suggested answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SuggestedAnswer {
    /// Article or ticket id.
    pub id: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: AnswerSource,
    /// Title.
    pub title: String,
    /// A short excerpt.
    #[serde(default)]
    pub snippet: String,
    /// Link to the full article, if public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Why it matched (`same error`, `this page`).
    #[serde(default)]
    pub why: Vec<String>,
    /// Confidence between 0 and 1: the estimated probability that this answer is right.
    #[serde(default)]
    pub confidence: f32,
    /// The first answer is confident enough to be shown as a likely fix (the "Likely fix"
    /// badge, and the answer opened first). Below it the widget says it is not sure.
    #[serde(default)]
    pub likely_fix: bool,
    /// Steps on the product's own pages the answer points at ("Show me"); empty
    /// when it has none (and left out of the JSON then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guide: Vec<GuideStep>,
}

/// Where an answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerSource {
    /// A published article.
    #[default]
    Article,
    /// A resolved ticket.
    Ticket,
}

/// An answer opened in the panel (`GET /answers/{id}`): its whole text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AnswerDetail {
    /// Article or ticket id.
    pub id: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: AnswerSource,
    /// Title.
    pub title: String,
    /// The text, paragraphs separated by blank lines: an article's body, or what
    /// fixed a resolved ticket and the agents' answers (never the other customer's
    /// own words).
    #[serde(default)]
    pub body: String,
}

/// What the widget leads with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// "Here is the answer."
    ShowAnswer,
    /// "Let me get you a person."
    #[default]
    OfferHuman,
}

/// "This solved it" / "not helpful" on a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SuggestFeedback {
    /// Protocol version.
    #[serde(default = "default_version")]
    pub v: u32,
    /// The widget session.
    pub session_id: String,
    /// Retries with the same key are recorded once.
    pub idempotency_key: String,
    /// From [`SuggestResponse::query_id`].
    #[serde(default)]
    pub query_id: String,
    /// The answer concerned.
    pub answer_id: String,
    /// The verdict.
    pub outcome: SuggestOutcome,
}

/// The user's verdict on a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestOutcome {
    /// It solved the problem (a deflection).
    Solved,
    /// It did not help.
    #[default]
    NotHelpful,
}

/// Who the end user is, as the host page identified them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Identity {
    /// The host's user id.
    pub user_id: String,
    /// HMAC of the user id with the site secret, when identity verification is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_hash: Option<String>,
    /// Email, if the host shares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The account's plan (`free`, `pro`, `enterprise`), for escalation rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The account's tier (`standard`, `strategic`), for escalation rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_tier: Option<String>,
}

/// Start a conversation (`POST /conversations`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StartConversationRequest {
    /// Protocol version.
    #[serde(default = "default_version")]
    pub v: u32,
    /// The widget session (its page trail travels with the conversation).
    pub session_id: String,
    /// Retries with the same key return the same conversation.
    pub idempotency_key: String,
    /// The user's first message.
    pub message: String,
    /// Who they are, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// Where they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    /// Ask the assistant first, or go straight to a person.
    #[serde(default)]
    pub intent: ConversationIntent,
    /// Answers shown before and not accepted (ids), for the handoff note.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_answers: Vec<String>,
    /// The proactive rule that opened the widget, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// What the user wants from a new conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationIntent {
    /// The assistant answers first.
    #[default]
    Ask,
    /// "Talk to a person".
    TalkToPerson,
}

/// A conversation exists.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationStarted {
    /// Its id.
    pub conversation_id: String,
    /// Its status.
    #[serde(default)]
    pub status: ConversationStatus,
    /// What the user is told, if a person or tier has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<CustomerNotice>,
    /// The per-conversation token: send it as `Authorization: Bearer <token>` on
    /// every `/conversations/{id}/…` call (or as `?token=` on the event stream,
    /// which cannot set headers). A retry with the same idempotency key returns the
    /// same token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_token: Option<String>,
}

/// Hand the conversation to a person (`POST /conversations/{id}/escalate`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EscalateRequest {
    /// Protocol version.
    #[serde(default = "default_version")]
    pub v: u32,
    /// Retries with the same key escalate once.
    pub idempotency_key: String,
    /// What the user is trying to accomplish, in their words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    /// What they already tried (answer ids or words).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tried: Vec<String>,
    /// Why they want a person, if they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The escalation is recorded.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EscalationAccepted {
    /// The conversation.
    pub conversation_id: String,
    /// Its status now.
    #[serde(default)]
    pub status: ConversationStatus,
    /// Who has it and when to expect a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<CustomerNotice>,
}

/// Send a message (`POST /conversations/{id}/messages`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SendMessageRequest {
    /// Protocol version.
    #[serde(default = "default_version")]
    pub v: u32,
    /// Retries with the same key store the message once.
    pub idempotency_key: String,
    /// The (scrubbed) text.
    pub text: String,
}

/// The message is stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MessageAccepted {
    /// Its id.
    pub message_id: String,
    /// When the server stored it.
    pub at_ms: i64,
    /// Whether an earlier request with the same key stored it already.
    #[serde(default)]
    pub duplicate: bool,
}

/// Messages after a cursor (`GET /conversations/{id}/messages?after=…`), for polling
/// or as SSE payloads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessagesResponse {
    /// The conversation.
    pub conversation_id: String,
    /// New messages, oldest first.
    #[serde(default)]
    pub messages: Vec<WireMessage>,
    /// Its status.
    #[serde(default)]
    pub status: ConversationStatus,
    /// The current customer notice, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<CustomerNotice>,
    /// Pass as `after` to get only newer messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One message as the end user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WireMessage {
    /// Its id.
    pub id: String,
    /// When it was sent.
    pub at_ms: i64,
    /// Who wrote it.
    #[serde(default)]
    pub author: MessageAuthor,
    /// Display name (`Sam from Billing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// The text.
    pub text: String,
}

/// Who wrote a message, as the end user sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageAuthor {
    /// The end user.
    #[default]
    Customer,
    /// A human agent.
    Agent,
    /// The automatic assistant.
    Assistant,
    /// A status line ("Billing (tier 2) has your request").
    System,
    /// An author kind this build does not know.
    #[serde(other)]
    Unknown,
}

/// Customer-facing status of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// With the assistant.
    #[default]
    Open,
    /// Waiting for a person to pick it up.
    WaitingForAgent,
    /// A person has it.
    WithAgent,
    /// A specialist tier has it.
    Escalated,
    /// Solved.
    Resolved,
    /// Closed.
    Closed,
    /// A status this build does not know.
    #[serde(other)]
    Unknown,
}

/// What the end user is told: who has the request and when to expect a reply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerNotice {
    /// The rendered notice ("Our billing team (tier 2) has your request; …").
    pub text: String,
    /// The role that has it (`billing team`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_role: Option<String>,
    /// When a reply is due, in ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_reply_by_ms: Option<i64>,
}

/// A satisfaction rating (`POST /conversations/{id}/csat`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CsatRequest {
    /// Protocol version.
    #[serde(default = "default_version")]
    pub v: u32,
    /// Retries with the same key are recorded once.
    pub idempotency_key: String,
    /// 1 (bad) to 5 (great).
    pub score: u8,
    /// Optional comment, scrubbed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl CsatRequest {
    /// Whether the score is between 1 and 5.
    pub fn score_is_valid(&self) -> bool {
        (1..=5).contains(&self.score)
    }
}

/// Longest ticket subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 80;

/// A ticket's subject from the customer's first message: their own words
/// (the first paragraph; the context lines the widget appends after a blank
/// line stay out), on one line, cut at a word boundary with `…` when longer
/// than [`SUBJECT_MAX_CHARS`].
pub fn subject_line(message: &str) -> String {
    let words = message.trim().split("\n\n").next().unwrap_or_default();
    let one_line: Vec<&str> = words.split_whitespace().collect();
    let mut subject = String::new();
    for word in one_line {
        let needed =
            subject.chars().count() + usize::from(!subject.is_empty()) + word.chars().count();
        if needed > SUBJECT_MAX_CHARS {
            if subject.is_empty() {
                subject = word.chars().take(SUBJECT_MAX_CHARS).collect();
            }
            subject.push('…');
            return subject;
        }
        if !subject.is_empty() {
            subject.push(' ');
        }
        subject.push_str(word);
    }
    subject
}

#[cfg(test)]
mod subject_tests {
    use super::*;

    #[test]
    fn the_subject_is_the_users_words_without_the_appended_context() {
        let message = "I need last month's report\n\nPage: Old reports (/demo/broken)\nError: E500";
        assert_eq!(subject_line(message), "I need last month's report");
    }

    #[test]
    fn a_long_message_is_cut_at_a_word_boundary() {
        let message = "word ".repeat(40);
        let subject = subject_line(&message);
        assert!(subject.ends_with("word…"), "{subject}");
        assert!(subject.chars().count() <= SUBJECT_MAX_CHARS + 1);
        let one_long_word = "x".repeat(200);
        assert_eq!(
            subject_line(&one_long_word).chars().count(),
            SUBJECT_MAX_CHARS + 1
        );
    }
}
