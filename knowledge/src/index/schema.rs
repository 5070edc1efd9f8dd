//! The index schema: one tantivy document per ticket or article, with prose, identifier, route
//! and filter fields.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analysis;

/// Handles to every field of the knowledge schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// `site` + U+001F + `id`: the unique key used for update and delete.
    pub key: Field,
    /// The site (tenant); every search filters on it.
    pub site: Field,
    /// The document id within its site.
    pub id: Field,
    /// `ticket` or `article`.
    pub kind: Field,
    /// Title or subject, English-analyzed.
    pub title: Field,
    /// Title words, unstemmed.
    pub title_plain: Field,
    /// The customer's problem or the article body, English-analyzed.
    pub problem: Field,
    /// Human agents' public replies, English-analyzed.
    pub answers: Field,
    /// Root cause and fix of the structured resolution, English-analyzed.
    pub resolution: Field,
    /// Environment, version, tags and product area, English-analyzed.
    pub meta: Field,
    /// Error messages and fingerprints, identifier-analyzed.
    pub errors: Field,
    /// Trigrams of error identifiers, for partial codes.
    pub error_grams: Field,
    /// Identifiers mentioned anywhere in the prose.
    pub identifiers: Field,
    /// Normalised routes, exact (`/billing/invoices/:id`).
    pub route: Field,
    /// Route segments (`billing`, `invoices`).
    pub route_words: Field,
    /// Lowercased product area, exact.
    pub area: Field,
    /// The whole document as stored JSON, to give it back unchanged.
    pub source: Field,
    /// 1 for articles, 0 for tickets, as a fast field: ranking reads it without loading the
    /// stored document.
    pub article: Field,
}

/// Builds the schema and the field handles.
pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |analyzer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(record),
        )
    };
    let prose = text(analysis::ENGLISH, IndexRecordOption::WithFreqsAndPositions);
    let fields = Fields {
        key: builder.add_text_field("key", STRING),
        site: builder.add_text_field("site", STRING),
        id: builder.add_text_field("id", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        title: builder.add_text_field("title", prose.clone()),
        title_plain: builder.add_text_field(
            "title_plain",
            text(analysis::PLAIN, IndexRecordOption::WithFreqs),
        ),
        problem: builder.add_text_field("problem", prose.clone()),
        answers: builder.add_text_field("answers", prose.clone()),
        resolution: builder.add_text_field("resolution", prose.clone()),
        meta: builder.add_text_field(
            "meta",
            text(analysis::ENGLISH, IndexRecordOption::WithFreqs),
        ),
        errors: builder.add_text_field(
            "errors",
            text(analysis::IDENTIFIER, IndexRecordOption::WithFreqs),
        ),
        error_grams: builder.add_text_field(
            "error_grams",
            text(analysis::TRIGRAM, IndexRecordOption::WithFreqs),
        ),
        identifiers: builder.add_text_field(
            "identifiers",
            text(analysis::IDENTIFIER, IndexRecordOption::WithFreqs),
        ),
        route: builder.add_text_field("route", STRING),
        route_words: builder.add_text_field(
            "route_words",
            text(analysis::PLAIN, IndexRecordOption::WithFreqs),
        ),
        area: builder.add_text_field("area", STRING),
        source: builder.add_text_field("source", STORED),
        article: builder.add_u64_field("article", FAST),
    };
    (builder.build(), fields)
}
