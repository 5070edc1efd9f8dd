//! The OpenAPI document of every API route, served at `/api/openapi.json`. It is
//! written by hand; a test checks it against [`super::api_routes`], so a route
//! missing from the document (or documented but not routed) fails the build.

use axum::http::header;
use axum::response::IntoResponse;

/// Where the document is served.
pub const PATH: &str = "/api/openapi.json";

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub(super) async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

/// Every (method, path) pair the document describes, sorted.
pub fn documented_routes() -> Result<Vec<(String, String)>, serde_json::Error> {
    let document: serde_json::Value = serde_json::from_str(DOCUMENT)?;
    let mut routes = Vec::new();
    if let Some(paths) = document.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "delete", "patch"] {
                if item.get(method).is_some() {
                    routes.push((method.to_owned(), path.clone()));
                }
            }
        }
    }
    routes.sort();
    Ok(routes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn document_lists_exactly_the_routed_api() {
        let mut routed: Vec<(String, String)> = super::super::api_routes()
            .into_iter()
            .map(|(verb, path)| (verb.name().to_owned(), path.to_owned()))
            .collect();
        routed.sort();
        let documented = super::documented_routes().unwrap();
        let missing: Vec<_> = routed.iter().filter(|r| !documented.contains(r)).collect();
        let extra: Vec<_> = documented.iter().filter(|r| !routed.contains(r)).collect();
        assert!(
            missing.is_empty(),
            "routes missing from openapi.json: {missing:?}"
        );
        assert!(extra.is_empty(), "documented but not routed: {extra:?}");
    }
}
