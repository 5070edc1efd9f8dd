//! The customer notice on escalation: who has the request by role, the next step
//! and the expected time, from the tier's SLA and the rule's template.

use waymark_core::matrix::{EscalationMatrix, Team, Tier};
use waymark_core::rules::{NoticeVars, render_notice};
use waymark_core::wire::CustomerNotice;

/// The template used when the rule has none (or a person asked for a human).
pub const DEFAULT_NOTICE: &str =
    "Our {tier_role} ({tier_name}) has your request; expect a reply within {ack_sla}.";

/// The template used for a transfer without its own template.
pub const DEFAULT_TRANSFER_NOTICE: &str =
    "{team_name} has your request; expect a reply within {ack_sla}.";

/// Renders the notice for a ticket now at `tier` (and `team`), from the rule's
/// already rendered text when there is one. The expected time is the tier's
/// acknowledgement SLA from `now_ms`.
pub fn customer_notice(
    tier: &Tier,
    team: Option<&Team>,
    rendered_by_rule: Option<&str>,
    now_ms: i64,
) -> CustomerNotice {
    let vars = NoticeVars {
        tier_name: Some(tier.name.clone()),
        tier_role: Some(tier.role.clone()),
        ack_sla: Some(tier.ack_sla),
        resolution_sla: Some(tier.resolution_sla),
        team_name: team.map(|team| team.name.clone()),
    };
    let template = if team.is_some() {
        DEFAULT_TRANSFER_NOTICE
    } else {
        DEFAULT_NOTICE
    };
    let text = match rendered_by_rule {
        Some(text) if !text.trim().is_empty() => text.to_owned(),
        _ => render_notice(template, &vars).unwrap_or_else(|_| {
            format!(
                "Our {} has your request; expect a reply within {}.",
                tier.role,
                tier.ack_sla.human()
            )
        }),
    };
    CustomerNotice {
        text,
        tier_role: Some(team.map_or_else(|| tier.role.clone(), |team| team.name.clone())),
        expected_reply_by_ms: Some(now_ms.saturating_add(tier.ack_sla.0)),
    }
}

/// The lowest tier of the matrix (where every conversation starts).
pub fn first_tier(matrix: &EscalationMatrix) -> Option<&Tier> {
    matrix.tiers.iter().min_by_key(|tier| tier.level)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use waymark_core::ids::TierId;

    fn matrix() -> EscalationMatrix {
        waymark_core::matrix::load_toml(crate::flow::DEFAULT_MATRIX).unwrap()
    }

    #[test]
    fn default_notice_names_role_and_sla() {
        let matrix = matrix();
        let tier = matrix.tier(&TierId::new("tier2")).unwrap();
        let notice = customer_notice(tier, None, None, 1_000);
        assert_eq!(
            notice.text,
            "Our specialist team (Tier 2) has your request; expect a reply within 2 hours."
        );
        assert_eq!(notice.expected_reply_by_ms, Some(1_000 + 2 * 3_600_000));
        assert_eq!(first_tier(&matrix).unwrap().id.as_str(), "tier1");
    }

    #[test]
    fn rule_text_wins_and_transfer_names_the_team() {
        let matrix = matrix();
        let tier = matrix.tier(&TierId::new("tier2")).unwrap();
        let team = &matrix.teams[1];
        let notice = customer_notice(tier, Some(team), None, 0);
        assert!(notice.text.starts_with("Billing has your request"));
        let notice = customer_notice(tier, None, Some("Custom."), 0);
        assert_eq!(notice.text, "Custom.");
    }
}
