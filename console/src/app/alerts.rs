//! The Alerts page: early warnings waiting for a decision (confirm the
//! recommended next step, adjust it, or dismiss the alert) and incidents (one
//! error, many customers) that an agent resolves once, telling every affected
//! customer. Data and words come from `crate::escalation`.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::Console;
use super::state::now_ms;
use crate::api;
use crate::escalation::{Alert, Incident, order_alerts, resolution_note_problem};
use crate::queue::encode;

/// The page.
#[component]
pub fn Alerts(console: Console) -> impl IntoView {
    let alerts = RwSignal::new(None::<Result<Vec<Alert>, String>>);
    let incidents = RwSignal::new(None::<Result<Vec<Incident>, String>>);
    let base = console.site_path().unwrap_or_default();
    let load = {
        let base = base.clone();
        move || {
            let base = base.clone();
            spawn_local(async move {
                let answer = api::get::<Vec<Alert>>(&format!("{base}/alerts"))
                    .await
                    .map(|mut list| {
                        order_alerts(&mut list);
                        list
                    })
                    .map_err(|e| e.message);
                alerts.set(Some(answer));
                let answer = api::get::<Vec<Incident>>(&format!("{base}/incidents"))
                    .await
                    .map_err(|e| e.message);
                incidents.set(Some(answer));
            });
        }
    };
    load();
    let reload = StoredValue::new(load);
    view! {
        <section class="page alerts-page" id="alerts-page">
            <header class="page-head">
                <h1>"Alerts"</h1>
                <button class="ghost" id="alerts-refresh" on:click=move |_| reload.with_value(|f| f())>"Refresh"</button>
            </header>
            <h2>"Early warnings"</h2>
            <p class="muted small">"Raised before a ticket escalates, with a recommended next step. Your decision is recorded for the rules review."</p>
            {move || match alerts.get() {
                None => view! { <p class="muted">"Loading alerts…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted" id="no-alerts">"No early warnings. Rules with `early_warning` raise them."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="alert-list" id="alert-list">
                        {list.into_iter().map(|alert| view! {
                            <AlertRow console alert reload=Callback::new(move |()| reload.with_value(|f| f())) />
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <h2>"Incidents"</h2>
            <p class="muted small">"Many customers hit by one error. Resolving an incident tells every linked customer, in the widget and by email."</p>
            {move || match incidents.get() {
                None => view! { <p class="muted">"Loading incidents…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted" id="no-incidents">"No incidents."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="incident-list" id="incident-list">
                        {list.into_iter().map(|incident| view! {
                            <IncidentRow console incident reload=Callback::new(move |()| reload.with_value(|f| f())) />
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn AlertRow(console: Console, alert: Alert, reload: Callback<()>) -> impl IntoView {
    let acts = console.user().is_some_and(|u| u.role.acts_on_tickets());
    let adjusting = RwSignal::new(false);
    let step = RwSignal::new(alert.next_step.clone());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = alert.id.clone();
    let decide = Callback::new(move |decision: &'static str| {
        let mut body = serde_json::json!({ "decision": decision });
        if decision == "adjust" {
            body["next_step"] = serde_json::json!(step.get_untracked());
        }
        let text = note.get_untracked();
        if !text.trim().is_empty() {
            body["note"] = serde_json::json!(text);
        }
        let path = format!(
            "{}/alerts/{}/decision",
            console.site_path().unwrap_or_default(),
            encode(&id)
        );
        spawn_local(async move {
            match api::send::<serde_json::Value>("POST", &path, Some(&body)).await {
                Ok(_) => {
                    error.set(None);
                    reload.run(());
                }
                Err(err) => {
                    error.set(Some(err.message.clone()));
                    console.failed(&err);
                }
            }
        });
    });
    let open = alert.is_open();
    let ticket = alert.ticket_id.clone();
    let decided = alert.decision(|who| console.name_of(who));
    view! {
        <li class="alert-row" class:open=open data-alert=alert.id.clone()>
            <div class="alert-head">
                <span class="badge">{alert.source()}</span>
                <span class="muted small">{alert.age(now_ms())}</span>
                <button class="ghost small" on:click=move |_| console.open_ticket(ticket.clone())>"Open ticket"</button>
            </div>
            <p class="alert-reason">{alert.reason.clone()}</p>
            <p class="alert-step"><strong>"Next step: "</strong>{alert.next_step.clone()}</p>
            {decided.map(|d| view! { <p class="muted small alert-decided">{d}{alert.decision_note.clone().map(|n| format!(" — {n}"))}</p> })}
            <Show when=move || open && acts>
                <div class="alert-actions">
                    <Show when=move || adjusting.get()>
                        <label>"Instead"
                            <input class="alert-step-input" prop:value=move || step.get()
                                on:input=move |ev| step.set(event_target_value(&ev)) /></label>
                    </Show>
                    <label>"Note (optional)"
                        <input class="alert-note" prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev)) /></label>
                    <div class="dialog-actions">
                        <button class="primary alert-confirm" on:click=move |_| decide.run("confirm")>"Confirm"</button>
                        <button class="alert-adjust" on:click=move |_| {
                            if adjusting.get_untracked() { decide.run("adjust") } else { adjusting.set(true) }
                        }>{move || if adjusting.get() { "Save adjusted step" } else { "Adjust" }}</button>
                        <button class="ghost alert-dismiss" on:click=move |_| decide.run("dismiss")>"Dismiss"</button>
                    </div>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                </div>
            </Show>
        </li>
    }
}

#[component]
fn IncidentRow(console: Console, incident: Incident, reload: Callback<()>) -> impl IntoView {
    let acts = console.user().is_some_and(|u| u.role.acts_on_tickets());
    let detail = RwSignal::new(None::<Incident>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let base = console.site_path().unwrap_or_default();
    let path = format!("{base}/incidents/{}", encode(&incident.id));
    {
        let path = path.clone();
        spawn_local(async move {
            if let Ok(found) = api::get::<Incident>(&path).await {
                detail.set(Some(found));
            }
        });
    }
    let resolve = Callback::new(move |()| {
        let text = note.get_untracked();
        if let Some(problem) = resolution_note_problem(&text) {
            error.set(Some(problem.to_owned()));
            return;
        }
        let path = format!("{path}/resolve");
        let body = serde_json::json!({ "note": text.trim() });
        spawn_local(async move {
            match api::send::<serde_json::Value>("POST", &path, Some(&body)).await {
                Ok(_) => {
                    error.set(None);
                    reload.run(());
                }
                Err(err) => {
                    error.set(Some(err.message.clone()));
                    console.failed(&err);
                }
            }
        });
    });
    let open = incident.is_open();
    let state = if open { "open" } else { "resolved" };
    view! {
        <li class="incident-row" class:open=open data-incident=incident.id.clone()>
            <div class="alert-head">
                <span class=format!("badge incident-{state}")>{state}</span>
                <strong>{incident.title.clone()}</strong>
                <code class="small">{incident.fingerprint.clone()}</code>
            </div>
            {move || detail.get().and_then(|d| d.affected).map(|affected| {
                let count = affected.len();
                view! {
                    <p class="muted small">{format!("{count} affected customer{}", if count == 1 { "" } else { "s" })}</p>
                    <ul class="affected">
                        {affected.into_iter().map(|a| {
                            let who = a.customer.clone().unwrap_or_else(|| format!("session {}", a.session_id));
                            view! { <li>{who}</li> }
                        }).collect_view()}
                    </ul>
                }
            })}
            {incident.resolution_note.clone().map(|n| view! { <p class="alert-step"><strong>"Told customers: "</strong>{n}</p> })}
            <Show when=move || open && acts>
                <div class="alert-actions">
                    <label>"What was fixed (sent to every affected customer)"
                        <textarea class="incident-note" prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))></textarea></label>
                    <div class="dialog-actions">
                        <button class="primary incident-resolve" on:click=move |_| resolve.run(())>"Resolve and notify"</button>
                    </div>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                </div>
            </Show>
        </li>
    }
}
