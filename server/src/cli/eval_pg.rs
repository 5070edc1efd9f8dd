//! The PostgreSQL full-text search baseline of `waymark eval`: what Chatwoot and Zammad rely on.
//! A `tsvector` column (title weighted A, the rest D) with a GIN index, queried with `ts_rank`
//! over the query's words OR-ed (`to_tsquery('english', 'a | b | c')`), or with
//! `websearch_to_tsquery` (which ANDs them). Runs in a fresh database that is dropped at the end.

use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Row};
use waymark_knowledge::KnowledgeDoc;
use waymark_knowledge::eval::QueryOutcome;

/// How the user's words become a `tsquery`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryMode {
    /// Words OR-ed: `to_tsquery('english', 'w1 | w2 | ...')`.
    OrWords,
    /// `websearch_to_tsquery('english', text)`: words AND-ed.
    Websearch,
}

impl QueryMode {
    /// The system name in reports.
    pub fn system_name(self) -> &'static str {
        match self {
            Self::OrWords => "postgres-fts-or",
            Self::Websearch => "postgres-fts-websearch",
        }
    }

    /// One line saying what it is.
    pub fn description(self) -> &'static str {
        match self {
            Self::OrWords => {
                "PostgreSQL FTS: tsvector (title A, body D) + GIN, to_tsquery with OR-ed words, ts_rank"
            }
            Self::Websearch => {
                "PostgreSQL FTS: tsvector (title A, body D) + GIN, websearch_to_tsquery (AND), ts_rank"
            }
        }
    }
}

/// A scratch database holding one table of documents.
pub struct PgBaseline {
    admin: PgConnectOptions,
    database: String,
    pool: PgPool,
}

impl PgBaseline {
    /// Connects with `url`, creates a fresh database `waymark_eval_<pid>_<nanos>` and connects
    /// to it.
    pub async fn create(url: &str) -> anyhow::Result<Self> {
        let admin = PgConnectOptions::from_str(url)
            .with_context(|| format!("invalid database URL {url}"))?
            .disable_statement_logging();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let database = format!("waymark_eval_{}_{nanos}", std::process::id());
        let mut connection = admin.connect().await.with_context(|| {
            format!("cannot connect to PostgreSQL at {url} (pass --skip-postgres to run without the baseline)")
        })?;
        sqlx::query(&format!("CREATE DATABASE {database}"))
            .execute(&mut connection)
            .await
            .context("cannot create the scratch database")?;
        connection.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(admin.clone().database(&database))
            .await
            .context("cannot connect to the scratch database")?;
        Ok(Self {
            admin,
            database,
            pool,
        })
    }

    /// Creates table `table`, loads the documents, builds the GIN index and analyzes; returns
    /// the time all of that took.
    pub async fn load(&self, table: &str, docs: &[KnowledgeDoc]) -> anyhow::Result<Duration> {
        let started = Instant::now();
        sqlx::query(&format!(
            "CREATE TABLE {table} (id text PRIMARY KEY, title text NOT NULL, body text NOT NULL, \
             tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || \
             setweight(to_tsvector('english', body), 'D')) STORED)"
        ))
        .execute(&self.pool)
        .await?;
        for chunk in docs.chunks(2_000) {
            let ids: Vec<&str> = chunk.iter().map(|doc| doc.id.as_str()).collect();
            let titles: Vec<&str> = chunk.iter().map(|doc| doc.title.as_str()).collect();
            let bodies: Vec<String> = chunk.iter().map(body).collect();
            sqlx::query(&format!(
                "INSERT INTO {table} (id, title, body) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])"
            ))
            .bind(&ids)
            .bind(&titles)
            .bind(&bodies)
            .execute(&self.pool)
            .await?;
        }
        sqlx::query(&format!(
            "CREATE INDEX {table}_tsv ON {table} USING GIN (tsv)"
        ))
        .execute(&self.pool)
        .await?;
        sqlx::query(&format!("ANALYZE {table}"))
            .execute(&self.pool)
            .await?;
        Ok(started.elapsed())
    }

    /// Runs each query once, timing the round trip, and returns the ranked ids and how many
    /// queries were clipped to [`MAX_QUERY_WORDS`] words.
    pub async fn run(
        &self,
        table: &str,
        queries: &[&str],
        mode: QueryMode,
        limit: usize,
    ) -> anyhow::Result<(Vec<QueryOutcome>, usize)> {
        let sql = match mode {
            QueryMode::OrWords => format!(
                "SELECT id FROM {table}, to_tsquery('english', $1) query WHERE tsv @@ query \
                 ORDER BY ts_rank(tsv, query) DESC, id LIMIT $2"
            ),
            QueryMode::Websearch => format!(
                "SELECT id FROM {table}, websearch_to_tsquery('english', $1) query WHERE tsv @@ query \
                 ORDER BY ts_rank(tsv, query) DESC, id LIMIT $2"
            ),
        };
        let limit = i64::try_from(limit).unwrap_or(10);
        let mut outcomes = Vec::with_capacity(queries.len());
        let mut clipped = 0;
        for text in queries {
            let words = plain_words(text);
            if words.len() < distinct_word_count(text) {
                clipped += 1;
            }
            let argument = match mode {
                QueryMode::OrWords => words.join(" | "),
                QueryMode::Websearch => words.join(" "),
            };
            let started = Instant::now();
            let rows = if argument.is_empty() {
                Vec::new()
            } else {
                sqlx::query(&sql)
                    .bind(&argument)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            };
            let elapsed = started.elapsed();
            let ranked = rows
                .iter()
                .map(|row| row.try_get::<String, _>("id"))
                .collect::<Result<Vec<_>, _>>()?;
            outcomes.push(QueryOutcome { ranked, elapsed });
        }
        Ok((outcomes, clipped))
    }

    /// Drops the scratch database.
    pub async fn drop_database(self) -> anyhow::Result<()> {
        self.pool.close().await;
        let mut connection = self.admin.connect().await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.database
        ))
        .execute(&mut connection)
        .await
        .with_context(|| format!("cannot drop the scratch database {}", self.database))?;
        connection.close().await.ok();
        Ok(())
    }
}

/// Everything of a document but its title, as one text.
fn body(doc: &KnowledgeDoc) -> String {
    let resolution = &doc.resolution;
    std::iter::once(&doc.problem)
        .chain(&doc.answers)
        .chain(resolution.root_cause.iter())
        .chain(resolution.fix.iter())
        .chain(&doc.errors)
        .chain(&doc.tags)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Most distinct words of one query sent to PostgreSQL: a `tsquery` of a pasted log (hundreds
/// of OR-ed words) can exhaust its evaluation stack ("tsquery stack too small"), so longer
/// queries keep their first words and the run reports how many were clipped.
pub const MAX_QUERY_WORDS: usize = 64;

/// The query's distinct words, lowercased, in order, at most [`MAX_QUERY_WORDS`]; only letters
/// and digits survive, so no input can break the `tsquery` syntax of either mode.
pub fn plain_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let word = word.to_lowercase();
        if !words.contains(&word) {
            if words.len() == MAX_QUERY_WORDS {
                break;
            }
            words.push(word);
        }
    }
    words
}

/// How many distinct words a query holds.
fn distinct_word_count(text: &str) -> usize {
    let mut words: Vec<String> = text
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort_unstable();
    words.dedup();
    words.len()
}

/// The note a report carries when queries were clipped.
pub fn clipping_note(clipped: usize, total: usize) -> Option<String> {
    (clipped > 0).then(|| {
        format!(
            "{clipped} of {total} queries had more than {MAX_QUERY_WORDS} distinct words and were \
             clipped to their first {MAX_QUERY_WORDS} (tsquery stack limit)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{MAX_QUERY_WORDS, clipping_note, distinct_word_count, plain_words};

    #[test]
    fn words_are_plain_and_punctuation_cannot_inject_operators() {
        assert_eq!(
            plain_words("Can't log in! (E502) a&b a").join(" | "),
            "can | t | log | in | e502 | a | b"
        );
        assert!(plain_words("!&|\"-:*").is_empty());
    }

    #[test]
    fn long_queries_are_clipped_and_reported() {
        let long: String = (0..300).map(|number| format!("word{number} ")).collect();
        assert_eq!(plain_words(&long).len(), MAX_QUERY_WORDS);
        assert_eq!(distinct_word_count(&long), 300);
        assert!(clipping_note(1, 5).is_some_and(|note| note.contains("1 of 5")));
        assert_eq!(clipping_note(0, 5), None);
    }
}
