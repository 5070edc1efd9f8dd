//! Evaluation: every rule, every condition, then selection by the documented
//! tie-breaks (see the module docs of [`crate::rules`]).

use super::check::{ConditionCheck, check, holds};
use super::facts::{Facts, RuleFacts};
use super::notice::{NoticeVars, render_notice};
use crate::domain::{EscalationType, LifecycleStage, Priority};
use crate::ids::{RuleId, TeamId, TierId};
use crate::matrix::{ActionKind, ContextField, EscalationMatrix, Rule};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// What the engine decided to do, with the rule and its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The rule that fired.
    pub rule: RuleId,
    /// The action, with its destination.
    pub action: DecidedAction,
    /// Priority to give the ticket.
    pub priority: Priority,
    /// Escalation type to record.
    pub escalation_type: EscalationType,
    /// Context that must travel with the handoff.
    pub context: Vec<ContextField>,
    /// The ticket's lifecycle stage when the rule fired (none without a ticket).
    pub stage: Option<LifecycleStage>,
    /// The customer notice, rendered.
    pub notice: Option<String>,
    /// Every condition of the rule with its actual value.
    pub checks: Vec<ConditionCheck>,
}

/// A decided action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DecidedAction {
    /// Escalate up to `to_tier`.
    Escalate {
        /// Where the ticket is now (none without a ticket).
        from_tier: Option<TierId>,
        /// Where it goes.
        to_tier: TierId,
    },
    /// Transfer sideways to `to_team`.
    Transfer {
        /// Where it goes.
        to_team: TeamId,
    },
    /// Open a proactive-help nudge in the widget.
    OfferHelp {
        /// The nudge text, if the rule has one.
        message: Option<String>,
    },
    /// Warn an agent before escalation.
    EarlyWarning {
        /// Recommended next step.
        next_step: String,
    },
}

/// The full evaluation: the selected decisions and an explanation for every rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Selected decisions: routing, then help, then warnings.
    pub decisions: Vec<Decision>,
    /// One explanation per rule, in file order.
    pub rules: Vec<RuleExplanation>,
}

/// Why a rule did or did not produce a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleExplanation {
    /// The rule.
    pub rule: RuleId,
    /// What became of it.
    pub outcome: RuleOutcome,
    /// Every condition with its actual value.
    pub checks: Vec<ConditionCheck>,
}

/// What became of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RuleOutcome {
    /// It matched and produced a decision.
    Fired,
    /// Its conditions did not hold.
    NotMatched,
    /// It matched but does not apply (already fired, wrong direction, no ticket).
    Skipped {
        /// Why.
        reason: String,
    },
    /// It matched but another rule won the tie-break.
    Outranked {
        /// The winner.
        by: RuleId,
    },
}

impl RuleExplanation {
    /// Multi-line text: the outcome, then one line per condition with ✓ or ✗.
    pub fn to_text(&self) -> String {
        let outcome = match &self.outcome {
            RuleOutcome::Fired => "fired".to_owned(),
            RuleOutcome::NotMatched => "did not match".to_owned(),
            RuleOutcome::Skipped { reason } => format!("matched but skipped: {reason}"),
            RuleOutcome::Outranked { by } => format!("matched but outranked by {by}"),
        };
        let mut text = format!("{}: {outcome}\n", self.rule);
        for check in &self.checks {
            let mark = if check.satisfied { "✓" } else { "✗" };
            text.push_str(&format!(
                "  {mark} {} {} — {}\n",
                check.path, check.condition, check.actual
            ));
        }
        text
    }
}

impl Evaluation {
    /// Every rule's explanation as text, in file order (what `explain` shows).
    pub fn to_text(&self) -> String {
        self.rules.iter().map(RuleExplanation::to_text).collect()
    }
}

/// The decisions for `facts` as of `now`. Pure and deterministic.
pub fn evaluate(matrix: &EscalationMatrix, facts: &Facts, now: Timestamp) -> Vec<Decision> {
    explain(matrix, facts, now).decisions
}

/// The decisions plus an explanation for every rule.
pub fn explain(matrix: &EscalationMatrix, facts: &Facts, now: Timestamp) -> Evaluation {
    let mut explanations: Vec<RuleExplanation> = Vec::with_capacity(matrix.rules.len());
    let mut candidates: Vec<Candidate> = Vec::new();
    for (index, rule) in matrix.rules.iter().enumerate() {
        let (matched, checks) = check_rule(rule, facts, now);
        let outcome = if !matched {
            RuleOutcome::NotMatched
        } else if let Some(reason) = skip_reason(matrix, rule, facts) {
            RuleOutcome::Skipped { reason }
        } else {
            candidates.push(Candidate {
                index,
                group: group_of(rule.then.action),
                rank: (
                    rule.then.priority,
                    target_level(matrix, rule),
                    Reverse(index),
                ),
            });
            RuleOutcome::Fired
        };
        explanations.push(RuleExplanation {
            rule: rule.id.clone(),
            outcome,
            checks,
        });
    }

    let routing = best(&candidates, Group::Routing);
    let help = best(&candidates, Group::Help);
    // Early warnings come before escalation: a selected escalation supersedes them.
    let warnings: Vec<usize> = match routing {
        Some(_) => Vec::new(),
        None => candidates
            .iter()
            .filter(|candidate| candidate.group == Group::Warning)
            .map(|candidate| candidate.index)
            .collect(),
    };
    for candidate in &candidates {
        let winner = match candidate.group {
            Group::Routing | Group::Warning => routing,
            Group::Help => help,
        };
        if let Some(winner) = winner
            && winner != candidate.index
        {
            explanations[candidate.index].outcome = RuleOutcome::Outranked {
                by: matrix.rules[winner].id.clone(),
            };
        }
    }
    let selected = routing.into_iter().chain(help).chain(warnings);

    let decisions = selected
        .into_iter()
        .map(|index| decision(matrix, &matrix.rules[index], facts, &explanations[index]))
        .collect();
    Evaluation {
        decisions,
        rules: explanations,
    }
}

/// The `offer_help` rule among `rules` that fires for `facts` as of `now`, if any:
/// the rule [`evaluate`] selects for help (highest `priority`, then earliest;
/// rules in `facts.fired_rules` are skipped), decided without building
/// explanations. This is what the widget runs in the browser over the site's
/// proactive rules, so no text formatting is compiled into it.
pub fn offer_help<'a, F: RuleFacts>(
    rules: &'a [Rule],
    facts: &F,
    now: Timestamp,
) -> Option<&'a Rule> {
    rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| {
            rule.then.action == ActionKind::OfferHelp
                && !facts.fired_rules().contains(&rule.id)
                && rule_holds(rule, facts, now)
        })
        .max_by_key(|(index, rule)| (rule.then.priority, Reverse(*index)))
        .map(|(_, rule)| rule)
}

/// Whether a rule's conditions hold: all of `all`, and one of `any` when it has some.
fn rule_holds<F: RuleFacts>(rule: &Rule, facts: &F, now: Timestamp) -> bool {
    let when = &rule.when;
    (!when.all.is_empty() || !when.any.is_empty())
        && when.all.iter().all(|c| holds(c, facts, now))
        && (when.any.is_empty() || when.any.iter().any(|c| holds(c, facts, now)))
}

fn check_rule(rule: &Rule, facts: &Facts, now: Timestamp) -> (bool, Vec<ConditionCheck>) {
    let all: Vec<ConditionCheck> = rule
        .when
        .all
        .iter()
        .enumerate()
        .map(|(i, condition)| check(format!("when.all[{i}]"), condition, facts, now))
        .collect();
    let any: Vec<ConditionCheck> = rule
        .when
        .any
        .iter()
        .enumerate()
        .map(|(i, condition)| check(format!("when.any[{i}]"), condition, facts, now))
        .collect();
    let has_conditions = !all.is_empty() || !any.is_empty();
    let matched = has_conditions
        && all.iter().all(|c| c.satisfied)
        && (any.is_empty() || any.iter().any(|c| c.satisfied));
    (matched, all.into_iter().chain(any).collect())
}

fn skip_reason(matrix: &EscalationMatrix, rule: &Rule, facts: &Facts) -> Option<String> {
    if facts.fired_rules.contains(&rule.id) {
        return Some("already fired".to_owned());
    }
    let ticket = facts.ticket.as_ref();
    let current_level = ticket
        .and_then(|t| matrix.tier(&t.tier))
        .map(|tier| tier.level);
    match rule.then.action {
        ActionKind::Escalate => {
            let target = rule.then.to_tier.as_ref().and_then(|id| matrix.tier(id));
            let Some(target) = target else {
                return Some("destination tier is not in the matrix".to_owned());
            };
            match (ticket, current_level) {
                (Some(ticket), Some(level)) if target.level <= level => Some(format!(
                    "ticket is already at {} (level {level}), not below {} (level {})",
                    ticket.tier, target.id, target.level
                )),
                _ => None,
            }
        }
        ActionKind::Transfer => {
            let Some(ticket) = ticket else {
                return Some("no ticket to transfer".to_owned());
            };
            let team = rule.then.to_team.as_ref().and_then(|id| matrix.team(id));
            match team {
                None => Some("destination team is not in the matrix".to_owned()),
                Some(team) if team.tier != ticket.tier => Some(format!(
                    "team {} works at {}, the ticket is at {}",
                    team.id, team.tier, ticket.tier
                )),
                Some(_) => None,
            }
        }
        ActionKind::EarlyWarning if ticket.is_none() => Some("no ticket to warn about".to_owned()),
        ActionKind::EarlyWarning | ActionKind::OfferHelp => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Routing,
    Help,
    Warning,
}

struct Candidate {
    index: usize,
    group: Group,
    rank: (Priority, u8, Reverse<usize>),
}

fn group_of(action: ActionKind) -> Group {
    match action {
        ActionKind::Escalate | ActionKind::Transfer => Group::Routing,
        ActionKind::OfferHelp => Group::Help,
        ActionKind::EarlyWarning => Group::Warning,
    }
}

fn best(candidates: &[Candidate], group: Group) -> Option<usize> {
    candidates
        .iter()
        .filter(|candidate| candidate.group == group)
        .max_by_key(|candidate| candidate.rank)
        .map(|candidate| candidate.index)
}

/// The destination tier's level (a transfer's team tier), 0 when there is none.
fn target_level(matrix: &EscalationMatrix, rule: &Rule) -> u8 {
    let tier = match rule.then.action {
        ActionKind::Escalate => rule.then.to_tier.as_ref(),
        ActionKind::Transfer => rule
            .then
            .to_team
            .as_ref()
            .and_then(|id| matrix.team(id))
            .map(|team| &team.tier),
        ActionKind::OfferHelp | ActionKind::EarlyWarning => None,
    };
    tier.and_then(|id| matrix.tier(id))
        .map_or(0, |tier| tier.level)
}

fn decision(
    matrix: &EscalationMatrix,
    rule: &Rule,
    facts: &Facts,
    explanation: &RuleExplanation,
) -> Decision {
    let then = &rule.then;
    let mut vars = NoticeVars::default();
    let action = match then.action {
        ActionKind::Escalate => {
            let to_tier = then.to_tier.clone().unwrap_or_default();
            fill_tier(&mut vars, matrix, &to_tier);
            DecidedAction::Escalate {
                from_tier: facts.ticket.as_ref().map(|ticket| ticket.tier.clone()),
                to_tier,
            }
        }
        ActionKind::Transfer => {
            let to_team = then.to_team.clone().unwrap_or_default();
            if let Some(team) = matrix.team(&to_team) {
                vars.team_name = Some(team.name.clone());
                fill_tier(&mut vars, matrix, &team.tier);
            }
            DecidedAction::Transfer { to_team }
        }
        ActionKind::OfferHelp => DecidedAction::OfferHelp {
            message: then.message.clone(),
        },
        ActionKind::EarlyWarning => DecidedAction::EarlyWarning {
            next_step: then.next_step.clone().unwrap_or_default(),
        },
    };
    Decision {
        rule: rule.id.clone(),
        action,
        priority: then.priority,
        escalation_type: then.escalation_type.unwrap_or(EscalationType::Automated),
        context: then.context.clone(),
        stage: facts.ticket.as_ref().map(|ticket| ticket.stage),
        notice: then
            .notice
            .as_deref()
            .and_then(|template| render_notice(template, &vars).ok()),
        checks: explanation.checks.clone(),
    }
}

fn fill_tier(vars: &mut NoticeVars, matrix: &EscalationMatrix, id: &TierId) {
    if let Some(tier) = matrix.tier(id) {
        vars.tier_name = Some(tier.name.clone());
        vars.tier_role = Some(tier.role.clone());
        vars.ack_sla = Some(tier.ack_sla);
        vars.resolution_sla = Some(tier.resolution_sla);
    }
}
