//! What the agent API answers, as the console reads it. Domain values (ticket
//! state, priority, escalation type, resolution, messages, page events) are
//! core's types; the shapes around them mirror the server's DTOs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use waymark_core::domain::{EscalationType, LifecycleStage, Priority, Resolution, TicketState};
use waymark_core::wire::WireMessage;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including site settings.
    Admin,
    /// Knowledge: articles, gaps; reads tickets.
    KnowledgeManager,
    /// Works tickets.
    Agent,
}

impl Role {
    /// Whether the role may change site settings (matrix, widget settings).
    pub fn sees_admin_settings(self) -> bool {
        self == Role::Admin
    }

    /// Whether the role may act on tickets (reply, escalate, resolve, …).
    pub fn acts_on_tickets(self) -> bool {
        matches!(self, Role::Admin | Role::Agent)
    }

    /// The role in words.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::KnowledgeManager => "Knowledge manager",
            Role::Agent => "Agent",
        }
    }
}

/// A site the user is a member of.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SiteRef {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    /// Their id (what the audit trail and `owner` hold).
    pub id: String,
    /// Their login.
    pub email: String,
    /// Their display name.
    #[serde(default)]
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Sites they work on.
    #[serde(default)]
    pub sites: Vec<SiteRef>,
}

/// `POST /auth/login` and `GET /auth/me`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    /// Who.
    pub user: User,
    /// The token every write carries in `X-CSRF-Token` (none for API tokens).
    #[serde(default)]
    pub csrf_token: Option<String>,
}

/// A ticket as agents see it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ticket {
    /// Its id.
    pub id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// State machine position.
    pub state: TicketState,
    /// The tier that has it.
    pub tier: String,
    /// The team that has it.
    #[serde(default)]
    pub team: Option<String>,
    /// The one owner.
    #[serde(default)]
    pub owner: Option<String>,
    /// Collaborators.
    #[serde(default)]
    pub collaborators: Vec<String>,
    /// Priority.
    pub priority: Priority,
    /// The type of the last escalation.
    #[serde(default)]
    pub escalation_type: Option<EscalationType>,
    /// Lifecycle stage.
    #[serde(default)]
    pub stage: LifecycleStage,
    /// Subject line (the customer's words).
    #[serde(default)]
    pub subject: String,
    /// Ever escalated above the first tier.
    #[serde(default)]
    pub escalated: bool,
    /// Acknowledgement due, while that SLA runs.
    #[serde(default)]
    pub ack_due_ms: Option<i64>,
    /// When acknowledged.
    #[serde(default)]
    pub acknowledged_at_ms: Option<i64>,
    /// Resolution due.
    #[serde(default)]
    pub resolution_due_ms: Option<i64>,
    /// When resolved.
    #[serde(default)]
    pub resolved_at_ms: Option<i64>,
    /// The captured resolution.
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// Created.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
}

impl Ticket {
    /// When the next running SLA is due, if any runs.
    pub fn next_due_ms(&self) -> Option<i64> {
        [self.ack_due_ms, self.resolution_due_ms]
            .into_iter()
            .flatten()
            .min()
    }
}

/// One queue entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct QueueEntry {
    /// Milliseconds until the next SLA when the server answered.
    #[serde(default)]
    pub sla_risk_ms: Option<i64>,
    /// The ticket.
    pub ticket: Ticket,
}

/// A member of the site (for names and the assign picker).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Member {
    /// User id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Login.
    pub email: String,
    /// `admin`, `knowledge_manager` or `agent`.
    pub role: String,
}

/// Open tickets per queue filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct QueueCounts {
    /// Every open ticket.
    pub all: usize,
    /// The signed-in user's.
    pub mine: usize,
    /// Nobody's.
    pub unassigned: usize,
    /// SLA passed.
    pub breached: usize,
    /// Waiting on the customer.
    pub waiting_on_customer: usize,
    /// Per tier.
    #[serde(default)]
    pub tiers: BTreeMap<String, usize>,
    /// Per team.
    #[serde(default)]
    pub teams: BTreeMap<String, usize>,
}

/// One line of the page trail in a handoff note.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrailItem {
    /// When (browser clock).
    pub at_ms: i64,
    /// `page_view`, `js_error`, `failed_request`, `rage_click`, …
    pub kind: String,
    /// The route.
    pub route: String,
    /// What happened there.
    #[serde(default)]
    pub detail: String,
}

/// The handoff note as stored: the mandatory fields, the page trail and the
/// account data the page shared.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HandoffNote {
    /// What the customer is trying to do.
    #[serde(default)]
    pub goal: String,
    /// What was tried.
    #[serde(default)]
    pub tried: Vec<String>,
    /// Sentiment in words.
    #[serde(default)]
    pub sentiment: String,
    /// Commitments already made.
    #[serde(default)]
    pub commitments: Vec<String>,
    /// Why it was escalated.
    #[serde(default)]
    pub reason: String,
    /// The page trail.
    #[serde(default)]
    pub page_trail: Vec<TrailItem>,
    /// Account data the page shared.
    #[serde(default)]
    pub account: BTreeMap<String, String>,
}

/// One version of the handoff note.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NoteVersion {
    /// 1, 2, …
    pub version: i64,
    /// `generated` or `confirmed`.
    pub source: String,
    /// `system` or the agent.
    pub author: String,
    /// When.
    pub at_ms: i64,
    /// The note.
    pub note: HandoffNote,
}

/// One audit-trail entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at_ms: i64,
    /// `rule:<id>`, `customer`, `agent:<id>`, `system`.
    pub actor: String,
    /// What happened.
    pub action: String,
    /// The details.
    #[serde(default)]
    pub detail: serde_json::Value,
}

/// The customer as the ticket knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Customer {
    /// The host product's user id, once identified.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// The browser session (for the page trail).
    #[serde(default)]
    pub session_id: Option<String>,
    /// Whether the identity was verified by the host's signature.
    #[serde(default)]
    pub verified: Option<bool>,
}

/// Everything on one ticket.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketDetail {
    /// The ticket.
    pub ticket: Ticket,
    /// Its customer.
    #[serde(default)]
    pub customer: Customer,
    /// The conversation, oldest first.
    #[serde(default)]
    pub messages: Vec<WireMessage>,
    /// Every handoff-note version, oldest first.
    #[serde(default)]
    pub handoff_notes: Vec<NoteVersion>,
    /// The audit trail, oldest first.
    #[serde(default)]
    pub trail: Vec<AuditEntry>,
    /// The page trail summarised by the server.
    #[serde(default)]
    pub page_trail: Vec<TrailItem>,
    /// The stages ahead that still lack what the site's matrix requires.
    #[serde(default)]
    pub needs: Vec<StageNeeds>,
}

/// A lifecycle stage ahead of the ticket and what it still lacks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StageNeeds {
    /// The stage (`investigation`).
    pub stage: String,
    /// What is missing.
    pub missing: Vec<MissingInfo>,
}

/// One missing piece of information and how an agent supplies it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MissingInfo {
    /// Which (`goal`, `account`, …).
    pub info: String,
    /// What to do.
    pub how: String,
}

impl StageNeeds {
    /// One line for the ticket view: "Before investigation: account (ask …)".
    pub fn line(&self) -> String {
        let items: Vec<String> = self
            .missing
            .iter()
            .map(|m| format!("{} ({})", m.info.replace('_', " "), m.how))
            .collect();
        format!("Before {}: {}", self.stage, items.join("; "))
    }
}

impl TicketDetail {
    /// The newest handoff note.
    pub fn current_note(&self) -> Option<&NoteVersion> {
        self.handoff_notes.iter().max_by_key(|n| n.version)
    }
}

/// The account lines of a note with their marks: `(key, value, verified)`. Only
/// the identity the host signed (`user_id`, `email`, `name`, when the customer is
/// marked verified) counts as verified; whatever else the page shared is not.
pub fn account_marks(note: &HandoffNote, customer: &Customer) -> Vec<(String, String, bool)> {
    // The note says itself whether the host proved the identity (`verified`);
    // that entry is the mark, not a row.
    let identity_verified = customer.verified == Some(true)
        || note.account.get("verified").map(String::as_str) == Some("true");
    note.account
        .iter()
        .filter(|(key, _)| key.as_str() != "verified")
        .map(|(key, value)| {
            let verified =
                identity_verified && matches!(key.as_str(), "user_id" | "email" | "name");
            (key.clone(), value.clone(), verified)
        })
        .collect()
}

/// The API's error shape.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiErrorBody {
    /// `{code, message}`.
    pub error: ApiErrorDetail,
}

/// The code and message of an API error.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiErrorDetail {
    /// Stable code (`invalid_credentials`, `account_locked`, …).
    pub code: String,
    /// Human message.
    #[serde(default)]
    pub message: String,
}

/// A change announced by the site's live stream.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LiveEvent {
    /// `ticket` or `message`.
    pub kind: String,
    /// The conversation concerned.
    pub conversation_id: String,
    /// The ticket concerned, if any.
    #[serde(default)]
    pub ticket_id: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_ticket_detail_as_the_server_sends_it_reads() {
        let json = r#"{"ticket":{"id":"t_1","conversation_id":"c_1","state":"new","tier":"tier1",
            "team":null,"owner":null,"collaborators":[],"priority":"high","escalation_type":"functional",
            "stage":"triage","subject":"Payment fails","escalated":false,"ack_due_ms":10,
            "acknowledged_at_ms":null,"resolution_due_ms":20,"resolved_at_ms":null,"resolution":null,
            "fired_rules":["r1"],"created_at_ms":1,"updated_at_ms":2},
            "customer":{"user_id":null,"name":"Ann","email":null,"session_id":"s1"},
            "messages":[{"id":"m1","at_ms":1,"author":"customer","text":"help"}],
            "handoff_notes":[{"version":1,"source":"generated","author":"system","at_ms":1,
              "note":{"goal":"Pay","tried":[],"sentiment":"frustrated (-0.6)","commitments":[],
              "reason":"asked","page_trail":[{"at_ms":1,"kind":"failed_request","route":"/billing",
              "detail":"POST /api/pay → 502"}],"account":{"plan":"growth"}}}],
            "trail":[{"at_ms":1,"actor":"customer","action":"human_requested","detail":{"reason":"x"}}],
            "page_trail":[],"csat":null,"needs":[{"stage":"investigation",
              "missing":[{"info":"verified_account","how":"have the customer signed in"}]}]}"#;
        let detail: TicketDetail = serde_json::from_str(json).unwrap();
        assert_eq!(
            detail.needs[0].line(),
            "Before investigation: verified account (have the customer signed in)"
        );
        assert_eq!(detail.ticket.next_due_ms(), Some(10));
        let note = detail.current_note().unwrap();
        assert_eq!(note.note.page_trail[0].kind, "failed_request");
        assert_eq!(detail.customer.name.as_deref(), Some("Ann"));
    }

    #[test]
    fn only_a_signed_identity_is_marked_verified() {
        let note = HandoffNote {
            account: [
                ("email".to_owned(), "ann@example.com".to_owned()),
                ("plan".to_owned(), "growth".to_owned()),
            ]
            .into(),
            ..HandoffNote::default()
        };
        let unverified = account_marks(&note, &Customer::default());
        assert!(unverified.iter().all(|(_, _, verified)| !verified));
        let signed = Customer {
            verified: Some(true),
            ..Customer::default()
        };
        let marks = account_marks(&note, &signed);
        assert_eq!(marks[0], ("email".into(), "ann@example.com".into(), true));
        assert!(!marks[1].2, "the plan is the page's word only");
    }

    #[test]
    fn the_notes_own_verified_entry_is_the_mark_not_a_row() {
        let mut note = HandoffNote {
            account: [
                ("email".to_owned(), "ann@example.com".to_owned()),
                ("verified".to_owned(), "false".to_owned()),
            ]
            .into(),
            ..HandoffNote::default()
        };
        let marks = account_marks(&note, &Customer::default());
        assert_eq!(
            marks,
            vec![("email".into(), "ann@example.com".into(), false)]
        );
        note.account.insert("verified".into(), "true".into());
        assert!(account_marks(&note, &Customer::default())[0].2);
    }

    #[test]
    fn only_admins_see_settings_and_knowledge_managers_do_not_act() {
        assert!(Role::Admin.sees_admin_settings());
        assert!(!Role::KnowledgeManager.sees_admin_settings());
        assert!(!Role::Agent.sees_admin_settings());
        assert!(!Role::KnowledgeManager.acts_on_tickets());
        assert!(Role::Agent.acts_on_tickets());
    }
}
