//! `waymark site add | list | origins | secret | identity | visitors`: the customer
//! products the widget is embedded in, each with its public widget key, allowed
//! origins, identity secret and mode, and the knowledge its visitors may see.

use anyhow::Context;
use waymark_server::{Config, Store};

/// Arguments of `waymark site`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: SiteCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SiteCommand {
    /// Create a site and print its widget key and embed snippet.
    Add {
        /// Site id (a-z, 0-9, - and _), used in the agent API paths.
        id: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// An origin allowed to send widget traffic (repeatable); none allows any.
        #[arg(long = "origin")]
        origins: Vec<String>,
    },
    /// List the sites.
    List,
    /// Replace the origins allowed to send widget traffic (none: any origin).
    Origins {
        /// Site id.
        id: String,
        /// The allowed origins (`https://app.example.com`).
        origins: Vec<String>,
    },
    /// Make a new identity secret and print it (only now: it is never shown
    /// again). The previous secret stops verifying at once.
    Secret {
        /// Site id.
        id: String,
    },
    /// How `user_hash` is treated: off, optional (default) or enforced.
    Identity {
        /// Site id.
        id: String,
        /// `off`, `optional` or `enforced`.
        mode: String,
    },
    /// Which knowledge visitors may see: articles, or articles_and_fixes (default).
    Visitors {
        /// Site id.
        id: String,
        /// `articles` or `articles_and_fixes`.
        sources: String,
    },
}

/// Runs `waymark site`.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<()> {
    let store = Store::open(
        &config.storage.data_dir,
        config.storage.database_url.as_deref(),
    )
    .await
    .context("cannot open the database (storage.data_dir / DATABASE_URL)")?;
    let result = command(args.command, &store, config).await;
    store.close().await;
    result
}

async fn command(command: SiteCommand, store: &Store, config: &Config) -> anyhow::Result<()> {
    match command {
        SiteCommand::Add { id, name, origins } => {
            let site =
                waymark_server::flow::sites::create_site(store, &id, &name, &origins).await?;
            let base = config
                .server
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.server.listen));
            println!("site `{}` created; widget key {}", site.id, site.public_key);
            if site.allowed_origins.is_empty() {
                println!(
                    "widget traffic is accepted from any origin (set some with `waymark site origins`)"
                );
            } else {
                println!("allowed origins: {}", site.allowed_origins.join(", "));
            }
            println!(
                "identity verification is optional until you make a secret: `waymark site secret {}`",
                site.id
            );
            println!("embed it with:");
            println!(
                "  <script src=\"{base}/widget/loader.js\" data-site=\"{}\" async></script>",
                site.public_key
            );
        }
        SiteCommand::List => {
            let sites = store.sites().await?;
            println!(
                "{:<20}  {:<28}  {:<30}  origins",
                "id", "widget key", "name"
            );
            for site in sites {
                let origins = if site.allowed_origins.is_empty() {
                    "(any)".to_owned()
                } else {
                    site.allowed_origins.join(", ")
                };
                println!(
                    "{:<20}  {:<28}  {:<30}  {origins}",
                    site.id, site.public_key, site.name
                );
            }
        }
        SiteCommand::Origins { id, origins } => {
            let origins = origins
                .iter()
                .map(|origin| waymark_server::flow::sites::normalize_origin(origin))
                .collect::<Result<Vec<_>, _>>()?;
            if !store.set_site_origins(&id, &origins).await? {
                anyhow::bail!("there is no site `{id}` (see `waymark site list`)");
            }
            if origins.is_empty() {
                println!("site `{id}` accepts widget traffic from any origin");
            } else {
                println!(
                    "site `{id}` accepts widget traffic from {}",
                    origins.join(", ")
                );
            }
        }
        SiteCommand::Secret { id } => {
            let secret = waymark_server::flow::identity::rotate_secret(store, &id).await?;
            println!("identity secret of site `{id}` (shown once; keep it on your server):");
            println!("{secret}");
            println!("send user_hash = hex(HMAC-SHA256(secret, user_id)) with every identity");
        }
        SiteCommand::Identity { id, mode } => {
            let mode = waymark_server::flow::identity::IdentityMode::parse(&mode)?;
            if !store.set_identity_mode(&id, mode.as_str()).await? {
                anyhow::bail!("there is no site `{id}` (see `waymark site list`)");
            }
            println!("site `{id}` identity verification: {}", mode.as_str());
        }
        SiteCommand::Visitors { id, sources } => {
            let sources = waymark_server::flow::visitors::VisitorSources::parse(&sources)?;
            if !store.set_visitor_sources(&id, sources.as_str()).await? {
                anyhow::bail!("there is no site `{id}` (see `waymark site list`)");
            }
            println!("visitors of site `{id}` see: {}", sources.as_str());
        }
    }
    Ok(())
}
