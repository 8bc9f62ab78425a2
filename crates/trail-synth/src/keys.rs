//! Test signing keys: one RSA-2048 key per (seed, region), derived deterministically, and their
//! export in the `list-public-keys` shape that [`KeyRing::add_json`](cloudtrail::digest::KeyRing::add_json)
//! reads.
//!
//! Key generation takes a noticeable fraction of a second even optimized, so keys are cached for
//! the life of the process: tests that generate many small dumps pay for each key once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::PrivateKey;
use serde_json::{json, Value};

use super::seeded_rng;
use cloudtrail::digest::fingerprint;

/// The seeded ChaCha8 rng of [`seeded_rng`] seen through the rng traits of rsa 0.10
/// (`rand_core` 0.10): the same seed yields the same stream of bytes, hence the same key.
///
/// Records keep drawing from rand 0.8 (their bytes are pinned by seed); only key generation
/// needs the newer traits.
struct KeyRng(rand_chacha::ChaCha8Rng);

impl rand_core::TryRng for KeyRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(rand::RngCore::next_u32(&mut self.0))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand::RngCore::next_u64(&mut self.0))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand::RngCore::fill_bytes(&mut self.0, dst);
        Ok(())
    }
}

/// ChaCha8 is a cryptographic stream cipher; its seed here is public on purpose (test keys).
impl rand_core::TryCryptoRng for KeyRng {}

type Cache = Mutex<HashMap<(u64, String), Arc<OnceLock<PrivateKey>>>>;

static KEYS: OnceLock<Cache> = OnceLock::new();

/// The private key that signs the synthetic digests of `region` for dumps generated with `seed`.
///
/// Tests use it to forge digests whose signatures verify. The same (seed, region) always gives
/// the same key; computed once per process.
pub fn test_key(seed: u64, region: &str) -> PrivateKey {
    let slot = {
        let mut cache = KEYS.get_or_init(Cache::default).lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(cache.entry((seed, region.to_string())).or_default())
    };
    // Generated outside the map's lock, so keys of different regions are made in parallel.
    slot.get_or_init(|| {
        let mut rng = KeyRng(seeded_rng(seed, &["signing-key", region]));
        PrivateKey::new(&mut rng, 2048).expect("2048-bit RSA key generation does not fail")
    })
    .clone()
}

/// The PKCS#1 DER bytes of the public half of `key`, as `ListPublicKeys` returns them.
pub fn public_der(key: &PrivateKey) -> Vec<u8> {
    key.to_public_key().to_pkcs1_der().expect("an RSA public key always encodes").into_vec()
}

/// The CloudTrail fingerprint of `key`'s public half: hex MD5 of its PKCS#1 DER.
pub fn key_fingerprint(key: &PrivateKey) -> String {
    fingerprint(&public_der(key))
}

/// `public-keys.json`: a map of region to a `list-public-keys` response listing that region's
/// test key, valid from `from` to `to` (epoch seconds as floats, as AWS CLI v1 prints them).
pub fn public_keys_json(seed: u64, regions: &[String], from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let mut doc: BTreeMap<&str, Value> = BTreeMap::new();
    for region in regions {
        let der = public_der(&test_key(seed, region));
        let entry = json!({
            "Value": base64::engine::general_purpose::STANDARD.encode(&der),
            "ValidityStartTime": from.timestamp() as f64,
            "ValidityEndTime": to.timestamp() as f64,
            "Fingerprint": fingerprint(&der),
        });
        doc.insert(region, json!({ "PublicKeyList": [entry] }));
    }
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_per_seed_and_region() {
        let a = test_key(11, "us-east-1");
        assert_eq!(a, test_key(11, "us-east-1"));
        assert_ne!(key_fingerprint(&a), key_fingerprint(&test_key(11, "eu-west-1")));
        assert_eq!(key_fingerprint(&a).len(), 32);
    }
}
