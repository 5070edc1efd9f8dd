//! The audit trail in words: who did what and, for rules, why (the rule's own
//! explanation, naming each condition and value). Internal notes come out as
//! notes for the conversation column.

use serde_json::Value;

use crate::model::AuditEntry;

/// One audit entry, said in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// When.
    pub at_ms: i64,
    /// Who: `Rule cancel-language`, `Customer`, `agent@demo.test`, `Waymark`.
    pub who: String,
    /// What, in a sentence.
    pub what: String,
    /// Why, when a rule said so (its explanation).
    pub why: Option<String>,
    /// Whether a rule (not a person) did it.
    pub by_rule: bool,
}

/// Who `actor` is, in words; `users` maps user ids to display names.
pub fn who(actor: &str, names: &dyn Fn(&str) -> Option<String>) -> String {
    if let Some(rule) = actor.strip_prefix("rule:") {
        return format!("Rule {rule}");
    }
    if let Some(agent) = actor.strip_prefix("agent:") {
        return names(agent).unwrap_or_else(|| agent.to_owned());
    }
    match actor {
        "customer" => "Customer".to_owned(),
        "system" => "Waymark".to_owned(),
        other => other.to_owned(),
    }
}

fn text(detail: &Value, key: &str) -> String {
    detail
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn handoff_words(detail: &Value) -> String {
    let handoff = detail.get("handoff").cloned().unwrap_or(Value::Null);
    let field = |key: &str| text(&handoff, key);
    match field("kind").as_str() {
        "escalation" => format!(
            "escalated from {} to {} ({})",
            field("from_tier"),
            field("to_tier"),
            field("escalation_type")
        ),
        "transfer" => {
            let from = handoff
                .get("from_team")
                .and_then(Value::as_str)
                .map(|team| format!(" from {team}"))
                .unwrap_or_default();
            format!(
                "transferred{from} to {} at {}",
                field("to_team"),
                field("tier")
            )
        }
        _ => "moved the ticket".to_owned(),
    }
}

/// `entry` in words.
pub fn explain(entry: &AuditEntry, names: &dyn Fn(&str) -> Option<String>) -> Explained {
    let detail = &entry.detail;
    let reason = text(detail, "reason");
    let with_reason = |sentence: String| {
        if reason.trim().is_empty() {
            sentence
        } else {
            format!("{sentence}: {reason}")
        }
    };
    let what = match entry.action.as_str() {
        "created" => format!("opened the ticket at {}", text(detail, "tier")),
        "human_requested" => with_reason("asked for a person".to_owned()),
        "escalated" | "transferred" => with_reason(handoff_words(detail)),
        "proactive_help" => "offered help on the page".to_owned(),
        "early_warning" => format!("warned early: {}", text(detail, "next_step")),
        "customer_notified" => format!(
            "told the customer: {}",
            detail
                .get("notice")
                .map(|n| text(n, "text"))
                .unwrap_or_default()
        ),
        "acknowledged" => "acknowledged the ticket".to_owned(),
        "replied" => "replied to the customer".to_owned(),
        "internal_note" => format!("noted: {}", text(detail, "text")),
        "assigned" => format!(
            "assigned the ticket to {}",
            names_or(names, &text(detail, "owner"))
        ),
        "collaborator_added" => format!(
            "added {} as collaborator",
            names_or(names, &text(detail, "collaborator"))
        ),
        "collaborator_removed" => format!(
            "removed {} as collaborator",
            names_or(names, &text(detail, "collaborator"))
        ),
        "handoff_note_confirmed" => format!(
            "confirmed the handoff note (version {})",
            detail.get("version").and_then(Value::as_i64).unwrap_or(0)
        ),
        "resolved" => {
            let resolution = detail.get("resolution").cloned().unwrap_or(Value::Null);
            format!(
                "resolved it: {} — fixed by {}",
                text(&resolution, "root_cause"),
                text(&resolution, "fix")
            )
        }
        "reopened" => with_reason("reopened the ticket".to_owned()),
        "status_follow_up" => "asked for news".to_owned(),
        "csat" => format!(
            "rated the help {} of 5",
            detail.get("score").and_then(Value::as_i64).unwrap_or(0)
        ),
        other => other.replace('_', " "),
    };
    let why = Some(text(detail, "explanation")).filter(|w| !w.trim().is_empty());
    Explained {
        at_ms: entry.at_ms,
        who: who(&entry.actor, names),
        what,
        why,
        by_rule: entry.actor.starts_with("rule:"),
    }
}

fn names_or(names: &dyn Fn(&str) -> Option<String>, id: &str) -> String {
    names(id).unwrap_or_else(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn entry(actor: &str, action: &str, detail: Value) -> AuditEntry {
        AuditEntry {
            at_ms: 1,
            actor: actor.into(),
            action: action.into(),
            detail,
        }
    }

    fn no_names(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_rules_escalation_says_where_and_why() {
        let explained = explain(
            &entry(
                "rule:payment-failures",
                "escalated",
                serde_json::json!({"handoff": {"kind": "escalation", "from_tier": "tier1",
                    "to_tier": "tier2", "escalation_type": "automated", "stage": "triage"},
                    "reason": "Rule payment-failures fired: repeated payment errors.",
                    "explanation": "failed_request count 3 ≥ 2 on /billing"}),
            ),
            &no_names,
        );
        assert_eq!(explained.who, "Rule payment-failures");
        assert!(explained.by_rule);
        assert_eq!(
            explained.what,
            "escalated from tier1 to tier2 (automated): Rule payment-failures fired: repeated payment errors."
        );
        assert_eq!(
            explained.why.as_deref(),
            Some("failed_request count 3 ≥ 2 on /billing")
        );
    }

    #[test]
    fn agents_are_named_and_unknown_actions_still_read() {
        let names = |id: &str| (id == "u_1").then(|| "Sam Agent".to_owned());
        let explained = explain(
            &entry(
                "agent:u_1",
                "collaborator_added",
                serde_json::json!({"collaborator": "u_2"}),
            ),
            &names,
        );
        assert_eq!(explained.who, "Sam Agent");
        assert_eq!(explained.what, "added u_2 as collaborator");
        let unknown = explain(&entry("system", "sla_breached", Value::Null), &no_names);
        assert_eq!(
            (unknown.who.as_str(), unknown.what.as_str()),
            ("Waymark", "sla breached")
        );
    }
}
