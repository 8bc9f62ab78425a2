//! Reading every digest of the dump once, in parallel: inflated bytes' hash and parsed body.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::digest::format::DigestBody;
use crate::gz::Inflater;
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
#[derive(Debug, Clone)]
pub struct Loaded {
    pub file: DigestFile,
    pub outcome: Result<Parsed, Problem>,
}

/// A digest that inflated and parsed.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub body: DigestBody,
    /// Lower-case hex SHA-256 of the inflated bytes (what the signature and the next digest's
    /// `previousDigestHashValue` cover).
    pub sha256: String,
}

/// Why a digest could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Unreadable(String),
    /// Not gzip, not JSON, or required fields missing: the AWS CLI's `invalid format`.
    InvalidFormat(String),
}

/// Reads and parses every digest in parallel; the result is indexed by absolute path.
pub fn load_all(files: Vec<DigestFile>) -> HashMap<PathBuf, Loaded> {
    files
        .into_par_iter()
        .map_init(Inflater::new, |inflater, file| {
            let outcome = load_one(inflater, &file.path);
            (file.abs.clone(), Loaded { file, outcome })
        })
        .collect()
}

fn load_one(inflater: &mut Inflater, path: &Path) -> Result<Parsed, Problem> {
    let bytes = std::fs::read(path).map_err(|e| Problem::Unreadable(e.to_string()))?;
    // Like the AWS CLI (zlib.decompress with gzip framing), only the first member counts and
    // trailing bytes are ignored: the signature covers the inflated content, not the file.
    let member = inflater.first_member(&bytes).map_err(|e| Problem::InvalidFormat(e.to_string()))?;
    let sha256 = hex::encode(Sha256::digest(member.data));
    let body = DigestBody::parse(member.data).map_err(|e| Problem::InvalidFormat(e.to_string()))?;
    Ok(Parsed { body, sha256 })
}
