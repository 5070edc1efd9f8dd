//! The site's widget settings: accent colour and position, consent and scrubbing,
//! error-page patterns, signal thresholds and the language. The widget reads them in its
//! site configuration (`GET /api/widget/v1/config`); the proactive rules come from
//! the escalation matrix.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use waymark_core::scrub::ScrubConfig;
use waymark_core::signals::{ErrorPagePatterns, SignalConfig};
use waymark_core::wire::{ConsentMode, PrivacySettings, Theme, WidgetPosition};

use super::auth::{AdminSettings, Agent};
use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::json::Json;

/// What an operator sets about the widget of one site: only what the widget applies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WidgetSettings {
    /// Accent colour and launcher position.
    pub theme: ThemeSettings,
    /// Consent mode and scrubbing.
    pub privacy: PrivacyInput,
    /// Which pages count as error pages.
    pub error_pages: ErrorPagePatterns,
    /// Page-signal detector thresholds.
    pub signals: SignalConfig,
    /// The language of the widget's strings (`en`, `de`), whatever the page says;
    /// unset, the widget follows the page's `lang` or the browser.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// The widget's look.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThemeSettings {
    /// Accent colour as CSS (`#0a7cff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accent_color: Option<String>,
    /// Where the launcher sits.
    pub position: WidgetPosition,
}

/// Consent and scrubbing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyInput {
    /// When the widget may write to storage and send events.
    pub consent: ConsentMode,
    /// What scrubbing removes before anything leaves the browser.
    pub scrub: ScrubConfig,
}

impl WidgetSettings {
    /// The site configuration's theme.
    pub fn theme(&self) -> Theme {
        Theme {
            accent_color: self.theme.accent_color.clone(),
            position: self.theme.position,
            ..Theme::default()
        }
    }

    /// The site configuration's privacy settings.
    pub fn privacy(&self) -> PrivacySettings {
        PrivacySettings {
            consent: self.privacy.consent,
            scrub: self.privacy.scrub.clone(),
            ..PrivacySettings::default()
        }
    }
}

impl WidgetSettings {
    /// Checks what the widget would otherwise have to distrust; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(color) = &self.theme.accent_color
            && !is_css_color(color)
        {
            return Err(format!(
                "theme.accent_color: `{color}` is not a colour (use #rgb, #rrggbb, rgb(…) or hsl(…))"
            ));
        }
        if let Some(locale) = &self.locale
            && !is_locale(locale)
        {
            return Err(format!(
                "locale: `{locale}` is not a language tag such as `en` or `de-AT`"
            ));
        }
        Ok(())
    }
}

/// `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, or `rgb(…)`/`rgba(…)`/`hsl(…)`/`hsla(…)`
/// with numbers only: nothing that could close the style rule it is put in.
fn is_css_color(color: &str) -> bool {
    if let Some(hex) = color.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let Some((function, rest)) = color.split_once('(') else {
        return false;
    };
    let Some(arguments) = rest.strip_suffix(')') else {
        return false;
    };
    matches!(function, "rgb" | "rgba" | "hsl" | "hsla")
        && arguments
            .bytes()
            .all(|b| b.is_ascii_digit() || b" ,.%/".contains(&b) || b"deg".contains(&b))
}

/// A BCP 47-looking tag: 2–3 letters, then up to three subtags of 2–8 letters or digits.
fn is_locale(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let language_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest: Vec<&str> = parts.collect();
    language_ok
        && rest.len() <= 3
        && rest
            .iter()
            .all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The stored settings of a site, or the defaults. Settings stored by an older
/// version that no longer read are logged and replaced by the defaults.
pub async fn stored(state: &AppState, site_id: &str) -> Result<WidgetSettings, ApiError> {
    let Some(json) = state.store.site_widget_settings(site_id).await? else {
        return Ok(WidgetSettings::default());
    };
    Ok(serde_json::from_str(&json).unwrap_or_else(|err| {
        tracing::warn!(site = site_id, error = %err, "stored widget settings are unreadable; using defaults");
        WidgetSettings::default()
    }))
}

pub(super) async fn get_settings(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
) -> Result<Json<WidgetSettings>, ApiError> {
    let site_id = agent.site_id.as_str();
    Ok(Json(stored(&state, site_id).await?))
}

pub(super) async fn put_settings(
    State(state): State<AppState>,
    agent: Agent<AdminSettings>,
    Json(settings): Json<WidgetSettings>,
) -> Result<Json<WidgetSettings>, ApiError> {
    let site_id = agent.site_id.as_str();
    settings
        .validate()
        .map_err(|message| ApiError::new(ErrorCode::InvalidValue, message))?;
    let json = serde_json::to_string(&settings)
        .map_err(|err| ApiError::new(ErrorCode::Internal, err.to_string()))?;
    state.store.put_site_widget_settings(site_id, &json).await?;
    tracing::info!(site = %site_id, "widget settings stored");
    Ok(Json(settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_that_could_break_out_of_a_style_rule_are_refused() {
        for good in [
            "#0a7cff",
            "#FFF",
            "#0a7cff80",
            "rgb(10, 124, 255)",
            "hsl(210deg 100% 52%)",
        ] {
            assert!(is_css_color(good), "{good}");
        }
        for bad in [
            "red;}",
            "#12",
            "#ggg",
            "url(x)",
            "rgb(1,2,3);x",
            "expression(alert(1))",
            "",
        ] {
            assert!(!is_css_color(bad), "{bad}");
        }
    }

    #[test]
    fn locales_are_language_tags() {
        for good in ["en", "de", "de-AT", "pt_BR", "zh-Hant-TW"] {
            assert!(is_locale(good), "{good}");
        }
        for bad in ["", "e", "english!", "de-", "de-AT-x-y-z-w"] {
            assert!(!is_locale(bad), "{bad}");
        }
    }
}
