//! CloudTrail digest files: their format, the string CloudTrail signs, public keys, and the
//! validation of whole digest chains against a bucket dump.

pub mod format;
pub mod keys;
pub mod sign;

pub use format::{DigestBody, FormatError, LogFileEntry};
pub use keys::{fingerprint, KeyRing};
pub use sign::string_to_sign;
