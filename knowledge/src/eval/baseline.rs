//! Baseline: tantivy with default settings — every text of a document concatenated into one
//! field, the default tokenizer (no stemming), the default query parser (terms OR-ed), BM25.

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, STORED, STRING, Schema, TEXT, Value};
use tantivy::{Index, IndexReader, TantivyDocument};

use super::dataset::Dataset;
use super::harness::Retriever;
use crate::Result;
use crate::document::KnowledgeDoc;

/// The default-settings tantivy baseline.
pub struct DefaultTantivy {
    reader: IndexReader,
    parser: QueryParser,
    id: Field,
}

impl DefaultTantivy {
    /// Indexes the dataset in memory.
    pub fn build(dataset: &Dataset) -> Result<Self> {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        for doc in &dataset.docs {
            let mut document = TantivyDocument::default();
            document.add_text(id, &doc.id);
            document.add_text(text, concatenated(doc));
            writer.add_document(document)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let parser = QueryParser::for_index(&index, vec![text]);
        Ok(Self { reader, parser, id })
    }
}

/// Every text of a document in one string.
pub fn concatenated(doc: &KnowledgeDoc) -> String {
    let resolution = &doc.resolution;
    [&doc.title, &doc.problem]
        .into_iter()
        .chain(&doc.answers)
        .chain(resolution.root_cause.iter())
        .chain(resolution.fix.iter())
        .chain(&doc.errors)
        .chain(&doc.tags)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Retriever for DefaultTantivy {
    fn name(&self) -> String {
        "tantivy-default".to_owned()
    }

    fn description(&self) -> String {
        "tantivy defaults: one concatenated field, default tokenizer, query parser (OR), BM25"
            .to_owned()
    }

    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<String>> {
        let (parsed, _errors) = self.parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let hits = searcher.search(&parsed, &TopDocs::with_limit(limit).order_by_score())?;
        let mut ids = Vec::with_capacity(hits.len());
        for (_, address) in hits {
            let stored: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = stored.get_first(self.id).and_then(|value| value.as_str()) {
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }
}
