//! `cargo xtask dist`: builds the widget for the browser and checks its size.
//!
//! Output: `dist/widget/` with `loader.js` (the embed script), `waymark.mjs` (the
//! ES-module entry, which loads `loader.js`), `waymark_widget.js` (wasm-bindgen
//! glue) and `waymark_widget_bg.wasm` (optimised by `wasm-opt -Oz`).
//! The server serves that directory at `/widget/` (`widget.assets_dir`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::{sh, tools};

/// Largest total (gzip) of everything the widget ships, in bytes. The one place
/// the budget lives.
pub const BUDGET_GZIP_BYTES: u64 = 64 * 1024;

/// The files a page with the widget downloads (`waymark.mjs` only through the
/// ES-module entry; counted anyway, so the budget holds for both entries).
const SHIPPED: &[&str] = &[
    "loader.js",
    "waymark.mjs",
    "waymark_widget.js",
    "waymark_widget_bg.wasm",
];

/// The hand-written scripts copied from `widget/js/` as they are.
const SCRIPTS: &[&str] = &["loader.js", "waymark.mjs"];

/// What `dist` produced.
#[derive(Debug)]
pub struct Dist {
    /// The output directory.
    pub dir: PathBuf,
}

/// Builds the widget into `dist/widget` and prints the size table.
pub fn run() -> anyhow::Result<Dist> {
    tools::ensure(tools::Install::IfMissing)?;
    let root = sh::workspace_root()?;
    let out = root.join("dist").join("widget");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;

    sh::run(sh::cargo().args([
        "build",
        "--quiet",
        "-p",
        "waymark-widget",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = sh::target_dir()?.join("wasm32-unknown-unknown/wasm-release/waymark_widget.wasm");
    sh::run(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "waymark_widget",
                "--out-dir",
            ])
            .arg(&out)
            .arg(&wasm),
    )?;
    let bg = out.join("waymark_widget_bg.wasm");
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
                "-o",
            ])
            .arg(&bg)
            .arg(&bg),
    )?;
    for script in SCRIPTS {
        std::fs::copy(root.join("widget/js").join(script), out.join(script))
            .with_context(|| format!("cannot copy {script}"))?;
    }

    let total = print_sizes(&out)?;
    if total.gzip > BUDGET_GZIP_BYTES {
        bail!(
            "the widget ships {} gzip, over the budget of {} (xtask/src/dist.rs BUDGET_GZIP_BYTES)",
            kib(total.gzip),
            kib(BUDGET_GZIP_BYTES)
        );
    }
    Ok(Dist { dir: out })
}

#[derive(Debug, Default, Clone, Copy)]
struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

fn sizes(path: &Path) -> anyhow::Result<Sizes> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes)?;
    let gzip = gz.finish()?.len() as u64;
    let mut br = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        writer.write_all(&bytes)?;
    }
    Ok(Sizes {
        raw: bytes.len() as u64,
        gzip,
        brotli: br.len() as u64,
    })
}

fn print_sizes(dir: &Path) -> anyhow::Result<Sizes> {
    println!(
        "{:<26} {:>11} {:>11} {:>11}",
        "file", "raw", "gzip", "brotli"
    );
    let mut total = Sizes::default();
    for name in SHIPPED {
        let s = sizes(&dir.join(name))?;
        println!(
            "{:<26} {:>11} {:>11} {:>11}",
            name,
            kib(s.raw),
            kib(s.gzip),
            kib(s.brotli)
        );
        total.raw += s.raw;
        total.gzip += s.gzip;
        total.brotli += s.brotli;
    }
    println!(
        "{:<26} {:>11} {:>11} {:>11}",
        "total",
        kib(total.raw),
        kib(total.gzip),
        kib(total.brotli)
    );
    println!("budget (gzip)              {:>11}", kib(BUDGET_GZIP_BYTES));
    Ok(total)
}

/// Bytes as KiB with one decimal, e.g. `41.3 KiB`.
fn kib(bytes: u64) -> String {
    let tenths = (bytes * 10 + 512) / 1024;
    format!("{}.{} KiB", tenths / 10, tenths % 10)
}
