//! The knowledge managers' records: article drafts (one row per stable cluster id,
//! updated by every rebuild, never duplicated) with their evidence and flags, the
//! history of every review action, the articles themselves (the source of truth the
//! index is built from), the previous run's cluster assignments, and the answers
//! visitors opened (one of the article performance figures).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use waymark_knowledge::gaps::SuggestLogEntry;

use super::{Store, StoreError, TicketRecord, enum_text, parse_enum, parse_json, to_json};

/// Where a draft stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    /// Built, nobody looked at it yet.
    New,
    /// A knowledge manager is working on it.
    InReview,
    /// Published as an article.
    Published,
    /// Rejected, with a reason.
    Rejected,
    /// Not reviewed within the review period.
    Expired,
}

impl DraftState {
    /// The state's name on the wire and in the database.
    pub fn name(self) -> &'static str {
        match self {
            DraftState::New => "new",
            DraftState::InReview => "in_review",
            DraftState::Published => "published",
            DraftState::Rejected => "rejected",
            DraftState::Expired => "expired",
        }
    }

    /// Whether a knowledge manager can still edit and decide on it.
    pub fn is_open(self) -> bool {
        matches!(self, DraftState::New | DraftState::InReview)
    }
}

/// What a draft was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftOrigin {
    /// A cluster of resolved tickets (rebuilt on schedule).
    Cluster,
    /// One resolved ticket ("turn this ticket into an article").
    Ticket,
    /// A knowledge gap, from the tickets that escalated from it.
    Gap,
}

/// One ticket behind a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceTicket {
    /// The ticket id (a server ticket or an imported one).
    pub id: String,
    /// When it was resolved (ms; 0 when the import did not say).
    pub resolved_at_ms: i64,
}

/// A stored draft.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftRecord {
    /// The stable cluster id (or `ticket-…`, `gap-…`).
    pub id: String,
    /// What it was made from.
    pub origin: DraftOrigin,
    /// The title.
    pub title: String,
    /// The article body, Markdown.
    pub body_markdown: String,
    /// The product area.
    pub product_area: Option<String>,
    /// The page routes the article is suggested on.
    pub routes: Vec<String>,
    /// The error messages and fingerprints it answers.
    pub errors: Vec<String>,
    /// The draft as the builder made it (`waymark_knowledge::drafts::Draft`, JSON).
    pub generated: serde_json::Value,
    /// The tickets behind it.
    pub evidence: Vec<EvidenceTicket>,
    /// Collisions with published articles and staleness
    /// (`waymark_knowledge::drafts::Flag`, or `{"kind":"stale"}`).
    pub flags: Vec<serde_json::Value>,
    /// The review state.
    pub state: DraftState,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The article it became.
    pub article_id: Option<String>,
    /// Whether a person changed title or body (rebuilds then keep them).
    pub edited: bool,
    /// One more at every change (optimistic concurrency).
    pub version: i64,
    /// Created (ms).
    pub created_at_ms: i64,
    /// Last changed (ms).
    pub updated_at_ms: i64,
    /// Last built from the tickets (ms).
    pub built_at_ms: i64,
}

/// What happened to a draft or an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// When (ms).
    pub at_ms: i64,
    /// Who: a user id, or `system` for builds and expiry.
    pub actor: String,
    /// What: created, rebuilt, edited, review_started, published, rejected, expired,
    /// unpublished, superseded.
    pub action: String,
    /// The details (reason, article id, what changed).
    pub detail: serde_json::Value,
}

/// Whether a history entry is about a draft or an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A draft.
    Draft,
    /// An article.
    Article,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::Draft => "draft",
            Subject::Article => "article",
        }
    }
}

/// Where a published article stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    /// Suggested to visitors.
    Published,
    /// Taken down.
    Unpublished,
    /// Replaced by a newer article.
    Superseded,
}

/// A stored article.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRecord {
    /// Its id (also the knowledge index id).
    pub id: String,
    /// The title.
    pub title: String,
    /// The body, Markdown.
    pub body_markdown: String,
    /// The product area.
    pub product_area: Option<String>,
    /// The routes it is suggested on.
    pub routes: Vec<String>,
    /// The errors it answers.
    pub errors: Vec<String>,
    /// Where it stands.
    pub status: ArticleStatus,
    /// One more at every publication of new content.
    pub version: i64,
    /// The draft it came from.
    pub draft_id: Option<String>,
    /// The article that replaced it.
    pub superseded_by: Option<String>,
    /// Who published it.
    pub published_by: String,
    /// When (ms).
    pub published_at_ms: i64,
    /// Last changed (ms).
    pub updated_at_ms: i64,
}

/// How an article did with visitors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ArticleCounters {
    /// Suggestion sets it was shown in.
    pub shown: i64,
    /// Times a visitor opened it whole.
    pub opened: i64,
    /// "This solved it" verdicts.
    pub solved: i64,
    /// Sets it was shown in whose session then asked for a person.
    pub escalated_after: i64,
}

/// A history entry to write with a change.
#[derive(Debug, Clone)]
pub struct NewHistory<'a> {
    /// Draft or article.
    pub subject: Subject,
    /// Its id.
    pub subject_id: &'a str,
    /// Who.
    pub actor: &'a str,
    /// What.
    pub action: &'a str,
    /// Details.
    pub detail: serde_json::Value,
    /// When.
    pub at_ms: i64,
}

/// What a rebuild did to one draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuilt {
    /// A new draft.
    Created,
    /// An existing draft's evidence or content changed.
    Updated,
    /// Nothing changed.
    Unchanged,
}

const DRAFT_COLUMNS: &str = "SELECT id, origin, title, body_markdown, product_area, routes, errors,
    generated, evidence, flags, state, reason, article_id, edited, version, created_at_ms,
    updated_at_ms, built_at_ms FROM kb_drafts";

const ARTICLE_COLUMNS: &str = "SELECT id, title, body_markdown, product_area, routes, errors,
    status, version, draft_id, superseded_by, published_by, published_at_ms, updated_at_ms
    FROM kb_articles";

/// At most this many drafts are listed.
pub const MAX_DRAFTS: i64 = 1_000;

impl Store {
    /// Stores a freshly built draft: a new id is inserted (`created`); an existing
    /// one gets the new evidence, flags and build, and — while open and not edited by
    /// a person — the new title and body (`rebuilt`). Decided drafts keep their content.
    pub async fn upsert_built_draft(
        &self,
        site_id: &str,
        built: &DraftRecord,
    ) -> Result<Rebuilt, StoreError> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(&format!("{DRAFT_COLUMNS} WHERE site_id = $1 AND id = $2"))
            .bind(site_id)
            .bind(&built.id)
            .fetch_optional(&mut *tx)
            .await?;
        let existing = row.map(|row| draft_from_row(&row)).transpose()?;
        let outcome = match existing {
            None => {
                insert_draft(&mut tx, site_id, built).await?;
                write_history(
                    &mut tx,
                    site_id,
                    &NewHistory {
                        subject: Subject::Draft,
                        subject_id: &built.id,
                        actor: "system",
                        action: "created",
                        detail: serde_json::json!({
                            "origin": built.origin, "tickets": built.evidence.len()
                        }),
                        at_ms: built.built_at_ms,
                    },
                )
                .await?;
                Rebuilt::Created
            }
            Some(mut current) => {
                let content_follows = current.state.is_open() && !current.edited;
                let mut changed = current.evidence != built.evidence
                    || current.flags != built.flags
                    || current.generated != built.generated;
                if content_follows {
                    changed |= current.title != built.title
                        || current.body_markdown != built.body_markdown
                        || current.routes != built.routes
                        || current.errors != built.errors;
                    current.title = built.title.clone();
                    current.body_markdown = built.body_markdown.clone();
                    current.routes = built.routes.clone();
                    current.errors = built.errors.clone();
                    current.product_area = built.product_area.clone();
                }
                if !changed {
                    tx.commit().await?;
                    return Ok(Rebuilt::Unchanged);
                }
                let tickets_before = current.evidence.len();
                current.evidence = built.evidence.clone();
                current.flags = built.flags.clone();
                current.generated = built.generated.clone();
                current.built_at_ms = built.built_at_ms;
                current.updated_at_ms = built.built_at_ms;
                let expected = current.version;
                current.version += 1;
                update_draft(&mut tx, site_id, &current, expected).await?;
                write_history(
                    &mut tx,
                    site_id,
                    &NewHistory {
                        subject: Subject::Draft,
                        subject_id: &current.id,
                        actor: "system",
                        action: "rebuilt",
                        detail: serde_json::json!({
                            "tickets_before": tickets_before,
                            "tickets": current.evidence.len(),
                            "content_updated": content_follows,
                        }),
                        at_ms: built.built_at_ms,
                    },
                )
                .await?;
                Rebuilt::Updated
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Stores a changed draft over the version it was read at, with its history
    /// entries (and the article it publishes or takes down), in one transaction.
    /// Another change in between makes it a `VersionConflict`.
    pub async fn save_draft(
        &self,
        site_id: &str,
        draft: &DraftRecord,
        expected_version: i64,
        articles: &[ArticleRecord],
        history: &[NewHistory<'_>],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        update_draft(&mut tx, site_id, draft, expected_version).await?;
        for article in articles {
            upsert_article(&mut tx, site_id, article).await?;
        }
        for entry in history {
            write_history(&mut tx, site_id, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Inserts a draft made on demand (from a ticket or a gap); an existing draft of
    /// the same id is kept and returned instead.
    pub async fn insert_draft_once(
        &self,
        site_id: &str,
        draft: &DraftRecord,
        actor: &str,
    ) -> Result<DraftRecord, StoreError> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(&format!("{DRAFT_COLUMNS} WHERE site_id = $1 AND id = $2"))
            .bind(site_id)
            .bind(&draft.id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = row {
            let existing = draft_from_row(&row)?;
            tx.commit().await?;
            return Ok(existing);
        }
        insert_draft(&mut tx, site_id, draft).await?;
        write_history(
            &mut tx,
            site_id,
            &NewHistory {
                subject: Subject::Draft,
                subject_id: &draft.id,
                actor,
                action: "created",
                detail: serde_json::json!({
                    "origin": draft.origin, "tickets": draft.evidence.len()
                }),
                at_ms: draft.created_at_ms,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(draft.clone())
    }

    /// One draft.
    pub async fn draft(&self, site_id: &str, id: &str) -> Result<Option<DraftRecord>, StoreError> {
        let row = sqlx::query(&format!("{DRAFT_COLUMNS} WHERE site_id = $1 AND id = $2"))
            .bind(site_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| draft_from_row(&row)).transpose()
    }

    /// The site's drafts, most recently changed first (at most [`MAX_DRAFTS`]).
    pub async fn drafts(&self, site_id: &str) -> Result<Vec<DraftRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "{DRAFT_COLUMNS} WHERE site_id = $1 ORDER BY updated_at_ms DESC, id LIMIT $2"
        ))
        .bind(site_id)
        .bind(MAX_DRAFTS)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(draft_from_row).collect()
    }

    /// The history of a draft or an article, oldest first.
    pub async fn knowledge_history(
        &self,
        site_id: &str,
        subject: Subject,
        id: &str,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_ms, actor, action, detail FROM kb_history
             WHERE site_id = $1 AND subject = $2 AND subject_id = $3 ORDER BY seq",
        )
        .bind(site_id)
        .bind(subject.name())
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(HistoryEntry {
                    at_ms: row.try_get("at_ms")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    detail: parse_json("kb_history", "detail", &detail)?,
                })
            })
            .collect()
    }

    /// One article.
    pub async fn article(
        &self,
        site_id: &str,
        id: &str,
    ) -> Result<Option<ArticleRecord>, StoreError> {
        let row = sqlx::query(&format!("{ARTICLE_COLUMNS} WHERE site_id = $1 AND id = $2"))
            .bind(site_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| article_from_row(&row)).transpose()
    }

    /// The site's articles, newest first.
    pub async fn articles(&self, site_id: &str) -> Result<Vec<ArticleRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "{ARTICLE_COLUMNS} WHERE site_id = $1 ORDER BY published_at_ms DESC, id"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(article_from_row).collect()
    }

    /// Every published article of every site (to rebuild the index at start).
    pub async fn published_articles(&self) -> Result<Vec<(String, ArticleRecord)>, StoreError> {
        let rows = sqlx::query(
            "SELECT site_id, id, title, body_markdown, product_area, routes, errors,
                status, version, draft_id, superseded_by, published_by, published_at_ms,
                updated_at_ms FROM kb_articles WHERE status = 'published'",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("site_id")?, article_from_row(row)?)))
            .collect()
    }

    /// Stores an article change (unpublish, supersede) with its history.
    pub async fn save_article(
        &self,
        site_id: &str,
        articles: &[ArticleRecord],
        history: &[NewHistory<'_>],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for article in articles {
            upsert_article(&mut tx, site_id, article).await?;
        }
        for entry in history {
            write_history(&mut tx, site_id, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How an article did: shown, opened, solved it, escalated after.
    pub async fn article_counters(
        &self,
        site_id: &str,
        article_id: &str,
    ) -> Result<ArticleCounters, StoreError> {
        // Answer lists are JSON arrays of ids: the quoted id is one element.
        let quoted = format!("%{}%", to_json(&article_id));
        let row = sqlx::query(
            "SELECT COUNT(*) AS shown,
                COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM conversations c
                    WHERE c.site_id = s.site_id AND c.session_id = s.session_id
                      AND c.created_at_ms >= s.at_ms) THEN 1 ELSE 0 END), 0) AS escalated_after
             FROM suggestions s WHERE s.site_id = $1 AND s.answers LIKE $2",
        )
        .bind(site_id)
        .bind(&quoted)
        .fetch_one(self.pool())
        .await?;
        let opened: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM answer_opens WHERE site_id = $1 AND answer_id = $2",
        )
        .bind(site_id)
        .bind(article_id)
        .fetch_one(self.pool())
        .await?;
        let solved: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM suggestion_feedback
             WHERE site_id = $1 AND answer_id = $2 AND outcome = 'solved'",
        )
        .bind(site_id)
        .bind(article_id)
        .fetch_one(self.pool())
        .await?;
        Ok(ArticleCounters {
            shown: row.try_get("shown")?,
            opened,
            solved,
            escalated_after: row.try_get("escalated_after")?,
        })
    }

    /// Records that a visitor opened an answer whole.
    pub async fn record_answer_open(
        &self,
        site_id: &str,
        session_id: &str,
        answer_id: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO answer_opens (site_id, session_id, answer_id, at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(site_id)
        .bind(session_id)
        .bind(answer_id)
        .bind(at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The cluster of every ticket at the last build.
    pub async fn cluster_assignments(
        &self,
        site_id: &str,
    ) -> Result<HashMap<String, String>, StoreError> {
        let rows = sqlx::query(
            "SELECT ticket_id, cluster_id FROM kb_cluster_assignments WHERE site_id = $1",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("ticket_id")?, row.try_get("cluster_id")?)))
            .collect()
    }

    /// Replaces the stored cluster assignments with this build's.
    pub async fn replace_cluster_assignments(
        &self,
        site_id: &str,
        assignments: &[(String, String)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM kb_cluster_assignments WHERE site_id = $1")
            .bind(site_id)
            .execute(&mut *tx)
            .await?;
        for (ticket, cluster) in assignments {
            sqlx::query(
                "INSERT INTO kb_cluster_assignments (site_id, ticket_id, cluster_id) VALUES ($1, $2, $3)",
            )
            .bind(site_id)
            .bind(ticket)
            .bind(cluster)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The suggestion sets since `since_ms` whose session then asked for a person,
    /// newest first, each with the ticket that conversation became (if any): what a
    /// gap's draft is made from.
    pub async fn gap_escalations(
        &self,
        site_id: &str,
        since_ms: i64,
    ) -> Result<Vec<(SuggestLogEntry, Option<String>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.query, s.route, s.fingerprint, s.best_score, s.at_ms, t.id AS ticket_id
             FROM suggestions s
             JOIN conversations c ON c.site_id = s.site_id AND c.session_id = s.session_id
                AND c.created_at_ms >= s.at_ms
             LEFT JOIN tickets t ON t.site_id = c.site_id AND t.conversation_id = c.id
             WHERE s.site_id = $1 AND s.at_ms >= $2 AND s.best_score IS NOT NULL
             ORDER BY s.at_ms DESC, s.query_id LIMIT $3",
        )
        .bind(site_id)
        .bind(since_ms)
        .bind(super::suggestions::MAX_OUTCOMES)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let best_score: f64 = row.try_get("best_score")?;
                Ok((
                    SuggestLogEntry {
                        query: row.try_get("query")?,
                        route: row.try_get("route")?,
                        fingerprint: row.try_get("fingerprint")?,
                        #[allow(clippy::cast_possible_truncation)]
                        best_score: best_score as f32,
                        escalated: true,
                        at_ms: row.try_get("at_ms")?,
                    },
                    row.try_get("ticket_id")?,
                ))
            })
            .collect()
    }

    /// The site's resolved tickets, most recently resolved first.
    pub async fn resolved_tickets(
        &self,
        site_id: &str,
        limit: i64,
    ) -> Result<Vec<TicketRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "{} WHERE site_id = $1 AND resolved_at_ms IS NOT NULL AND resolution IS NOT NULL
             ORDER BY resolved_at_ms DESC, id LIMIT $2",
            super::tickets::TICKET_COLUMNS
        ))
        .bind(site_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(super::tickets::ticket_from_row).collect()
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

async fn insert_draft(
    tx: &mut Tx<'_>,
    site_id: &str,
    draft: &DraftRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO kb_drafts (site_id, id, origin, title, body_markdown, product_area, routes,
            errors, generated, evidence, evidence_count, flags, state, reason, article_id, edited,
            version, created_at_ms, updated_at_ms, built_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(site_id)
    .bind(&draft.id)
    .bind(enum_text(&draft.origin))
    .bind(&draft.title)
    .bind(&draft.body_markdown)
    .bind(draft.product_area.as_deref())
    .bind(to_json(&draft.routes))
    .bind(to_json(&draft.errors))
    .bind(to_json(&draft.generated))
    .bind(to_json(&draft.evidence))
    .bind(i64::try_from(draft.evidence.len()).unwrap_or(i64::MAX))
    .bind(to_json(&draft.flags))
    .bind(draft.state.name())
    .bind(draft.reason.as_deref())
    .bind(draft.article_id.as_deref())
    .bind(i64::from(draft.edited))
    .bind(draft.version)
    .bind(draft.created_at_ms)
    .bind(draft.updated_at_ms)
    .bind(draft.built_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn update_draft(
    tx: &mut Tx<'_>,
    site_id: &str,
    draft: &DraftRecord,
    expected_version: i64,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "UPDATE kb_drafts SET title = $3, body_markdown = $4, product_area = $5, routes = $6,
            errors = $7, generated = $8, evidence = $9, evidence_count = $10, flags = $11,
            state = $12, reason = $13, article_id = $14, edited = $15, version = $16,
            updated_at_ms = $17, built_at_ms = $18
         WHERE site_id = $1 AND id = $2 AND version = $19",
    )
    .bind(site_id)
    .bind(&draft.id)
    .bind(&draft.title)
    .bind(&draft.body_markdown)
    .bind(draft.product_area.as_deref())
    .bind(to_json(&draft.routes))
    .bind(to_json(&draft.errors))
    .bind(to_json(&draft.generated))
    .bind(to_json(&draft.evidence))
    .bind(i64::try_from(draft.evidence.len()).unwrap_or(i64::MAX))
    .bind(to_json(&draft.flags))
    .bind(draft.state.name())
    .bind(draft.reason.as_deref())
    .bind(draft.article_id.as_deref())
    .bind(i64::from(draft.edited))
    .bind(draft.version)
    .bind(draft.updated_at_ms)
    .bind(draft.built_at_ms)
    .bind(expected_version)
    .execute(&mut **tx)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::VersionConflict(format!(
            "draft `{}` changed since version {expected_version}: read it again",
            draft.id
        )));
    }
    Ok(())
}

async fn upsert_article(
    tx: &mut Tx<'_>,
    site_id: &str,
    article: &ArticleRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO kb_articles (site_id, id, title, body_markdown, product_area, routes, errors,
            status, version, draft_id, superseded_by, published_by, published_at_ms, updated_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (site_id, id) DO UPDATE SET title = excluded.title,
            body_markdown = excluded.body_markdown, product_area = excluded.product_area,
            routes = excluded.routes, errors = excluded.errors, status = excluded.status,
            version = excluded.version, draft_id = excluded.draft_id,
            superseded_by = excluded.superseded_by, published_by = excluded.published_by,
            published_at_ms = excluded.published_at_ms, updated_at_ms = excluded.updated_at_ms",
    )
    .bind(site_id)
    .bind(&article.id)
    .bind(&article.title)
    .bind(&article.body_markdown)
    .bind(article.product_area.as_deref())
    .bind(to_json(&article.routes))
    .bind(to_json(&article.errors))
    .bind(enum_text(&article.status))
    .bind(article.version)
    .bind(article.draft_id.as_deref())
    .bind(article.superseded_by.as_deref())
    .bind(&article.published_by)
    .bind(article.published_at_ms)
    .bind(article.updated_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn write_history(
    tx: &mut Tx<'_>,
    site_id: &str,
    entry: &NewHistory<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO kb_history (site_id, subject, subject_id, at_ms, actor, action, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(site_id)
    .bind(entry.subject.name())
    .bind(entry.subject_id)
    .bind(entry.at_ms)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(to_json(&entry.detail))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn draft_from_row(row: &AnyRow) -> Result<DraftRecord, StoreError> {
    const T: &str = "kb_drafts";
    let text = |column: &'static str| -> Result<String, StoreError> { Ok(row.try_get(column)?) };
    let edited: i64 = row.try_get("edited")?;
    Ok(DraftRecord {
        id: text("id")?,
        origin: parse_enum(T, "origin", &text("origin")?)?,
        title: text("title")?,
        body_markdown: text("body_markdown")?,
        product_area: row.try_get("product_area")?,
        routes: parse_json(T, "routes", &text("routes")?)?,
        errors: parse_json(T, "errors", &text("errors")?)?,
        generated: parse_json(T, "generated", &text("generated")?)?,
        evidence: parse_json(T, "evidence", &text("evidence")?)?,
        flags: parse_json(T, "flags", &text("flags")?)?,
        state: parse_enum(T, "state", &text("state")?)?,
        reason: row.try_get("reason")?,
        article_id: row.try_get("article_id")?,
        edited: edited != 0,
        version: row.try_get("version")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        built_at_ms: row.try_get("built_at_ms")?,
    })
}

fn article_from_row(row: &AnyRow) -> Result<ArticleRecord, StoreError> {
    const T: &str = "kb_articles";
    let text = |column: &'static str| -> Result<String, StoreError> { Ok(row.try_get(column)?) };
    Ok(ArticleRecord {
        id: text("id")?,
        title: text("title")?,
        body_markdown: text("body_markdown")?,
        product_area: row.try_get("product_area")?,
        routes: parse_json(T, "routes", &text("routes")?)?,
        errors: parse_json(T, "errors", &text("errors")?)?,
        status: parse_enum(T, "status", &text("status")?)?,
        version: row.try_get("version")?,
        draft_id: row.try_get("draft_id")?,
        superseded_by: row.try_get("superseded_by")?,
        published_by: text("published_by")?,
        published_at_ms: row.try_get("published_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}
