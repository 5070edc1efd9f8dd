//! An operator's widget settings reach the widget through its site configuration;
//! bad settings are refused with the key named, and nothing stored changes.

use serde_json::json;

use crate::harness::{Answer, TestApp, error_code, on_every_backend};

async fn config(app: &TestApp) -> Answer {
    app.raw("GET", "/api/widget/v1/config?site=pk_demo", &[], "")
        .await
}

#[tokio::test]
async fn widget_settings_reach_the_site_config_and_bad_ones_change_nothing() {
    on_every_backend(settings).await;
}

async fn settings(app: TestApp) {
    let backend = app.name;
    let before = config(&app).await;
    assert_eq!(before.status, 200, "{backend}: {}", before.body);
    assert_eq!(before.body["theme"]["position"], "bottom_right");

    let settings = json!({
        "theme": {"accent_color": "#d63384", "position": "bottom_left"},
        "privacy": {"consent": "after_consent"},
        "error_pages": {"routes": ["/oops/**"], "titles": ["Hoppla"]},
        "locale": "de"
    });
    let put = app.agent("PUT", "/widget-settings", Some(&settings)).await;
    assert_eq!(put.status, 200, "{backend}: {}", put.body);
    let after = config(&app).await;
    assert_eq!(after.body["theme"]["accent_color"], "#d63384", "{backend}");
    assert_eq!(after.body["theme"]["position"], "bottom_left");
    assert_eq!(after.body["privacy"]["consent"], "after_consent");
    assert_eq!(after.body["error_pages"]["routes"][0], "/oops/**");
    assert_eq!(after.body["locale"], "de");
    assert!(
        after.body["proactive_rules"]
            .as_array()
            .is_some_and(|rules| !rules.is_empty()),
        "the matrix's proactive rules are still served: {}",
        after.body
    );

    for (bad, key) in [
        (
            json!({"theme": {"accent_color": "red;} body{display:none"}}),
            "theme.accent_color",
        ),
        (json!({"locale": "english!"}), "locale"),
        (
            json!({"theme": {"launcher_label": "Hilfe"}}),
            "launcher_label",
        ),
        (json!({"privacy": {"capture_text": true}}), "capture_text"),
        (json!({"colour": "#fff"}), "colour"),
        (json!({"theme": {"position": "top_middle"}}), "position"),
    ] {
        let refused = app.agent("PUT", "/widget-settings", Some(&bad)).await;
        assert_eq!(refused.status, 400, "{backend} {bad}: {}", refused.body);
        let code = error_code(&refused);
        assert!(
            code == "invalid_value" || code == "invalid_body",
            "{backend} {bad}: {code}"
        );
        let message = refused.body["error"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.contains(key),
            "{backend}: `{message}` does not name `{key}`"
        );
    }
    let unchanged = app.agent("GET", "/widget-settings", None).await;
    assert_eq!(unchanged.status, 200);
    assert_eq!(
        unchanged.body["theme"]["accent_color"], "#d63384",
        "{backend}"
    );
    assert_eq!(unchanged.body["locale"], "de");
}
