//! The workspace around the queue and the ticket: the top bar (site, live
//! status, notifications, the knowledge section, settings for admins, the user's menu), the clock that
//! ticks the countdowns, the keyboard shortcuts, the settings screen.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::Console;
use super::dialogs::Dialogs;
use super::knowledge::KnowledgeSection;
use super::queue_pane::QueuePane;
use super::state::{Composer, Dialog, Screen, display_name, now_ms};
use super::ticket::TicketPane;
use crate::api;
use crate::keys::{Shortcut, shortcut};
use crate::queue::Step;

const NOTIFY_KEY: &str = "waymark.console.notify";

/// Whether the agent turned notifications on (and the browser allows them).
pub fn notifications_on() -> bool {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(NOTIFY_KEY).ok().flatten());
    stored.as_deref() == Some("on")
        && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

fn remember_notifications(on: bool) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(NOTIFY_KEY, if on { "on" } else { "off" });
    }
}

/// A silent browser notification for a new ticket.
pub fn notify_new_ticket(subject: &str) {
    let options = web_sys::NotificationOptions::new();
    options.set_body(subject);
    options.set_silent(Some(true));
    options.set_tag("waymark-new-ticket");
    let _ = web_sys::Notification::new_with_options("New ticket in the queue", &options);
}

fn toggle_notifications(console: Console) {
    if console.notify.get_untracked() {
        console.notify.set(false);
        remember_notifications(false);
        return;
    }
    spawn_local(async move {
        let granted = match web_sys::Notification::request_permission() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .ok()
                .and_then(|v| v.as_string())
                .is_some_and(|p| p == "granted"),
            Err(_) => false,
        };
        console.notify.set(granted);
        remember_notifications(granted);
        if !granted {
            console.say(
                false,
                "The browser did not allow notifications for this site.",
            );
        }
    });
}

fn in_text_field(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

fn on_key(console: Console, event: web_sys::KeyboardEvent) {
    let modified = event.ctrl_key() || event.meta_key() || event.alt_key();
    let Some(action) = shortcut(&event.key(), modified, in_text_field(&event)) else {
        return;
    };
    if console.dialog.get_untracked().is_some() && action != Shortcut::Close {
        return;
    }
    let acts = console.user().is_some_and(|u| u.role.acts_on_tickets());
    let open = console.open.get_untracked().is_some();
    event.prevent_default();
    match action {
        Shortcut::Close => console.dialog.set(None),
        Shortcut::Help => console.dialog.set(Some(Dialog::Help)),
        Shortcut::Next => console.step(Step::Next),
        Shortcut::Previous => console.step(Step::Previous),
        Shortcut::Open => {
            if let Some(id) = console.queue.with_untracked(|q| q.selected.clone()) {
                console.open_ticket(id);
            }
        }
        Shortcut::Queue => {
            console.screen.set(Screen::Tickets);
            console.open.set(None);
            console.detail.set(None);
        }
        Shortcut::Reply | Shortcut::Note if open && acts => {
            let composer = if action == Shortcut::Reply {
                Composer::Reply
            } else {
                Composer::Note
            };
            console.composer.set(composer);
            console.focus_composer.update(|n| *n += 1);
        }
        Shortcut::Acknowledge if open && acts => {
            console.act(
                "POST",
                "/acknowledge".into(),
                Some(serde_json::json!({})),
                || {},
            );
        }
        Shortcut::Escalate if open && acts => console.dialog.set(Some(Dialog::Escalate)),
        Shortcut::Resolve if open && acts => console.dialog.set(Some(Dialog::Resolve)),
        _ => {}
    }
}

/// The signed-in workspace.
#[component]
pub fn Workspace(console: Console) -> impl IntoView {
    let tick = set_interval_with_handle(move || console.now.set(now_ms()), Duration::from_secs(1));
    let keys = window_event_listener(leptos::ev::keydown, move |event| on_key(console, event));
    on_cleanup(move || {
        if let Ok(tick) = tick {
            tick.clear();
        }
        keys.remove();
    });
    let user = move || console.user();
    let is_admin = move || user().is_some_and(|u| u.role.sees_admin_settings());
    view! {
        <div class="shell">
            <header class="topbar">
                <div class="brand"><span class="brand-mark">"W"</span>"Waymark"</div>
                <nav class="topnav" aria-label="Main">
                    <button class="navlink" class:active=move || console.screen.get() == Screen::Tickets
                        on:click=move |_| console.screen.set(Screen::Tickets)>"Tickets"</button>
                    <button class="navlink" id="nav-alerts"
                        class:active=move || console.screen.get() == Screen::Alerts
                        on:click=move |_| console.screen.set(Screen::Alerts)>"Alerts"</button>
                    <button class="navlink" id="nav-knowledge"
                        class:active=move || console.screen.get() == Screen::Knowledge
                        on:click=move |_| console.screen.set(Screen::Knowledge)>"Knowledge"</button>
                    <button class="navlink" id="nav-reports"
                        class:active=move || console.screen.get() == Screen::Reports
                        on:click=move |_| console.screen.set(Screen::Reports)>"Reports"</button>
                    <Show when=is_admin>
                        <button class="navlink" id="nav-settings"
                            class:active=move || console.screen.get() == Screen::Settings
                            on:click=move |_| console.screen.set(Screen::Settings)>"Settings"</button>
                    </Show>
                </nav>
                <div class="topbar-right">
                    <span class="site-name">{move || user().and_then(|u| u.sites.first().map(|s| if s.name.is_empty() { s.id.clone() } else { s.name.clone() }))}</span>
                    <span class="live" class:on=move || console.live.get()
                        title="Changes arrive as they happen">
                        {move || if console.live.get() { "Live" } else { "Connecting…" }}
                    </span>
                    <button class="ghost" id="toggle-notifications" on:click=move |_| toggle_notifications(console)
                        aria-pressed=move || console.notify.get().to_string()>
                        {move || if console.notify.get() { "Notifications on" } else { "Notify me" }}
                    </button>
                    <button class="ghost" on:click=move |_| console.dialog.set(Some(Dialog::Help))
                        title="Keyboard shortcuts (?)">"?"</button>
                    <span class="me">
                        <span class="me-name">{move || user().map(|u| display_name(&u))}</span>
                        <span class="me-role">{move || user().map(|u| u.role.label())}</span>
                    </span>
                    <button class="ghost" id="change-password"
                        on:click=move |_| console.dialog.set(Some(Dialog::Password))>"Password"</button>
                    <button class="ghost" id="sign-out" on:click=move |_| console.sign_out()>"Sign out"</button>
                </div>
            </header>
            {move || console.flash.get().map(|(ok, text)| view! {
                <div class=if ok { "flash ok" } else { "flash error" } role="status">
                    <span>{text}</span>
                    <button class="ghost" on:click=move |_| console.flash.set(None)>"Dismiss"</button>
                </div>
            })}
            {move || match console.screen.get() {
                Screen::Tickets => view! {
                    <div class="workspace">
                        <QueuePane console />
                        <TicketPane console />
                    </div>
                }.into_any(),
                Screen::Settings => view! { <Settings console /> }.into_any(),
                Screen::Knowledge => view! { <KnowledgeSection console /> }.into_any(),
                Screen::Reports => view! { <super::reports::Reports console /> }.into_any(),
                Screen::Alerts => view! { <super::alerts::Alerts console /> }.into_any(),
            }}
            <Dialogs console />
        </div>
    }
}

/// The site's escalation matrix as stored (admins).
#[component]
fn Settings(console: Console) -> impl IntoView {
    let matrix = RwSignal::new(None::<Result<serde_json::Value, String>>);
    if let Some(base) = console.site_path() {
        spawn_local(async move {
            let answer = api::get::<serde_json::Value>(&format!("{base}/matrix"))
                .await
                .map_err(|e| e.message);
            matrix.set(Some(answer));
        });
    }
    view! {
        <section class="settings" id="admin-settings">
            <h2>"Site settings"</h2>
            <p class="muted">"The escalation matrix this site routes by. Change it with "
                <code>"PUT /api/v1/sites/{site}/matrix"</code>" or "<code>"waymark rules"</code>"."</p>
            {move || match matrix.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error">{message}</p> }.into_any(),
                Some(Ok(value)) => {
                    let version = value.get("version").and_then(|v| v.as_i64()).unwrap_or(0);
                    let source = value.get("source").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                    view! {
                        <p>"Matrix version " <strong>{version}</strong></p>
                        <pre class="matrix-source">{source}</pre>
                    }.into_any()
                }
            }}
        </section>
    }
}
