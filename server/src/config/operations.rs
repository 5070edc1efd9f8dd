//! `[metrics]` and `[log]`: what operators scrape and read.

use serde::Deserialize;

/// The shortest bearer token accepted for `/metrics`.
pub const MIN_METRICS_TOKEN_CHARS: usize = 16;

/// `[metrics]`: the Prometheus endpoint `/metrics`. Off by default: the figures (ticket
/// queues, deliveries, routes) say how a support team is doing and are not for everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve `/metrics`; when off it answers 404 like any unknown path.
    pub enabled: bool,
    /// When set, a scrape must send `Authorization: Bearer <token>` (401 otherwise). Without
    /// it, `/metrics` is open to whoever reaches the listener: keep it on a private network.
    pub bearer_token: Option<String>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object a line, fields flattened (for log collectors).
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown log format `{other}` (expected text or json)"
            )),
        }
    }
}

/// `[log]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` (default) or `json`; `--log-format` overrides it.
    pub format: LogFormat,
}
