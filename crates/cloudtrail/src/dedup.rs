//! De-duplication of events delivered more than once.
//!
//! CloudTrail delivers some events twice, and an organization trail and an account trail of the
//! same account both hold every event: a dump can hold several copies of one event. Two records
//! are the same event when they carry an `eventID` and their content is the same JSON value:
//! the same members with the same values, whatever their order, whitespace or string escapes
//! (a copy re-serialized by another tool is still a copy). Numbers compare by their text. The
//! content decides, not the `eventID` alone, because test corpora reuse fake IDs (`"1111"`) for
//! different events; a record without an `eventID` is never taken for a copy. Each record is
//! summarized by a 64-bit canonical digest ([`event_digest`]).
//!
//! Only the digests are kept: 8 bytes per distinct event, in shards locked one at a time (a shard
//! lock is uncontended in practice: there are many more shards than worker threads). The set is
//! organized in generations ([`Seen::rotate`]) so that a scan that walks a dump window by window
//! (a day of deliveries at a time) holds the digests of two windows, not of the whole dump:
//! copies of one event are delivered within hours of each other. With 64-bit digests the
//! chance that two distinct events collide is about n²/2⁶⁵ for n events in two windows: one in
//! 3,700 for 100 million.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use memchr::memmem;
use twox_hash::XxHash3_64;

use cwl_filter::json::{self, SyntaxError};

/// Shards of the set: a power of two, many more than worker threads.
const SHARDS: usize = 64;

/// The canonical digest of a valid record, or `None` when it carries no `eventID` (then it is
/// never a copy) or is not valid JSON. Records that are the same JSON value have the same digest:
/// object members are combined without regard to order, strings by their decoded text.
pub fn event_digest(raw: &[u8]) -> Option<u64> {
    memmem::find(raw, b"\"eventID\"")?;
    let start = json::skip_ws(raw, 0);
    value_digest(raw, start).ok().map(|(digest, _)| digest)
}

/// Seeds that keep values of different kinds apart (`"1"` and `1`, `{}` and `[]`).
const STRING: u64 = 0x5354_5249_4e47;
const SCALAR: u64 = 0x5343_414c_4152;
const OBJECT: u64 = 0x4f42_4a45_4354;
const ARRAY: u64 = 0x4152_5241_5900;

/// The digest of the value at `pos` and the position after it.
fn value_digest(raw: &[u8], pos: usize) -> Result<(u64, usize), SyntaxError> {
    match raw.get(pos) {
        Some(b'{') => {
            // A sum of member digests: the same whatever the members' order.
            let mut sum = 0u64;
            let end = json::for_each_member(raw, pos, |key, start| -> Result<usize, SyntaxError> {
                let (value, end) = value_digest(raw, start)?;
                let key = XxHash3_64::oneshot_with_seed(STRING, &json::decode(key));
                sum = sum.wrapping_add(pair(key, value));
                Ok(end)
            })?;
            Ok((XxHash3_64::oneshot_with_seed(OBJECT, &sum.to_le_bytes()), end))
        }
        Some(b'[') => {
            let mut chain = ARRAY;
            let end = json::for_each_element(raw, pos, |_, start| -> Result<usize, SyntaxError> {
                let (value, end) = value_digest(raw, start)?;
                chain = pair(chain, value);
                Ok(end)
            })?;
            Ok((chain, end))
        }
        Some(b'"') => {
            let end = json::skip_string(raw, pos)?;
            Ok((XxHash3_64::oneshot_with_seed(STRING, &json::decode(&raw[pos + 1..end - 1])), end))
        }
        _ => {
            let end = json::skip_value(raw, pos)?;
            Ok((XxHash3_64::oneshot_with_seed(SCALAR, &raw[pos..end]), end))
        }
    }
}

/// An order-sensitive digest of two digests.
fn pair(a: u64, b: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    XxHash3_64::oneshot(&bytes)
}

/// The digests are already uniform: they index the table as they are.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type DigestSet = HashSet<u64, BuildHasherDefault<Identity>>;

/// One shard: the digests of the current and of the previous generation.
#[derive(Default)]
struct Shard {
    current: DigestSet,
    previous: DigestSet,
}

/// The events seen so far in a scan, shared by every worker thread.
pub struct Seen {
    shards: Box<[Mutex<Shard>]>,
    copies: AtomicU64,
}

impl Default for Seen {
    fn default() -> Seen {
        Seen { shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(), copies: AtomicU64::new(0) }
    }
}

impl Seen {
    pub fn new() -> Seen {
        Seen::default()
    }

    /// Whether `raw` is an event not seen before in this or the previous generation; a copy
    /// returns false and is counted ([`Seen::copies`]). Safe to call from any thread.
    pub fn first_sighting(&self, raw: &[u8]) -> bool {
        let Some(digest) = event_digest(raw) else { return true };
        // The top bits pick the shard; the table hashes with the low bits.
        let shard = &self.shards[(digest >> 58) as usize % SHARDS];
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        if shard.previous.contains(&digest) || !shard.current.insert(digest) {
            drop(shard);
            self.copies.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Starts a new generation: the digests of the one before the current are forgotten.
    pub fn rotate(&self) {
        for shard in self.shards.iter() {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            let current = std::mem::take(&mut shard.current);
            shard.previous = current;
        }
    }

    /// Copies dropped so far.
    pub fn copies(&self) -> u64 {
        self.copies.load(Ordering::Relaxed)
    }

    /// Distinct digests held (current and previous generation).
    pub fn held(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let s = s.lock().unwrap_or_else(PoisonError::into_inner);
                s.current.len() + s.previous.len()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = br#"{"eventID":"1111","eventName":"A"}"#;
    const B: &[u8] = br#"{"eventID":"1111","eventName":"B"}"#;

    #[test]
    fn the_same_id_with_other_content_is_another_event() {
        let seen = Seen::new();
        assert!(seen.first_sighting(A));
        assert!(seen.first_sighting(B), "fake IDs are reused by test corpora");
        assert!(!seen.first_sighting(A));
        assert_eq!(seen.copies(), 1);
    }

    #[test]
    fn whitespace_key_order_and_escapes_do_not_make_another_event() {
        let seen = Seen::new();
        assert!(seen.first_sighting(A));
        assert!(!seen.first_sighting(b"{ \"eventID\": \"1111\",\n  \"eventName\": \"A\" }"));
        assert!(!seen.first_sighting(br#"{"eventName":"A","eventID":"1111"}"#), "member order");
        assert!(!seen.first_sighting(br#"{"eventName":"\u0041","eventID":"1111"}"#), "escapes");
        assert!(seen.first_sighting(br#"{"eventID":"1111","eventName":"A "}"#), "whitespace inside strings");
        assert!(seen.first_sighting(br#"{"eventID":"1111","eventName":["A"]}"#), "another shape");
    }

    #[test]
    fn digests_tell_kinds_and_nesting_apart() {
        let d = |raw: &str| event_digest(raw.as_bytes()).unwrap();
        assert_ne!(d(r#"{"eventID":"1","a":"1"}"#), d(r#"{"eventID":"1","a":1}"#));
        assert_ne!(d(r#"{"eventID":"1","a":{}}"#), d(r#"{"eventID":"1","a":[]}"#));
        assert_ne!(d(r#"{"eventID":"1","a":{"b":1,"c":2}}"#), d(r#"{"eventID":"1","a":{"b":2,"c":1}}"#));
        assert_ne!(d(r#"{"eventID":"1","a":[1,2]}"#), d(r#"{"eventID":"1","a":[2,1]}"#));
        assert_eq!(
            d(r#"{"eventID":"1","a":{"b":1,"c":[2,{"x":null,"y":true}]}}"#),
            d(r#"{"a":{"c":[2,{"y":true,"x":null}],"b":1},"eventID":"1"}"#)
        );
    }

    #[test]
    fn records_without_an_event_id_are_never_copies() {
        let seen = Seen::new();
        let raw = br#"{"eventName":"A"}"#;
        assert!(seen.first_sighting(raw));
        assert!(seen.first_sighting(raw));
        assert_eq!(seen.copies(), 0);
    }

    #[test]
    fn generations_keep_two_windows() {
        let seen = Seen::new();
        assert!(seen.first_sighting(A));
        seen.rotate();
        assert!(!seen.first_sighting(A), "the previous window is still remembered");
        seen.rotate();
        seen.rotate();
        assert!(seen.first_sighting(A), "two windows later it is forgotten");
        assert_eq!(seen.held(), 1);
    }
}
