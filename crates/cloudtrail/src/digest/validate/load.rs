//! Reading every digest of the dump once, in parallel: inflated bytes' hash and parsed body.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::digest::format::{DigestBody, FormatError};
use crate::gz::{InflateError, Inflater};
use crate::tree::{DigestName, KeyPath};

/// A digest file found in the dump.
#[derive(Debug, Clone)]
pub struct DigestFile {
    /// The path as walked (for display).
    pub path: PathBuf,
    /// The absolute path (for matching against keys).
    pub abs: PathBuf,
    /// The key as seen in the dump.
    pub key: String,
    pub layout: KeyPath,
    pub name: DigestName,
}

/// A digest file after reading.
#[derive(Debug)]
pub struct Loaded {
    pub file: DigestFile,
    pub outcome: Result<Parsed, LoadError>,
}

/// A digest that inflated and parsed.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub body: DigestBody,
    /// Lower-case hex SHA-256 of the inflated bytes (what the signature and the next digest's
    /// `previousDigestHashValue` cover).
    pub sha256: String,
}

/// Why a digest could not be read, with the file and the underlying error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("{}: unreadable: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not gzip: the AWS CLI's `invalid format`.
    #[error("{}: invalid format: {source}", path.display())]
    NotGzip {
        path: PathBuf,
        #[source]
        source: InflateError,
    },
    /// Not a digest body (JSON, required fields): the AWS CLI's `invalid format`.
    #[error("{}: invalid format: {source}", path.display())]
    Format {
        path: PathBuf,
        #[source]
        source: FormatError,
    },
}

impl LoadError {
    /// The verdict's reason, in the AWS CLI's words followed by the cause.
    pub fn reason(&self) -> String {
        match self {
            LoadError::Unreadable { source, .. } => format!("unreadable: {source}"),
            LoadError::NotGzip { source, .. } => format!("invalid format ({source})"),
            LoadError::Format { source, .. } => format!("invalid format ({source})"),
        }
    }
}

/// Reads and parses every digest in parallel; the result is indexed by absolute path.
pub fn load_all(files: Vec<DigestFile>) -> HashMap<PathBuf, Loaded> {
    files
        .into_par_iter()
        .map_init(
            || Inflater::with_limit(DIGEST_LIMIT),
            |inflater, file| {
                let outcome = load_one(inflater, &file.path);
                (file.abs.clone(), Loaded { file, outcome })
            },
        )
        .collect()
}

/// The largest digest file read, stored or inflated: a digest lists an hour of log files, far
/// below this; a larger file is refused rather than held.
const DIGEST_LIMIT: usize = 64 << 20;

fn load_one(inflater: &mut Inflater, path: &Path) -> Result<Parsed, LoadError> {
    let unreadable = |source| LoadError::Unreadable { path: path.to_path_buf(), source };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(DIGEST_LIMIT as u64 + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() > DIGEST_LIMIT {
        let too_large = format!("larger than the digest limit of {} MiB", DIGEST_LIMIT >> 20);
        return Err(unreadable(std::io::Error::new(std::io::ErrorKind::InvalidData, too_large)));
    }
    // Like the AWS CLI (zlib.decompress with gzip framing), only the first member counts and
    // trailing bytes are ignored: the signature covers the inflated content, not the file.
    let member =
        inflater.first_member(&bytes).map_err(|source| LoadError::NotGzip { path: path.to_path_buf(), source })?;
    let sha256 = hex::encode(Sha256::digest(member.data));
    let body =
        DigestBody::parse(member.data).map_err(|source| LoadError::Format { path: path.to_path_buf(), source })?;
    Ok(Parsed { body, sha256 })
}
