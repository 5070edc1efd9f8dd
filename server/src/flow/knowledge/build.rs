//! Drafts from the site's resolved tickets: the tickets the server resolved (with
//! their structured resolutions, page routes and errors) and the ones imported into
//! the index, clustered with the previous build's assignments so every cluster keeps
//! its id and a rebuild updates its draft instead of adding one. Also a draft from
//! one resolved ticket and one from a knowledge gap, and the expiry of drafts nobody
//! reviewed.

use std::collections::{HashMap, HashSet};

use waymark_core::wire::MessageAuthor;
use waymark_knowledge::cluster::{Analyzer, Cluster, ClusterId, PreviousAssignments};
use waymark_knowledge::drafts::{
    Draft, DraftConfig, PublishedArticle, ReviewPeriod, SymptomKind, build_drafts, draft_cluster,
    flag_collisions,
};
use waymark_knowledge::gaps::{GapConfig, GapKey};
use waymark_knowledge::ticket::{ResolvedTicket, TicketId};
use waymark_knowledge::{DocKind, KnowledgeIndex};

use super::KnowledgeActor;
use crate::flow::FlowError;
use crate::flow::resolution::knowledge_doc;
use crate::flow::routing::snapshot;
use crate::storage::knowledge::{
    ArticleStatus, DraftOrigin, DraftRecord, DraftState, EvidenceTicket, NewHistory, Rebuilt,
    Subject,
};
use crate::storage::{Store, TicketRecord};

/// The most resolved tickets (the newest) one build reads from the database, and
/// from the index.
pub const MAX_TICKETS: i64 = 5_000;

/// A draft whose newest ticket is older than this is flagged stale.
pub const STALE_AFTER_MS: i64 = 90 * 86_400_000;

/// What one build did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BuildReport {
    /// Resolved tickets read.
    pub tickets: usize,
    /// Clusters found.
    pub clusters: usize,
    /// Drafts the build produced (clusters with enough evidence and a fix).
    pub drafts: usize,
    /// New drafts stored.
    pub created: usize,
    /// Existing drafts updated.
    pub updated: usize,
    /// Existing drafts that did not change.
    pub unchanged: usize,
    /// Drafts that waited longer than the review period and expired.
    pub expired: usize,
}

/// The site's resolved tickets as drafts read them: the server's (newest first),
/// then the imported ones the index holds that the server does not.
pub async fn site_tickets(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
) -> Result<Vec<ResolvedTicket>, FlowError> {
    let mut tickets = Vec::new();
    for ticket in store.resolved_tickets(site_id, MAX_TICKETS).await? {
        if let Some(resolved) = server_ticket(store, site_id, &ticket).await? {
            tickets.push(resolved);
        }
    }
    if let Some(index) = index {
        let known: HashSet<String> = tickets.iter().map(|t| t.id.0.clone()).collect();
        let limit = usize::try_from(MAX_TICKETS).unwrap_or(usize::MAX);
        let imported = index
            .documents_of_kind(site_id, DocKind::Ticket, limit)
            .map_err(|err| FlowError::Knowledge(err.to_string()))?;
        tickets.extend(
            imported
                .iter()
                .filter(|doc| !known.contains(&doc.id))
                .map(ResolvedTicket::from),
        );
    }
    Ok(tickets)
}

/// One resolved server ticket as drafts read it (its conversation, page trail and
/// resolution); `None` when its conversation is gone.
async fn server_ticket(
    store: &Store,
    site_id: &str,
    ticket: &TicketRecord,
) -> Result<Option<ResolvedTicket>, FlowError> {
    let Some(conversation) = store.conversation(site_id, &ticket.conversation_id).await? else {
        return Ok(None);
    };
    let snapshot = snapshot(store, site_id, &conversation).await?;
    let resolution = ticket.resolution.clone().unwrap_or_default();
    let doc = knowledge_doc(site_id, ticket, &snapshot, &resolution);
    let mut resolved = ResolvedTicket::from(&doc);
    resolved.resolved_at_ms = ticket.resolved_at_ms.unwrap_or(ticket.updated_at_ms);
    Ok(Some(resolved))
}

/// The articles drafts are checked against: the site's published articles and the
/// imported ones in the index.
pub async fn published_articles(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
) -> Result<Vec<PublishedArticle>, FlowError> {
    let stored = store.articles(site_id).await?;
    let mut articles: Vec<PublishedArticle> = stored
        .iter()
        .filter(|article| article.status == ArticleStatus::Published)
        .map(super::articles::published_article)
        .collect();
    if let Some(index) = index {
        let known: HashSet<&str> = stored.iter().map(|a| a.id.as_str()).collect();
        let imported = index
            .documents_of_kind(site_id, DocKind::Article, 1_000)
            .map_err(|err| FlowError::Knowledge(err.to_string()))?;
        articles.extend(
            imported
                .iter()
                .filter(|doc| !known.contains(doc.id.as_str()))
                .map(PublishedArticle::from_knowledge_doc),
        );
    }
    Ok(articles)
}

/// Builds the site's drafts from its resolved tickets and stores them (new ids
/// inserted, known ids updated), keeps this build's cluster assignments for the next,
/// and expires drafts that waited longer than the review period.
pub async fn build_site_drafts(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    config: &DraftConfig,
    now_ms: i64,
) -> Result<BuildReport, FlowError> {
    let tickets = site_tickets(store, index, site_id).await?;
    let articles = published_articles(store, index, site_id).await?;
    let previous: PreviousAssignments = store
        .cluster_assignments(site_id)
        .await?
        .into_iter()
        .map(|(ticket, cluster)| (TicketId(ticket), ClusterId(cluster)))
        .collect();
    let config = *config;
    let ticket_count = tickets.len();
    // Clustering is CPU work: off the async threads.
    let run = tokio::task::spawn_blocking(move || {
        build_drafts(&tickets, &articles, &previous, &config, &mut |_, _, _| {})
    })
    .await
    .map_err(|err| FlowError::Knowledge(format!("draft build stopped: {err}")))?;
    let mut report = BuildReport {
        tickets: ticket_count,
        clusters: run.clustering.clusters.len(),
        ..BuildReport::default()
    };
    for draft in run.drafts.iter().filter(|draft| has_resolution(draft)) {
        report.drafts += 1;
        let record = record_of(
            draft,
            DraftOrigin::Cluster,
            draft.cluster_id.0.clone(),
            now_ms,
        );
        match store.upsert_built_draft(site_id, &record).await? {
            Rebuilt::Created => report.created += 1,
            Rebuilt::Updated => report.updated += 1,
            Rebuilt::Unchanged => report.unchanged += 1,
        }
    }
    let mut assignments: Vec<(String, String)> = run
        .assignments
        .into_iter()
        .map(|(ticket, cluster)| (ticket.0, cluster.0))
        .collect();
    assignments.sort();
    store
        .replace_cluster_assignments(site_id, &assignments)
        .await?;
    report.expired = expire_unreviewed(store, site_id, ReviewPeriod::default(), now_ms).await?;
    tracing::info!(
        site = site_id,
        tickets = report.tickets,
        drafts = report.drafts,
        created = report.created,
        updated = report.updated,
        expired = report.expired,
        "knowledge drafts built"
    );
    Ok(report)
}

/// New drafts nobody opened within `period` expire (the system is the actor).
pub async fn expire_unreviewed(
    store: &Store,
    site_id: &str,
    period: ReviewPeriod,
    now_ms: i64,
) -> Result<usize, FlowError> {
    let mut expired = 0;
    for mut draft in store.drafts(site_id).await? {
        if draft.state != DraftState::New || now_ms - draft.created_at_ms < period.millis {
            continue;
        }
        let expected = draft.version;
        draft.state = DraftState::Expired;
        draft.version += 1;
        draft.updated_at_ms = now_ms;
        let history = [NewHistory {
            subject: Subject::Draft,
            subject_id: &draft.id,
            actor: "system",
            action: "expired",
            detail: serde_json::json!({ "review_period_days": period.millis / 86_400_000 }),
            at_ms: now_ms,
        }];
        store
            .save_draft(site_id, &draft, expected, &[], &history)
            .await?;
        expired += 1;
    }
    Ok(expired)
}

/// "Turn this ticket into an article": a draft from one resolved ticket (the
/// server's or an imported one). Asking twice returns the same draft.
pub async fn draft_from_ticket(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    ticket_id: &str,
    actor: KnowledgeActor<'_>,
) -> Result<DraftRecord, FlowError> {
    let ticket = match store.ticket(site_id, ticket_id).await? {
        Some(ticket) if ticket.resolved_at_ms.is_none() || ticket.resolution.is_none() => {
            return Err(FlowError::Invalid(format!(
                "ticket `{ticket_id}` is not resolved: only a resolved ticket's fix can become an article"
            )));
        }
        Some(ticket) => server_ticket(store, site_id, &ticket).await?,
        None => match index {
            Some(index) => index
                .document(site_id, ticket_id)
                .map_err(|err| FlowError::Knowledge(err.to_string()))?
                .filter(|doc| doc.kind == DocKind::Ticket)
                .map(|doc| ResolvedTicket::from(&doc)),
            None => None,
        },
    }
    .ok_or_else(|| FlowError::NotFound(format!("no resolved ticket `{ticket_id}`")))?;
    let articles = published_articles(store, index, site_id).await?;
    let config = DraftConfig::default();
    let mut draft = waymark_knowledge::drafts::draft_from_ticket(
        &ticket,
        &waymark_knowledge::drafts::Boilerplate::none(),
        &config,
    )
    .map_err(|no_draft| FlowError::Invalid(no_draft.to_string()))?;
    draft.flags = flag_collisions(&draft, &articles, &config.flags);
    let record = record_of(
        &draft,
        DraftOrigin::Ticket,
        format!("ticket-{ticket_id}"),
        actor.now_ms,
    );
    Ok(store
        .insert_draft_once(site_id, &record, actor.user_id)
        .await?)
}

/// "Draft an article from this gap": the gap's page and error as symptoms, the
/// tickets that escalated from it as evidence, and — when some of them are resolved
/// — their cause and fix. Asking twice returns the same draft.
pub async fn draft_from_gap(
    store: &Store,
    site_id: &str,
    gap_id: &str,
    days: u32,
    actor: KnowledgeActor<'_>,
) -> Result<DraftRecord, FlowError> {
    let since_ms = actor.now_ms.saturating_sub(i64::from(days) * 86_400_000);
    let config = GapConfig::default();
    let escalations = store.gap_escalations(site_id, since_ms).await?;
    let mut key = None;
    let mut ticket_ids: Vec<String> = Vec::new();
    for (entry, ticket) in &escalations {
        let entry_key = GapKey::of(entry);
        if entry.best_score >= config.max_best_score || entry_key.id().0 != gap_id {
            continue;
        }
        key.get_or_insert(entry_key);
        if let Some(ticket) = ticket
            && !ticket_ids.contains(ticket)
        {
            ticket_ids.push(ticket.clone());
        }
    }
    let key = key.ok_or_else(|| {
        FlowError::NotFound(format!(
            "no knowledge gap `{gap_id}` in the last {days} days"
        ))
    })?;
    let mut evidence = Vec::new();
    let mut resolved = Vec::new();
    for id in &ticket_ids {
        let Some(ticket) = store.ticket(site_id, id).await? else {
            continue;
        };
        evidence.push(EvidenceTicket {
            id: id.clone(),
            resolved_at_ms: ticket.resolved_at_ms.unwrap_or(0),
        });
        if ticket.resolution.is_some()
            && let Some(ticket) = server_ticket(store, site_id, &ticket).await?
        {
            resolved.push(ticket);
        }
    }
    let mut symptoms = String::from("## Symptoms\n\n");
    if !key.route.is_empty() {
        symptoms.push_str(&format!("- Page: `{}`\n", key.route));
    }
    if let Some(fingerprint) = &key.fingerprint {
        symptoms.push_str(&format!("- Error: `{fingerprint}`\n"));
    }
    let place = if key.route.is_empty() {
        "without a page".to_owned()
    } else {
        format!("on {}", key.route)
    };
    let title = match &key.fingerprint {
        Some(fingerprint) => format!("{fingerprint} {place}"),
        None => format!("Questions {place}"),
    };
    let generated = (!resolved.is_empty())
        .then(|| draft_of_tickets(&resolved, ClusterId(format!("gap-{gap_id}")), &[]));
    let fix = match &generated {
        Some(draft) if has_resolution(draft) => without_symptoms(&draft.body_markdown()),
        _ => "## Resolution\n\n".to_owned(),
    };
    let record = DraftRecord {
        id: format!("gap-{gap_id}"),
        origin: DraftOrigin::Gap,
        title,
        body_markdown: format!("{symptoms}\n{fix}"),
        product_area: generated.as_ref().and_then(|d| d.product_area.clone()),
        routes: (!key.route.is_empty())
            .then(|| key.route.clone())
            .into_iter()
            .collect(),
        errors: key.fingerprint.iter().cloned().collect(),
        generated: serde_json::json!({ "gap": { "route": key.route, "fingerprint": key.fingerprint },
                                       "draft": generated }),
        evidence,
        flags: Vec::new(),
        state: DraftState::New,
        reason: None,
        article_id: None,
        edited: false,
        version: 1,
        created_at_ms: actor.now_ms,
        updated_at_ms: actor.now_ms,
        built_at_ms: actor.now_ms,
    };
    Ok(store
        .insert_draft_once(site_id, &record, actor.user_id)
        .await?)
}

/// A draft from a handful of tickets taken as one cluster, checked against `articles`.
fn draft_of_tickets(
    tickets: &[ResolvedTicket],
    id: ClusterId,
    articles: &[PublishedArticle],
) -> Draft {
    let members: Vec<usize> = (0..tickets.len()).collect();
    let cluster = Cluster {
        id,
        product_area: tickets.first().and_then(|t| t.product_area.clone()),
        members: members.clone(),
        medoid: 0,
        representatives: members,
        cohesion: 1.0,
    };
    let config = DraftConfig::default();
    let mut draft = draft_cluster(tickets, &cluster, &Analyzer::default(), &config);
    draft.flags = flag_collisions(&draft, articles, &config.flags);
    draft
}

/// Whether a draft says how to fix something: a cause or resolution steps.
fn has_resolution(draft: &Draft) -> bool {
    !draft.steps.is_empty()
}

/// The Markdown body without its symptoms section (a gap draft writes its own).
fn without_symptoms(body: &str) -> String {
    match body.find("## Cause").or_else(|| body.find("## Resolution")) {
        Some(start) => body[start..].to_owned(),
        None => body.to_owned(),
    }
}

/// The stored form of a built draft.
pub fn record_of(draft: &Draft, origin: DraftOrigin, id: String, now_ms: i64) -> DraftRecord {
    let of_kind = |kinds: &[SymptomKind]| -> Vec<String> {
        draft
            .symptoms
            .iter()
            .filter(|symptom| kinds.contains(&symptom.kind))
            .map(|symptom| symptom.value.clone())
            .collect()
    };
    let mut flags: Vec<serde_json::Value> = draft
        .flags
        .iter()
        .filter_map(|flag| serde_json::to_value(flag).ok())
        .collect();
    let last_seen = draft.evidence.last_seen_ms;
    if last_seen > 0 && now_ms - last_seen > STALE_AFTER_MS {
        flags.push(serde_json::json!({ "kind": "stale", "last_seen_ms": last_seen }));
    }
    let mut seen = HashMap::new();
    let evidence = draft
        .evidence
        .tickets
        .iter()
        .filter(|ticket| seen.insert(ticket.id.0.clone(), ()).is_none())
        .map(|ticket| EvidenceTicket {
            id: ticket.id.0.clone(),
            resolved_at_ms: ticket.resolved_at_ms,
        })
        .collect();
    DraftRecord {
        id,
        origin,
        title: draft.title.clone(),
        body_markdown: draft.body_markdown(),
        product_area: draft.product_area.clone(),
        routes: of_kind(&[SymptomKind::Route]),
        errors: of_kind(&[SymptomKind::ErrorMessage, SymptomKind::Fingerprint]),
        generated: serde_json::to_value(draft).unwrap_or(serde_json::Value::Null),
        evidence,
        flags,
        state: DraftState::New,
        reason: None,
        article_id: None,
        edited: false,
        version: 1,
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
        built_at_ms: now_ms,
    }
}

/// The customers' words of one evidence ticket (scrubbed at the edge when they
/// were stored): the server ticket's messages, or the imported problem text.
pub async fn customer_words(
    store: &Store,
    index: Option<&KnowledgeIndex>,
    site_id: &str,
    ticket_id: &str,
) -> Result<Option<(String, Vec<String>)>, FlowError> {
    if let Some(ticket) = store.ticket(site_id, ticket_id).await? {
        let words = store
            .messages_after(site_id, &ticket.conversation_id, 0)
            .await?
            .into_iter()
            .filter(|message| message.author == MessageAuthor::Customer)
            .map(|message| message.text)
            .collect();
        return Ok(Some((ticket.subject, words)));
    }
    let Some(index) = index else {
        return Ok(None);
    };
    let doc = index
        .document(site_id, ticket_id)
        .map_err(|err| FlowError::Knowledge(err.to_string()))?;
    Ok(doc
        .filter(|doc| doc.kind == DocKind::Ticket)
        .map(|doc| (doc.title, vec![doc.problem])))
}
