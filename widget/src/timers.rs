//! Timers and the document, straight from `web-sys`: the widget needs no UI
//! framework for them, and none is shipped.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The page's document, when there is one.
pub fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Runs `f` once, `ms` milliseconds from now.
pub fn set_timeout(f: impl FnOnce() + 'static, ms: i32) {
    let f = Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms);
    }
}

/// Runs `f` every `ms` milliseconds for the life of the page.
pub fn set_interval(f: impl Fn() + 'static, ms: i32) {
    let f = Closure::<dyn Fn()>::new(f);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_interval_with_callback_and_timeout_and_arguments_0(f.as_ref().unchecked_ref(), ms);
    }
    f.forget();
}
