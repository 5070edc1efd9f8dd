//! Fixtures: a base time, a small matrix around one condition, and fact builders.

use waymark_core::domain::{PageSignal, SignalKind, TicketState};
use waymark_core::ids::{CustomerId, Fingerprint, TierId};
use waymark_core::matrix::{EscalationMatrix, load_toml};
use waymark_core::rules::{Author, ErrorReport, Facts, MessageFact, TicketFacts};
use waymark_core::time::{DurationMs, Timestamp};

/// A fixed "now" for tests.
pub const NOW: Timestamp = Timestamp(1_700_000_000_000);

/// `NOW` minus a duration written like `"4h"`.
pub fn ago(text: &str) -> Timestamp {
    NOW.minus(DurationMs::parse(text).unwrap())
}

pub const TIERS: &str = r#"
version = 1
[[tiers]]
id = "tier1"
level = 1
name = "Tier 1"
role = "frontline support"
ack_sla = "15m"
resolution_sla = "8h"
[[tiers]]
id = "tier2"
level = 2
name = "Tier 2"
role = "specialist team"
ack_sla = "2h"
resolution_sla = "24h"
[[tiers]]
id = "tier3"
level = 3
name = "Tier 3"
role = "engineering team"
ack_sla = "1h"
resolution_sla = "72h"
[[teams]]
id = "billing"
name = "Billing"
tier = "tier2"
"#;

/// A matrix with one rule `probe` escalating to tier 3 when `condition` holds.
pub fn probe_matrix(condition: &str) -> EscalationMatrix {
    let text = format!(
        "{TIERS}\n[[rules]]\nid = \"probe\"\nwhen.all = [{{ {condition} }}]\nthen.action = \"escalate\"\nthen.to_tier = \"tier3\"\n"
    );
    load_toml(&text).unwrap_or_else(|error| panic!("{error}\n{text}"))
}

/// The sample matrix shipped in the repository.
pub fn sample_matrix() -> EscalationMatrix {
    let text = include_str!("../../examples/escalation-matrix.toml");
    load_toml(text).unwrap_or_else(|error| panic!("{error}"))
}

/// An open tier-1 ticket that arrived one minute ago, with no messages.
pub fn ticket() -> TicketFacts {
    TicketFacts {
        tier: TierId::new("tier1"),
        state: TicketState::InProgress,
        at_tier_since: ago("1m"),
        ..TicketFacts::default()
    }
}

/// Facts with [`ticket`].
pub fn ticket_facts() -> Facts {
    Facts {
        ticket: Some(ticket()),
        ..Facts::default()
    }
}

/// A customer message at `at` with an optional score.
pub fn customer(at: Timestamp, text: &str, sentiment: Option<f64>) -> MessageFact {
    MessageFact {
        at,
        author: Author::Customer,
        text: text.to_owned(),
        sentiment,
    }
}

/// An agent message.
pub fn agent(at: Timestamp, text: &str) -> MessageFact {
    MessageFact {
        at,
        author: Author::Agent,
        text: text.to_owned(),
        sentiment: None,
    }
}

/// A page signal.
pub fn signal(at: Timestamp, kind: SignalKind) -> PageSignal {
    PageSignal { at, kind }
}

pub fn error_page(at: Timestamp, route: &str) -> PageSignal {
    signal(
        at,
        SignalKind::ErrorPage {
            route: route.to_owned(),
        },
    )
}

pub fn failed_request(at: Timestamp, path: &str) -> PageSignal {
    signal(
        at,
        SignalKind::FailedRequest {
            method: "POST".into(),
            path: path.into(),
            status: Some(502),
            route: "/checkout".into(),
        },
    )
}

pub fn js_error(at: Timestamp, fingerprint: &str) -> PageSignal {
    signal(
        at,
        SignalKind::JsError {
            fingerprint: Fingerprint::new(fingerprint),
            route: "/app".into(),
        },
    )
}

pub fn report(fingerprint: &str, customer: &str, at: Timestamp) -> ErrorReport {
    ErrorReport {
        fingerprint: Fingerprint::new(fingerprint),
        customer: CustomerId::new(customer),
        at,
    }
}
