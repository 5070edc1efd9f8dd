//! Customer notice templates: "Our {tier_role} ({tier_name}) has your request; expect
//! a reply within {ack_sla}." Rendering is a pure function; `{{` and `}}` write braces.

use crate::matrix::ActionKind;
use crate::time::DurationMs;

/// Placeholders a notice may use.
///
/// | placeholder | value |
/// | --- | --- |
/// | `{tier_name}` | destination tier's name (`Tier 2`) |
/// | `{tier_role}` | destination tier's role (`billing specialists`) |
/// | `{ack_sla}` | its acknowledgement SLA, in words (`2 hours`) |
/// | `{resolution_sla}` | its resolution SLA, in words |
/// | `{team_name}` | destination team (`transfer` only) |
pub const NOTICE_PLACEHOLDERS: [&str; 5] = [
    "tier_name",
    "tier_role",
    "ack_sla",
    "resolution_sla",
    "team_name",
];

/// Values for a notice's placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeVars {
    /// Destination tier's name.
    pub tier_name: Option<String>,
    /// Destination tier's role.
    pub tier_role: Option<String>,
    /// Destination tier's acknowledgement SLA.
    pub ack_sla: Option<DurationMs>,
    /// Destination tier's resolution SLA.
    pub resolution_sla: Option<DurationMs>,
    /// Destination team's name.
    pub team_name: Option<String>,
}

impl NoticeVars {
    fn value(&self, name: &str) -> Option<String> {
        match name {
            "tier_name" => self.tier_name.clone(),
            "tier_role" => self.tier_role.clone(),
            "ack_sla" => self.ack_sla.map(DurationMs::human),
            "resolution_sla" => self.resolution_sla.map(DurationMs::human),
            "team_name" => self.team_name.clone(),
            _ => None,
        }
    }
}

/// A template that cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    /// `{name}` is not one of [`NOTICE_PLACEHOLDERS`].
    #[error("unknown placeholder `{{{0}}}` (known: {known})", known = NOTICE_PLACEHOLDERS.join(", "))]
    UnknownPlaceholder(String),
    /// A `{` without its `}` or a lone `}`.
    #[error("unbalanced brace at byte {0} (write `{{{{` or `}}}}` for a literal brace)")]
    Unbalanced(usize),
    /// The placeholder has no value for this action (`{team_name}` on an escalation).
    #[error("placeholder `{{{0}}}` has no value for this action")]
    MissingValue(String),
}

/// Renders `template` with `vars`.
pub fn render_notice(template: &str, vars: &NoticeVars) -> Result<String, NoticeError> {
    let mut out = String::with_capacity(template.len() + 32);
    for piece in pieces(template)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder(name) => {
                let value = vars
                    .value(name)
                    .ok_or_else(|| NoticeError::MissingValue(name.to_owned()))?;
                out.push_str(&value);
            }
        }
    }
    Ok(out)
}

/// Checks a template for `action` at load time: balanced braces, known placeholders,
/// and `{team_name}` only on transfers; tier placeholders only on escalations and
/// transfers.
pub fn check_notice_template(template: &str, action: ActionKind) -> Result<(), NoticeError> {
    for piece in pieces(template)? {
        let Piece::Placeholder(name) = piece else {
            continue;
        };
        let available = match action {
            ActionKind::Escalate => name != "team_name",
            ActionKind::Transfer => true,
            ActionKind::OfferHelp | ActionKind::EarlyWarning => false,
        };
        if !available {
            return Err(NoticeError::MissingValue(name.to_owned()));
        }
    }
    Ok(())
}

enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, NoticeError> {
    let mut pieces = Vec::new();
    let bytes = template.as_bytes();
    let mut text_start = 0;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' | b'}' if bytes.get(index + 1) == Some(&bytes[index]) => {
                pieces.push(Piece::Text(&template[text_start..=index]));
                index += 2;
                text_start = index;
            }
            b'{' => {
                pieces.push(Piece::Text(&template[text_start..index]));
                let close = template[index..]
                    .find('}')
                    .map(|offset| index + offset)
                    .ok_or(NoticeError::Unbalanced(index))?;
                let name = &template[index + 1..close];
                if !NOTICE_PLACEHOLDERS.contains(&name) {
                    return Err(NoticeError::UnknownPlaceholder(name.to_owned()));
                }
                pieces.push(Piece::Placeholder(name));
                index = close + 1;
                text_start = index;
            }
            b'}' => return Err(NoticeError::Unbalanced(index)),
            _ => index += 1,
        }
    }
    pieces.push(Piece::Text(&template[text_start..]));
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn billing() -> NoticeVars {
        NoticeVars {
            tier_name: Some("Tier 2".into()),
            tier_role: Some("billing team".into()),
            ack_sla: Some(DurationMs::hours(2)),
            resolution_sla: Some(DurationMs::hours(24)),
            team_name: None,
        }
    }

    #[test]
    fn renders_the_design_example() {
        let text = render_notice(
            "Our {tier_role} ({tier_name}) has your request; expect a reply within {ack_sla}.",
            &billing(),
        );
        assert_eq!(
            text.unwrap(),
            "Our billing team (Tier 2) has your request; expect a reply within 2 hours."
        );
    }

    #[test]
    fn braces_escape_and_errors() {
        assert_eq!(
            render_notice("{{literal}} {tier_name}", &billing()).unwrap(),
            "{literal} Tier 2"
        );
        assert_eq!(
            render_notice("{nope}", &billing()),
            Err(NoticeError::UnknownPlaceholder("nope".into()))
        );
        assert_eq!(
            render_notice("open {tier_name", &billing()),
            Err(NoticeError::Unbalanced(5))
        );
        assert_eq!(
            render_notice("a } b", &billing()),
            Err(NoticeError::Unbalanced(2))
        );
        assert_eq!(
            render_notice("{team_name}", &billing()),
            Err(NoticeError::MissingValue("team_name".into()))
        );
    }

    #[test]
    fn team_name_only_on_transfers() {
        assert!(check_notice_template("{team_name}", ActionKind::Transfer).is_ok());
        assert!(check_notice_template("{team_name}", ActionKind::Escalate).is_err());
        assert!(check_notice_template("{ack_sla}", ActionKind::OfferHelp).is_err());
        assert!(check_notice_template("plain", ActionKind::OfferHelp).is_ok());
    }
}
