//! The sample matrix (`core/examples/escalation-matrix.toml`) encodes DESIGN.md §1;
//! each example fires exactly where it should, and nowhere else.

use crate::support::*;
use waymark_core::domain::{EscalationType, LifecycleStage, Priority, SignalKind};
use waymark_core::ids::{Fingerprint, RuleId, TierId};
use waymark_core::matrix::{ContextField, render_table};
use waymark_core::rules::{DecidedAction, Facts, RuleOutcome, evaluate, explain};
use waymark_core::time::{DurationMs, Timestamp};

fn fired(facts: &Facts, now: Timestamp) -> Vec<String> {
    evaluate(&sample_matrix(), facts, now)
        .into_iter()
        .map(|decision| decision.rule.to_string())
        .collect()
}

fn tier1_ticket_open_for(duration: &str) -> Facts {
    let mut facts = ticket_facts();
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.at_tier_since = ago(duration);
        ticket.messages = vec![customer(
            ago(duration),
            "The export button does nothing.",
            Some(0.1),
        )];
    }
    facts
}

#[test]
fn tier1_ticket_open_four_hours_goes_to_tier2_with_a_notice() {
    assert!(fired(&tier1_ticket_open_for("3h59m"), NOW).is_empty());
    let decisions = evaluate(&sample_matrix(), &tier1_ticket_open_for("4h"), NOW);
    assert_eq!(decisions.len(), 1);
    let decision = &decisions[0];
    assert_eq!(decision.rule, RuleId::new("tier1-open-4h"));
    assert_eq!(
        decision.action,
        DecidedAction::Escalate {
            from_tier: Some(TierId::new("tier1")),
            to_tier: TierId::new("tier2")
        }
    );
    assert_eq!(decision.escalation_type, EscalationType::Hierarchical);
    assert_eq!(decision.stage, Some(LifecycleStage::Intake));
    assert_eq!(
        decision.notice.as_deref(),
        Some("Our specialist team (Tier 2) has your request; expect a reply within 2 hours.")
    );
    assert_eq!(decision.checks[0].actual, "open at tier1 for 4h");
}

#[test]
fn the_same_ticket_at_tier2_does_not_climb_again() {
    let mut facts = tier1_ticket_open_for("9h");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.tier = TierId::new("tier2");
    }
    assert!(fired(&facts, NOW).is_empty());
}

#[test]
fn cancel_language_goes_to_tier2_with_priority() {
    let mut facts = tier1_ticket_open_for("10m");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.messages.push(customer(
            ago("1m"),
            "Fine, I'll cancel my subscription then.",
            Some(-0.6),
        ));
    }
    let decisions = evaluate(&sample_matrix(), &facts, NOW);
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].rule, RuleId::new("cancel-language"));
    assert_eq!(decisions[0].priority, Priority::High);
    assert_eq!(decisions[0].escalation_type, EscalationType::Priority);
    // Near misses: the word inside another word, and the same words from an agent.
    for text in ["Where is the cancellation policy?", "Thanks, that worked"] {
        let mut calm = tier1_ticket_open_for("10m");
        if let Some(ticket) = calm.ticket.as_mut() {
            ticket.messages.push(customer(ago("1m"), text, Some(0.2)));
            ticket
                .messages
                .push(agent(ago("1m"), "You can cancel any time."));
        }
        assert!(fired(&calm, NOW).is_empty(), "{text}");
    }
}

#[test]
fn a_negative_sentiment_shift_also_counts_as_cancel_language() {
    let mut facts = tier1_ticket_open_for("30m");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.messages = vec![
            customer(ago("30m"), "hi", Some(0.4)),
            customer(ago("20m"), "still broken", Some(0.0)),
            customer(ago("10m"), "this is useless", Some(-0.1)),
        ];
    }
    assert_eq!(fired(&facts, NOW), ["cancel-language"]);
}

#[test]
fn cancel_language_outranks_the_time_rule() {
    let mut facts = tier1_ticket_open_for("5h");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket
            .messages
            .push(customer(ago("1m"), "I want a refund", None));
    }
    let evaluation = explain(&sample_matrix(), &facts, NOW);
    assert_eq!(evaluation.decisions.len(), 1);
    assert_eq!(evaluation.decisions[0].rule, RuleId::new("cancel-language"));
    assert_eq!(
        evaluation.rules[0].outcome,
        RuleOutcome::Outranked {
            by: RuleId::new("cancel-language")
        }
    );
}

#[test]
fn data_loss_on_an_enterprise_plan_goes_to_tier3_with_account_history() {
    let mut facts = tier1_ticket_open_for("5m");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.product_areas = vec!["data_loss".into()];
    }
    facts.account.plan = Some("pro".into());
    assert!(fired(&facts, NOW).is_empty());
    facts.account.plan = Some("enterprise".into());
    let decisions = evaluate(&sample_matrix(), &facts, NOW);
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].rule, RuleId::new("enterprise-data-loss"));
    assert_eq!(decisions[0].priority, Priority::Urgent);
    assert!(decisions[0].context.contains(&ContextField::AccountHistory));
    // Urgent data loss beats high-priority cancel language.
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket
            .messages
            .push(customer(ago("1m"), "I will call my lawyer", None));
    }
    assert_eq!(fired(&facts, NOW), ["enterprise-data-loss"]);
}

#[test]
fn three_customers_with_the_same_error_in_two_hours_is_a_tier3_incident() {
    let mut facts = tier1_ticket_open_for("5m");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.error_fingerprints = vec![Fingerprint::new("TypeError:checkout.js")];
    }
    facts.error_reports = vec![
        report("TypeError:checkout.js", "c1", ago("2h")),
        report("TypeError:checkout.js", "c2", ago("1h")),
    ];
    assert!(fired(&facts, NOW).is_empty());
    facts
        .error_reports
        .push(report("TypeError:checkout.js", "c3", ago("1m")));
    assert_eq!(fired(&facts, NOW), ["same-error-incident"]);
    // Ten minutes later the first report is out of the window.
    assert!(fired(&facts, NOW.plus(DurationMs::minutes(10))).is_empty());
}

#[test]
fn the_same_error_page_three_times_in_ten_minutes_offers_help() {
    let session = |first: Timestamp| Facts {
        trail: vec![
            error_page(first, "/orders/500"),
            error_page(ago("4m"), "/orders/500"),
            error_page(ago("1m"), "/orders/500"),
        ],
        ..Facts::default()
    };
    let decisions = evaluate(&sample_matrix(), &session(ago("10m")), NOW);
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].rule, RuleId::new("repeated-error-page"));
    assert!(matches!(
        &decisions[0].action,
        DecidedAction::OfferHelp { message: Some(_) }
    ));
    assert!(fired(&session(ago("10m").minus(DurationMs(1))), NOW).is_empty());
}

#[test]
fn page_frustration_and_billing_dwell_offer_help_one_at_a_time() {
    let rage = signal(
        ago("30s"),
        SignalKind::RageClick {
            target: "button.pay".into(),
            route: "/billing".into(),
            clicks: 4,
        },
    );
    let mut facts = Facts {
        trail: vec![rage],
        ..Facts::default()
    };
    assert_eq!(fired(&facts, NOW), ["frustration-on-page"]);
    facts.current_page = Some(waymark_core::rules::CurrentPage {
        route: "/billing/invoices".into(),
        since: ago("3m"),
    });
    // Both low priority: the earlier rule in the file wins.
    assert_eq!(fired(&facts, NOW), ["frustration-on-page"]);
    facts.trail.clear();
    assert_eq!(fired(&facts, NOW), ["billing-dwell"]);
}

#[test]
fn large_billing_disputes_transfer_sideways_at_tier2() {
    let mut facts = tier1_ticket_open_for("5m");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.billing_amount = Some(900.0);
    }
    assert!(
        fired(&facts, NOW).is_empty(),
        "a tier-1 ticket is not transferred to a tier-2 team"
    );
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.tier = TierId::new("tier2");
    }
    let decisions = evaluate(&sample_matrix(), &facts, NOW);
    assert_eq!(decisions.len(), 1);
    assert!(
        matches!(&decisions[0].action, DecidedAction::Transfer { to_team } if to_team.as_str() == "billing")
    );
    assert_eq!(
        decisions[0].notice.as_deref(),
        Some("Billing has your request; expect a reply within 2 hours.")
    );
}

#[test]
fn deep_threads_near_the_sla_raise_an_early_warning() {
    let mut facts = tier1_ticket_open_for("1h");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.messages = (0..5)
            .map(|_| customer(ago("50m"), "any news?", None))
            .collect();
        ticket.resolution_due = Some(NOW.plus(DurationMs::minutes(30)));
    }
    let decisions = evaluate(&sample_matrix(), &facts, NOW);
    assert_eq!(decisions.len(), 1);
    assert!(matches!(
        &decisions[0].action,
        DecidedAction::EarlyWarning { .. }
    ));
}

#[test]
fn already_fired_rules_are_skipped() {
    let mut facts = tier1_ticket_open_for("4h");
    facts.fired_rules = vec![RuleId::new("tier1-open-4h")];
    let evaluation = explain(&sample_matrix(), &facts, NOW);
    assert!(evaluation.decisions.is_empty());
    assert!(
        matches!(&evaluation.rules[0].outcome, RuleOutcome::Skipped { reason } if reason == "already fired")
    );
}

#[test]
fn explanations_list_every_condition_with_its_value() {
    let evaluation = explain(&sample_matrix(), &tier1_ticket_open_for("4h"), NOW);
    let cancel = &evaluation.rules[1];
    let lines: Vec<String> = cancel
        .checks
        .iter()
        .map(|c| format!("{} {} {}", c.path, c.satisfied, c.actual))
        .collect();
    assert_eq!(
        lines,
        [
            "when.all[0] true at tier1",
            "when.any[0] false none found",
            "when.any[1] false only 1 scored customer message",
        ]
    );
    assert_eq!(evaluation.to_text().matches(": did not match").count(), 8);
    assert!(evaluation.rules[0].to_text().starts_with(
        "tier1-open-4h: fired\n  ✓ when.all[0] open at tier1 for at least 4h — open at tier1 for 4h"
    ));
}

#[test]
fn the_matrix_table_lists_tiers_teams_and_rules_in_order() {
    let table = render_table(&sample_matrix());
    assert!(table.contains("TIERS"), "{table}");
    assert!(table.contains("tier2  Tier 2  specialist team"), "{table}");
    let first = table.find("tier1-open-4h").unwrap_or(usize::MAX);
    let last = table.find("deep-thread-near-sla").unwrap_or(0);
    assert!(first < last, "{table}");
}

#[test]
fn an_escalation_supersedes_early_warnings() {
    let mut facts = tier1_ticket_open_for("5h");
    if let Some(ticket) = facts.ticket.as_mut() {
        ticket.messages = (0..5)
            .map(|_| customer(ago("50m"), "any news?", None))
            .collect();
        ticket.resolution_due = Some(NOW.plus(DurationMs::minutes(30)));
    }
    let evaluation = explain(&sample_matrix(), &facts, NOW);
    let decided: Vec<&str> = evaluation
        .decisions
        .iter()
        .map(|d| d.rule.as_str())
        .collect();
    assert_eq!(decided, ["tier1-open-4h"]);
    let warning = evaluation
        .rules
        .iter()
        .find(|r| r.rule.as_str() == "deep-thread-near-sla");
    assert_eq!(
        warning.map(|r| &r.outcome),
        Some(&RuleOutcome::Outranked {
            by: RuleId::new("tier1-open-4h")
        })
    );
}
