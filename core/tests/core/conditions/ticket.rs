//! Conditions on the ticket and the account: time, sentiment, topic, account
//! attributes and multi-turn depth.

use super::{check, with_ticket};
use crate::support::*;
use waymark_core::domain::TicketState;
use waymark_core::ids::TierId;
use waymark_core::rules::{AttributeValue, Facts};
use waymark_core::time::DurationMs;
#[test]
fn open_at_tier() {
    let condition = r#"open_at_tier = { tier = "tier1", for_at_least = "4h" }"#;
    check(
        condition,
        with_ticket(|t| t.at_tier_since = ago("4h")),
        true,
        "open at tier1 for 4h",
    );
    check(
        condition,
        with_ticket(|t| t.at_tier_since = ago("4h").plus(DurationMs(1))),
        false,
        "open at tier1 for 3h59m59s999ms",
    );
    check(
        condition,
        with_ticket(|t| {
            t.at_tier_since = ago("5h");
            t.state = TicketState::Resolved;
        }),
        false,
        "resolved at tier1",
    );
    check(
        condition,
        with_ticket(|t| t.tier = TierId::new("tier2")),
        false,
        "at tier2",
    );
    check(condition, Facts::default(), false, "no ticket");
}

#[test]
fn sla_remaining() {
    let condition = r#"sla_remaining = { sla = "resolution", below = "1h" }"#;
    check(
        condition,
        with_ticket(|t| t.resolution_due = Some(NOW.plus(DurationMs::minutes(59)))),
        true,
        "59m remaining",
    );
    check(
        condition,
        with_ticket(|t| t.resolution_due = Some(NOW.plus(DurationMs::hours(1)))),
        false,
        "1h remaining",
    );
    check(
        condition,
        with_ticket(|t| t.resolution_due = Some(ago("10m"))),
        true,
        "breached 10m ago",
    );
    check(
        condition,
        ticket_facts(),
        false,
        "no resolution SLA running",
    );
    let ack = r#"sla_remaining = { sla = "acknowledgement", below = "5m" }"#;
    check(
        ack,
        with_ticket(|t| t.ack_due = Some(NOW.plus(DurationMs::minutes(4)))),
        true,
        "4m remaining",
    );
}

#[test]
fn at_tier() {
    let condition = r#"at_tier = { any = ["tier1", "tier2"] }"#;
    check(condition, ticket_facts(), true, "at tier1");
    check(
        condition,
        with_ticket(|t| t.tier = TierId::new("tier3")),
        false,
        "at tier3",
    );
}

#[test]
fn sentiment_below_is_strict_and_falls_back_to_the_last_scored_message() {
    let condition = "sentiment_below = { score = -0.4 }";
    check(
        condition,
        with_ticket(|t| t.sentiment = Some(-0.5)),
        true,
        "sentiment -0.5",
    );
    check(
        condition,
        with_ticket(|t| t.sentiment = Some(-0.4)),
        false,
        "sentiment -0.4",
    );
    check(
        condition,
        with_ticket(|t| {
            t.messages = vec![
                customer(ago("5m"), "meh", Some(0.2)),
                customer(ago("1m"), "awful", Some(-0.9)),
            ];
        }),
        true,
        "sentiment -0.9",
    );
    check(condition, ticket_facts(), false, "no sentiment score");
}

#[test]
fn sentiment_drop_over_the_last_n_customer_messages() {
    let condition = "sentiment_drop = { at_least = 0.4, over_last = 3 }";
    let scored = |scores: &[f64]| {
        let scores = scores.to_vec();
        with_ticket(move |t| {
            t.messages = scores
                .iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    let at = ago("1h").plus(DurationMs::minutes(i as i64));
                    [customer(at, "text", Some(*s)), agent(at, "reply")]
                })
                .collect();
        })
    };
    check(
        condition,
        scored(&[0.9, 0.5, 0.3, 0.1]),
        true,
        "from 0.5 to 0.1 (drop 0.40)",
    );
    check(
        condition,
        scored(&[0.5, 0.3, 0.2]),
        false,
        "from 0.5 to 0.2 (drop 0.30)",
    );
    check(
        condition,
        scored(&[0.5, -0.5]),
        false,
        "only 2 scored customer messages",
    );
}

#[test]
fn customer_says_whole_phrases_in_customer_messages_only() {
    let condition = r#"customer_says = { any = ["cancel", "lawyer"] }"#;
    check(
        condition,
        with_ticket(|t| t.messages = vec![customer(ago("1m"), "I will CANCEL today", None)]),
        true,
        "found \"cancel\"",
    );
    check(
        condition,
        with_ticket(|t| {
            t.messages = vec![customer(ago("1m"), "what is the cancellation policy", None)]
        }),
        false,
        "none found",
    );
    check(
        condition,
        with_ticket(|t| t.messages = vec![agent(ago("1m"), "you can cancel any time")]),
        false,
        "none found",
    );
}

#[test]
fn mentions_look_at_subject_and_every_message() {
    let condition = r#"mentions = { any = ["data loss", "GDPR"] }"#;
    check(
        condition,
        with_ticket(|t| t.subject = "Data loss after import".into()),
        true,
        "found \"data loss\"",
    );
    check(
        condition,
        with_ticket(|t| t.messages = vec![agent(ago("1m"), "this is a gdpr request")]),
        true,
        "found \"GDPR\"",
    );
    check(
        condition,
        with_ticket(|t| t.subject = "lost my data".into()),
        false,
        "none found",
    );
}

#[test]
fn product_area_and_billing_amount() {
    let area = r#"product_area = { any = ["security", "legal"] }"#;
    check(
        area,
        with_ticket(|t| t.product_areas = vec!["billing".into(), "legal".into()]),
        true,
        "product areas [billing, legal]",
    );
    check(
        area,
        with_ticket(|t| t.product_areas = vec!["billing".into()]),
        false,
        "product areas [billing]",
    );
    let amount = "billing_amount_above = { amount = 500.0 }";
    check(
        amount,
        with_ticket(|t| t.billing_amount = Some(500.01)),
        true,
        "billing amount 500.01",
    );
    check(
        amount,
        with_ticket(|t| t.billing_amount = Some(500.0)),
        false,
        "billing amount 500",
    );
    check(amount, ticket_facts(), false, "no billing amount");
}

#[test]
fn account_plan_tier_and_attributes() {
    let mut facts = Facts::default();
    facts.account.plan = Some("enterprise".into());
    facts.account.tier = Some("strategic".into());
    facts
        .account
        .attributes
        .insert("region".into(), AttributeValue::Text("eu".into()));
    facts
        .account
        .attributes
        .insert("seats".into(), AttributeValue::Number(250.0));
    facts
        .account
        .attributes
        .insert("beta".into(), AttributeValue::Bool(true));
    check(
        r#"plan = { any = ["enterprise"] }"#,
        facts.clone(),
        true,
        "plan enterprise",
    );
    check(
        r#"plan = { any = ["pro"] }"#,
        facts.clone(),
        false,
        "plan enterprise",
    );
    check(
        r#"plan = { any = ["pro"] }"#,
        Facts::default(),
        false,
        "no plan",
    );
    check(
        r#"account_tier = { any = ["strategic"] }"#,
        facts.clone(),
        true,
        "account tier strategic",
    );
    check(
        r#"attribute = { key = "region", any = ["eu", "uk"] }"#,
        facts.clone(),
        true,
        "region = eu",
    );
    check(
        r#"attribute = { key = "beta", any = ["true"] }"#,
        facts.clone(),
        true,
        "beta = true",
    );
    check(
        r#"attribute = { key = "missing", any = ["x"] }"#,
        facts.clone(),
        false,
        "no attribute missing",
    );
    check(
        r#"attribute_at_least = { key = "seats", value = 250.0 }"#,
        facts.clone(),
        true,
        "seats = 250",
    );
    check(
        r#"attribute_at_least = { key = "seats", value = 251.0 }"#,
        facts.clone(),
        false,
        "seats = 250",
    );
    check(
        r#"attribute_at_least = { key = "region", value = 1.0 }"#,
        facts,
        false,
        "region = eu (not a number)",
    );
}

#[test]
fn turns_at_least_counts_customer_messages() {
    let condition = "turns_at_least = { count = 3 }";
    let turns = |n: usize| {
        with_ticket(move |t| {
            t.messages = (0..n)
                .flat_map(|_| [customer(ago("1m"), "?", None), agent(ago("1m"), "!")])
                .collect();
        })
    };
    check(condition, turns(3), true, "3 customer messages");
    check(condition, turns(2), false, "2 customer messages");
}

#[test]
fn customer_messages_within_measures_cadence() {
    let condition = "customer_messages_within = { at_least = 3, within = \"15m\" }";
    let at = |times: &[&str]| {
        let times: Vec<String> = times.iter().map(|t| t.to_string()).collect();
        with_ticket(move |t| {
            t.messages = times
                .iter()
                .flat_map(|time| {
                    [
                        customer(ago(time), "hello?", None),
                        agent(ago(time), "on it"),
                    ]
                })
                .collect();
        })
    };
    check(
        condition,
        at(&["15m", "5m", "0s"]),
        true,
        "3 customer messages within 15m",
    );
    check(
        condition,
        at(&["16m", "5m", "0s"]),
        false,
        "2 customer messages within 15m",
    );
    check(condition, Facts::default(), false, "no ticket");
}
