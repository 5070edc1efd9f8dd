//! The site's live stream (`GET /api/v1/sites/{site}/stream`, Server-Sent
//! Events): every `ticket`, `message` and `resync` event is handed to a callback.
//! The browser's `EventSource` reconnects by itself; dropping the stream closes it.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

use crate::model::LiveEvent;

/// An open stream; closed on drop.
pub struct LiveStream {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(MessageEvent)>>,
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// What arrived.
pub enum Pushed {
    /// A change on the site.
    Change(LiveEvent),
    /// The stream missed events: reload what is shown.
    Resync,
}

/// Opens the stream of `site_id`; `on_event` runs for every change.
pub fn open(site_id: &str, on_event: impl Fn(Pushed) + Clone + 'static) -> Option<LiveStream> {
    let url = format!("/api/v1/sites/{}/stream", crate::queue::encode(site_id));
    let source = EventSource::new(&url).ok()?;
    let mut listeners = Vec::new();
    for name in ["ticket", "message", "resync"] {
        let on_event = on_event.clone();
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if name == "resync" {
                on_event(Pushed::Resync);
                return;
            }
            let data = event.data().as_string().unwrap_or_default();
            if let Ok(change) = serde_json::from_str::<LiveEvent>(&data) {
                on_event(Pushed::Change(change));
            }
        });
        source
            .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
            .ok()?;
        listeners.push(listener);
    }
    Some(LiveStream {
        source,
        _listeners: listeners,
    })
}
