//! The string CloudTrail signs for each digest, and RSA verification over it.

use rsa::Pkcs1v15Sign;
use rsa::PublicKey;
use sha2::{Digest as _, Sha256};

/// The exact string CloudTrail signs for a digest (UTF-8, LF separators, no trailing newline):
/// `digestEndTime \n digestS3Bucket/digestS3Object \n hex(sha256(inflated digest)) \n
/// previousDigestSignature`, where a `null` previous signature is the four letters `null`.
pub fn string_to_sign(
    end_time: &str,
    bucket: &str,
    object: &str,
    digest_sha256_hex: &str,
    previous_signature: Option<&str>,
) -> String {
    format!("{end_time}\n{bucket}/{object}\n{digest_sha256_hex}\n{}", previous_signature.unwrap_or("null"))
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    #[error("signature is not hexadecimal")]
    NotHex,
    #[error("signature verification failed")]
    Mismatch,
}

/// Verifies a hex SHA256withRSA (PKCS#1 v1.5) signature of `message`. Either hex case is accepted.
pub fn verify(key: &PublicKey, message: &str, signature_hex: &str) -> Result<(), SignatureError> {
    let signature = hex::decode(signature_hex).map_err(|_| SignatureError::NotHex)?;
    let hashed = Sha256::digest(message.as_bytes());
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, &signature).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_to_sign_matches_the_aws_cli_layout() {
        let s = string_to_sign(
            "2026-01-01T01:00:00Z",
            "bucket",
            "AWSLogs/1/CloudTrail-Digest/x.json.gz",
            "ab12",
            Some("cafe"),
        );
        assert_eq!(s, "2026-01-01T01:00:00Z\nbucket/AWSLogs/1/CloudTrail-Digest/x.json.gz\nab12\ncafe");
    }

    #[test]
    fn a_null_previous_signature_is_the_word_null_and_empty_stays_empty() {
        assert!(string_to_sign("t", "b", "o", "h", None).ends_with("\nh\nnull"));
        assert!(string_to_sign("t", "b", "o", "h", Some("")).ends_with("\nh\n"));
    }
}
