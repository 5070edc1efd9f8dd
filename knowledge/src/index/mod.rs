//! The on-disk knowledge index: resolved tickets and published articles in one tantivy index,
//! with a `site` field so one index serves every tenant.
//!
//! - [`analysis`]: analyzers (English prose, identifiers, trigrams) and route normalisation.
//! - [`schema`]: the fields.
//! - [`feed`]: following a numbered change feed, the position kept in the index's own commit.
//! - [`KnowledgeIndex`]: open/create, incremental add/update/delete, full rebuild; searching lives
//!   in [`crate::suggest`] and [`crate::similar`].

pub mod analysis;
pub mod feed;
pub mod schema;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

pub use feed::{FeedApplied, IndexChange};
pub use schema::Fields;

use crate::document::{DocKind, KnowledgeDoc};
use crate::{KnowledgeError, Result};

/// Separator between site and id in the unique key (a control character no id contains).
const KEY_SEPARATOR: char = '\u{1f}';

/// How the index writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexConfig {
    /// Memory budget of the writer, in bytes, shared by its threads.
    pub writer_memory_bytes: usize,
    /// Indexing threads.
    pub writer_threads: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            writer_memory_bytes: 64 * 1024 * 1024,
            writer_threads: 1,
        }
    }
}

/// The knowledge index. `Send + Sync`: share one instance (e.g. in an `Arc`) between request
/// handlers. Searches run concurrently; writes are serialised by an internal lock, and become
/// visible to searches when [`KnowledgeIndex::commit`] returns. Commits made by another process
/// on the same directory are picked up within a few milliseconds.
pub struct KnowledgeIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    config: IndexConfig,
}

impl std::fmt::Debug for KnowledgeIndex {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("KnowledgeIndex")
            .field("documents", &self.num_docs())
            .field("config", &self.config)
            .finish()
    }
}

impl KnowledgeIndex {
    /// Opens the index in `directory`, creating the directory and an empty index if needed.
    pub fn open_or_create(directory: &Path, config: IndexConfig) -> Result<Self> {
        let open_error = |message: String| KnowledgeError::OpenDirectory {
            path: directory.to_path_buf(),
            message,
        };
        std::fs::create_dir_all(directory).map_err(|error| open_error(error.to_string()))?;
        let mmap = MmapDirectory::open(directory).map_err(|error| open_error(error.to_string()))?;
        let (schema, fields) = schema::build();
        let index = Index::open_or_create(mmap, schema)?;
        Self::from_index(index, fields, config)
    }

    /// Creates an empty index held in memory (tests, evaluation, benchmarks).
    pub fn in_memory(config: IndexConfig) -> Result<Self> {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        Self::from_index(index, fields, config)
    }

    fn from_index(index: Index, fields: Fields, config: IndexConfig) -> Result<Self> {
        analysis::register(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            config,
        })
    }

    /// The schema's field handles.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The tantivy schema.
    pub fn schema(&self) -> Schema {
        self.index.schema()
    }

    /// The underlying tantivy index (for analyzers and advanced queries).
    pub fn tantivy_index(&self) -> &Index {
        &self.index
    }

    /// A searcher over the last commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Number of searchable documents (all sites) as of the last commit.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Adds a document, replacing any document with the same site and id. Visible after
    /// [`KnowledgeIndex::commit`].
    pub fn upsert(&self, doc: &KnowledgeDoc) -> Result<()> {
        let mut guard = self.writer()?;
        self.stage_upsert(Self::writer_in(&mut guard)?, doc)
    }

    /// Removes the document with this site and id, if any. Visible after
    /// [`KnowledgeIndex::commit`].
    pub fn delete(&self, site: &str, id: &str) -> Result<()> {
        let mut guard = self.writer()?;
        Self::writer_in(&mut guard)?.delete_term(self.key_term(site, id));
        Ok(())
    }

    /// Makes every add, update and delete since the last commit durable and searchable. The
    /// feed position ([`KnowledgeIndex::feed_position`]) stays where it is.
    pub fn commit(&self) -> Result<()> {
        let mut guard = self.writer()?;
        let kept = self.kept_payload()?;
        let mut prepared = Self::writer_in(&mut guard)?.prepare_commit()?;
        if let Some(payload) = kept {
            prepared.set_payload(&payload);
        }
        prepared.commit()?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Waits until every segment merge started by earlier commits has finished, then makes the
    /// merged segments searchable: the index then stays as it is until the next write (what a
    /// benchmark must measure). The writer is closed and reopened by the next write.
    pub fn wait_for_merges(&self) -> Result<()> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Full rebuild of one site: removes all of its documents, then indexes `docs` (whose
    /// `site` is set to `site`) and commits. Returns how many documents were indexed; documents
    /// that fail validation are returned with their error instead of aborting the rebuild.
    pub fn rebuild_site(
        &self,
        site: &str,
        docs: impl IntoIterator<Item = KnowledgeDoc>,
    ) -> Result<RebuildReport> {
        {
            let mut guard = self.writer()?;
            Self::writer_in(&mut guard)?.delete_term(Term::from_field_text(self.fields.site, site));
        }
        let mut report = RebuildReport::default();
        for mut doc in docs {
            doc.site = site.to_owned();
            match self.upsert(&doc) {
                Ok(()) => report.indexed += 1,
                Err(error @ KnowledgeError::InvalidDocument { .. }) => report.refused.push(error),
                Err(other) => return Err(other),
            }
        }
        self.commit()?;
        Ok(report)
    }

    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            let writer = self.index.writer_with_num_threads(
                self.config.writer_threads.max(1),
                self.config
                    .writer_memory_bytes
                    .max(15_000_000 * self.config.writer_threads.max(1)),
            )?;
            *guard = Some(writer);
        }
        Ok(guard)
    }

    fn writer_in<'guard>(
        guard: &'guard mut MutexGuard<'_, Option<IndexWriter>>,
    ) -> Result<&'guard mut IndexWriter> {
        guard.as_mut().ok_or_else(|| {
            KnowledgeError::Index(tantivy::TantivyError::InternalError(
                "the index writer is not open".to_owned(),
            ))
        })
    }

    /// The unique-key term of a document.
    pub(crate) fn key_term(&self, site: &str, id: &str) -> Term {
        Term::from_field_text(self.fields.key, &format!("{site}{KEY_SEPARATOR}{id}"))
    }

    fn to_tantivy(&self, doc: &KnowledgeDoc) -> Result<TantivyDocument> {
        let fields = &self.fields;
        let mut document = TantivyDocument::default();
        document.add_text(fields.key, format!("{}{KEY_SEPARATOR}{}", doc.site, doc.id));
        document.add_text(fields.site, &doc.site);
        document.add_text(fields.id, &doc.id);
        document.add_text(fields.kind, doc.kind.as_str());
        document.add_u64(fields.article, u64::from(doc.kind == DocKind::Article));
        document.add_text(fields.title, &doc.title);
        document.add_text(fields.title_plain, &doc.title);
        document.add_text(fields.problem, &doc.problem);
        for answer in &doc.answers {
            document.add_text(fields.answers, answer);
        }
        let resolution = &doc.resolution;
        for text in [&resolution.root_cause, &resolution.fix]
            .into_iter()
            .flatten()
        {
            document.add_text(fields.resolution, text);
        }
        let meta = [
            &resolution.environment,
            &resolution.version,
            &doc.product_area,
        ];
        for text in meta.into_iter().flatten().chain(&doc.tags) {
            document.add_text(fields.meta, text);
        }
        for error in &doc.errors {
            document.add_text(fields.errors, error);
            document.add_text(fields.error_grams, error);
        }
        let prose = [&doc.title, &doc.problem]
            .into_iter()
            .chain(&doc.answers)
            .chain(resolution.fix.iter());
        for text in prose {
            let identifiers = prose_identifiers(text);
            if !identifiers.is_empty() {
                document.add_text(fields.identifiers, identifiers.join(" "));
            }
        }
        for route in &doc.routes {
            let normalized = analysis::normalize_route(route);
            document.add_text(fields.route_words, normalized.replace(":id", " "));
            document.add_text(fields.route, normalized);
        }
        if let Some(area) = &doc.product_area {
            document.add_text(fields.area, area.trim().to_lowercase());
        }
        let source =
            serde_json::to_string(doc).map_err(|error| KnowledgeError::InvalidDocument {
                id: doc.id.clone(),
                reason: error.to_string(),
            })?;
        document.add_text(fields.source, source);
        Ok(document)
    }
}

/// What a full rebuild did.
#[derive(Debug, Default)]
pub struct RebuildReport {
    /// Documents indexed.
    pub indexed: usize,
    /// Documents refused, with the reason.
    pub refused: Vec<KnowledgeError>,
}

/// The identifier-looking words of a prose text (`E502`, `ERR_CONN_REFUSED`).
pub(crate) fn prose_identifiers(text: &str) -> Vec<&str> {
    analysis::identifier_chunks(text)
        .map(|(_, chunk)| chunk)
        .filter(|chunk| analysis::looks_like_identifier(chunk))
        .collect()
}
