//! The committed man pages and completions must be what `ctl generate` writes today.
//! Regenerate with: `cargo run -- generate man man && cargo run -- generate completions completions`.

use std::path::Path;

use assert_cmd::Command;

fn assert_current(what: &str, committed: &str) {
    let fresh = tempfile::tempdir().unwrap();
    Command::cargo_bin("ctl").unwrap().args(["generate", what]).arg(fresh.path()).assert().success();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(committed);
    let mut names: Vec<_> = std::fs::read_dir(fresh.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let new = std::fs::read(fresh.path().join(&name)).unwrap();
        let old = std::fs::read(committed.join(&name)).unwrap_or_default();
        assert!(
            new == old,
            "{}/{} is stale: run `cargo run -- generate {what} {}`",
            committed.display(),
            name.to_string_lossy(),
            committed.display()
        );
    }
}

#[test]
fn man_pages_are_current() {
    assert_current("man", "man");
}

#[test]
fn completions_are_current() {
    assert_current("completions", "completions");
}

#[test]
fn parquet_schema_is_current() {
    assert_current("parquet-schema", "docs");
}
