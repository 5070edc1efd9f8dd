//! The knowledge section's data and decisions, without the browser: drafts,
//! articles and gaps as the agent API sends them, the list filter, the editor's
//! state (what changed, what may be done), flags and history in words, and the
//! performance table's order. The preview is `waymark_core::markdown`: the same
//! allow-list the server renders with.

use serde::Deserialize;
use serde_json::Value;

use crate::model::Role;

/// A flag on a draft.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DraftFlag {
    /// `duplicate`, `contradiction` or `stale`.
    pub kind: String,
    /// The article concerned.
    #[serde(default)]
    pub article_id: Option<String>,
}

impl DraftFlag {
    /// The flag in words.
    pub fn label(&self) -> String {
        let article = self.article_id.as_deref().unwrap_or("a published article");
        match self.kind.as_str() {
            "duplicate" => format!("Duplicate of {article}"),
            "contradiction" => format!("Contradicts {article}"),
            "stale" => "Stale: no recent tickets".to_owned(),
            other => other.replace('_', " "),
        }
    }
}

/// A draft in the list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DraftSummary {
    /// Its id.
    pub id: String,
    /// `cluster`, `ticket` or `gap`.
    pub origin: String,
    /// Title.
    pub title: String,
    /// `new`, `in_review`, `published`, `rejected`, `expired`.
    pub state: String,
    /// Product area.
    #[serde(default)]
    pub product_area: Option<String>,
    /// Routes it is suggested on.
    #[serde(default)]
    pub routes: Vec<String>,
    /// Errors it answers.
    #[serde(default)]
    pub errors: Vec<String>,
    /// How many tickets are behind it.
    pub evidence_count: usize,
    /// Flags.
    #[serde(default)]
    pub flags: Vec<DraftFlag>,
    /// Why it was rejected.
    #[serde(default)]
    pub reason: Option<String>,
    /// The article it became.
    #[serde(default)]
    pub article_id: Option<String>,
    /// The version to send back.
    pub version: i64,
    /// Last change (ms).
    pub updated_at_ms: i64,
}

/// One history entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HistoryEntry {
    /// When (ms).
    pub at_ms: i64,
    /// Who (a user id or `system`).
    pub actor: String,
    /// What.
    pub action: String,
    /// Details.
    #[serde(default)]
    pub detail: Value,
}

impl HistoryEntry {
    /// The action in words, with its detail.
    pub fn describe(&self) -> String {
        let detail = &self.detail;
        match self.action.as_str() {
            "created" => format!(
                "Drafted from {} ticket(s)",
                detail["tickets"].as_u64().unwrap_or(0)
            ),
            "rebuilt" => format!(
                "Rebuilt: {} → {} ticket(s){}",
                detail["tickets_before"].as_u64().unwrap_or(0),
                detail["tickets"].as_u64().unwrap_or(0),
                if detail["content_updated"] == Value::Bool(false) {
                    ", your text kept"
                } else {
                    ""
                }
            ),
            "review_started" => "Review started".to_owned(),
            "edited" => {
                let fields: Vec<&str> = detail["fields"]
                    .as_array()
                    .map(|f| f.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                format!("Edited {}", fields.join(", ").replace('_', " "))
            }
            "published" => format!(
                "Published as {}",
                detail["article_id"].as_str().unwrap_or("an article")
            ),
            "rejected" => format!("Rejected: {}", detail["reason"].as_str().unwrap_or("")),
            "expired" => "Expired without review".to_owned(),
            "unpublished" => match detail["reason"].as_str() {
                Some(reason) => format!("Unpublished: {reason}"),
                None => "Unpublished".to_owned(),
            },
            "superseded" => format!(
                "Superseded by {}",
                detail["by"].as_str().unwrap_or("another article")
            ),
            other => other.replace('_', " "),
        }
    }
}

/// One draft whole.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DraftDetail {
    /// The list fields.
    #[serde(flatten)]
    pub summary: DraftSummary,
    /// The body.
    pub body_markdown: String,
    /// What happened to it.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// One ticket behind a draft.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EvidenceTicket {
    /// Ticket id.
    pub id: String,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// What the customer wrote.
    #[serde(default)]
    pub customer_words: Vec<String>,
}

/// `POST …/publish`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Published {
    /// The draft after.
    pub draft: DraftDetail,
    /// The article.
    pub article: ArticleRef,
}

/// An article, as far as the console needs it after publishing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArticleRef {
    /// Its id.
    pub id: String,
    /// Its status.
    pub status: String,
}

/// A row of the performance table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArticleRow {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `published`, `unpublished`, `superseded`, `imported`.
    pub status: String,
    /// Shown in suggestion sets.
    pub shown: i64,
    /// Opened whole.
    pub opened: i64,
    /// "Solved it".
    pub solved: i64,
    /// Escalated after being shown.
    pub escalated_after: i64,
    /// `escalated_after / shown`.
    pub escalation_rate: f32,
}

/// A knowledge gap.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Gap {
    /// Its id.
    pub id: String,
    /// Route and fingerprint.
    pub key: GapKey,
    /// Unanswered questions that escalated.
    pub count: usize,
    /// Questions asked there.
    #[serde(default)]
    pub asked: usize,
    /// Share that asked for a person.
    #[serde(default)]
    pub escalation_share: f32,
    /// Example questions.
    #[serde(default)]
    pub examples: Vec<String>,
    /// The draft made from it.
    #[serde(default)]
    pub draft_id: Option<String>,
}

/// What a gap is grouped by.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GapKey {
    /// Route.
    pub route: String,
    /// Fingerprint.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// A state in words.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "new" => "New",
        "in_review" => "In review",
        "published" => "Published",
        "rejected" => "Rejected",
        "expired" => "Expired",
        "unpublished" => "Unpublished",
        "superseded" => "Superseded",
        "imported" => "Imported",
        _ => "Unknown",
    }
}

/// Which drafts the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DraftFilter {
    /// New and in review.
    #[default]
    Open,
    /// Published.
    Published,
    /// Rejected and expired.
    Closed,
    /// All.
    All,
}

impl DraftFilter {
    /// Every filter, in chip order.
    pub const ALL: [DraftFilter; 4] = [
        DraftFilter::Open,
        DraftFilter::Published,
        DraftFilter::Closed,
        DraftFilter::All,
    ];

    /// The chip's label.
    pub fn label(self) -> &'static str {
        match self {
            DraftFilter::Open => "To review",
            DraftFilter::Published => "Published",
            DraftFilter::Closed => "Closed",
            DraftFilter::All => "All",
        }
    }

    /// Whether a draft in `state` is shown.
    pub fn admits(self, state: &str) -> bool {
        match self {
            DraftFilter::Open => matches!(state, "new" | "in_review"),
            DraftFilter::Published => state == "published",
            DraftFilter::Closed => matches!(state, "rejected" | "expired"),
            DraftFilter::All => true,
        }
    }
}

/// What a role may do in the knowledge section.
pub fn manages_knowledge(role: Role) -> bool {
    matches!(role, Role::Admin | Role::KnowledgeManager)
}

/// The editor's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditorFields {
    /// Title.
    pub title: String,
    /// Body, Markdown.
    pub body: String,
    /// Routes, one a line.
    pub routes: String,
    /// Errors, one a line.
    pub errors: String,
}

impl EditorFields {
    /// The fields as the draft holds them.
    pub fn of(draft: &DraftDetail) -> Self {
        Self {
            title: draft.summary.title.clone(),
            body: draft.body_markdown.clone(),
            routes: draft.summary.routes.join("\n"),
            errors: draft.summary.errors.join("\n"),
        }
    }

    /// The `PUT …/drafts/{id}` body with what differs from `saved`; `None` when
    /// nothing changed.
    pub fn changes(&self, saved: &EditorFields, version: i64) -> Option<Value> {
        let mut body = serde_json::Map::new();
        if self.title != saved.title {
            body.insert("title".into(), Value::from(self.title.trim()));
        }
        if self.body != saved.body {
            body.insert("body_markdown".into(), Value::from(self.body.clone()));
        }
        if lines(&self.routes) != lines(&saved.routes) {
            body.insert("routes".into(), Value::from(lines(&self.routes)));
        }
        if lines(&self.errors) != lines(&saved.errors) {
            body.insert("errors".into(), Value::from(lines(&self.errors)));
        }
        if body.is_empty() {
            return None;
        }
        body.insert("expected_version".into(), Value::from(version));
        Some(Value::Object(body))
    }

    /// What stops publishing, in words (`None`: it can be published).
    pub fn publish_blocker(&self) -> Option<&'static str> {
        if self.title.trim().is_empty() {
            return Some("The article needs a title.");
        }
        if self.body.trim().is_empty() {
            return Some("The article needs a body.");
        }
        if lines(&self.routes).is_empty() && lines(&self.errors).is_empty() {
            return Some("Name a page or an error so the widget knows where to suggest it.");
        }
        None
    }
}

/// The non-empty trimmed lines of a text area.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A share as a percentage.
pub fn percent(share: f32) -> String {
    format!("{:.0} %", share * 100.0)
}

/// The performance table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Shown.
    Shown,
    /// Opened.
    Opened,
    /// Solved it.
    Solved,
    /// Escalated after.
    EscalatedAfter,
    /// Escalation rate.
    EscalationRate,
}

impl Column {
    /// Every sortable column, in table order.
    pub const ALL: [Column; 5] = [
        Column::Shown,
        Column::Opened,
        Column::Solved,
        Column::EscalatedAfter,
        Column::EscalationRate,
    ];

    /// The `sort` the API knows it by.
    pub fn param(self) -> &'static str {
        match self {
            Column::Shown => "shown",
            Column::Opened => "opened",
            Column::Solved => "solved",
            Column::EscalatedAfter => "escalated_after",
            Column::EscalationRate => "escalation_rate",
        }
    }

    /// The header.
    pub fn label(self) -> &'static str {
        match self {
            Column::Shown => "Shown",
            Column::Opened => "Opened",
            Column::Solved => "Solved it",
            Column::EscalatedAfter => "Escalated after",
            Column::EscalationRate => "Escalation rate",
        }
    }

    /// The cell of `row`.
    pub fn cell(self, row: &ArticleRow) -> String {
        match self {
            Column::Shown => row.shown.to_string(),
            Column::Opened => row.opened.to_string(),
            Column::Solved => row.solved.to_string(),
            Column::EscalatedAfter => row.escalated_after.to_string(),
            Column::EscalationRate => percent(row.escalation_rate),
        }
    }
}

/// The table's order: a column and a direction; clicking the column again flips it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOrder {
    /// The column.
    pub column: Column,
    /// Ascending.
    pub ascending: bool,
}

impl Default for TableOrder {
    fn default() -> Self {
        Self {
            column: Column::Shown,
            ascending: false,
        }
    }
}

impl TableOrder {
    /// The order after a click on `column`.
    pub fn clicked(self, column: Column) -> Self {
        if self.column == column {
            Self {
                column,
                ascending: !self.ascending,
            }
        } else {
            Self {
                column,
                ascending: false,
            }
        }
    }

    /// The query string of `GET …/knowledge/articles`.
    pub fn query(self) -> String {
        format!(
            "sort={}&order={}",
            self.column.param(),
            if self.ascending { "asc" } else { "desc" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> DraftDetail {
        serde_json::from_value(serde_json::json!({
            "id": "c1", "origin": "cluster", "title": "Invitation email never arrives",
            "state": "new", "routes": ["/settings/team"], "errors": [], "evidence_count": 3,
            "flags": [{"kind": "duplicate", "article_id": "kb-x", "similarity": 0.7}],
            "version": 2, "updated_at_ms": 1, "body_markdown": "## Fix\n\n1. Check spam",
            "history": [{"at_ms": 1, "actor": "system", "action": "created", "detail": {"tickets": 3}}]
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_editor_sends_only_what_changed_with_the_version() {
        let draft = detail();
        let saved = EditorFields::of(&draft);
        assert_eq!(saved.changes(&saved, 2), None);
        let mut edited = saved.clone();
        edited.title = "  Invitation email does not arrive ".into();
        edited.routes = "/settings/team\n\n /settings/users \n".into();
        let body = edited.changes(&saved, 2).unwrap_or_default();
        assert_eq!(
            body,
            serde_json::json!({"title": "Invitation email does not arrive",
                "routes": ["/settings/team", "/settings/users"], "expected_version": 2})
        );
    }

    #[test]
    fn publishing_needs_a_title_a_body_and_a_place() {
        let mut fields = EditorFields::of(&detail());
        assert_eq!(fields.publish_blocker(), None);
        fields.routes.clear();
        assert!(fields.publish_blocker().is_some_and(|b| b.contains("page")));
        fields.routes = "/x".into();
        fields.body = "  ".into();
        assert_eq!(fields.publish_blocker(), Some("The article needs a body."));
    }

    #[test]
    fn flags_history_and_filters_read_as_words() {
        let draft = detail();
        assert_eq!(draft.summary.flags[0].label(), "Duplicate of kb-x");
        assert_eq!(draft.history[0].describe(), "Drafted from 3 ticket(s)");
        let rejected = HistoryEntry {
            at_ms: 0,
            actor: "u".into(),
            action: "rejected".into(),
            detail: serde_json::json!({"reason": "Too vague"}),
        };
        assert_eq!(rejected.describe(), "Rejected: Too vague");
        assert!(DraftFilter::Open.admits("in_review") && !DraftFilter::Open.admits("published"));
        assert!(DraftFilter::Closed.admits("expired"));
        assert!(manages_knowledge(Role::KnowledgeManager) && !manages_knowledge(Role::Agent));
    }

    #[test]
    fn clicking_a_column_sorts_by_it_then_flips() {
        let order = TableOrder::default().clicked(Column::Solved);
        assert_eq!(order.query(), "sort=solved&order=desc");
        assert_eq!(
            order.clicked(Column::Solved).query(),
            "sort=solved&order=asc"
        );
        let row = ArticleRow {
            id: "a".into(),
            title: "A".into(),
            status: "published".into(),
            shown: 4,
            opened: 2,
            solved: 1,
            escalated_after: 1,
            escalation_rate: 0.25,
        };
        assert_eq!(Column::EscalationRate.cell(&row), "25 %");
    }
}
