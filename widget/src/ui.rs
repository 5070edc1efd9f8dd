//! The widget's UI inside a Shadow DOM, so the host page's CSS cannot change it
//! and its CSS cannot leak into the host page. What to show is decided by
//! [`crate::view`] (HTML from a [`Model`]) and [`crate::panel`]; this module puts
//! it on the page and routes clicks, typing and form submits to
//! [`actions`](self::actions).

mod actions;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use waymark_core::scrub::ScrubConfig;

use crate::net::Endpoint;
use crate::nudge::Nudger;
use crate::panel::{Keys, Latest};
use crate::strings::Strings;
use crate::view::{self, Model};

pub use actions::{apply_config, check_nudge, command, observe, restore};

const STYLE: &str = include_str!("widget.css");

/// The widget's state shared by the browser side and the UI.
pub struct Ctx {
    /// The API.
    pub endpoint: Endpoint,
    /// The widget session id.
    pub session: String,
    /// The loader's state object (`page()`).
    pub loader: JsValue,
    /// Localised strings.
    pub strings: Cell<&'static Strings>,
    /// Idempotency keys.
    pub keys: RefCell<Keys>,
    /// The newest suggest request.
    pub latest: RefCell<Latest>,
    /// When to open the nudge.
    pub nudger: RefCell<Nudger>,
    /// Whether a rules check is already scheduled for the events coming in.
    pub nudge_check: Cell<bool>,
    /// What scrubbing removes (the site config's `privacy.scrub`).
    pub scrub: RefCell<ScrubConfig>,
    /// `Waymark('identify', …)`, as the wire `Identity` object.
    pub identity: RefCell<JsValue>,
    /// The conversation: id and token.
    pub conversation: RefCell<Option<(String, String)>>,
    /// What the panel shows.
    pub model: RefCell<Model>,
    /// The shadow root, once mounted.
    pub root: RefCell<Option<web_sys::ShadowRoot>>,
    /// Whether storage may be written (after interaction or consent).
    pub may_store: Cell<bool>,
    /// Whether the host gave consent (`Waymark('consent')`).
    pub consented: Cell<bool>,
}

impl Ctx {
    fn find(&self, selector: &str) -> Option<web_sys::HtmlElement> {
        self.root
            .borrow()
            .as_ref()?
            .query_selector(selector)
            .ok()??
            .dyn_into()
            .ok()
    }

    /// Renders the whole panel and the launcher state.
    pub fn render(&self) {
        let (html, open) = {
            let model = self.model.borrow();
            (view::panel(&model, self.strings.get()), model.open)
        };
        if let Some(slot) = self.find(".wm-slot") {
            slot.set_inner_html(&html);
        }
        if let Some(launcher) = self.find(".wm-launcher") {
            let _ = launcher.set_attribute("aria-expanded", if open { "true" } else { "false" });
            let _ = launcher.set_attribute(
                "aria-label",
                if open {
                    self.strings.get().close
                } else {
                    self.strings.get().open
                },
            );
        }
    }

    /// Renders the answers and the status line only (keeps the text box as typed).
    pub fn render_answers(&self) {
        let html = view::answers(&self.model.borrow(), self.strings.get());
        if let Some(list) = self.find("#wm-answers") {
            list.set_inner_html(&html);
        }
        self.render_note();
    }

    /// Renders the status line only.
    pub fn render_note(&self) {
        let note = self.model.borrow().note.unwrap_or("");
        if let Some(line) = self.find("#wm-note") {
            line.set_text_content(Some(note));
        }
    }

    /// Renders the conversation (keeps the reply box as typed).
    pub fn render_conversation(&self) {
        let html = view::conversation_body(&self.model.borrow(), self.strings.get());
        match self.find("#wm-conv") {
            Some(conversation) => conversation.set_inner_html(&html),
            None => return,
        }
        if self.model.borrow().finished() && self.find("#wm-reply").is_some() {
            self.render();
        }
    }

    /// Says something in the ARIA live region (new replies, the nudge).
    pub fn announce(&self, text: &str) {
        if let Some(live) = self.find(".wm-live") {
            live.set_text_content(Some(text));
        }
    }

    /// Moves focus into the panel: its first text box, else its first control.
    pub fn focus_panel(&self) {
        let items = self.focusables();
        let first = items
            .iter()
            .find(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA"))
            .or(items.first());
        if let Some(element) = first {
            let _ = element.focus();
        }
    }

    fn focusables(&self) -> Vec<web_sys::HtmlElement> {
        let Some(root) = self.root.borrow().clone() else {
            return Vec::new();
        };
        let Ok(list) = root.query_selector_all(
            ".wm-panel button,.wm-panel input,.wm-panel textarea,.wm-panel a[href]",
        ) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into().ok())
            .collect()
    }

    /// Tab and Shift+Tab stay inside the open panel.
    fn trap(&self, event: &web_sys::KeyboardEvent) {
        let items = self.focusables();
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return;
        };
        let active = self.root.borrow().as_ref().and_then(|r| r.active_element());
        let at = |e: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
        };
        if event.shift_key() && at(first) {
            event.prevent_default();
            let _ = last.focus();
        } else if !event.shift_key() && at(last) {
            event.prevent_default();
            let _ = first.focus();
        }
    }

    /// Sets the accent colour and position.
    pub fn theme(&self, accent: &str, left: bool) {
        let Some(frame) = self.find(".wm") else {
            return;
        };
        if !accent.is_empty() {
            let _ = frame.style().set_property("--wm-accent", accent);
        }
        if left {
            let _ = frame.class_list().add_1("wm-left");
        }
    }
}

/// Creates the shadow host and the panel's frame, and listens for the user.
pub fn mount(ctx: &Rc<Ctx>) {
    let Some(document) = crate::timers::document() else {
        return;
    };
    let Some(body) = document.body() else { return };
    let Ok(host) = document.create_element("div") else {
        return;
    };
    host.set_id("waymark-widget");
    let _ = body.append_child(&host);
    let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
    let Ok(shadow) = host.attach_shadow(&init) else {
        return;
    };
    add_styles(&document, &shadow);
    let Ok(frame) = document.create_element("div") else {
        return;
    };
    frame.set_class_name("wm");
    frame.set_inner_html(&format!(
        "<div class=\"wm-live\" role=\"status\" aria-live=\"polite\"></div><div class=\"wm-slot\"></div><button class=\"wm-launcher\" aria-expanded=\"false\" aria-label=\"{}\">?</button>",
        ctx.strings.get().open
    ));
    for (kind, handler) in [
        ("click", on_click as fn(&Rc<Ctx>, web_sys::Event)),
        ("input", on_input),
        ("submit", on_submit),
        ("keydown", on_keydown),
    ] {
        let ctx = ctx.clone();
        let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event| handler(&ctx, event));
        let _ = frame
            .add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref::<Function>());
        listener.forget();
    }
    let _ = shadow.append_child(&frame);
    *ctx.root.borrow_mut() = Some(shadow);
    mark("waymark:mounted");
}

/// `performance.mark(name)`: the mount benchmark reads it (ms after navigation start).
fn mark(name: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let performance =
        js_sys::Reflect::get(&window, &JsValue::from_str("performance")).unwrap_or(JsValue::NULL);
    if let Ok(mark) = js_sys::Reflect::get(&performance, &JsValue::from_str("mark"))
        && let Ok(mark) = mark.dyn_into::<Function>()
    {
        let _ = mark.call1(&performance, &JsValue::from_str(name));
    }
}

/// Constructable stylesheet (works under `style-src 'self'`), `<style>` otherwise.
fn add_styles(document: &web_sys::Document, shadow: &web_sys::ShadowRoot) {
    if let Ok(sheet) = web_sys::CssStyleSheet::new()
        && sheet.replace_sync(STYLE).is_ok()
    {
        shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        return;
    }
    if let Ok(style) = document.create_element("style") {
        style.set_text_content(Some(STYLE));
        let _ = shadow.append_child(&style);
    }
}

/// The element with the action the event happened in (`data-act`), with its argument.
fn action_of(event: &web_sys::Event) -> Option<(String, String)> {
    let target: web_sys::Element = event.target()?.dyn_into().ok()?;
    let element = target.closest("[data-act],.wm-launcher").ok()??;
    if element.class_name() == "wm-launcher" {
        return Some(("toggle".into(), String::new()));
    }
    Some((
        element.get_attribute("data-act")?,
        element.get_attribute("data-arg").unwrap_or_default(),
    ))
}

fn on_click(ctx: &Rc<Ctx>, event: web_sys::Event) {
    let Some((action, argument)) = action_of(&event) else {
        return;
    };
    actions::act(ctx, &action, &argument);
}

fn on_input(ctx: &Rc<Ctx>, event: web_sys::Event) {
    let Some(input) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    if input.get_attribute("data-in").as_deref() == Some("ask") {
        actions::typed(ctx, input.value());
    }
}

fn on_submit(ctx: &Rc<Ctx>, event: web_sys::Event) {
    event.prevent_default();
    let Some(form) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return;
    };
    let field = |name: &str| {
        form.query_selector(&format!("[name={name}]"))
            .ok()
            .flatten()
            .map(|e| {
                js_sys::Reflect::get(&e, &JsValue::from_str("value"))
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    };
    match form.get_attribute("data-form").as_deref() {
        Some("start") => actions::start(ctx, field("goal"), field("email")),
        Some("reply") => {
            let text = field("text");
            if !text.trim().is_empty() {
                if let Some(reply) = ctx.find("#wm-reply") {
                    let _ = js_sys::Reflect::set(
                        &reply,
                        &JsValue::from_str("value"),
                        &JsValue::from_str(""),
                    );
                }
                actions::send(ctx, text);
            }
        }
        _ => {}
    }
}

fn on_keydown(ctx: &Rc<Ctx>, event: web_sys::Event) {
    let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
        return;
    };
    if !ctx.model.borrow().open {
        return;
    }
    match event.key().as_str() {
        "Escape" => actions::act(ctx, "close", ""),
        "Tab" => ctx.trap(event),
        _ => {}
    }
}
