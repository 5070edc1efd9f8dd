//! The console's components, thin over the state modules: [`App`] switches
//! between the login and the workspace; `state` holds the signals and the calls
//! that fill them; `login`, `queue_pane`, `ticket`, `dialogs`, `reports`, `alerts` and `shell` render;
//! `knowledge` and `knowledge_tables` are the knowledge managers' section.

mod alerts;
mod dialogs;
mod knowledge;
mod knowledge_tables;
mod login;
mod queue_pane;
mod reports;
mod shell;
mod state;
mod ticket;

use leptos::prelude::*;

pub(crate) use state::Console;

/// The console: the login until someone is signed in, then the workspace.
#[component]
pub fn App() -> impl IntoView {
    let console = Console::new();
    console.restore_session();
    view! {
        {move || match (console.checked.get(), console.signed_in()) {
            (false, _) => view! { <div class="boot">"Loading…"</div> }.into_any(),
            (true, false) => view! { <login::Login console /> }.into_any(),
            (true, true) => view! { <shell::Workspace console /> }.into_any(),
        }}
    }
}
