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

    let mut rule_rows: Vec<Vec<String>> = Vec::new();
    for (index, rule) in matrix.rules.iter().enumerate() {
        let escalation_type = rule
            .then
            .escalation_type
            .unwrap_or(EscalationType::Automated);
        let mut conditions = condition_lines(rule).into_iter();
        rule_rows.push(vec![
            (index + 1).to_string(),
            rule.id.to_string(),
            action_summary(rule),
            rule.then.priority.to_string(),
            escalation_type.to_string(),
            conditions.next().unwrap_or_default(),
        ]);
        for line in conditions {
            let mut row = vec![String::new(); 5];
            row.push(line);
            rule_rows.push(row);
        }
    }
    out.push_str("\nRULES (evaluated in this order)\n");
    out.push_str(&table(
        &["#", "id", "then", "priority", "type", "when"],
        &rule_rows,
    ));
    out
}

/// One line per condition: `all` joined by AND, then `any` joined by OR.
fn condition_lines(rule: &Rule) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for (index, condition) in rule.when.all.iter().enumerate() {
        let joiner = if index == 0 { "" } else { "AND " };
        lines.push(format!("{joiner}{}", condition.describe()));
    }
    let any_prefix = if rule.when.all.is_empty() { "" } else { "AND " };
    for (index, condition) in rule.when.any.iter().enumerate() {
        let joiner = if index == 0 {
            format!("{any_prefix}any of: ")
        } else {
            "  OR ".to_owned()
        };
        lines.push(format!("{joiner}{}", condition.describe()));
    }
    lines
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
