//! Tampering with a generated dump, for tests: each function does to the files what an
//! attacker (or an accident) would, and updates the side files where an attacker could.

use std::io;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rsa::PrivateKey;
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};

use super::trail::write_gzip;
use super::{key_fingerprint, sign, SynthOutput, SynthSpec};
use cloudtrail::digest::{string_to_sign, DigestBody};

/// Writes a log file named as CloudTrail names them, delivered at `delivered` into the
/// `account` x `region` folder of `spec`'s layout, listed by no digest. Returns its path.
pub fn plant_log(
    out: &SynthOutput,
    spec: &SynthSpec,
    account: &str,
    region: &str,
    delivered: DateTime<Utc>,
) -> io::Result<PathBuf> {
    let name = format!("{account}_CloudTrail_{region}_{}_PLANTEDxxxxxxxxx.json", delivered.format("%Y%m%dT%H%MZ"));
    let key = format!("{}{account}/CloudTrail/{region}/{}/{name}.gz", spec.logs_root(), delivered.format("%Y/%m/%d"));
    let path = out.path_of(&key);
    let mtime = u32::try_from(delivered.timestamp()).unwrap_or(0);
    write_gzip(&path, br#"{"Records":[{"eventName":"Planted"}]}"#, Some(&name), mtime)?;
    Ok(path)
}

/// Rewrites the digest at `key` after `edit`, signs it with `signer` (whose fingerprint is
/// written into it) and records the new signature in `digest-metadata.json`, as someone holding
/// that key would. Returns the new signature.
pub fn resign_digest(
    out: &SynthOutput,
    key: &str,
    signer: &PrivateKey,
    edit: impl FnOnce(&mut DigestBody),
) -> io::Result<String> {
    let path = out.path_of(key);
    let mut inflated = Vec::new();
    io::Read::read_to_end(&mut flate2::read::GzDecoder::new(std::fs::File::open(&path)?), &mut inflated)?;
    let mut body = DigestBody::parse(&inflated).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    body.digest_public_key_fingerprint = Some(key_fingerprint(signer));
    edit(&mut body);
    let bytes = body.to_cloudtrail_json();
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let message = string_to_sign(
        body.end_time(),
        body.bucket(),
        body.object(),
        &sha256,
        body.previous_digest_signature.as_deref(),
    );
    let signature = sign(signer, &message);
    write_gzip(&path, &bytes, None, 0)?;
    let url = format!("s3://{}/{}", body.bucket(), key);
    update_metadata(out, |map| {
        map.insert(url, json!({ "signature": signature, "signature-algorithm": "SHA256withRSA" }));
    })?;
    Ok(signature)
}

/// Rewrites `digest-metadata.json` with the signature of every digest, not only the heads.
pub fn metadata_for_every_digest(out: &SynthOutput, spec: &SynthSpec) -> io::Result<()> {
    update_metadata(out, |map| {
        for digest in out.chains.iter().flat_map(|c| &c.digests) {
            let url = format!("s3://{}/{}", spec.bucket, digest.key);
            map.entry(url)
                .or_insert_with(|| json!({ "signature": digest.signature, "signature-algorithm": "SHA256withRSA" }));
        }
    })
}

fn update_metadata(out: &SynthOutput, edit: impl FnOnce(&mut Map<String, Value>)) -> io::Result<()> {
    let text = std::fs::read_to_string(&out.digest_metadata)?;
    let mut doc: Map<String, Value> =
        serde_json::from_str(&text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    edit(&mut doc);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    std::fs::write(&out.digest_metadata, text + "\n")
}
