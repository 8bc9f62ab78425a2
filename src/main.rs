//! The `ctl` binary: parse the command line, run the subcommand, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;
mod exit;
mod help;
mod output;

use cli::{Cli, Command};
use cmd::{Global, Status};

/// More threads than this per core only add contention: `--threads` is capped there.
const MAX_THREADS_PER_CORE: usize = 4;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e`, mimalloc.h of v3): how
/// long freed memory stays resident before it is given back to the system, in milliseconds.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays mapped, in milliseconds, when the inputs are raw logs: 1. The
/// memory budget counts what the workers hold, and a file's buffers, freed after a
/// decompression bomb, must not stay resident (the 10 ms default let four bombs read together
/// peak at 610 MB against a budget of 384 MiB; with 1 ms, 422 MB, as with 0; with 100 ms,
/// 600 MB, and 470 MB for an endless stdin). Memory freed and asked for again within the
/// millisecond (a zstd context per Parquet page) stays mapped: with 0 each reuse cost a page
/// fault and a zeroed page.
const PURGE_DELAY_MS: std::ffi::c_long = 1;

/// The same when every input is an export: its reader holds no file contents, only pages
/// (at most a few hundred KB, freed and asked for again many times a millisecond apart),
/// which 1 ms gave back too soon: a selective query spent a third of its CPU on page faults.
const PURGE_DELAY_EXPORTS_MS: std::ffi::c_long = 100;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let only_exports = cli.command.inputs().is_some_and(|paths| {
        !paths.is_empty() && paths.iter().all(|p| p.join(cloudtrail_parquet::manifest::MANIFEST).is_file())
    });
    let delay = if only_exports { PURGE_DELAY_EXPORTS_MS } else { PURGE_DELAY_MS };
    // SAFETY: sets a plain integer option, before any other thread exists (parsing the command
    // line and looking for manifests start none).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
    let global = match Global::detect(&cli) {
        Ok(global) => global,
        Err(e) => {
            eprintln!("ctl: error: {e}");
            return Status::Error.into();
        }
    };
    if let Some(n) = global.threads {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let cap = MAX_THREADS_PER_CORE * cores;
        if n > cap && !global.quiet {
            eprintln!("ctl: note: --threads {n} capped at {cap} ({MAX_THREADS_PER_CORE} per core)");
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n.clamp(1, cap)).build_global() {
            eprintln!("ctl: error: cannot start {} worker threads: {e}", n.clamp(1, cap));
            return Status::Error.into();
        }
    }
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(&args, &global),
        Command::Generate(args) => cmd::generate::run(&args),
        Command::Query(args) => cmd::query::run(&args, &global),
        Command::Filter(args) => cmd::filter::run(&args, &global),
        Command::Metrics(args) => cmd::metrics::run(&args, &global),
        Command::Hunt(args) => cmd::hunt::run(&args, &global),
        Command::Export(args) => cmd::export::run(&args, &global),
        Command::Summary(args) => cmd::summary::run(&args, &global),
        Command::Trace(args) => cmd::trace::run(&args, &global),
    };
    match result {
        Ok(status) => status.into(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // The error line is red on a terminal that takes colour.
            let (on, off) = if global.color { ("\x1b[1;31m", "\x1b[0m") } else { ("", "") };
            // One line, whatever the error quotes (file names, pattern text).
            eprintln!("{on}ctl: error:{off} {}", output::sanitize::escape_str(&output::error_line(&err), false));
            // A pattern error shows where: the pattern with a caret under the place.
            if let Some(usage) = err.downcast_ref::<cmd::PatternUsage>() {
                for line in usage.caret() {
                    eprintln!("{}", output::sanitize::escape_str(&line, false));
                }
            }
            Status::Error.into()
        }
    }
}

/// A closed stdout (`ctl query ... | head`) ends the run quietly.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}
