//! `waymark rules`.

/// Arguments of `waymark rules`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `waymark rules`.
pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`waymark rules` is not available in this build yet")
}
