//! Following a change feed: the index applies numbered changes (upsert or delete) in order
//! and keeps the number of the last one it applied in its own commit, so the position and the
//! documents are always saved together. A server keeps its index in step with a log of every
//! knowledge change in its database this way; an empty index starts from the beginning.

use tantivy::IndexWriter;

use super::KnowledgeIndex;
use crate::document::KnowledgeDoc;
use crate::{KnowledgeError, Result};

/// What the commit payload starts with; the feed position follows.
const PAYLOAD_PREFIX: &str = "waymark-feed:";

/// One change of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexChange {
    /// Add the document, or replace the one with the same site and id.
    Upsert(Box<KnowledgeDoc>),
    /// Remove the document with this site and id, if there is one.
    Delete {
        /// The site.
        site: String,
        /// The document's id within the site.
        id: String,
    },
}

impl IndexChange {
    /// Add `doc`, or replace the one with the same site and id.
    pub fn upsert(doc: KnowledgeDoc) -> Self {
        Self::Upsert(Box::new(doc))
    }

    /// The site the change concerns.
    pub fn site(&self) -> &str {
        match self {
            Self::Upsert(doc) => &doc.site,
            Self::Delete { site, .. } => site,
        }
    }

    /// The id of the document the change concerns.
    pub fn doc_id(&self) -> &str {
        match self {
            Self::Upsert(doc) => &doc.id,
            Self::Delete { id, .. } => id,
        }
    }
}

/// What [`KnowledgeIndex::apply_feed`] did.
#[derive(Debug, Default)]
pub struct FeedApplied {
    /// The position the index is at now (the last change applied), if any.
    pub position: Option<u64>,
    /// Changes applied by this call (changes at or below the position before it are skipped).
    pub applied: usize,
    /// Upserts whose document the index refused, with the reason; the position still moves
    /// past them, so one bad document cannot stop the feed.
    pub refused: Vec<KnowledgeError>,
}

impl KnowledgeIndex {
    /// The position of the last feed change this index applied, as of its last commit;
    /// `None` for an index that never followed a feed (an empty index starts there).
    pub fn feed_position(&self) -> Result<Option<u64>> {
        let metas = self.index.load_metas()?;
        Ok(parse_payload(metas.payload.as_deref()))
    }

    /// Applies `changes` (position, change), in the order given, skipping every change at or
    /// below the current position (so two callers racing over the same changes apply each
    /// once), then commits with the last position applied. Positions must increase.
    pub fn apply_feed(
        &self,
        changes: impl IntoIterator<Item = (u64, IndexChange)>,
    ) -> Result<FeedApplied> {
        let mut guard = self.writer()?;
        let start = self.feed_position()?;
        let mut report = FeedApplied {
            position: start,
            ..FeedApplied::default()
        };
        {
            let writer = Self::writer_in(&mut guard)?;
            for (position, change) in changes {
                if start.is_some_and(|at| position <= at) {
                    continue;
                }
                debug_assert!(
                    report.position.is_none_or(|at| position > at),
                    "feed positions increase"
                );
                match change {
                    IndexChange::Upsert(doc) => match self.stage_upsert(writer, &doc) {
                        Ok(()) => report.applied += 1,
                        Err(error @ KnowledgeError::InvalidDocument { .. }) => {
                            report.refused.push(error);
                        }
                        Err(other) => return Err(other),
                    },
                    IndexChange::Delete { site, id } => {
                        writer.delete_term(self.key_term(&site, &id));
                        report.applied += 1;
                    }
                }
                report.position = Some(position);
            }
        }
        if report.position == start {
            return Ok(report);
        }
        let writer = Self::writer_in(&mut guard)?;
        let mut prepared = writer.prepare_commit()?;
        if let Some(position) = report.position {
            prepared.set_payload(&format!("{PAYLOAD_PREFIX}{position}"));
        }
        prepared.commit()?;
        drop(guard);
        self.reader.reload()?;
        Ok(report)
    }

    /// Removes every document and forgets the feed position: the next
    /// [`KnowledgeIndex::apply_feed`] rebuilds the index from the feed's first change.
    pub fn clear(&self) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = Self::writer_in(&mut guard)?;
        writer.delete_all_documents()?;
        // An empty payload: no position.
        writer.prepare_commit()?.commit()?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Stages `doc` in `writer` (replacing its earlier version), committed by the caller.
    pub(super) fn stage_upsert(&self, writer: &mut IndexWriter, doc: &KnowledgeDoc) -> Result<()> {
        doc.validate()?;
        let document = self.to_tantivy(doc)?;
        writer.delete_term(self.key_term(&doc.site, &doc.id));
        writer.add_document(document)?;
        Ok(())
    }

    /// The payload a plain commit keeps (the feed position does not move with it).
    pub(super) fn kept_payload(&self) -> Result<Option<String>> {
        Ok(self.index.load_metas()?.payload)
    }
}

fn parse_payload(payload: Option<&str>) -> Option<u64> {
    payload?.strip_prefix(PAYLOAD_PREFIX)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::IndexConfig;

    fn doc(id: &str, title: &str) -> KnowledgeDoc {
        KnowledgeDoc {
            site: "s".into(),
            id: id.into(),
            title: title.into(),
            ..KnowledgeDoc::default()
        }
    }

    fn ids(index: &KnowledgeIndex) -> Vec<String> {
        let mut found: Vec<String> = ["a", "b", "c"]
            .into_iter()
            .filter(|id| index.document("s", id).unwrap().is_some())
            .map(str::to_owned)
            .collect();
        found.sort();
        found
    }

    #[test]
    fn an_index_applies_each_change_once_and_remembers_where_it_is() {
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
        assert_eq!(index.feed_position().unwrap(), None);
        let first = index
            .apply_feed([
                (1, IndexChange::upsert(doc("a", "Payment failed"))),
                (2, IndexChange::upsert(doc("b", "Login loops"))),
            ])
            .unwrap();
        assert_eq!((first.position, first.applied), (Some(2), 2));
        // Replaying from the start skips what is applied; the delete at 3 is new.
        let again = index
            .apply_feed([
                (1, IndexChange::upsert(doc("a", "Payment failed"))),
                (2, IndexChange::upsert(doc("b", "Login loops"))),
                (
                    3,
                    IndexChange::Delete {
                        site: "s".into(),
                        id: "a".into(),
                    },
                ),
            ])
            .unwrap();
        assert_eq!((again.position, again.applied), (Some(3), 1));
        assert_eq!(ids(&index), ["b"]);
        assert_eq!(index.feed_position().unwrap(), Some(3));
    }

    #[test]
    fn a_plain_commit_keeps_the_position() {
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
        index
            .apply_feed([(7, IndexChange::upsert(doc("a", "Payment failed")))])
            .unwrap();
        index.upsert(&doc("c", "Export is empty")).unwrap();
        index.commit().unwrap();
        assert_eq!(index.feed_position().unwrap(), Some(7));
        assert_eq!(ids(&index), ["a", "c"]);
    }

    #[test]
    fn a_refused_document_does_not_stop_the_feed() {
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
        let applied = index
            .apply_feed([
                (1, IndexChange::upsert(doc("a", ""))),
                (2, IndexChange::upsert(doc("b", "Login loops"))),
            ])
            .unwrap();
        assert_eq!(applied.position, Some(2));
        assert_eq!(applied.refused.len(), 1);
        assert_eq!(ids(&index), ["b"]);
    }

    #[test]
    fn a_cleared_index_has_no_documents_and_no_position() {
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
        index
            .apply_feed([(4, IndexChange::upsert(doc("a", "Payment failed")))])
            .unwrap();
        index.clear().unwrap();
        assert_eq!(index.feed_position().unwrap(), None);
        assert_eq!(index.num_docs(), 0);
        let rebuilt = index
            .apply_feed([(4, IndexChange::upsert(doc("a", "Payment failed")))])
            .unwrap();
        assert_eq!(rebuilt.applied, 1);
        assert_eq!(ids(&index), ["a"]);
    }
}
