//! Form state for the actions that need more than a click: the resolution
//! capture (prefilled, every field mandatory once escalated), the escalation,
//! the handoff-note edit. Each says what is missing before anything is sent.

use waymark_core::domain::{EscalationType, Resolution};

use crate::model::HandoffNote;

/// The resolution as the agent edits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolutionDraft {
    /// Why it happened.
    pub root_cause: String,
    /// What fixed it.
    pub fix: String,
    /// Where (browser, OS, deployment).
    pub environment: String,
    /// Product version.
    pub version: String,
}

impl From<Resolution> for ResolutionDraft {
    fn from(r: Resolution) -> Self {
        Self {
            root_cause: r.root_cause,
            fix: r.fix,
            environment: r.environment,
            version: r.version,
        }
    }
}

impl ResolutionDraft {
    /// The labels of the mandatory fields still empty (all four are mandatory:
    /// what is learned here is what the next visitor is told).
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("Root cause", &self.root_cause),
            ("Fix", &self.fix),
            ("Environment", &self.environment),
            ("Version", &self.version),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(label, _)| label)
        .collect()
    }

    /// The resolution to send, or what is missing.
    pub fn resolution(&self) -> Result<Resolution, String> {
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(format!("Fill in {}.", missing.join(", ")));
        }
        Ok(Resolution {
            root_cause: self.root_cause.trim().to_owned(),
            fix: self.fix.trim().to_owned(),
            environment: self.environment.trim().to_owned(),
            version: self.version.trim().to_owned(),
        })
    }
}

/// Every escalation type with its words, for the escalation form.
pub const ESCALATION_TYPES: &[(EscalationType, &str)] = &[
    (
        EscalationType::Functional,
        "Functional — needs more expertise",
    ),
    (
        EscalationType::Hierarchical,
        "Hierarchical — needs more authority",
    ),
    (
        EscalationType::Priority,
        "Priority — urgency or customer importance",
    ),
    (
        EscalationType::External,
        "External — leaves support (vendor, partner)",
    ),
];

/// The escalation type named by its wire name.
pub fn escalation_type(name: &str) -> Option<EscalationType> {
    ESCALATION_TYPES
        .iter()
        .map(|(t, _)| *t)
        .find(|t| t.to_string() == name)
}

/// An escalation as the agent fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationDraft {
    /// The tier above.
    pub to_tier: String,
    /// Why, as a type.
    pub escalation_type: EscalationType,
    /// The reason, in the agent's words.
    pub reason: String,
}

impl EscalationDraft {
    /// The request body, or what is missing.
    pub fn body(&self) -> Result<serde_json::Value, String> {
        if self.to_tier.trim().is_empty() {
            return Err("Choose the tier to escalate to.".to_owned());
        }
        if self.reason.trim().is_empty() {
            return Err("Say why it needs the next tier.".to_owned());
        }
        Ok(serde_json::json!({
            "to_tier": self.to_tier.trim(),
            "escalation_type": self.escalation_type,
            "reason": self.reason.trim(),
        }))
    }
}

/// The tier above `tier` in the demo's and sample matrix's naming (`tier1` →
/// `tier2`), the escalation form's default.
pub fn next_tier(tier: &str) -> Option<String> {
    let level: u32 = tier.strip_prefix("tier")?.parse().ok()?;
    Some(format!("tier{}", level + 1))
}

/// The handoff note as the agent edits it: lists as one item a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteDraft {
    /// Goal.
    pub goal: String,
    /// Tried, one a line.
    pub tried: String,
    /// Sentiment.
    pub sentiment: String,
    /// Commitments, one a line.
    pub commitments: String,
    /// Reason.
    pub reason: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl NoteDraft {
    /// The draft of `note`.
    pub fn of(note: &HandoffNote) -> Self {
        Self {
            goal: note.goal.clone(),
            tried: note.tried.join("\n"),
            sentiment: note.sentiment.clone(),
            commitments: note.commitments.join("\n"),
            reason: note.reason.clone(),
        }
    }

    /// `base` with this draft's fields (the trail and account stay), or what is
    /// missing.
    pub fn apply(&self, base: &HandoffNote) -> Result<HandoffNote, String> {
        let missing: Vec<&str> = [
            ("goal", &self.goal),
            ("sentiment", &self.sentiment),
            ("reason", &self.reason),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(name, _)| name)
        .collect();
        if !missing.is_empty() {
            return Err(format!("The note needs a {}.", missing.join(", a ")));
        }
        Ok(HandoffNote {
            goal: self.goal.trim().to_owned(),
            tried: lines(&self.tried),
            sentiment: self.sentiment.trim().to_owned(),
            commitments: lines(&self.commitments),
            reason: self.reason.trim().to_owned(),
            page_trail: base.page_trail.clone(),
            account: base.account.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_resolution_needs_every_field() {
        let mut draft = ResolutionDraft::from(Resolution {
            root_cause: "Card processor timeout".into(),
            fix: String::new(),
            environment: "Chrome 120".into(),
            version: " ".into(),
        });
        assert_eq!(draft.resolution().unwrap_err(), "Fill in Fix, Version.");
        draft.fix = "Retried".into();
        draft.version = "2.4.1".into();
        assert_eq!(draft.resolution().unwrap().version, "2.4.1");
    }

    #[test]
    fn an_escalation_names_tier_type_and_reason() {
        let draft = EscalationDraft {
            to_tier: "tier2".into(),
            escalation_type: EscalationType::Functional,
            reason: String::new(),
        };
        assert!(draft.body().is_err());
        let body = EscalationDraft {
            reason: "Payment processor errors".into(),
            ..draft
        }
        .body()
        .unwrap();
        assert_eq!(body["escalation_type"], "functional");
        assert_eq!(next_tier("tier1").as_deref(), Some("tier2"));
        assert_eq!(escalation_type("external"), Some(EscalationType::External));
    }

    #[test]
    fn an_edited_note_keeps_its_trail_and_splits_lists() {
        let base = HandoffNote {
            goal: "Pay".into(),
            sentiment: "calm".into(),
            reason: "asked".into(),
            account: [("plan".to_owned(), "growth".to_owned())].into(),
            ..HandoffNote::default()
        };
        let mut draft = NoteDraft::of(&base);
        draft.tried = "Retried the card\n\n Cleared cache ".into();
        let note = draft.apply(&base).unwrap();
        assert_eq!(note.tried, ["Retried the card", "Cleared cache"]);
        assert_eq!(note.account["plan"], "growth");
        draft.goal.clear();
        assert_eq!(draft.apply(&base).unwrap_err(), "The note needs a goal.");
    }
}
