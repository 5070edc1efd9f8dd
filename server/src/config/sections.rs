//! The `[jobs]`, `[notifications]`, `[integrations]`, `[alerts]` and `[incidents]`
//! sections: the job runner, email over SMTP, outbound HTTP and its allowed
//! targets, early-warning thresholds per account tier and product area, and
//! volume-anomaly detection.

use std::collections::BTreeMap;

use serde::Deserialize;
use waymark_core::time::DurationMs;

use super::{Config, ConfigError};

/// `[jobs]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsConfig {
    /// Whether `waymark serve` runs the job runner (one replica at a time holds it).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// How often the runner looks at clocks, alerts, incidents and due jobs.
    #[serde(default = "default_tick")]
    pub tick: DurationMs,
    /// How long a claimed job is the runner's before another may take it.
    #[serde(default = "default_lease")]
    pub lease: DurationMs,
    /// How often the knowledge drafts of every site are rebuilt from its resolved
    /// tickets (also once when the runner starts).
    #[serde(default = "default_drafts")]
    pub drafts: DurationMs,
}

/// `[notifications]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    /// The SMTP server; without it, email jobs are completed as "not configured".
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// Agent id → email address (assigned, breached, alert).
    #[serde(default)]
    pub agents: BTreeMap<String, String>,
    /// Team or tier id → email address of the team.
    #[serde(default)]
    pub teams: BTreeMap<String, String>,
}

/// `[notifications.smtp]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name.
    pub host: String,
    /// Port (587 for STARTTLS, 465 for TLS).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// Transport security.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Login, if the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password.
    #[serde(default)]
    pub password: Option<String>,
    /// Sender, e.g. `Support <support@example.com>`.
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: default_smtp_port(),
            security: SmtpSecurity::default(),
            username: None,
            password: None,
            from: String::new(),
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    #[default]
    Starttls,
    /// TLS from the first byte.
    Tls,
    /// No encryption (a relay on the same host only).
    None,
}

/// `[integrations]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationsConfig {
    /// Address classes outbound requests may reach besides public addresses
    /// (`loopback`, `private`, `link_local`); empty refuses them all.
    #[serde(default)]
    pub allow_targets: Vec<TargetClass>,
    /// Time limit of one outbound request.
    #[serde(default = "default_timeout")]
    pub timeout: DurationMs,
}

impl Default for IntegrationsConfig {
    fn default() -> Self {
        Self {
            allow_targets: Vec::new(),
            timeout: default_timeout(),
        }
    }
}

/// A class of non-public addresses an operator may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetClass {
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16`, `100.64/10`, `fc00::/7`.
    Private,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
}

/// Parses `loopback,private` (the environment form of `integrations.allow_targets`).
pub fn parse_target_classes(text: &str) -> Result<Vec<TargetClass>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| match part {
            "loopback" => Ok(TargetClass::Loopback),
            "private" => Ok(TargetClass::Private),
            "link_local" => Ok(TargetClass::LinkLocal),
            other => Err(format!(
                "`{other}` is not one of loopback, private, link_local"
            )),
        })
        .collect()
}

/// `[alerts]`: thresholds, then overrides per account tier and product area.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// Thresholds for every ticket.
    #[serde(default)]
    pub defaults: AlertThresholds,
    /// Overrides for an account tier (`strategic`).
    #[serde(default)]
    pub account_tiers: BTreeMap<String, AlertThresholds>,
    /// Product areas: the routes that belong to them and their overrides.
    #[serde(default)]
    pub product_areas: BTreeMap<String, ProductAreaConfig>,
}

/// Alert thresholds; a field left out keeps the value it overrides.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertThresholds {
    /// Sentiment shift: fall of the score (first minus last of the last 3 scored
    /// customer messages) at least this (default 0.5).
    #[serde(default)]
    pub sentiment_drop: Option<f64>,
    /// Multi-turn depth: at least this many customer messages (default 8).
    #[serde(default)]
    pub depth: Option<u32>,
    /// Message cadence: at least this many customer messages … (default 4)
    #[serde(default)]
    pub cadence_messages: Option<u32>,
    /// … within this window (default 10m).
    #[serde(default)]
    pub cadence_window: Option<DurationMs>,
    /// SLA proximity: less than this left before a running SLA is due (default 15m).
    #[serde(default)]
    pub sla_remaining: Option<DurationMs>,
    /// "Who has my ticket?": at least this many status follow-ups (default 2).
    #[serde(default)]
    pub follow_ups: Option<u32>,
}

impl AlertThresholds {
    /// `self` with every field `other` sets replaced.
    pub fn overridden_by(&self, other: &AlertThresholds) -> AlertThresholds {
        AlertThresholds {
            sentiment_drop: other.sentiment_drop.or(self.sentiment_drop),
            depth: other.depth.or(self.depth),
            cadence_messages: other.cadence_messages.or(self.cadence_messages),
            cadence_window: other.cadence_window.or(self.cadence_window),
            sla_remaining: other.sla_remaining.or(self.sla_remaining),
            follow_ups: other.follow_ups.or(self.follow_ups),
        }
    }
}

/// `[alerts.product_areas.<area>]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductAreaConfig {
    /// Route patterns (`/billing/**`) whose pages put a session in this area.
    #[serde(default)]
    pub routes: Vec<String>,
    /// Overrides for tickets in this area.
    #[serde(default)]
    pub thresholds: AlertThresholds,
}

/// `[incidents]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentsConfig {
    /// The recent window counted against the baseline.
    #[serde(default = "default_incident_window")]
    pub window: DurationMs,
    /// How far back the baseline looks (before the window).
    #[serde(default = "default_incident_baseline")]
    pub baseline: DurationMs,
    /// Distinct customers in the window needed to open an incident.
    #[serde(default = "default_min_customers")]
    pub min_customers: u32,
    /// The window's count must reach this multiple of the baseline's average per window.
    #[serde(default = "default_factor")]
    pub factor: f64,
    /// How often the runner looks for anomalies (it reads the baseline's errors).
    #[serde(default = "default_incident_interval")]
    pub interval: DurationMs,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            tick: default_tick(),
            lease: default_lease(),
            drafts: default_drafts(),
        }
    }
}

impl Default for IncidentsConfig {
    fn default() -> Self {
        Self {
            window: default_incident_window(),
            baseline: default_incident_baseline(),
            min_customers: default_min_customers(),
            factor: default_factor(),
            interval: default_incident_interval(),
        }
    }
}

fn yes() -> bool {
    true
}
fn default_tick() -> DurationMs {
    DurationMs(5_000)
}
fn default_lease() -> DurationMs {
    DurationMs(60_000)
}
fn default_drafts() -> DurationMs {
    DurationMs(3_600_000)
}
fn default_smtp_port() -> u16 {
    587
}
fn default_timeout() -> DurationMs {
    DurationMs(10_000)
}
fn default_incident_window() -> DurationMs {
    DurationMs(3_600_000)
}
fn default_incident_baseline() -> DurationMs {
    DurationMs(7 * 24 * 3_600_000)
}
fn default_min_customers() -> u32 {
    3
}
fn default_factor() -> f64 {
    3.0
}
fn default_incident_interval() -> DurationMs {
    DurationMs(60_000)
}

fn invalid(key: &'static str, env: Option<&'static str>, message: &str) -> ConfigError {
    ConfigError::Invalid {
        key,
        env,
        message: message.to_owned(),
    }
}

/// Checks the sections of this module.
pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    if config.jobs.tick.0 < 100 {
        return Err(invalid("jobs.tick", None, "must be at least 100ms"));
    }
    if config.jobs.drafts.0 < 60_000 {
        return Err(invalid("jobs.drafts", None, "must be at least 1m"));
    }
    if config.jobs.lease.0 < 1_000 {
        return Err(invalid("jobs.lease", None, "must be at least 1s"));
    }
    if config.integrations.timeout.0 < 100 {
        return Err(invalid(
            "integrations.timeout",
            None,
            "must be at least 100ms",
        ));
    }
    if let Some(smtp) = &config.notifications.smtp {
        if smtp.host.trim().is_empty() {
            return Err(invalid(
                "notifications.smtp.host",
                Some("WAYMARK_SMTP_HOST"),
                "must name the SMTP server",
            ));
        }
        if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "notifications.smtp.from",
                Some("WAYMARK_SMTP_FROM"),
                "must be an address like `Support <support@example.com>`",
            ));
        }
    }
    for address in config
        .notifications
        .agents
        .values()
        .chain(config.notifications.teams.values())
    {
        if address.parse::<lettre::Address>().is_err() {
            return Err(ConfigError::Invalid {
                key: "notifications.agents / notifications.teams",
                env: None,
                message: format!("`{address}` is not an email address"),
            });
        }
    }
    if config.incidents.min_customers < 2 {
        return Err(invalid(
            "incidents.min_customers",
            None,
            "must be at least 2 (one customer is a ticket, not an incident)",
        ));
    }
    if config.incidents.factor.is_nan() || config.incidents.factor < 1.0 {
        return Err(invalid("incidents.factor", None, "must be at least 1.0"));
    }
    if config.incidents.window.0 <= 0 || config.incidents.baseline.0 < config.incidents.window.0 {
        return Err(invalid(
            "incidents.baseline",
            None,
            "must be at least as long as incidents.window, which must be positive",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sections_parse_with_thresholds_per_tier_and_area() {
        let config = Config::parse(
            r#"version = 1
[jobs]
tick = "2s"
[notifications.smtp]
host = "smtp.example.com"
from = "Support <support@example.com>"
[notifications.teams]
billing = "billing@example.com"
[integrations]
allow_targets = ["private"]
[alerts.defaults]
depth = 6
[alerts.account_tiers.strategic]
sla_remaining = "1h"
[alerts.product_areas.billing]
routes = ["/billing/**"]
thresholds = { follow_ups = 1 }
[incidents]
window = "30m"
"#,
        )
        .unwrap();
        config.validate().unwrap();
        assert_eq!(config.jobs.tick, DurationMs(2_000));
        assert_eq!(
            config.integrations.allow_targets,
            vec![TargetClass::Private]
        );
        let smtp = config.notifications.smtp.as_ref().unwrap();
        assert_eq!((smtp.port, smtp.security), (587, SmtpSecurity::Starttls));
        let merged =
            crate::jobs::alerts::thresholds(&config, Some("strategic"), &["billing".to_owned()]);
        assert_eq!(merged.depth, Some(6));
        assert_eq!(merged.sla_remaining, Some(DurationMs(3_600_000)));
        assert_eq!(merged.follow_ups, Some(1));
        assert_eq!(merged.cadence_messages, Some(4));
        let areas = crate::jobs::alerts::product_areas(&config, &["/billing/invoices".into()]);
        assert_eq!(areas, vec!["billing"]);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err = Config::parse("version = 1\n[notifications]\nsmpt = 1\n").unwrap_err();
        assert!(err.contains("smpt"), "{err}");
        let err = Config::parse("version = 1\n[integrations]\nallow_targets = [\"everything\"]\n")
            .unwrap_err();
        assert!(err.contains("everything"), "{err}");
        let err = Config::load(None, &env(&[("WAYMARK_SMTP_HOST", "smtp.example.com")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("notifications.smtp.from") && err.contains("WAYMARK_SMTP_FROM"),
            "{err}"
        );
        let err = Config::load(
            None,
            &env(&[("WAYMARK_ALLOW_TARGETS", "loopback,intranet")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("integrations.allow_targets") && err.contains("intranet"),
            "{err}"
        );
        let config = Config::load(
            None,
            &env(&[
                ("WAYMARK_SMTP_HOST", "smtp.example.com"),
                ("WAYMARK_SMTP_PORT", "2525"),
                ("WAYMARK_SMTP_FROM", "support@example.com"),
                ("WAYMARK_ALLOW_TARGETS", "loopback"),
            ]),
        )
        .unwrap();
        assert_eq!(config.notifications.smtp.unwrap().port, 2525);
        assert_eq!(
            config.integrations.allow_targets,
            vec![TargetClass::Loopback]
        );
        let mut config = Config::default();
        config.incidents.min_customers = 1;
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("incidents.min_customers"), "{err}");
    }
}
