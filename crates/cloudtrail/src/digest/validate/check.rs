//! The checks on one digest, in the AWS CLI's order, with offline-specific verdicts where the
//! CLI would need S3 metadata it does not have here.

use std::collections::HashMap;
use std::path::PathBuf;

use super::load::{Loaded, Parsed, Problem};
use super::report::Status;
use crate::digest::keys::KeyRing;
use crate::digest::metadata::HeadSignature;
use crate::digest::sign;

/// Every signature the dump and the metadata offer, by the `(bucket, key)` of the digest they
/// claim to sign. A signature's source need not be trusted: one that verifies under an AWS
/// public key over the string to sign is proof by itself.
#[derive(Debug, Default)]
pub struct Signatures {
    by_key: HashMap<(String, String), Vec<String>>,
}

impl Signatures {
    pub fn collect(loaded: &HashMap<PathBuf, Loaded>, heads: &[HeadSignature]) -> Signatures {
        let mut by_key: HashMap<(String, String), Vec<String>> = HashMap::new();
        for head in heads {
            by_key.entry((head.bucket.clone(), head.key.clone())).or_default().push(head.signature.clone());
        }
        for digest in loaded.values() {
            let Ok(parsed) = &digest.outcome else { continue };
            let body = &parsed.body;
            if let (Some((bucket, object)), Some(signature)) = (body.previous(), &body.previous_digest_signature) {
                by_key.entry((bucket.to_string(), object.to_string())).or_default().push(signature.clone());
            }
        }
        for list in by_key.values_mut() {
            list.sort();
            list.dedup();
        }
        Signatures { by_key }
    }

    fn get(&self, bucket: &str, key: &str) -> &[String] {
        self.by_key.get(&(bucket.to_string(), key.to_string())).map_or(&[], Vec::as_slice)
    }
}

/// The verdict on one digest.
#[derive(Debug, Clone)]
pub struct Verdict<'a> {
    pub status: Status,
    pub reason: Option<String>,
    /// The parsed digest when it may be trusted as far as offline checks go (valid, or
    /// unverified only for want of a key or signature): its link is followed and its log
    /// files are checked.
    pub usable: Option<&'a Parsed>,
}

impl Verdict<'_> {
    fn bad(status: Status, reason: impl Into<String>) -> Self {
        Verdict { status, reason: Some(reason.into()), usable: None }
    }
}

/// Checks digests against the keys, the bucket and the signatures available.
pub struct Checker<'a> {
    pub keys: &'a KeyRing,
    pub bucket: &'a str,
    pub signatures: &'a Signatures,
}

/// What the walk knows about the digest being checked.
pub struct Context<'a> {
    /// The `previousDigestHashValue` of the digest that links here, and that digest's key.
    pub expected_sha256: Option<(&'a str, &'a str)>,
    /// Whether this is the newest digest the walk reached in its chain.
    pub is_head: bool,
}

impl<'a> Checker<'a> {
    /// Checks a digest that exists in the dump.
    pub fn check<'d>(&self, digest: &'d Loaded, ctx: &Context<'_>) -> Verdict<'d> {
        let parsed = match &digest.outcome {
            Ok(parsed) => parsed,
            Err(Problem::Unreadable(e)) => return Verdict::bad(Status::Invalid, format!("unreadable: {e}")),
            Err(Problem::InvalidFormat(detail)) => {
                return Verdict::bad(Status::Invalid, format!("invalid format ({detail})"))
            }
        };
        let body = &parsed.body;
        if body.bucket() != self.bucket || !digest.file.abs.ends_with(body.object()) || !safe_key(body.object()) {
            return Verdict::bad(Status::Invalid, "has been moved from its original location");
        }
        if let Some((expected, next_key)) = ctx.expected_sha256 {
            if !expected.eq_ignore_ascii_case(&parsed.sha256) {
                return Verdict::bad(
                    Status::Invalid,
                    format!("content does not match the previousDigestHashValue of the next digest {next_key}"),
                );
            }
        }
        let unverified = |reason: &str| Verdict {
            status: Status::Unverified,
            reason: Some(reason.to_string()),
            usable: Some(parsed),
        };
        if self.keys.is_empty() {
            return unverified("signature not checked: no public keys given (--public-keys)");
        }
        let fingerprint = body.fingerprint();
        let Some(entry) = self.keys.get(fingerprint) else {
            let home = digest.file.name.home_region.as_str();
            return Verdict::bad(
                Status::Invalid,
                format!("public key not found in region {home} for fingerprint {fingerprint}"),
            );
        };
        let Ok(key) = &entry.key else {
            return Verdict::bad(Status::Invalid, format!("Unable to load PKCS #1 key with fingerprint {fingerprint}"));
        };
        let candidates = self.signatures.get(body.bucket(), body.object());
        if candidates.is_empty() {
            return unverified(if ctx.is_head {
                "signature unavailable: newest digest of its chain; give its S3 metadata with --digest-metadata"
            } else {
                "signature unavailable: the digest after it is missing"
            });
        }
        let to_sign = sign::string_to_sign(
            body.end_time(),
            body.bucket(),
            body.object(),
            &parsed.sha256,
            body.previous_digest_signature.as_deref(),
        );
        if candidates.iter().any(|s| sign::verify(key, &to_sign, s).is_ok()) {
            Verdict { status: Status::Valid, reason: None, usable: Some(parsed) }
        } else {
            Verdict::bad(Status::Invalid, "signature verification failed")
        }
    }
}

/// Whether a key from a digest may be joined to the dump root: no absolute path, no `..`,
/// no backslash, no NUL.
pub fn safe_key(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with('/')
        && !key.contains('\\')
        && !key.contains('\0')
        && key.split('/').all(|c| c != ".." && c != "." && !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_keys_are_refused() {
        assert!(safe_key("AWSLogs/1/CloudTrail/x.json.gz"));
        for bad in ["", "/etc/passwd", "AWSLogs/../../etc/passwd", "a//b", "a\\b", "./a"] {
            assert!(!safe_key(bad), "{bad}");
        }
    }
}
