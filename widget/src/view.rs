//! The panel as HTML, from plain state: pure functions, tested natively. The
//! browser side puts the result into the Shadow DOM and handles clicks by their
//! `data-act` attribute, so the wasm carries one small renderer instead of a
//! component tree (the 64 KiB budget). Every piece of text is escaped.

use std::fmt::Write;

use crate::panel::{Answer, Author, Delivery, Prefill, Screen, Thread};
use crate::strings::Strings;

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
}

impl Model {
    /// Whether the conversation is over (CSAT instead of the reply box).
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "resolved" | "closed")
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Only `http(s)` links are shown.
fn safe_url(url: &str) -> Option<&str> {
    (url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
        .then_some(url)
}

/// The whole panel (empty when closed).
pub fn panel(model: &Model, s: &Strings) -> String {
    if !model.open {
        return String::new();
    }
    let mut html = String::from(
        "<section class=\"wm-panel\" role=\"dialog\" aria-modal=\"true\" aria-labelledby=\"wm-title\"><header class=\"wm-head\">",
    );
    if model.screen != Screen::Ask {
        let _ = write!(
            html,
            "<button class=\"wm-icon\" data-act=\"back\" aria-label=\"{}\">‹</button>",
            s.back
        );
    }
    let _ = write!(
        html,
        "<h2 id=\"wm-title\">{}</h2><button class=\"wm-icon\" data-act=\"close\" aria-label=\"{}\">×</button></header>",
        s.title, s.close
    );
    match model.screen {
        Screen::Ask => ask(&mut html, model, s),
        Screen::Article(index) => article(&mut html, model, index, s),
        Screen::Escalate => form(&mut html, model, s),
        Screen::Conversation => conversation(&mut html, model, s),
    }
    let _ = write!(
        html,
        "<p class=\"wm-note\" id=\"wm-note\" role=\"alert\">{}</p></section>",
        model.note.unwrap_or("")
    );
    html
}

fn ask(html: &mut String, model: &Model, s: &Strings) {
    if model.nudged {
        let _ = write!(html, "<p class=\"wm-nudge\">{}</p>", s.nudge);
    }
    let _ = write!(
        html,
        "<label class=\"wm-label\" for=\"wm-q\">{}</label><input id=\"wm-q\" class=\"wm-input\" type=\"text\" autocomplete=\"off\" data-in=\"ask\" value=\"{}\"><ul class=\"wm-answers\" id=\"wm-answers\">{}</ul><button class=\"wm-secondary\" data-act=\"talk\">{}</button>",
        s.ask,
        escape(&model.typed),
        answers(model, s),
        s.talk
    );
}

/// The answer list (re-rendered alone while the user types).
pub fn answers(model: &Model, s: &Strings) -> String {
    let mut html = String::new();
    for (index, answer) in model.answers.iter().enumerate() {
        let badge = if answer.is_likely() {
            format!("<span class=\"wm-badge\">{}</span>", s.likely)
        } else {
            String::new()
        };
        let _ = write!(
            html,
            "<li><button class=\"wm-answer\" data-act=\"article\" data-arg=\"{index}\"><strong>{}</strong>{badge}<span>{}</span></button></li>",
            escape(&answer.title),
            escape(&answer.snippet)
        );
    }
    html
}

fn article(html: &mut String, model: &Model, index: usize, s: &Strings) {
    let Some(answer) = model.answers.get(index) else {
        return;
    };
    let _ = write!(
        html,
        "<article class=\"wm-article\"><h3>{}</h3><p>{}</p>",
        escape(&answer.title),
        escape(&answer.snippet)
    );
    if let Some(url) = answer.url.as_deref().and_then(safe_url) {
        let _ = write!(
            html,
            "<a href=\"{}\" target=\"_blank\" rel=\"noopener\">{}</a>",
            escape(url),
            s.read_more
        );
    }
    let _ = write!(
        html,
        "</article><div class=\"wm-row\"><button class=\"wm-primary\" data-act=\"solved\" data-arg=\"{}\">{}</button><button class=\"wm-secondary\" data-act=\"talk\">{}</button></div>",
        escape(&answer.id),
        s.solved,
        s.talk
    );
}

fn form(html: &mut String, model: &Model, s: &Strings) {
    let prefill = &model.prefill;
    let _ = write!(
        html,
        "<form class=\"wm-form\" data-form=\"start\"><h3>{}</h3><p>{}</p><ul class=\"wm-known\"><li>{}: {}</li>",
        s.form_title,
        s.we_know,
        s.page,
        escape(&prefill.page)
    );
    if let Some(error) = &prefill.error {
        let _ = write!(html, "<li>{}: {}</li>", s.error, escape(error));
    }
    if !prefill.tried.is_empty() {
        let _ = write!(
            html,
            "<li>{}: {}</li>",
            s.tried,
            escape(&prefill.tried.join("; "))
        );
    }
    let _ = write!(
        html,
        "</ul><label class=\"wm-label\" for=\"wm-goal\">{}</label><textarea id=\"wm-goal\" name=\"goal\" class=\"wm-input\" rows=\"3\" required>{}</textarea>",
        s.goal,
        escape(&prefill.question)
    );
    if !model.identified {
        let _ = write!(
            html,
            "<label class=\"wm-label\" for=\"wm-email\">{}</label><input id=\"wm-email\" name=\"email\" class=\"wm-input\" type=\"email\" autocomplete=\"email\">",
            s.email
        );
    }
    let _ = write!(
        html,
        "<button class=\"wm-primary\" type=\"submit\">{}</button></form>",
        s.send
    );
}

fn conversation(html: &mut String, model: &Model, s: &Strings) {
    let _ = write!(
        html,
        "<div id=\"wm-conv\">{}</div>",
        conversation_body(model, s)
    );
    if model.finished() {
        return;
    }
    let _ = write!(
        html,
        "<form class=\"wm-form\" data-form=\"reply\"><label class=\"wm-label\" for=\"wm-reply\">{}</label><textarea id=\"wm-reply\" name=\"text\" class=\"wm-input\" rows=\"2\"></textarea><button class=\"wm-primary\" type=\"submit\">{}</button></form>",
        s.reply, s.send
    );
}

/// Notice, thread and CSAT (re-rendered alone when replies arrive).
pub fn conversation_body(model: &Model, s: &Strings) -> String {
    let mut html = String::new();
    if !model.notice.is_empty() {
        let _ = write!(html, "<p class=\"wm-notice\">{}</p>", escape(&model.notice));
    }
    html.push_str("<ul class=\"wm-thread\" role=\"log\">");
    thread(&mut html, &model.thread, s);
    html.push_str("</ul>");
    if model.finished() {
        if model.rated {
            let _ = write!(html, "<p>{}</p>", s.csat_thanks);
        } else {
            let _ = write!(
                html,
                "<fieldset class=\"wm-csat\"><legend>{}</legend>",
                s.csat
            );
            for score in 1..=5 {
                let _ = write!(
                    html,
                    "<button data-act=\"rate\" data-arg=\"{score}\">{score}</button>"
                );
            }
            html.push_str("</fieldset>");
        }
    }
    html
}

fn thread(html: &mut String, thread: &Thread, s: &Strings) {
    for message in &thread.messages {
        let class = match message.author {
            Author::Me => "wm-me",
            Author::Support => "wm-them",
            Author::System => "wm-sys",
        };
        let _ = write!(html, "<li class=\"wm-msg {class}\">");
        if message.author == Author::Support {
            let name = message.author_name.as_deref().unwrap_or(s.support);
            let _ = write!(html, "<small>{}</small>", escape(name));
        }
        let _ = write!(html, "<span>{}</span>", escape(&message.text));
        if message.author == Author::Me && message.delivery == Delivery::Failed {
            let _ = write!(
                html,
                "<small class=\"wm-failed\">{} <button class=\"wm-link\" data-act=\"retry\" data-arg=\"{}\">{}</button></small>",
                s.not_sent,
                escape(&message.id),
                s.retry
            );
        }
        html.push_str("</li>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::Message;
    use crate::strings::EN;

    fn open(screen: Screen) -> Model {
        Model {
            open: true,
            screen,
            ..Model::default()
        }
    }

    #[test]
    fn a_closed_panel_renders_nothing() {
        assert_eq!(panel(&Model::default(), &EN), "");
    }

    #[test]
    fn page_text_is_escaped_everywhere() {
        let mut model = open(Screen::Ask);
        model.typed = "\"><script>".into();
        model.answers = vec![Answer {
            id: "a".into(),
            title: "<b>x</b>".into(),
            snippet: "&".into(),
            url: None,
            confidence: 0.9,
        }];
        let html = panel(&model, &EN);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>x"));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(html.contains("Likely fix"));
    }

    #[test]
    fn article_links_only_to_web_addresses() {
        let mut model = open(Screen::Article(0));
        model.answers = vec![Answer {
            id: "a".into(),
            title: "t".into(),
            snippet: "s".into(),
            url: Some("javascript:alert(1)".into()),
            confidence: 0.1,
        }];
        let html = panel(&model, &EN);
        assert!(!html.contains("javascript:"));
        assert!(html.contains("data-act=\"solved\" data-arg=\"a\""));
    }

    #[test]
    fn the_form_asks_for_email_only_when_the_user_is_not_identified() {
        let mut model = open(Screen::Escalate);
        model.prefill.error = Some("ExportError".into());
        assert!(panel(&model, &EN).contains("wm-email"));
        assert!(panel(&model, &EN).contains("Error: ExportError"));
        model.identified = true;
        assert!(!panel(&model, &EN).contains("wm-email"));
    }

    #[test]
    fn a_failed_message_shows_not_sent_with_retry_and_a_resolved_conversation_asks_for_csat() {
        let mut model = open(Screen::Conversation);
        model.notice = "Billing (tier 2) has your request".into();
        model.thread.messages.push(Message {
            id: "k1".into(),
            author: Author::Me,
            author_name: None,
            text: "hello".into(),
            delivery: Delivery::Failed,
        });
        let html = panel(&model, &EN);
        assert!(html.contains(
            "Not sent. <button class=\"wm-link\" data-act=\"retry\" data-arg=\"k1\">Retry</button>"
        ));
        assert!(html.contains("wm-reply"));
        model.status = "resolved".into();
        let html = panel(&model, &EN);
        assert!(!html.contains("wm-reply"));
        assert!(html.contains("data-act=\"rate\" data-arg=\"5\""));
    }
}
