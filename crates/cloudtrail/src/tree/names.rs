//! Strict parsing of CloudTrail object keys and file names.
//!
//! ```text
//! [PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
//! [PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/
//!     ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ[_backfill].json.gz
//! ```
//! Trail names may contain `_`; region names never do, so the trail is parsed from the right.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// A log file name: `ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogName {
    pub account: String,
    pub region: String,
    /// Delivery time, to the minute.
    pub delivered: DateTime<Utc>,
}

/// A digest file name: `ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHMMSSZ[_backfill].json.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestName {
    pub account: String,
    /// The source region: the region whose log files the digest covers.
    pub region: String,
    pub trail: String,
    pub home_region: String,
    /// `digestEndTime`, as the 16 characters of the name (`YYYYMMDDTHHMMSSZ`).
    pub stamp: String,
    pub end: DateTime<Utc>,
    pub backfill: bool,
}

/// Which CloudTrail area a key lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    /// `CloudTrail/`: log files.
    Logs,
    /// `CloudTrail-Digest/`: digest files.
    Digests,
}

/// The folders of a key under `AWSLogs/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    /// Everything before `AWSLogs/` (without the trailing `/`), empty when none.
    pub prefix: String,
    pub org_id: Option<String>,
    pub account: String,
    pub area: Area,
    pub region: String,
    pub date: NaiveDate,
    pub file_name: String,
}

/// Why a key is not a CloudTrail log or digest key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("not under an AWSLogs/ folder")]
    NoAwsLogs,
    #[error("not a CloudTrail/ or CloudTrail-Digest/ folder: {0}")]
    OtherArea(String),
    #[error("unexpected folder layout: {0}")]
    Layout(&'static str),
    #[error("file name does not follow the CloudTrail naming: {0}")]
    FileName(&'static str),
    #[error("file name says account {name} / region {region_in_name}, folders say {folder} / {region}")]
    Mismatch { name: String, folder: String, region_in_name: String, region: String },
}

/// Whether `s` is a 12-digit account id.
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` looks like an AWS region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is an organization id (`o-` and lower-case letters or digits).
pub fn is_org_id(s: &str) -> bool {
    s.len() > 2 && s.starts_with("o-") && s[2..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Splits an S3 key (components separated by `/`) at its `AWSLogs/` folder and parses the layout.
pub fn parse_key(key: &str) -> Result<KeyPath, KeyError> {
    let parts: Vec<&str> = key.split('/').collect();
    let at = parts.iter().rposition(|p| *p == "AWSLogs").ok_or(KeyError::NoAwsLogs)?;
    let prefix = parts[..at].join("/");
    let mut rest = &parts[at + 1..];
    let org_id = match rest.first() {
        Some(p) if is_org_id(p) => {
            rest = &rest[1..];
            Some(p.to_string())
        }
        _ => None,
    };
    let [account, area, region, y, m, d, file_name] = rest else {
        return Err(match rest.get(1) {
            Some(a) if *a != "CloudTrail" && *a != "CloudTrail-Digest" => KeyError::OtherArea(a.to_string()),
            _ => KeyError::Layout("expected ACCOUNT/CloudTrail[-Digest]/REGION/YYYY/MM/DD/FILE"),
        });
    };
    if !is_account(account) {
        return Err(KeyError::Layout("account folder is not 12 digits"));
    }
    let area = match *area {
        "CloudTrail" => Area::Logs,
        "CloudTrail-Digest" => Area::Digests,
        other => return Err(KeyError::OtherArea(other.to_string())),
    };
    if !is_region(region) {
        return Err(KeyError::Layout("region folder is not a region name"));
    }
    let date = parse_date_folders(y, m, d).ok_or(KeyError::Layout("date folders are not YYYY/MM/DD"))?;
    Ok(KeyPath {
        prefix,
        org_id,
        account: account.to_string(),
        area,
        region: region.to_string(),
        date,
        file_name: file_name.to_string(),
    })
}

fn parse_date_folders(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Parses a log file name (not its folders).
pub fn parse_log_name(name: &str) -> Result<LogName, KeyError> {
    let stem = name.strip_suffix(".json.gz").ok_or(KeyError::FileName("log files end in .json.gz"))?;
    let mut fields = stem.split('_');
    let (Some(account), Some("CloudTrail"), Some(region), Some(stamp), Some(unique), None) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(KeyError::FileName("expected ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz"));
    };
    if !is_account(account) || !is_region(region) {
        return Err(KeyError::FileName("bad account or region in the name"));
    }
    if unique.is_empty() || !unique.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(KeyError::FileName("bad unique suffix"));
    }
    let delivered = parse_stamp(stamp, "%Y%m%dT%H%MZ", 14).ok_or(KeyError::FileName("bad YYYYMMDDTHHmmZ time"))?;
    Ok(LogName { account: account.to_string(), region: region.to_string(), delivered })
}

/// Parses a digest file name (not its folders).
pub fn parse_digest_name(name: &str) -> Result<DigestName, KeyError> {
    let stem = name.strip_suffix(".json.gz").ok_or(KeyError::FileName("digest files end in .json.gz"))?;
    let (stem, backfill) = match stem.strip_suffix("_backfill") {
        Some(s) => (s, true),
        None => (stem, false),
    };
    let malformed = KeyError::FileName("expected ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHMMSSZ.json.gz");
    let (account, rest) = stem.split_once('_').ok_or(malformed.clone())?;
    let rest = rest.strip_prefix("CloudTrail-Digest_").ok_or(malformed.clone())?;
    let (region, rest) = rest.split_once('_').ok_or(malformed.clone())?;
    let (rest, stamp) = rest.rsplit_once('_').ok_or(malformed.clone())?;
    let (trail, home_region) = rest.rsplit_once('_').ok_or(malformed)?;
    if !is_account(account) || !is_region(region) || !is_region(home_region) {
        return Err(KeyError::FileName("bad account or region in the name"));
    }
    if trail.is_empty() || !trail.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
        return Err(KeyError::FileName("bad trail name"));
    }
    let end = parse_stamp(stamp, "%Y%m%dT%H%M%SZ", 16).ok_or(KeyError::FileName("bad YYYYMMDDTHHMMSSZ time"))?;
    Ok(DigestName {
        account: account.to_string(),
        region: region.to_string(),
        trail: trail.to_string(),
        home_region: home_region.to_string(),
        stamp: stamp.to_string(),
        end,
        backfill,
    })
}

fn parse_stamp(stamp: &str, format: &str, len: usize) -> Option<DateTime<Utc>> {
    if stamp.len() != len {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, format).ok().map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_standard_log_key() {
        let key = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02/111122223333_CloudTrail_us-east-1_20260102T0305Z_AbCdEf0123456789.json.gz";
        let k = parse_key(key).unwrap();
        assert_eq!((k.prefix.as_str(), k.org_id, k.area), ("", None, Area::Logs));
        assert_eq!(k.date, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        let n = parse_log_name(&k.file_name).unwrap();
        assert_eq!(n.region, "us-east-1");
        assert_eq!(n.delivered.to_rfc3339(), "2026-01-02T03:05:00+00:00");
    }

    #[test]
    fn parses_organization_and_prefixed_keys() {
        let key = "logs/team/AWSLogs/o-abc123xyz9/111122223333/CloudTrail-Digest/eu-west-1/2026/01/02/x";
        let k = parse_key(key).unwrap();
        assert_eq!(k.prefix, "logs/team");
        assert_eq!(k.org_id.as_deref(), Some("o-abc123xyz9"));
        assert_eq!(k.area, Area::Digests);
    }

    #[test]
    fn other_areas_and_layouts_are_rejected() {
        assert!(matches!(
            parse_key("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/01/02/f"),
            Err(KeyError::OtherArea(_))
        ));
        assert_eq!(parse_key("x/y"), Err(KeyError::NoAwsLogs));
        assert!(parse_key("AWSLogs/111122223333/CloudTrail/us-east-1/2026/13/02/f").is_err());
        assert!(parse_key("AWSLogs/1234/CloudTrail/us-east-1/2026/01/02/f").is_err());
    }

    #[test]
    fn digest_names_parse_trail_from_the_right() {
        let n = parse_digest_name(
            "111122223333_CloudTrail-Digest_ap-northeast-1_my_trail.v2_us-west-2_20231015T230404Z.json.gz",
        )
        .unwrap();
        assert_eq!(
            (n.region.as_str(), n.trail.as_str(), n.home_region.as_str()),
            ("ap-northeast-1", "my_trail.v2", "us-west-2")
        );
        assert_eq!(n.stamp, "20231015T230404Z");
        assert!(!n.backfill);
        let b =
            parse_digest_name("111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20231015T230404Z_backfill.json.gz")
                .unwrap();
        assert!(b.backfill);
    }

    #[test]
    fn malformed_names_are_rejected() {
        for bad in [
            "111122223333_CloudTrail_us-east-1_20260102T0305Z_AbCd.json",
            "111122223333_CloudTrail_us-east-1_20261302T0305Z_AbCd.json.gz",
            "111122223333_CloudTrail_useast1_20260102T0305Z_AbCd.json.gz",
            "111122223333_CloudTrail_us-east-1_20260102T0305Z_Ab_Cd.json.gz",
            "",
        ] {
            assert!(parse_log_name(bad).is_err(), "{bad}");
        }
        for bad in [
            "111122223333_CloudTrail-Digest_us-east-1_us-east-1_20231015T230404Z.json.gz",
            "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20231015T2304Z.json.gz",
            "111122223333_CloudTrail-Digest_us-east-1_t!_us-east-1_20231015T230404Z.json.gz",
        ] {
            assert!(parse_digest_name(bad).is_err(), "{bad}");
        }
    }
}
