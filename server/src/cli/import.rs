//! `waymark import`: reads a helpdesk export (Zendesk, Freshdesk, Intercom or Waymark JSONL)
//! into the knowledge index, with a progress line and a report of every skipped record. The
//! reading and the rules of what counts as an answer live in `waymark_knowledge::import`;
//! every document is scrubbed with the site's settings (`flow::scrub`) before it is indexed.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use waymark_knowledge::import::{ImportFormat, ImportProgress, import_file};
use waymark_knowledge::{IndexConfig, KnowledgeIndex};
use waymark_server::{Config, Store};

/// Arguments of `waymark import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export format: zendesk, freshdesk, intercom or jsonl.
    #[arg(long)]
    format: ImportFormat,
    /// The export file.
    file: PathBuf,
    /// The knowledge index directory (created if missing).
    #[arg(long, env = "WAYMARK_INDEX_DIR")]
    index: PathBuf,
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
    store.close().await;
    scrubbed.context("cannot read the site's scrubbing settings")?;
    let index = KnowledgeIndex::open_or_create(&args.index, IndexConfig::default())
        .with_context(|| format!("cannot open the index at {}", args.index.display()))?;
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
    println!(
        "index {} now holds {} documents",
        args.index.display(),
        index.num_docs()
    );
    Ok(())
}
