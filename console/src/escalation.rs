//! The Alerts page's data: early-warning alerts waiting for an agent's decision
//! and incidents (many customers, one error), as the agent API sends them, with
//! the words the page shows.

use serde::Deserialize;

/// An early-warning alert on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Alert {
    /// Its id.
    pub id: String,
    /// The ticket it warns about.
    pub ticket_id: String,
    /// What raised it (`rule:sla-risk`, `handoff_failure`, …).
    pub kind: String,
    /// Why, in words.
    pub reason: String,
    /// The recommended next step (or the adjusted one).
    pub next_step: String,
    /// `open`, `confirmed`, `adjusted` or `dismissed`.
    pub state: String,
    /// Who decided.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// The decision's note.
    #[serde(default)]
    pub decision_note: Option<String>,
    /// When it was decided.
    #[serde(default)]
    pub decided_at_ms: Option<i64>,
    /// When it was raised.
    pub created_at_ms: i64,
}

impl Alert {
    /// Whether it still waits for a decision.
    pub fn is_open(&self) -> bool {
        self.state == "open"
    }

    /// What raised it, in words: a rule by its id, else the signal's name.
    pub fn source(&self) -> String {
        match self.kind.strip_prefix("rule:") {
            Some(rule) => format!("Rule {rule}"),
            None => self.kind.replace('_', " "),
        }
    }

    /// How long ago it was raised (`12 min ago`).
    pub fn age(&self, now_ms: i64) -> String {
        ago(now_ms - self.created_at_ms)
    }

    /// The decision in words (`confirmed by Sam`), for decided alerts.
    pub fn decision(&self, name_of: impl Fn(&str) -> Option<String>) -> Option<String> {
        let who = self.decided_by.as_deref()?;
        let who = name_of(who).unwrap_or_else(|| who.to_owned());
        Some(format!("{} by {who}", self.state))
    }
}

/// An elapsed time in words: `just now`, `12 min ago`, `3 h ago`, `2 d ago`.
pub fn ago(elapsed_ms: i64) -> String {
    let minutes = elapsed_ms.max(0) / 60_000;
    match minutes {
        0 => "just now".to_owned(),
        1..=59 => format!("{minutes} min ago"),
        60..=1439 => format!("{} h ago", minutes / 60),
        _ => format!("{} d ago", minutes / 1440),
    }
}

/// Open alerts first, newest first within each group.
pub fn order_alerts(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        b.is_open()
            .cmp(&a.is_open())
            .then(b.created_at_ms.cmp(&a.created_at_ms))
    });
}

/// One incident: many customers hit by one error.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Incident {
    /// Its id.
    pub id: String,
    /// The error fingerprint or route it gathers.
    pub fingerprint: String,
    /// Its title.
    pub title: String,
    /// `open` or `resolved`.
    pub state: String,
    /// When it opened.
    pub opened_at_ms: i64,
    /// When it was resolved.
    #[serde(default)]
    pub resolved_at_ms: Option<i64>,
    /// Who resolved it.
    #[serde(default)]
    pub resolved_by: Option<String>,
    /// What the customers were told.
    #[serde(default)]
    pub resolution_note: Option<String>,
    /// The affected sessions (detail only).
    #[serde(default)]
    pub affected: Option<Vec<Affected>>,
}

/// A customer linked to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Affected {
    /// Their session.
    pub session_id: String,
    /// Their conversation, when they wrote.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Who they are, when known.
    #[serde(default)]
    pub customer: Option<String>,
    /// When they were linked.
    pub linked_at_ms: i64,
}

impl Incident {
    /// Whether it is still being worked.
    pub fn is_open(&self) -> bool {
        self.state == "open"
    }
}

/// Why a resolution note cannot be sent, if it cannot: every linked customer
/// reads it.
pub fn resolution_note_problem(note: &str) -> Option<&'static str> {
    let note = note.trim();
    if note.is_empty() {
        Some("Write what was fixed: every affected customer reads it.")
    } else if note.chars().count() < 10 {
        Some("Say a little more: every affected customer reads it.")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn alert(id: &str, state: &str, at: i64) -> Alert {
        serde_json::from_value(serde_json::json!({
            "id": id, "ticket_id": "t_1", "kind": "rule:sla-risk", "reason": "SLA due in 10 min",
            "next_step": "Reply now", "state": state, "created_at_ms": at,
            "decided_by": if state == "open" { None } else { Some("u_1") }
        }))
        .unwrap()
    }

    #[test]
    fn open_alerts_come_first_then_newest() {
        let mut alerts = vec![
            alert("a", "dismissed", 30),
            alert("b", "open", 10),
            alert("c", "open", 20),
        ];
        order_alerts(&mut alerts);
        let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["c", "b", "a"]);
    }

    #[test]
    fn alerts_read_in_words() {
        let open = alert("a", "open", 0);
        assert_eq!(open.source(), "Rule sla-risk");
        assert_eq!(open.age(12 * 60_000), "12 min ago");
        assert_eq!(open.age(30_000), "just now");
        assert_eq!(open.age(3 * 3_600_000 + 5), "3 h ago");
        assert_eq!(open.decision(|_| None), None);
        let done = alert("b", "confirmed", 0);
        assert_eq!(
            done.decision(|id| (id == "u_1").then(|| "Sam".to_owned()))
                .as_deref(),
            Some("confirmed by Sam")
        );
        let signal = Alert {
            kind: "handoff_failure".into(),
            ..open
        };
        assert_eq!(signal.source(), "handoff failure");
    }

    #[test]
    fn a_resolution_note_must_say_something() {
        assert!(resolution_note_problem("  ").is_some());
        assert!(resolution_note_problem("fixed").is_some());
        assert!(
            resolution_note_problem("The payment service is back; retry your payment.").is_none()
        );
    }
}
