//! `cargo xtask dist`: builds the widget for the browser and checks its size.
//!
//! Output: `dist/widget/` with `loader.js` (the embed script), `waymark.mjs` (the
//! ES-module entry, which loads `loader.js`), `waymark_widget-HASH.js`
//! (wasm-bindgen glue) and `waymark_widget_bg-HASH.wasm` (optimised by
//! `wasm-opt -Oz`), each with `.br` and `.gz` copies. The two entries keep their
//! names (pages embed them) and the loader names the hashed files, so only the
//! entries need a short cache; a hashed file never changes under its name.
//! The server serves that directory at `/widget/` (`widget.assets_dir`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::{sh, tools, unused_exports};

/// Largest total (gzip) of everything the widget ships, in bytes. The one place
/// the budget lives.
pub const BUDGET_GZIP_BYTES: u64 = 110 * 1024;

/// The WebAssembly features the browsers Waymark supports have, which wasm-opt may use.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The hand-written scripts from `widget/js/`, shipped minified under these
/// names: the entries a page embeds.
const SCRIPTS: &[&str] = &["loader.js", "waymark.mjs"];
/// How the loader names the glue and the module; `dist` puts the hashed names in.
const LOADER_GLUE: &str = "\"/waymark_widget.js\"";
const LOADER_WASM: &str = "\"/waymark_widget_bg.wasm\"";

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
    // Hashed names change with every build: an old copy would linger for ever.
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("cannot empty {}", out.display()))?;
    }
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
    let module = std::fs::read(&bg).with_context(|| format!("cannot read {}", bg.display()))?;
    let module = unused_exports::drop_exports(&module, |name| {
        unused_exports::UNUSED_EXPORT_PREFIXES
            .iter()
            .any(|prefix| name.starts_with(prefix))
    })?;
    std::fs::write(&bg, module).with_context(|| format!("cannot write {}", bg.display()))?;
    // The size passes run until they stop shrinking the module.
    sh::run(
        Command::new(tools::wasm_opt())
            .args(["-Oz", "--converge"])
            .args(WASM_FEATURES)
            .arg("-o")
            .arg(&bg)
            .arg(&bg),
    )?;
    // After the size passes, the import, export and module names shrink to one or
    // two letters (wasm-bindgen's carry a hash each); the glue is renamed to match.
    let renames = sh::output(
        Command::new(tools::wasm_opt())
            .args([
                "-Oz",
                "--minify-imports-and-exports-and-modules",
                "--strip-producers",
                "--strip-target-features",
            ])
            .args(WASM_FEATURES)
            .arg("-o")
            .arg(&bg)
            .arg(&bg),
    )?;
    let glue = out.join("waymark_widget.js");
    let text = std::fs::read_to_string(&glue)
        .with_context(|| format!("cannot read {}", glue.display()))?;
    let text = unused_exports::drop_glue_classes(&text, unused_exports::UNUSED_GLUE_CLASSES)?;
    let renamed = rename_glue(&text, &Renames::parse(&renames)?)?;
    std::fs::write(&glue, renamed).with_context(|| format!("cannot write {}", glue.display()))?;
    minify(&glue, &glue)?;
    for script in SCRIPTS {
        minify(&root.join("widget/js").join(script), &out.join(script))?;
    }
    let glue_name = hash_name(&glue, "waymark_widget", "js")?;
    let wasm_name = hash_name(&bg, "waymark_widget_bg", "wasm")?;
    let loader = out.join("loader.js");
    let text = std::fs::read_to_string(&loader)
        .with_context(|| format!("cannot read {}", loader.display()))?;
    let text = replace_once(&text, LOADER_GLUE, &format!("\"/{glue_name}\""))?;
    let text = replace_once(&text, LOADER_WASM, &format!("\"/{wasm_name}\""))?;
    std::fs::write(&loader, text).with_context(|| format!("cannot write {}", loader.display()))?;

    let shipped = [
        "loader.js",
        "waymark.mjs",
        glue_name.as_str(),
        wasm_name.as_str(),
    ];
    let total = print_sizes(&out, &shipped)?;
    if total.gzip > BUDGET_GZIP_BYTES {
        bail!(
            "the widget ships {} gzip, over the budget of {} (xtask/src/dist.rs BUDGET_GZIP_BYTES)",
            kib(total.gzip),
            kib(BUDGET_GZIP_BYTES)
        );
    }
    Ok(Dist { dir: out })
}

/// The module every wasm-bindgen import comes from, in the glue.
const GLUE_MODULE: &str = "./waymark_widget_bg.js";

/// The names `wasm-opt --minify-imports-and-exports-and-modules` gave: its
/// mapping, printed as JSON (`imports`: `[module, name, new]`, `exports`:
/// `[name, new]`). Every import module becomes `a`.
#[derive(Debug, Default, PartialEq)]
struct Renames {
    imports: Vec<(String, String)>,
    exports: Vec<(String, String)>,
}

impl Renames {
    fn parse(mapping: &str) -> anyhow::Result<Self> {
        let json: serde_json::Value =
            serde_json::from_str(mapping).context("wasm-opt printed no name mapping")?;
        let pairs = |key: &str, from: usize| -> anyhow::Result<Vec<(String, String)>> {
            json.get(key)
                .and_then(|v| v.as_array())
                .with_context(|| format!("the name mapping has no `{key}`"))?
                .iter()
                .map(|entry| {
                    let name = entry.get(from).and_then(|v| v.as_str());
                    let new = entry.get(from + 1).and_then(|v| v.as_str());
                    match (name, new) {
                        (Some(name), Some(new)) => Ok((name.to_owned(), new.to_owned())),
                        _ => bail!("unreadable entry in the name mapping: {entry}"),
                    }
                })
                .collect()
        };
        for entry in json
            .get("imports")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if entry.get(0).and_then(|v| v.as_str()) != Some(GLUE_MODULE) {
                bail!("an import does not come from the glue: {entry}");
            }
        }
        Ok(Self {
            imports: pairs("imports", 1)?,
            exports: pairs("exports", 0)?,
        })
    }
}

/// The glue with the minified names: its import object's keys and module, and its
/// `wasm.NAME` uses of the exports. Fails when a name is not where it is expected
/// or an old one is left, so a changed glue layout cannot ship a broken widget.
fn rename_glue(glue: &str, renames: &Renames) -> anyhow::Result<String> {
    let mut out = replace_once(
        glue,
        &format!("\"{GLUE_MODULE}\": import0"),
        "\"a\": import0",
    )?;
    for (name, new) in &renames.imports {
        out = replace_once(
            &out,
            &format!(" {name}: function("),
            &format!(" {new}: function("),
        )?;
    }
    for (name, new) in &renames.exports {
        let old = format!("wasm.{name}");
        let uses = count_word(&out, &old);
        if uses == 0 {
            // Exports the glue never calls (wasm-bindgen's own bookkeeping).
            continue;
        }
        out = replace_word(&out, &old, &format!("wasm.{new}"));
    }
    let left = renames
        .imports
        .iter()
        .map(|(name, _)| format!(" {name}: function("))
        .chain(
            renames
                .exports
                .iter()
                .map(|(name, _)| format!("wasm.{name}")),
        )
        .find(|old| count_word(&out, old) > 0);
    if let Some(old) = left {
        bail!("the glue still has `{old}` after renaming");
    }
    Ok(out)
}

/// `text` with its one occurrence of `from` replaced; fails unless there is exactly one.
fn replace_once(text: &str, from: &str, to: &str) -> anyhow::Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => bail!("the glue has {n} occurrences of `{from}`, expected one"),
    }
}

/// Whether `c` can continue a JavaScript identifier.
fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The positions of `word` in `text` not followed by an identifier character.
fn word_positions(text: &str, word: &str) -> Vec<usize> {
    text.match_indices(word)
        .map(|(at, _)| at)
        .filter(|at| {
            let before = text.get(..*at).and_then(|t| t.chars().next_back());
            let after = text.get(at + word.len()..).and_then(|t| t.chars().next());
            !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
        })
        .collect()
}

fn count_word(text: &str, word: &str) -> usize {
    word_positions(text, word).len()
}

/// `text` with every whole-word `word` replaced by `to`.
fn replace_word(text: &str, word: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for at in word_positions(text, word) {
        out.push_str(text.get(cursor..at).unwrap_or_default());
        out.push_str(to);
        cursor = at + word.len();
    }
    out.push_str(text.get(cursor..).unwrap_or_default());
    out
}

/// Minifies the script `from` (an ES module or a classic script) into `to`.
fn minify(from: &Path, to: &Path) -> anyhow::Result<()> {
    sh::run(
        Command::new(tools::esbuild())
            .arg(from)
            .args(["--minify", "--log-level=warning", "--allow-overwrite"])
            .arg(format!("--outfile={}", to.display())),
    )
}

#[derive(Debug, Default, Clone, Copy)]
struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

/// Sizes of one shipped file; writes its precompressed copies next to it
/// (`.gz`, `.br`), which the server sends to browsers that accept them.
fn sizes(path: &Path) -> anyhow::Result<Sizes> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes)?;
    let gzip = gz.finish()?;
    let mut br = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        writer.write_all(&bytes)?;
    }
    for (extension, compressed) in [("gz", &gzip), ("br", &br)] {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(extension);
        std::fs::write(&name, compressed)
            .with_context(|| format!("cannot write {}", Path::new(&name).display()))?;
    }
    Ok(Sizes {
        raw: bytes.len() as u64,
        gzip: gzip.len() as u64,
        brotli: br.len() as u64,
    })
}

/// Renames `path` to `stem-HASH.ext` (its content's hash) and returns that name.
fn hash_name(path: &Path, stem: &str, ext: &str) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = format!("{stem}-{:016x}.{ext}", content_hash(&bytes));
    let to = path.with_file_name(&name);
    std::fs::rename(path, &to).with_context(|| format!("cannot rename to {}", to.display()))?;
    Ok(name)
}

/// FNV-1a over the bytes: a cache key, not a security measure (as the console's).
fn content_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Prints the size table of the files a page with the widget downloads
/// (`waymark.mjs` only through the ES-module entry; counted anyway, so the
/// budget holds for both entries) and returns the total.
fn print_sizes(dir: &Path, shipped: &[&str]) -> anyhow::Result<Sizes> {
    println!(
        "{:<36} {:>11} {:>11} {:>11}",
        "file", "raw", "gzip", "brotli"
    );
    let mut total = Sizes::default();
    for name in shipped {
        let s = sizes(&dir.join(name))?;
        println!(
            "{:<36} {:>11} {:>11} {:>11}",
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
        "{:<36} {:>11} {:>11} {:>11}",
        "total",
        kib(total.raw),
        kib(total.gzip),
        kib(total.brotli)
    );
    println!("{:<36} {:>11} {:>11}", "budget", "", kib(BUDGET_GZIP_BYTES));
    Ok(total)
}

/// Bytes as KiB with one decimal, e.g. `41.3 KiB`.
fn kib(bytes: u64) -> String {
    let tenths = (bytes * 10 + 512) / 1024;
    format!("{}.{} KiB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MAPPING: &str = r#"{
 "imports": [
  ["./waymark_widget_bg.js", "__wbg_fetch_21015a0a4570ab44", "a"],
  ["./waymark_widget_bg.js", "__wbg_now_463ac581d2fc7ea3", "$"]
 ],
"exports": [
  ["memory", "b"],
  ["boot", "c"],
  ["__wbindgen_start", "d"]
 ]
}"#;

    const GLUE: &str = "export function boot(x) { wasm.boot(x); }
function imports() {
    const import0 = {
        __wbg_fetch_21015a0a4570ab44: function(arg0) { return fetch(arg0); },
        __wbg_now_463ac581d2fc7ea3: function() { return Date.now(); },
    };
    return { \"./waymark_widget_bg.js\": import0 };
}
function finish(instance) { wasm = instance.exports; wasm.memory.buffer; wasm.memoryView; wasm.__wbindgen_start(); }
";

    #[test]
    fn the_glue_gets_the_minified_names_and_keeps_its_own() {
        let renames = Renames::parse(MAPPING).unwrap();
        let glue = rename_glue(GLUE, &renames).unwrap();
        assert!(glue.contains("export function boot(x) { wasm.c(x); }"));
        assert!(glue.contains(" a: function(arg0) { return fetch(arg0); }"));
        assert!(glue.contains(" $: function() { return Date.now(); }"));
        assert!(glue.contains("{ \"a\": import0 }"));
        assert!(glue.contains("wasm.b.buffer; wasm.memoryView; wasm.d();"));
    }

    #[test]
    fn a_glue_without_an_expected_name_is_refused() {
        let renames = Renames::parse(MAPPING).unwrap();
        let changed = GLUE.replace("__wbg_now_463ac581d2fc7ea3: function()", "now: function()");
        assert!(rename_glue(&changed, &renames).is_err());
        let other_module = MAPPING.replace("./waymark_widget_bg.js", "env");
        assert!(Renames::parse(&other_module).is_err());
        assert!(Renames::parse("no mapping").is_err());
    }
}
