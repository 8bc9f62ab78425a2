//! The checks on one digest, in the AWS CLI's order, with offline-specific verdicts where the
//! CLI would need S3 metadata it does not have here.

use std::collections::HashMap;
use std::path::PathBuf;

use super::load::{Loaded, Parsed};
use super::report::Verdict;
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

/// The result of checking one digest on its own.
#[derive(Debug, Clone)]
pub struct DigestCheck<'a> {
    pub verdict: Verdict,
    pub reason: Option<String>,
    /// The parsed digest when it may be trusted as far as offline checks go (valid, or
    /// unverified only for want of a key or signature): its link is followed and its log
    /// files are checked.
    pub usable: Option<&'a Parsed>,
    /// The parsed digest whatever the verdict (its times and link are still informative).
    pub parsed: Option<&'a Parsed>,
}

impl<'a> DigestCheck<'a> {
    fn bad(parsed: Option<&'a Parsed>, reason: impl Into<String>) -> Self {
        DigestCheck { verdict: Verdict::Invalid, reason: Some(reason.into()), usable: None, parsed }
    }
}

/// Checks digests against the keys, the bucket and the signatures available.
pub struct Checker<'a> {
    pub keys: &'a KeyRing,
    pub bucket: &'a str,
    pub signatures: &'a Signatures,
}

impl Checker<'_> {
    /// Checks a digest that exists in the dump, in the AWS CLI's order (format, moved, key,
    /// signature). `no_signature` says why no signature would be available for it (it depends
    /// on how the walk reached the digest).
    ///
    /// `successor_valid` is false when the digest after this one is present but not valid: a
    /// signature only it gives that does not verify proves nothing against this digest.
    pub fn check<'d>(&self, digest: &'d Loaded, no_signature: &str, successor_valid: bool) -> DigestCheck<'d> {
        let parsed = match &digest.outcome {
            Ok(parsed) => parsed,
            Err(e) => return DigestCheck::bad(None, e.reason()),
        };
        let body = &parsed.body;
        if body.bucket() != self.bucket || !digest.file.abs.ends_with(body.object()) || !safe_key(body.object()) {
            return DigestCheck::bad(Some(parsed), "has been moved from its original location");
        }
        let unverified = |reason: &str| DigestCheck {
            verdict: Verdict::Unverified,
            reason: Some(reason.to_string()),
            usable: Some(parsed),
            parsed: Some(parsed),
        };
        if self.keys.is_empty() {
            return unverified("signature not checked: no public keys given (--public-keys)");
        }
        let fingerprint = body.fingerprint();
        let region = digest.file.name.region.as_str();
        let Some(entry) = self.keys.get(region, fingerprint) else {
            let mut reason = format!("public key not found in region {region} for fingerprint {fingerprint}");
            let elsewhere = self.keys.regions_of(fingerprint);
            if !elsewhere.is_empty() {
                reason += &format!(" (it is a key of {}, not of this chain's region)", elsewhere.join(", "));
            }
            return DigestCheck::bad(Some(parsed), reason);
        };
        let Ok(key) = &entry.key else {
            return DigestCheck::bad(
                Some(parsed),
                format!("Unable to load PKCS #1 key with fingerprint {fingerprint}"),
            );
        };
        let candidates = self.signatures.get(body.bucket(), body.object());
        if candidates.is_empty() {
            return unverified(no_signature);
        }
        let to_sign = sign::string_to_sign(
            body.end_time(),
            body.bucket(),
            body.object(),
            &parsed.sha256,
            body.previous_digest_signature.as_deref(),
        );
        if candidates.iter().any(|s| sign::verify(key, &to_sign, s).is_ok()) {
            DigestCheck { verdict: Verdict::Valid, reason: None, usable: Some(parsed), parsed: Some(parsed) }
        } else if !successor_valid {
            unverified(&format!("{no_signature} (the signature it gives does not verify)"))
        } else {
            DigestCheck::bad(Some(parsed), "signature verification failed")
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
