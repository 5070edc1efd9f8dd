//! Plain-text tables of a matrix, printed by `waymark rules check`.

use super::model::{ActionKind, EscalationMatrix, Rule};
use crate::domain::EscalationType;

/// The matrix as three aligned tables: tiers, teams and rules.
pub fn render_table(matrix: &EscalationMatrix) -> String {
    let mut out = format!("escalation matrix, version {}\n\n", matrix.version);

    let mut tiers = matrix.tiers.clone();
    tiers.sort_by_key(|tier| tier.level);
    let tier_rows: Vec<Vec<String>> = tiers
        .iter()
        .map(|tier| {
            vec![
                tier.level.to_string(),
                tier.id.to_string(),
                tier.name.clone(),
                tier.role.clone(),
                tier.ack_sla.to_string(),
                tier.resolution_sla.to_string(),
                tier.authority.join(", "),
            ]
        })
        .collect();
    out.push_str("TIERS\n");
    out.push_str(&table(
        &["level", "id", "name", "role", "ack", "resolve", "authority"],
        &tier_rows,
    ));

    let team_rows: Vec<Vec<String>> = matrix
        .teams
        .iter()
        .map(|team| {
            vec![
                team.id.to_string(),
                team.name.clone(),
                team.tier.to_string(),
            ]
        })
        .collect();
    out.push_str("\nTEAMS\n");
    out.push_str(&table(&["id", "name", "tier"], &team_rows));

    let rule_rows: Vec<Vec<String>> = matrix
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            vec![
                (index + 1).to_string(),
                rule.id.to_string(),
                conditions_summary(rule),
                action_summary(rule),
                rule.then.priority.to_string(),
                rule.then
                    .escalation_type
                    .unwrap_or(EscalationType::Automated)
                    .to_string(),
            ]
        })
        .collect();
    out.push_str("\nRULES (evaluated in this order)\n");
    out.push_str(&table(
        &["#", "id", "when", "then", "priority", "type"],
        &rule_rows,
    ));
    out
}

fn conditions_summary(rule: &Rule) -> String {
    let all: Vec<String> = rule.when.all.iter().map(|c| c.describe()).collect();
    let any: Vec<String> = rule.when.any.iter().map(|c| c.describe()).collect();
    match (all.is_empty(), any.is_empty()) {
        (false, true) => all.join(" AND "),
        (true, false) => any.join(" OR "),
        _ => format!("{} AND ({})", all.join(" AND "), any.join(" OR ")),
    }
}

fn action_summary(rule: &Rule) -> String {
    let then = &rule.then;
    let target = |value: Option<String>| value.unwrap_or_else(|| "?".to_owned());
    match then.action {
        ActionKind::Escalate => format!(
            "escalate to {}",
            target(then.to_tier.as_ref().map(ToString::to_string))
        ),
        ActionKind::Transfer => format!(
            "transfer to {}",
            target(then.to_team.as_ref().map(ToString::to_string))
        ),
        ActionKind::OfferHelp => "offer help".to_owned(),
        ActionKind::EarlyWarning => "early warning".to_owned(),
    }
}

/// Left-aligned columns separated by two spaces, with a header and a rule line.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(headers.to_vec());
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(rule.iter().map(String::as_str).collect()));
    if rows.is_empty() {
        out.push_str("(none)\n");
    }
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
