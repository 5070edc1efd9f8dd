//! The knowledge section's other views: the live Markdown preview (built as DOM
//! nodes from `waymark_core::markdown`'s allow-listed tree, never from an HTML
//! string), the gaps with "draft from this gap", and the sortable article
//! performance table.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use waymark_core::markdown::{Node, Tag, parse};

use super::knowledge::Knowledge;
use crate::api;
use crate::knowledge::{ArticleRow, Column, DraftDetail, Gap, TableOrder, percent, state_label};

/// The editor's body as the article will read.
#[component]
pub fn Preview(kb: Knowledge) -> impl IntoView {
    let nodes = Memo::new(move |_| kb.fields.with(|f| parse(&f.body)));
    view! {
        <div class="article-preview" id="draft-preview">
            {move || nodes.with(|nodes| render(nodes))}
        </div>
    }
}

fn render(nodes: &[Node]) -> Vec<AnyView> {
    nodes.iter().map(render_node).collect()
}

fn render_node(node: &Node) -> AnyView {
    let (tag, href, children) = match node {
        Node::Text(text) => return text.clone().into_any(),
        Node::Element {
            tag,
            href,
            children,
        } => (*tag, href.clone(), render(children)),
    };
    match tag {
        Tag::P => view! { <p>{children}</p> }.into_any(),
        Tag::H2 => view! { <h3>{children}</h3> }.into_any(),
        Tag::H3 => view! { <h4>{children}</h4> }.into_any(),
        Tag::H4 => view! { <h5>{children}</h5> }.into_any(),
        Tag::Ul => view! { <ul>{children}</ul> }.into_any(),
        Tag::Ol => view! { <ol>{children}</ol> }.into_any(),
        Tag::Li => view! { <li>{children}</li> }.into_any(),
        Tag::Blockquote => view! { <blockquote>{children}</blockquote> }.into_any(),
        Tag::Pre => view! { <pre>{children}</pre> }.into_any(),
        Tag::Code => view! { <code>{children}</code> }.into_any(),
        Tag::Em => view! { <em>{children}</em> }.into_any(),
        Tag::Strong => view! { <strong>{children}</strong> }.into_any(),
        Tag::Del => view! { <del>{children}</del> }.into_any(),
        Tag::A => view! {
            <a href=href.unwrap_or_default() rel="noopener noreferrer nofollow" target="_blank">{children}</a>
        }
        .into_any(),
        Tag::Br => view! { <br /> }.into_any(),
        Tag::Hr => view! { <hr /> }.into_any(),
        Tag::Table => view! { <table>{children}</table> }.into_any(),
        Tag::Thead => view! { <thead>{children}</thead> }.into_any(),
        Tag::Tbody => view! { <tbody>{children}</tbody> }.into_any(),
        Tag::Tr => view! { <tr>{children}</tr> }.into_any(),
        Tag::Th => view! { <th>{children}</th> }.into_any(),
        Tag::Td => view! { <td>{children}</td> }.into_any(),
    }
}

/// The gaps, most pressing first, each with "draft from this gap".
#[component]
pub fn GapsTable(kb: Knowledge) -> impl IntoView {
    let gaps = RwSignal::new(None::<Vec<Gap>>);
    if let Some(base) = kb.base() {
        spawn_local(async move {
            match api::get::<Vec<Gap>>(&format!("{base}/gaps?limit=50")).await {
                Ok(found) => gaps.set(Some(found)),
                Err(err) => kb.console.failed(&err),
            }
        });
    }
    let draft_from = move |gap_id: String| {
        let Some(base) = kb.base() else {
            return;
        };
        spawn_local(async move {
            let body = json!({"gap_id": gap_id});
            match api::send::<DraftDetail>("POST", &format!("{base}/drafts/from-gap"), Some(&body))
                .await
            {
                Ok(draft) => {
                    kb.load_drafts();
                    kb.open_draft(draft.summary.id);
                }
                Err(err) => kb.console.failed(&err),
            }
        });
    };
    view! {
        <section class="settings knowledge-table" id="gaps">
            <p class="muted">"Questions the knowledge did not answer and whose visitor then asked for a person, by page and error."</p>
            {move || match gaps.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="empty">"No gaps: every recent question found an answer or did not escalate."</p> }.into_any(),
                Some(list) => view! {
                    <table class="data-table">
                        <thead><tr>
                            <th>"Page"</th><th>"Error"</th><th class="num">"Unanswered, escalated"</th>
                            <th class="num">"Asked"</th><th class="num">"Escalation share"</th><th>"Asked like"</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|gap| {
                                let gap_id = gap.id.clone();
                                let existing = gap.draft_id.clone();
                                view! {
                                    <tr data-gap=gap.id.clone()>
                                        <td><code>{if gap.key.route.is_empty() { "(no page)".to_owned() } else { gap.key.route.clone() }}</code></td>
                                        <td>{gap.key.fingerprint.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                        <td class="num">{gap.count}</td>
                                        <td class="num">{gap.asked}</td>
                                        <td class="num">{percent(gap.escalation_share)}</td>
                                        <td class="muted">{gap.examples.first().cloned().unwrap_or_default()}</td>
                                        <td>{match existing {
                                            Some(draft_id) => view! {
                                                <button class="ghost" on:click=move |_| kb.open_draft(draft_id.clone())>"Open draft"</button>
                                            }.into_any(),
                                            None if kb.manages() => view! {
                                                <button class="gap-draft" on:click=move |_| draft_from(gap_id.clone())>"Draft from this gap"</button>
                                            }.into_any(),
                                            None => ().into_any(),
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

/// Every article with how it does, sortable by each figure.
#[component]
pub fn ArticlesTable(kb: Knowledge) -> impl IntoView {
    let rows = RwSignal::new(None::<Vec<ArticleRow>>);
    let order = RwSignal::new(TableOrder::default());
    let load = move || {
        let Some(base) = kb.base() else {
            return;
        };
        let query = order.get_untracked().query();
        spawn_local(async move {
            match api::get::<Vec<ArticleRow>>(&format!("{base}/articles?{query}")).await {
                Ok(found) => rows.set(Some(found)),
                Err(err) => kb.console.failed(&err),
            }
        });
    };
    load();
    let headers = Column::ALL
        .into_iter()
        .map(|column| {
            let arrow = move || {
                let current = order.get();
                match (current.column == column, current.ascending) {
                    (false, _) => "",
                    (true, true) => " ▲",
                    (true, false) => " ▼",
                }
            };
            view! {
                <th class="num">
                    <button class="ghost sort" data-sort=column.param()
                        on:click=move |_| { order.update(|o| *o = o.clicked(column)); load(); }>
                        {column.label()}{arrow}
                    </button>
                </th>
            }
        })
        .collect_view();
    view! {
        <section class="settings knowledge-table" id="articles">
            <p class="muted">"How each article does with visitors: shown with suggestions, opened whole, marked \"solved it\", and followed by a request for a person."</p>
            <table class="data-table" id="article-table">
                <thead><tr><th>"Article"</th><th>"Status"</th>{headers}<th></th></tr></thead>
                <tbody>
                    {move || rows.get().unwrap_or_default().into_iter().map(|row| {
                        let cells = Column::ALL.into_iter().map(|column| view! {
                            <td class="num" data-col=column.param()>{column.cell(&row)}</td>
                        }).collect_view();
                        let id = row.id.clone();
                        let published = row.status == "published";
                        view! {
                            <tr data-article=row.id.clone()>
                                <td><span class="row-subject">{row.title.clone()}</span><br /><code class="muted">{row.id.clone()}</code></td>
                                <td><span class="badge">{state_label(&row.status)}</span></td>
                                {cells}
                                <td>{(published && kb.manages()).then(|| view! {
                                    <button class="ghost" on:click=move |_| kb.unpublish(id.clone(), load)>"Unpublish"</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || rows.with(|r| r.as_ref().is_some_and(Vec::is_empty))>
                <p class="empty">"No articles yet: publish a draft."</p>
            </Show>
        </section>
    }
}
