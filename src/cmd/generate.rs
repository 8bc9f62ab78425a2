//! `ctl generate man|completions|parquet-schema DIR`: the man pages, shell completions and Parquet
//! schema committed in `man/`, `completions/` and `docs/`, kept current by a test.

use std::path::Path;

use anyhow::Context as _;
use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::{Cli, GenerateArgs, GenerateWhat};
use crate::cmd::Status;

pub fn run(args: &GenerateArgs) -> anyhow::Result<Status> {
    std::fs::create_dir_all(&args.dir).with_context(|| format!("cannot create {}", args.dir.display()))?;
    match args.what {
        GenerateWhat::Man => write_man_pages(&args.dir)?,
        GenerateWhat::Completions => write_completions(&args.dir)?,
        GenerateWhat::ParquetSchema => {
            let path = args.dir.join("parquet-schema.md");
            std::fs::write(&path, cloudtrail_parquet::schema::markdown())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(Status::Success)
}

/// Writes `ctl.1` and one page per visible subcommand (`ctl-validate.1`, ...).
pub fn write_man_pages(dir: &Path) -> anyhow::Result<()> {
    let command = Cli::command();
    clap_mangen::generate_to(command, dir).with_context(|| format!("cannot write man pages to {}", dir.display()))?;
    Ok(())
}

/// Writes completions for bash, zsh, fish, PowerShell and elvish; hidden subcommands are not
/// offered.
pub fn write_completions(dir: &Path) -> anyhow::Result<()> {
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
        let mut command = visible_command();
        clap_complete::generate_to(shell, &mut command, "ctl", dir)
            .with_context(|| format!("cannot write {shell} completions to {}", dir.display()))?;
    }
    Ok(())
}

/// The command line without its hidden subcommands (completions offer only what `--help` shows).
fn visible_command() -> clap::Command {
    let full = Cli::command();
    let mut visible = clap::Command::new("ctl")
        .version(env!("CARGO_PKG_VERSION"))
        .about(full.get_about().cloned().unwrap_or_default());
    for arg in full.get_arguments() {
        visible = visible.arg(arg.clone());
    }
    for sub in full.get_subcommands().filter(|s| !s.is_hide_set()) {
        visible = visible.subcommand(sub.clone());
    }
    visible
}
