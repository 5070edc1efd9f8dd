//! The audit's chores: `cargo xtask bench audit` times `waymark audit` on the bundled
//! fixtures and on a generated export (10 000 tickets unless `--tickets N`), and
//! `cargo xtask screenshots audit` renders a generated report in headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::{audit_data, sh, tools};

/// Tickets in the benchmark's export unless `--tickets N`.
const BENCH_TICKETS: usize = 10_000;
/// Tickets behind the screenshot.
const SCREENSHOT_TICKETS: usize = 2_000;

fn build_waymark(release: bool) -> anyhow::Result<PathBuf> {
    let mut cargo = sh::cargo();
    cargo.args([
        "build",
        "--quiet",
        "-p",
        "waymark-server",
        "--bin",
        "waymark",
    ]);
    if release {
        cargo.arg("--release");
    }
    sh::run(&mut cargo)?;
    let profile = if release { "release" } else { "debug" };
    Ok(sh::target_dir()?.join(profile).join("waymark"))
}

/// Runs `waymark audit` and returns the wall time in seconds.
fn run_audit(waymark: &Path, exports: &[PathBuf], options: &[&str]) -> anyhow::Result<f64> {
    let mut command = Command::new(waymark);
    command.arg("audit").args(exports).args(options);
    eprintln!("$ {command:?}");
    let started = Instant::now();
    sh::run(&mut command)?;
    Ok(started.elapsed().as_secs_f64())
}

/// `cargo xtask bench audit [--tickets N]`.
pub fn bench(extra: &[String]) -> anyhow::Result<()> {
    let mut tickets = BENCH_TICKETS;
    let mut iter = extra.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--tickets" => {
                let value = iter.next().context("--tickets needs a number")?;
                tickets = value
                    .parse()
                    .with_context(|| format!("--tickets: `{value}` is not a number"))?;
            }
            other => bail!("bench audit: unknown argument `{other}` (expected --tickets N)"),
        }
    }
    let waymark = build_waymark(true)?;
    let root = sh::workspace_root()?;
    let out = sh::target_dir()?.join("audit-bench");
    let fixtures: Vec<PathBuf> = ["zendesk.json", "freshdesk.json", "intercom.json"]
        .iter()
        .map(|name| root.join("knowledge/tests/fixtures/audit").join(name))
        .collect();
    let fixture_report = out.join("fixtures.html");
    let fixture_seconds = run_audit(
        &waymark,
        &fixtures,
        &["--out", &fixture_report.display().to_string()],
    )?;
    let generated_dir = out.join(format!("{tickets}"));
    let generated_started = Instant::now();
    let generated = audit_data::write(&generated_dir, tickets)?;
    let generating = generated_started.elapsed().as_secs_f64();
    let report = generated_dir.join("report.html");
    let csv = generated_dir.join("csv");
    let generated_seconds = run_audit(
        &waymark,
        &generated.exports,
        &[
            "--articles",
            &generated.articles.display().to_string(),
            "--out",
            &report.display().to_string(),
            "--csv",
            &csv.display().to_string(),
        ],
    )?;
    let size = std::fs::metadata(&report)
        .map(|meta| meta.len())
        .unwrap_or(0);
    println!();
    println!("{:<52}  wall time", "waymark audit (release build)");
    println!("{:-<52}  {:-<10}", "", "");
    println!(
        "{:<52}  {fixture_seconds:.2} s",
        "bundled fixtures (Zendesk, Freshdesk, Intercom)"
    );
    println!(
        "{:<52}  {generated_seconds:.2} s",
        format!("generated export, {tickets} tickets, with --articles and --csv")
    );
    println!(
        "\ngenerating the export took {generating:.2} s; report {} ({} KiB)",
        report.display(),
        size / 1024
    );
    Ok(())
}

/// `cargo xtask screenshots audit`: `docs/screenshots/audit-report.png`.
pub fn screenshot(out_dir: &Path) -> anyhow::Result<()> {
    let waymark = build_waymark(false)?;
    let dir = sh::target_dir()?.join("audit-screenshot");
    let generated = audit_data::write(&dir, SCREENSHOT_TICKETS)?;
    let report = dir.join("report.html");
    run_audit(
        &waymark,
        &generated.exports,
        &[
            "--articles",
            &generated.articles.display().to_string(),
            "--out",
            &report.display().to_string(),
        ],
    )?;
    let (browser, _) =
        tools::chromium().context("chromium is not on PATH (run `cargo xtask test` once)")?;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let png = out_dir.join("audit-report.png");
    let report = report
        .canonicalize()
        .with_context(|| format!("cannot find {}", report.display()))?;
    sh::run(Command::new(browser).args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=1280,2200",
        &format!("--screenshot={}", png.display()),
        &format!("file://{}", report.display()),
    ]))?;
    println!("wrote {}", png.display());
    Ok(())
}
