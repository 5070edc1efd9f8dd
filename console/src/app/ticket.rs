//! The ticket view: header with SLA clocks and actions, the handoff note first,
//! the conversation with internal notes and the composer, and beside them the
//! page trail as a timeline and the audit trail in words.

use leptos::html;
use leptos::prelude::*;
use waymark_core::wire::{MessageAuthor, WireMessage};

use super::Console;
use super::state::{Composer, Dialog};
use crate::explain::{Explained, explain};
use crate::model::{TicketDetail, account_marks};
use crate::sla::Clock;
use crate::timeline::{self, Row};

/// Local time of day (`14:05`) of `ms`.
pub fn time_of(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// The right-hand side: the open ticket, or a hint.
#[component]
pub fn TicketPane(console: Console) -> impl IntoView {
    move || match console.detail.get() {
        Some(detail) => view! { <TicketView console detail /> }.into_any(),
        None if console.open.get().is_some() => {
            view! { <section class="ticket-pane empty">"Loading the ticket…"</section> }.into_any()
        }
        None => view! {
            <section class="ticket-pane empty">
                <p>"Select a ticket to see the customer's note, page trail and conversation."</p>
                <p class="muted">"j / k to move, Enter to open, ? for every shortcut."</p>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn TicketView(console: Console, detail: TicketDetail) -> impl IntoView {
    let ticket = detail.ticket.clone();
    let acts = console.user().is_some_and(|u| u.role.acts_on_tickets());
    let open = ticket.state.is_open();
    let ack = Clock {
        due_ms: ticket.ack_due_ms,
        stopped_ms: ticket.acknowledged_at_ms,
    };
    let resolution = Clock {
        due_ms: ticket.resolution_due_ms,
        stopped_ms: ticket.resolved_at_ms,
    };
    let place = match &ticket.team {
        Some(team) => format!("{} · {team}", ticket.tier),
        None => ticket.tier.clone(),
    };
    let owner = ticket
        .owner
        .clone()
        .map(|o| console.name_of(&o).unwrap_or(o))
        .unwrap_or_else(|| "Unassigned".to_owned());
    let collaborators = ticket
        .collaborators
        .iter()
        .map(|id| {
            let remove_id = id.clone();
            let label = console.name_of(id).unwrap_or_else(|| id.clone());
            view! {
                <span class="person-chip">{label}
                    <Show when=move || acts>
                        <button class="chip-remove" aria-label="Remove collaborator" on:click={
                            let remove_id = remove_id.clone();
                            move |_| console.act("DELETE", format!("/collaborators/{}", crate::queue::encode(&remove_id)), None, || {})
                        }>"×"</button>
                    </Show>
                </span>
            }
        })
        .collect_view();
    let subject = ticket.subject.clone();
    let state_text = ticket.state.to_string();
    let priority = ticket.priority;
    let escalation = ticket.escalation_type.map(|t| format!("{t} escalation"));
    view! {
        <section class="ticket-pane" id="ticket" data-ticket=ticket.id.clone()>
            <header class="ticket-head">
                <div class="ticket-title">
                    <h1 id="ticket-subject">{subject}</h1>
                    <div class="badges">
                        <span class="badge state">{state_text}</span>
                        <span class=format!("badge priority-{priority}")>{format!("{priority} priority")}</span>
                        <span class="badge" id="ticket-tier">{place}</span>
                        {escalation.map(|e| view! { <span class="badge">{e}</span> })}
                    </div>
                    <div class="people">
                        <span class="muted">"Owner "</span><span class="person-chip owner">{owner}</span>
                        {collaborators}
                    </div>
                </div>
                <div class="clocks">
                    <div class="clock-box"><span class="clock-label">"Acknowledge"</span>
                        <span id="ack-clock" class=move || ack.read(console.now.get()).0.class()>{move || ack.read(console.now.get()).1}</span></div>
                    <div class="clock-box"><span class="clock-label">"Resolve"</span>
                        <span id="resolution-clock" class=move || resolution.read(console.now.get()).0.class()>{move || resolution.read(console.now.get()).1}</span></div>
                </div>
            </header>
            <Show when=move || acts>
                <Actions console open />
            </Show>
            {(!detail.needs.is_empty() && open).then(|| view! {
                <div class="needs" id="ticket-needs" role="note">
                    <strong>"Still needed"</strong>
                    <ul>{detail.needs.iter().map(|n| view! { <li>{n.line()}</li> }).collect_view()}</ul>
                </div>
            })}
            <div class="ticket-body">
                <div class="ticket-main">
                    <HandoffCard console detail=detail.clone() acts />
                    <Conversation console detail=detail.clone() />
                    <Show when=move || acts && open>
                        <ComposerBox console />
                    </Show>
                </div>
                <aside class="ticket-side">
                    <AnswersCard console acts=acts && open />
                    <PageTrail console detail=detail.clone() />
                    <Explanations console detail=detail.clone() />
                </aside>
            </div>
        </section>
    }
}

#[component]
fn Actions(console: Console, open: bool) -> impl IntoView {
    let dialog = move |d: Dialog| move |_| console.dialog.set(Some(d));
    let me = console.user().map(|u| u.id).unwrap_or_default();
    view! {
        <div class="actions" role="toolbar" aria-label="Ticket actions">
            <Show when=move || open fallback=move || view! {
                <button id="action-reopen" on:click=dialog(Dialog::Reopen)>"Reopen"</button>
            }>
                <button id="action-acknowledge" title="a" on:click=move |_| console.act("POST", "/acknowledge".into(), Some(serde_json::json!({})), || {})>"Acknowledge"</button>
                <button id="action-escalate" title="e" on:click=dialog(Dialog::Escalate)>"Escalate"</button>
                <button id="action-transfer" on:click=dialog(Dialog::Transfer)>"Transfer"</button>
                <button id="action-assign-me" on:click={
                    let me = me.clone();
                    move |_| console.act("POST", "/assign".into(), Some(serde_json::json!({"assignee": me.clone()})), || {})
                }>"Assign to me"</button>
                <button id="action-assign" on:click=dialog(Dialog::Assign)>"Assign…"</button>
                <button id="action-collaborator" on:click=dialog(Dialog::Collaborator)>"Add collaborator"</button>
                <button id="action-resolve" class="primary" title="s" on:click=dialog(Dialog::Resolve)>"Resolve"</button>
            </Show>
        </div>
    }
}

#[component]
fn HandoffCard(console: Console, detail: TicketDetail, acts: bool) -> impl IntoView {
    let Some(current) = detail.current_note().cloned() else {
        return view! {
            <section class="card handoff" id="handoff-note">
                <h2>"Handoff note"</h2>
                <p class="muted">"No note yet: the ticket has not been handed off."</p>
            </section>
        }
        .into_any();
    };
    let note = current.note.clone();
    let version = format!(
        "Version {} · {} by {} at {}",
        current.version,
        current.source,
        console
            .name_of(&current.author)
            .unwrap_or(current.author.clone()),
        time_of(current.at_ms)
    );
    let list = |items: Vec<String>, empty: &'static str| {
        if items.is_empty() {
            view! { <p class="muted">{empty}</p> }.into_any()
        } else {
            view! { <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }
                .into_any()
        }
    };
    let marks = account_marks(&note, &detail.customer);
    let confirm_note = note.clone();
    view! {
        <section class="card handoff" id="handoff-note">
            <div class="card-head">
                <h2>"Handoff note"</h2>
                <span class="muted small">{version}</span>
                <Show when=move || acts>
                    <div class="card-actions">
                        <button class="ghost" id="note-confirm" on:click={
                            let note = confirm_note.clone();
                            move |_| console.act("PUT", "/handoff-note".into(),
                                Some(serde_json::json!({"note": note.clone()})),
                                move || console.say(true, "Handoff note confirmed."))
                        }>"Confirm"</button>
                        <button class="ghost" id="note-edit" on:click=move |_| console.dialog.set(Some(Dialog::EditNote))>"Edit"</button>
                    </div>
                </Show>
            </div>
            <dl class="note-grid">
                <dt>"Goal"</dt><dd id="note-goal">{note.goal.clone()}</dd>
                <dt>"Reason"</dt><dd id="note-reason">{note.reason.clone()}</dd>
                <dt>"Sentiment"</dt><dd id="note-sentiment">{note.sentiment.clone()}</dd>
                <dt>"Tried"</dt><dd>{list(note.tried.clone(), "Nothing yet.")}</dd>
                <dt>"Commitments"</dt><dd>{list(note.commitments.clone(), "None made.")}</dd>
                <dt>"Account"</dt>
                <dd>
                    {if marks.is_empty() {
                        view! { <p class="muted">"The page shared no account data."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="account">
                                {marks.into_iter().map(|(key, value, verified)| view! {
                                    <li>
                                        <span class="account-key">{key}</span>
                                        <span class="account-value">{value}</span>
                                        <span class=if verified { "mark verified" } else { "mark unverified" }>
                                            {if verified { "verified" } else { "unverified" }}
                                        </span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </dd>
            </dl>
        </section>
    }
    .into_any()
}

/// A line of the conversation: a message, or an internal note.
enum Line {
    Message(WireMessage),
    Note {
        at_ms: i64,
        who: String,
        text: String,
    },
}

#[component]
fn Conversation(console: Console, detail: TicketDetail) -> impl IntoView {
    let names = move |id: &str| console.name_of(id);
    let mut lines: Vec<(i64, Line)> = detail
        .messages
        .into_iter()
        .map(|m| (m.at_ms, Line::Message(m)))
        .collect();
    for entry in detail.trail.iter().filter(|e| e.action == "internal_note") {
        let Explained { who, .. } = explain(entry, &names);
        let text = entry
            .detail
            .get("text")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_owned();
        lines.push((
            entry.at_ms,
            Line::Note {
                at_ms: entry.at_ms,
                who,
                text,
            },
        ));
    }
    lines.sort_by_key(|(at, _)| *at);
    let customer = detail
        .customer
        .name
        .clone()
        .unwrap_or_else(|| "Customer".to_owned());
    let rendered = lines
        .into_iter()
        .map(|(_, line)| match line {
            Line::Message(m) => {
                let (class, who) = match m.author {
                    MessageAuthor::Customer => ("message customer", customer.clone()),
                    MessageAuthor::Agent => (
                        "message agent",
                        m.author_name.clone().unwrap_or_else(|| "Agent".to_owned()),
                    ),
                    MessageAuthor::Assistant => ("message assistant", "Assistant".to_owned()),
                    _ => ("message system", "Waymark".to_owned()),
                };
                view! {
                    <li class=class>
                        <div class="message-head"><span class="who">{who}</span><span class="when">{time_of(m.at_ms)}</span></div>
                        <p class="message-text">{m.text}</p>
                    </li>
                }
                .into_any()
            }
            Line::Note { at_ms, who, text } => view! {
                <li class="message internal">
                    <div class="message-head"><span class="who">{who}" · internal note"</span><span class="when">{time_of(at_ms)}</span></div>
                    <p class="message-text">{text}</p>
                </li>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <section class="card conversation">
            <h2>"Conversation"</h2>
            <ol class="messages" id="messages">{rendered}</ol>
        </section>
    }
}

#[component]
fn ComposerBox(console: Console) -> impl IntoView {
    let text = console.draft;
    let area: NodeRef<html::Textarea> = NodeRef::new();
    Effect::new(move |_| {
        if console.focus_composer.get() > 0
            && let Some(area) = area.get()
        {
            let _ = area.focus();
        }
    });
    let send = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        // The message appearing in the conversation is the confirmation.
        let tail = match console.composer.get_untracked() {
            Composer::Reply => "/reply",
            Composer::Note => "/notes",
        };
        console.act(
            "POST",
            tail.into(),
            Some(serde_json::json!({"text": body})),
            move || {
                text.set(String::new());
            },
        );
    };
    let is = move |c: Composer| move || console.composer.get() == c;
    view! {
        <section class="composer" class:internal=is(Composer::Note)>
            <div class="composer-tabs" role="tablist">
                <button role="tab" id="composer-reply" class:active=is(Composer::Reply)
                    on:click=move |_| console.composer.set(Composer::Reply)>"Reply (r)"</button>
                <button role="tab" id="composer-note" class:active=is(Composer::Note)
                    on:click=move |_| console.composer.set(Composer::Note)>"Internal note (n)"</button>
            </div>
            <textarea id="composer-text" node_ref=area rows="3"
                placeholder=move || if is(Composer::Note)() { "Only agents see this note" } else { "Write to the customer — they see it at once in the widget" }
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        send();
                    }
                }></textarea>
            <div class="composer-foot">
                <span class="muted small">"Ctrl+Enter to send"</span>
                <button class="primary" id="composer-send" on:click=move |_| send()>
                    {move || if is(Composer::Note)() { "Add note" } else { "Send reply" }}
                </button>
            </div>
        </section>
    }
}

/// The knowledge base's answers for this ticket, each with why it matched; an
/// agent can put one into the reply.
#[component]
fn AnswersCard(console: Console, acts: bool) -> impl IntoView {
    let insert = move |snippet: String| {
        console.draft.update(|draft| {
            if !draft.trim().is_empty() {
                draft.push_str("\n\n");
            }
            draft.push_str(&snippet);
        });
        console.composer.set(Composer::Reply);
        console.focus_composer.update(|n| *n += 1);
    };
    view! {
        <section class="card answers" id="ticket-answers">
            <h2>"Likely answers"</h2>
            {move || match console.answers.get() {
                None => view! { <p class="muted small">"Looking for similar tickets and articles…"</p> }.into_any(),
                Some(found) if found.merged().is_empty() => view! {
                    <p class="muted small">"No resolved ticket or article matches this one yet."</p>
                }.into_any(),
                Some(found) => view! {
                    <ol class="answer-list">
                        {found.merged().into_iter().map(|answer| {
                            let snippet = answer.snippet.clone();
                            let percent = answer.percent();
                            view! {
                                <li class="answer" data-answer=answer.id.clone()>
                                    <div class="answer-head">
                                        <span class="answer-title">{answer.title.clone()}</span>
                                        <span class="badge">{answer.kind.clone()}</span>
                                        {answer.likely_fix.then(|| view! { <span class="badge likely">"likely fix"</span> })}
                                    </div>
                                    <p class="answer-snippet">{answer.snippet.clone()}</p>
                                    <div class="answer-foot">
                                        <span class="muted small">{answer.why.clone()}" · "{percent}</span>
                                        <Show when=move || acts && !snippet.is_empty()>
                                            <button class="answer-insert" on:click={
                                                let snippet = answer.snippet.clone();
                                                move |_| insert(snippet.clone())
                                            }>"Insert in reply"</button>
                                        </Show>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PageTrail(console: Console, detail: TicketDetail) -> impl IntoView {
    let note_trail = detail
        .current_note()
        .map(|n| n.note.page_trail.clone())
        .filter(|t| !t.is_empty())
        .unwrap_or(detail.page_trail.clone());
    let rows = Memo::new(move |_| {
        let from_events = console.events.with(|e| timeline::from_events(e));
        if from_events.is_empty() {
            timeline::from_note(&note_trail)
        } else {
            from_events
        }
    });
    view! {
        <section class="card trail" id="page-trail">
            <div class="card-head">
                <h2>"Page trail"</h2>
                <span class="muted small">{move || {
                    let rows = rows.get();
                    timeline::summary(&rows)
                }}</span>
            </div>
            <ol class="timeline">
                {move || rows.get().into_iter().map(|row: Row| view! {
                    <li class=row.mark.class()>
                        <span class="when">{time_of(row.at_ms)}</span>
                        <span class="trail-label">{row.label}</span>
                        <span class="trail-headline">{row.headline}</span>
                        <span class="trail-route">{row.route}</span>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Explanations(console: Console, detail: TicketDetail) -> impl IntoView {
    let names = move |id: &str| console.name_of(id);
    let items = detail
        .trail
        .iter()
        .filter(|e| e.action != "internal_note")
        .map(|e| explain(e, &names))
        .collect::<Vec<_>>();
    view! {
        <section class="card history" id="audit-trail">
            <h2>"Why it is here"</h2>
            <ol class="history-list">
                {items.into_iter().map(|item| view! {
                    <li class:rule=item.by_rule>
                        <div class="history-line"><span class="who">{item.who}</span>" "{item.what}</div>
                        {item.why.map(|why| view! { <div class="why">{why}</div> })}
                        <span class="when">{time_of(item.at_ms)}</span>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
