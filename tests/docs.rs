//! The documents show real runs: every `console` block of `docs/RECIPES.md` and `README.md` is a
//! list of `$ ` command lines (a trailing ` \` continues one), each followed by the output it
//! prints. The test runs each command from the repository's root with the `ctl` under test and
//! checks that it did not fail (exit status 2) and printed exactly what the document shows.
//!
//! After a deliberate change of output, `CTL_BLESS=1 cargo test --release --test docs` writes the
//! new outputs into the documents (then read the diff before committing it).

mod common;

use std::path::Path;

/// One command of a document and the output it shows.
struct Run {
    command: String,
    /// The document's lines the output occupies (to replace when blessing).
    lines: std::ops::Range<usize>,
    expected: String,
}

/// The runs of every `console` block of `text`.
fn runs(text: &str) -> Vec<Run> {
    let lines: Vec<&str> = text.lines().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```console" {
            i += 1;
            continue;
        }
        i += 1;
        while i < lines.len() && lines[i].trim_end() != "```" {
            let Some(first) = lines[i].strip_prefix("$ ") else {
                panic!("line {}: a console block holds `$ ` commands and their output: {:?}", i + 1, lines[i]);
            };
            let mut command = first.to_string();
            while let Some(start) = command.strip_suffix(" \\") {
                i += 1;
                command = format!("{start} {}", lines[i].trim_start());
            }
            i += 1;
            let start = i;
            while i < lines.len() && lines[i].trim_end() != "```" && !lines[i].starts_with("$ ") {
                i += 1;
            }
            let expected = lines[start..i].iter().map(|l| format!("{l}\n")).collect();
            runs.push(Run { command, lines: start..i, expected });
        }
        i += 1;
    }
    runs
}

/// Runs every command of the document at `path` (relative to the repository); returns how many.
fn check(path: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(path)).unwrap();
    let runs = runs(&text);
    let bless = std::env::var_os("CTL_BLESS").is_some();
    let mut blessed: Vec<String> = text.lines().map(str::to_string).collect();
    let mut failures = Vec::new();
    for run in runs.iter().rev() {
        let (code, out, err) = common::shell(&run.command, root);
        let out: String = out.lines().map(|l| format!("{}\n", l.trim_end())).collect();
        if code == 2 {
            failures.push(format!("`{}` failed: {err}", run.command));
        } else if out != run.expected {
            if bless {
                blessed.splice(run.lines.clone(), out.lines().map(str::to_string));
            } else {
                failures.push(format!("`{}` printed:\n{out}\nbut {path} shows:\n{}", run.command, run.expected));
            }
        }
    }
    if bless {
        let mut new = blessed.join("\n");
        new.push('\n');
        std::fs::write(root.join(path), new).unwrap();
    }
    assert!(failures.is_empty(), "{path}:\n{}", failures.join("\n---\n"));
    runs.len()
}

#[test]
fn every_recipe_runs_and_prints_what_the_recipes_show() {
    assert!(check("docs/RECIPES.md") >= 26);
}

#[test]
fn the_readme_shows_real_output() {
    assert!(check("README.md") >= 4);
}

#[test]
fn a_console_block_is_read_as_commands_and_outputs() {
    let text = "intro\n```console\n$ ctl query a \\\n    --event X\nout 1\nout 2\n$ ctl b\n```\n";
    let runs = runs(text);
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].command, "ctl query a --event X");
    assert_eq!(runs[0].expected, "out 1\nout 2\n");
    assert_eq!(runs[0].lines, 4..6);
    assert_eq!((runs[1].command.as_str(), runs[1].expected.as_str()), ("ctl b", ""));
}
