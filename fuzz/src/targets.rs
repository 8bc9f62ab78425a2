//! One function per fuzz target: feeds arbitrary bytes to a parser of untrusted input through
//! its public entry point and checks what the parser promises. A panic (including a failed
//! `assert!`) is a finding.
//!
//! Each function returns whether the parser accepted the input (it parsed, or yielded at least
//! one record), so the replay test can check that the seeds reach past the first rejection.
//!
//! Only the public entry points named in the fuzzing issue are used (`record::Reader::load_bytes`,
//! `record::split`, `DigestBody::parse`, `KeyRing::add_json`, `metadata::parse_metadata`, the
//! `tree::names` parsers and `tree::classify`, `MetricDef::from_describe_metric_filters`), so
//! that changes inside `cloudtrail::record` keep these targets compiling.
//!
//! `filter_parse` and `filter_match` are the filter crate's own checks
//! (`crates/cwl-filter/fuzz/src/checks.rs`), included so that their seeds are replayed too.

use cloudtrail::digest::metadata::parse_metadata;
use cloudtrail::digest::{DigestBody, KeyRing};
use cloudtrail::metrics::{MetricDef, MetricSet};
use cloudtrail::record::{self, Content, Reader};
use cloudtrail::tree::{self, names};

/// A target's entry: arbitrary bytes in, whether the parser accepted them out.
pub type Target = fn(&[u8]) -> bool;

/// Every target, by the name of its seed and regression folders.
pub const TARGETS: &[(&str, Target)] = &[
    ("record_reader", record_reader),
    ("digest_body", digest_body),
    ("public_keys", public_keys),
    ("digest_metadata", digest_metadata),
    ("key_names", key_names),
    ("metric_filters", metric_filters),
    ("filter_parse", filter_parse),
    ("filter_match", filter_match),
    ("sigma_rules", sigma_rules),
];

/// A CloudTrail file as read from disk or stdin: [`Reader::load_bytes`] (inflating gzip) then
/// [`record::split`]. Every record handed out is a sub-slice of the loaded bytes, or (a decoded
/// `CloudTrailEvent` string of lookup-events output) lies wholly outside them and is shorter
/// than they are; ordinals count up from 0; the returned count is the number of records seen.
pub fn record_reader(data: &[u8]) -> bool {
    let mut reader = Reader::new();
    let Ok(bytes) = reader.load_bytes(data) else { return false };
    if !data.starts_with(&cloudtrail::gz::GZIP_MAGIC) {
        assert_eq!(bytes, data, "a file that is not gzip is read as it is");
    }
    let whole = bytes.as_ptr_range();
    let mut seen = 0u64;
    let mut scratch = Vec::new();
    let result = record::split(bytes, &mut scratch, |raw, ordinal| {
        assert_eq!(ordinal, seen, "ordinals count up from 0");
        seen += 1;
        if raw.is_empty() {
            return; // an empty decoded CloudTrailEvent string: nothing to point into
        }
        let r = raw.as_ptr_range();
        let inside = whole.start <= r.start && r.end <= whole.end;
        let outside = r.end <= whole.start || r.start >= whole.end;
        assert!(inside || outside, "a record straddles the bounds of the file's bytes");
        if outside {
            // Only a decoded CloudTrailEvent string is handed out from elsewhere; decoding
            // JSON escapes never makes text longer than the quoted string it came from.
            assert!(raw.len() < bytes.len(), "a decoded record longer than the file");
        }
    });
    match result {
        Ok(Content::Records(n)) => assert_eq!(n, seen, "the count returned is the records visited"),
        Ok(Content::Digest) => assert_eq!(seen, 0, "a digest yields no records"),
        Err(_) => {}
    }
    seen > 0
}

/// A digest body: [`DigestBody::parse`]. An accepted body serializes in CloudTrail form and
/// parses back to itself.
pub fn digest_body(data: &[u8]) -> bool {
    let Ok(body) = DigestBody::parse(data) else { return false };
    for field in [body.start_time(), body.end_time(), body.bucket(), body.object(), body.fingerprint()] {
        let _ = field.len();
    }
    let _ = body.previous();
    let _ = body.malformed_hashes();
    let json = body.to_cloudtrail_json();
    let again = DigestBody::parse(&json).expect("a serialized digest body parses");
    assert_eq!(again, body, "a digest body round-trips through its CloudTrail form");
    true
}

/// `list-public-keys` output: [`KeyRing::add_json`]. Each key added is indexed under one or two
/// fingerprints.
pub fn public_keys(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let mut ring = KeyRing::default();
    let Ok(added) = ring.add_json(text) else { return false };
    assert!(ring.len() <= 2 * added, "{} fingerprints for {added} keys", ring.len());
    assert_eq!(ring.is_empty(), added == 0);
    let _ = ring.get("us-east-1", "41d27d9aa194e02f728947f604fe62f1");
    let _ = ring.regions_of("41d27d9aa194e02f728947f604fe62f1");
    added > 0
}

/// The `--digest-metadata` file: [`parse_metadata`]. Each signature names a non-empty bucket
/// (without `/`) and key.
pub fn digest_metadata(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let Ok(heads) = parse_metadata(text) else { return false };
    for head in &heads {
        assert!(!head.bucket.is_empty() && !head.key.is_empty());
        assert!(!head.bucket.contains('/'), "bucket {:?} holds a /", head.bucket);
        assert!(text.len() >= head.bucket.len() + head.key.len());
    }
    !heads.is_empty()
}

/// S3 keys and file names: [`names::parse_key`], [`names::parse_log_name`],
/// [`names::parse_digest_name`] and [`tree::classify`] on each line of the input (and on the
/// whole input, and on its last `/` component). What a parser accepts satisfies its own
/// predicates, and a digest name is exactly the fields it was parsed into.
pub fn key_names(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let mut accepted = false;
    for key in std::iter::once(text).chain(text.lines()) {
        accepted |= one_key(key);
        if let Some((_, file)) = key.rsplit_once('/') {
            accepted |= one_key(file);
        }
    }
    accepted
}

fn one_key(key: &str) -> bool {
    let mut accepted = false;
    if let Ok(path) = names::parse_key(key) {
        accepted = true;
        assert!(names::is_account(&path.account) && names::is_region(&path.region));
        assert!(path.org_id.as_deref().is_none_or(names::is_org_id));
        assert!(!path.file_name.contains('/'));
        assert!(key.ends_with(&path.file_name));
        assert!(key.starts_with(&path.prefix));
    }
    if let Ok(name) = names::parse_log_name(key) {
        accepted = true;
        assert!(names::is_account(&name.account) && names::is_region(&name.region));
        assert!(key.starts_with(&format!("{}_CloudTrail_{}_", name.account, name.region)));
    }
    if let Ok(name) = names::parse_digest_name(key) {
        accepted = true;
        assert!(names::is_account(&name.account) && names::is_region(&name.region));
        assert!(names::is_region(&name.home_region));
        assert_eq!(name.stamp.len(), 16);
        let rebuilt = format!(
            "{}_CloudTrail-Digest_{}_{}_{}_{}{}.json.gz",
            name.account,
            name.region,
            name.trail,
            name.home_region,
            name.stamp,
            if name.backfill { "_backfill" } else { "" }
        );
        assert_eq!(rebuilt, key, "a digest name is the fields it was parsed into");
    }
    let _ = tree::classify(key);
    accepted
}

/// `describe-metric-filters` output: [`MetricDef::from_describe_metric_filters`]. Accepted
/// definitions respect CloudWatch's limits, and are then evaluated on fixed events and on the
/// input itself.
pub fn metric_filters(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let Ok(defs) = MetricDef::from_describe_metric_filters(text, "fuzz") else { return false };
    for def in &defs {
        assert!(def.dimensions.len() <= 3);
        assert!(def.default_value.is_none() || def.dimensions.is_empty());
    }
    let accepted = !defs.is_empty();
    let set = MetricSet::new(defs);
    for event in EVENTS.iter().copied().chain([data]) {
        let _ = set.may_concern(event);
        for def in &set.defs {
            if def.pattern.matches(event) {
                for (_, selector) in &def.dimensions {
                    let _ = def.pattern.extract(event, selector);
                }
            }
        }
    }
    accepted
}

/// A Sigma rule file, read as `ctl hunt --rules` reads it (YAML documents classified as rules,
/// filters or correlations; detections, conditions, modifiers and placeholders compiled), from a
/// temporary file; every compiled rule is then tried on the sample events and on the input
/// itself. Accepted when at least one rule or correlation compiled.
pub fn sigma_rules(data: &[u8]) -> bool {
    let name = format!("ctl-fuzz-sigma-{}-{:?}.yml", std::process::id(), std::thread::current().id());
    let path = std::env::temp_dir().join(name.replace(['(', ')'], ""));
    if std::fs::write(&path, data).is_err() {
        return false;
    }
    let loaded = sigma::load(std::slice::from_ref(&path), &Default::default(), &Default::default());
    let _ = std::fs::remove_file(&path);
    let Ok(loaded) = loaded else { return false };
    let accepted = !loaded.rules.is_empty() || !loaded.correlations.is_empty();
    let set = sigma::RuleSet::new(loaded);
    let (mut index, mut hits) = (sigma::event::Index::default(), Vec::new());
    for event in EVENTS.iter().copied().chain([data]) {
        if set.may_match(event) {
            hits.clear();
            let _ = set.matches(&mut index, event, &mut hits);
        }
    }
    accepted
}

#[path = "../../crates/cwl-filter/fuzz/src/checks.rs"]
mod filter_checks;
use filter_checks::EVENTS;
pub use filter_checks::{filter_match, filter_parse};
