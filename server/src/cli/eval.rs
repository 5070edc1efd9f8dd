//! `waymark eval`.

/// Arguments of `waymark eval`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `waymark eval`.
pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`waymark eval` is not available in this build yet")
}
