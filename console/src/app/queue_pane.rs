//! The queue: filter chips with counts, tier and team pickers, rows in SLA-risk
//! order with a ticking countdown, the next page on demand.

use leptos::prelude::*;

use super::Console;
use crate::model::QueueEntry;
use crate::queue::View;
use crate::sla::Clock;

thread_local! {
    static PAINTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The performance mark set once the first queue rows are in the DOM: the
/// console's first meaningful paint, read by `cargo xtask bench console`.
pub const FIRST_ROWS_MARK: &str = "waymark:queue-rows";

fn set_view(console: Console, view: View) {
    console.filter.update(|f| f.view = view);
    console.refresh_queue();
}

/// The left pane.
#[component]
pub fn QueuePane(console: Console) -> impl IntoView {
    let chips = View::ALL
        .into_iter()
        .map(|view| {
            view! {
                <button class="chip" data-view=view.param()
                    class:active=move || console.filter.with(|f| f.view == view)
                    aria-pressed=move || console.filter.with(|f| f.view == view).to_string()
                    on:click=move |_| set_view(console, view)>
                    <span>{view.label()}</span>
                    <span class="count">{move || console.counts.with(|c| view.count(c))}</span>
                </button>
            }
        })
        .collect_view();
    Effect::new(move |_| {
        let has_rows = console.queue.with(|q| !q.entries.is_empty());
        if has_rows
            && !PAINTED.with(|p| p.replace(true))
            && let Some(performance) = web_sys::window().and_then(|w| w.performance())
        {
            let _ = performance.mark(FIRST_ROWS_MARK);
        }
    });
    let tiers = move || {
        console
            .counts
            .with(|c| c.tiers.keys().cloned().collect::<Vec<_>>())
    };
    let teams = move || {
        console
            .counts
            .with(|c| c.teams.keys().cloned().collect::<Vec<_>>())
    };
    view! {
        <section class="queue-pane" aria-label="Queue">
            <div class="queue-head">
                <h2>"Queue"</h2>
                <span class="muted">{move || format!("{} open", console.counts.with(|c| c.all))}</span>
            </div>
            <div class="chips">{chips}</div>
            <div class="pickers">
                <select aria-label="Tier" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    console.filter.update(|f| f.tier = Some(value).filter(|v| !v.is_empty()));
                    console.refresh_queue();
                }>
                    <option value="">"All tiers"</option>
                    {move || tiers().into_iter().map(|tier| view! {
                        <option value=tier.clone()
                            selected=console.filter.with_untracked(|f| f.tier.as_ref() == Some(&tier))>{tier.clone()}</option>
                    }).collect_view()}
                </select>
                <select aria-label="Team" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    console.filter.update(|f| f.team = Some(value).filter(|v| !v.is_empty()));
                    console.refresh_queue();
                }>
                    <option value="">"All teams"</option>
                    {move || teams().into_iter().map(|team| view! {
                        <option value=team.clone()
                            selected=console.filter.with_untracked(|f| f.team.as_ref() == Some(&team))>{team.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <ol class="queue" id="queue">
                <For
                    each=move || console.queue.with(|q| q.entries.clone())
                    key=|entry| (entry.ticket.id.clone(), entry.ticket.updated_at_ms)
                    children=move |entry| view! { <QueueRow console entry /> }
                />
            </ol>
            <Show when=move || console.queue.with(|q| q.entries.is_empty())>
                <p class="empty">"Nothing here. New tickets appear as they arrive."</p>
            </Show>
            <Show when=move || console.queue.with(|q| q.next_cursor.is_some())>
                <button class="ghost more" on:click=move |_| console.load_more()>"Load more"</button>
            </Show>
        </section>
    }
}

#[component]
fn QueueRow(console: Console, entry: QueueEntry) -> impl IntoView {
    let ticket = entry.ticket;
    let id = ticket.id.clone();
    let selected = {
        let id = id.clone();
        move || {
            console
                .queue
                .with(|q| q.selected.as_deref() == Some(id.as_str()))
        }
    };
    let opened = {
        let id = id.clone();
        move || console.open.with(|o| o.as_deref() == Some(id.as_str()))
    };
    let clock = Clock {
        due_ms: ticket.next_due_ms(),
        stopped_ms: None,
    };
    let countdown = move || clock.read(console.now.get());
    let owner = ticket
        .owner
        .clone()
        .map(|o| console.name_of(&o).unwrap_or(o))
        .unwrap_or_else(|| "Unassigned".to_owned());
    let place = match &ticket.team {
        Some(team) => format!("{} · {team}", ticket.tier),
        None => ticket.tier.clone(),
    };
    let open_id = id.clone();
    let subject = if ticket.subject.trim().is_empty() {
        "(no subject)".to_owned()
    } else {
        ticket.subject.clone()
    };
    view! {
        <li class="queue-row" data-ticket=id.clone()
            class:selected=selected class:opened=opened>
            <button class="row-button" on:click=move |_| console.open_ticket(open_id.clone())>
                <span class=format!("priority {}", ticket.priority) title=format!("{} priority", ticket.priority)></span>
                <span class="row-main">
                    <span class="row-subject">{subject}</span>
                    <span class="row-meta">
                        <span>{place}</span>
                        <span>{owner}</span>
                        <span class="state">{ticket.state.to_string()}</span>
                    </span>
                </span>
                <span class=move || countdown().0.class()>{move || countdown().1}</span>
            </button>
        </li>
    }
}
