//! `waymark knowledge`.

/// Arguments of `waymark knowledge`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `waymark knowledge`.
pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`waymark knowledge` is not available in this build yet")
}
