//! CloudTrail digest files: their format, the string CloudTrail signs, public keys, captured
//! S3 metadata, and the validation of whole digest chains against a bucket dump.

pub mod format;
pub mod keys;
pub mod metadata;
pub mod sign;
pub mod validate;

pub use format::{DigestBody, FormatError, LogFileEntry};
pub use keys::{fingerprint, KeyRing};
pub use sign::string_to_sign;
