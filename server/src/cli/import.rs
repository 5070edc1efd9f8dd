//! `waymark import`: reads a helpdesk export (Zendesk, Freshdesk, Intercom or Waymark JSONL)
//! into the knowledge index, with a progress line and a report of every skipped record. The
//! reading and the rules of what counts as an answer live in `waymark_knowledge::import`;
//! every document is scrubbed with the site's settings (`flow::scrub`) before it is indexed.
//!
//! The documents go to the database's knowledge log (`flow::knowledge_log`), which every
//! running server's index follows; `--index` also writes them straight into an index
//! directory (an index for evaluation, or a server's while it is stopped).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use waymark_knowledge::import::{ImportFormat, ImportProgress, import_file};
use waymark_knowledge::{IndexChange, IndexConfig, KnowledgeIndex};
use waymark_server::flow::knowledge_log;
use waymark_server::{Config, Store};

/// Arguments of `waymark import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export format: zendesk, freshdesk, intercom or jsonl.
    #[arg(long)]
    format: ImportFormat,
    /// The export file.
    file: PathBuf,
    /// Also write into this knowledge index directory (created if missing); servers
    /// pick the documents up from the database's knowledge log either way.
    #[arg(long, env = "WAYMARK_INDEX_DIR")]
    index: Option<PathBuf>,
    /// The site (tenant) the imported tickets belong to.
    #[arg(long, default_value = "default")]
    site: String,
    /// Replace every document of the site with this export (a full rebuild of the
    /// site's index); without it, records are added, or updated by id.
    #[arg(long)]
    replace: bool,
}

/// Runs `waymark import`; `config` is loaded to read the site's scrubbing settings.
pub async fn run(
    args: Args,
    config: impl FnOnce() -> anyhow::Result<Config>,
) -> anyhow::Result<()> {
    let mut last_shown = 0;
    let mut show_progress = |progress: ImportProgress| {
        let step = (progress.total / 100).max(1);
        if progress.done == progress.total || progress.done >= last_shown + step {
            last_shown = progress.done;
            eprint!(
                "\rreading {}: {}/{} records",
                args.format.name(),
                progress.done,
                progress.total
            );
            std::io::stderr().flush().ok();
        }
    };
    let mut imported = import_file(&args.file, args.format, &args.site, &mut show_progress)?;
    eprintln!();
    let config = config()?;
    let store = Store::open(
        &config.storage.data_dir,
        config.storage.database_url.as_deref(),
    )
    .await
    .context("cannot open the database for the site's scrubbing settings (storage.data_dir / DATABASE_URL)")?;
    let scrubbed =
        waymark_server::flow::scrub::imported_docs(Some(&store), &args.site, &mut imported.docs)
            .await;
    if let Err(err) = scrubbed {
        store.close().await;
        return Err(err).context("cannot read the site's scrubbing settings");
    }
    let logged = append_to_log(&store, &args, &imported.docs).await;
    store.close().await;
    let logged = logged.context("cannot append to the knowledge log")?;
    let Some(index_dir) = &args.index else {
        print!("{}", imported.report);
        for refused in &logged.refused {
            println!("not indexed: {refused}");
        }
        println!("{}", logged.summary(&args.site));
        println!("running servers index them within seconds");
        return Ok(());
    };
    let index = KnowledgeIndex::open_or_create(index_dir, IndexConfig::default())
        .with_context(|| format!("cannot open the index at {}", index_dir.display()))?;
    let total = imported.docs.len();
    if args.replace {
        eprintln!("rebuilding site `{}` from {total} documents", args.site);
        let rebuilt = index.rebuild_site(&args.site, imported.docs)?;
        print!("{}", imported.report);
        for refused in &rebuilt.refused {
            println!("not indexed: {refused}");
        }
        println!(
            "site `{}` rebuilt: {} documents indexed",
            args.site, rebuilt.indexed
        );
    } else {
        for (done, doc) in imported.docs.iter().enumerate() {
            index.upsert(doc)?;
            if (done + 1) % 1_000 == 0 || done + 1 == total {
                eprint!("\rindexing: {}/{total} documents", done + 1);
                std::io::stderr().flush().ok();
            }
        }
        index.commit()?;
        eprintln!();
        print!("{}", imported.report);
    }
    println!("{}", logged.summary(&args.site));
    println!(
        "index {} now holds {} documents",
        index_dir.display(),
        index.num_docs()
    );
    Ok(())
}

/// What went to the knowledge log.
#[derive(Debug, Default)]
struct Logged {
    appended: usize,
    removed: usize,
    refused: Vec<String>,
}

impl Logged {
    fn summary(&self, site: &str) -> String {
        format!(
            "knowledge log of site `{site}`: {} entries appended, {} of them deletions \
             (unchanged documents are not appended again)",
            self.appended, self.removed
        )
    }
}

/// Log entries appended per transaction.
const LOG_CHUNK: usize = 1_000;

/// Appends the documents to the knowledge log (with `--replace`, a delete for every
/// document of the site the export no longer has), in transactions of [`LOG_CHUNK`].
async fn append_to_log(
    store: &Store,
    args: &Args,
    docs: &[waymark_knowledge::KnowledgeDoc],
) -> anyhow::Result<Logged> {
    let mut logged = Logged::default();
    let mut changes = Vec::with_capacity(docs.len());
    for doc in docs {
        match doc.validate() {
            Ok(()) => changes.push(IndexChange::upsert(doc.clone())),
            Err(err) => logged.refused.push(err.to_string()),
        }
    }
    if args.replace {
        let kept: std::collections::HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        for id in store.knowledge_doc_ids(&args.site).await? {
            if !kept.contains(id.as_str()) {
                changes.push(IndexChange::Delete {
                    site: args.site.clone(),
                    id,
                });
                logged.removed += 1;
            }
        }
    }
    let total = changes.len();
    for (number, chunk) in changes.chunks(LOG_CHUNK).enumerate() {
        logged.appended += knowledge_log::append(store, chunk).await?;
        let done = (number * LOG_CHUNK + chunk.len()).min(total);
        eprint!("\rknowledge log: {done}/{total} changes");
        std::io::stderr().flush().ok();
    }
    if total > 0 {
        eprintln!();
    }
    Ok(logged)
}
