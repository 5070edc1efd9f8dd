//! Server configuration: one typed, versioned TOML file; environment variables
//! override the file; the file overrides defaults. Unknown keys are rejected and
//! every error names the key (and the environment variable) at fault.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod operations;
mod sections;

pub use operations::{LogConfig, LogFormat, MIN_METRICS_TOKEN_CHARS, MetricsConfig};
pub use sections::{
    AlertThresholds, AlertsConfig, IncidentsConfig, IntegrationsConfig, JobsConfig,
    NotificationsConfig, ProductAreaConfig, SmtpConfig, SmtpSecurity, TargetClass,
    parse_target_classes,
};

/// The configuration format version this build reads.
pub const CONFIG_VERSION: u32 = 1;

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Format version of the file; must be [`CONFIG_VERSION`].
    pub version: u32,
    /// HTTP listener.
    #[serde(default)]
    pub server: ServerConfig,
    /// Where data lives.
    #[serde(default)]
    pub storage: StorageConfig,
    /// Where the widget's built files are served from.
    #[serde(default)]
    pub widget: WidgetConfig,
    /// Where the agents' console's built files are served from.
    #[serde(default)]
    pub console: ConsoleConfig,
    /// Agent API access.
    #[serde(default)]
    pub auth: AuthConfig,
    /// Rate limits, timeouts and the connection cap.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// The job runner (SLA clocks, alerts, incidents, deliveries).
    #[serde(default)]
    pub jobs: JobsConfig,
    /// Email to customers and agents.
    #[serde(default)]
    pub notifications: NotificationsConfig,
    /// Outbound HTTP to webhooks, Slack, Jira and Linear.
    #[serde(default)]
    pub integrations: IntegrationsConfig,
    /// Early-warning thresholds.
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// Volume-anomaly detection.
    #[serde(default)]
    pub incidents: IncidentsConfig,
    /// The Prometheus endpoint `/metrics`.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// Log output.
    #[serde(default)]
    pub log: LogConfig,
}

/// `[limits]`: generous defaults a real page (and the demo) never reaches.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Widget requests per second per site key and client address (sustained).
    pub widget_per_second: u32,
    /// Widget requests a client may send at once before the rate applies.
    pub widget_burst: u32,
    /// Agent API requests per second per credential (sustained).
    pub agent_per_second: u32,
    /// Agent API requests a credential may send at once.
    pub agent_burst: u32,
    /// New widget sessions per site and client address in one hour.
    pub new_sessions_per_client_per_hour: u32,
    /// Seconds a client has to send a request's headers.
    pub header_read_timeout_secs: u64,
    /// Seconds a request may take until its answer starts (streams excepted).
    pub request_timeout_secs: u64,
    /// Open connections at most; beyond, new ones wait to be accepted.
    pub max_connections: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (only
    /// behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// MiB of event batches waiting to be stored at most; beyond, a batch is
    /// answered 503 `overloaded` with `Retry-After`.
    pub ingest_queue_mib: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            widget_per_second: 20,
            widget_burst: 200,
            agent_per_second: 50,
            agent_burst: 500,
            new_sessions_per_client_per_hour: 120,
            header_read_timeout_secs: 10,
            request_timeout_secs: 30,
            max_connections: 1024,
            trust_forwarded_for: false,
            ingest_queue_mib: 16,
        }
    }
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The URL users reach this server at; used in printed links.
    #[serde(default)]
    pub public_url: Option<String>,
}

/// `[storage]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// Directory for the SQLite database and the search index.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite database.
    #[serde(default)]
    pub database_url: Option<String>,
}

/// `[widget]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetConfig {
    /// Directory holding `loader.js`, the glue and the wasm, as `cargo xtask dist`
    /// writes them.
    #[serde(default = "default_widget_dir")]
    pub assets_dir: PathBuf,
}

/// `[console]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Directory holding the console's `index.html`, stylesheet, glue and wasm, as
    /// `cargo xtask dist` writes them; served at `/console`.
    #[serde(default = "default_console_dir")]
    pub assets_dir: PathBuf,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            assets_dir: default_console_dir(),
        }
    }
}

fn default_console_dir() -> PathBuf {
    PathBuf::from("dist/console")
}

/// `[auth]`: console sessions and logins. Agents authenticate with their own
/// API tokens (`waymark user token`) or a console session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// A shared bearer token that acts as the demo's admin. Only `waymark demo`
    /// accepts it; `waymark serve` refuses to start with it set.
    #[serde(default)]
    pub api_token: Option<String>,
    /// A console session ends after this many minutes without a request.
    #[serde(default = "default_session_idle_minutes")]
    pub session_idle_minutes: u32,
    /// A console session ends this many hours after login, used or not.
    #[serde(default = "default_session_max_age_hours")]
    pub session_max_age_hours: u32,
    /// Login attempts accepted per minute from one client address.
    #[serde(default = "default_login_attempts_per_minute")]
    pub login_attempts_per_minute: u32,
}

fn default_session_idle_minutes() -> u32 {
    12 * 60
}

fn default_session_max_age_hours() -> u32 {
    7 * 24
}

fn default_login_attempts_per_minute() -> u32 {
    20
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            api_token: None,
            session_idle_minutes: default_session_idle_minutes(),
            session_max_age_hours: default_session_max_age_hours(),
            login_attempts_per_minute: default_login_attempts_per_minute(),
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

fn default_widget_dir() -> PathBuf {
    PathBuf::from("dist/widget")
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            public_url: None,
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: default_data_dir(),
            database_url: None,
        }
    }
}

impl Default for WidgetConfig {
    fn default() -> Self {
        Self {
            assets_dir: default_widget_dir(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version: CONFIG_VERSION,
            server: ServerConfig::default(),
            storage: StorageConfig::default(),
            widget: WidgetConfig::default(),
            console: ConsoleConfig::default(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            jobs: JobsConfig::default(),
            notifications: NotificationsConfig::default(),
            integrations: IntegrationsConfig::default(),
            alerts: AlertsConfig::default(),
            incidents: IncidentsConfig::default(),
            metrics: MetricsConfig::default(),
            log: LogConfig::default(),
        }
    }
}

/// A configuration that cannot be used, naming what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema (the message names the key).
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, naming the key.
        message: String,
    },
    /// A value is invalid.
    #[error("config key `{key}`{}: {message}", env.map(|e| format!(" (environment variable {e})")).unwrap_or_default())]
    Invalid {
        /// The dotted key, e.g. `server.listen`.
        key: &'static str,
        /// The environment variable that set it, if one did.
        env: Option<&'static str>,
        /// What is wrong.
        message: String,
    },
}

/// Environment variables that override the file, with the key each one sets.
pub const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("WAYMARK_LISTEN", "server.listen"),
    ("WAYMARK_PUBLIC_URL", "server.public_url"),
    ("WAYMARK_DATA_DIR", "storage.data_dir"),
    ("DATABASE_URL", "storage.database_url"),
    ("WAYMARK_WIDGET_DIR", "widget.assets_dir"),
    ("WAYMARK_CONSOLE_DIR", "console.assets_dir"),
    ("WAYMARK_API_TOKEN", "auth.api_token"),
    ("WAYMARK_WIDGET_PER_SECOND", "limits.widget_per_second"),
    ("WAYMARK_WIDGET_BURST", "limits.widget_burst"),
    ("WAYMARK_AGENT_PER_SECOND", "limits.agent_per_second"),
    ("WAYMARK_AGENT_BURST", "limits.agent_burst"),
    (
        "WAYMARK_NEW_SESSIONS_PER_CLIENT_PER_HOUR",
        "limits.new_sessions_per_client_per_hour",
    ),
    (
        "WAYMARK_HEADER_READ_TIMEOUT_SECS",
        "limits.header_read_timeout_secs",
    ),
    (
        "WAYMARK_REQUEST_TIMEOUT_SECS",
        "limits.request_timeout_secs",
    ),
    ("WAYMARK_MAX_CONNECTIONS", "limits.max_connections"),
    ("WAYMARK_TRUST_FORWARDED_FOR", "limits.trust_forwarded_for"),
    ("WAYMARK_INGEST_QUEUE_MIB", "limits.ingest_queue_mib"),
    ("WAYMARK_JOBS_ENABLED", "jobs.enabled"),
    ("WAYMARK_SMTP_HOST", "notifications.smtp.host"),
    ("WAYMARK_SMTP_PORT", "notifications.smtp.port"),
    ("WAYMARK_SMTP_USERNAME", "notifications.smtp.username"),
    ("WAYMARK_SMTP_PASSWORD", "notifications.smtp.password"),
    ("WAYMARK_SMTP_FROM", "notifications.smtp.from"),
    ("WAYMARK_ALLOW_TARGETS", "integrations.allow_targets"),
    ("WAYMARK_METRICS_ENABLED", "metrics.enabled"),
    ("WAYMARK_METRICS_TOKEN", "metrics.bearer_token"),
    ("WAYMARK_LOG_FORMAT", "log.format"),
];

/// Parses an environment value for a numeric or boolean key, naming both on error.
fn env_value<T: std::str::FromStr>(
    key: &'static str,
    var: &'static str,
    value: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|err| ConfigError::Invalid {
        key,
        env: Some(var),
        message: format!("`{value}`: {err}"),
    })
}

impl Config {
    /// Reads `path` (if given), applies `env` overrides and validates. `env` is
    /// passed in (normally `std::env::vars()`) so tests stay hermetic.
    pub fn load(path: Option<&Path>, env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => Self::parse_file(path)?,
            None => Self::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn parse_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses TOML text (no environment, no validation).
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|err| err.to_string())
    }

    fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<(), ConfigError> {
        for &(var, key) in ENV_OVERRIDES {
            let Some(value) = env.get(var).filter(|v| !v.is_empty()) else {
                continue;
            };
            match key {
                "server.listen" => {
                    self.server.listen = value.parse().map_err(|err| ConfigError::Invalid {
                        key,
                        env: Some(var),
                        message: format!("`{value}` is not an address like 127.0.0.1:8080 ({err})"),
                    })?;
                }
                "server.public_url" => self.server.public_url = Some(value.clone()),
                "storage.data_dir" => self.storage.data_dir = PathBuf::from(value),
                "storage.database_url" => self.storage.database_url = Some(value.clone()),
                "widget.assets_dir" => self.widget.assets_dir = PathBuf::from(value),
                "console.assets_dir" => self.console.assets_dir = PathBuf::from(value),
                "auth.api_token" => self.auth.api_token = Some(value.clone()),
                "limits.widget_per_second" => {
                    self.limits.widget_per_second = env_value(key, var, value)?;
                }
                "limits.widget_burst" => self.limits.widget_burst = env_value(key, var, value)?,
                "limits.agent_per_second" => {
                    self.limits.agent_per_second = env_value(key, var, value)?;
                }
                "limits.agent_burst" => self.limits.agent_burst = env_value(key, var, value)?,
                "limits.new_sessions_per_client_per_hour" => {
                    self.limits.new_sessions_per_client_per_hour = env_value(key, var, value)?;
                }
                "limits.header_read_timeout_secs" => {
                    self.limits.header_read_timeout_secs = env_value(key, var, value)?;
                }
                "limits.request_timeout_secs" => {
                    self.limits.request_timeout_secs = env_value(key, var, value)?;
                }
                "limits.max_connections" => {
                    self.limits.max_connections = env_value(key, var, value)?;
                }
                "limits.trust_forwarded_for" => {
                    self.limits.trust_forwarded_for = env_value(key, var, value)?;
                }
                "limits.ingest_queue_mib" => {
                    self.limits.ingest_queue_mib = env_value(key, var, value)?;
                }
                "jobs.enabled" => {
                    self.jobs.enabled = value.parse().map_err(|_| ConfigError::Invalid {
                        key,
                        env: Some(var),
                        message: format!("`{value}` is not `true` or `false`"),
                    })?;
                }
                "notifications.smtp.host" => self.smtp_mut().host = value.clone(),
                "notifications.smtp.port" => {
                    self.smtp_mut().port = value.parse().map_err(|_| ConfigError::Invalid {
                        key,
                        env: Some(var),
                        message: format!("`{value}` is not a port number"),
                    })?;
                }
                "notifications.smtp.username" => self.smtp_mut().username = Some(value.clone()),
                "notifications.smtp.password" => self.smtp_mut().password = Some(value.clone()),
                "notifications.smtp.from" => self.smtp_mut().from = value.clone(),
                "integrations.allow_targets" => {
                    self.integrations.allow_targets =
                        parse_target_classes(value).map_err(|message| ConfigError::Invalid {
                            key,
                            env: Some(var),
                            message,
                        })?;
                }
                "metrics.enabled" => {
                    self.metrics.enabled = value.parse().map_err(|_| ConfigError::Invalid {
                        key,
                        env: Some(var),
                        message: format!("`{value}` is not `true` or `false`"),
                    })?;
                }
                "metrics.bearer_token" => self.metrics.bearer_token = Some(value.clone()),
                "log.format" => self.log.format = env_value(key, var, value)?,
                _ => debug_assert!(false, "ENV_OVERRIDES names an unhandled key {key}"),
            }
        }
        Ok(())
    }

    fn smtp_mut(&mut self) -> &mut SmtpConfig {
        self.notifications
            .smtp
            .get_or_insert_with(SmtpConfig::default)
    }

    /// Checks values that parse but cannot work.
    pub fn validate(&self) -> Result<(), ConfigError> {
        sections::validate(self)?;
        if let Some(token) = &self.metrics.bearer_token
            && token.chars().count() < MIN_METRICS_TOKEN_CHARS
        {
            return Err(ConfigError::Invalid {
                key: "metrics.bearer_token",
                env: Some("WAYMARK_METRICS_TOKEN"),
                message: format!(
                    "a scrape token needs at least {MIN_METRICS_TOKEN_CHARS} characters"
                ),
            });
        }
        if self.version != CONFIG_VERSION {
            return Err(ConfigError::Invalid {
                key: "version",
                env: None,
                message: format!(
                    "this server reads version {CONFIG_VERSION}, the file says {}",
                    self.version
                ),
            });
        }
        if let Some(url) = &self.storage.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid {
                key: "storage.database_url",
                env: Some("DATABASE_URL"),
                message:
                    "must start with postgres:// (leave it unset for the embedded SQLite database)"
                        .into(),
            });
        }
        let limits = &self.limits;
        for (key, value) in [
            (
                "limits.widget_per_second",
                u64::from(limits.widget_per_second),
            ),
            ("limits.widget_burst", u64::from(limits.widget_burst)),
            (
                "limits.agent_per_second",
                u64::from(limits.agent_per_second),
            ),
            ("limits.agent_burst", u64::from(limits.agent_burst)),
            (
                "limits.new_sessions_per_client_per_hour",
                u64::from(limits.new_sessions_per_client_per_hour),
            ),
            (
                "limits.header_read_timeout_secs",
                limits.header_read_timeout_secs,
            ),
            ("limits.request_timeout_secs", limits.request_timeout_secs),
            ("limits.max_connections", u64::from(limits.max_connections)),
            (
                "limits.ingest_queue_mib",
                u64::from(limits.ingest_queue_mib),
            ),
            (
                "auth.session_idle_minutes",
                u64::from(self.auth.session_idle_minutes),
            ),
            (
                "auth.session_max_age_hours",
                u64::from(self.auth.session_max_age_hours),
            ),
            (
                "auth.login_attempts_per_minute",
                u64::from(self.auth.login_attempts_per_minute),
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    key,
                    env: None,
                    message: "must be at least 1".into(),
                });
            }
        }
        if let Some(token) = &self.auth.api_token
            && token.len() < 16
        {
            return Err(ConfigError::Invalid {
                key: "auth.api_token",
                env: Some("WAYMARK_API_TOKEN"),
                message: "must be at least 16 characters".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let err = Config::parse("version = 1\n[server]\nlisten = \"127.0.0.1:1\"\nlistne = 3\n")
            .unwrap_err();
        assert!(err.contains("listne"), "{err}");
    }

    #[test]
    fn env_overrides_file_and_names_variable_on_error() {
        let config = Config::load(None, &env(&[("WAYMARK_LISTEN", "127.0.0.1:9999")])).unwrap();
        assert_eq!(config.server.listen.port(), 9999);
        let err = Config::load(None, &env(&[("WAYMARK_LISTEN", "nope")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("server.listen") && err.contains("WAYMARK_LISTEN"),
            "{err}"
        );
    }

    #[test]
    fn limits_come_from_the_file_and_the_environment() {
        let config = Config::parse("version = 1\n[limits]\nwidget_burst = 7\n").unwrap();
        assert_eq!(config.limits.widget_burst, 7);
        assert_eq!(
            config.limits.agent_burst,
            LimitsConfig::default().agent_burst
        );
        let err = Config::parse("version = 1\n[limits]\nwidget_brust = 7\n").unwrap_err();
        assert!(err.contains("widget_brust"), "{err}");
        let config = Config::load(None, &env(&[("WAYMARK_WIDGET_PER_SECOND", "3")])).unwrap();
        assert_eq!(config.limits.widget_per_second, 3);
        let err = Config::load(None, &env(&[("WAYMARK_MAX_CONNECTIONS", "many")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("limits.max_connections"), "{err}");
        let err = Config::load(None, &env(&[("WAYMARK_WIDGET_BURST", "0")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("limits.widget_burst"), "{err}");
        let config = Config::load(None, &env(&[("WAYMARK_INGEST_QUEUE_MIB", "64")])).unwrap();
        assert_eq!(config.limits.ingest_queue_mib, 64);
        let err = Config::load(None, &env(&[("WAYMARK_INGEST_QUEUE_MIB", "0")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("limits.ingest_queue_mib"), "{err}");
    }

    #[test]
    fn wrong_version_and_bad_database_url_are_named() {
        let err = Config {
            version: 2,
            ..Config::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(err.contains("version"), "{err}");
        let err = Config::load(None, &env(&[("DATABASE_URL", "mysql://x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
    }
}
