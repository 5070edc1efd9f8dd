//! `waymark user add | list | reset-password | disable | token | role | add-site`: the
//! people who work in Waymark, their roles, sites, passwords and API tokens.
//! Passwords are read from `WAYMARK_PASSWORD` or the first line of standard input,
//! never from the command line (it would stay in the shell history).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;
use waymark_server::auth::{NewUser, Role, accounts};
use waymark_server::storage::now_ms;
use waymark_server::{Config, Store};

/// Arguments of `waymark user`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, clap::Subcommand)]
enum UserCommand {
    /// Create a user (the password comes from WAYMARK_PASSWORD or standard input).
    Add {
        /// Email, the login name.
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// `admin`, `knowledge_manager` or `agent`.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A site the user works on (repeatable).
        #[arg(long = "site", required = true)]
        sites: Vec<String>,
    },
    /// List the users with their roles, sites and state.
    List,
    /// Set a new password (from WAYMARK_PASSWORD or standard input); ends the
    /// user's sessions and lifts a lock.
    ResetPassword {
        /// The user's email.
        email: String,
    },
    /// Disable a user: no login, and their sessions and tokens stop working at once.
    Disable {
        /// The user's email.
        email: String,
    },
    /// Mint an API token for the user (printed once; only its hash is stored).
    Token {
        /// The user's email.
        email: String,
        /// What the token is for, shown to operators.
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Give the user another role (it applies to their next request).
    Role {
        /// The user's email.
        email: String,
        /// `admin`, `knowledge_manager` or `agent`.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Make the user a member of one more site.
    AddSite {
        /// The user's email.
        email: String,
        /// The site id.
        site: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
        format!("`{text}` is not a role (one of {})", names.join(", "))
    })
}

/// Runs `waymark user`.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<()> {
    let store = Store::open(
        &config.storage.data_dir,
        config.storage.database_url.as_deref(),
    )
    .await
    .context("cannot open the database (storage.data_dir / DATABASE_URL)")?;
    let result = command(args.command, &store).await;
    store.close().await;
    result
}

async fn command(command: UserCommand, store: &Store) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            sites,
        } => {
            let password = read_password()?;
            let new = NewUser {
                email,
                name,
                role,
                password,
                sites,
            };
            let user = accounts::add_user(store, new, now_ms()).await?;
            println!(
                "user {} ({}) created as {}",
                user.email,
                user.id,
                user.role.as_str()
            );
        }
        UserCommand::List => {
            println!(
                "{:<32}  {:<24}  {:<17}  {:<10}  sites",
                "email", "name", "role", "state"
            );
            let now = now_ms();
            for user in store.users().await? {
                let sites: Vec<String> = store
                    .user_sites(&user.id)
                    .await?
                    .into_iter()
                    .map(|site| site.id)
                    .collect();
                let state = if user.disabled_at_ms.is_some() {
                    "disabled"
                } else if user.locked_until_ms.is_some_and(|until| until > now) {
                    "locked"
                } else {
                    "active"
                };
                println!(
                    "{:<32}  {:<24}  {:<17}  {state:<10}  {}",
                    user.email,
                    user.name,
                    user.role.as_str(),
                    sites.join(", ")
                );
            }
        }
        UserCommand::ResetPassword { email } => {
            let password = read_password()?;
            let user = accounts::reset_password(store, &email, &password, now_ms()).await?;
            println!("password of {} replaced; their sessions ended", user.email);
        }
        UserCommand::Disable { email } => {
            let user = accounts::disable(store, &email, now_ms()).await?;
            println!(
                "{} disabled; their sessions and API tokens no longer work",
                user.email
            );
        }
        UserCommand::Token { email, label } => {
            let (user, token) = accounts::mint_token(store, &email, &label, now_ms()).await?;
            eprintln!(
                "API token for {} ({}); it is shown only now:",
                user.email,
                user.role.as_str()
            );
            println!("{token}");
        }
        UserCommand::Role { email, role } => {
            let user = accounts::set_role(store, &email, role, now_ms()).await?;
            println!("{} is now {}", user.email, user.role.as_str());
        }
        UserCommand::AddSite { email, site } => {
            let site = accounts::add_to_site(store, &email, &site, now_ms()).await?;
            println!("{email} is now a member of `{}` ({})", site.id, site.name);
        }
    }
    Ok(())
}

/// The password from `WAYMARK_PASSWORD`, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("WAYMARK_PASSWORD")
        && !password.is_empty()
    {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password (at least 10 characters): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(
        !password.is_empty(),
        "no password given: set WAYMARK_PASSWORD or pipe it on standard input"
    );
    Ok(password)
}
