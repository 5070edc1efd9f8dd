//! What comes from outside the panel: the host's commands (`Waymark(…)`), the
//! site config, the loader's events for the nudge, and what the widget keeps in
//! the tab's `sessionStorage` under the site's consent mode.

use std::rc::Rc;

use js_sys::{Array, Function, JSON};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::actions::{conversation_url, nudge, open_conversation, set_open};
use super::{Ctx, StoragePolicy};
use crate::config::{Consent, Value, read_config};
use crate::net::{self, get, object, optional, text};
use crate::nudge::Seen;
use crate::timers;

/// The session id, kept for the tab so full page loads continue one session
/// (the loader reads it; `functional` consent and later).
pub const STORED_SESSION: &str = "waymark.session";
/// Where a conversation is kept for reloads (after interaction or consent).
const STORED_CONVERSATION: &str = "waymark.conversation";
/// Where the page-signal counters are kept (`functional` consent and later).
const STORED_SIGNALS: &str = "waymark.signals";
/// Everything the widget may store, removed by `shutdown`.
const STORED: [&str; 3] = [STORED_SESSION, STORED_CONVERSATION, STORED_SIGNALS];

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The user interacted, or the host gave consent: everything may be stored.
pub fn allow_storage(ctx: &Ctx) {
    if ctx.stopped.get() || ctx.storage.replace(StoragePolicy::Allowed) == StoragePolicy::Allowed {
        return;
    }
    store_session(ctx);
}

/// Stores the session id and the page-signal counters, when the policy allows.
pub fn store_session(ctx: &Ctx) {
    if ctx.stopped.get() || !ctx.storage.get().keeps_signals() {
        return;
    }
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(STORED_SESSION, &ctx.session);
        let _ = storage.set_item(STORED_SIGNALS, &ctx.nudger.borrow().save());
    }
}

/// Keeps the conversation for reloads, when the policy allows.
pub(super) fn save_conversation(ctx: &Ctx, id: &str, token: &str) {
    if ctx.stopped.get() || !ctx.storage.get().keeps_conversation() {
        return;
    }
    let saved = object(&[
        ("id", JsValue::from_str(id)),
        ("token", JsValue::from_str(token)),
    ]);
    if let (Some(storage), Ok(json)) = (session_storage(), JSON::stringify(&saved)) {
        let _ = storage.set_item(STORED_CONVERSATION, &String::from(json));
    }
}

/// What an earlier page of this tab kept: the page-signal counters, and a
/// conversation, which is reopened and polled.
pub fn restore(ctx: &Rc<Ctx>) {
    let Some(storage) = session_storage() else {
        return;
    };
    if let Some(saved) = storage.get_item(STORED_SIGNALS).ok().flatten() {
        ctx.nudger.borrow_mut().load(&saved);
        // Stored counters mean an earlier page of this tab was allowed to keep them.
        if ctx.storage.get() == StoragePolicy::NotYet {
            ctx.storage.set(StoragePolicy::Functional);
        }
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
    // A stored conversation means storage was allowed earlier in this tab.
    ctx.storage.set(StoragePolicy::Allowed);
    ctx.model.write().open = true;
    open_conversation(ctx, id, token);
}

/// The page as the loader describes it (`{url, route, title}`, scrubbed).
pub(super) fn page(ctx: &Ctx) -> JsValue {
    get(&ctx.loader, "page")
        .dyn_into::<Function>()
        .ok()
        .and_then(|f| f.call0(&JsValue::NULL).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

pub(super) fn route(ctx: &Ctx) -> String {
    text(&page(ctx), "route")
}

/// The error the user hit on this page: the code the host marked the page with
/// (`<meta name="waymark:error-page" content="E500">`), else the last JS error or
/// failed request on it.
pub(super) fn page_error(ctx: &Ctx, route: &str) -> Option<String> {
    let code = get(&ctx.loader, "errorCode")
        .dyn_into::<Function>()
        .ok()
        .and_then(|f| f.call0(&JsValue::NULL).ok())
        .and_then(|code| code.as_string())
        .filter(|code| !code.trim().is_empty());
    code.or_else(|| ctx.nudger.borrow().error_on(route))
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
    if ctx.stopped.get() {
        return;
    }
    let Some(seen) = Seen::from_event(&text(event, "type"), |key| field(event, key)) else {
        return;
    };
    let at = get(event, "at_ms")
        .as_f64()
        .unwrap_or_else(js_sys::Date::now);
    ctx.nudger.borrow_mut().observe(at as i64, seen);
    if !ctx.nudge_check.replace(true) {
        let ctx = ctx.clone();
        timers::once(move || check_nudge(&ctx), 0);
    }
}

/// Evaluates the site's proactive rules now (after events, and every few
/// seconds for time-based rules such as dwell) and opens the nudge when one fires.
pub fn check_nudge(ctx: &Rc<Ctx>) {
    ctx.nudge_check.set(false);
    if ctx.stopped.get() || ctx.model.read_untracked().open || ctx.conversation.borrow().is_some() {
        return;
    }
    let due = ctx.nudger.borrow_mut().due(js_sys::Date::now() as i64);
    store_session(ctx);
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
                    net::then(url, "POST", Some(identity), Some(token), |_| {});
                }
            }
        }
        // `Waymark('trigger', 'checkout_failed')`: the host names a moment; the nudge
        // opens with answers for this page.
        "trigger" => nudge(ctx, argument.as_string(), "host_trigger".to_owned()),
        "shutdown" => shutdown(ctx),
        _ => {}
    }
}

/// `Waymark('shutdown')`: capture stops in the loader, timers, polling and the
/// event stream stop, what the widget stored is removed, and the widget leaves
/// the page. Nothing runs or is stored afterwards.
fn shutdown(ctx: &Rc<Ctx>) {
    ctx.stopped.set(true);
    ctx.timers.stop();
    if let Ok(stop) = get(&ctx.loader, "stop").dyn_into::<Function>() {
        let _ = stop.call0(&JsValue::NULL);
    }
    if let Some(storage) = session_storage() {
        for key in STORED {
            let _ = storage.remove_item(key);
        }
    }
    *ctx.conversation.borrow_mut() = None;
    if let Some(host) = timers::document().and_then(|d| d.get_element_by_id("waymark-widget")) {
        host.remove();
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
    let consent = Consent::from_wire(&text(&get(config, "privacy"), "consent"));
    if consent.stores_everything() {
        allow_storage(ctx);
    } else if consent.keeps_signals() && ctx.storage.get() == StoragePolicy::NotYet {
        ctx.storage.set(StoragePolicy::Functional);
        store_session(ctx);
    }
    let locale = text(config, "locale");
    if !locale.is_empty() {
        ctx.strings.set(crate::strings::for_locale(&locale));
        // Drawn again in the site's language.
        ctx.model.notify();
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
