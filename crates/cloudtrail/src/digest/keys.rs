//! CloudTrail public keys as exported by `aws cloudtrail list-public-keys`, indexed by fingerprint.

use std::collections::HashMap;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::PublicKey;
use serde_json::Value;

/// The fingerprint CloudTrail gives a key: lower-case hex MD5 of its PKCS#1 DER bytes.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Md5::digest(der))
}

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("no PublicKeyList found (expected list-public-keys output, or a map of region to it)")]
    NoKeyList,
    #[error("key {index} of PublicKeyList: {reason}")]
    BadEntry { index: usize, reason: String },
}

/// One key as listed: the DER bytes and what they decode to.
#[derive(Debug, Clone)]
pub struct PublicKeyEntry {
    /// The region the key was listed under, when the file said so.
    pub region: Option<String>,
    /// The PKCS#1 DER bytes.
    pub der: Vec<u8>,
    /// The decoded key, or why PKCS#1 decoding failed (the AWS CLI reports it per digest).
    pub key: Result<PublicKey, String>,
}

/// Keys by fingerprint. CloudTrail keys are regional: a digest is only checked against a key
/// listed for its own region (or listed with no region, in a bare `list-public-keys` response).
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: HashMap<String, Vec<PublicKeyEntry>>,
}

impl KeyRing {
    /// Whether any key was loaded.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Number of fingerprints known.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The key of `region` whose fingerprint is `fp` (as written in a digest: exact, lower-case
    /// hex). A key listed with no region matches every region.
    pub fn get(&self, region: &str, fp: &str) -> Option<&PublicKeyEntry> {
        self.keys.get(fp)?.iter().find(|e| e.region.as_deref().is_none_or(|r| r == region))
    }

    /// The regions a key with fingerprint `fp` is listed for (to explain a key of another region).
    pub fn regions_of(&self, fp: &str) -> Vec<&str> {
        self.keys.get(fp).map_or_else(Vec::new, |list| list.iter().filter_map(|e| e.region.as_deref()).collect())
    }

    /// Adds the keys of one `list-public-keys` JSON document: a bare response
    /// (`{"PublicKeyList": [...]}`) or a map of region to such a response.
    ///
    /// Each key is indexed under the fingerprint computed from its bytes and under its listed
    /// `Fingerprint` when that differs (the AWS CLI trusts the listed one).
    pub fn add_json(&mut self, text: &str) -> Result<usize, KeyFileError> {
        let doc: Value = serde_json::from_str(text)?;
        let mut lists: Vec<(Option<String>, &Vec<Value>)> = Vec::new();
        if let Some(list) = doc.get("PublicKeyList").and_then(Value::as_array) {
            lists.push((None, list));
        } else if let Some(map) = doc.as_object() {
            for (region, response) in map {
                if let Some(list) = response.get("PublicKeyList").and_then(Value::as_array) {
                    lists.push((Some(region.clone()), list));
                }
            }
        }
        if lists.is_empty() {
            return Err(KeyFileError::NoKeyList);
        }
        let mut added = 0;
        for (region, list) in lists {
            for (index, item) in list.iter().enumerate() {
                let bad = |reason: &str| KeyFileError::BadEntry { index, reason: reason.to_string() };
                let value = item.get("Value").and_then(Value::as_str).ok_or_else(|| bad("no Value string"))?;
                let der = base64::engine::general_purpose::STANDARD
                    .decode(value.trim())
                    .map_err(|e| bad(&format!("Value is not base64: {e}")))?;
                let key = PublicKey::from_pkcs1_der(&der).map_err(|e| e.to_string());
                let computed = fingerprint(&der);
                let listed = item.get("Fingerprint").and_then(Value::as_str).map(str::to_string);
                let entry = PublicKeyEntry { region: region.clone(), der, key };
                if let Some(listed) = listed.filter(|l| *l != computed) {
                    self.keys.entry(listed).or_default().push(entry.clone());
                }
                self.keys.entry(computed).or_default().push(entry);
                added += 1;
            }
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The public key of the AWS CLI's `list-public-keys` documentation example is too long to
    /// inline; the fingerprint rule is checked on a key we encode ourselves instead.
    #[test]
    fn fingerprint_is_md5_hex_of_der() {
        assert_eq!(fingerprint(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(fingerprint(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    /// The committed fixture's key file: a real PKCS#1 key of `us-east-1`.
    const FIXTURE_KEYS: &str = include_str!("../../../../tests/fixtures/dump/public-keys.json");

    #[test]
    fn loads_bare_and_per_region_documents() {
        let doc: Value = serde_json::from_str(FIXTURE_KEYS).unwrap();
        let b64 = doc["us-east-1"]["PublicKeyList"][0]["Value"].as_str().unwrap();
        let der = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        let fp = fingerprint(&der);
        let bare = format!(r#"{{"PublicKeyList":[{{"Value":"{b64}","Fingerprint":"{fp}"}}]}}"#);
        let mut ring = KeyRing::default();
        assert_eq!(ring.add_json(&bare).unwrap(), 1);
        assert!(ring.get("us-east-1", &fp).unwrap().key.is_ok());
        let regional = format!(r#"{{"eu-west-1":{bare}}}"#);
        let mut ring = KeyRing::default();
        ring.add_json(&regional).unwrap();
        assert_eq!(ring.get("eu-west-1", &fp).unwrap().region.as_deref(), Some("eu-west-1"));
        assert!(ring.get("us-east-1", &fp).is_none(), "a key of another region is not this region's");
        assert_eq!(ring.regions_of(&fp), ["eu-west-1"]);
    }

    #[test]
    fn rejects_documents_without_keys() {
        assert!(matches!(KeyRing::default().add_json("{}"), Err(KeyFileError::NoKeyList)));
        assert!(KeyRing::default().add_json("nope").is_err());
        let bad = r#"{"PublicKeyList":[{"Value":"!!!"}]}"#;
        assert!(matches!(KeyRing::default().add_json(bad), Err(KeyFileError::BadEntry { .. })));
    }
}
