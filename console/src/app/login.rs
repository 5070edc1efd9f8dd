//! The login screen: email and password, the API's refusal in words (wrong
//! password, locked account with the time left).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Console;
use crate::api;
use crate::model::Session;

/// What a refused login says.
fn refusal(err: &api::ApiError) -> String {
    match err.code.as_str() {
        "invalid_credentials" => "Wrong email or password.".to_owned(),
        "account_locked" => {
            let minutes = err.retry_after_secs.map(|s| s.div_ceil(60)).unwrap_or(15);
            format!(
                "This account is locked after too many wrong passwords. Try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            )
        }
        "rate_limited" => "Too many attempts from here. Wait a minute and try again.".to_owned(),
        _ => err.message.clone(),
    }
}

/// The login form.
#[component]
pub fn Login(console: Console) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let body = serde_json::json!({
            "email": email.get_untracked().trim(),
            "password": password.get_untracked(),
        });
        spawn_local(async move {
            match api::send::<Session>("POST", "/api/v1/auth/login", Some(&body)).await {
                Ok(session) => {
                    error.set(None);
                    console.signed(session);
                }
                Err(err) => {
                    password.set(String::new());
                    error.set(Some(refusal(&err)));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <form class="login-card" on:submit=submit>
                <div class="brand"><span class="brand-mark">"W"</span>"Waymark"</div>
                <h1>"Sign in to the console"</h1>
                <label for="login-email">"Email"</label>
                <input id="login-email" name="email" type="email" autocomplete="username" required
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev)) />
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password"
                    autocomplete="current-password" required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev)) />
                {move || error.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
                <button type="submit" class="primary" prop:disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
