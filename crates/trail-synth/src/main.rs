//! `trail-synth DIR`: write a deterministic synthetic CloudTrail bucket dump, signed with the
//! test key, for benchmarks and by-hand trials (tests call [`trail_synth::generate`] directly).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use trail_synth::{generate, SynthSpec};

/// Write a deterministic synthetic CloudTrail bucket dump, signed with a test key.
#[derive(Debug, Parser)]
#[command(name = "trail-synth", version)]
struct Args {
    /// Print nothing on success.
    #[arg(short, long)]
    quiet: bool,
    /// Output folder: the dump goes to DIR/bucket, keys and head metadata beside it.
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// Seed of the pseudo-random generator (same seed, same bytes).
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Number of accounts.
    #[arg(long, default_value_t = 1)]
    accounts: usize,

    /// Source regions (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "us-east-1")]
    regions: Vec<String>,

    /// First hour of the trail (RFC 3339).
    #[arg(long, default_value = "2026-01-01T00:00:00Z")]
    start: String,

    /// Number of hours covered.
    #[arg(long, default_value_t = 3)]
    hours: u32,

    /// Log files delivered per account, region and hour.
    #[arg(long, default_value_t = 2)]
    files_per_hour: u32,

    /// Records per log file.
    #[arg(long, default_value_t = 20)]
    events_per_file: u32,

    /// Write an organization trail under AWSLogs/<ORG_ID>/.
    #[arg(long, value_name = "ORG_ID")]
    org_id: Option<String>,

    /// Key prefix before AWSLogs/.
    #[arg(long)]
    prefix: Option<String>,

    /// Bucket name written into the digests.
    #[arg(long, default_value = "ctl-synthetic-trail")]
    bucket: String,

    /// Trail names (comma-separated): several trails deliver side by side into one bucket.
    #[arg(long, value_delimiter = ',', default_value = "management-events")]
    trail: Vec<String>,

    /// Hours (0-based, comma-separated) at which every region's signing key is rotated.
    #[arg(long, value_delimiter = ',', value_name = "HOURS")]
    rotate_key_at: Vec<u32>,

    /// Add scripted credential chains (AssumeRole across accounts, SAML, web identity,
    /// GetSessionToken, an EC2 instance role) to each account's first log file.
    #[arg(long)]
    credential_chains: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("trail-synth: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let start = chrono::DateTime::parse_from_rfc3339(&args.start)
        .with_context(|| format!("--start {:?} is not an RFC 3339 time", args.start))?
        .to_utc();
    let regions: Vec<String> = args.regions.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    let home_region = regions.first().cloned().context("--regions: at least one region is needed")?;
    let (trail, other_trails) = args.trail.split_first().context("--trail: at least one trail is needed")?;
    let spec = SynthSpec {
        seed: args.seed,
        accounts: args.accounts,
        regions,
        home_region,
        start,
        hours: args.hours,
        files_per_hour: args.files_per_hour,
        events_per_file: args.events_per_file,
        org_id: args.org_id.clone(),
        prefix: args.prefix.clone(),
        bucket: args.bucket.clone(),
        trail: trail.clone(),
        other_trails: other_trails.to_vec(),
        key_rotations: args.rotate_key_at.clone(),
        stopped_hours: Vec::new(),
        credential_chains: args.credential_chains,
    };
    let began = std::time::Instant::now();
    let out =
        generate(&spec, &args.dir).with_context(|| format!("writing a synthetic dump into {}", args.dir.display()))?;
    if !args.quiet {
        eprintln!(
            "trail-synth: {} log files, {} digests, {} events, {:.1} MB uncompressed in {:.1}s: dump {}, keys {}, head metadata {}",
            out.log_files,
            out.digests,
            out.events,
            out.uncompressed_bytes as f64 / 1e6,
            began.elapsed().as_secs_f64(),
            out.dump.display(),
            out.public_keys.display(),
            out.digest_metadata.display()
        );
    }
    Ok(())
}
