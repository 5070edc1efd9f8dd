//! The widget's UI, rendered by Leptos inside a Shadow DOM so the host page's CSS
//! cannot change it and its CSS cannot leak into the host page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

const STYLE: &str = include_str!("widget.css");

/// Creates the shadow host and mounts the app in it.
pub fn mount() {
    let document = document();
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
    if let Ok(style) = document.create_element("style") {
        style.set_text_content(Some(STYLE));
        let _ = shadow.append_child(&style);
    }
    let Ok(root) = document.create_element("div") else {
        return;
    };
    let _ = shadow.append_child(&root);
    let root: web_sys::HtmlElement = root.unchecked_into();
    leptos::mount::mount_to(root, App).forget();
}

#[component]
fn App() -> impl IntoView {
    let (open, set_open) = signal(false);
    view! {
        <div class="wm">
            <Show when=move || open.get()>
                <section class="wm-panel" role="dialog" aria-modal="false" aria-labelledby="wm-title">
                    <header class="wm-head">
                        <h2 id="wm-title">"How can we help?"</h2>
                        <button class="wm-close" aria-label="Close help" on:click=move |_| set_open.set(false)>"×"</button>
                    </header>
                    <p class="wm-body">"Tell us what you were trying to do. We can see which page you are on, so you don't have to explain it."</p>
                </section>
            </Show>
            <button
                class="wm-launcher"
                aria-label=move || if open.get() { "Close help" } else { "Open help" }
                aria-expanded=move || open.get().to_string()
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                "?"
            </button>
        </div>
    }
}
