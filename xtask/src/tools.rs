//! The tools a build needs beyond cargo, installed when missing: the wasm32
//! target, `wasm-bindgen-cli` at the version in Cargo.lock, `wasm-opt` from the
//! npm package `binaryen`, the JavaScript minifier from the npm package `esbuild`,
//! and Chromium with its driver for the browser tests.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::sh;

/// The binaryen release whose `wasm-opt` is used (older ones break the widget).
const BINARYEN_VERSION: &str = "132";

/// The esbuild release that minifies the widget's scripts.
const ESBUILD_VERSION: &str = "0.28.2";

/// Which tools to make sure of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// The widget build tools.
    IfMissing,
    /// The widget build tools and the browser.
    WithBrowser,
}

/// Where downloaded tools live: `$XDG_CACHE_HOME/waymark/tools` or `~/.cache/waymark/tools`.
pub fn tools_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("waymark").join("tools")
}

/// The `wasm-opt` binary from the npm package.
pub fn wasm_opt() -> PathBuf {
    tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt")
}

/// The `esbuild` binary from the npm package.
pub fn esbuild() -> PathBuf {
    tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("esbuild")
}

/// Installs what is missing; quick when everything is there.
pub fn ensure(what: Install) -> anyhow::Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_opt()?;
    ensure_esbuild()?;
    if what == Install::WithBrowser {
        ensure_chromium()?;
    }
    Ok(())
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = sh::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("rustup is needed to add the wasm32-unknown-unknown target")?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    sh::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The `wasm-bindgen` version pinned in Cargo.lock.
pub fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(sh::workspace_root()?.join("Cargo.lock"))
        .context("cannot read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            let version = lines.next().unwrap_or_default();
            if let Some(v) = version
                .trim()
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(v.to_owned());
            }
        }
    }
    bail!("Cargo.lock pins no wasm-bindgen version")
}

fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let wanted = locked_wasm_bindgen_version()?;
    let have = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    if have
        .as_deref()
        .is_some_and(|v| v.split_whitespace().nth(1) == Some(wanted.as_str()))
    {
        return Ok(());
    }
    eprintln!(
        "wasm-bindgen-cli {wanted} is needed (found: {}); installing",
        have.as_deref().unwrap_or("none")
    );
    sh::run(sh::cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &wanted,
        "--force",
    ]))
}

fn ensure_wasm_opt() -> anyhow::Result<()> {
    let wasm_opt = wasm_opt();
    if let Ok(version) = sh::output(Command::new(&wasm_opt).arg("--version"))
        && version.contains(&format!("version {BINARYEN_VERSION}"))
    {
        return Ok(());
    }
    if !sh::on_path("npm") {
        bail!(
            "wasm-opt comes from the npm package binaryen@{BINARYEN_VERSION}: install Node.js and npm, then run this again"
        );
    }
    let dir = tools_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    sh::run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(&dir)
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )
}

fn ensure_esbuild() -> anyhow::Result<()> {
    if let Ok(version) = sh::output(Command::new(esbuild()).arg("--version"))
        && version.trim() == ESBUILD_VERSION
    {
        return Ok(());
    }
    if !sh::on_path("npm") {
        bail!(
            "the widget's scripts are minified by the npm package esbuild@{ESBUILD_VERSION}: install Node.js and npm, then run this again"
        );
    }
    sh::run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(tools_dir())
            .arg(format!("esbuild@{ESBUILD_VERSION}")),
    )
}

/// The Chromium binary and its WebDriver.
pub fn chromium() -> Option<(PathBuf, PathBuf)> {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| sh::find_on_path(b))?;
    let driver = sh::find_on_path("chromedriver")?;
    Some((browser, driver))
}

fn ensure_chromium() -> anyhow::Result<()> {
    if chromium().is_some() {
        return Ok(());
    }
    let is_root = sh::output(Command::new("id").arg("-u"))
        .map(|uid| uid.trim() == "0")
        .unwrap_or(false);
    if !is_root || !sh::on_path("apt-get") {
        bail!(
            "the browser tests need Chromium and ChromeDriver. Install them (Debian/Ubuntu: \
             `sudo apt-get install chromium chromium-driver`) or run `cargo xtask test --skip-e2e`"
        );
    }
    sh::run(Command::new("apt-get").args(["update", "-qq"]))?;
    sh::run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "chromium", "chromium-driver"]),
    )?;
    chromium()
        .map(|_| ())
        .context("chromium was installed but chromium/chromedriver are not on PATH")
}
