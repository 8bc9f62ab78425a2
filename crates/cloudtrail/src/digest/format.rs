//! The digest file body: its JSON fields, parsed strictly the way the AWS CLI requires them.
//!
//! A digest is read from its *inflated bytes*; the hash that is signed is over those exact bytes
//! (escaped slashes included), so nothing here ever re-serializes a digest that was read.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The keys the AWS CLI requires to be present (their value may be `null`).
pub const REQUIRED_KEYS: [&str; 6] = [
    "digestStartTime",
    "digestEndTime",
    "digestS3Bucket",
    "digestS3Object",
    "digestPublicKeyFingerprint",
    "previousDigestSignature",
];

/// A digest file's body, in the field order CloudTrail writes.
///
/// Optional fields are `None` when absent or `null`; [`DigestBody::parse`] enforces which must be
/// present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestBody {
    #[serde(rename = "awsAccountId", default)]
    pub aws_account_id: Option<String>,
    #[serde(rename = "digestStartTime", default)]
    pub digest_start_time: Option<String>,
    #[serde(rename = "digestEndTime", default)]
    pub digest_end_time: Option<String>,
    #[serde(rename = "digestS3Bucket", default)]
    pub digest_s3_bucket: Option<String>,
    #[serde(rename = "digestS3Object", default)]
    pub digest_s3_object: Option<String>,
    #[serde(rename = "digestPublicKeyFingerprint", default)]
    pub digest_public_key_fingerprint: Option<String>,
    #[serde(rename = "digestSignatureAlgorithm", default)]
    pub digest_signature_algorithm: Option<String>,
    #[serde(rename = "newestEventTime", default)]
    pub newest_event_time: Option<String>,
    #[serde(rename = "oldestEventTime", default)]
    pub oldest_event_time: Option<String>,
    #[serde(rename = "previousDigestS3Bucket", default)]
    pub previous_digest_s3_bucket: Option<String>,
    #[serde(rename = "previousDigestS3Object", default)]
    pub previous_digest_s3_object: Option<String>,
    #[serde(rename = "previousDigestHashValue", default)]
    pub previous_digest_hash_value: Option<String>,
    #[serde(rename = "previousDigestHashAlgorithm", default)]
    pub previous_digest_hash_algorithm: Option<String>,
    #[serde(rename = "previousDigestSignature", default)]
    pub previous_digest_signature: Option<String>,
    #[serde(rename = "logFiles", default)]
    pub log_files: Vec<LogFileEntry>,
}

/// One entry of a digest's `logFiles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFileEntry {
    #[serde(rename = "s3Bucket")]
    pub s3_bucket: String,
    #[serde(rename = "s3Object")]
    pub s3_object: String,
    #[serde(rename = "hashValue")]
    pub hash_value: String,
    #[serde(rename = "hashAlgorithm", default)]
    pub hash_algorithm: Option<String>,
    #[serde(rename = "newestEventTime", default)]
    pub newest_event_time: Option<String>,
    #[serde(rename = "oldestEventTime", default)]
    pub oldest_event_time: Option<String>,
}

/// Why a digest body was rejected: all of these are the AWS CLI's `invalid format`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    #[error("not UTF-8: {0}")]
    Utf8(#[source] std::str::Utf8Error),
    #[error("not JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error("not a JSON object")]
    NotAnObject,
    #[error("required field {0} is missing")]
    MissingKey(&'static str),
    #[error("required field {0} is null")]
    NullKey(&'static str),
    #[error("field {field} has the wrong type: {source}")]
    WrongType {
        field: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// The fields that must be non-null strings: the string to sign and the key lookup use them.
const NON_NULL_KEYS: [&str; 5] =
    ["digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object", "digestPublicKeyFingerprint"];

/// Takes field `key` out of `map` as `T` (absent or `null` is `None`), naming the field on a
/// wrong type.
fn take<T: serde::de::DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &'static str,
) -> Result<Option<T>, FormatError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            serde_json::from_value(value).map(Some).map_err(|source| FormatError::WrongType { field: key, source })
        }
    }
}

impl DigestBody {
    /// Parses inflated digest bytes (the JSON text is parsed once; each field is then converted
    /// on its own, so a wrong type names its field).
    ///
    /// Enforces what the AWS CLI enforces (the six [`REQUIRED_KEYS`] present, UTF-8 JSON object)
    /// plus what it would otherwise crash or misbehave on: the five string fields used in the
    /// string to sign and the key lookup are non-null strings, and `logFiles` (when present) is
    /// an array of entries with string `s3Bucket`, `s3Object`, `hashValue`.
    pub fn parse(bytes: &[u8]) -> Result<DigestBody, FormatError> {
        let text = std::str::from_utf8(bytes).map_err(FormatError::Utf8)?;
        let value: Value = serde_json::from_str(text).map_err(FormatError::Json)?;
        let Value::Object(mut map) = value else { return Err(FormatError::NotAnObject) };
        if let Some(key) = REQUIRED_KEYS.into_iter().find(|k| !map.contains_key(*k)) {
            return Err(FormatError::MissingKey(key));
        }
        if let Some(key) = NON_NULL_KEYS.into_iter().find(|k| map[*k].is_null()) {
            return Err(FormatError::NullKey(key));
        }
        Ok(DigestBody {
            aws_account_id: take(&mut map, "awsAccountId")?,
            digest_start_time: take(&mut map, "digestStartTime")?,
            digest_end_time: take(&mut map, "digestEndTime")?,
            digest_s3_bucket: take(&mut map, "digestS3Bucket")?,
            digest_s3_object: take(&mut map, "digestS3Object")?,
            digest_public_key_fingerprint: take(&mut map, "digestPublicKeyFingerprint")?,
            digest_signature_algorithm: take(&mut map, "digestSignatureAlgorithm")?,
            newest_event_time: take(&mut map, "newestEventTime")?,
            oldest_event_time: take(&mut map, "oldestEventTime")?,
            previous_digest_s3_bucket: take(&mut map, "previousDigestS3Bucket")?,
            previous_digest_s3_object: take(&mut map, "previousDigestS3Object")?,
            previous_digest_hash_value: take(&mut map, "previousDigestHashValue")?,
            previous_digest_hash_algorithm: take(&mut map, "previousDigestHashAlgorithm")?,
            previous_digest_signature: take(&mut map, "previousDigestSignature")?,
            log_files: take(&mut map, "logFiles")?.unwrap_or_default(),
        })
    }

    /// `digestEndTime`; present after a successful [`parse`](Self::parse).
    pub fn end_time(&self) -> &str {
        self.digest_end_time.as_deref().unwrap_or_default()
    }

    /// `digestStartTime`; present after a successful [`parse`](Self::parse).
    pub fn start_time(&self) -> &str {
        self.digest_start_time.as_deref().unwrap_or_default()
    }

    /// `digestS3Bucket`; present after a successful [`parse`](Self::parse).
    pub fn bucket(&self) -> &str {
        self.digest_s3_bucket.as_deref().unwrap_or_default()
    }

    /// `digestS3Object`; present after a successful [`parse`](Self::parse).
    pub fn object(&self) -> &str {
        self.digest_s3_object.as_deref().unwrap_or_default()
    }

    /// `digestPublicKeyFingerprint`; present after a successful [`parse`](Self::parse).
    pub fn fingerprint(&self) -> &str {
        self.digest_public_key_fingerprint.as_deref().unwrap_or_default()
    }

    /// The previous digest's location, or `None` for a chain start (either field null).
    pub fn previous(&self) -> Option<(&str, &str)> {
        match (&self.previous_digest_s3_bucket, &self.previous_digest_s3_object) {
            (Some(b), Some(o)) => Some((b, o)),
            _ => None,
        }
    }

    /// Fields that parse but cannot be what CloudTrail wrote: hash values that are not 64 hex
    /// digits. The AWS CLI does not look; a damaged `hashValue` shows up as a hash mismatch and
    /// a damaged `previousDigestHashValue` as a broken link, but this names the cause.
    pub fn malformed_hashes(&self) -> Vec<String> {
        let is_sha256 = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        let mut found = Vec::new();
        if let Some(h) = self.previous_digest_hash_value.as_deref().filter(|h| !is_sha256(h)) {
            found.push(format!("previousDigestHashValue is not a hex SHA-256 ({} characters)", h.len()));
        }
        for entry in self.log_files.iter().filter(|e| !is_sha256(&e.hash_value)) {
            found.push(format!("hashValue of {} is not a hex SHA-256", entry.s3_object));
        }
        found
    }

    /// Serializes as CloudTrail does: compact JSON, field order as above, `/` escaped as `\/`.
    pub fn to_cloudtrail_json(&self) -> Vec<u8> {
        let compact = serde_json::to_string(self).expect("a digest body always serializes");
        compact.replace('/', "\\/").into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = r#"{"awsAccountId":"111122223333","digestStartTime":"2026-01-01T00:00:00Z","digestEndTime":"2026-01-01T01:00:00Z","digestS3Bucket":"b","digestS3Object":"AWSLogs\/111122223333\/CloudTrail-Digest\/us-east-1\/2026\/01\/01\/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20260101T010000Z.json.gz","digestPublicKeyFingerprint":"abc","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[]}"#;

    #[test]
    fn parses_an_empty_starting_digest_and_unescapes_slashes() {
        let d = DigestBody::parse(EMPTY.as_bytes()).unwrap();
        assert!(d.object().starts_with("AWSLogs/111122223333/CloudTrail-Digest/"));
        assert_eq!(d.previous(), None);
        assert!(d.log_files.is_empty());
    }

    #[test]
    fn round_trips_in_cloudtrail_form() {
        let d = DigestBody::parse(EMPTY.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(d.to_cloudtrail_json()).unwrap(), EMPTY);
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let text = EMPTY.replace(r#""previousDigestSignature":null,"#, "");
        assert!(matches!(DigestBody::parse(text.as_bytes()), Err(FormatError::MissingKey("previousDigestSignature"))));
    }

    #[test]
    fn wrong_types_and_garbage_are_rejected_without_panicking() {
        let text = EMPTY.replace(r#""digestEndTime":"2026-01-01T01:00:00Z""#, r#""digestEndTime":5"#);
        assert!(matches!(
            DigestBody::parse(text.as_bytes()),
            Err(FormatError::WrongType { field: "digestEndTime", .. })
        ));
        let text = EMPTY.replace(r#""logFiles":[]"#, r#""logFiles":[{"s3Bucket":1}]"#);
        assert!(matches!(DigestBody::parse(text.as_bytes()), Err(FormatError::WrongType { field: "logFiles", .. })));
        let text = EMPTY.replace(r#""digestS3Bucket":"b""#, r#""digestS3Bucket":null"#);
        assert!(matches!(DigestBody::parse(text.as_bytes()), Err(FormatError::NullKey("digestS3Bucket"))));
        assert!(DigestBody::parse(b"[1,2]").is_err());
        assert!(DigestBody::parse(b"\xff\xfe").is_err());
        assert!(DigestBody::parse(b"").is_err());
    }
}
