//! What the panel's buttons do: calls to the widget API, with their outcome put
//! into the [`Model`](crate::view::Model) and rendered. Every failure shows in
//! the panel; nothing pretends to have worked.

use std::rc::Rc;

use crate::timers::{self, set_interval, set_timeout};
use js_sys::{Array, Function, JSON};
use wasm_bindgen::prelude::*;

use super::Ctx;
use crate::config::{Value, read_config};
use crate::net::{self, get, object, optional, text};
use crate::nudge::Seen;
use crate::panel::{self, Answer, Author, Delivery, Message, Prefill, PrefillLabels, Screen};

/// Where a conversation is kept for reloads in the same browser session.
const STORED_CONVERSATION: &str = "waymark.conversation";
/// Where the nudge counts are kept (once storage is allowed).
const STORED_SIGNALS: &str = "waymark.signals";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Storage is allowed from now on (the user interacted, or the host gave consent).
pub fn allow_storage(ctx: &Ctx) {
    if ctx.may_store.replace(true) {
        return;
    }
    save_signals(ctx);
}

fn save_signals(ctx: &Ctx) {
    if !ctx.may_store.get() {
        return;
    }
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(STORED_SIGNALS, &ctx.nudger.borrow().save());
    }
}
/// How often agent replies are polled while a conversation is open (the event
/// stream usually brings them sooner).
const POLL_EVERY_MS: i32 = 3_000;

/// The page as the loader describes it (`{url, route, title}`, scrubbed).
fn page(ctx: &Ctx) -> JsValue {
    get(&ctx.loader, "page")
        .dyn_into::<Function>()
        .ok()
        .and_then(|f| f.call0(&JsValue::NULL).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

fn route(ctx: &Ctx) -> String {
    text(&page(ctx), "route")
}

/// Shows a screen and moves focus into it.
fn show(ctx: &Rc<Ctx>, screen: Screen) {
    {
        let mut model = ctx.model.borrow_mut();
        model.screen = screen;
        model.note = None;
        if screen == Screen::Escalate {
            model.prefill = prefill(ctx, &model);
            model.identified = !ctx.identity.borrow().is_undefined();
        }
    }
    ctx.render();
    ctx.focus_panel();
}

fn set_open(ctx: &Rc<Ctx>, open: bool) {
    ctx.model.borrow_mut().open = open;
    ctx.render();
    if open {
        ctx.focus_panel();
    } else if let Some(launcher) = ctx.find(".wm-launcher") {
        let _ = launcher.focus();
    }
}

fn set_note(ctx: &Ctx, note: Option<&'static str>) {
    ctx.model.borrow_mut().note = note;
    ctx.render_note();
}

/// A click on an element with `data-act`.
pub fn act(ctx: &Rc<Ctx>, action: &str, argument: &str) {
    match action {
        "toggle" => {
            allow_storage(ctx);
            let open = !ctx.model.borrow().open;
            set_open(ctx, open);
        }
        "close" => set_open(ctx, false),
        "back" => show(ctx, Screen::Ask),
        "article" => {
            let index = argument.parse().unwrap_or_default();
            show(ctx, Screen::Article(index));
            open_whole(ctx, index);
        }
        "solved" => solved(ctx, argument),
        "talk" => {
            let screen = if ctx.conversation.borrow().is_some() {
                Screen::Conversation
            } else {
                Screen::Escalate
            };
            show(ctx, screen);
        }
        "retry" => retry(ctx, argument),
        "rate" => rate(ctx, argument.parse().unwrap_or(0)),
        _ => {}
    }
}

/// The user typed: ask for answers once they pause.
pub fn typed(ctx: &Rc<Ctx>, value: String) {
    ctx.model.borrow_mut().typed = value.clone();
    let ctx = ctx.clone();
    set_timeout(
        move || {
            // Only the last keystroke's timer asks (the user paused).
            let still_current = ctx.model.borrow().typed == value;
            if still_current && let Some(query) = panel::query_for(&value) {
                suggest(&ctx, Some(query), None);
            }
        },
        panel::DEBOUNCE_MS as i32,
    );
}

/// The error the user hit on this page: the code the host marked the page with
/// (`<meta name="waymark:error-page" content="E500">`), else the last JS error or
/// failed request on it.
fn page_error(ctx: &Ctx, route: &str) -> Option<String> {
    let code = get(&ctx.loader, "errorCode")
        .dyn_into::<Function>()
        .ok()
        .and_then(|f| f.call0(&JsValue::NULL).ok())
        .and_then(|code| code.as_string())
        .filter(|code| !code.trim().is_empty());
    code.or_else(|| ctx.nudger.borrow().error_on(route))
}

/// Asks `/suggest` for answers to a question or to this page's error.
fn suggest(ctx: &Rc<Ctx>, query: Option<String>, rule: Option<String>) {
    let ticket = ctx.latest.borrow_mut().issue();
    let error = page_error(ctx, &route(ctx));
    let body = object(&[
        ("v", JsValue::from(1)),
        ("session_id", JsValue::from_str(&ctx.session)),
        (
            "query",
            query
                .as_deref()
                .map(JsValue::from_str)
                .unwrap_or(JsValue::UNDEFINED),
        ),
        ("page", page(ctx)),
        (
            "error",
            error
                .map(|e| object(&[("message", JsValue::from_str(&e))]))
                .unwrap_or(JsValue::UNDEFINED),
        ),
        (
            "rule",
            rule.as_deref()
                .map(JsValue::from_str)
                .unwrap_or(JsValue::UNDEFINED),
        ),
        ("limit", JsValue::from(5)),
    ]);
    set_note(ctx, Some(ctx.strings.get().searching));
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = net::call(&ctx.endpoint.url("/suggest", ""), "POST", Some(&body), None).await;
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
        {
            let mut model = ctx.model.borrow_mut();
            model.note = answers.is_empty().then_some(ctx.strings.get().no_answers);
            model.query_id = text(&response, "query_id");
            model.answers = panel::rank(answers);
        }
        ctx.render_answers();
    });
}

/// Replaces the opened answer's snippet with its whole text (`GET /answers/{id}`);
/// the snippet stays when the call fails.
fn open_whole(ctx: &Rc<Ctx>, index: usize) {
    let Some(id) = ctx.model.borrow().answers.get(index).map(|a| a.id.clone()) else {
        return;
    };
    let path = format!("/answers/{}", js_sys::encode_uri_component(&id));
    let url = ctx.endpoint.url(&path, "");
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let body = match net::call(&url, "GET", None, None).await {
            Ok(detail) => text(&detail, "body"),
            Err(()) => return,
        };
        if let Some(answer) = ctx.model.borrow_mut().answers.get_mut(index)
            && answer.id == id
            && !body.is_empty()
        {
            answer.snippet = body;
        }
        // Only the open article is redrawn: another screen keeps its focus and input.
        if ctx.model.borrow().screen == Screen::Article(index) {
            ctx.render();
        }
    });
}

/// "This solved it": recorded as a deflection.
fn solved(ctx: &Rc<Ctx>, answer_id: &str) {
    let key = ctx.keys.borrow_mut().next("fb");
    let query_id = ctx.model.borrow().query_id.clone();
    let body = object(&[
        ("v", JsValue::from(1)),
        ("session_id", JsValue::from_str(&ctx.session)),
        ("idempotency_key", JsValue::from_str(&key)),
        ("query_id", JsValue::from_str(&query_id)),
        ("answer_id", JsValue::from_str(answer_id)),
        ("outcome", JsValue::from_str("solved")),
    ]);
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = net::call(
            &ctx.endpoint.url("/suggest/feedback", ""),
            "POST",
            Some(&body),
            None,
        )
        .await;
        set_note(
            &ctx,
            Some(if outcome.is_ok() {
                ctx.strings.get().thanks
            } else {
                ctx.strings.get().failed
            }),
        );
    });
}

/// What the form already knows.
fn prefill(ctx: &Ctx, model: &crate::view::Model) -> Prefill {
    let page = page(ctx);
    let route = text(&page, "route");
    Prefill {
        page: format!("{} ({route})", text(&page, "title")),
        error: page_error(ctx, &route),
        question: model.typed.clone(),
        tried: model.answers.iter().map(|a| a.title.clone()).collect(),
    }
}

/// Sends the escalation form: starts the conversation with a person.
pub fn start(ctx: &Rc<Ctx>, goal: String, email: String) {
    allow_storage(ctx);
    let s = ctx.strings.get();
    let labels = PrefillLabels {
        page: s.page,
        error: s.error,
        tried: s.tried,
    };
    let (message, rejected, rule) = {
        let model = ctx.model.borrow();
        let rejected = Array::new();
        for answer in &model.answers {
            rejected.push(&JsValue::from_str(&answer.id));
        }
        let rule = ctx.nudger.borrow().last_rule().map(str::to_owned);
        (model.prefill.message(&goal, &labels), rejected, rule)
    };
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
    // One key per form: a second submit after a failure returns the same conversation.
    let key = format!("{}.conv", ctx.session);
    let body = object(&[
        ("v", JsValue::from(1)),
        ("session_id", JsValue::from_str(&ctx.session)),
        ("idempotency_key", JsValue::from_str(&key)),
        ("message", JsValue::from_str(&message)),
        ("identity", identity),
        ("page", page(ctx)),
        ("intent", JsValue::from_str("talk_to_person")),
        ("rejected_answers", rejected.into()),
        (
            "rule",
            rule.as_deref()
                .map(JsValue::from_str)
                .unwrap_or(JsValue::UNDEFINED),
        ),
    ]);
    set_note(ctx, None);
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let started = net::call(
            &ctx.endpoint.url("/conversations", ""),
            "POST",
            Some(&body),
            None,
        )
        .await;
        let Some(started) = started
            .ok()
            .filter(|s| !text(s, "conversation_id").is_empty())
        else {
            set_note(&ctx, Some(ctx.strings.get().failed));
            return;
        };
        // Shown at once; the first poll brings it back with its server id.
        ctx.model.borrow_mut().thread.sending(&key, &message);
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
    let mut model = ctx.model.borrow_mut();
    if !notice.is_empty() && model.notice != notice {
        ctx.announce(&notice);
        model.notice = notice;
    }
    if !status.is_empty() {
        model.status = status;
    }
}

/// Remembers the conversation (for reloads), shows it and starts polling.
fn open_conversation(ctx: &Rc<Ctx>, id: String, token: String) {
    if ctx.may_store.get()
        && let Some(storage) = session_storage()
    {
        let saved = object(&[
            ("id", JsValue::from_str(&id)),
            ("token", JsValue::from_str(&token)),
        ]);
        if let Ok(json) = JSON::stringify(&saved) {
            let _ = storage.set_item(STORED_CONVERSATION, &String::from(json));
        }
    }
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
        let _ =
            stream.add_event_listener_with_callback("messages", on_news.as_ref().unchecked_ref());
        on_news.forget();
    }
    let ctx = ctx.clone();
    set_interval(move || poll(&ctx), POLL_EVERY_MS);
}

/// A conversation kept from before a reload, if any: reopened and polled.
pub fn restore(ctx: &Rc<Ctx>) {
    let Some(storage) = session_storage() else {
        return;
    };
    // Anything stored means storage was allowed earlier in this session.
    if let Some(saved) = storage.get_item(STORED_SIGNALS).ok().flatten() {
        ctx.nudger.borrow_mut().load(&saved);
        ctx.may_store.set(true);
    }
    let Some(saved) = storage.get_item(STORED_CONVERSATION).ok().flatten() else {
        return;
    };
    let Ok(saved) = JSON::parse(&saved) else {
        return;
    };
    let (id, token) = (text(&saved, "id"), text(&saved, "token"));
    if id.is_empty() {
        return;
    }
    ctx.may_store.set(true);
    ctx.model.borrow_mut().open = true;
    open_conversation(ctx, id, token);
}

fn conversation_url(ctx: &Ctx, suffix: &str, extra: &str) -> Option<(String, String)> {
    let (id, token) = ctx.conversation.borrow().clone()?;
    let path = format!(
        "/conversations/{}{suffix}",
        js_sys::encode_uri_component(&id)
    );
    Some((ctx.endpoint.url(&path, extra), token))
}

/// Fetches new messages, the status and the notice.
fn poll(ctx: &Rc<Ctx>) {
    let cursor = ctx.model.borrow().thread.cursor.clone();
    let extra = cursor
        .map(|c| format!("&after={}", js_sys::encode_uri_component(&c)))
        .unwrap_or_default();
    let Some((url, token)) = conversation_url(ctx, "/messages", &extra) else {
        return;
    };
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(response) = net::call(&url, "GET", None, Some(&token)).await else {
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
            let mut model = ctx.model.borrow_mut();
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
        ctx.render_conversation();
    });
}

/// Sends a reply.
pub fn send(ctx: &Rc<Ctx>, message: String) {
    let key = ctx.keys.borrow_mut().next("msg");
    ctx.model.borrow_mut().thread.sending(&key, &message);
    ctx.render_conversation();
    deliver(ctx, key, message);
}

/// Sends a failed message again, with its key (never a duplicate).
fn retry(ctx: &Rc<Ctx>, key: &str) {
    let message = ctx.model.borrow_mut().thread.retry(key);
    if let Some(message) = message {
        ctx.render_conversation();
        deliver(ctx, key.to_owned(), message);
    }
}

fn deliver(ctx: &Rc<Ctx>, key: String, message: String) {
    let body = object(&[
        ("v", JsValue::from(1)),
        ("idempotency_key", JsValue::from_str(&key)),
        ("text", JsValue::from_str(&message)),
    ]);
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = match conversation_url(&ctx, "/messages", "") {
            Some((url, token)) => net::call(&url, "POST", Some(&body), Some(&token)).await,
            None => Err(()),
        };
        {
            let thread = &mut ctx.model.borrow_mut().thread;
            match outcome {
                Ok(accepted) => thread.delivered(&key, &text(&accepted, "message_id")),
                Err(()) => thread.failed(&key),
            }
        }
        ctx.render_conversation();
    });
}

/// CSAT after resolution.
fn rate(ctx: &Rc<Ctx>, score: u8) {
    let key = ctx.keys.borrow_mut().next("csat");
    let body = object(&[
        ("v", JsValue::from(1)),
        ("idempotency_key", JsValue::from_str(&key)),
        ("score", JsValue::from(score)),
    ]);
    let Some((url, token)) = conversation_url(ctx, "/csat", "") else {
        return;
    };
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match net::call(&url, "POST", Some(&body), Some(&token)).await {
            Ok(_) => {
                ctx.model.borrow_mut().rated = true;
                ctx.render_conversation();
            }
            Err(()) => set_note(&ctx, Some(ctx.strings.get().failed)),
        }
    });
}

/// Opens the nudge: the panel with answers for this page and its error.
fn nudge(ctx: &Rc<Ctx>, query: Option<String>, rule: String) {
    {
        let mut model = ctx.model.borrow_mut();
        model.nudged = true;
        model.screen = Screen::Ask;
        model.open = true;
    }
    ctx.render();
    ctx.announce(ctx.strings.get().nudge);
    suggest(ctx, query, Some(rule));
}

/// A string field of an event; whole numbers (a status) as their digits.
fn field(event: &JsValue, key: &str) -> String {
    let value = get(event, key);
    value
        .as_string()
        .or_else(|| value.as_f64().map(|n| (n as i64).to_string()))
        .unwrap_or_default()
}

/// One captured event (wire JSON, scrubbed) joins the nudge's page trail. The
/// rules are evaluated once the loader's burst is in (an error page arrives as
/// its own event right after the page view).
pub fn observe(ctx: &Rc<Ctx>, event: &JsValue) {
    let Some(seen) = Seen::from_event(&text(event, "type"), |key| field(event, key)) else {
        return;
    };
    let at = get(event, "at_ms")
        .as_f64()
        .unwrap_or_else(js_sys::Date::now);
    ctx.nudger.borrow_mut().observe(at as i64, seen);
    if !ctx.nudge_check.replace(true) {
        let ctx = ctx.clone();
        set_timeout(move || check_nudge(&ctx), 0);
    }
}

/// Evaluates the site's proactive rules now (after events, and every few
/// seconds for time-based rules such as dwell) and opens the nudge when one fires.
pub fn check_nudge(ctx: &Rc<Ctx>) {
    ctx.nudge_check.set(false);
    if ctx.model.borrow().open || ctx.conversation.borrow().is_some() {
        return;
    }
    let due = ctx.nudger.borrow_mut().due(js_sys::Date::now() as i64);
    save_signals(ctx);
    if let Some(due) = due {
        nudge(ctx, None, due.rule);
    }
}

/// `Waymark(name, argument)` from the host page.
pub fn command(ctx: &Rc<Ctx>, name: &str, argument: &JsValue) {
    match name {
        "open" => set_open(ctx, true),
        "close" => set_open(ctx, false),
        "consent" => {
            ctx.consented.set(true);
            allow_storage(ctx);
        }
        "identify" => {
            let id = text(argument, "id");
            if !id.is_empty() {
                *ctx.identity.borrow_mut() = object(&[
                    ("user_id", JsValue::from_str(&id)),
                    ("user_hash", optional(&text(argument, "user_hash"))),
                    ("email", optional(&text(argument, "email"))),
                    ("name", optional(&text(argument, "name"))),
                    ("plan", optional(&text(argument, "plan"))),
                    ("account_tier", optional(&text(argument, "account_tier"))),
                ]);
                // A conversation that started anonymously now belongs to this user.
                if let Some((url, token)) = conversation_url(ctx, "/identify", "") {
                    let identity = ctx.identity.borrow().clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = net::call(&url, "POST", Some(&identity), Some(&token)).await;
                    });
                }
            }
        }
        // `Waymark('trigger', 'checkout_failed')`: the host names a moment; the nudge
        // opens with answers for this page.
        "trigger" => nudge(ctx, argument.as_string(), "host_trigger".to_owned()),
        "shutdown" => {
            if let Some(host) =
                timers::document().and_then(|d| d.get_element_by_id("waymark-widget"))
            {
                host.remove();
            }
        }
        _ => {}
    }
}

impl Value for JsValue {
    fn get(&self, key: &str) -> Option<Self> {
        Some(get(self, key)).filter(|v| !v.is_undefined() && !v.is_null())
    }
    fn string(&self) -> Option<String> {
        self.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| Array::from(self).iter().collect())
    }
    fn keys(&self) -> Option<Vec<String>> {
        (self.is_object() && !Array::is_array(self)).then(|| {
            js_sys::Object::keys(self.unchecked_ref::<js_sys::Object>())
                .iter()
                .filter_map(|k| k.as_string())
                .collect()
        })
    }
}

/// Applies the site configuration (`GET /config`): accent colour, position, the
/// scrubbing options, and the proactive rules with the detector thresholds and
/// error-page patterns they are evaluated with.
pub fn apply_config(ctx: &Rc<Ctx>, config: &JsValue) {
    let read = read_config(config);
    ctx.nudger
        .borrow_mut()
        .configure(read.signals, read.error_pages, read.rules);
    *ctx.scrub.borrow_mut() = read.scrub;
    let locale = text(config, "locale");
    if !locale.is_empty() {
        ctx.strings.set(crate::strings::for_locale(&locale));
        ctx.render();
    }
    check_nudge(ctx);
    let theme = get(config, "theme");
    let accent = text(&theme, "accent_color");
    let safe = accent
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"#(),. %".contains(&b));
    ctx.theme(
        if safe { &accent } else { "" },
        text(&theme, "position") == "bottom_left",
    );
}
