//! Validation of a parsed matrix. Every problem names its key path
//! (`rules[2].when.all[0].same_error_customers.within`) so the operator can find it.

use super::condition::Condition;
use super::model::{ActionKind, EscalationMatrix, MATRIX_VERSION, Rule};
use crate::rules::check_notice_template;
use std::collections::BTreeSet;
use std::fmt;

/// Why a matrix cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    /// The text is not valid TOML or does not fit the matrix format (unknown key,
    /// wrong type, missing field).
    #[error("{path}: {message}{}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Syntax {
        /// Key path of the offending value (`rules[1].then.priority`), `.` for the root.
        path: String,
        /// What is wrong.
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
    },
    /// The matrix parsed but breaks its rules; every problem is listed.
    #[error("{}", Problem::list(.0))]
    Invalid(Vec<Problem>),
}

/// One validation problem, at one key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path (`teams[0].tier`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn list(problems: &[Problem]) -> String {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        lines.join("\n")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl EscalationMatrix {
    /// Checks the matrix: version, unique ids and levels, references to tiers and
    /// teams, non-empty conditions, positive windows and counts, action fields and
    /// notice templates. Returns every problem at once.
    pub fn validate(&self) -> Result<(), MatrixError> {
        let mut problems = Problems::default();
        if self.version != MATRIX_VERSION {
            problems.add(
                "version",
                format!(
                    "unsupported version {} (this build reads version {MATRIX_VERSION})",
                    self.version
                ),
            );
        }
        self.validate_tiers(&mut problems);
        self.validate_teams(&mut problems);
        let mut rule_ids = BTreeSet::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let path = format!("rules[{index}]");
            if !rule_ids.insert(rule.id.as_str()) {
                problems.add(
                    format!("{path}.id"),
                    format!("duplicate rule id `{}`", rule.id),
                );
            }
            self.validate_rule(&path, rule, &mut problems);
        }
        self.validate_ticket_types(&mut problems);
        self.validate_stage_requirements(&mut problems);
        problems.into_result()
    }

    fn validate_ticket_types(&self, problems: &mut Problems) {
        let mut ids = BTreeSet::new();
        let last = self.ticket_types.len().saturating_sub(1);
        for (index, kind) in self.ticket_types.iter().enumerate() {
            let path = format!("ticket_types[{index}]");
            if kind.id.trim().is_empty() {
                problems.add(format!("{path}.id"), "must not be empty");
            } else if !ids.insert(kind.id.as_str()) {
                problems.add(
                    format!("{path}.id"),
                    format!("duplicate ticket type id `{}`", kind.id),
                );
            }
            if kind.name.trim().is_empty() {
                problems.add(format!("{path}.name"), "must not be empty");
            }
            if kind.when.all.is_empty() && kind.when.any.is_empty() && index != last {
                problems.add(
                    format!("{path}.when"),
                    "a type without conditions matches every conversation, so the types after \
                     it never would: give it conditions or move it last",
                );
            }
            for (list, conditions) in [("all", &kind.when.all), ("any", &kind.when.any)] {
                for (at, condition) in conditions.iter().enumerate() {
                    let condition_path = format!("{path}.when.{list}[{at}].{}", condition.key());
                    self.validate_condition(&condition_path, condition, problems);
                }
            }
        }
    }

    fn validate_stage_requirements(&self, problems: &mut Problems) {
        let mut stages = BTreeSet::new();
        for (index, requirement) in self.stage_requirements.iter().enumerate() {
            let path = format!("stage_requirements[{index}]");
            if !stages.insert(requirement.stage) {
                problems.add(
                    format!("{path}.stage"),
                    "this stage already has requirements: list them once",
                );
            }
            if requirement.requires.is_empty() {
                problems.add(format!("{path}.requires"), "must name at least one item");
            }
        }
    }

    fn validate_tiers(&self, problems: &mut Problems) {
        let mut ids = BTreeSet::new();
        let mut levels = BTreeSet::new();
        for (index, tier) in self.tiers.iter().enumerate() {
            let path = format!("tiers[{index}]");
            if tier.id.as_str().is_empty() {
                problems.add(format!("{path}.id"), "must not be empty");
            } else if !ids.insert(tier.id.as_str()) {
                problems.add(
                    format!("{path}.id"),
                    format!("duplicate tier id `{}`", tier.id),
                );
            }
            if tier.level == 0 {
                problems.add(format!("{path}.level"), "must be 1 or more");
            } else if !levels.insert(tier.level) {
                problems.add(
                    format!("{path}.level"),
                    format!("level {} is used twice", tier.level),
                );
            }
            if tier.ack_sla.0 <= 0 {
                problems.add(format!("{path}.ack_sla"), "must be longer than zero");
            }
            if tier.resolution_sla < tier.ack_sla {
                problems.add(
                    format!("{path}.resolution_sla"),
                    format!(
                        "{} is shorter than ack_sla {}",
                        tier.resolution_sla, tier.ack_sla
                    ),
                );
            }
        }
    }

    fn validate_teams(&self, problems: &mut Problems) {
        let mut ids = BTreeSet::new();
        for (index, team) in self.teams.iter().enumerate() {
            let path = format!("teams[{index}]");
            if !ids.insert(team.id.as_str()) {
                problems.add(
                    format!("{path}.id"),
                    format!("duplicate team id `{}`", team.id),
                );
            }
            if self.tier(&team.tier).is_none() {
                problems.add(
                    format!("{path}.tier"),
                    format!("unknown tier `{}`", team.tier),
                );
            }
        }
    }

    fn validate_rule(&self, path: &str, rule: &Rule, problems: &mut Problems) {
        if rule.id.as_str().is_empty() {
            problems.add(format!("{path}.id"), "must not be empty");
        }
        if rule.when.all.is_empty() && rule.when.any.is_empty() {
            problems.add(
                format!("{path}.when"),
                "needs at least one condition in `all` or `any`",
            );
        }
        for (list, conditions) in [("all", &rule.when.all), ("any", &rule.when.any)] {
            for (index, condition) in conditions.iter().enumerate() {
                let condition_path = format!("{path}.when.{list}[{index}].{}", condition.key());
                self.validate_condition(&condition_path, condition, problems);
            }
        }
        self.validate_action(&format!("{path}.then"), rule, problems);
    }

    fn validate_condition(&self, path: &str, condition: &Condition, problems: &mut Problems) {
        let mut check = |ok: bool, key: &str, message: &str| {
            if !ok {
                problems.add(format!("{path}.{key}"), message);
            }
        };
        match condition {
            Condition::OpenAtTier { tier, for_at_least } => {
                check(
                    self.tier(tier).is_some(),
                    "tier",
                    &format!("unknown tier `{tier}`"),
                );
                check(
                    for_at_least.0 > 0,
                    "for_at_least",
                    "must be longer than zero",
                );
            }
            Condition::SlaRemaining { below, .. } => {
                check(below.0 > 0, "below", "must be longer than zero");
            }
            Condition::AtTier { any } => {
                check(!any.is_empty(), "any", "must list at least one tier");
                for tier in any {
                    check(
                        self.tier(tier).is_some(),
                        "any",
                        &format!("unknown tier `{tier}`"),
                    );
                }
            }
            Condition::SentimentBelow { score } => {
                check(
                    (-1.0..=1.0).contains(score),
                    "score",
                    "must be between -1 and 1",
                );
            }
            Condition::SentimentDrop {
                at_least,
                over_last,
            } => {
                check(
                    *at_least > 0.0 && *at_least <= 2.0,
                    "at_least",
                    "must be in (0, 2]",
                );
                check(*over_last >= 2, "over_last", "must be 2 or more");
            }
            Condition::CustomerSays { any }
            | Condition::Mentions { any }
            | Condition::ProductArea { any }
            | Condition::Plan { any }
            | Condition::AccountTier { any } => {
                let blank = any.iter().any(|item| item.trim().is_empty());
                check(
                    !any.is_empty() && !blank,
                    "any",
                    "must list at least one non-empty value",
                );
            }
            Condition::Attribute { key, any } => {
                check(!key.trim().is_empty(), "key", "must not be empty");
                check(!any.is_empty(), "any", "must list at least one value");
            }
            Condition::AttributeAtLeast { key, value } => {
                check(!key.trim().is_empty(), "key", "must not be empty");
                check(value.is_finite(), "value", "must be a finite number");
            }
            Condition::BillingAmountAbove { amount } => {
                check(
                    amount.is_finite() && *amount >= 0.0,
                    "amount",
                    "must be 0 or more",
                );
            }
            Condition::SameErrorCustomers { at_least, within }
            | Condition::JsErrorRepeated { at_least, within }
            | Condition::RageClicks { at_least, within }
            | Condition::DeadClicks { at_least, within }
            | Condition::CustomerMessagesWithin { at_least, within } => {
                check(*at_least >= 1, "at_least", "must be 1 or more");
                check(within.0 > 0, "within", "must be longer than zero");
            }
            Condition::ErrorPageRepeated {
                at_least,
                within,
                route,
            } => {
                check(*at_least >= 1, "at_least", "must be 1 or more");
                check(within.0 > 0, "within", "must be longer than zero");
                let route_ok = route.as_deref().is_none_or(|r| r.starts_with('/'));
                check(route_ok, "route", "must start with `/`");
            }
            Condition::FailedRequestRepeated {
                at_least,
                within,
                path: request_path,
            } => {
                check(*at_least >= 1, "at_least", "must be 1 or more");
                check(within.0 > 0, "within", "must be longer than zero");
                let path_ok = request_path.as_deref().is_none_or(|p| p.starts_with('/'));
                check(path_ok, "path", "must start with `/`");
            }
            Condition::Dwell { route, at_least } => {
                check(route.starts_with('/'), "route", "must start with `/`");
                check(at_least.0 > 0, "at_least", "must be longer than zero");
            }
            Condition::TurnsAtLeast { count } => {
                check(*count >= 1, "count", "must be 1 or more");
            }
        }
    }

    fn validate_action(&self, path: &str, rule: &Rule, problems: &mut Problems) {
        let then = &rule.then;
        let mut forbid = |present: bool, key: &str| {
            if present {
                problems.add(
                    format!("{path}.{key}"),
                    format!("not used by `{}`", action_name(then.action)),
                );
            }
        };
        match then.action {
            ActionKind::Escalate => forbid(then.to_team.is_some(), "to_team"),
            ActionKind::Transfer => forbid(then.to_tier.is_some(), "to_tier"),
            ActionKind::OfferHelp | ActionKind::EarlyWarning => {
                forbid(then.to_tier.is_some(), "to_tier");
                forbid(then.to_team.is_some(), "to_team");
            }
        }
        match then.action {
            ActionKind::Escalate => match &then.to_tier {
                None => problems.add(
                    format!("{path}.to_tier"),
                    "`escalate` needs a destination tier",
                ),
                Some(tier) if self.tier(tier).is_none() => {
                    problems.add(format!("{path}.to_tier"), format!("unknown tier `{tier}`"));
                }
                Some(_) => {}
            },
            ActionKind::Transfer => match &then.to_team {
                None => problems.add(
                    format!("{path}.to_team"),
                    "`transfer` needs a destination team",
                ),
                Some(team) if self.team(team).is_none() => {
                    problems.add(format!("{path}.to_team"), format!("unknown team `{team}`"));
                }
                Some(_) => {}
            },
            ActionKind::EarlyWarning => {
                if then
                    .next_step
                    .as_deref()
                    .is_none_or(|s| s.trim().is_empty())
                {
                    problems.add(
                        format!("{path}.next_step"),
                        "`early_warning` needs a recommended next step",
                    );
                }
            }
            ActionKind::OfferHelp => {}
        }
        if let Some(template) = &then.notice
            && let Err(error) = check_notice_template(template, then.action)
        {
            problems.add(format!("{path}.notice"), error.to_string());
        }
    }
}

fn action_name(action: ActionKind) -> &'static str {
    match action {
        ActionKind::Escalate => "escalate",
        ActionKind::Transfer => "transfer",
        ActionKind::OfferHelp => "offer_help",
        ActionKind::EarlyWarning => "early_warning",
    }
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    fn into_result(self) -> Result<(), MatrixError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(MatrixError::Invalid(self.0))
        }
    }
}
