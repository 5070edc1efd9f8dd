//! The demo's short SLA: the sample matrix with tier 1 given 30 seconds to
//! acknowledge and its "open at tier 1 for 4 h" rule shortened to 45 seconds, so a
//! ticket left alone in the demo breaches and escalates within a minute while the
//! job runner ticks.

use waymark_core::matrix::{Condition, EscalationMatrix};
use waymark_core::time::DurationMs;

use super::{DEMO_SITE_ID, SeedError};
use crate::storage::Store;

/// Tier 1's acknowledgement SLA in the demo.
pub const DEMO_ACK_SLA: DurationMs = DurationMs(30_000);
/// How long a demo ticket stays at tier 1 before the time rule moves it.
pub const DEMO_TIER1_LIMIT: DurationMs = DurationMs(45_000);

/// The sample matrix with the demo's short tier-1 clocks.
pub fn short_sla_matrix() -> Result<EscalationMatrix, SeedError> {
    let mut matrix = waymark_core::matrix::load_toml(crate::flow::DEFAULT_MATRIX)
        .map_err(|err| SeedError::Matrix(err.to_string()))?;
    let first = matrix
        .tiers
        .iter_mut()
        .min_by_key(|tier| tier.level)
        .ok_or_else(|| SeedError::Matrix("the sample matrix has no tiers".into()))?;
    first.ack_sla = DEMO_ACK_SLA;
    let first_id = first.id.clone();
    let mut shortened = false;
    for rule in &mut matrix.rules {
        for condition in rule.when.all.iter_mut().chain(rule.when.any.iter_mut()) {
            if let Condition::OpenAtTier { tier, for_at_least } = condition
                && *tier == first_id
            {
                *for_at_least = DEMO_TIER1_LIMIT;
                rule.description = format!(
                    "Tier-1 ticket open for {DEMO_TIER1_LIMIT} without resolution (demo SLA)"
                );
                shortened = true;
            }
        }
    }
    if !shortened {
        return Err(SeedError::Matrix(
            "the sample matrix has no open_at_tier rule for its first tier".into(),
        ));
    }
    Ok(matrix)
}

/// Stores the short-SLA matrix as the demo site's newest version.
pub async fn use_short_sla(store: &Store) -> Result<(), SeedError> {
    let matrix = short_sla_matrix()?;
    let source = toml::to_string(&matrix).map_err(|err| SeedError::Matrix(err.to_string()))?;
    let version = store.put_site_matrix(DEMO_SITE_ID, &source).await?;
    tracing::info!(
        site = DEMO_SITE_ID,
        matrix_version = version,
        "demo SLA: tier 1 acknowledges within {DEMO_ACK_SLA}, escalates after {DEMO_TIER1_LIMIT}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use waymark_core::rules::{DecidedAction, Facts, TicketFacts};
    use waymark_core::time::Timestamp;

    #[test]
    fn a_demo_ticket_left_alone_escalates_within_a_minute() {
        let matrix = short_sla_matrix().unwrap();
        let source = toml::to_string(&matrix).unwrap();
        let reloaded = waymark_core::matrix::load_toml(&source).unwrap();
        assert_eq!(reloaded, matrix);
        let facts = Facts {
            ticket: Some(TicketFacts {
                tier: "tier1".into(),
                at_tier_since: Timestamp(0),
                ..TicketFacts::default()
            }),
            ..Facts::default()
        };
        let escalates = |now: i64| {
            waymark_core::rules::evaluate(&reloaded, &facts, Timestamp(now))
                .iter()
                .any(|d| matches!(d.action, DecidedAction::Escalate { .. }))
        };
        assert!(!escalates(44_000));
        assert!(escalates(45_000));
    }
}
