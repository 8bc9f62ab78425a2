//! Writing one account x source region: hourly windows of log files, each closed by a signed
//! digest that links to the previous one.
//!
//! A digest's window runs from the previous digest's end (or the hour's start, for a chain
//! start) to the end of the hour plus one to nine minutes, as CloudTrail delivers them; the log
//! files of a window are delivered inside it, spread evenly, and are written in parallel.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use flate2::{Compression, GzBuilder};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use super::records::{stamp, Actors};
use super::{key_fingerprint, rotated_key, seeded_rng, Chain, SynthSpec, WrittenDigest};
use crate::sign;
use cloudtrail::digest::string_to_sign;
use cloudtrail::digest::{DigestBody, LogFileEntry};

/// One chain's share of the output.
pub(crate) struct Written {
    pub(crate) chain: Chain,
    pub(crate) log_files: usize,
    pub(crate) events: u64,
    pub(crate) uncompressed_bytes: u64,
}

/// A log file as written.
struct LogMeta {
    key: String,
    sha256: String,
    newest: Option<DateTime<Utc>>,
    oldest: Option<DateTime<Utc>>,
    bytes: u64,
    events: u64,
}

/// What the next digest needs of the previous one.
struct Previous {
    key: String,
    end: DateTime<Utc>,
    sha256: String,
    signature: String,
}

/// The trail, account and source region of one digest chain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stream<'a> {
    pub(crate) trail: &'a str,
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
}

/// Where one trail x account x region's files go and what draws them.
struct Ctx<'a> {
    spec: &'a SynthSpec,
    dump: &'a Path,
    root: String,
    trail: &'a str,
    account: &'a str,
    region: &'a str,
    actors: Actors,
}

/// Writes the log files and digests of `stream` under `dump`, hour by hour; `global_events`
/// says whether its region receives the global services' events.
pub(crate) fn write_chain(spec: &SynthSpec, dump: &Path, stream: Stream, global_events: bool) -> io::Result<Written> {
    let Stream { trail, account, region } = stream;
    let ctx = Ctx {
        spec,
        dump,
        root: spec.logs_root(),
        trail,
        account,
        region,
        actors: Actors::new(spec.seed, account, region, global_events, spec.org_id.as_deref()),
    };
    let mut written = Written {
        chain: Chain {
            trail: trail.to_string(),
            account: account.to_string(),
            region: region.to_string(),
            digests: Vec::new(),
        },
        log_files: 0,
        events: 0,
        uncompressed_bytes: 0,
    };
    let mut previous: Option<Previous> = None;
    let mut segment_start = spec.first_hour();
    for h in 0..spec.hours {
        if spec.stopped_hours.contains(&h) {
            if previous.take().is_some() {
                if let Some(last) = written.chain.digests.last_mut() {
                    last.is_head = true;
                }
            }
            continue;
        }
        let hour_start = spec.hour_start(h);
        let hour_label = (hour_start.timestamp() / 3600).to_string();
        let mut rng = ctx.rng(&["digest", account, region, &hour_label]);
        let end = hour_start + Duration::hours(1) + Duration::seconds(rng.gen_range(60..=540));
        let start = match &previous {
            Some(p) => p.end,
            None => {
                segment_start = hour_start;
                hour_start
            }
        };
        let n = spec.files_per_hour;
        let logs: Vec<LogMeta> = (0..n)
            .into_par_iter()
            .map(|i| ctx.write_log(&hour_label, (start, end), segment_start, i))
            .collect::<io::Result<_>>()?;
        written.log_files += logs.len();
        written.events += logs.iter().map(|l| l.events).sum::<u64>();
        written.uncompressed_bytes += logs.iter().map(|l| l.bytes).sum::<u64>();

        let key = rotated_key(spec.seed, region, spec.key_generation(h));
        let digest = ctx.write_digest(&mut rng, &key, (start, end), &logs, previous.as_ref())?;
        previous = Some(Previous {
            key: digest.key.clone(),
            end,
            sha256: digest.sha256.clone(),
            signature: digest.signature.clone(),
        });
        written.chain.digests.push(digest);
    }
    if previous.is_some() {
        if let Some(last) = written.chain.digests.last_mut() {
            last.is_head = true;
        }
    }
    Ok(written)
}

impl Ctx<'_> {
    /// The rng of one named part of this chain: the spec's first trail draws from `labels` alone
    /// (as a one-trail spec does), any other trail from `labels` and its name.
    fn rng(&self, labels: &[&str]) -> ChaCha8Rng {
        if self.trail == self.spec.trail {
            seeded_rng(self.spec.seed, labels)
        } else {
            seeded_rng(self.spec.seed, &[labels, &["trail", self.trail]].concat())
        }
    }

    /// Whether log file `i` of the hour `hour_label` gets the scripted credential chains: the first
    /// file of the first hour in the first region of the first trail.
    fn scripted(&self, hour_label: &str, i: u32) -> bool {
        let spec = self.spec;
        spec.credential_chains
            && i == 0
            && self.trail == spec.trail
            && spec.regions.first().is_some_and(|r| r == self.region)
            && hour_label == (spec.first_hour().timestamp() / 3600).to_string()
    }

    /// Writes log file `i` of the window `(start, end)`; its events are no older than `floor`.
    fn write_log(
        &self,
        hour_label: &str,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        floor: DateTime<Utc>,
        i: u32,
    ) -> io::Result<LogMeta> {
        let spec = self.spec;
        let mut rng = self.rng(&["log", self.account, self.region, hour_label, &i.to_string()]);
        // Delivered strictly inside the window, file i in the i-th of n equal slots.
        let span = ((end - start).num_seconds() - 2).max(1);
        let n = i64::from(spec.files_per_hour);
        let slot = (span / n).max(1);
        let delivered = start + Duration::seconds(1 + span * i64::from(i) / n + rng.gen_range(0..slot));
        let unique: String = (0..16)
            .map(|_| b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[rng.gen_range(0..62)] as char)
            .collect();
        let name =
            format!("{}_CloudTrail_{}_{}_{unique}.json", self.account, self.region, delivered.format("%Y%m%dT%H%MZ"));
        let key = format!(
            "{}{}/CloudTrail/{}/{}/{name}.gz",
            self.root,
            self.account,
            self.region,
            delivered.format("%Y/%m/%d")
        );

        // Most events reach a file within minutes, a few take up to an hour.
        let mut times: Vec<DateTime<Utc>> = (0..spec.events_per_file)
            .map(|_| {
                let lag = if rng.gen_bool(0.85) { rng.gen_range(20..900) } else { rng.gen_range(900..3600) };
                (delivered - Duration::seconds(lag)).max(floor)
            })
            .collect();
        times.sort_unstable();
        // Roughly in order, as real files are.
        for j in 1..times.len() {
            if rng.gen_bool(0.1) {
                times.swap(j - 1, j);
            }
        }
        let mut json = Vec::with_capacity(times.len() * 1400 + 16);
        json.extend_from_slice(b"{\"Records\":[");
        self.actors.write_records(&mut rng, &times, &mut json);
        let mut events = times.len() as u64;
        if self.scripted(hour_label, i) {
            let cast = crate::chains::Cast::new(spec.seed, &crate::account_ids(spec.seed, spec.accounts));
            let first = (delivered - Duration::seconds(120)).max(floor);
            for record in cast.records(&mut rng, self.account, first) {
                if events > 0 {
                    json.push(b',');
                }
                serde_json::to_writer(&mut json, &record).expect("writing JSON to a Vec does not fail");
                events += 1;
            }
        }
        json.extend_from_slice(b"]}");

        let mtime = u32::try_from(delivered.timestamp()).unwrap_or(0);
        write_gzip(&self.dump.join(&key), &json, Some(&name), mtime)?;
        Ok(LogMeta {
            key,
            sha256: hex::encode(Sha256::digest(&json)),
            newest: times.iter().max().copied(),
            oldest: times.iter().min().copied(),
            bytes: json.len() as u64,
            events,
        })
    }

    /// Writes the digest of the window `(start, end)` listing `logs`, linked to `previous`.
    fn write_digest(
        &self,
        rng: &mut ChaCha8Rng,
        key: &rsa::PrivateKey,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        logs: &[LogMeta],
        previous: Option<&Previous>,
    ) -> io::Result<WrittenDigest> {
        let spec = self.spec;
        let object = format!(
            "{}{}/CloudTrail-Digest/{}/{}/{}_CloudTrail-Digest_{}_{}_{}_{}.json.gz",
            self.root,
            self.account,
            self.region,
            end.format("%Y/%m/%d"),
            self.account,
            self.region,
            self.trail,
            spec.home_region,
            end.format("%Y%m%dT%H%M%SZ")
        );
        let mut entries: Vec<LogFileEntry> = logs
            .iter()
            .map(|log| LogFileEntry {
                s3_bucket: spec.bucket.clone(),
                s3_object: log.key.clone(),
                hash_value: log.sha256.clone(),
                hash_algorithm: Some("SHA-256".to_string()),
                newest_event_time: log.newest.map(stamp),
                oldest_event_time: log.oldest.map(stamp),
            })
            .collect();
        entries.shuffle(rng);
        let end_time = stamp(end);
        let fingerprint = key_fingerprint(key);
        let body = DigestBody {
            aws_account_id: Some(self.account.to_string()),
            digest_start_time: Some(stamp(start)),
            digest_end_time: Some(end_time.clone()),
            digest_s3_bucket: Some(spec.bucket.clone()),
            digest_s3_object: Some(object.clone()),
            digest_public_key_fingerprint: Some(fingerprint.clone()),
            digest_signature_algorithm: Some("SHA256withRSA".to_string()),
            newest_event_time: logs.iter().filter_map(|l| l.newest).max().map(stamp),
            oldest_event_time: logs.iter().filter_map(|l| l.oldest).min().map(stamp),
            previous_digest_s3_bucket: previous.map(|_| spec.bucket.clone()),
            previous_digest_s3_object: previous.map(|p| p.key.clone()),
            previous_digest_hash_value: previous.map(|p| p.sha256.clone()),
            previous_digest_hash_algorithm: previous.map(|_| "SHA-256".to_string()),
            previous_digest_signature: previous.map(|p| p.signature.clone()),
            log_files: entries,
        };
        let bytes = body.to_cloudtrail_json();
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let message = string_to_sign(&end_time, &spec.bucket, &object, &sha256, previous.map(|p| p.signature.as_str()));
        let signature = sign(key, &message);
        write_gzip(&self.dump.join(&object), &bytes, None, 0)?;
        Ok(WrittenDigest {
            key: object,
            end_time,
            signature,
            fingerprint,
            sha256,
            starts_chain: previous.is_none(),
            is_head: false,
            log_keys: logs.iter().map(|l| l.key.clone()).collect(),
        })
    }
}

/// Writes `data` as one gzip member (level 6) with the given FNAME and MTIME header fields.
pub(crate) fn write_gzip(path: &Path, data: &[u8], file_name: Option<&str>, mtime: u32) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut builder = GzBuilder::new().mtime(mtime);
    if let Some(name) = file_name {
        builder = builder.filename(name);
    }
    let file = BufWriter::with_capacity(1 << 16, File::create(path)?);
    let mut gz = builder.write(file, Compression::new(6));
    gz.write_all(data)?;
    gz.finish()?.flush()
}
