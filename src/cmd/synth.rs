//! `ctl synth`: write a deterministic synthetic bucket dump (hidden; for tests and benchmarks).

use anyhow::Context as _;

use crate::cli::SynthArgs;
use crate::cmd::{Global, Status};
use crate::synth::{generate, SynthSpec};

pub fn run(args: &SynthArgs, global: &Global) -> anyhow::Result<Status> {
    let start = crate::time::parse_absolute(&args.start).with_context(|| format!("--start {:?}", args.start))?;
    let regions: Vec<String> = args.regions.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    let home_region = regions.first().cloned().context("--regions: at least one region is needed")?;
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
        trail: args.trail.clone(),
        stopped_hours: Vec::new(),
    };
    let began = std::time::Instant::now();
    let out =
        generate(&spec, &args.dir).with_context(|| format!("writing a synthetic dump into {}", args.dir.display()))?;
    if !global.quiet {
        eprintln!(
            "ctl synth: {} log files, {} digests, {} events, {:.1} MB uncompressed in {:.1}s: dump {}, keys {}, head metadata {}",
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
    Ok(Status::Success)
}
