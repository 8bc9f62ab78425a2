//! Field paths (`userIdentity.arn`, `requestParameters.bucketName`, `resources[0].ARN`) and the
//! cells they extract from a raw event, checked against the fields CloudTrail records have.
//!
//! One syntax, the filter patterns' (`$.` optional): dotted names, `[N]` to index an array
//! (`resources.0.ARN` is read the same). [`FieldPath::parse`] accepts any such path;
//! [`FieldPath::known`] also requires the path to name a field of the CloudTrail record
//! ([`SCHEMA`]), suggesting the nearest known name for a typo. Below the members whose content
//! depends on the API (`requestParameters`, `responseElements`, `additionalEventData`,
//! `serviceEventDetails`, `addendum`, `insightContext`...) every name is accepted.

use std::borrow::Cow;

use cwl_filter::json;

/// A field path as the user typed it, pre-split into segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    name: String,
    segments: Vec<String>,
}

/// A path that cannot name a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// Not a path: empty segments, unbalanced brackets (`a..b`, `a[0`).
    #[error("bad field path {0:?}: use dotted names such as userIdentity.arn or resources[0].ARN")]
    Syntax(String),
    /// A well-formed path naming no field of a CloudTrail record.
    #[error("unknown field {path:?}{}", suggestion.as_ref().map(|s| format!(": did you mean {s}?")).unwrap_or_default())]
    Unknown { path: String, suggestion: Option<String> },
}

/// A field of a CloudTrail record and what may be below it.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub members: Members,
}

/// What a [`Field`] holds.
#[derive(Debug)]
pub enum Members {
    /// A value with no named members (a string, number, boolean).
    Leaf,
    /// Content that depends on the API: any member is accepted below it.
    Free,
    /// These members (for an array, the members of its elements).
    Of(&'static [Field]),
}

const fn leaf(name: &'static str) -> Field {
    Field { name, members: Members::Leaf }
}
const fn free(name: &'static str) -> Field {
    Field { name, members: Members::Free }
}
const fn of(name: &'static str, members: &'static [Field]) -> Field {
    Field { name, members: Members::Of(members) }
}

const SESSION_ISSUER: &[Field] = &[leaf("type"), leaf("principalId"), leaf("arn"), leaf("accountId"), leaf("userName")];
const SESSION_CONTEXT: &[Field] = &[
    of("attributes", &[leaf("creationDate"), leaf("mfaAuthenticated")]),
    of("sessionIssuer", SESSION_ISSUER),
    of("webIdFederationData", &[leaf("federatedProvider"), free("attributes")]),
    leaf("sourceIdentity"),
    leaf("ec2RoleDelivery"),
    leaf("ec2IssuedInVPC"),
    leaf("assumedRoot"),
];
const USER_IDENTITY: &[Field] = &[
    leaf("type"),
    leaf("principalId"),
    leaf("arn"),
    leaf("accountId"),
    leaf("accessKeyId"),
    leaf("userName"),
    of("sessionContext", SESSION_CONTEXT),
    leaf("invokedBy"),
    leaf("identityProvider"),
    leaf("credentialId"),
    of("onBehalfOf", &[leaf("userId"), leaf("identityStoreArn")]),
    free("inScopeOf"),
];

/// Every field of a CloudTrail record (management, data, network activity and Insights
/// events), after the AWS documentation's "CloudTrail record contents".
pub const SCHEMA: &[Field] = &[
    leaf("eventVersion"),
    of("userIdentity", USER_IDENTITY),
    leaf("eventTime"),
    leaf("eventSource"),
    leaf("eventName"),
    leaf("awsRegion"),
    leaf("sourceIPAddress"),
    leaf("userAgent"),
    leaf("errorCode"),
    leaf("errorMessage"),
    free("requestParameters"),
    free("responseElements"),
    free("additionalEventData"),
    leaf("requestID"),
    leaf("eventID"),
    leaf("eventType"),
    leaf("apiVersion"),
    leaf("managementEvent"),
    leaf("readOnly"),
    of("resources", &[leaf("ARN"), leaf("ARNPrefix"), leaf("accountId"), leaf("type")]),
    leaf("recipientAccountId"),
    free("serviceEventDetails"),
    leaf("sharedEventID"),
    leaf("vpcEndpointId"),
    leaf("vpcEndpointAccountId"),
    leaf("eventCategory"),
    free("addendum"),
    leaf("sessionCredentialFromConsole"),
    free("eventContext"),
    free("edgeDeviceDetails"),
    of("tlsDetails", &[leaf("tlsVersion"), leaf("cipherSuite"), leaf("clientProvidedHostHeader")]),
    of(
        "insightDetails",
        &[
            leaf("state"),
            leaf("eventSource"),
            leaf("eventName"),
            leaf("errorCode"),
            leaf("insightType"),
            free("insightContext"),
        ],
    ),
];

impl FieldPath {
    /// Parses a path: dotted names, `[N]` array indexes, a leading `$.` accepted
    /// (`$.resources[0].ARN` = `resources.0.ARN`). Any names are accepted; see
    /// [`FieldPath::known`].
    pub fn parse(text: &str) -> Result<FieldPath, FieldError> {
        let trimmed = text.trim();
        let body = trimmed.strip_prefix("$.").unwrap_or(trimmed);
        let bad = || FieldError::Syntax(text.to_string());
        let mut segments = Vec::new();
        for part in body.split('.') {
            let (name, mut rest) = part.find('[').map_or((part, ""), |i| part.split_at(i));
            if name.is_empty() && (segments.is_empty() || rest.is_empty()) {
                return Err(bad());
            }
            if !name.is_empty() {
                segments.push(name.to_string());
            }
            while let Some(open) = rest.strip_prefix('[') {
                let (index, after) = open.split_once(']').ok_or_else(bad)?;
                if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                segments.push(index.to_string());
                rest = after;
            }
            if !rest.is_empty() {
                return Err(bad());
            }
        }
        if body.is_empty() || segments.is_empty() {
            return Err(bad());
        }
        Ok(FieldPath { name: body.to_string(), segments })
    }

    /// Parses a path as [`FieldPath::parse`] does and checks that it names a field of a
    /// CloudTrail record ([`SCHEMA`]); an unknown one is refused with the nearest known path.
    pub fn known(text: &str) -> Result<FieldPath, FieldError> {
        let path = FieldPath::parse(text)?;
        let mut level = SCHEMA;
        let mut walked: Vec<&str> = Vec::new();
        for segment in &path.segments {
            if segment.bytes().all(|b| b.is_ascii_digit()) {
                continue; // an array index: the elements share the array's members
            }
            let Some(field) = level.iter().find(|f| f.name == segment) else {
                let suggestion = nearest(level, segment).map(|n| {
                    walked.push(n);
                    walked.join(".")
                });
                return Err(FieldError::Unknown { path: path.name.clone(), suggestion });
            };
            walked.push(field.name);
            match field.members {
                Members::Free => break,
                Members::Leaf => level = &[],
                Members::Of(members) => level = members,
            }
        }
        Ok(path)
    }

    /// The path as written (without `$.`), used as the column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The segments: member names, and array indexes as digits.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The raw JSON value at this path in `event`, if present.
    pub fn get<'a>(&self, event: &'a [u8]) -> Option<&'a [u8]> {
        crate::record::lookup(event, &self.segments)
    }

    /// The cell for this path in `event`.
    pub fn cell<'a>(&self, event: &'a [u8]) -> Cell<'a> {
        Cell::from_json(self.get(event))
    }
}

/// The name of `level` closest to `typed` (case differences cost little), if any is close.
fn nearest(level: &[Field], typed: &str) -> Option<&'static str> {
    level
        .iter()
        .map(|f| (strsim::damerau_levenshtein(&f.name.to_lowercase(), &typed.to_lowercase()), f.name))
        .filter(|(distance, name)| *distance <= 2.max(name.len() / 3))
        .min()
        .map(|(_, name)| name)
}

/// One value of an output row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Absent or `null`.
    Missing,
    /// A string value, decoded.
    Text(Cow<'a, str>),
    /// Another JSON value (number, boolean, object, array), as compact JSON text.
    Json(Cow<'a, [u8]>),
    /// A count computed by ctl.
    Count(u64),
}

impl<'a> Cell<'a> {
    /// The cell for a raw JSON value.
    pub fn from_json(raw: Option<&'a [u8]>) -> Cell<'a> {
        match raw {
            None | Some(b"null") => Cell::Missing,
            Some(raw) => match json::str_value(raw) {
                Some(text) => Cell::Text(text),
                None => Cell::Json(crate::record::event_text(raw)),
            },
        }
    }

    /// The cell as plain text (CSV, tables, grouping keys): `None` when missing.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Cell::Missing => None,
            Cell::Text(t) => Some(Cow::Borrowed(t)),
            Cell::Json(j) => Some(String::from_utf8_lossy(j)),
            Cell::Count(n) => Some(Cow::Owned(n.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_extract_cells() {
        let ev =
            br#"{"userIdentity":{"arn":"arn:x"},"resources":[{"ARN":"r0"},{"ARN":"r1"}],"n":3,"z":null,"o":{"a": 1}}"#;
        let cell = |p: &str| FieldPath::parse(p).unwrap().cell(ev);
        assert_eq!(cell("userIdentity.arn"), Cell::Text("arn:x".into()));
        assert_eq!(cell("$.resources.1.ARN"), Cell::Text("r1".into()));
        assert_eq!(cell("n").text().unwrap(), "3");
        assert_eq!(cell("o").text().unwrap(), "{\"a\":1}");
        assert_eq!(cell("z"), Cell::Missing);
        assert_eq!(cell("nope.x"), Cell::Missing);
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("").is_err());
    }

    #[test]
    fn brackets_and_dots_index_arrays_alike() {
        let ev = br#"{"resources":[{"ARN":"r0"},{"ARN":"r1"}],"m":[[1,2],[3,4]]}"#;
        let cell = |p: &str| FieldPath::parse(p).unwrap().cell(ev).text().map(|t| t.into_owned());
        assert_eq!(cell("resources[1].ARN").as_deref(), Some("r1"));
        assert_eq!(cell("$.resources[0].ARN").as_deref(), Some("r0"));
        assert_eq!(cell("m[1][0]").as_deref(), Some("3"));
        for bad in ["resources[", "resources[x]", "resources[0]x", "[0]", "a.[", "resources[]"] {
            assert!(matches!(FieldPath::parse(bad), Err(FieldError::Syntax(_))), "{bad}");
        }
    }

    #[test]
    fn unknown_fields_are_refused_with_the_nearest_known_name() {
        assert!(FieldPath::known("userIdentity.sessionContext.sessionIssuer.arn").is_ok());
        assert!(FieldPath::known("requestParameters.anything.at.all").is_ok());
        assert!(FieldPath::known("resources[0].ARN").is_ok());
        let unknown = |p: &str| match FieldPath::known(p) {
            Err(FieldError::Unknown { suggestion, .. }) => suggestion,
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(unknown("userIdentity.arnn").as_deref(), Some("userIdentity.arn"));
        assert_eq!(unknown("eventname").as_deref(), Some("eventName"));
        assert_eq!(unknown("sourceIpAddress").as_deref(), Some("sourceIPAddress"));
        assert_eq!(unknown("bogusField"), None);
        let message = FieldPath::known("userIdentity.arnn").unwrap_err().to_string();
        assert_eq!(message, "unknown field \"userIdentity.arnn\": did you mean userIdentity.arn?");
    }
}
