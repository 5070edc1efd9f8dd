//! Baseline: tantivy with default settings — every text of a document concatenated into one
//! field, the default tokenizer (no stemming), the default query parser (terms OR-ed), BM25.
//! The user's text is taken as words, never as query syntax.

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

/// The query's words as the default tokenizer sees them, lowercased and separated by spaces:
/// nothing of the user's text can be read as query syntax (`Code:` as a field, `AND`, quotes,
/// `^`, brackets), and the terms OR-ed by the parser are the ones it would have searched.
pub fn plain_words(query: &str) -> String {
    query
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
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
        let (parsed, _errors) = self.parser.parse_query_lenient(&plain_words(query));
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::eval::Dataset;

    #[test]
    fn query_syntax_in_the_text_is_searched_as_words() {
        let dataset = Dataset {
            name: "syntax".to_owned(),
            docs: vec![KnowledgeDoc {
                site: "eval".to_owned(),
                id: "code".to_owned(),
                title: "Error code 400 from the envelopes call".to_owned(),
                ..KnowledgeDoc::default()
            }],
            queries: Vec::new(),
            skipped_documents: 0,
        };
        let mut baseline = DefaultTantivy::build(&dataset).unwrap();
        for query in [
            "Code: 400",
            "\"unterminated AND OR NOT ^2 [a TO",
            "title:(x) -y +z ~ * IN [1 2]",
            "",
            ":::",
        ] {
            let found = baseline.search(query, 10).unwrap();
            assert!(found.len() <= 1, "{query}");
        }
        assert_eq!(baseline.search("Code: 400", 10).unwrap(), ["code"]);
    }
}
