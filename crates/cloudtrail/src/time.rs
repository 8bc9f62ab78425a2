//! Parsing of the times users type: RFC 3339, a bare date, or a duration before now.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Why a time argument was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {input:?} as a time: use RFC 3339 (2026-01-02T03:04:05Z), the AWS CLI's form (20260102T03:04:05Z), a date (2026-01-02, UTC) or a duration before now (7d, 12h, 30m)")]
pub struct TimeError {
    pub input: String,
}

/// Parses an absolute time: RFC 3339 (any offset, converted to UTC); the AWS CLI's
/// `YYYYMMDDTHH:MM:SSZ` (as `validate-logs --start-time` takes it) or `YYYYMMDDTHHMMSSZ`;
/// `YYYY-MM-DDTHH:MM[:SS]` without an offset, taken as UTC (CloudTrail writes every time in UTC);
/// or a date `YYYY-MM-DD`, its midnight UTC.
pub fn parse_absolute(input: &str) -> Result<DateTime<Utc>, TimeError> {
    let s = input.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y%m%dT%H:%M:%SZ", "%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    Err(TimeError { input: input.to_string() })
}

/// Parses an absolute time as [`parse_absolute`] does, or a duration (`7d`, `12h`, `1h30m`)
/// meaning that long before `now`.
pub fn parse_time(input: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    parse_absolute(input).or_else(|_| {
        let duration = humantime::parse_duration(input.trim()).map_err(|_| TimeError { input: input.to_string() })?;
        let duration = chrono::Duration::from_std(duration).map_err(|_| TimeError { input: input.to_string() })?;
        now.checked_sub_signed(duration).ok_or_else(|| TimeError { input: input.to_string() })
    })
}

/// Parses a period length such as `1m`, `5m`, `1h` or `1d` into whole seconds (at least 1).
pub fn parse_period(input: &str) -> Result<u64, TimeError> {
    let duration = humantime::parse_duration(input.trim()).map_err(|_| TimeError { input: input.to_string() })?;
    match duration.as_secs() {
        0 => Err(TimeError { input: input.to_string() }),
        secs => Ok(secs),
    }
}

/// The RFC 3339 form ctl prints: UTC, seconds, `Z`.
pub fn format_utc(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    // The common case without the format string's interpretation (a million times a run);
    // years of other widths and leap seconds as chrono writes them.
    if (0..=9999).contains(&year) && t.nanosecond() < 1_000_000_000 {
        let (month, day, hour, minute, second) = (t.month(), t.day(), t.hour(), t.minute(), t.second());
        return format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
    }
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn utc_text_as_strftime_writes_it() {
        for s in ["2026-01-02T03:04:05Z", "0001-12-31T23:59:59Z", "9999-06-30T00:00:00Z", "+10000-01-01T00:00:00Z"] {
            let t = if s.starts_with('+') { at("9999-01-01T00:00:00Z") + chrono::Duration::days(366) } else { at(s) };
            assert_eq!(format_utc(t), t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }

    #[test]
    fn absolute_forms() {
        assert_eq!(parse_absolute("2026-01-02").unwrap(), at("2026-01-02T00:00:00Z"));
        assert_eq!(parse_absolute("2026-01-02T03:04:05+02:00").unwrap(), at("2026-01-02T01:04:05Z"));
        assert_eq!(parse_absolute("2026-01-02T03:04:05").unwrap(), at("2026-01-02T03:04:05Z"));
        assert_eq!(parse_absolute("20160129T19:00:00Z").unwrap(), at("2016-01-29T19:00:00Z"), "the AWS CLI's form");
        assert_eq!(parse_absolute("20160129T190000Z").unwrap(), at("2016-01-29T19:00:00Z"));
        assert!(parse_absolute("yesterday").is_err());
    }

    #[test]
    fn durations_count_back_from_now() {
        let now = at("2026-01-10T00:00:00Z");
        assert_eq!(parse_time("7d", now).unwrap(), at("2026-01-03T00:00:00Z"));
        assert_eq!(parse_time("1h 30m", now).unwrap(), at("2026-01-09T22:30:00Z"));
        assert!(parse_time("7 fortnights", now).is_err());
    }

    #[test]
    fn periods() {
        assert_eq!(parse_period("5m").unwrap(), 300);
        assert_eq!(parse_period("1d").unwrap(), 86_400);
        assert!(parse_period("0s").is_err());
    }
}
