//! The dialogs: escalate (tier, type, reason), transfer, assign, add a
//! collaborator, resolve (the prefilled resolution capture), reopen, edit the
//! handoff note, change the password, and the shortcut help.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Console;
use super::state::Dialog;
use crate::api;
use crate::forms::{
    ESCALATION_TYPES, EscalationDraft, NoteDraft, ResolutionDraft, escalation_type, next_tier,
};
use crate::keys::SHORTCUTS;
use crate::queue::encode;
use waymark_core::domain::{EscalationType, Resolution};

/// The open dialog, if any.
#[component]
pub fn Dialogs(console: Console) -> impl IntoView {
    move || {
        console.dialog.get().map(|dialog| {
            let body = match dialog {
                Dialog::Escalate => view! { <Escalate console /> }.into_any(),
                Dialog::Transfer => view! { <OneField console dialog title="Transfer to another team"
                    label="Team" field_name="to_team" tail="/transfer" button="Transfer" /> }.into_any(),
                Dialog::Assign => view! { <OneField console dialog title="Assign the ticket"
                    label="Agent" field_name="assignee" tail="/assign" button="Assign" /> }.into_any(),
                Dialog::Collaborator => view! { <OneField console dialog title="Add a collaborator"
                    label="Agent" field_name="collaborator" tail="/collaborators" button="Add" /> }.into_any(),
                Dialog::Reopen => view! { <OneField console dialog title="Reopen the ticket"
                    label="Why it comes back" field_name="reason" tail="/reopen" button="Reopen" /> }.into_any(),
                Dialog::Resolve => view! { <Resolve console /> }.into_any(),
                Dialog::EditNote => view! { <EditNote console /> }.into_any(),
                Dialog::Password => view! { <Password console /> }.into_any(),
                Dialog::Help => view! { <Help /> }.into_any(),
            };
            view! {
                <div class="overlay" on:click=move |_| console.dialog.set(None)>
                    <div class="dialog" role="dialog" aria-modal="true" on:click=|ev| ev.stop_propagation()>
                        {body}
                    </div>
                </div>
            }
        })
    }
}

fn field(label: &'static str, id: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
    }
}

fn area(label: &'static str, id: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <textarea id=id rows="2" prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))></textarea>
    }
}

fn error_line(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="form-error" role="alert">{e}</p> })
    }
}

#[component]
fn OneField(
    console: Console,
    dialog: Dialog,
    title: &'static str,
    label: &'static str,
    field_name: &'static str,
    tail: &'static str,
    button: &'static str,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pick_member = matches!(dialog, Dialog::Assign | Dialog::Collaborator);
    let agents = console.members.with_untracked(|members| {
        members
            .iter()
            .filter(|m| m.role != "knowledge_manager")
            .map(|m| {
                let name = if m.name.trim().is_empty() {
                    m.email.clone()
                } else {
                    format!("{} · {}", m.name, m.email)
                };
                (m.id.clone(), name)
            })
            .collect::<Vec<_>>()
    });
    if pick_member && let Some((first, _)) = agents.first() {
        value.set(first.clone());
    }
    let input = if pick_member && !agents.is_empty() {
        view! {
            <label for="dialog-field">{label}</label>
            <select id="dialog-field" on:change=move |ev| value.set(event_target_value(&ev))>
                {agents.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        field(label, "dialog-field", value).into_any()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = value.get_untracked();
        if text.trim().is_empty() && dialog != Dialog::Reopen {
            error.set(Some(format!("{label} is needed.")));
            return;
        }
        console.act(
            "POST",
            tail.into(),
            Some(serde_json::json!({ field_name: text.trim() })),
            move || console.dialog.set(None),
        );
    };
    view! {
        <form on:submit=submit>
            <h2>{title}</h2>
            {input}
            {error_line(error)}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| console.dialog.set(None)>"Cancel"</button>
                <button type="submit" class="primary" id="dialog-submit">{button}</button>
            </div>
        </form>
    }
}

#[component]
fn Escalate(console: Console) -> impl IntoView {
    let current = console
        .detail
        .with_untracked(|d| d.as_ref().map(|d| d.ticket.tier.clone()))
        .unwrap_or_default();
    let to_tier = RwSignal::new(next_tier(&current).unwrap_or_default());
    let kind = RwSignal::new(EscalationType::Functional);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = EscalationDraft {
            to_tier: to_tier.get_untracked(),
            escalation_type: kind.get_untracked(),
            reason: reason.get_untracked(),
        };
        match draft.body() {
            Ok(body) => console.act("POST", "/escalate".into(), Some(body), move || {
                console.dialog.set(None);
                console.say(true, "Escalated.");
            }),
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <form on:submit=submit>
            <h2>"Escalate to the next tier"</h2>
            <p class="muted">{format!("Now at {current}. The handoff note travels with it.")}</p>
            {field("To tier", "escalate-tier", to_tier)}
            <label for="escalate-type">"Type"</label>
            <select id="escalate-type" on:change=move |ev| {
                if let Some(t) = escalation_type(&event_target_value(&ev)) { kind.set(t) }
            }>
                {ESCALATION_TYPES.iter().map(|(t, words)| view! {
                    <option value=t.to_string() selected=*t == EscalationType::Functional>{*words}</option>
                }).collect_view()}
            </select>
            {area("Reason", "escalate-reason", reason)}
            {error_line(error)}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| console.dialog.set(None)>"Cancel"</button>
                <button type="submit" class="primary" id="escalate-submit">"Escalate"</button>
            </div>
        </form>
    }
}

#[component]
fn Resolve(console: Console) -> impl IntoView {
    let root_cause = RwSignal::new(String::new());
    let fix = RwSignal::new(String::new());
    let environment = RwSignal::new(String::new());
    let version = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    if let (Some(base), Some(id)) = (console.site_path(), console.open.get_untracked()) {
        spawn_local(async move {
            let path = format!("{base}/tickets/{}/resolution", encode(&id));
            if let Ok(prefill) = api::get::<Resolution>(&path).await {
                let draft = ResolutionDraft::from(prefill);
                root_cause.set(draft.root_cause);
                fix.set(draft.fix);
                environment.set(draft.environment);
                version.set(draft.version);
            }
            loaded.set(true);
        });
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = ResolutionDraft {
            root_cause: root_cause.get_untracked(),
            fix: fix.get_untracked(),
            environment: environment.get_untracked(),
            version: version.get_untracked(),
        };
        match draft.resolution() {
            Ok(resolution) => console.act(
                "POST",
                "/resolve".into(),
                Some(serde_json::json!({ "resolution": resolution })),
                move || {
                    console.dialog.set(None);
                    console.say(
                        true,
                        "Resolved. The resolution now answers the next visitor with this problem.",
                    );
                },
            ),
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <form on:submit=submit id="resolve-form" class:loaded=move || loaded.get()>
            <h2>"Resolve with what was learned"</h2>
            <p class="muted">"Prefilled from the conversation and the page; check every field."</p>
            {area("Root cause", "resolve-root-cause", root_cause)}
            {area("Fix", "resolve-fix", fix)}
            {field("Environment", "resolve-environment", environment)}
            {field("Version", "resolve-version", version)}
            {error_line(error)}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| console.dialog.set(None)>"Cancel"</button>
                <button type="submit" class="primary" id="resolve-submit">"Resolve"</button>
            </div>
        </form>
    }
}

#[component]
fn EditNote(console: Console) -> impl IntoView {
    let base = console
        .detail
        .with_untracked(|d| {
            d.as_ref()
                .and_then(|d| d.current_note().map(|n| n.note.clone()))
        })
        .unwrap_or_default();
    let draft = NoteDraft::of(&base);
    let goal = RwSignal::new(draft.goal);
    let tried = RwSignal::new(draft.tried);
    let sentiment = RwSignal::new(draft.sentiment);
    let commitments = RwSignal::new(draft.commitments);
    let reason = RwSignal::new(draft.reason);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = NoteDraft {
            goal: goal.get_untracked(),
            tried: tried.get_untracked(),
            sentiment: sentiment.get_untracked(),
            commitments: commitments.get_untracked(),
            reason: reason.get_untracked(),
        };
        match draft.apply(&base) {
            Ok(note) => console.act(
                "PUT",
                "/handoff-note".into(),
                Some(serde_json::json!({ "note": note })),
                move || {
                    console.dialog.set(None);
                    console.say(true, "A new version of the note is kept.");
                },
            ),
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <form on:submit=submit>
            <h2>"Edit the handoff note"</h2>
            <p class="muted">"Every version is kept; lists take one item a line."</p>
            {field("Goal", "note-edit-goal", goal)}
            {area("Tried", "note-edit-tried", tried)}
            {field("Sentiment", "note-edit-sentiment", sentiment)}
            {area("Commitments", "note-edit-commitments", commitments)}
            {area("Reason", "note-edit-reason", reason)}
            {error_line(error)}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| console.dialog.set(None)>"Cancel"</button>
                <button type="submit" class="primary">"Save as new version"</button>
            </div>
        </form>
    }
}

#[component]
fn Password(console: Console) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({
            "current_password": current.get_untracked(),
            "new_password": new.get_untracked(),
        });
        spawn_local(async move {
            match api::send::<serde_json::Value>("POST", "/api/v1/auth/password", Some(&body)).await
            {
                Ok(_) => {
                    console.dialog.set(None);
                    console.say(true, "Password changed.");
                }
                Err(err) => error.set(Some(err.message)),
            }
        });
    };
    view! {
        <form on:submit=submit>
            <h2>"Change your password"</h2>
            <label for="password-current">"Current password"</label>
            <input id="password-current" type="password" autocomplete="current-password"
                on:input=move |ev| current.set(event_target_value(&ev)) />
            <label for="password-new">"New password"</label>
            <input id="password-new" type="password" autocomplete="new-password"
                on:input=move |ev| new.set(event_target_value(&ev)) />
            {error_line(error)}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| console.dialog.set(None)>"Cancel"</button>
                <button type="submit" class="primary">"Change password"</button>
            </div>
        </form>
    }
}

#[component]
fn Help() -> impl IntoView {
    view! {
        <h2>"Keyboard shortcuts"</h2>
        <table class="shortcuts" id="shortcut-help">
            {SHORTCUTS.iter().map(|(key, what)| view! {
                <tr><td><kbd>{*key}</kbd></td><td>{*what}</td></tr>
            }).collect_view()}
        </table>
    }
}
