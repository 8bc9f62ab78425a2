//! Test signing keys: one RSA-2048 key per (seed, region, generation), derived deterministically
//! (a generation is the span between two key rotations), and their
//! export in the `list-public-keys` shape that [`KeyRing::add_json`](cloudtrail::digest::KeyRing::add_json)
//! reads.
//!
//! Key generation takes a noticeable fraction of a second even optimized, so keys are cached for
//! the life of the process: tests that generate many small dumps pay for each key once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use chrono::Duration;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::PrivateKey;
use serde_json::{json, Value};

use super::{seeded_rng, SynthSpec};
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

type Cache = Mutex<HashMap<(u64, String, usize), Arc<OnceLock<PrivateKey>>>>;

static KEYS: OnceLock<Cache> = OnceLock::new();

/// The private key that signs the synthetic digests of `region` for dumps generated with `seed`,
/// before any key rotation: `rotated_key(seed, region, 0)`.
///
/// Tests use it to forge digests whose signatures verify.
pub fn test_key(seed: u64, region: &str) -> PrivateKey {
    rotated_key(seed, region, 0)
}

/// The key of `region` after `generation` rotations, for dumps generated with `seed` (see
/// [`SynthSpec::key_rotations`]). The same arguments always give the same key; computed once
/// per process.
pub fn rotated_key(seed: u64, region: &str, generation: usize) -> PrivateKey {
    let slot = {
        let mut cache = KEYS.get_or_init(Cache::default).lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(cache.entry((seed, region.to_string(), generation)).or_default())
    };
    // Generated outside the map's lock, so keys of different regions are made in parallel.
    slot.get_or_init(|| {
        // Generation 0 keeps the labels of the time before rotations existed.
        let generation_label = generation.to_string();
        let labels: &[&str] =
            if generation == 0 { &["signing-key", region] } else { &["signing-key", region, &generation_label] };
        let mut rng = KeyRng(seeded_rng(seed, labels));
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

/// `public-keys.json` for `spec`: a map of region to a `list-public-keys` response listing every
/// key of that region, oldest first, with adjoining validity ranges (epoch seconds as floats, as
/// AWS CLI v1 prints them): from a day before the first hour, through each rotation (the end of
/// its hour), to a day after the last hour.
pub fn public_keys_json(spec: &SynthSpec) -> String {
    let mut bounds = vec![spec.first_hour() - Duration::days(1)];
    bounds.extend(spec.key_rotations.iter().map(|&r| spec.hour_start(r + 1)));
    bounds.push(spec.hour_start(spec.hours) + Duration::days(1));
    let mut doc: BTreeMap<&str, Value> = BTreeMap::new();
    for region in &spec.regions {
        let list: Vec<Value> = bounds
            .windows(2)
            .enumerate()
            .map(|(generation, validity)| {
                let der = public_der(&rotated_key(spec.seed, region, generation));
                json!({
                    "Value": base64::engine::general_purpose::STANDARD.encode(&der),
                    "ValidityStartTime": validity[0].timestamp() as f64,
                    "ValidityEndTime": validity[1].timestamp() as f64,
                    "Fingerprint": fingerprint(&der),
                })
            })
            .collect();
        doc.insert(region, json!({ "PublicKeyList": list }));
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
        let rotated = rotated_key(11, "us-east-1", 1);
        assert_eq!(rotated, rotated_key(11, "us-east-1", 1));
        assert_ne!(key_fingerprint(&a), key_fingerprint(&rotated));
    }
}
