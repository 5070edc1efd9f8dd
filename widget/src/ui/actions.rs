//! What the user does in the panel, as typed [`Act`]s: calls to the widget API,
//! with their outcome put into the [`Model`](crate::model::Model) signal, which
//! the view follows. Every failure shows in the panel; nothing pretends to
//! have worked.

use std::rc::Rc;

use js_sys::{Array, Function};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::Ctx;
use super::commands::{allow_storage, page, page_error, route, save_conversation};
use crate::net::{self, get, object, text};
use crate::panel::{self, Answer, Author, Delivery, Message, Prefill, PrefillLabels, Screen};
use crate::timers;

/// How often agent replies are polled while a conversation is open (the event
/// stream usually brings them sooner).
const POLL_EVERY_MS: i32 = 3_000;

/// Something the user did in the panel.
#[derive(Clone)]
pub enum Act {
    /// The launcher: open or close.
    Toggle,
    /// The close button (or Escape).
    Close,
    /// Back to the question box.
    Back,
    /// The user typed in the question box.
    Typed(String),
    /// Opens the answer at this index.
    Article(usize),
    /// "This solved it" for the answer with this id.
    Solved(String),
    /// "Talk to a person".
    Talk,
    /// The escalation form was sent.
    Start {
        /// What the user was trying to do.
        goal: String,
        /// Their email (only asked when not identified).
        email: String,
    },
    /// A reply in the conversation.
    Send(String),
    /// Sends the failed message with this idempotency key again.
    Retry(String),
    /// CSAT score 1–5.
    Rate(u8),
    /// A key pressed inside the panel (Escape closes, Tab stays inside).
    Key(web_sys::KeyboardEvent),
}

/// Does what the user asked for.
pub fn act(ctx: &Rc<Ctx>, act: Act) {
    if ctx.stopped.get() {
        return;
    }
    match act {
        Act::Toggle => {
            allow_storage(ctx);
            let open = !ctx.model.read_untracked().open;
            set_open(ctx, open);
        }
        Act::Close => set_open(ctx, false),
        Act::Back => show(ctx, Screen::Ask),
        Act::Typed(value) => typed(ctx, value),
        Act::Article(index) => {
            let opened = ctx
                .model
                .read_untracked()
                .answers
                .get(index)
                .map(|a| a.id.clone());
            if let Some(id) = opened {
                ctx.model.write().mark_opened(&id);
            }
            show(ctx, Screen::Article(index));
            open_whole(ctx, index);
        }
        Act::Solved(id) => {
            ctx.model.write().mark_opened(&id);
            solved(ctx, &id);
        }
        Act::Talk => {
            let screen = if ctx.conversation.borrow().is_some() {
                Screen::Conversation
            } else {
                Screen::Escalate
            };
            show(ctx, screen);
        }
        Act::Start { goal, email } => start(ctx, goal, email),
        Act::Send(text) => send(ctx, text),
        Act::Retry(key) => retry(ctx, &key),
        Act::Rate(score) => rate(ctx, score),
        Act::Key(event) => match event.key().as_str() {
            "Escape" => set_open(ctx, false),
            "Tab" => ctx.trap(&event),
            _ => {}
        },
    }
}

/// Shows a screen and moves focus into it.
pub(super) fn show(ctx: &Rc<Ctx>, screen: Screen) {
    let prefill = (screen == Screen::Escalate).then(|| prefill(ctx));
    let identified = !ctx.identity.borrow().is_undefined();
    {
        let mut model = ctx.model.write();
        model.screen = screen;
        model.note = None;
        if let Some(prefill) = prefill {
            model.prefill = prefill;
            model.identified = identified;
        }
    }
    ctx.focus_panel();
}

pub(super) fn set_open(ctx: &Rc<Ctx>, open: bool) {
    ctx.model.write().open = open;
    if open {
        ctx.focus_panel();
    } else {
        ctx.focus_launcher();
    }
}

pub(super) fn set_note(ctx: &Ctx, note: Option<&'static str>) {
    ctx.model.write().note = note;
}

/// The user typed: ask for answers once they pause.
fn typed(ctx: &Rc<Ctx>, value: String) {
    ctx.model.write().typed = value.clone();
    let ctx = ctx.clone();
    timers::once(
        move || {
            // Only the last keystroke's timer asks (the user paused).
            let still_current = ctx.model.read_untracked().typed == value;
            if still_current && let Some(query) = panel::query_for(&value) {
                suggest(&ctx, Some(query), None);
            }
        },
        panel::DEBOUNCE_MS as i32,
    );
}

/// Asks `/suggest` for answers to a question or to this page's error.
pub(super) fn suggest(ctx: &Rc<Ctx>, query: Option<String>, rule: Option<String>) {
    if ctx.stopped.get() {
        return;
    }
    let ticket = ctx.latest.borrow_mut().issue();
    let error = page_error(ctx, &route(ctx));
    let body = object(&[
        ("v", net::version()),
        ("session_id", JsValue::from_str(&ctx.session)),
        ("query", net::optional(query.as_deref().unwrap_or(""))),
        ("page", page(ctx)),
        (
            "error",
            error
                .map(|e| object(&[("message", JsValue::from_str(&e))]))
                .unwrap_or(JsValue::UNDEFINED),
        ),
        ("rule", net::optional(rule.as_deref().unwrap_or(""))),
        ("limit", JsValue::from(5)),
    ]);
    set_note(ctx, Some(ctx.strings.get().searching));
    let ctx = ctx.clone();
    let url = ctx.endpoint.url("/suggest", "");
    net::then(url, "POST", Some(body), None, move |result| {
        if !ctx.latest.borrow().is_current(ticket) {
            return;
        }
        let Ok(response) = result else {
            set_note(&ctx, Some(ctx.strings.get().failed));
            return;
        };
        let answers: Vec<Answer> = Array::from(&get(&response, "answers"))
            .iter()
            .map(|a| Answer {
                id: text(&a, "id"),
                title: text(&a, "title"),
                snippet: text(&a, "snippet"),
                url: get(&a, "url").as_string(),
                confidence: get(&a, "confidence").as_f64().unwrap_or(0.0),
            })
            .collect();
        let mut model = ctx.model.write();
        model.note = answers.is_empty().then_some(ctx.strings.get().no_answers);
        model.query_id = text(&response, "query_id");
        model.answers = panel::rank(answers);
    });
}

/// Replaces the opened answer's snippet with its whole text (`GET /answers/{id}`);
/// the snippet stays when the call fails.
fn open_whole(ctx: &Rc<Ctx>, index: usize) {
    let Some(id) = ctx
        .model
        .read_untracked()
        .answers
        .get(index)
        .map(|a| a.id.clone())
    else {
        return;
    };
    let path = format!("/answers/{}", js_sys::encode_uri_component(&id));
    let url = ctx.endpoint.url(&path, "");
    let ctx = ctx.clone();
    net::then(url, "GET", None, None, move |detail| {
        let body = match detail {
            Ok(detail) => text(&detail, "body"),
            Err(()) => return,
        };
        if body.is_empty() {
            return;
        }
        let mut model = ctx.model.write();
        if let Some(answer) = model.answers.get_mut(index)
            && answer.id == id
        {
            answer.snippet = body;
        }
    });
}

/// "This solved it": recorded as a deflection.
fn solved(ctx: &Rc<Ctx>, answer_id: &str) {
    let key = ctx.keys.borrow_mut().next("fb");
    let query_id = ctx.model.read_untracked().query_id.clone();
    let body = object(&[
        ("v", net::version()),
        ("session_id", JsValue::from_str(&ctx.session)),
        ("idempotency_key", JsValue::from_str(&key)),
        ("query_id", JsValue::from_str(&query_id)),
        ("answer_id", JsValue::from_str(answer_id)),
        ("outcome", JsValue::from_str("solved")),
    ]);
    let ctx = ctx.clone();
    let url = ctx.endpoint.url("/suggest/feedback", "");
    net::then(url, "POST", Some(body), None, move |outcome| {
        let s = ctx.strings.get();
        set_note(
            &ctx,
            Some(if outcome.is_ok() { s.thanks } else { s.failed }),
        );
    });
}

/// What the form already knows: the page, its error, what the user typed and
/// the answers they opened.
fn prefill(ctx: &Ctx) -> Prefill {
    let page = page(ctx);
    let route = text(&page, "route");
    let model = ctx.model.read_untracked();
    Prefill {
        page: format!("{} ({route})", text(&page, "title")),
        error: page_error(ctx, &route),
        question: model.typed.clone(),
        tried: model.tried(),
    }
}

/// Sends the escalation form: starts the conversation with a person.
fn start(ctx: &Rc<Ctx>, goal: String, email: String) {
    allow_storage(ctx);
    let s = ctx.strings.get();
    let labels = PrefillLabels {
        page: s.page,
        error: s.error,
        tried: s.tried,
    };
    let (message, tried) = {
        let model = ctx.model.read_untracked();
        let tried = Array::new();
        for id in &model.opened {
            tried.push(&JsValue::from_str(id));
        }
        (model.prefill.message(&goal, &labels), tried)
    };
    let rule = ctx.nudger.borrow().last_rule().map(str::to_owned);
    let mut identity = ctx.identity.borrow().clone();
    if identity.is_undefined() && !email.trim().is_empty() {
        identity = object(&[
            (
                "user_id",
                JsValue::from_str(&format!("anonymous:{}", ctx.session)),
            ),
            ("email", JsValue::from_str(email.trim())),
        ]);
    }
    // Each submit has its own key, unique across the page loads of a session: a
    // second request for a person is a new conversation, never a replay of the first.
    let key = ctx.keys.borrow_mut().next("conv");
    let body = object(&[
        ("v", net::version()),
        ("session_id", JsValue::from_str(&ctx.session)),
        ("idempotency_key", JsValue::from_str(&key)),
        ("message", JsValue::from_str(&message)),
        ("identity", identity),
        ("page", page(ctx)),
        ("intent", JsValue::from_str("talk_to_person")),
        ("rejected_answers", tried.into()),
        ("rule", net::optional(rule.as_deref().unwrap_or(""))),
    ]);
    set_note(ctx, None);
    let ctx = ctx.clone();
    let url = ctx.endpoint.url("/conversations", "");
    net::then(url, "POST", Some(body), None, move |started| {
        let Some(started) = started
            .ok()
            .filter(|s| !text(s, "conversation_id").is_empty())
        else {
            set_note(&ctx, Some(ctx.strings.get().failed));
            return;
        };
        // Shown at once; the first poll brings it back with its server id.
        ctx.model.write().thread.sending(&key, &message);
        take_status(&ctx, &started);
        open_conversation(
            &ctx,
            text(&started, "conversation_id"),
            text(&started, "conversation_token"),
        );
    });
}

/// Notice and status from a response; the notice is announced when it changes.
fn take_status(ctx: &Ctx, response: &JsValue) {
    let notice = text(&get(response, "notice"), "text");
    let status = text(response, "status");
    let changed = !notice.is_empty() && ctx.model.read_untracked().notice != notice;
    if changed {
        ctx.announce(&notice);
    }
    if changed || !status.is_empty() {
        let mut model = ctx.model.write();
        if changed {
            model.notice = notice;
        }
        if !status.is_empty() {
            model.status = status;
        }
    }
}

/// Remembers the conversation (for reloads), shows it and starts polling.
pub(super) fn open_conversation(ctx: &Rc<Ctx>, id: String, token: String) {
    save_conversation(ctx, &id, &token);
    let stream_url = ctx.endpoint.url(
        &format!(
            "/conversations/{}/events",
            js_sys::encode_uri_component(&id)
        ),
        &format!("&token={}", js_sys::encode_uri_component(&token)),
    );
    *ctx.conversation.borrow_mut() = Some((id, token));
    show(ctx, Screen::Conversation);
    poll(ctx);
    // Live: the event stream says when there is news and the widget fetches it;
    // polling stays as the fallback when the stream is cut (proxies, sleep).
    if let Ok(stream) = web_sys::EventSource::new(&stream_url) {
        let news_ctx = ctx.clone();
        let on_news = Closure::<dyn Fn()>::new(move || poll(&news_ctx));
        let _ = stream.add_event_listener_with_callback(
            "messages",
            on_news.as_ref().unchecked_ref::<Function>(),
        );
        on_news.forget();
        ctx.timers.stream(stream);
    }
    let poll_ctx = ctx.clone();
    ctx.timers.every(move || poll(&poll_ctx), POLL_EVERY_MS);
}

pub(super) fn conversation_url(ctx: &Ctx, suffix: &str, extra: &str) -> Option<(String, String)> {
    let (id, token) = ctx.conversation.borrow().clone()?;
    let path = format!(
        "/conversations/{}{suffix}",
        js_sys::encode_uri_component(&id)
    );
    Some((ctx.endpoint.url(&path, extra), token))
}

/// Fetches new messages, the status and the notice.
fn poll(ctx: &Rc<Ctx>) {
    if ctx.stopped.get() {
        return;
    }
    let cursor = ctx.model.read_untracked().thread.cursor.clone();
    let extra = cursor
        .map(|c| format!("&after={}", js_sys::encode_uri_component(&c)))
        .unwrap_or_default();
    let Some((url, token)) = conversation_url(ctx, "/messages", &extra) else {
        return;
    };
    let ctx = ctx.clone();
    net::then(url, "GET", None, Some(token), move |response| {
        let Ok(response) = response else {
            return;
        };
        let incoming: Vec<Message> = Array::from(&get(&response, "messages"))
            .iter()
            .map(|m| Message {
                id: text(&m, "id"),
                author: Author::from_wire(&text(&m, "author")),
                author_name: get(&m, "author_name").as_string(),
                text: text(&m, "text"),
                delivery: Delivery::Delivered,
            })
            .collect();
        let cursor = get(&response, "cursor").as_string();
        let newest_reply = {
            let mut model = ctx.model.write();
            let before = model.thread.messages.len();
            let new_replies = model.thread.merge(incoming, cursor);
            (new_replies > 0)
                .then(|| {
                    model.thread.messages[before..]
                        .iter()
                        .rev()
                        .find(|m| m.author == Author::Support)
                        .map(|m| m.text.clone())
                })
                .flatten()
        };
        take_status(&ctx, &response);
        if let Some(reply) = newest_reply {
            ctx.announce(&format!("{}: {reply}", ctx.strings.get().support));
        }
    });
}

/// Sends a reply.
fn send(ctx: &Rc<Ctx>, message: String) {
    let key = ctx.keys.borrow_mut().next("msg");
    ctx.model.write().thread.sending(&key, &message);
    deliver(ctx, key, message);
}

/// Sends a failed message again, with its key (never a duplicate).
fn retry(ctx: &Rc<Ctx>, key: &str) {
    let message = ctx.model.write().thread.retry(key);
    if let Some(message) = message {
        deliver(ctx, key.to_owned(), message);
    }
}

fn deliver(ctx: &Rc<Ctx>, key: String, message: String) {
    let body = object(&[
        ("v", net::version()),
        ("idempotency_key", JsValue::from_str(&key)),
        ("text", JsValue::from_str(&message)),
    ]);
    let ctx = ctx.clone();
    let Some((url, token)) = conversation_url(&ctx, "/messages", "") else {
        ctx.model.write().thread.failed(&key);
        return;
    };
    net::then(url, "POST", Some(body), Some(token), move |outcome| {
        let thread = &mut ctx.model.write().thread;
        match outcome {
            Ok(accepted) => thread.delivered(&key, &text(&accepted, "message_id")),
            Err(()) => thread.failed(&key),
        }
    });
}

/// CSAT after resolution.
fn rate(ctx: &Rc<Ctx>, score: u8) {
    let key = ctx.keys.borrow_mut().next("csat");
    let body = object(&[
        ("v", net::version()),
        ("idempotency_key", JsValue::from_str(&key)),
        ("score", JsValue::from(score)),
    ]);
    let Some((url, token)) = conversation_url(ctx, "/csat", "") else {
        return;
    };
    let ctx = ctx.clone();
    net::then(
        url,
        "POST",
        Some(body),
        Some(token),
        move |outcome| match outcome {
            Ok(_) => ctx.model.write().rated = true,
            Err(()) => set_note(&ctx, Some(ctx.strings.get().failed)),
        },
    );
}

/// Opens the nudge: the panel with answers for this page and its error.
pub(super) fn nudge(ctx: &Rc<Ctx>, query: Option<String>, rule: String) {
    {
        let mut model = ctx.model.write();
        model.nudged = true;
        model.screen = Screen::Ask;
        model.open = true;
    }
    ctx.announce(ctx.strings.get().nudge);
    suggest(ctx, query, Some(rule));
}
