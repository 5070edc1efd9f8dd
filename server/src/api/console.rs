//! The agents' console at `/console`: the static files `cargo xtask dist` builds
//! (`index.html`, the stylesheet, the boot script, the wasm-bindgen glue and the
//! wasm, names carrying a content hash), every response under a strict Content
//! Security Policy. Paths that name no file answer `index.html`, so a reload on
//! any console address opens the console.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// Where the console is served.
pub const PATH: &str = "/console";

/// The policy on every console response: scripts and styles from the server
/// only, no inline script, wasm compilation allowed, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
                       style-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/// The console's files under [`PATH`], served from `dir`.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    Router::new()
        .nest_service(PATH, files)
        .layer(middleware::from_fn(secure_headers))
}

async fn secure_headers(request: Request, next: Next) -> Response {
    let hashed_asset = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let cache = if hashed_asset {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Whether `path` names a file whose name carries its content hash
/// (`app-0123456789abcdef.css`): such a file never changes under its name.
pub(crate) fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    #[test]
    fn only_hashed_names_are_cached_for_good() {
        assert!(is_hashed_asset("/console/app-0123456789abcdef.css"));
        assert!(is_hashed_asset(
            "/console/waymark_console_bg-0123456789abcdef.wasm"
        ));
        assert!(!is_hashed_asset("/console/index.html"));
        assert!(!is_hashed_asset("/console/"));
        assert!(!is_hashed_asset("/console/app-zz23456789abcdef.css"));
    }

    #[tokio::test]
    async fn every_console_answer_carries_the_strict_policy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<title>console</title>").unwrap();
        std::fs::write(dir.path().join("app-0123456789abcdef.css"), "body{}").unwrap();
        let app: Router = routes(dir.path());
        for (path, cache) in [
            ("/console", "no-cache"),
            ("/console/", "no-cache"),
            ("/console/tickets/t_1", "no-cache"),
            (
                "/console/app-0123456789abcdef.css",
                "public, max-age=31536000, immutable",
            ),
        ] {
            let response = app
                .clone()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let headers = response.headers();
            assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CSP, "{path}");
            assert_eq!(headers[header::CACHE_CONTROL], cache, "{path}");
        }
    }
}
