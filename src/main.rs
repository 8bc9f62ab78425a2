//! The `ctl` binary: parse the command line, run the subcommand, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;
mod exit;
mod output;

use cli::{Cli, Command};
use cmd::{Global, Status};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = Global::detect(cli.quiet, cli.threads, cli.color);
    if let Some(n) = global.threads {
        // Only fails when a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(&args, &global),
        Command::Generate(args) => cmd::generate::run(&args),
        Command::Query(args) => cmd::query::run(&args, &global),
        Command::Filter(args) => cmd::filter::run(&args, &global),
        Command::Metrics(args) => cmd::metrics::run(&args, &global),
    };
    match result {
        Ok(status) => status.into(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ctl: {err:#}");
            Status::Error.into()
        }
    }
}

/// A closed stdout (`ctl query ... | head`) ends the run quietly.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}
