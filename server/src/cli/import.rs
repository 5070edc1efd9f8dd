//! `waymark import`.

/// Arguments of `waymark import`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `waymark import`.
pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`waymark import` is not available in this build yet")
}
