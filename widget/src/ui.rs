//! The widget's UI inside a Shadow DOM, so the host page's CSS cannot change it
//! and its CSS cannot leak into the host page. The panel is a Leptos view
//! ([`view`]) mounted into the shadow root over one [`Model`] signal; what the
//! user does comes back as typed [`actions::Act`]s, which call the API and
//! update the model. Decisions live in [`crate::panel`] and [`crate::model`].

mod actions;
mod commands;
mod view;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Function;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use waymark_core::scrub::ScrubConfig;

use crate::model::Model;
use crate::net::Endpoint;
use crate::nudge::Nudger;
use crate::panel::{Keys, Latest};
use crate::strings::Strings;
use crate::timers::Timers;

pub use commands::{apply_config, check_nudge, command, observe, restore};

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
    pub model: RwSignal<Model>,
    /// The shadow root, once mounted.
    pub root: RefCell<Option<web_sys::ShadowRoot>>,
    /// What may be stored, and whether it may be now.
    pub storage: Cell<StoragePolicy>,
    /// Whether the host gave consent (`Waymark('consent')`).
    pub consented: Cell<bool>,
    /// Timers, listeners and the event stream, stopped by `shutdown`.
    pub timers: Timers,
    /// Set by `shutdown`: nothing is captured, sent or stored any more.
    pub stopped: Cell<bool>,
}

/// What the widget may keep in the tab's `sessionStorage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoragePolicy {
    /// Nothing until the user interacts or the host gives consent (`strict`).
    NotYet,
    /// The session id and the page-signal counters only (`functional`), until
    /// the user interacts or the host gives consent.
    Functional,
    /// The user interacted or the host consented: the conversation as well.
    Allowed,
}

impl StoragePolicy {
    /// Whether the session id and the page-signal counters may be stored.
    pub fn keeps_signals(self) -> bool {
        self != Self::NotYet
    }

    /// Whether the conversation may be stored.
    pub fn keeps_conversation(self) -> bool {
        self == Self::Allowed
    }
}

thread_local! {
    /// The mounted widget, for the view's handlers. (Leptos wants the closures
    /// that draw views to be `Send`; the context is not, so they reach it here.
    /// A `StoredValue` would do the same at the cost of more wasm.)
    static MOUNTED: RefCell<Option<Rc<Ctx>>> = const { RefCell::new(None) };
}

/// What the views read and where they send what the user does: the model
/// signal, and the mounted widget behind it. `Copy`.
#[derive(Clone, Copy)]
pub struct Wiring {
    model: RwSignal<Model>,
}

impl Wiring {
    fn mounted(self) -> Option<Rc<Ctx>> {
        MOUNTED.with(|mounted| mounted.borrow().clone())
    }

    /// The strings of the page's (or the site's) language.
    fn strings(self) -> &'static Strings {
        self.mounted()
            .map_or(&crate::strings::EN, |ctx| ctx.strings.get())
    }

    fn send(self, act: actions::Act) {
        if let Some(ctx) = self.mounted() {
            actions::act(&ctx, act);
        }
    }
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

    /// Says something in the ARIA live region (new replies, the nudge).
    pub fn announce(&self, text: &str) {
        self.model.write().announced = text.to_owned();
    }

    /// Moves focus into the panel once it is drawn: its first text box, else
    /// its first control.
    pub fn focus_panel(self: &Rc<Self>) {
        let ctx = self.clone();
        crate::timers::once(
            move || {
                let items = ctx.focusables();
                let first = items
                    .iter()
                    .find(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA"))
                    .or(items.first());
                if let Some(element) = first {
                    let _ = element.focus();
                }
            },
            0,
        );
    }

    /// Moves focus back to the launcher.
    pub fn focus_launcher(&self) {
        if let Some(launcher) = self.find(".wm-launcher") {
            let _ = launcher.focus();
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

/// Creates the shadow host and mounts the view into it.
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
    let Some(frame) = document
        .create_element("div")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    frame.set_class_name("wm");
    let _ = shadow.append_child(&frame);
    *ctx.root.borrow_mut() = Some(shadow);
    MOUNTED.with(|mounted| *mounted.borrow_mut() = Some(ctx.clone()));
    let wiring = Wiring { model: ctx.model };
    leptos::mount::mount_to(frame, move || view::frame(wiring)).forget();
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
