//! `waymark`: the Waymark server and its operator commands.

mod cli;

use clap::{Parser, Subcommand};

/// Waymark: page-aware, self-hosted support.
#[derive(Debug, Parser)]
#[command(name = "waymark", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate and replay escalation matrices.
    Rules(cli::rules::Args),
    /// Measure retrieval quality and latency against baselines.
    Eval(cli::eval::Args),
    /// Import resolved tickets from a helpdesk export.
    Import(cli::import::Args),
    /// Article drafts and knowledge gaps.
    Knowledge(cli::knowledge::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Rules(args) => cli::rules::run(args).await,
        Command::Eval(args) => cli::eval::run(args).await,
        Command::Import(args) => cli::import::run(args).await,
        Command::Knowledge(args) => cli::knowledge::run(args).await,
    }
}
