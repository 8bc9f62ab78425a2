//! Captured S3 metadata of digest objects (`--digest-metadata`): the signatures of chain heads,
//! which a bucket copy loses.

use serde_json::Value;

/// Why a metadata file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("expected an object mapping \"s3://bucket/key\" to {{\"signature\": ...}}")]
    NotAMap,
    #[error("entry {0:?}: the key is not of the form s3://bucket/key")]
    BadKey(String),
    #[error("entry {0:?}: no \"signature\" string")]
    NoSignature(String),
}

/// A captured signature, by the digest's bucket and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadSignature {
    pub bucket: String,
    pub key: String,
    pub signature: String,
}

/// Parses `{"s3://bucket/key": {"signature": "...", "signature-algorithm": "SHA256withRSA"}}`
/// (the `Metadata` of `aws s3api head-object`, keyed by object URL).
pub fn parse_metadata(text: &str) -> Result<Vec<HeadSignature>, MetadataError> {
    let doc: Value = serde_json::from_str(text)?;
    let map = doc.as_object().ok_or(MetadataError::NotAMap)?;
    let mut out = Vec::with_capacity(map.len());
    for (url, meta) in map {
        let (bucket, key) = url
            .strip_prefix("s3://")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(b, k)| !b.is_empty() && !k.is_empty())
            .ok_or_else(|| MetadataError::BadKey(url.clone()))?;
        let signature =
            meta.get("signature").and_then(Value::as_str).ok_or_else(|| MetadataError::NoSignature(url.clone()))?;
        out.push(HeadSignature { bucket: bucket.to_string(), key: key.to_string(), signature: signature.to_string() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_head_object_metadata() {
        let text = r#"{"s3://b/AWSLogs/1/x.json.gz": {"signature": "ab", "signature-algorithm": "SHA256withRSA"}}"#;
        let heads = parse_metadata(text).unwrap();
        assert_eq!(
            heads,
            [HeadSignature { bucket: "b".into(), key: "AWSLogs/1/x.json.gz".into(), signature: "ab".into() }]
        );
    }

    #[test]
    fn rejects_malformed_entries() {
        assert!(matches!(parse_metadata("[]"), Err(MetadataError::NotAMap)));
        assert!(matches!(parse_metadata(r#"{"b/k": {"signature": "x"}}"#), Err(MetadataError::BadKey(_))));
        assert!(matches!(parse_metadata(r#"{"s3://b/k": {}}"#), Err(MetadataError::NoSignature(_))));
    }
}
