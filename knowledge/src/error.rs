//! The one error type of the knowledge crate.

use std::path::PathBuf;

/// Everything that can go wrong in indexing, searching, importing or evaluating.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The search engine reported a failure (corrupt index, IO inside the index, bad schema).
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be opened.
    #[error("cannot open index directory {path}: {message}")]
    OpenDirectory {
        /// The directory that was asked for.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not what its format promises (bad JSON, wrong top-level shape).
    #[error("{path}: {message}")]
    Format {
        /// The file involved.
        path: PathBuf,
        /// What is wrong, with line and column when known.
        message: String,
    },
    /// A document cannot be indexed as given.
    #[error("invalid document {id:?}: {reason}")]
    InvalidDocument {
        /// The document's id (may be empty).
        id: String,
        /// Why it was refused.
        reason: String,
    },
}

impl KnowledgeError {
    /// Wraps an IO error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias of the knowledge crate.
pub type Result<T, E = KnowledgeError> = std::result::Result<T, E>;
