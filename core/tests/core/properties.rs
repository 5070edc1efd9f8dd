//! Property tests: evaluation is deterministic and order-independent where it says
//! so, a rule that does not match never changes decisions, the browser's lean help
//! selection agrees with the full evaluation, and scrubbing is
//! idempotent and never leaves a planted card, token or password.

use crate::support::*;
use proptest::prelude::*;
use waymark_core::domain::TicketState;
use waymark_core::ids::{Fingerprint, RuleId, TierId};
use waymark_core::matrix::{ActionKind, Condition, Rule, RuleAction, When};
use waymark_core::rules::{
    DecidedAction, Facts, PageFacts, RuleOutcome, TicketFacts, evaluate, explain, offer_help,
};
use waymark_core::scrub::{ScrubConfig, scrub_text};
use waymark_core::time::DurationMs;

const WORDS: [&str; 12] = [
    "hello",
    "cancel",
    "refund",
    "please",
    "lawyer",
    "broken",
    "export",
    "data",
    "loss",
    "thanks",
    "again",
    "executive",
];

fn minutes_ago() -> impl Strategy<Value = i64> {
    0i64..600
}

fn message_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS.to_vec()), 1..6)
        .prop_map(|words| words.join(" "))
}

prop_compose! {
    fn any_facts()(
        has_ticket in any::<bool>(),
        tier in prop::sample::select(vec!["tier1", "tier2", "tier3"]),
        state in prop::sample::select(vec![TicketState::New, TicketState::InProgress, TicketState::Resolved]),
        at_tier in minutes_ago(),
        messages in prop::collection::vec((minutes_ago(), message_text(), prop::option::of(-1.0f64..1.0)), 0..6),
        areas in prop::collection::vec(prop::sample::select(vec!["data_loss", "billing", "security"]), 0..2),
        amount in prop::option::of(0.0f64..2000.0),
        plan in prop::option::of(prop::sample::select(vec!["free", "pro", "enterprise"])),
        pages in prop::collection::vec((minutes_ago(), prop::sample::select(vec!["/500", "/404", "/orders"])), 0..6),
        reports in prop::collection::vec((minutes_ago(), 0u8..5), 0..6),
        resolution_due in prop::option::of(-120i64..240),
    ) -> Facts {
        let fingerprint = Fingerprint::new("fp");
        let ticket = TicketFacts {
            tier: TierId::new(tier),
            state,
            at_tier_since: ago("1m").minus(DurationMs::minutes(at_tier)),
            resolution_due: resolution_due.map(|m| NOW.plus(DurationMs::minutes(m))),
            messages: messages
                .into_iter()
                .map(|(m, text, score)| customer(NOW.minus(DurationMs::minutes(m)), &text, score))
                .collect(),
            product_areas: areas.into_iter().map(String::from).collect(),
            billing_amount: amount,
            error_fingerprints: vec![fingerprint],
            ..TicketFacts::default()
        };
        let mut facts = Facts {
            ticket: has_ticket.then_some(ticket),
            trail: pages.into_iter().map(|(m, route)| error_page(NOW.minus(DurationMs::minutes(m)), route)).collect(),
            error_reports: reports
                .into_iter()
                .map(|(m, customer)| report("fp", &format!("c{customer}"), NOW.minus(DurationMs::minutes(m))))
                .collect(),
            ..Facts::default()
        };
        facts.account.plan = plan.map(String::from);
        facts
    }
}

fn any_condition() -> impl Strategy<Value = Condition> {
    prop_oneof![
        (0i64..600).prop_map(|m| Condition::OpenAtTier {
            tier: TierId::new("tier1"),
            for_at_least: DurationMs::minutes(m + 1)
        }),
        prop::sample::select(WORDS.to_vec()).prop_map(|w| Condition::CustomerSays {
            any: vec![w.to_owned()]
        }),
        (1u32..5, 1i64..300).prop_map(|(n, m)| Condition::ErrorPageRepeated {
            at_least: n,
            within: DurationMs::minutes(m),
            route: None
        }),
        (1u32..5, 1i64..300).prop_map(|(n, m)| Condition::SameErrorCustomers {
            at_least: n,
            within: DurationMs::minutes(m)
        }),
        prop::sample::select(vec!["free", "pro", "enterprise", "never"]).prop_map(|p| {
            Condition::Plan {
                any: vec![p.to_owned()],
            }
        }),
        (-1.0f64..1.0).prop_map(|s| Condition::SentimentBelow { score: s }),
        (1u32..6).prop_map(|count| Condition::TurnsAtLeast { count }),
    ]
}

fn any_action() -> impl Strategy<Value = RuleAction> {
    (
        prop::sample::select(vec![
            ActionKind::Escalate,
            ActionKind::Transfer,
            ActionKind::OfferHelp,
            ActionKind::EarlyWarning,
        ]),
        prop::sample::select(vec!["tier2", "tier3"]),
        prop::sample::select(vec![
            waymark_core::domain::Priority::Low,
            waymark_core::domain::Priority::Normal,
            waymark_core::domain::Priority::Urgent,
        ]),
    )
        .prop_map(|(action, tier, priority)| RuleAction {
            action,
            to_tier: (action == ActionKind::Escalate).then(|| TierId::new(tier)),
            to_team: (action == ActionKind::Transfer)
                .then(|| waymark_core::ids::TeamId::new("billing")),
            priority,
            escalation_type: None,
            context: Vec::new(),
            notice: None,
            next_step: (action == ActionKind::EarlyWarning).then(|| "look".to_owned()),
            message: None,
        })
}

/// A card number with a valid Luhn digit, written with spaces, dashes or nothing.
fn any_card() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(vec!["4", "51", "37", "6011"]),
        prop::collection::vec(0u32..10, 11..14),
        prop::sample::select(vec!["", " ", "-"]),
    )
        .prop_map(|(prefix, body, separator)| {
            let mut digits: String = prefix.to_owned();
            digits.extend(body.iter().map(|d| char::from(b'0' + *d as u8)));
            for check in 0..10 {
                let candidate = format!("{digits}{check}");
                if waymark_core::scrub::luhn_is_valid(&candidate) {
                    digits = candidate;
                    break;
                }
            }
            let written: Vec<String> = digits
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            (written.join(separator), digits)
        })
}

fn benign_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "hello",
            "order",
            "42",
            "q=ok",
            "page=2",
            "at",
            "10:30",
            "code: E502",
            "https://shop.example/a?q=ok",
            "–",
            "日本",
            "total",
            "1700000000000",
        ]),
        0..6,
    )
    .prop_map(|words| words.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // Most random rules do match something; only the ones that do not are kept.
        max_global_rejects: 1_000_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn evaluation_is_deterministic(facts in any_facts()) {
        let matrix = sample_matrix();
        let first = explain(&matrix, &facts, NOW);
        let second = explain(&matrix.clone(), &facts.clone(), NOW);
        prop_assert_eq!(&first, &second);
        // Error reports are a set: their order does not matter.
        let mut reversed = facts.clone();
        reversed.error_reports.reverse();
        prop_assert_eq!(first.decisions, evaluate(&matrix, &reversed, NOW));
    }

    #[test]
    fn a_rule_that_does_not_match_never_changes_decisions(
        facts in any_facts(),
        conditions in prop::collection::vec(any_condition(), 1..3),
        then in any_action(),
        position in 0usize..20,
    ) {
        let matrix = sample_matrix();
        let before = evaluate(&matrix, &facts, NOW);
        let mut extended = matrix.clone();
        let rule = Rule {
            id: RuleId::new("extra"),
            description: String::new(),
            when: When { all: conditions, any: Vec::new() },
            then,
        };
        extended.rules.insert(position.min(matrix.rules.len()), rule);
        let evaluation = explain(&extended, &facts, NOW);
        let extra = evaluation.rules.iter().find(|r| r.rule.as_str() == "extra");
        prop_assume!(extra.is_some_and(|r| r.outcome == RuleOutcome::NotMatched));
        prop_assert_eq!(before, evaluation.decisions);
    }

    #[test]
    fn the_lean_help_selection_agrees_with_the_full_evaluation(
        facts in any_facts(),
        extra in prop::collection::vec(
            (prop::collection::vec(any_condition(), 0..3), prop::collection::vec(any_condition(), 0..3), any_action()),
            0..4,
        ),
        fired in prop::collection::vec(prop::sample::select(vec!["extra0", "extra1", "repeated-error-page"]), 0..2),
    ) {
        let mut matrix = sample_matrix();
        for (index, (all, any, then)) in extra.into_iter().enumerate() {
            matrix.rules.push(Rule {
                id: RuleId::new(format!("extra{index}")),
                description: String::new(),
                when: When { all, any },
                then,
            });
        }
        let mut facts = facts;
        facts.fired_rules = fired.into_iter().map(RuleId::new).collect();
        let full = evaluate(&matrix, &facts, NOW)
            .into_iter()
            .find(|d| matches!(d.action, DecidedAction::OfferHelp { .. }))
            .map(|d| d.rule);
        let lean = offer_help(&matrix.rules, &facts, NOW).map(|rule| rule.id.clone());
        prop_assert_eq!(full, lean);
    }

    #[test]
    fn page_facts_decide_as_the_same_facts_do(
        facts in any_facts(),
        extra in prop::collection::vec(
            (prop::collection::vec(any_condition(), 0..3), prop::collection::vec(any_condition(), 0..3), any_action()),
            0..4,
        ),
        fired in prop::collection::vec(prop::sample::select(vec!["extra0", "extra1", "repeated-error-page"]), 0..2),
    ) {
        let mut rules = sample_matrix().rules;
        for (index, (all, any, then)) in extra.into_iter().enumerate() {
            rules.push(Rule {
                id: RuleId::new(format!("extra{index}")),
                description: String::new(),
                when: When { all, any },
                then,
            });
        }
        let page = PageFacts {
            trail: facts.trail,
            current_page: facts.current_page,
            fired_rules: fired.into_iter().map(RuleId::new).collect(),
        };
        let on_page = offer_help(&rules, &page, NOW).map(|rule| rule.id.clone());
        let as_facts = offer_help(&rules, &Facts::from(page), NOW).map(|rule| rule.id.clone());
        prop_assert_eq!(on_page, as_facts);
    }

    #[test]
    fn scrubbing_is_idempotent(text in any::<String>()) {
        let config = ScrubConfig::default();
        let once = scrub_text(&text, &config);
        prop_assert_eq!(scrub_text(&once, &config), once.clone());
    }

    #[test]
    fn scrubbing_is_idempotent_on_secret_like_text(text in "[a-zA-Z0-9 :=@./?&\\-_\"'\\[\\]]{0,80}") {
        let config = ScrubConfig::default();
        let once = scrub_text(&text, &config);
        prop_assert_eq!(scrub_text(&once, &config), once.clone());
    }

    #[test]
    fn planted_cards_never_survive(before in benign_text(), (written, digits) in any_card(), after in benign_text()) {
        let text = format!("{before} {written} {after}");
        let scrubbed = scrub_text(&text, &ScrubConfig::default());
        let only_digits: String = scrubbed.chars().filter(char::is_ascii_digit).collect();
        prop_assert!(!scrubbed.contains(&written), "{}", scrubbed);
        prop_assert!(!only_digits.contains(&digits), "{}", scrubbed);
    }

    #[test]
    fn planted_tokens_and_passwords_never_survive(
        before in benign_text(),
        secret in "[A-Za-z0-9]{12,24}",
        form in 0usize..8,
        after in benign_text(),
    ) {
        let planted = match form {
            0 => format!("https://shop.example/reset?token={secret}&q=ok"),
            1 => format!("password: {secret}"),
            2 => format!("Authorization: Bearer {secret}"),
            3 => format!("Bearer {secret}"),
            4 => format!("https://bob:{secret}@shop.example/x"),
            5 => format!("{{\"api_key\": \"{secret}\"}}"),
            6 => format!("client_secret={secret}"),
            _ => format!("?session={secret}"),
        };
        let text = format!("{before} {planted} {after}");
        let scrubbed = scrub_text(&text, &ScrubConfig::default());
        prop_assert!(!scrubbed.contains(&secret), "{}", scrubbed);
    }
}

#[test]
fn benign_text_survives_untouched() {
    let text = "order 42 at 10:30, code: E502, see https://shop.example/a?q=ok&page=2";
    assert_eq!(scrub_text(text, &ScrubConfig::default()), text);
}
