//! `waymark rules check FILE` and `waymark rules test FILE --tickets FILE`: thin
//! wrappers over the escalation matrix and replay in `waymark-core`.

use anyhow::Context;
use std::path::{Path, PathBuf};
use waymark_core::matrix::{EscalationMatrix, load_toml, render_table};
use waymark_core::rules::{ReplayTicket, replay};

/// Arguments of `waymark rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RulesCommand {
    /// Validate an escalation matrix and print it as tables.
    Check {
        /// The matrix (TOML).
        file: PathBuf,
    },
    /// Replay historical tickets through a matrix: the rule that fires on each, with
    /// its explanation, totals per tier and rule, and over-/under-triggering when the
    /// tickets carry an `expected` outcome.
    Test {
        /// The matrix (TOML).
        file: PathBuf,
        /// Tickets, one JSON object per line:
        /// `{"id":"T-1","now_ms":…,"facts":{…},"expected":{"escalate_to":"tier2"}}`.
        #[arg(long)]
        tickets: PathBuf,
    },
}

/// Runs `waymark rules`.
pub async fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        RulesCommand::Check { file } => {
            let matrix = read_matrix(&file)?;
            print!("{}", render_table(&matrix));
            println!("\n{}: ok", file.display());
        }
        RulesCommand::Test { file, tickets } => {
            let matrix = read_matrix(&file)?;
            let tickets = read_tickets(&tickets)?;
            print!("{}", replay(&matrix, &tickets).render());
        }
    }
    Ok(())
}

fn read_matrix(path: &Path) -> anyhow::Result<EscalationMatrix> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    load_toml(&text).with_context(|| format!("{} is not a valid escalation matrix", path.display()))
}

fn read_tickets(path: &Path) -> anyhow::Result<Vec<ReplayTicket>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not a replay ticket", path.display(), index + 1))
        })
        .collect()
}
