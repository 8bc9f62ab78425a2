//! De-duplication of events delivered more than once.
//!
//! CloudTrail delivers some events twice, and an organization trail and an account trail of the
//! same account both hold every event: a dump can hold several copies of one event. Two records
//! are the same event when they carry an `eventID` and the same content: the same JSON text, as
//! every copy CloudTrail delivers is (a pretty-printed record is compared compacted, see
//! [`event_digest`]). The content decides, not the
//! `eventID` alone, because test corpora reuse fake IDs (`"1111"`) for different events; a record
//! without an `eventID` is never taken for a copy. A copy re-serialized by another tool with its
//! members reordered is not recognized: comparing JSON values instead of texts costs a second
//! walk of every record, which doubled the time of a full scan.
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
use std::sync::{LazyLock, Mutex, PoisonError};

use memchr::memmem;
use twox_hash::XxHash3_64;

use crate::record::event_text;

/// Shards of the set: a power of two, many more than worker threads.
const SHARDS: usize = 64;

/// The digest of a record's text, or `None` when it carries no `eventID` (then it is never a
/// copy). A record on one line is hashed as written; one spanning lines (pretty-printed) is
/// compacted first ([`event_text`]), so that it is the same event as its compact copy.
pub fn event_digest(raw: &[u8]) -> Option<u64> {
    static EVENT_ID: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"\"eventID\""));
    EVENT_ID.find(raw)?;
    // A newline cannot be inside a JSON string: a record without one is as CloudTrail writes it.
    Some(match memchr::memchr(b'\n', raw) {
        None => XxHash3_64::oneshot(raw),
        Some(_) => XxHash3_64::oneshot(&event_text(raw)),
    })
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
        // The top bits chose the shard, so they are the same for every key of a table: moved
        // away from the bits the table probes with (the low ones for the bucket, the top seven
        // for its tag).
        self.0 = n.rotate_right(7);
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
    fn whitespace_outside_strings_does_not_make_another_event() {
        let seen = Seen::new();
        assert!(seen.first_sighting(A));
        assert!(!seen.first_sighting(b"{ \"eventID\": \"1111\",\n  \"eventName\": \"A\" }"), "pretty-printed");
        assert!(seen.first_sighting(br#"{"eventID":"1111","eventName":"A "}"#), "whitespace inside strings");
        assert!(seen.first_sighting(br#"{"eventName":"A","eventID":"1111"}"#), "another text: member order");
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
