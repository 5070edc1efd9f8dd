//! Repository checks run as tests: the documents a newcomer reads first point at
//! files that exist.

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The top-level folders a document may point into.
    const TOP_LEVEL: &[&str] = &[
        "core/",
        "widget/",
        "console/",
        "server/",
        "knowledge/",
        "e2e/",
        "xtask/",
        "docs/",
    ];

    /// Every `` `path` `` in `text` that starts at a top-level folder of the
    /// workspace (placeholders such as `tests/<name>/main.rs` are skipped).
    fn named_paths(text: &str) -> Vec<&str> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|token| TOP_LEVEL.iter().any(|top| token.starts_with(top)))
            .filter(|token| !token.contains(['<', '>', ' ', '*']))
            .collect()
    }

    fn workspace_root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new("."))
    }

    fn missing_paths(document: &str) -> (usize, Vec<String>) {
        let root = workspace_root();
        let text = std::fs::read_to_string(root.join(document)).unwrap_or_default();
        let paths = named_paths(&text);
        let missing = paths
            .iter()
            .filter(|path| !root.join(path.trim_end_matches('/')).exists())
            .map(|path| format!("{document} names `{path}`, which does not exist"))
            .collect();
        (paths.len(), missing)
    }

    #[test]
    fn named_paths_finds_only_workspace_paths() {
        let text = "see `server/src/api/mod.rs`, `text/plain`, `tests/<name>/main.rs` and `core/`";
        assert_eq!(named_paths(text), vec!["server/src/api/mod.rs", "core/"]);
    }

    #[test]
    fn architecture_names_only_paths_that_exist() {
        let (named, missing) = missing_paths("ARCHITECTURE.md");
        assert!(
            named >= 15,
            "ARCHITECTURE.md should point at the entry points of every crate; it names {named} paths"
        );
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn readme_names_only_paths_that_exist() {
        let (_, missing) = missing_paths("README.md");
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }
}
