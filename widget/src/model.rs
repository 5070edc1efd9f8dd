//! What the panel shows, as plain state: the Leptos view (`ui::view`) reads
//! it through one signal, and the decisions it depends on (which screen, which
//! fields, which links) are methods here, tested natively.

use crate::panel::{Answer, Author, Message, Prefill, Screen, Thread};

/// Everything the panel shows.
#[derive(Debug, Default, Clone)]
pub struct Model {
    /// Whether the panel is open.
    pub open: bool,
    /// Which screen.
    pub screen: Screen,
    /// The question box.
    pub typed: String,
    /// Answers, ranked.
    pub answers: Vec<Answer>,
    /// Id of the suggest call that produced them.
    pub query_id: String,
    /// Status line (searching, failed, thanks).
    pub note: Option<&'static str>,
    /// Whether the proactive nudge opened the panel.
    pub nudged: bool,
    /// The conversation.
    pub thread: Thread,
    /// The customer notice.
    pub notice: String,
    /// Customer-facing status (`escalated`, `resolved`…).
    pub status: String,
    /// Whether CSAT was given.
    pub rated: bool,
    /// The escalation form's prefill (on the form screen).
    pub prefill: Prefill,
    /// Whether the host identified the user (no email field then).
    pub identified: bool,
    /// Ids of the answers the user opened or marked as solving it: the only
    /// ones the handoff lists as already tried.
    pub opened: Vec<String>,
    /// What the ARIA live region says (new replies, the nudge).
    pub announced: String,
}

impl Model {
    /// Whether the conversation is over (CSAT instead of the reply box).
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "resolved" | "closed")
    }

    /// Whether the escalation form asks for an email (only when the host did
    /// not identify the user).
    pub fn asks_email(&self) -> bool {
        !self.identified
    }

    /// The answer shown on the article screen, if that is the screen.
    pub fn open_article(&self) -> Option<&Answer> {
        match self.screen {
            Screen::Article(index) => self.answers.get(index),
            _ => None,
        }
    }

    /// Remembers that the user opened (or marked) the answer `id`.
    pub fn mark_opened(&mut self, id: &str) {
        if !self.opened.iter().any(|o| o == id) {
            self.opened.push(id.to_owned());
        }
    }

    /// The thread as shown: without the status line that repeats the customer
    /// notice shown above it (the server also stores the notice as a message,
    /// for the record; an earlier notice stays in the thread).
    pub fn shown_messages(&self) -> impl Iterator<Item = &Message> {
        self.thread
            .messages
            .iter()
            .filter(|message| !(message.author == Author::System && message.text == self.notice))
    }

    /// Titles of the answers the user opened or marked, in the order shown.
    pub fn tried(&self) -> Vec<String> {
        self.answers
            .iter()
            .filter(|a| self.opened.contains(&a.id))
            .map(|a| a.title.clone())
            .collect()
    }
}

/// The link of an answer, when it is a web address (`http(s)` or a path):
/// anything else (`javascript:`, `data:`) is not shown.
pub fn safe_url(url: &str) -> Option<&str> {
    (url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
        .then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str) -> Answer {
        Answer {
            id: id.into(),
            title: format!("About {id}"),
            snippet: String::new(),
            url: None,
            confidence: 0.5,
        }
    }

    #[test]
    fn article_links_only_to_web_addresses() {
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(safe_url("/help/e502"), Some("/help/e502"));
        assert_eq!(safe_url("https://x.test/a"), Some("https://x.test/a"));
    }

    #[test]
    fn the_form_asks_for_email_only_when_the_user_is_not_identified() {
        let mut model = Model::default();
        assert!(model.asks_email());
        model.identified = true;
        assert!(!model.asks_email());
    }

    #[test]
    fn only_answers_the_user_opened_count_as_tried() {
        let mut model = Model {
            answers: vec![answer("a"), answer("b"), answer("c")],
            ..Model::default()
        };
        assert!(model.tried().is_empty(), "shown is not tried");
        model.mark_opened("c");
        model.mark_opened("a");
        model.mark_opened("a");
        assert_eq!(model.tried(), ["About a", "About c"]);
    }

    #[test]
    fn the_article_screen_shows_the_answer_it_names() {
        let mut model = Model {
            answers: vec![answer("a")],
            ..Model::default()
        };
        assert_eq!(model.open_article(), None);
        model.screen = Screen::Article(0);
        assert_eq!(model.open_article().map(|a| a.id.as_str()), Some("a"));
        model.screen = Screen::Article(3);
        assert_eq!(model.open_article(), None);
    }

    #[test]
    fn the_customer_notice_is_shown_once_not_again_as_a_thread_line() {
        let line = |id: &str, author, text: &str| Message {
            id: id.into(),
            author,
            author_name: None,
            text: text.into(),
            delivery: crate::panel::Delivery::Delivered,
        };
        let first = "Our support team (Tier 1) has your request; expect a reply within 1 hour.";
        let second = "Our billing team (Tier 2) has your request; expect a reply within 2 hours.";
        let mut model = Model {
            notice: first.into(),
            ..Model::default()
        };
        model.thread.messages = vec![
            line("m1", Author::Me, "I need last month's report"),
            line("m2", Author::System, first),
        ];
        let shown: Vec<_> = model.shown_messages().map(|m| m.id.as_str()).collect();
        assert_eq!(
            shown,
            ["m1"],
            "the notice is already shown above the thread"
        );

        // Transferred: the new notice shows above, the earlier one stays as history.
        model
            .thread
            .messages
            .push(line("m3", Author::System, second));
        model.notice = second.into();
        let shown: Vec<_> = model.shown_messages().map(|m| m.id.as_str()).collect();
        assert_eq!(shown, ["m1", "m2"]);
    }

    #[test]
    fn a_conversation_is_finished_once_resolved_or_closed() {
        let mut model = Model::default();
        assert!(!model.finished());
        model.status = "resolved".into();
        assert!(model.finished());
    }
}
