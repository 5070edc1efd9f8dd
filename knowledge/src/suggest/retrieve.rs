//! Top-k retrieval of a weighted union of terms with MaxScore pruning.
//!
//! A suggest query is a long disjunction: every word of the user is searched in every prose
//! field, plus identifiers, trigrams, route and product area. Each clause scores BM25 times its
//! weight, exactly as tantivy's `BooleanQuery` of boosted `TermQuery`s would. tantivy prunes
//! such unions with block-max WAND, whose every step sorts and walks all of the clauses; with
//! dozens of clauses, common words among them, that walk is most of the time of a suggest.
//!
//! MaxScore (Turtle & Flood, 1995) prunes better when queries are long: clauses are ordered by
//! the highest score they can give; the cheapest ones whose bounds together cannot lift a
//! document above the current k-th score are *non-essential*. Only documents of the essential
//! clauses (the informative words) are visited; the non-essential ones (common words) are only
//! probed, by seeking, for those candidates, and probing stops as soon as the candidate cannot
//! reach the top k. The result is exact: the same documents and scores as the plain union,
//! ties broken by ascending address like tantivy's `TopDocs`.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

/// Relative slack added to score bounds so that float rounding in their sums never prunes a
/// document whose exact score would enter the top k.
const BOUND_SLACK: Score = 1e-5;

/// A union of weighted terms (each scores its BM25 times the weight), restricted to the
/// documents that hold every filter term (filters do not score).
#[derive(Debug, Clone, Default)]
pub(crate) struct TermUnion {
    /// Scoring terms and their weights.
    pub terms: Vec<(Term, Score)>,
    /// Terms every result must hold.
    pub filters: Vec<Term>,
}

impl TermUnion {
    /// The best `limit` documents, best first; equal scores in ascending address order. Each
    /// hit lists the terms (indices into [`TermUnion::terms`]) that it holds.
    pub fn top(&self, searcher: &Searcher, limit: usize) -> tantivy::Result<Vec<Hit>> {
        if limit == 0 || self.terms.is_empty() {
            return Ok(Vec::new());
        }
        let weights = self.weights(searcher)?;
        if weights.is_empty() {
            return Ok(Vec::new());
        }
        let mut top = TopK::new(limit);
        let mut window = Window::new();
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let segment_ord = u32::try_from(segment_ord).unwrap_or(u32::MAX);
            self.collect_segment(segment, segment_ord, &weights, &mut top, &mut window)?;
        }
        Ok(top.into_sorted())
    }

    /// The BM25 weight of every term present in the index, with its clause weight applied
    /// (index-wide statistics, like tantivy's `TermQuery`).
    fn weights(&self, searcher: &Searcher) -> tantivy::Result<Vec<(usize, Bm25Weight)>> {
        let total_docs: u64 = searcher
            .segment_readers()
            .iter()
            .map(|segment| u64::from(segment.max_doc()))
            .sum();
        let mut average_norms: HashMap<Field, Score> = HashMap::new();
        let mut weights = Vec::with_capacity(self.terms.len());
        for (clause, (term, boost)) in self.terms.iter().enumerate() {
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq == 0 {
                continue;
            }
            let field = term.field();
            let average = match average_norms.get(&field) {
                Some(average) => *average,
                None => {
                    let mut tokens = 0u64;
                    for segment in searcher.segment_readers() {
                        tokens += segment.inverted_index(field)?.total_num_tokens();
                    }
                    let average = tokens as Score / total_docs.max(1) as Score;
                    average_norms.insert(field, average);
                    average
                }
            };
            let weight = Bm25Weight::for_one_term_without_explain(doc_freq, total_docs, average)
                .boost_by(*boost);
            weights.push((clause, weight));
        }
        Ok(weights)
    }

    fn collect_segment(
        &self,
        segment: &SegmentReader,
        segment_ord: u32,
        weights: &[(usize, Bm25Weight)],
        top: &mut TopK,
        window: &mut Window,
    ) -> tantivy::Result<()> {
        let mut filters = Vec::with_capacity(self.filters.len());
        for term in &self.filters {
            let inverted = segment.inverted_index(term.field())?;
            match inverted.read_postings(term, IndexRecordOption::Basic)? {
                Some(postings) => filters.push(postings),
                None => return Ok(()),
            }
        }
        let mut cursors = Vec::with_capacity(weights.len());
        for (clause, weight) in weights {
            let term = &self.terms[*clause].0;
            let inverted = segment.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else {
                continue;
            };
            let postings =
                inverted.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
            let fieldnorms = match segment.fieldnorms_readers().get_field(term.field())? {
                Some(reader) => reader,
                None => FieldNormReader::constant(segment.max_doc(), 1),
            };
            cursors.push(Cursor {
                clause: *clause,
                max: weight.max_score().max(0.0),
                postings,
                fieldnorms,
                weight,
            });
        }
        if cursors.is_empty() {
            return Ok(());
        }
        // Cheapest clauses first; `bounds[i]` is the most that clauses `0..=i` can add.
        cursors.sort_by(|left, right| left.max.total_cmp(&right.max));
        let mut bounds = Vec::with_capacity(cursors.len());
        let mut sum: Score = 0.0;
        for cursor in &cursors {
            sum += cursor.max;
            bounds.push(sum * (1.0 + BOUND_SLACK));
        }
        let alive = segment.alive_bitset();
        // Clauses `0..essential` are non-essential: together they cannot beat the threshold.
        let mut essential = bounds.partition_point(|bound| *bound <= top.threshold());
        window.reset(cursors.len());
        let mut candidates: Vec<usize> = Vec::with_capacity(WINDOW_DOCS);
        let mut matched: Vec<usize> = Vec::new();
        while essential < cursors.len() {
            let base = cursors[essential..]
                .iter()
                .map(|cursor| cursor.postings.doc())
                .min()
                .unwrap_or(TERMINATED);
            if base == TERMINATED {
                break;
            }
            let end = base.saturating_add(WINDOW_DOCS as DocId);
            // Essential clauses, term at a time over the window.
            for (position, cursor) in cursors.iter_mut().enumerate().skip(essential) {
                let mut doc = cursor.postings.doc();
                while doc < end {
                    window.add((doc - base) as usize, cursor.score(), position);
                    doc = cursor.postings.advance();
                }
            }
            // Candidates in document order: complete their scores from the non-essential
            // clauses while they can still enter.
            let non_essential = essential;
            window.take_seen(&mut candidates);
            for &offset in &candidates {
                let doc = base + offset as DocId;
                let mut score = window.scores[offset];
                let threshold = top.threshold();
                matched.clear();
                let mut reachable = true;
                for index in (0..non_essential).rev() {
                    if score + bounds[index] <= threshold {
                        reachable = false;
                        break;
                    }
                    let cursor = &mut cursors[index];
                    if cursor.postings.doc() < doc {
                        cursor.postings.seek(doc);
                    }
                    if cursor.postings.doc() == doc {
                        score += cursor.score();
                        matched.push(cursor.clause);
                    }
                }
                if !reachable || score <= threshold {
                    continue;
                }
                if alive.is_some_and(|alive| !alive.is_alive(doc)) {
                    continue;
                }
                let filtered_out = filters.iter_mut().any(|filter| {
                    if filter.doc() < doc {
                        filter.seek(doc);
                    }
                    filter.doc() != doc
                });
                if filtered_out {
                    continue;
                }
                matched.extend(
                    window
                        .positions(offset)
                        .map(|position| cursors[position].clause),
                );
                matched.sort_unstable();
                top.push(Hit {
                    score,
                    address: DocAddress::new(segment_ord, doc),
                    matched: Some(matched.clone()),
                });
            }
            window.clear(&candidates);
            let threshold = top.threshold();
            while essential < cursors.len() && bounds[essential] <= threshold {
                essential += 1;
            }
        }
        Ok(())
    }
}

/// Documents scored term at a time before their candidates are completed.
const WINDOW_DOCS: usize = 4096;

/// Partial scores of the documents of one window, and which clauses each of them holds.
struct Window {
    scores: Vec<Score>,
    /// One bit per document of the window.
    seen: Vec<u64>,
    /// `words` words per document: one bit per clause (its position in the segment's order).
    clauses: Vec<u64>,
    words: usize,
}

impl Window {
    fn new() -> Self {
        Self {
            scores: vec![0.0; WINDOW_DOCS],
            seen: vec![0; WINDOW_DOCS / 64],
            clauses: Vec::new(),
            words: 0,
        }
    }

    /// Prepares the window for a segment with `clauses` clauses. Every window is emptied once
    /// its candidates are done, so only the width of the clause sets may need to change.
    fn reset(&mut self, clauses: usize) {
        let words = clauses.div_ceil(64);
        if words != self.words {
            self.words = words;
            self.clauses.clear();
            self.clauses.resize(WINDOW_DOCS * words, 0);
        }
    }

    fn add(&mut self, offset: usize, score: Score, position: usize) {
        self.scores[offset] += score;
        self.seen[offset / 64] |= 1 << (offset % 64);
        self.clauses[offset * self.words + position / 64] |= 1 << (position % 64);
    }

    /// Moves the offsets of the seen documents, ascending, into `offsets`.
    fn take_seen(&mut self, offsets: &mut Vec<usize>) {
        offsets.clear();
        for (word_index, word) in self.seen.iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                offsets.push(word_index * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
    }

    /// The positions of the clauses a document of the window holds.
    fn positions(&self, offset: usize) -> impl Iterator<Item = usize> + '_ {
        let words = &self.clauses[offset * self.words..(offset + 1) * self.words];
        words.iter().enumerate().flat_map(|(word_index, word)| {
            let mut bits = *word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let bit = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(word_index * 64 + bit)
            })
        })
    }

    /// Empties the given documents' entries.
    fn clear(&mut self, offsets: &[usize]) {
        for &offset in offsets {
            self.scores[offset] = 0.0;
            for word in offset * self.words..(offset + 1) * self.words {
                self.clauses[word] = 0;
            }
        }
    }
}

/// One clause's postings in one segment.
struct Cursor<'weight> {
    /// Index of the clause in [`TermUnion::terms`].
    clause: usize,
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    /// Borrowed: a weight holds a 256-entry score cache, too large to copy per segment.
    weight: &'weight Bm25Weight,
    /// The highest score this clause can give.
    max: Score,
}

impl Cursor<'_> {
    /// The score of the current document.
    fn score(&self) -> Score {
        let doc: DocId = self.postings.doc();
        self.weight
            .score(self.fieldnorms.fieldnorm_id(doc), self.postings.term_freq())
    }
}

/// A document of the result: its score, its address and the clauses it holds.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// The sum of the scores of its clauses.
    pub score: Score,
    /// Where it is.
    pub address: DocAddress,
    /// Indices into [`TermUnion::terms`] of the clauses it holds, ascending; `None` when not
    /// known (results of a general tantivy query).
    pub matched: Option<Vec<usize>>,
}

/// Ordered so that the worst (lowest score, then highest address) is the greatest: the top of
/// a [`BinaryHeap`] is the next to evict.
impl Ord for Hit {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.address.cmp(&other.address))
    }
}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Hit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Hit {}

/// The best `limit` documents seen so far. Documents are pushed in ascending address order,
/// so a later document needs a strictly higher score to displace an equal one.
struct TopK {
    limit: usize,
    heap: BinaryHeap<Hit>,
}

impl TopK {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            heap: BinaryHeap::with_capacity(limit + 1),
        }
    }

    /// The score a document must exceed to enter.
    fn threshold(&self) -> Score {
        if self.heap.len() < self.limit {
            return Score::NEG_INFINITY;
        }
        self.heap
            .peek()
            .map_or(Score::NEG_INFINITY, |worst| worst.score)
    }

    fn push(&mut self, hit: Hit) {
        self.heap.push(hit);
        if self.heap.len() > self.limit {
            self.heap.pop();
        }
    }

    fn into_sorted(self) -> Vec<Hit> {
        // Ascending by `Ord` is best first.
        self.heap.into_sorted_vec()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};

    use super::*;
    use crate::document::{DocKind, KnowledgeDoc};
    use crate::index::{IndexConfig, KnowledgeIndex};

    const WORDS: &[&str] = &[
        "invoice", "payment", "refund", "card", "login", "password", "export", "report", "email",
        "invite", "team", "plan", "upgrade", "error", "timeout", "sync", "calendar", "mobile",
        "browser", "cache", "token", "webhook", "import", "csv", "limit",
    ];

    /// A deterministic word picker (SplitMix64), skewed towards the first words.
    struct Words(u64);

    impl Words {
        fn next(&mut self) -> &'static str {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut mixed = self.0;
            mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            mixed ^= mixed >> 31;
            let first = (mixed % WORDS.len() as u64) as usize;
            let second = ((mixed >> 32) % WORDS.len() as u64) as usize;
            WORDS[first.min(second)]
        }

        fn text(&mut self, length: usize) -> String {
            (0..length)
                .map(|_| self.next())
                .collect::<Vec<_>>()
                .join(" ")
        }
    }

    /// Several segments, two sites and deleted documents.
    fn corpus() -> KnowledgeIndex {
        let index = KnowledgeIndex::in_memory(IndexConfig::default()).unwrap();
        let mut words = Words(7);
        for batch in 0..3 {
            for number in 0..400 {
                let doc = KnowledgeDoc {
                    site: if number % 5 == 0 { "other" } else { "acme" }.to_owned(),
                    id: format!("{batch}-{number}"),
                    kind: DocKind::Ticket,
                    title: words.text(2 + number % 6),
                    problem: words.text(number % 20),
                    answers: vec![words.text(5 + number % 40)],
                    ..KnowledgeDoc::default()
                };
                index.upsert(&doc).unwrap();
            }
            if batch > 0 {
                for number in (0..400).step_by(7) {
                    index
                        .delete("acme", &format!("{}-{number}", batch - 1))
                        .unwrap();
                }
            }
            index.commit().unwrap();
        }
        index
    }

    #[test]
    fn maxscore_finds_what_the_plain_union_finds() {
        let index = corpus();
        let searcher = index.searcher();
        assert!(searcher.segment_readers().len() > 1);
        let fields = index.fields();
        let mut words = Words(11);
        for round in 0..40 {
            let mut terms = Vec::new();
            for _ in 0..(1 + round % 12) {
                let word = words.next();
                for (field, boost) in [
                    (fields.title, 2.0),
                    (fields.problem, 1.5),
                    (fields.answers, 1.0),
                ] {
                    terms.push((Term::from_field_text(field, word), boost));
                }
            }
            terms.push((Term::from_field_text(fields.title, "absent"), 3.0));
            let site = Term::from_field_text(fields.site, "acme");
            let union = TermUnion {
                terms: terms.clone(),
                filters: vec![site.clone()],
            };
            let should: Vec<(Occur, Box<dyn Query>)> = terms
                .iter()
                .map(|(term, boost)| {
                    let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                    let clause: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(query), *boost));
                    (Occur::Should, clause)
                })
                .collect();
            let site_filter = TermQuery::new(site, IndexRecordOption::Basic);
            let query = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(site_filter), 0.0)),
                ),
                (Occur::Must, Box::new(BooleanQuery::new(should))),
            ]);
            for limit in [1, 5, 15] {
                let expected = searcher
                    .search(&query, &TopDocs::with_limit(limit).order_by_score())
                    .unwrap();
                let found = union.top(&searcher, limit).unwrap();
                assert_eq!(found.len(), expected.len(), "round {round}, limit {limit}");
                for (rank, (hit, (score, address))) in found.iter().zip(&expected).enumerate() {
                    assert!((hit.score - score).abs() <= 1e-4 * score.abs().max(1.0));
                    // Where scores tie within rounding, either order is right.
                    let tied = expected
                        .iter()
                        .enumerate()
                        .any(|(other, (other_score, _))| {
                            other != rank && (other_score - score).abs() <= 1e-4
                        });
                    if !tied {
                        assert_eq!(
                            hit.address, *address,
                            "round {round}, limit {limit}, rank {rank}"
                        );
                    }
                    let segment = searcher.segment_reader(hit.address.segment_ord);
                    for (clause, (term, _)) in terms.iter().enumerate() {
                        let holds = segment
                            .inverted_index(term.field())
                            .unwrap()
                            .read_postings(term, IndexRecordOption::Basic)
                            .unwrap()
                            .is_some_and(|mut postings| {
                                let doc = hit.address.doc_id;
                                postings.doc() == doc
                                    || (postings.doc() < doc && postings.seek(doc) == doc)
                            });
                        let recorded = hit.matched.as_ref().unwrap().contains(&clause);
                        assert_eq!(holds, recorded, "round {round}, clause {clause}");
                    }
                }
            }
        }
    }
}
