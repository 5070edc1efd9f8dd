//! What the panel shows and when: the answers to a question (high confidence
//! first), the conversation thread with messages that failed to send, and the
//! escalation prefill. Plain data, tested natively; `ui` only renders it.

/// Shortest question worth sending to `/suggest`.
pub const MIN_QUERY_CHARS: usize = 3;
/// Wait after the last keystroke before asking for answers.
pub const DEBOUNCE_MS: u32 = 250;
/// Confidence from which an answer is shown as a likely fix.
pub const HIGH_CONFIDENCE: f64 = 0.6;

/// Which screen of the panel is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// The question box and the answers.
    #[default]
    Ask,
    /// One answer, opened inside the panel (index into the answers).
    Article(usize),
    /// "Talk to a person": the escalation form.
    Escalate,
    /// The conversation with support.
    Conversation,
}

/// One suggested answer, as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Answer id, sent back with the feedback.
    pub id: String,
    /// Title.
    pub title: String,
    /// Short text.
    pub snippet: String,
    /// Link to the full article, if any.
    pub url: Option<String>,
    /// 0..1.
    pub confidence: f64,
}

impl Answer {
    /// Whether it is shown as a likely fix.
    pub fn is_likely(&self) -> bool {
        self.confidence >= HIGH_CONFIDENCE
    }
}

/// Orders answers high confidence first (stable for equal confidence).
pub fn rank(answers: Vec<Answer>) -> Vec<Answer> {
    // Insertion after the last answer at least as confident: stable, and a few
    // answers need no general sort routine in the wasm.
    let mut ranked: Vec<Answer> = Vec::with_capacity(answers.len());
    for answer in answers {
        let at = ranked
            .iter()
            .rposition(|r| r.confidence.total_cmp(&answer.confidence).is_ge())
            .map_or(0, |i| i + 1);
        ranked.insert(at, answer);
    }
    ranked
}

/// The query to send for what the user typed, or `None` if it is too short.
pub fn query_for(typed: &str) -> Option<String> {
    let trimmed = typed.trim();
    (trimmed.chars().count() >= MIN_QUERY_CHARS).then(|| trimmed.to_owned())
}

/// Keeps only the newest question's answers: each request gets a ticket, and a
/// response whose ticket is not the latest is dropped (the user kept typing).
#[derive(Debug, Default)]
pub struct Latest {
    issued: u32,
}

impl Latest {
    /// A ticket for a new request.
    pub fn issue(&mut self) -> u32 {
        self.issued += 1;
        self.issued
    }

    /// Whether the response for `ticket` is still wanted.
    pub fn is_current(&self, ticket: u32) -> bool {
        ticket == self.issued
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    /// The end user.
    Me,
    /// Support (an agent or the assistant).
    Support,
    /// A status line.
    System,
}

impl Author {
    /// From the wire's `author` field.
    pub fn from_wire(author: &str) -> Self {
        match author {
            "customer" => Self::Me,
            "agent" | "assistant" => Self::Support,
            _ => Self::System,
        }
    }
}

/// Delivery state of a message the user wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Stored by the server (or written by someone else).
    Delivered,
    /// On its way.
    Sending,
    /// Not sent: shown with a retry button.
    Failed,
}

/// One line of the thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Server id, or the idempotency key while not yet delivered.
    pub id: String,
    /// Who wrote it.
    pub author: Author,
    /// Name shown for support messages.
    pub author_name: Option<String>,
    /// The text.
    pub text: String,
    /// Delivery state.
    pub delivery: Delivery,
}

/// The conversation thread: server messages merged by id, plus the user's own
/// messages until the server confirms them.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Thread {
    /// Messages in order.
    pub messages: Vec<Message>,
    /// Cursor for the next `GET /messages?after=`.
    pub cursor: Option<String>,
}

impl Thread {
    /// Adds a message the user is sending (id = its idempotency key).
    pub fn sending(&mut self, key: &str, text: &str) {
        self.messages.push(Message {
            id: key.to_owned(),
            author: Author::Me,
            author_name: None,
            text: text.to_owned(),
            delivery: Delivery::Sending,
        });
    }

    /// The server stored the message sent with `key` as `id`.
    pub fn delivered(&mut self, key: &str, id: &str) {
        let already_listed = self.messages.iter().any(|m| m.id == id);
        if already_listed {
            self.messages.retain(|m| m.id != key);
            return;
        }
        if let Some(message) = self.messages.iter_mut().find(|m| m.id == key) {
            message.id = id.to_owned();
            message.delivery = Delivery::Delivered;
        }
    }

    /// Sending failed: the message stays, marked, with a retry.
    pub fn failed(&mut self, key: &str) {
        if let Some(message) = self.messages.iter_mut().find(|m| m.id == key) {
            message.delivery = Delivery::Failed;
        }
    }

    /// Retrying a failed message: back to sending, same key (no duplicate).
    pub fn retry(&mut self, key: &str) -> Option<String> {
        let message = self.messages.iter_mut().find(|m| m.id == key)?;
        message.delivery = Delivery::Sending;
        Some(message.text.clone())
    }

    /// Merges messages from the server; returns how many are new from support
    /// (to announce in the live region).
    pub fn merge(&mut self, incoming: Vec<Message>, cursor: Option<String>) -> usize {
        let mut new_from_support = 0;
        for message in incoming {
            if self.messages.iter().any(|m| m.id == message.id) {
                continue;
            }
            // Our own message coming back before the send call answered.
            if message.author == Author::Me
                && let Some(pending) = self.messages.iter_mut().find(|m| {
                    m.author == Author::Me
                        && m.delivery != Delivery::Delivered
                        && m.text == message.text
                })
            {
                pending.id = message.id;
                pending.delivery = Delivery::Delivered;
                continue;
            }
            if message.author == Author::Support {
                new_from_support += 1;
            }
            self.messages.push(message);
        }
        if cursor.is_some() {
            self.cursor = cursor;
        }
        new_from_support
    }
}

/// What the escalation form already knows, so it only asks for the rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prefill {
    /// The page title and route.
    pub page: String,
    /// The last error seen on this page, if any.
    pub error: Option<String>,
    /// What the user typed in the question box.
    pub question: String,
    /// Titles of answers shown that did not solve it.
    pub tried: Vec<String>,
}

impl Prefill {
    /// The first message sent to support: the user's own words first, then the
    /// context lines (which the handoff note also gets from the page trail).
    pub fn message(&self, typed: &str, labels: &PrefillLabels) -> String {
        let mut text = typed.trim().to_owned();
        if text.is_empty() {
            text = self.question.trim().to_owned();
        }
        let mut context = vec![format!("{}: {}", labels.page, self.page)];
        if let Some(error) = &self.error {
            context.push(format!("{}: {error}", labels.error));
        }
        if !self.tried.is_empty() {
            context.push(format!("{}: {}", labels.tried, self.tried.join("; ")));
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&context.join("\n"));
        text
    }
}

/// Labels of the context lines, localised.
#[derive(Debug, Clone, Copy)]
pub struct PrefillLabels {
    /// "Page".
    pub page: &'static str,
    /// "Error".
    pub error: &'static str,
    /// "Already tried".
    pub tried: &'static str,
}

/// Idempotency keys: the session, the page load and a counter, so a retry reuses
/// its key and two actions never share one — not even across the full page loads
/// of one session, which start their counters again.
#[derive(Debug, Default)]
pub struct Keys {
    session: String,
    next: u32,
}

impl Keys {
    /// Keys for a session, on the page load `load` (any number that differs
    /// between the page loads of a session, such as the time it started).
    pub fn new(session: &str, load: u32) -> Self {
        Self {
            session: format!("{session}.{load}"),
            next: 0,
        }
    }

    /// A new key (`kind` names the action: `conv`, `msg`, `fb`).
    pub fn next(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("{}.{kind}{}", self.session, self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str, confidence: f64) -> Answer {
        Answer {
            id: id.into(),
            title: id.into(),
            snippet: String::new(),
            url: None,
            confidence,
        }
    }

    fn support(id: &str, text: &str) -> Message {
        Message {
            id: id.into(),
            author: Author::Support,
            author_name: Some("Sam".into()),
            text: text.into(),
            delivery: Delivery::Delivered,
        }
    }

    #[test]
    fn answers_are_listed_high_confidence_first() {
        let ranked = rank(vec![
            answer("low", 0.2),
            answer("high", 0.9),
            answer("mid", 0.5),
        ]);
        let ids: Vec<_> = ranked.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["high", "mid", "low"]);
        assert!(ranked[0].is_likely());
        assert!(!ranked[1].is_likely());
    }

    #[test]
    fn short_questions_are_not_sent() {
        assert_eq!(query_for("  hi "), None);
        assert_eq!(query_for(" export fails "), Some("export fails".into()));
    }

    #[test]
    fn an_older_response_is_dropped_once_the_user_typed_more() {
        let mut latest = Latest::default();
        let first = latest.issue();
        let second = latest.issue();
        assert!(!latest.is_current(first));
        assert!(latest.is_current(second));
    }

    #[test]
    fn a_failed_message_stays_marked_and_retries_with_its_key() {
        let mut thread = Thread::default();
        thread.sending("k1", "still broken");
        thread.failed("k1");
        assert_eq!(thread.messages[0].delivery, Delivery::Failed);
        assert_eq!(thread.retry("k1").as_deref(), Some("still broken"));
        thread.delivered("k1", "m7");
        assert_eq!(thread.messages[0].id, "m7");
        assert_eq!(thread.messages[0].delivery, Delivery::Delivered);
    }

    #[test]
    fn polling_twice_never_duplicates_a_reply_and_counts_new_ones() {
        let mut thread = Thread::default();
        assert_eq!(
            thread.merge(vec![support("m1", "Hello")], Some("c1".into())),
            1
        );
        assert_eq!(thread.merge(vec![support("m1", "Hello")], None), 0);
        assert_eq!(thread.messages.len(), 1);
        assert_eq!(thread.cursor.as_deref(), Some("c1"));
    }

    #[test]
    fn own_message_seen_by_polling_before_the_send_answered_is_not_doubled() {
        let mut thread = Thread::default();
        thread.sending("k1", "hi");
        let echoed = Message {
            author: Author::Me,
            author_name: None,
            ..support("m2", "hi")
        };
        thread.merge(vec![echoed], None);
        thread.delivered("k1", "m2");
        assert_eq!(thread.messages.len(), 1);
        assert_eq!(thread.messages[0].delivery, Delivery::Delivered);
    }

    #[test]
    fn the_first_message_carries_what_the_widget_knows() {
        let prefill = Prefill {
            page: "Export (/demo/reports/export)".into(),
            error: Some("ExportError: CSV worker failed to start".into()),
            question: "export broken".into(),
            tried: vec!["Exports time out".into()],
        };
        let labels = PrefillLabels {
            page: "Page",
            error: "Error",
            tried: "Already tried",
        };
        assert_eq!(
            prefill.message("", &labels),
            "export broken\n\nPage: Export (/demo/reports/export)\n\
             Error: ExportError: CSV worker failed to start\nAlready tried: Exports time out"
        );
        assert!(
            prefill
                .message("I need the CSV today", &labels)
                .starts_with("I need the CSV today\n\n")
        );
    }

    #[test]
    fn keys_differ_per_action() {
        let mut keys = Keys::new("s_1", 7);
        assert_eq!(keys.next("conv"), "s_1.7.conv1");
        assert_eq!(keys.next("msg"), "s_1.7.msg2");
    }

    #[test]
    fn keys_of_another_page_load_differ() {
        let mut first = Keys::new("s_1", 7);
        let mut second = Keys::new("s_1", 8);
        assert_ne!(first.next("msg"), second.next("msg"));
    }
}
