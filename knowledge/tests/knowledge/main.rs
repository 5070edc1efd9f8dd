//! Integration tests of the knowledge crate: importers on vendor-shaped fixtures, and the index
//! with suggest, similar tickets, updates and deletes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod import;
mod index;
mod suggest;

use std::path::PathBuf;

use waymark_knowledge::{DocKind, IndexConfig, KnowledgeDoc, KnowledgeIndex};

/// Path of a fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A resolved ticket of site `acme`.
pub fn ticket(id: &str, title: &str, answer: &str) -> KnowledgeDoc {
    KnowledgeDoc {
        site: "acme".to_owned(),
        id: id.to_owned(),
        kind: DocKind::Ticket,
        title: title.to_owned(),
        answers: vec![answer.to_owned()],
        ..KnowledgeDoc::default()
    }
}

/// A small index of a help desk's knowledge.
pub fn help_desk() -> KnowledgeIndex {
    let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
    let mut invoice = ticket(
        "T-1",
        "Invoice PDF download fails",
        "The PDF service was overloaded; retry the download.",
    );
    invoice.errors = vec!["E502".to_owned()];
    invoice.routes = vec!["/billing/invoices/:id".to_owned()];
    invoice.product_area = Some("Billing".to_owned());
    let mut connection = ticket(
        "T-2",
        "Dashboard does not load",
        "Your firewall blocks the websocket: allow wss://app.example.com.",
    );
    connection.errors = vec!["net::ERR_CONNECTION_REFUSED".to_owned()];
    connection.routes = vec!["/dashboard".to_owned()];
    let password = ticket(
        "T-3",
        "Password reset email never arrives",
        "Add no-reply@example.com to your allowed senders and request the reset again.",
    );
    let article = KnowledgeDoc {
        kind: DocKind::Article,
        id: "kb-1".to_owned(),
        problem: "Request a new reset link from the login page; the email arrives within a minute."
            .to_owned(),
        answers: Vec::new(),
        ..ticket("kb-1", "Password reset email never arrives", "")
    };
    let other_site = KnowledgeDoc {
        site: "globex".to_owned(),
        ..ticket(
            "G-1",
            "Invoice PDF download fails",
            "Globex answer about invoices.",
        )
    };
    for doc in [invoice, connection, password, article, other_site] {
        index.upsert(&doc).unwrap();
    }
    index.commit().unwrap();
    index
}
