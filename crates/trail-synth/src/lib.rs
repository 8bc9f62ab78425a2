//! Deterministic synthetic CloudTrail bucket dumps, for tests and benchmarks.
//!
//! [`generate`] writes what CloudTrail would have delivered to a bucket for a trail with log file
//! validation on — gzipped log files, hourly digests chained by signature, one signing key per
//! region — plus the two side files an offline validation needs (`public-keys.json`, the
//! `list-public-keys` export, and `digest-metadata.json`, the S3 metadata of the digests no
//! successor vouches for). Every byte depends only on the [`SynthSpec`]: each account x region x
//! hour (and each log file within it) draws from its own rng seeded from the spec's seed, so the
//! work spreads over rayon's threads and stays reproducible.
//!
//! ```no_run
//! use trail_synth::{generate, SynthSpec};
//! let out = generate(&SynthSpec::small(7), std::path::Path::new("/tmp/dump")).unwrap();
//! println!("{} log files under {}", out.log_files, out.dump.display());
//! ```
//!
//! What the output exposes ([`SynthOutput::chains`]: every digest and log key in order, with
//! signatures and hashes) is meant for tests that tamper with one file precisely; [`test_key`]
//! lets a test re-sign a forged digest, and [`tamper`] does the usual forgeries.

pub mod chains;
mod keys;
mod records;
pub mod tamper;
mod trail;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rsa::Pkcs1v15Sign;
use rsa::PrivateKey;
use sha2::{Digest as _, Sha256};

pub use keys::{key_fingerprint, public_der, public_keys_json, rotated_key, test_key};

use cloudtrail::tree::names::{is_account, is_region};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSpec {
    /// Seed of every pseudo-random choice (same spec, same bytes).
    pub seed: u64,
    /// Number of accounts (their 12-digit ids are derived from the seed: [`account_ids`]).
    pub accounts: usize,
    /// Source regions: one digest chain per account and region.
    pub regions: Vec<String>,
    /// The trail's home region, named in every digest file name.
    pub home_region: String,
    /// First hour of the trail (truncated to the hour).
    pub start: DateTime<Utc>,
    /// Number of hours covered.
    pub hours: u32,
    /// Log files delivered per account, region and hour.
    pub files_per_hour: u32,
    /// Records per log file.
    pub events_per_file: u32,
    /// Organization trail: keys under `AWSLogs/ORG_ID/`.
    pub org_id: Option<String>,
    /// Key prefix before `AWSLogs/` (without a trailing `/`).
    pub prefix: Option<String>,
    /// Bucket name written into the digests (and the dump's folder name).
    pub bucket: String,
    /// Trail name (letters, digits, `.`, `_`, `-`).
    pub trail: String,
    /// More trails delivering into the same bucket and prefix, for the same accounts and regions:
    /// each has its own digest chains (its name is in their file names) and its own log files,
    /// side by side with the first trail's in the same folders. Their rngs are salted with the
    /// trail's name, so [`trail`](Self::trail) draws exactly what a one-trail spec draws.
    pub other_trails: Vec<String>,
    /// Hours (0-based, strictly ascending, below [`hours`](Self::hours)) at which CloudTrail
    /// rotates every region's signing key: the digest of that hour and all later ones are signed
    /// with the region's next key ([`rotated_key`]) and carry its fingerprint.
    /// `public-keys.json` lists every key, the old one valid until the end of the rotation hour
    /// and the new one from then on.
    pub key_rotations: Vec<u32>,
    /// Hours (0-based) during which logging was off: no log files and no digests; the digest of
    /// the hour before is a chain's last, and the next hour starts a new chain.
    pub stopped_hours: Vec<u32>,
    /// Append the scripted credential chains of [`chains`] (AssumeRole chains across accounts,
    /// SAML, web identity, GetSessionToken, an EC2 instance role, an unresolved key) to the first
    /// log file of each account.
    pub credential_chains: bool,
}

impl SynthSpec {
    /// A tiny trail: one account, `us-east-1`, three hours from 2026-01-01T00:00Z, two files of
    /// five records an hour (about 30 KB on disk).
    pub fn small(seed: u64) -> SynthSpec {
        SynthSpec {
            seed,
            accounts: 1,
            regions: vec!["us-east-1".to_string()],
            home_region: "us-east-1".to_string(),
            start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("a valid date"),
            hours: 3,
            files_per_hour: 2,
            events_per_file: 5,
            org_id: None,
            prefix: None,
            bucket: "ctl-synthetic-trail".to_string(),
            trail: "management-events".to_string(),
            other_trails: Vec::new(),
            key_rotations: Vec::new(),
            stopped_hours: Vec::new(),
            credential_chains: false,
        }
    }

    /// `start` truncated to the hour.
    pub fn first_hour(&self) -> DateTime<Utc> {
        let ts = self.start.timestamp();
        Utc.timestamp_opt(ts - ts.rem_euclid(3600), 0).single().expect("an hour boundary is a valid time")
    }

    /// The start of hour `h` (0-based).
    pub fn hour_start(&self, h: u32) -> DateTime<Utc> {
        self.first_hour() + Duration::hours(i64::from(h))
    }

    /// Every trail: [`trail`](Self::trail) first, then [`other_trails`](Self::other_trails).
    pub fn trails(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.trail.as_str()).chain(self.other_trails.iter().map(String::as_str))
    }

    /// Which of a region's keys signs the digest of hour `h`: 0 before the first rotation, then
    /// one more for each of [`key_rotations`](Self::key_rotations) at or before `h`.
    pub fn key_generation(&self, h: u32) -> usize {
        self.key_rotations.iter().filter(|&&r| r <= h).count()
    }

    /// The key prefix up to and including `AWSLogs/[ORG_ID/]`.
    fn logs_root(&self) -> String {
        let mut root = String::new();
        if let Some(prefix) = self.prefix.as_deref().map(|p| p.trim_matches('/')).filter(|p| !p.is_empty()) {
            root.push_str(prefix);
            root.push('/');
        }
        root.push_str("AWSLogs/");
        if let Some(org) = &self.org_id {
            root.push_str(org);
            root.push('/');
        }
        root
    }

    fn check(&self) -> io::Result<()> {
        let bad = |what: String| Err(io::Error::new(io::ErrorKind::InvalidInput, what));
        if self.accounts == 0 || self.regions.is_empty() {
            return bad("at least one account and one region are needed".to_string());
        }
        for region in self.regions.iter().chain([&self.home_region]) {
            if !is_region(region) {
                return bad(format!("{region:?} is not a region name (like us-east-1)"));
            }
        }
        for trail in self.trails() {
            if trail.is_empty() || !trail.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
                return bad(format!("{trail:?} is not a trail name (letters, digits, '.', '_', '-')"));
            }
        }
        let mut trails: Vec<&str> = self.trails().collect();
        trails.sort_unstable();
        trails.dedup();
        if trails.len() != 1 + self.other_trails.len() {
            return bad("a trail is listed twice".to_string());
        }
        if !self.key_rotations.windows(2).all(|w| w[0] < w[1]) || self.key_rotations.iter().any(|&r| r >= self.hours) {
            return bad(format!(
                "key rotations {:?} are not strictly ascending hours below {}",
                self.key_rotations, self.hours
            ));
        }
        if self.bucket.is_empty() || self.bucket.contains('/') || self.bucket.starts_with('.') {
            return bad(format!("{:?} is not a bucket name", self.bucket));
        }
        if let Some(org) = &self.org_id {
            let valid = org.len() > 2
                && org.starts_with("o-")
                && org[2..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !valid {
                return bad(format!("{org:?} is not an organization id (like o-abc123def4)"));
            }
        }
        let mut regions = self.regions.clone();
        regions.sort();
        regions.dedup();
        if regions.len() != self.regions.len() {
            return bad("a region is listed twice".to_string());
        }
        Ok(())
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct SynthOutput {
    /// The dump: `DIR/BUCKET`; an object's key is its path below this folder.
    pub dump: PathBuf,
    /// `DIR/public-keys.json`: the test keys, as `list-public-keys` output per region.
    pub public_keys: PathBuf,
    /// `DIR/digest-metadata.json`: S3 metadata (signature) of each chain's last digest.
    pub digest_metadata: PathBuf,
    pub log_files: usize,
    pub digests: usize,
    pub events: u64,
    /// Total size of the log files' JSON (digests not included).
    pub uncompressed_bytes: u64,
    /// One entry per trail x account x region: trails in [`SynthSpec::trails`] order, then
    /// accounts in [`account_ids`] order, then regions in spec order.
    pub chains: Vec<Chain>,
}

/// The digests of one trail, account and source region, oldest first (newest last). Stopped
/// hours split it into several chains in the validator's sense; see [`WrittenDigest::starts_chain`].
#[derive(Debug, Clone)]
pub struct Chain {
    pub trail: String,
    pub account: String,
    pub region: String,
    pub digests: Vec<WrittenDigest>,
}

/// One digest as written.
#[derive(Debug, Clone)]
pub struct WrittenDigest {
    /// Its S3 key (prefix included), also its path below [`SynthOutput::dump`].
    pub key: String,
    /// `digestEndTime`.
    pub end_time: String,
    /// Hex signature (its `x-amz-meta-signature`).
    pub signature: String,
    /// Its `digestPublicKeyFingerprint`: that of the region's key of its hour's generation.
    pub fingerprint: String,
    /// Hex SHA-256 of its uncompressed bytes.
    pub sha256: String,
    /// Whether its five `previousDigest*` fields are null (first hour, or first after a stop).
    pub starts_chain: bool,
    /// Whether no later digest links to it (the newest, or the last before a stop): its
    /// signature is only in `digest-metadata.json`.
    pub is_head: bool,
    /// The log files it lists, in delivery order (the digest itself lists them shuffled).
    pub log_keys: Vec<String>,
}

impl SynthOutput {
    /// The file holding the object `key`.
    pub fn path_of(&self, key: &str) -> PathBuf {
        self.dump.join(key)
    }

    /// Every log file key, chain by chain, in delivery order.
    pub fn log_keys(&self) -> impl Iterator<Item = &str> {
        self.chains.iter().flat_map(|c| &c.digests).flat_map(|d| &d.log_keys).map(String::as_str)
    }

    /// Every digest key, chain by chain, oldest first.
    pub fn digest_keys(&self) -> impl Iterator<Item = &str> {
        self.chains.iter().flat_map(|c| &c.digests).map(|d| d.key.as_str())
    }

    /// The digests whose signatures are in `digest-metadata.json`.
    pub fn heads(&self) -> impl Iterator<Item = &WrittenDigest> {
        self.chains.iter().flat_map(|c| &c.digests).filter(|d| d.is_head)
    }
}

/// The 12-digit ids of the first `n` accounts of dumps generated with `seed`.
pub fn account_ids(seed: u64, n: usize) -> Vec<String> {
    let mut rng = seeded_rng(seed, &["accounts"]);
    let mut ids: Vec<String> = Vec::with_capacity(n);
    while ids.len() < n {
        let id = format!("{}", rng.gen_range(100_000_000_000u64..1_000_000_000_000));
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    debug_assert!(ids.iter().all(|id| is_account(id)));
    ids
}

/// An organization id (`o-` and ten characters) derived from `seed`, for specs that want one.
pub fn org_id(seed: u64) -> String {
    let mut rng = seeded_rng(seed, &["org"]);
    let tail: String = (0..10).map(|_| b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.gen_range(0..36)] as char).collect();
    format!("o-{tail}")
}

/// An rng for one named part of a dump: seeded from SHA-256 over the seed and the labels, so
/// parts are independent of each other and of the order they are generated in.
pub(crate) fn seeded_rng(seed: u64, labels: &[&str]) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(b"ctl-synth\0");
    h.update(seed.to_le_bytes());
    for label in labels {
        h.update((label.len() as u64).to_le_bytes());
        h.update(label.as_bytes());
    }
    ChaCha8Rng::from_seed(h.finalize().into())
}

/// Writes the dump of `spec` into `dir/BUCKET` and the side files into `dir`.
///
/// Refuses (`AlreadyExists`) when `dir/BUCKET` exists and is not empty: stale files of another
/// spec would look like injected logs.
pub fn generate(spec: &SynthSpec, dir: &Path) -> io::Result<SynthOutput> {
    spec.check()?;
    let dump = dir.join(&spec.bucket);
    if dump.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not empty", dump.display()),
        ));
    }
    std::fs::create_dir_all(&dump)?;
    // Keys first, in parallel: key generation dominates small dumps.
    let generations = 0..=spec.key_rotations.len();
    let keys: Vec<(&String, usize)> =
        spec.regions.iter().flat_map(|r| generations.clone().map(move |g| (r, g))).collect();
    keys.par_iter().for_each(|(region, generation)| {
        rotated_key(spec.seed, region, *generation);
    });
    let accounts = account_ids(spec.seed, spec.accounts);
    let global_region = if spec.regions.iter().any(|r| r == records::GLOBAL_REGION) {
        records::GLOBAL_REGION
    } else {
        spec.home_region.as_str()
    };
    let jobs: Vec<(&str, &str, &str)> = spec
        .trails()
        .flat_map(|t| accounts.iter().flat_map(move |a| spec.regions.iter().map(move |r| (t, a.as_str(), r.as_str()))))
        .collect();
    let written: Vec<trail::Written> = jobs
        .par_iter()
        .map(|&(trail, account, region)| {
            trail::write_chain(spec, &dump, trail::Stream { trail, account, region }, region == global_region)
        })
        .collect::<io::Result<_>>()?;

    let public_keys = dir.join("public-keys.json");
    std::fs::write(&public_keys, public_keys_json(spec))?;

    let mut metadata = BTreeMap::new();
    for digest in written.iter().flat_map(|w| &w.chain.digests).filter(|d| d.is_head) {
        metadata.insert(
            format!("s3://{}/{}", spec.bucket, digest.key),
            serde_json::json!({ "signature": digest.signature, "signature-algorithm": "SHA256withRSA" }),
        );
    }
    let digest_metadata = dir.join("digest-metadata.json");
    let mut text = serde_json::to_string_pretty(&metadata).expect("a JSON map always serializes");
    text.push('\n');
    std::fs::write(&digest_metadata, text)?;

    Ok(SynthOutput {
        dump,
        public_keys,
        digest_metadata,
        log_files: written.iter().map(|w| w.log_files).sum(),
        digests: written.iter().map(|w| w.chain.digests.len()).sum(),
        events: written.iter().map(|w| w.events).sum(),
        uncompressed_bytes: written.iter().map(|w| w.uncompressed_bytes).sum(),
        chains: written.into_iter().map(|w| w.chain).collect(),
    })
}

#[cfg(test)]
mod tests;

/// Signs `message` as CloudTrail does (SHA256withRSA, PKCS#1 v1.5), as lower-case hex.
pub fn sign(key: &PrivateKey, message: &str) -> String {
    let hashed = Sha256::digest(message.as_bytes());
    let signature = key
        .sign(Pkcs1v15Sign::new::<Sha256>(), &hashed)
        .expect("PKCS#1 v1.5 signing of a SHA-256 hash cannot fail with a 2048-bit key");
    hex::encode(signature)
}
