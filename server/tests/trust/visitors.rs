//! Visitors see only what is meant for visitors: articles and the agent-written
//! fix of a resolved ticket, never the customer's words, names or ticket subject;
//! answer ids are opaque, cannot be walked and do not cross sites; the site
//! chooses whether fixes are shown at all.

use serde_json::{Value, json};
use waymark_knowledge::{DocKind, KnowledgeDoc, Resolution};

use crate::harness::{TestApp, on_every_backend};

const CUSTOMER_WORDS: &str = "I tried to pay our balance three times this morning";

fn plant(app: &TestApp) {
    app._knowledge
        .upsert(&KnowledgeDoc {
            site: "demo".into(),
            id: "T-1042".into(),
            kind: DocKind::Ticket,
            title: format!("{CUSTOMER_WORDS} and it failed"),
            problem: format!("{CUSTOMER_WORDS}. Dana Smith, 12 Elm Street. Is my card blocked?"),
            answers: vec!["Hi Dana, sorry! Your card is fine.".into()],
            resolution: Resolution {
                fix: Some(
                    "Retry the payment once the provider has recovered. No charge went through."
                        .into(),
                ),
                ..Resolution::default()
            },
            routes: vec!["/demo/billing".into()],
            ..KnowledgeDoc::default()
        })
        .unwrap();
    app._knowledge.commit().unwrap();
}

async fn ask(app: &TestApp, key: &str, query: &str) -> Value {
    let answer = app
        .json(
            "POST",
            &format!("/api/widget/v1/suggest?site={key}"),
            &[],
            &json!({"session_id": "s-visitor", "query": query}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn visitors_see_fixes_not_customers() {
    on_every_backend(fixes).await;
}

async fn fixes(app: TestApp) {
    let backend = app.name;
    plant(&app);
    let body = ask(
        &app,
        "pk_demo",
        "tried to pay balance three times this morning card",
    )
    .await;
    let text = body.to_string();
    for secret in ["I tried to pay", "Dana", "Elm Street", "card is fine"] {
        assert!(
            !text.contains(secret),
            "{backend}: `{secret}` reached a visitor: {text}"
        );
    }
    let ticket = body["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["source"] == "ticket")
        .unwrap_or_else(|| panic!("{backend}: the fix is offered: {text}"))
        .clone();
    assert_eq!(
        ticket["title"],
        "Retry the payment once the provider has recovered"
    );
    let id = ticket["id"].as_str().unwrap();
    assert!(
        id.starts_with("a_") && !id.contains("1042"),
        "{backend}: {id}"
    );

    // The opaque id opens the fix only.
    let opened = app
        .raw(
            "GET",
            &format!("/api/widget/v1/answers/{id}?site=pk_demo"),
            &[],
            "",
        )
        .await;
    assert_eq!(opened.status, 200, "{backend}: {}", opened.body);
    assert_eq!(
        opened.body["body"],
        "Retry the payment once the provider has recovered. No charge went through."
    );
    assert!(!opened.body.to_string().contains("Dana"));

    // Internal ids and made-up ids open nothing.
    for walked in ["T-1042", "retry-payment", "a_000000000000000000000000"] {
        let refused = app
            .raw(
                "GET",
                &format!("/api/widget/v1/answers/{walked}?site=pk_demo"),
                &[],
                "",
            )
            .await;
        assert_eq!(refused.status, 404, "{backend} {walked}: {}", refused.body);
    }

    // Another site's key cannot open the demo's answers.
    waymark_server::flow::sites::create_site(&app.store, "other", "Other", &[])
        .await
        .unwrap();
    let other = app.store.site("other").await.unwrap().unwrap();
    let crossed = app
        .raw(
            "GET",
            &format!("/api/widget/v1/answers/{id}?site={}", other.public_key),
            &[],
            "",
        )
        .await;
    assert_eq!(crossed.status, 404, "{backend}: {}", crossed.body);

    // A site that shows articles only: the fix is gone, its id no longer opens.
    assert!(
        app.store
            .set_visitor_sources("demo", "articles")
            .await
            .unwrap()
    );
    let body = ask(
        &app,
        "pk_demo",
        "tried to pay balance three times this morning card",
    )
    .await;
    assert!(
        body["answers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["source"] == "article"),
        "{backend}: {body}"
    );
    let gone = app
        .raw(
            "GET",
            &format!("/api/widget/v1/answers/{id}?site=pk_demo"),
            &[],
            "",
        )
        .await;
    assert_eq!(gone.status, 404, "{backend}: {}", gone.body);
}
