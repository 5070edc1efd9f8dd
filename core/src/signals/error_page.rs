//! Which pages are error pages: marked by the host (meta tag / data attribute, the
//! widget reports it) or matching the site's route and title patterns.

use crate::text::route_matches;
use serde::{Deserialize, Serialize};

/// A site's error-page patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorPagePatterns {
    /// Route patterns (`/errors/**`, `/500`).
    pub routes: Vec<String>,
    /// Title fragments, compared ignoring ASCII case (`page not found`).
    pub titles: Vec<String>,
}

impl Default for ErrorPagePatterns {
    fn default() -> Self {
        Self {
            routes: vec![
                "/404".into(),
                "/500".into(),
                "/error".into(),
                "/errors/**".into(),
            ],
            titles: vec![
                "page not found".into(),
                "something went wrong".into(),
                "internal server error".into(),
            ],
        }
    }
}

impl ErrorPagePatterns {
    /// Whether a page is an error page: marked by the host, or matching a route or
    /// title pattern.
    pub fn is_error_page(&self, route: &str, title: &str, marked_by_host: bool) -> bool {
        if marked_by_host {
            return true;
        }
        let title = title.to_ascii_lowercase();
        self.routes
            .iter()
            .any(|pattern| route_matches(pattern, route))
            || self.titles.iter().any(|fragment| {
                !fragment.is_empty()
                    && crate::text::find_from(&title, &fragment.to_ascii_lowercase(), 0).is_some()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_routes_and_titles() {
        let patterns = ErrorPagePatterns::default();
        assert!(patterns.is_error_page("/orders", "Orders", true));
        assert!(patterns.is_error_page("/errors/payment", "Orders", false));
        assert!(patterns.is_error_page("/orders/7", "Oops — Something Went Wrong", false));
        assert!(!patterns.is_error_page("/orders/7", "Order 7", false));
        assert!(!patterns.is_error_page("/errorsx", "Fine", false));
    }
}
