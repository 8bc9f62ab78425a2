//! The borrowed, lazy view of one event: only the fields queries filter on, as raw slices of
//! the record, interpreted when asked.
//!
//! Fields whose type drifts between events (a string here, an object there) never fail the
//! record: each accessor returns `None` when the value is not of the expected type, so an
//! event simply does not match a predicate on a field it does not have in the usual form.

use std::borrow::Cow;

use cwl_filter::json::{self, SyntaxError};

/// The top-level fields of an event that predicates read, as raw JSON slices.
#[derive(Debug, Default, Clone, Copy)]
pub struct EventView<'a> {
    pub event_time: Option<&'a [u8]>,
    pub event_name: Option<&'a [u8]>,
    pub event_source: Option<&'a [u8]>,
    pub aws_region: Option<&'a [u8]>,
    pub recipient_account_id: Option<&'a [u8]>,
    pub source_ip_address: Option<&'a [u8]>,
    pub error_code: Option<&'a [u8]>,
    pub read_only: Option<&'a [u8]>,
    pub user_identity: Option<&'a [u8]>,
    pub error_message: Option<&'a [u8]>,
    pub response_elements: Option<&'a [u8]>,
    pub request_parameters: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
    pub additional_event_data: Option<&'a [u8]>,
    pub event_type: Option<&'a [u8]>,
    pub event_id: Option<&'a [u8]>,
    /// An Insights event's details (it names the API in `insightDetails.eventName`).
    pub insight_details: Option<&'a [u8]>,
}

impl<'a> EventView<'a> {
    /// Reads the top-level members of the record `raw` (one pass, values skipped unread:
    /// the syntax inside nested objects is not checked here, see [`super::check_json`]).
    /// Fails when `raw` is not a JSON object. Of duplicate members, the last is read.
    pub fn parse(raw: &'a [u8]) -> Result<EventView<'a>, SyntaxError> {
        let mut view = EventView::default();
        json::for_each_member(raw, 0, |key, start| -> Result<usize, SyntaxError> {
            let end = super::skip_lenient(raw, start)?;
            view.read(key, &raw[start..end]);
            Ok(end)
        })?;
        Ok(view)
    }

    /// The view of a record whose top-level members another walk found: `members` calls its
    /// argument with each member's key (as written, escapes undecoded) and value, in order. For
    /// a valid record ([`super::check_json`]) it is the view [`EventView::parse`] reads.
    pub fn from_members(members: impl FnOnce(&mut dyn FnMut(&'a [u8], &'a [u8]))) -> EventView<'a> {
        let mut view = EventView::default();
        members(&mut |key, value| view.read(key, value));
        view
    }

    /// Takes in one top-level member (of duplicates, the last read is kept).
    fn read(&mut self, key: &[u8], value: &'a [u8]) {
        let value = Some(value);
        match key {
            b"eventTime" => self.event_time = value,
            b"eventName" => self.event_name = value,
            b"eventSource" => self.event_source = value,
            b"awsRegion" => self.aws_region = value,
            b"recipientAccountId" => self.recipient_account_id = value,
            b"sourceIPAddress" => self.source_ip_address = value,
            b"errorCode" => self.error_code = value,
            b"readOnly" => self.read_only = value,
            b"userIdentity" => self.user_identity = value,
            b"errorMessage" => self.error_message = value,
            b"responseElements" => self.response_elements = value,
            b"requestParameters" => self.request_parameters = value,
            b"userAgent" => self.user_agent = value,
            b"additionalEventData" => self.additional_event_data = value,
            b"eventType" => self.event_type = value,
            b"eventID" => self.event_id = value,
            b"insightDetails" => self.insight_details = value,
            _ => {}
        }
    }

    /// `eventName`, or for an Insights event the API its insight is about
    /// (`insightDetails.eventName`).
    pub fn event_name(&self) -> Option<Cow<'a, str>> {
        self.event_name.or_else(|| self.insight("eventName")).and_then(json::str_value)
    }
    /// `eventSource`, or for an Insights event `insightDetails.eventSource`.
    pub fn event_source(&self) -> Option<Cow<'a, str>> {
        self.event_source.or_else(|| self.insight("eventSource")).and_then(json::str_value)
    }
    fn insight(&self, field: &str) -> Option<&'a [u8]> {
        super::lookup(self.insight_details?, &[field])
    }
    pub fn aws_region(&self) -> Option<Cow<'a, str>> {
        self.aws_region.and_then(json::str_value)
    }
    pub fn recipient_account_id(&self) -> Option<Cow<'a, str>> {
        self.recipient_account_id.and_then(json::str_value)
    }
    pub fn source_ip_address(&self) -> Option<Cow<'a, str>> {
        self.source_ip_address.and_then(json::str_value)
    }
    /// `errorCode` as text (a string, or the JSON text of another non-null type).
    pub fn error_code(&self) -> Option<Cow<'a, str>> {
        self.error_code.and_then(value_text)
    }

    pub fn user_agent(&self) -> Option<Cow<'a, str>> {
        self.user_agent.and_then(json::str_value)
    }
    pub fn event_type(&self) -> Option<Cow<'a, str>> {
        self.event_type.and_then(json::str_value)
    }

    /// `errorMessage` as text.
    pub fn error_message(&self) -> Option<Cow<'a, str>> {
        self.error_message.and_then(value_text)
    }

    /// Whether this is a console sign-in that failed: `responseElements.ConsoleLogin` is
    /// `"Failure"` (such events carry an `errorMessage` but no `errorCode`).
    pub fn is_failed_sign_in(&self) -> bool {
        self.response_elements
            .and_then(|r| super::lookup(r, &["ConsoleLogin"]))
            .and_then(json::str_value)
            .is_some_and(|v| v == "Failure")
    }

    /// `readOnly`, which CloudTrail writes as a boolean and some tools as a string.
    pub fn read_only(&self) -> Option<bool> {
        match self.read_only? {
            b"true" | b"\"true\"" => Some(true),
            b"false" | b"\"false\"" => Some(false),
            _ => None,
        }
    }

    /// `eventTime` in milliseconds since the Unix epoch; `None` when absent or not a time.
    pub fn event_time_ms(&self) -> Option<i64> {
        let text = json::str_value(self.event_time?)?;
        parse_event_time(&text)
    }

    /// The identity fields; all `None` when `userIdentity` is absent or not an object.
    pub fn identity(&self) -> Identity<'a> {
        match self.user_identity {
            Some(raw) if raw.first() == Some(&b'{') => Identity::parse(raw, true),
            _ => Identity::default(),
        }
    }

    /// The identity's own members, without the session issuer (`issuer_*` are `None`): one walk
    /// of `userIdentity`, for readers that look at every event.
    pub fn identity_members(&self) -> Identity<'a> {
        match self.user_identity {
            Some(raw) if raw.first() == Some(&b'{') => Identity::parse(raw, false),
            _ => Identity::default(),
        }
    }
}

/// The fields of `userIdentity` that predicates read.
#[derive(Debug, Default, Clone)]
pub struct Identity<'a> {
    pub kind: Option<Cow<'a, str>>,
    pub user_name: Option<Cow<'a, str>>,
    pub arn: Option<Cow<'a, str>>,
    pub access_key_id: Option<Cow<'a, str>>,
    pub issuer_arn: Option<Cow<'a, str>>,
    pub issuer_user_name: Option<Cow<'a, str>>,
    pub principal_id: Option<Cow<'a, str>>,
    /// The service that made the call on the principal's behalf (`invokedBy`).
    pub invoked_by: Option<Cow<'a, str>>,
    /// The identity provider of a SAML or web identity (`identityProvider`).
    pub identity_provider: Option<Cow<'a, str>>,
}

impl<'a> Identity<'a> {
    fn parse(raw: &'a [u8], with_issuer: bool) -> Identity<'a> {
        let mut id = Identity::default();
        let mut session_context = None;
        // A malformed identity leaves the fields read so far (the record is validated before use).
        let _ = json::for_each_member(raw, 0, |key, start| -> Result<usize, SyntaxError> {
            let end = super::skip_lenient(raw, start)?;
            let value = &raw[start..end];
            match key {
                b"type" => id.kind = json::str_value(value),
                b"userName" => id.user_name = json::str_value(value),
                b"arn" => id.arn = json::str_value(value),
                b"accessKeyId" => id.access_key_id = json::str_value(value),
                b"principalId" => id.principal_id = json::str_value(value),
                b"invokedBy" => id.invoked_by = json::str_value(value),
                b"identityProvider" => id.identity_provider = json::str_value(value),
                b"sessionContext" if with_issuer => session_context = Some(value),
                _ => {}
            }
            Ok(end)
        });
        if let Some(issuer) = session_context.and_then(|sc| super::lookup(sc, &["sessionIssuer"])) {
            id.issuer_arn = super::lookup(issuer, &["arn"]).and_then(json::str_value);
            id.issuer_user_name = super::lookup(issuer, &["userName"]).and_then(json::str_value);
        }
        id
    }

    /// The session name of an assumed-role or federated-user ARN (its last `/` segment).
    pub fn session_name(&self) -> Option<&str> {
        let arn = self.arn.as_deref()?;
        let (_, resource) = arn.split_once(":assumed-role/").or_else(|| arn.split_once(":federated-user/"))?;
        resource.rsplit('/').next()
    }
}

/// A value as text: a string decoded, `null` as `None`, anything else as its JSON text.
fn value_text(raw: &[u8]) -> Option<Cow<'_, str>> {
    if raw == b"null" {
        return None;
    }
    json::str_value(raw).or_else(|| Some(String::from_utf8_lossy(raw)))
}

/// Parses an `eventTime`: the `YYYY-MM-DDTHH:MM:SSZ` CloudTrail writes (fast path), any
/// RFC 3339 time, or `YYYY-MM-DD HH:MM:SS[.fff]` (taken as UTC; some exports rewrite times so).
/// Milliseconds since the Unix epoch.
pub fn parse_event_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() == 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':' && b[19] == b'Z'
    {
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            b[r].iter().try_fold(0i64, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && sec < 61 {
            return Some((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec) * 1000);
        }
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc().timestamp_millis())
        })
        .ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_needed_fields_and_tolerates_drift() {
        let raw = br#"{"eventTime":"2021-07-29T00:00:01Z","eventName":"Delete\u0042ucket","readOnly":"false",
            "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/alice",
              "sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/R","userName":"R"}}},
            "errorCode":{"odd":1},"sourceIPAddress":{"x":1},"awsRegion":"us-east-1"}"#;
        let v = EventView::parse(raw).unwrap();
        assert_eq!(v.event_name().unwrap(), "DeleteBucket");
        assert_eq!(v.read_only(), Some(false));
        assert_eq!(v.event_time_ms(), Some(1_627_516_801_000));
        assert_eq!(v.source_ip_address(), None);
        assert_eq!(v.error_code().unwrap(), "{\"odd\":1}");
        let id = v.identity();
        assert_eq!(id.session_name(), Some("alice"));
        assert_eq!(id.issuer_arn.as_deref(), Some("arn:aws:iam::1:role/R"));
        let odd = EventView::parse(br#"{"userIdentity":"AWS Internal","eventTime":5}"#).unwrap();
        assert!(odd.identity().kind.is_none());
        assert_eq!(odd.event_time_ms(), None);
        assert!(EventView::parse(b"[1]").is_err());
    }

    #[test]
    fn event_times() {
        assert_eq!(parse_event_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_event_time("2000-03-01T00:00:00Z"), Some(951_868_800_000));
        assert_eq!(parse_event_time("2021-07-29T00:00:00.250Z"), Some(1_627_516_800_250));
        assert_eq!(parse_event_time("2021-07-29 00:00:00.250000000"), Some(1_627_516_800_250));
        assert_eq!(parse_event_time("redacted"), None);
        assert_eq!(parse_event_time("2021-13-29T00:00:00Z"), None);
    }
}
