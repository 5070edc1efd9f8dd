//! Timers, the event stream and the document, straight from `web-sys`. What
//! runs for the life of the page is registered in [`Timers`], so `shutdown`
//! can stop all of it.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The page's document, when there is one.
pub fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Runs `f` once, `ms` milliseconds from now.
pub fn once(f: impl FnOnce() + 'static, ms: i32) {
    let f = Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms);
    }
}

/// The intervals and the event stream the widget runs, stopped together.
#[derive(Default)]
pub struct Timers {
    intervals: RefCell<Vec<i32>>,
    streams: RefCell<Vec<web_sys::EventSource>>,
}

impl Timers {
    /// Runs `f` every `ms` milliseconds until [`Timers::stop`].
    pub fn every(&self, f: impl Fn() + 'static, ms: i32) {
        let f = Closure::<dyn Fn()>::new(f);
        if let Some(window) = web_sys::window()
            && let Ok(id) = window.set_interval_with_callback_and_timeout_and_arguments_0(
                f.as_ref().unchecked_ref(),
                ms,
            )
        {
            self.intervals.borrow_mut().push(id);
        }
        f.forget();
    }

    /// Keeps an event stream, closed by [`Timers::stop`].
    pub fn stream(&self, stream: web_sys::EventSource) {
        self.streams.borrow_mut().push(stream);
    }

    /// Stops every interval and closes every stream.
    pub fn stop(&self) {
        if let Some(window) = web_sys::window() {
            for id in self.intervals.borrow_mut().drain(..) {
                window.clear_interval_with_handle(id);
            }
        }
        for stream in self.streams.borrow_mut().drain(..) {
            stream.close();
        }
    }
}
