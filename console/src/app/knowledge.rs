//! The knowledge section: drafts (list with flags and evidence counts, the editor
//! with a live preview, publish / reject with a reason / unpublish, evidence and
//! history), knowledge gaps with "draft from this gap", and article performance.
//! Knowledge managers and admins act; agents read, without the write actions.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use super::Console;
use super::knowledge_tables::{ArticlesTable, GapsTable, Preview};
use super::ticket::time_of;
use crate::api;
use crate::knowledge::{
    DraftDetail, DraftFilter, DraftSummary, EditorFields, EvidenceTicket, Published, lines,
    manages_knowledge, state_label,
};
use crate::queue::encode;

/// Which part of the section is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Drafts and the editor.
    Drafts,
    /// Knowledge gaps.
    Gaps,
    /// Article performance.
    Articles,
}

/// The section's signals. `Copy`: components take it by value.
#[derive(Clone, Copy)]
pub struct Knowledge {
    /// The console.
    pub console: Console,
    /// Which tab.
    pub tab: RwSignal<Tab>,
    /// The drafts.
    pub drafts: RwSignal<Vec<DraftSummary>>,
    /// Which drafts the list shows.
    pub filter: RwSignal<DraftFilter>,
    /// The draft in the editor.
    pub open: RwSignal<Option<DraftDetail>>,
    /// The editor's fields.
    pub fields: RwSignal<EditorFields>,
    /// The fields as stored.
    pub saved: RwSignal<EditorFields>,
    /// The evidence of the open draft, once asked for.
    pub evidence: RwSignal<Option<Vec<EvidenceTicket>>>,
    /// The rejection form is open.
    pub rejecting: RwSignal<bool>,
    /// The rejection's reason.
    pub reason: RwSignal<String>,
    /// A call is under way.
    pub busy: RwSignal<bool>,
}

impl Knowledge {
    fn new(console: Console) -> Self {
        Self {
            console,
            tab: RwSignal::new(Tab::Drafts),
            drafts: RwSignal::new(Vec::new()),
            filter: RwSignal::new(DraftFilter::Open),
            open: RwSignal::new(None),
            fields: RwSignal::new(EditorFields::default()),
            saved: RwSignal::new(EditorFields::default()),
            evidence: RwSignal::new(None),
            rejecting: RwSignal::new(false),
            reason: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
        }
    }

    /// Whether the signed-in user may change knowledge.
    pub fn manages(&self) -> bool {
        self.console
            .user()
            .is_some_and(|user| manages_knowledge(user.role))
    }

    /// `/api/v1/sites/{site}/knowledge`.
    pub fn base(&self) -> Option<String> {
        self.console
            .site_path()
            .map(|site| format!("{site}/knowledge"))
    }

    /// Reloads the drafts list.
    pub fn load_drafts(self) {
        let Some(base) = self.base() else {
            return;
        };
        spawn_local(async move {
            match api::get::<Vec<DraftSummary>>(&format!("{base}/drafts")).await {
                Ok(drafts) => self.drafts.set(drafts),
                Err(err) => self.console.failed(&err),
            }
        });
    }

    /// Opens draft `id` in the editor.
    pub fn open_draft(self, id: String) {
        let Some(base) = self.base() else {
            return;
        };
        self.tab.set(Tab::Drafts);
        spawn_local(async move {
            match api::get::<DraftDetail>(&format!("{base}/drafts/{}", encode(&id))).await {
                Ok(draft) => self.show(draft),
                Err(err) => self.console.failed(&err),
            }
        });
    }

    fn show(self, draft: DraftDetail) {
        let fields = EditorFields::of(&draft);
        self.fields.set(fields.clone());
        self.saved.set(fields);
        self.evidence.set(None);
        self.rejecting.set(false);
        self.reason.set(String::new());
        self.open.set(Some(draft));
    }

    fn open_id_and_version(&self) -> Option<(String, i64)> {
        self.open.with_untracked(|d| {
            d.as_ref()
                .map(|d| (d.summary.id.clone(), d.summary.version))
        })
    }

    /// Saves the editor's changes; then runs `then` with the stored draft.
    fn save_then(self, then: impl FnOnce(Knowledge, DraftDetail) + 'static) {
        let (Some(base), Some((id, version))) = (self.base(), self.open_id_and_version()) else {
            return;
        };
        let change = self
            .fields
            .with_untracked(|f| self.saved.with_untracked(|s| f.changes(s, version)));
        let Some(current) = self.open.get_untracked() else {
            return;
        };
        self.busy.set(true);
        spawn_local(async move {
            let stored = match change {
                None => Ok(current),
                Some(body) => {
                    api::send::<DraftDetail>(
                        "PUT",
                        &format!("{base}/drafts/{}", encode(&id)),
                        Some(&body),
                    )
                    .await
                }
            };
            self.busy.set(false);
            match stored {
                Ok(draft) => {
                    self.show(draft.clone());
                    self.load_drafts();
                    then(self, draft);
                }
                Err(err) => self.console.failed(&err),
            }
        });
    }

    fn save(self) {
        self.save_then(|k, _| k.console.say(true, "Draft saved."));
    }

    fn publish(self) {
        if let Some(blocker) = self.fields.with_untracked(EditorFields::publish_blocker) {
            self.console.say(false, blocker);
            return;
        }
        self.save_then(|k, draft| {
            let Some(base) = k.base() else {
                return;
            };
            k.busy.set(true);
            spawn_local(async move {
                let path = format!("{base}/drafts/{}/publish", encode(&draft.summary.id));
                let body = json!({"expected_version": draft.summary.version});
                let answer = api::send::<Published>("POST", &path, Some(&body)).await;
                k.busy.set(false);
                match answer {
                    Ok(published) => {
                        k.console.say(
                            true,
                            format!(
                                "Published as {}: the widget suggests it from now on.",
                                published.article.id
                            ),
                        );
                        k.show(published.draft);
                        k.load_drafts();
                    }
                    Err(err) => k.console.failed(&err),
                }
            });
        });
    }

    fn reject(self) {
        let (Some(base), Some((id, version))) = (self.base(), self.open_id_and_version()) else {
            return;
        };
        let reason = self.reason.get_untracked();
        if reason.trim().is_empty() {
            self.console.say(false, "Say why the draft is rejected.");
            return;
        }
        spawn_local(async move {
            let path = format!("{base}/drafts/{}/reject", encode(&id));
            let body = json!({"expected_version": version, "reason": reason});
            match api::send::<DraftDetail>("POST", &path, Some(&body)).await {
                Ok(draft) => {
                    self.console.say(true, "Draft rejected.");
                    self.show(draft);
                    self.load_drafts();
                }
                Err(err) => self.console.failed(&err),
            }
        });
    }

    /// Takes article `id` down, then reloads what shows it.
    pub fn unpublish(self, article_id: String, after: impl FnOnce() + 'static) {
        let Some(base) = self.base() else {
            return;
        };
        spawn_local(async move {
            let path = format!("{base}/articles/{}/unpublish", encode(&article_id));
            let body = json!({"reason": "Unpublished in the console"});
            match api::send::<serde_json::Value>("POST", &path, Some(&body)).await {
                Ok(_) => {
                    self.console.say(
                        true,
                        format!("{article_id} is unpublished: the widget no longer suggests it."),
                    );
                    if let Some(id) = self
                        .open
                        .with_untracked(|d| d.as_ref().map(|d| d.summary.id.clone()))
                    {
                        self.open_draft(id);
                    }
                    after();
                }
                Err(err) => self.console.failed(&err),
            }
        });
    }

    fn build(self) {
        let Some(base) = self.base() else {
            return;
        };
        self.busy.set(true);
        spawn_local(async move {
            let answer =
                api::send::<serde_json::Value>("POST", &format!("{base}/drafts/build"), None).await;
            self.busy.set(false);
            match answer {
                Ok(report) => {
                    self.console.say(
                        true,
                        format!(
                            "{} resolved tickets read: {} new draft(s), {} updated.",
                            report["tickets"], report["created"], report["updated"]
                        ),
                    );
                    self.load_drafts();
                }
                Err(err) => self.console.failed(&err),
            }
        });
    }

    fn load_evidence(self) {
        let (Some(base), Some((id, _))) = (self.base(), self.open_id_and_version()) else {
            return;
        };
        spawn_local(async move {
            let path = format!("{base}/drafts/{}/evidence", encode(&id));
            match api::get::<Vec<EvidenceTicket>>(&path).await {
                Ok(tickets) => self.evidence.set(Some(tickets)),
                Err(err) => self.console.failed(&err),
            }
        });
    }
}

/// The knowledge section.
#[component]
pub fn KnowledgeSection(console: Console) -> impl IntoView {
    let kb = Knowledge::new(console);
    kb.load_drafts();
    let tab_button = move |tab: Tab, id: &'static str, label: &'static str| {
        view! {
            <button class="chip" id=id class:active=move || kb.tab.get() == tab
                aria-pressed=move || (kb.tab.get() == tab).to_string()
                on:click=move |_| kb.tab.set(tab)>{label}</button>
        }
    };
    view! {
        <section class="knowledge" id="knowledge">
            <div class="knowledge-head">
                <h2>"Knowledge"</h2>
                <div class="chips">
                    {tab_button(Tab::Drafts, "tab-drafts", "Drafts")}
                    {tab_button(Tab::Gaps, "tab-gaps", "Gaps")}
                    {tab_button(Tab::Articles, "tab-articles", "Article performance")}
                </div>
            </div>
            {move || match kb.tab.get() {
                Tab::Drafts => view! {
                    <div class="knowledge-drafts">
                        <DraftList kb />
                        <DraftEditor kb />
                    </div>
                }.into_any(),
                Tab::Gaps => view! { <GapsTable kb /> }.into_any(),
                Tab::Articles => view! { <ArticlesTable kb /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DraftList(kb: Knowledge) -> impl IntoView {
    let chips = DraftFilter::ALL
        .into_iter()
        .map(|filter| {
            let count = move || {
                kb.drafts
                    .with(|d| d.iter().filter(|d| filter.admits(&d.state)).count())
            };
            view! {
                <button class="chip" class:active=move || kb.filter.get() == filter
                    on:click=move |_| kb.filter.set(filter)>
                    <span>{filter.label()}</span><span class="count">{count}</span>
                </button>
            }
        })
        .collect_view();
    let shown = move || {
        let filter = kb.filter.get();
        kb.drafts.with(|d| {
            d.iter()
                .filter(|d| filter.admits(&d.state))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="queue-pane draft-list" aria-label="Drafts">
            <div class="queue-head">
                <h2>"Drafts"</h2>
                <Show when=move || kb.manages()>
                    <button class="ghost" id="build-drafts" disabled=move || kb.busy.get()
                        on:click=move |_| kb.build()>"Build from resolved tickets"</button>
                </Show>
            </div>
            <div class="chips">{chips}</div>
            <ol class="queue" id="drafts">
                <For each=shown key=|d| (d.id.clone(), d.version)
                    children=move |draft| view! { <DraftRow kb draft /> } />
            </ol>
            <Show when=move || shown().is_empty()>
                <p class="empty">"No drafts here. Drafts are built from resolved tickets every hour."</p>
            </Show>
        </section>
    }
}

#[component]
fn DraftRow(kb: Knowledge, draft: DraftSummary) -> impl IntoView {
    let id = draft.id.clone();
    let opened = {
        let id = id.clone();
        move || {
            kb.open
                .with(|o| o.as_ref().is_some_and(|d| d.summary.id == id))
        }
    };
    let open_id = id.clone();
    let flags = draft
        .flags
        .iter()
        .map(|flag| view! { <span class="badge flag">{flag.label()}</span> })
        .collect_view();
    let origin = match draft.origin.as_str() {
        "ticket" => "from one ticket",
        "gap" => "from a gap",
        _ => "from a cluster",
    };
    view! {
        <li class="queue-row draft-row" data-draft=id.clone() class:opened=opened>
            <button class="row-button draft-open" on:click=move |_| kb.open_draft(open_id.clone())>
                <span class=format!("priority draft-{}", draft.state)></span>
                <span class="row-main">
                    <span class="row-subject">{draft.title.clone()}</span>
                    <span class="row-meta">
                        <span class="evidence-count">{format!("{} ticket(s)", draft.evidence_count)}</span>
                        <span>{origin}</span>
                        <span class="state">{state_label(&draft.state)}</span>
                    </span>
                    <span class="badges">{flags}</span>
                </span>
                <span class="muted small">{time_of(draft.updated_at_ms)}</span>
            </button>
        </li>
    }
}

#[component]
fn DraftEditor(kb: Knowledge) -> impl IntoView {
    move || {
        match kb.open.get() {
        None => view! {
            <section class="ticket-pane empty">
                <p>"Select a draft to review it."</p>
                <p class="muted">"Drafts come from resolved tickets that share a problem; flags say when one repeats or contradicts a published article."</p>
            </section>
        }
        .into_any(),
        Some(draft) => view! { <EditorView kb draft /> }.into_any(),
    }
    }
}

#[component]
fn EditorView(kb: Knowledge, draft: DraftDetail) -> impl IntoView {
    let summary = draft.summary.clone();
    let editable = kb.manages() && matches!(summary.state.as_str(), "new" | "in_review");
    let readonly = !editable;
    let dirty = move || kb.fields.with(|f| kb.saved.with(|s| f != s));
    let article_id = summary.article_id.clone();
    let can_unpublish = kb.manages() && summary.state == "published" && article_id.is_some();
    let history = draft
        .history
        .iter()
        .rev()
        .map(|entry| {
            let who = if entry.actor == "system" {
                "Waymark".to_owned()
            } else {
                kb.console.name_of(&entry.actor).unwrap_or_else(|| entry.actor.clone())
            };
            view! {
                <li>
                    <span class="history-line"><span class="who">{who}</span>" · "{entry.describe()}</span>
                    <span class="when">{time_of(entry.at_ms)}</span>
                </li>
            }
        })
        .collect_view();
    let flags = summary
        .flags
        .iter()
        .map(|flag| view! { <li class="flag-line">{flag.label()}</li> })
        .collect_view();
    let has_flags = !summary.flags.is_empty();
    let reason = summary.reason.clone();
    view! {
        <section class="ticket-pane draft-editor" id="draft-editor">
            <div class="ticket-head">
                <div class="ticket-title">
                    <input id="draft-title" class="title-input" aria-label="Title" readonly=readonly
                        prop:value=move || kb.fields.with(|f| f.title.clone())
                        on:input=move |ev| kb.fields.update(|f| f.title = event_target_value(&ev)) />
                    <div class="badges">
                        <span class="badge state" id="draft-state">{state_label(&summary.state)}</span>
                        <span class="badge">{format!("{} ticket(s)", summary.evidence_count)}</span>
                        {summary.product_area.clone().map(|area| view! { <span class="badge">{area}</span> })}
                        {summary.article_id.clone().map(|id| view! { <span class="badge likely">{format!("Article {id}")}</span> })}
                        <Show when=dirty><span class="badge priority-high">"Unsaved changes"</span></Show>
                    </div>
                </div>
            </div>
            {(editable || can_unpublish).then(|| {
                let article_id = article_id.clone().unwrap_or_default();
                view! {
                    <div class="actions">
                        {editable.then(|| view! {
                            <button id="draft-save" disabled=move || kb.busy.get() || !dirty()
                                on:click=move |_| kb.save()>"Save"</button>
                            <button id="draft-reject" on:click=move |_| kb.rejecting.set(true)>"Reject…"</button>
                            <button class="primary" id="draft-publish" disabled=move || kb.busy.get()
                                on:click=move |_| kb.publish()>"Publish"</button>
                        })}
                        {can_unpublish.then(|| view! {
                            <button id="article-unpublish"
                                on:click=move |_| kb.unpublish(article_id.clone(), || {})>"Unpublish article"</button>
                        })}
                    </div>
                }
            })}
            <Show when=move || kb.rejecting.get()>
                <div class="actions reject-form">
                    <input id="draft-reject-reason" placeholder="Why is this draft rejected?"
                        prop:value=move || kb.reason.get()
                        on:input=move |ev| kb.reason.set(event_target_value(&ev)) />
                    <button id="draft-reject-confirm" on:click=move |_| kb.reject()>"Reject draft"</button>
                    <button class="ghost" on:click=move |_| kb.rejecting.set(false)>"Cancel"</button>
                </div>
            </Show>
            <div class="ticket-body">
                <div class="ticket-main">
                    {reason.map(|r| view! { <div class="card"><h2>"Rejected"</h2><p>{r}</p></div> })}
                    <div class="editor-split">
                        <div class="card">
                            <h2>"Markdown"</h2>
                            <textarea id="draft-body" rows="18" aria-label="Article body (Markdown)" readonly=readonly
                                prop:value=move || kb.fields.with(|f| f.body.clone())
                                on:input=move |ev| kb.fields.update(|f| f.body = event_target_value(&ev))></textarea>
                        </div>
                        <div class="card">
                            <h2>"Preview"</h2>
                            <Preview kb />
                        </div>
                    </div>
                </div>
                <div class="ticket-side">
                    {has_flags.then(|| view! {
                        <div class="card flags-card"><h2>"Flags"</h2><ul class="history-list">{flags}</ul></div>
                    })}
                    <div class="card">
                        <h2>"Where it is suggested"</h2>
                        <label for="draft-routes">"Pages (one route a line)"</label>
                        <textarea id="draft-routes" rows="3" readonly=readonly
                            prop:value=move || kb.fields.with(|f| f.routes.clone())
                            on:input=move |ev| kb.fields.update(|f| f.routes = event_target_value(&ev))></textarea>
                        <label for="draft-errors">"Errors (one a line)"</label>
                        <textarea id="draft-errors" rows="3" readonly=readonly
                            prop:value=move || kb.fields.with(|f| f.errors.clone())
                            on:input=move |ev| kb.fields.update(|f| f.errors = event_target_value(&ev))></textarea>
                        <p class="muted small">{move || format!("{} page(s), {} error(s)",
                            kb.fields.with(|f| lines(&f.routes).len()), kb.fields.with(|f| lines(&f.errors).len()))}</p>
                    </div>
                    <div class="card">
                        <div class="card-head"><h2>"Evidence"</h2>
                            <div class="card-actions">
                                <button class="ghost" id="show-evidence" on:click=move |_| kb.load_evidence()>"Customer words"</button>
                            </div>
                        </div>
                        {move || match kb.evidence.get() {
                            None => view! { <p class="muted">{format!("{} resolved ticket(s) behind this draft.", summary.evidence_count)}</p> }.into_any(),
                            Some(tickets) => view! {
                                <ul class="history-list evidence">
                                    {tickets.into_iter().map(|t| view! {
                                        <li><span class="history-line"><span class="who">{t.id.clone()}</span>" · "{t.subject.clone().unwrap_or_default()}</span>
                                            <span class="why">{t.customer_words.join(" … ")}</span></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        }}
                    </div>
                    <div class="card">
                        <h2>"History"</h2>
                        <ul class="history-list" id="draft-history">{history}</ul>
                    </div>
                </div>
            </div>
        </section>
    }
}
