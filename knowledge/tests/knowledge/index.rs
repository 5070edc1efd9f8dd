//! The index: updates, deletes, rebuilds, sites, reopening from disk, similar tickets.

use waymark_knowledge::{IndexConfig, KnowledgeIndex, SuggestRequest};

use crate::{help_desk, ticket};

fn ids(index: &KnowledgeIndex, site: &str, text: &str) -> Vec<String> {
    let request = SuggestRequest {
        site: site.to_owned(),
        text: text.to_owned(),
        limit: 10,
        ..SuggestRequest::default()
    };
    index
        .suggest(&request)
        .unwrap()
        .into_iter()
        .map(|suggestion| suggestion.id)
        .collect()
}

#[test]
fn an_update_replaces_the_document_and_a_delete_removes_it() {
    let index = help_desk();
    let mut updated = ticket("T-2", "Dashboard charts stay empty", "Clear the cache.");
    updated.site = "acme".to_owned();
    index.upsert(&updated).unwrap();
    index.commit().unwrap();
    assert_eq!(ids(&index, "acme", "dashboard charts empty"), ["T-2"]);
    assert!(
        ids(&index, "acme", "websocket firewall").is_empty(),
        "the old text is gone"
    );
    index.delete("acme", "T-2").unwrap();
    index.commit().unwrap();
    assert!(ids(&index, "acme", "dashboard charts").is_empty());
}

#[test]
fn sites_never_see_each_other() {
    let index = help_desk();
    assert_eq!(ids(&index, "globex", "invoice pdf"), ["G-1"]);
    assert!(!ids(&index, "acme", "invoice pdf").contains(&"G-1".to_owned()));
}

#[test]
fn a_rebuild_replaces_one_site_only() {
    let index = help_desk();
    let report = index
        .rebuild_site(
            "acme",
            vec![
                ticket("N-1", "New onboarding checklist", "Follow the wizard."),
                ticket("", "no id", "x"),
            ],
        )
        .unwrap();
    assert_eq!(report.indexed, 1);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(ids(&index, "acme", "onboarding checklist"), ["N-1"]);
    assert!(ids(&index, "acme", "invoice pdf").is_empty());
    assert_eq!(ids(&index, "globex", "invoice pdf"), ["G-1"]);
}

#[test]
fn the_index_survives_reopening_from_disk() {
    let directory =
        std::env::temp_dir().join(format!("waymark-knowledge-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    {
        let index = KnowledgeIndex::open_or_create(&directory, IndexConfig::default()).unwrap();
        let mut doc = ticket("T-9", "Export contacts to CSV", "Use Contacts → Export.");
        doc.site = "acme".to_owned();
        index.upsert(&doc).unwrap();
        index.commit().unwrap();
    }
    let reopened = KnowledgeIndex::open_or_create(&directory, IndexConfig::default()).unwrap();
    assert_eq!(ids(&reopened, "acme", "export contacts"), ["T-9"]);
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn similar_tickets_exclude_the_ticket_itself_and_articles() {
    let index = help_desk();
    let mut question = ticket("T-3", "Password reset email never arrives", "");
    question.problem = "No reset email in my inbox".to_owned();
    let similar = index.similar(&question, 5).unwrap();
    assert!(
        similar
            .iter()
            .all(|found| found.id != "T-3" && found.id != "kb-1"),
        "{similar:?}"
    );
    let mut fresh = ticket("T-new", "Reset email does not arrive", "");
    fresh.problem = "I requested a password reset and no email came".to_owned();
    let similar = index.similar(&fresh, 5).unwrap();
    assert_eq!(similar[0].id, "T-3");
    assert!(similar[0].similarity > 0.0 && similar[0].similarity <= 1.0);
}

#[test]
fn waiting_for_merges_settles_the_segments_and_writes_go_on() {
    let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
    for number in 0..10 {
        let doc = ticket(
            &format!("M-{number}"),
            &format!("Export number {number} stalls"),
            "Retry the export.",
        );
        index.upsert(&doc).unwrap();
        index.commit().unwrap();
    }
    index.wait_for_merges().unwrap();
    let settled = index.searcher().segment_readers().len();
    assert!(settled < 10, "the ten commits' segments were merged");
    assert_eq!(index.num_docs(), 10);
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(index.searcher().segment_readers().len(), settled);
    index
        .upsert(&ticket("M-10", "Import stalls", "Retry the import."))
        .unwrap();
    index.commit().unwrap();
    assert_eq!(ids(&index, "acme", "import"), ["M-10"]);
}
