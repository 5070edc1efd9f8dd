//! One document by its id, as it was indexed: what an answer opens to; a site's
//! documents of one kind (what drafts are built from); and every document, for
//! copying an index elsewhere.

use tantivy::TantivyDocument;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};

use crate::suggest::stored_doc;
use crate::{DocKind, KnowledgeDoc, KnowledgeIndex, Result};

impl KnowledgeIndex {
    /// The document `id` of `site` as it was indexed, if the index holds it.
    pub fn document(&self, site: &str, id: &str) -> Result<Option<KnowledgeDoc>> {
        let searcher = self.searcher();
        let query = TermQuery::new(self.key_term(site, id), IndexRecordOption::Basic);
        let hits = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = hits.first() else {
            return Ok(None);
        };
        let stored: TantivyDocument = searcher.doc(*address)?;
        stored_doc(&stored, self.fields().source).map(Some)
    }

    /// Every document of every site as it was indexed, as of the last commit.
    pub fn all_documents(&self) -> Result<Vec<KnowledgeDoc>> {
        let searcher = self.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
        let mut docs = Vec::with_capacity(addresses.len());
        for address in addresses {
            let stored: TantivyDocument = searcher.doc(address)?;
            docs.push(stored_doc(&stored, self.fields().source)?);
        }
        Ok(docs)
    }

    /// Up to `limit` documents of `kind` of `site`, as they were indexed (in index order).
    pub fn documents_of_kind(
        &self,
        site: &str,
        kind: DocKind,
        limit: usize,
    ) -> Result<Vec<KnowledgeDoc>> {
        let searcher = self.searcher();
        let fields = self.fields();
        let term = |field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        let query = BooleanQuery::new(vec![
            (Occur::Must, term(fields.site, site)),
            (Occur::Must, term(fields.kind, kind.as_str())),
        ]);
        let hits = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        hits.into_iter()
            .map(|(_, address)| {
                let stored: TantivyDocument = searcher.doc(address)?;
                stored_doc(&stored, fields.source)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use crate::{DocKind, IndexConfig, KnowledgeDoc, KnowledgeIndex};

    #[test]
    fn a_document_comes_back_whole_and_only_for_its_site() {
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).expect("index");
        let article = KnowledgeDoc {
            site: "acme".into(),
            id: "reset-password".into(),
            kind: DocKind::Article,
            title: "Reset your password".into(),
            problem: "Open Settings, then Security, and choose Reset password.".into(),
            routes: vec!["/settings/security".into()],
            ..KnowledgeDoc::default()
        };
        index.upsert(&article).expect("upsert");
        index.commit().expect("commit");
        assert_eq!(
            index.document("acme", "reset-password").expect("lookup"),
            Some(article.clone())
        );
        assert_eq!(
            index.document("other", "reset-password").expect("lookup"),
            None
        );
        assert_eq!(index.document("acme", "missing").expect("lookup"), None);
        assert_eq!(index.all_documents().expect("all"), vec![article.clone()]);
        let ticket = KnowledgeDoc {
            id: "T-1".into(),
            kind: DocKind::Ticket,
            ..article.clone()
        };
        index.upsert(&ticket).expect("upsert");
        index.commit().expect("commit");
        let tickets = index
            .documents_of_kind("acme", DocKind::Ticket, 10)
            .expect("list");
        assert_eq!(tickets, vec![ticket]);
        assert!(
            index
                .documents_of_kind("other", DocKind::Article, 10)
                .expect("list")
                .is_empty()
        );
    }
}
