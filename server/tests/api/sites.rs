//! A site created the way `waymark site add` does serves its widget from its
//! allowed origins only.

use waymark_server::flow::sites::create_site;

use crate::harness::{TestApp, error_code, on_every_backend};

#[tokio::test]
async fn a_new_site_serves_its_widget_to_its_allowed_origins_only() {
    on_every_backend(new_site).await;
}

async fn new_site(app: TestApp) {
    let backend = app.name;
    let site = create_site(
        &app.store,
        "acme",
        "Acme Corp",
        &["https://App.acme.com/".to_owned()],
    )
    .await
    .expect("site created");
    assert!(site.public_key.starts_with("pk_"), "{}", site.public_key);
    assert_eq!(site.allowed_origins, ["https://app.acme.com"]);
    let again = create_site(&app.store, "acme", "Acme again", &[]).await;
    assert!(
        again.is_err_and(|err| err.to_string().contains("exists already")),
        "{backend}"
    );

    let uri = format!("/api/widget/v1/config?site={}", site.public_key);
    let allowed = app
        .raw("GET", &uri, &[("origin", "https://app.acme.com")], "")
        .await;
    assert_eq!(allowed.status, 200, "{backend}: {}", allowed.body);
    let elsewhere = app
        .raw("GET", &uri, &[("origin", "https://evil.example")], "")
        .await;
    assert_eq!(elsewhere.status, 403, "{backend}: {}", elsewhere.body);
    assert_eq!(error_code(&elsewhere), "unknown_site");

    assert!(
        app.store
            .set_site_origins("acme", &[])
            .await
            .expect("origins")
    );
    let anywhere = app
        .raw("GET", &uri, &[("origin", "https://evil.example")], "")
        .await;
    assert_eq!(anywhere.status, 200, "{backend}: {}", anywhere.body);
    let ids: Vec<String> = app
        .store
        .sites()
        .await
        .expect("sites")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, ["acme", "demo"], "{backend}");
}
