//! The browser side: takes over the loader's buffer, sends events in batches
//! and mounts the UI. Everything here talks to JavaScript; decisions are made
//! by plain structs such as [`crate::outbox::Outbox`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use waymark_core::scrub::{ScrubConfig, scrub_text, scrub_url};
use waymark_core::wire::PROTOCOL_VERSION;

use leptos::prelude::*;

use crate::config::Consent;
use crate::model::Model;
use crate::net::{self, Endpoint};
use crate::outbox::Outbox;
use crate::panel::Keys;
use crate::strings;
use crate::timers::{self, Timers};
use crate::ui::{self, Ctx, StoragePolicy};

/// How often queued events are sent while the page is open.
const FLUSH_EVERY_MS: i32 = 1_000;

/// The widget's running state.
struct Widget {
    api: String,
    site: String,
    session: String,
    outbox: RefCell<Outbox<String>>,
    /// No request before this time (ms since epoch): backoff and `Retry-After`.
    not_before_ms: RefCell<f64>,
    /// Whether the site's consent mode lets events go out before consent. False
    /// until the site config says so: a site that needs consent never sends early.
    may_send: Cell<bool>,
    ctx: Rc<Ctx>,
}

fn get_string(object: &JsValue, key: &str) -> String {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The page's language: `<html lang>`, else the browser's.
fn page_locale() -> String {
    let lang = timers::document()
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .unwrap_or_default();
    if !lang.is_empty() {
        return lang;
    }
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default()
}

/// Starts the widget. Called by `loader.js` with its state object
/// (`site`, `api`, `session`, `buffer`, `commands`, and the `sink` slot for new events).
#[wasm_bindgen]
pub fn boot(loader: JsValue) {
    let endpoint = Endpoint {
        api: get_string(&loader, "api"),
        site: get_string(&loader, "site"),
    };
    let session = get_string(&loader, "session");
    let ctx = Rc::new(Ctx {
        endpoint: endpoint.clone(),
        keys: RefCell::new(Keys::new(&session, js_sys::Date::now() as u32)),
        session: session.clone(),
        loader: loader.clone(),
        strings: Cell::new(strings::for_locale(&page_locale())),
        latest: RefCell::default(),
        nudger: RefCell::default(),
        nudge_check: Cell::new(false),
        scrub: RefCell::default(),
        identity: RefCell::new(JsValue::UNDEFINED),
        conversation: RefCell::new(None),
        model: RwSignal::new(Model::default()),
        root: RefCell::new(None),
        storage: Cell::new(StoragePolicy::NotYet),
        consented: Cell::new(false),
        timers: Timers::default(),
        stopped: Cell::new(false),
    });
    let widget = Rc::new(Widget {
        api: endpoint.api.clone(),
        site: endpoint.site.clone(),
        session,
        outbox: RefCell::new(Outbox::default()),
        not_before_ms: RefCell::new(0.0),
        may_send: Cell::new(false),
        ctx: ctx.clone(),
    });
    ui::mount(&ctx);
    ui::restore(&ctx);
    if let Ok(buffer) = Reflect::get(&loader, &JsValue::from_str("buffer")) {
        for json in Array::from(&buffer).iter() {
            widget.accept(json.as_string().unwrap_or_default().as_str());
        }
    }
    let sink_widget = widget.clone();
    let sink = Closure::<dyn Fn(String)>::new(move |json: String| sink_widget.accept(&json));
    let _ = Reflect::set(&loader, &JsValue::from_str("sink"), sink.as_ref());
    sink.forget();

    let command_ctx = ctx.clone();
    let command_loader = loader.clone();
    let run_commands = move || {
        let Ok(commands) = Reflect::get(&command_loader, &JsValue::from_str("commands")) else {
            return;
        };
        let commands = Array::from(&commands);
        for command in commands.iter() {
            let command = Array::from(&command);
            let name = command.get(0).as_string().unwrap_or_default();
            ui::command(&command_ctx, &name, &command.get(1));
        }
        commands.set_length(0);
    };
    run_commands();
    let on_command = Closure::<dyn Fn()>::new(run_commands);
    let _ = Reflect::set(
        &loader,
        &JsValue::from_str("onCommand"),
        on_command.as_ref(),
    );
    on_command.forget();

    let config_widget = widget.clone();
    let url = config_widget.ctx.endpoint.url("/config", "");
    net::then(url, "GET", None, None, move |config| {
        if let Ok(config) = config {
            ui::apply_config(&config_widget.ctx, &config);
            let consent = get_string(&net::get(&config, "privacy"), "consent");
            config_widget
                .may_send
                .set(Consent::from_wire(&consent).sends_before_consent());
        }
    });

    let flush_widget = widget.clone();
    ctx.timers.every(
        move || {
            flush_widget.clone().flush(false);
            // Time-based rules (dwell) can fire without a new event.
            ui::check_nudge(&flush_widget.ctx);
        },
        FLUSH_EVERY_MS,
    );
    let hide_widget = widget.clone();
    let on_hide = Closure::<dyn Fn()>::new(move || {
        let hidden = !hide_widget.ctx.stopped.get()
            && timers::document()
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
        if hidden {
            hide_widget.clone().flush(true);
        }
    });
    if let Some(document) = timers::document() {
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_hide.as_ref().unchecked_ref::<Function>(),
        );
    }
    on_hide.forget();

    widget.clone().flush(false);
}

impl Widget {
    /// Takes one event from the loader (wire JSON text, see `waymark_core::wire::ClientEvent`),
    /// scrubs it with `core` (as the server does again) and queues it in the
    /// outbox. The server validates every event and refuses a batch naming the
    /// event at fault.
    fn accept(&self, json: &str) {
        if self.ctx.stopped.get() || !json.starts_with('{') {
            return;
        }
        let Ok(event) = js_sys::JSON::parse(json) else {
            return;
        };
        scrub_event(&event, &self.ctx.scrub.borrow());
        let Ok(scrubbed) = js_sys::JSON::stringify(&event) else {
            return;
        };
        self.outbox.borrow_mut().push(String::from(scrubbed));
        ui::observe(&self.ctx, &event);
    }

    fn events_url(&self) -> String {
        format!(
            "{}/api/widget/v1/events?site={}",
            self.api,
            js_sys::encode_uri_component(&self.site)
        )
    }

    /// Sends the next batch. On page hide the batch goes with `sendBeacon`, which
    /// the browser delivers after the page is gone.
    fn flush(self: Rc<Self>, page_hidden: bool) {
        if self.ctx.stopped.get() {
            return;
        }
        if !self.may_send.get() && !self.ctx.consented.get() {
            return;
        }
        if js_sys::Date::now() < *self.not_before_ms.borrow() && !page_hidden {
            return;
        }
        let Some(body) = self
            .outbox
            .borrow_mut()
            .next_batch()
            .map(|events| batch_json(&self.session, events))
        else {
            return;
        };
        if page_hidden {
            let beaconed = web_sys::window()
                .map(|w| {
                    w.navigator()
                        .send_beacon_with_opt_str(&self.events_url(), Some(&body))
                        .unwrap_or(false)
                })
                .unwrap_or(false);
            if beaconed {
                self.outbox.borrow_mut().acknowledge();
            } else {
                self.outbox.borrow_mut().failed(None);
            }
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = net::send(
                &self.events_url(),
                "POST",
                Some(&JsValue::from_str(&body)),
                None,
            )
            .await;
            let mut outbox = self.outbox.borrow_mut();
            match outcome {
                Ok(_) => outbox.acknowledge(),
                // The server refused these events for what they are: sending them
                // again would block every later batch, so they are dropped.
                Err(net::Failure::Refused) => outbox.acknowledge(),
                Err(net::Failure::Retry(retry_after_ms)) => {
                    let wait = outbox.failed(retry_after_ms);
                    *self.not_before_ms.borrow_mut() = js_sys::Date::now() + f64::from(wait);
                }
            }
        });
    }
}

/// Fields of the wire events that hold URLs or routes (see `ClientEvent::scrub`).
const URL_FIELDS: [&str; 4] = ["url", "route", "referrer", "source"];
/// Fields of the wire events that hold free text.
const TEXT_FIELDS: [&str; 4] = ["title", "message", "stack", "target"];

/// One of `core`'s scrubbers.
type Scrubber = fn(&str, &ScrubConfig) -> String;

/// Scrubs the string fields of one wire event in place with `core`'s scrubbers,
/// the same fields the server scrubs.
fn scrub_event(event: &JsValue, config: &ScrubConfig) {
    let scrubbers: [(&[&str], Scrubber); 2] =
        [(&URL_FIELDS, scrub_url), (&TEXT_FIELDS, scrub_text)];
    for (fields, scrub) in scrubbers {
        for field in fields {
            let key = JsValue::from_str(field);
            if let Some(value) = Reflect::get(event, &key).ok().and_then(|v| v.as_string()) {
                let _ = Reflect::set(event, &key, &JsValue::from_str(&scrub(&value, config)));
            }
        }
    }
}

/// An `EventBatch` as wire JSON, from events already in wire JSON.
fn batch_json(session: &str, events: &[String]) -> String {
    let session = js_sys::JSON::stringify(&JsValue::from_str(session))
        .map(String::from)
        .unwrap_or_else(|_| "\"\"".into());
    let mut body = format!("{{\"v\":{PROTOCOL_VERSION},\"session_id\":{session},\"events\":[");
    for (index, event) in events.iter().enumerate() {
        if index > 0 {
            body.push(',');
        }
        body.push_str(event);
    }
    body.push_str("]}");
    body
}
