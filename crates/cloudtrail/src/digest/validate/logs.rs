//! Hashing a log file the way the AWS CLI checks it: SHA-256 of the first gzip member's
//! uncompressed bytes, with the CLI's verdicts for trailing data, corruption and truncation.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::gz::{InflateError, Inflater};

/// A SHA-256 of a log file's content, held as bytes (a dump has hundreds of thousands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    fn of(content: &[u8]) -> ContentHash {
        ContentHash(Sha256::digest(content).into())
    }

    /// Whether a digest's `hashValue` names this hash: the lower-case hex string, compared
    /// exactly, as the AWS CLI compares `hexdigest()` with it.
    pub fn matches(&self, hash_value: &str) -> bool {
        let mut hex = [0u8; 64];
        hex::encode_to_slice(self.0, &mut hex).is_ok() && hex[..] == *hash_value.as_bytes()
    }
}

/// What reading and hashing one log file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hashed {
    /// One clean gzip member: the SHA-256 of its content, and its size.
    Clean { sha256: ContentHash, size: u64 },
    /// The file has bytes after its first gzip member (the AWS CLI: "unexpected data after end
    /// of compressed stream").
    TrailingData,
    /// The stream ends early; `sha256` is over what could be inflated, which is what the AWS CLI
    /// hashes (so it reports a hash mismatch unless only the trailer is cut).
    Truncated { sha256: ContentHash },
    /// Not gzip, corrupt deflate data, CRC or size mismatch (the AWS CLI: "invalid format").
    Corrupt,
    /// The file does not exist.
    Missing,
    /// Any other I/O error, with its text.
    Unreadable(String),
}

/// A per-thread log hasher that reuses its input and output buffers across files. A file is
/// hashed in memory, whole (the fast path), when it and its content fit the hasher's bound;
/// a larger one is hashed as a stream, so its size costs time, never memory.
pub struct LogHasher {
    inflater: Inflater,
    input: Vec<u8>,
    in_memory: usize,
}

impl Default for LogHasher {
    fn default() -> LogHasher {
        LogHasher::new(crate::gz::MAX_INFLATED)
    }
}

impl Hashed {
    /// Uncompressed bytes hashed (0 unless clean).
    pub fn size(&self) -> u64 {
        match self {
            Hashed::Clean { size, .. } => *size,
            _ => 0,
        }
    }
}

impl LogHasher {
    /// A hasher holding at most `in_memory` bytes of a file and as much of its content.
    pub fn new(in_memory: usize) -> LogHasher {
        LogHasher { inflater: Inflater::with_limit(in_memory), input: Vec::new(), in_memory }
    }

    pub fn hash(&mut self, path: &Path) -> Hashed {
        match self.hash_in_memory(path) {
            Ok(Some(hashed)) => hashed,
            // Too large to hold: read again, as a stream.
            Ok(None) => match File::open(path) {
                Ok(file) => hash_stream(BufReader::with_capacity(1 << 16, file)),
                Err(e) => unreadable(e),
            },
            Err(e) => unreadable(e),
        }
    }

    /// The verdict on a file read whole, or `None` when the file or its content is larger
    /// than the hasher holds.
    fn hash_in_memory(&mut self, path: &Path) -> std::io::Result<Option<Hashed>> {
        self.input.clear();
        let file = File::open(path)?;
        if file.metadata()?.len() > self.in_memory as u64 {
            return Ok(None);
        }
        file.take(self.in_memory as u64 + 1).read_to_end(&mut self.input)?;
        if self.input.len() > self.in_memory {
            return Ok(None);
        }
        Ok(match self.inflater.first_member(&self.input) {
            Ok(member) if member.consumed == self.input.len() => {
                Some(Hashed::Clean { sha256: ContentHash::of(member.data), size: member.data.len() as u64 })
            }
            Ok(_) => Some(Hashed::TrailingData),
            Err(InflateError::TooLarge { .. }) => None,
            Err(_) => Some(hash_stream(&self.input[..])),
        })
    }
}

fn unreadable(e: std::io::Error) -> Hashed {
    match e.kind() {
        ErrorKind::NotFound => Hashed::Missing,
        _ => Hashed::Unreadable(e.to_string()),
    }
}

/// Hashes a gzip stream with zlib's streaming semantics, as the AWS CLI reads it: truncation
/// (zlib raises nothing and the CLI hashes the partial output) is told from corruption, and
/// bytes after the first member are trailing data.
fn hash_stream(input: impl BufRead) -> Hashed {
    let mut decoder = flate2::bufread::GzDecoder::new(input);
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match decoder.read(&mut buf) {
            Ok(0) => {
                let sha256 = ContentHash(hasher.finalize().into());
                return match decoder.into_inner().fill_buf() {
                    Ok([]) => Hashed::Clean { sha256, size },
                    Ok(_) => Hashed::TrailingData,
                    Err(e) => Hashed::Unreadable(e.to_string()),
                };
            }
            Ok(n) => {
                hasher.update(&buf[..n]);
                size += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                return Hashed::Truncated { sha256: ContentHash(hasher.finalize().into()) };
            }
            Err(_) => return Hashed::Corrupt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gz::gzip;

    /// The verdict on `bytes`, the same whether the file is hashed in memory or as a stream.
    fn hash_bytes(bytes: &[u8]) -> Hashed {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json.gz");
        std::fs::write(&path, bytes).unwrap();
        let whole = LogHasher::default().hash(&path);
        for bound in [16, bytes.len().saturating_sub(1).max(1), bytes.len() + 1] {
            assert_eq!(LogHasher::new(bound).hash(&path), whole, "hashed with {bound} bytes in memory");
        }
        whole
    }

    #[test]
    fn clean_file_hashes_its_content() {
        let content = br#"{"Records":[]}"#;
        assert_eq!(
            hash_bytes(&gzip(content)),
            Hashed::Clean { sha256: ContentHash::of(content), size: content.len() as u64 }
        );
    }

    #[test]
    fn appended_member_is_trailing_data() {
        let mut bytes = gzip(b"one");
        bytes.extend(gzip(b"two"));
        assert_eq!(hash_bytes(&bytes), Hashed::TrailingData);
        let mut padded = gzip(b"one");
        padded.push(0);
        assert_eq!(hash_bytes(&padded), Hashed::TrailingData);
    }

    #[test]
    fn truncation_hashes_the_partial_content_and_corruption_is_invalid() {
        let content: Vec<u8> = (0..20_000u32).flat_map(|i| i.to_string().into_bytes()).collect();
        let bytes = gzip(&content);
        assert!(matches!(hash_bytes(&bytes[..bytes.len() / 2]), Hashed::Truncated { .. }));
        let mut corrupt = bytes.clone();
        corrupt[bytes.len() - 6] ^= 0xff; // inside the CRC
        assert_eq!(hash_bytes(&corrupt), Hashed::Corrupt);
        assert_eq!(hash_bytes(b"plain text"), Hashed::Corrupt);
    }

    #[test]
    fn a_hash_value_matches_only_as_lower_case_hex() {
        let hash = ContentHash::of(b"x");
        let hex = hex::encode(Sha256::digest(b"x"));
        assert!(hash.matches(&hex));
        assert!(!hash.matches(&hex.to_uppercase()));
        assert!(!hash.matches(&hex[..63]));
        assert!(!hash.matches(&format!("{hex} ")));
    }

    #[test]
    fn a_missing_file_is_missing() {
        assert_eq!(LogHasher::default().hash(Path::new("/nonexistent/ctl/x.json.gz")), Hashed::Missing);
    }
}
