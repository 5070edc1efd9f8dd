//! `cargo xtask dist` (second half): builds the agents' console for the browser.
//!
//! Output: `dist/console/` with `index.html` (no inline script), a boot module,
//! the wasm-bindgen glue, the wasm (optimised by `wasm-opt -Oz`) and the
//! stylesheet, every name but `index.html` carrying a content hash so the server
//! can let browsers cache them for good. The server serves that directory at
//! `/console` (`console.assets_dir`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::{sh, tools};

/// What the console build produced.
#[derive(Debug)]
pub struct ConsoleDist {
    /// The output directory.
    pub dir: PathBuf,
}

/// Builds the console into `dist/console`.
pub fn run() -> anyhow::Result<ConsoleDist> {
    tools::ensure(tools::Install::IfMissing)?;
    let root = sh::workspace_root()?;
    let out = root.join("dist").join("console");
    let staging = root.join("dist").join("console.staging");
    for dir in [&out, &staging] {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot clear {}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;

    sh::run(sh::cargo().args([
        "build",
        "--quiet",
        "-p",
        "waymark-console",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = sh::target_dir()?.join("wasm32-unknown-unknown/wasm-release/waymark_console.wasm");
    sh::run(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "waymark_console",
                "--out-dir",
            ])
            .arg(&staging)
            .arg(&wasm),
    )?;
    let bg = staging.join("waymark_console_bg.wasm");
    sh::run(
        Command::new(tools::wasm_opt())
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
                "--strip-debug",
                "--strip-producers",
                "-o",
            ])
            .arg(&bg)
            .arg(&bg),
    )?;

    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let wasm_name = publish(&bg, &out, "waymark_console_bg", "wasm", &[])?;
    let glue_name = publish(
        &staging.join("waymark_console.js"),
        &out,
        "waymark_console",
        "js",
        &[],
    )?;
    let static_dir = root.join("console").join("static");
    let names = [
        ("{{GLUE}}", glue_name.as_str()),
        ("{{WASM}}", wasm_name.as_str()),
    ];
    let boot_name = publish(&static_dir.join("boot.js"), &out, "boot", "js", &names)?;
    let css_name = publish(&static_dir.join("console.css"), &out, "console", "css", &[])?;
    let index = fill(
        &read(&static_dir.join("index.html"))?,
        &[
            ("{{GLUE}}", glue_name.as_str()),
            ("{{WASM}}", wasm_name.as_str()),
            ("{{BOOT}}", boot_name.as_str()),
            ("{{STYLESHEET}}", css_name.as_str()),
        ],
    )?;
    std::fs::write(out.join("index.html"), index)
        .with_context(|| format!("cannot write {}", out.display()))?;
    std::fs::remove_dir_all(&staging)
        .with_context(|| format!("cannot remove {}", staging.display()))?;
    let size = std::fs::metadata(out.join(&wasm_name))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "console: {} ({} KiB wasm) — served at /console",
        out.display(),
        size / 1024
    );
    Ok(ConsoleDist { dir: out })
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// `text` with every placeholder replaced; fails when one is missing, so a
/// renamed placeholder cannot ship a page that loads nothing.
fn fill(text: &str, names: &[(&str, &str)]) -> anyhow::Result<String> {
    let mut out = text.to_owned();
    for (placeholder, name) in names {
        anyhow::ensure!(
            out.contains(placeholder),
            "the template has no {placeholder}"
        );
        out = out.replace(placeholder, name);
    }
    anyhow::ensure!(!out.contains("{{"), "a placeholder is left unfilled");
    Ok(out)
}

/// Copies `source` (placeholders filled) into `out` as `stem-HASH.ext`; returns that name.
fn publish(
    source: &Path,
    out: &Path,
    stem: &str,
    ext: &str,
    names: &[(&str, &str)],
) -> anyhow::Result<String> {
    let bytes = if names.is_empty() {
        std::fs::read(source).with_context(|| format!("cannot read {}", source.display()))?
    } else {
        fill(&read(source)?, names)?.into_bytes()
    };
    let name = format!("{stem}-{:016x}.{ext}", content_hash(&bytes));
    std::fs::write(out.join(&name), &bytes)
        .with_context(|| format!("cannot write {name} in {}", out.display()))?;
    Ok(name)
}

/// FNV-1a over the bytes: a cache key, not a security measure.
fn content_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_change_with_the_content() {
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
        assert_eq!(format!("{:016x}", content_hash(b"")).len(), 16);
    }

    #[test]
    fn templates_must_hold_every_placeholder() {
        let filled = fill("<script src=\"{{BOOT}}\">", &[("{{BOOT}}", "boot-1.js")]).unwrap();
        assert_eq!(filled, "<script src=\"boot-1.js\">");
        assert!(fill("<p>", &[("{{BOOT}}", "boot-1.js")]).is_err());
        assert!(fill("{{BOOT}} {{WASM}}", &[("{{BOOT}}", "x")]).is_err());
    }
}
