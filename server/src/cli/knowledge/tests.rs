//! Tests of `waymark knowledge`: import records, and the draft rewrite through a
//! stub OpenAI-compatible server on a local port.

use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A stub chat-completions server: answers `expected` requests with a fixed rewrite and
/// returns the requests it saw.
async fn stub_server(expected: usize) -> (String, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let handle = tokio::spawn(async move {
        let mut requests = Vec::new();
        for _ in 0..expected {
            let accepted = tokio::time::timeout(Duration::from_secs(10), listener.accept()).await;
            let Ok(Ok((mut socket, _))) = accepted else {
                break;
            };
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            loop {
                let read = socket.read(&mut buffer).await.unwrap_or(0);
                request.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&request).to_string();
                let complete = text.split_once("\r\n\r\n").is_some_and(|(head, body)| {
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    body.len() >= length
                });
                if read == 0 || complete {
                    break;
                }
            }
            requests.push(String::from_utf8_lossy(&request).to_string());
            let body = r##"{"model":"stub-model","choices":[{"message":{"role":"assistant","content":"# Rewritten title\n\nRewritten body."}}]}"##;
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
        requests
    });
    (format!("http://{address}/v1/chat/completions"), handle)
}

use std::time::Duration;

fn ticket_line(id: usize) -> String {
    serde_json::json!({
        "id": format!("t-{id}"),
        "subject": "Export fails with ERR_EXPORT_TIMEOUT",
        "error_messages": ["Export failed: ERR_EXPORT_TIMEOUT"],
        "routes": ["/reports/1/export"],
        "resolution": {
            "root_cause": "Large reports exceed the export timeout.",
            "fix": "1. Filter the report to a smaller date range.\n2. Export each range separately."
        },
        "messages": [{"author": "agent", "text": "Filter the report to a smaller date range."}],
        "resolved_at_ms": 1_700_000_000_000i64 + id as i64
    })
    .to_string()
}

#[test]
fn import_records_are_read_as_tickets_and_articles() {
    let records = vec![
        serde_json::json!({"id": "T-1", "title": "Export fails", "answers": ["Filter it."]}),
        serde_json::json!({"id": "kb-1", "kind": "article", "title": "Exports", "body": "Filter it."}),
        serde_json::json!({"id": "T-2", "subject": "Export fails", "messages": []}),
    ];
    let (tickets, articles) = split_records(records);
    let ids: Vec<&str> = tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, vec!["T-1", "T-2"]);
    assert_eq!(
        tickets[0].agent_answers().collect::<Vec<_>>(),
        vec!["Filter it."]
    );
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].body, "Filter it.");
}

#[tokio::test]
async fn build_drafts_rewrites_through_the_configured_endpoint_and_keeps_the_extractive_draft() {
    let dir = std::env::temp_dir().join(format!("waymark-drafts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let tickets = dir.join("tickets.jsonl");
    let lines: Vec<String> = (0..4).map(ticket_line).collect();
    std::fs::write(&tickets, lines.join("\n") + "\nnot json\n").unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join("drafts.jsonl");
    let assignments = dir.join("assignments.json");
    let (url, server) = stub_server(1).await;

    let args = BuildDraftsArgs {
        tickets: Some(tickets.clone()),
        site: None,
        articles: None,
        assignments: Some(assignments.clone()),
        out: Some(out.clone()),
        min_tickets: 3,
        format: OutputFormat::Json,
        rewrite_url: Some(url),
        rewrite_model: "local-model".into(),
        rewrite_api_key: Some("secret".into()),
    };
    build_drafts_command(args, &tickets)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    let written = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    let drafts: Vec<serde_json::Value> = written
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0]["title"], "Export fails with ERR_EXPORT_TIMEOUT");
    assert_eq!(drafts[0]["rewritten"]["title"], "Rewritten title");
    assert_eq!(drafts[0]["rewritten"]["model"], "stub-model");
    assert_eq!(
        drafts[0]["steps"][0]["text"],
        "Filter the report to a smaller date range."
    );
    assert!(assignments.exists());

    let requests = server.await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].starts_with("POST /v1/chat/completions HTTP/1.1"));
    assert!(
        requests[0]
            .to_ascii_lowercase()
            .contains("authorization: bearer secret")
    );
    assert!(requests[0].contains("\"model\":\"local-model\""));
    let _ = std::fs::remove_dir_all(&dir);
}
