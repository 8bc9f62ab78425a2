//! Replays the committed fuzz seeds (`fuzz/seeds/<target>/`) and crash regressions
//! (`fuzz/regressions/<target>/`) through the fuzz targets' own entry logic
//! (`fuzz/src/targets.rs`, included here by path), so the stable toolchain checks on every CI
//! run that no input the fuzzers found or started from panics a parser of untrusted input.

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Crash inputs committed under `fuzz/regressions/` whose bug is not fixed yet, by target and
/// file name, with the panic they raise. They are skipped by [`seeds_and_regressions_do_not_panic`]
/// and replayed by the ignored [`known_crashes_are_fixed`]; remove an entry with its fix.
const KNOWN_CRASHES: &[(&str, &str, &str)] = &[];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted (none when the folder does not exist).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else { return Vec::new() };
    let mut files: Vec<PathBuf> = dir.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

fn is_known(target: &str, path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    KNOWN_CRASHES.iter().any(|(t, file, _)| *t == target && *file == name)
}

/// Runs `run` on `path`'s bytes: `Ok(accepted)`, or the panic message.
fn replay(run: targets::Target, path: &Path) -> Result<bool, String> {
    let data = std::fs::read(path).unwrap();
    catch_unwind(AssertUnwindSafe(|| run(&data))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic)".into())
    })
}

#[test]
fn seeds_and_regressions_do_not_panic() {
    let mut failures = Vec::new();
    for &(target, run) in targets::TARGETS {
        let seeds = inputs("seeds", target);
        assert!(!seeds.is_empty(), "no seeds committed for {target}");
        let mut accepted = 0;
        for path in seeds.iter().chain(&inputs("regressions", target)) {
            if is_known(target, path) {
                continue;
            }
            match replay(run, path) {
                Ok(ok) => accepted += usize::from(ok),
                Err(message) => failures.push(format!("{target} {}: {message}", path.display())),
            }
        }
        // Seeds that all bounce off the first check would fuzz nothing past it.
        assert!(accepted > 0, "no seed of {target} is accepted by its parser");
    }
    assert!(failures.is_empty(), "inputs that panic:\n{}", failures.join("\n"));
}

/// Every seed corpus holds real files of the shapes its parser reads: CloudTrail files plain and
/// gzip (one and several members), and inputs the parsers accept.
#[test]
fn seed_corpora_cover_gzip_and_plain_files() {
    let files = inputs("seeds", "record_reader");
    let gzip = files.iter().filter(|p| std::fs::read(p).unwrap().starts_with(&[0x1f, 0x8b])).count();
    assert!(gzip >= 10, "{gzip} gzip seeds for record_reader");
    assert!(files.len() - gzip >= 10, "{} plain seeds for record_reader", files.len() - gzip);
    let total: u64 = std::fs::read_dir(fuzz_dir().join("seeds"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total < 2 << 20, "the committed seeds hold {total} bytes; keep them under 2 MiB");
}

#[test]
#[ignore = "replays the known, unfixed crash inputs listed in KNOWN_CRASHES"]
fn known_crashes_are_fixed() {
    let mut still = Vec::new();
    for &(target, file, message) in KNOWN_CRASHES {
        let run = targets::TARGETS.iter().find(|(t, _)| *t == target).unwrap().1;
        let path = fuzz_dir().join("regressions").join(target).join(file);
        if replay(run, &path).is_err() {
            still.push(format!("{target}/{file}: {message}"));
        }
    }
    assert!(still.is_empty(), "still crashing:\n{}", still.join("\n"));
}
