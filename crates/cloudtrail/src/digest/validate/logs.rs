//! Hashing a log file the way the AWS CLI checks it: SHA-256 of the first gzip member's
//! uncompressed bytes, with the CLI's verdicts for trailing data, corruption and truncation.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::gz::Inflater;

/// What reading and hashing one log file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hashed {
    /// One clean gzip member: the lower-case hex SHA-256 of its content, and its size.
    Clean { sha256: String, size: u64 },
    /// The file has bytes after its first gzip member (the AWS CLI: "unexpected data after end
    /// of compressed stream").
    TrailingData,
    /// The stream ends early; `sha256` is over what could be inflated, which is what the AWS CLI
    /// hashes (so it reports a hash mismatch unless only the trailer is cut).
    Truncated { sha256: String },
    /// Not gzip, corrupt deflate data, CRC or size mismatch (the AWS CLI: "invalid format").
    Corrupt,
    /// The file does not exist.
    Missing,
    /// Any other I/O error, with its text.
    Unreadable(String),
}

/// A per-thread log hasher that reuses its input and output buffers across files.
#[derive(Default)]
pub struct LogHasher {
    inflater: Inflater,
    input: Vec<u8>,
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
    pub fn hash(&mut self, path: &Path) -> Hashed {
        self.input.clear();
        let read = File::open(path).and_then(|mut f| f.read_to_end(&mut self.input));
        if let Err(e) = read {
            return match e.kind() {
                ErrorKind::NotFound => Hashed::Missing,
                _ => Hashed::Unreadable(e.to_string()),
            };
        }
        match self.inflater.first_member(&self.input) {
            Ok(member) if member.consumed == self.input.len() => {
                Hashed::Clean { sha256: hex::encode(Sha256::digest(member.data)), size: member.data.len() as u64 }
            }
            Ok(_) => Hashed::TrailingData,
            Err(_) => classify_failure(&self.input),
        }
    }
}

/// Re-reads a stream libdeflate refused with zlib's streaming semantics, to tell truncation
/// (zlib raises nothing and the CLI hashes the partial output) from corruption.
fn classify_failure(input: &[u8]) -> Hashed {
    let mut decoder = flate2::read::GzDecoder::new(input);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match decoder.read(&mut buf) {
            Ok(0) => {
                // A stream that decodes cleanly here but not in libdeflate is larger than the
                // inflater accepts; its content is still hashed.
                let sha256 = hex::encode(hasher.finalize());
                return if decoder.into_inner().is_empty() {
                    Hashed::Clean { sha256, size: 0 }
                } else {
                    Hashed::TrailingData
                };
            }
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                return Hashed::Truncated { sha256: hex::encode(hasher.finalize()) };
            }
            Err(_) => return Hashed::Corrupt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gz::gzip;

    fn hash_bytes(bytes: &[u8]) -> Hashed {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json.gz");
        std::fs::write(&path, bytes).unwrap();
        LogHasher::default().hash(&path)
    }

    #[test]
    fn clean_file_hashes_its_content() {
        let content = br#"{"Records":[]}"#;
        assert_eq!(
            hash_bytes(&gzip(content)),
            Hashed::Clean { sha256: hex::encode(Sha256::digest(content)), size: content.len() as u64 }
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
    fn a_missing_file_is_missing() {
        assert_eq!(LogHasher::default().hash(Path::new("/nonexistent/ctl/x.json.gz")), Hashed::Missing);
    }
}
