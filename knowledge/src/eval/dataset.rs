//! Evaluation datasets: `corpus.jsonl` (documents) and `queries.jsonl` (queries with the ids of
//! their relevant documents), one JSON object a line.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::document::KnowledgeDoc;
use crate::{KnowledgeError, Result};

/// The site documents of an evaluation dataset are indexed under.
pub const EVAL_SITE: &str = "eval";

/// A query with its known relevant documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalQuery {
    /// Query id.
    pub id: String,
    /// What the user typed.
    pub text: String,
    /// Ids of the relevant documents.
    pub relevant: Vec<String>,
}

/// A loaded dataset.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The directory's name.
    pub name: String,
    /// The documents, as resolved tickets of site [`EVAL_SITE`] unless they say otherwise.
    pub docs: Vec<KnowledgeDoc>,
    /// The queries.
    pub queries: Vec<EvalQuery>,
    /// Corpus lines left out because they hold no text to search (no id, or no title,
    /// problem or answer).
    pub skipped_documents: usize,
}

impl Dataset {
    /// Loads `corpus.jsonl` and `queries.jsonl` from a directory. A corpus line is a
    /// [`KnowledgeDoc`] (`{"id", "title", "answers": [..]}` is enough). Any malformed line
    /// fails the load with its file and line number: an evaluation on partial data would lie.
    /// Documents without text to search are left out and counted in
    /// [`Dataset::skipped_documents`].
    pub fn load(directory: &Path) -> Result<Self> {
        let all: Vec<KnowledgeDoc> = read_jsonl(&directory.join("corpus.jsonl"))?;
        let total = all.len();
        let mut docs: Vec<KnowledgeDoc> = all
            .into_iter()
            .filter(|doc| doc.validate().is_ok())
            .collect();
        let skipped_documents = total - docs.len();
        for doc in &mut docs {
            if doc.site.is_empty() {
                doc.site = EVAL_SITE.to_owned();
            }
        }
        let queries: Vec<EvalQuery> = read_jsonl(&directory.join("queries.jsonl"))?;
        let name = directory.file_name().map_or_else(
            || directory.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        Ok(Self {
            name,
            docs,
            queries,
            skipped_documents,
        })
    }
}

fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path).map_err(|error| KnowledgeError::io(path, error))?;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str(line).map_err(|error| KnowledgeError::Format {
            path: path.to_path_buf(),
            message: format!("line {}: {error}", index + 1),
        })?;
        rows.push(row);
    }
    Ok(rows)
}
