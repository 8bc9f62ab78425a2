//! One module per subcommand: each turns clap's arguments into a plan, runs the library, and
//! prints. The only place (with `main.rs`) where `anyhow` is used.

pub mod export;
pub mod filter;
pub mod generate;
pub mod hunt;
pub mod metrics;
pub mod query;
mod session;
pub mod summary;
pub mod trace;
pub mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{ColorChoice, OutputFormat};
pub use crate::exit::{Answer, Status};

/// The default `--max-memory`: a quarter of the machine's memory (or of the control group's
/// limit, when lower), at most 384 MiB and at least 64 MiB, so that a whole run stays under half a
/// gigabyte (bench/memory.sh); its half, the default per-file limit (192 MiB inflated), is
/// several times the largest CloudTrail log file.
fn default_memory() -> usize {
    const MOST: usize = 384 << 20;
    let total = machine_memory().map_or(MOST, |bytes| bytes / 4);
    total.clamp(64 << 20, MOST)
}

/// The memory this process may use: the machine's (`MemTotal`), or its control group's limit
/// when that is lower; `None` where neither can be read.
fn machine_memory() -> Option<usize> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: usize =
        meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok().and_then(|s| s.trim().parse::<usize>().ok());
    Some(cgroup.map_or(kib << 10, |limit| limit.min(kib << 10)))
}

/// Where ordered output spills its sorted runs: the system's temporary directory (`TMPDIR`),
/// refused when it lies inside an input, since nothing is ever written into the evidence. Each
/// task holds at most a quarter of `--max-memory`, shared among the threads, before it spills.
pub fn sort_spill(inputs: &[PathBuf], global: &Global) -> anyhow::Result<cloudtrail::query::spill::Spill> {
    Ok(cloudtrail::query::spill::Spill::new(spill_dir(inputs)?, run_bytes(global, 4)))
}

/// The directory of [`sort_spill`], checked to lie outside the inputs.
pub fn spill_dir(inputs: &[PathBuf]) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir();
    let real = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
    for input in inputs {
        if let Ok(input) = std::fs::canonicalize(input) {
            if input.is_dir() && real.starts_with(&input) {
                anyhow::bail!(
                    "the temporary directory {} is inside the input {}: set TMPDIR to a directory outside the evidence",
                    dir.display(),
                    input.display()
                );
            }
        }
    }
    Ok(dir)
}

/// What one task may hold before it spills a sorted run, when such stores together may use
/// `1/share` of `--max-memory`: that part shared among the threads (1 MiB at least).
pub fn run_bytes(global: &Global, share: u64) -> u64 {
    let threads = rayon::current_num_threads().max(1) as u64;
    (global.max_memory as u64 / share / threads).max(1 << 20)
}

/// The error to show for a plan the library refused: a `--where` pattern error carries the
/// pattern, so `main` can print a caret under the place it went wrong.
pub fn plan_error(error: cloudtrail::query::PlanError, select: &crate::cli::Selectors) -> anyhow::Error {
    match error {
        cloudtrail::query::PlanError::Where(error) => anyhow::Error::new(PatternUsage {
            option: "--where",
            pattern: select.r#where.clone().unwrap_or_default(),
            error,
        }),
        other => other.into(),
    }
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone)]
pub struct Global {
    pub quiet: bool,
    pub threads: Option<usize>,
    /// Colour on stderr (the error prefix).
    pub color: bool,
    /// Colour in what stdout shows a person (validate's verdict words).
    pub color_stdout: bool,
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
    /// Whether stderr is a terminal (progress bars only then).
    pub stderr_tty: bool,
    /// Keep every copy of an event delivered more than once (`--keep-duplicates`).
    pub keep_duplicates: bool,
    /// The largest file read, stored or inflated (`--max-file-size`).
    pub max_file_bytes: usize,
    /// The memory budget for file contents of all workers (`--max-memory`).
    pub max_memory: usize,
    /// Tables wrap long values instead of cutting them (`--wide`).
    pub wide: bool,
    /// Name every skipped path; validate lists every file (`--verbose`).
    pub verbose: bool,
    /// The closing statistics as one JSON object (`--stats-json`).
    pub stats_json: bool,
}

impl Global {
    /// Reads the terminal state and `NO_COLOR` once, and checks the memory limits against
    /// each other.
    pub fn detect(cli: &crate::cli::Cli) -> anyhow::Result<Global> {
        let (quiet, threads, color, keep_duplicates) = (cli.quiet, cli.threads, cli.color, cli.keep_duplicates);
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let wants = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let max_memory = cli.max_memory.unwrap_or_else(default_memory);
        let max_file_bytes = cli.max_file_size.unwrap_or(max_memory / 2);
        if max_file_bytes > max_memory / 2 {
            anyhow::bail!(
                "--max-file-size {} MiB is more than half of --max-memory {} MiB: raise --max-memory to at least {} MiB",
                max_file_bytes >> 20,
                max_memory >> 20,
                (max_file_bytes * 2) >> 20
            );
        }
        Ok(Global {
            quiet,
            threads,
            color: wants(stderr_tty),
            color_stdout: wants(stdout_tty),
            stdout_tty,
            stderr_tty,
            keep_duplicates,
            max_file_bytes,
            max_memory,
            wide: cli.wide,
            verbose: cli.verbose,
            stats_json: cli.stats_json,
        })
    }

    /// What the printers need to know of stdout.
    pub fn screen(&self) -> crate::output::Screen {
        crate::output::Screen { terminal: self.stdout_tty, wide: self.wide }
    }

    /// The output format the user chose, else a table on a terminal and JSON lines otherwise.
    pub fn output_format(&self, chosen: Option<OutputFormat>) -> OutputFormat {
        chosen.unwrap_or(if self.stdout_tty { OutputFormat::Table } else { OutputFormat::Jsonl })
    }

    /// Whether to draw progress bars.
    pub fn progress(&self) -> bool {
        self.stderr_tty && !self.quiet
    }
}

/// The largest option file read (public keys, digest metadata, metric filters): far above any
/// real export, small enough that a wrong path (a device, a huge log) fails at once.
pub const MAX_OPTION_FILE: u64 = 64 << 20;

/// Reads an option file (`--public-keys`, `--digest-metadata`, `--filters`) as UTF-8 text. Only a
/// regular file is opened (never a FIFO, socket or device, which could block or never end), and
/// one over [`MAX_OPTION_FILE`] is refused: the error names the file and the limit.
pub fn read_option_file(path: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Read as _;
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("{shown}: cannot read"))?;
    if !meta.is_file() {
        anyhow::bail!("{shown}: not a regular file");
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_OPTION_FILE + 1).read_to_string(&mut text))
        .with_context(|| format!("{shown}: cannot read as UTF-8 text"))?;
    if text.len() as u64 > MAX_OPTION_FILE {
        anyhow::bail!("{shown}: larger than the {} MiB an option file may have", MAX_OPTION_FILE >> 20);
    }
    Ok(text)
}

/// A usage error in a filter pattern the user typed: its one-line message, and the pattern with
/// a caret under the place it went wrong (printed below the message by `main`).
#[derive(Debug)]
pub struct PatternUsage {
    /// Which option held the pattern (`--pattern`, `--where`).
    pub option: &'static str,
    pub pattern: String,
    pub error: cwl_filter::PatternError,
}

impl std::fmt::Display for PatternUsage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.option, self.error)
    }
}

impl std::error::Error for PatternUsage {}

impl PatternUsage {
    /// The pattern and a caret line under the error's span (by characters, as a terminal shows
    /// them), each indented by two spaces.
    pub fn caret(&self) -> [String; 2] {
        let span = self.error.span();
        let before = self.pattern.get(..span.start).map_or(0, |s| s.chars().count());
        let width = self.pattern.get(span.clone()).map_or(1, |s| s.chars().count().max(1));
        [format!("  {}", self.pattern), format!("  {}{}", " ".repeat(before), "^".repeat(width))]
    }
}
