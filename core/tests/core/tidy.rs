//! Repository checks for this crate, run as a test: every source file says what it
//! is for in its first line and stays under the size ceiling; the crate's normal
//! dependencies stay wasm-friendly.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn crate_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    files
}

#[test]
fn every_file_starts_with_a_module_doc_line() {
    for file in crate_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//! "),
            "{} must start with a `//!` line",
            file.display()
        );
    }
}

#[test]
fn files_stay_under_the_size_ceiling() {
    for file in crate_files() {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(
            lines <= 500,
            "{} has {lines} lines; split it into a folder module",
            file.display()
        );
    }
}

#[test]
fn no_heavy_or_clock_dependencies() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_default();
    for forbidden in [
        "regex",
        "chrono",
        "rand",
        "tokio",
        "time =",
        "getrandom",
        "web-sys",
        "tantivy",
    ] {
        assert!(
            !dependencies.contains(forbidden),
            "core must not depend on {forbidden}"
        );
    }
}
