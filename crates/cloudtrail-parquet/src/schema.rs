//! The table: which event members become which columns, as AWS documents CloudTrail's table for
//! Athena, plus the members that table lacks, a timestamp of `eventTime`, and `_extra`.
//!
//! Column names are the JSON member names in lower case (`sourceIPAddress` is
//! `sourceipaddress`), so existing Athena queries keep working. Members whose type drifts
//! between events (`requestParameters`, `responseElements`, ...) are JSON text. The table is
//! lossless: a member that no column reproduces exactly (an unknown member, a `null`, a value
//! of another type than its column's, an object with members its struct lacks) is also kept,
//! verbatim, in `_extra`, a JSON object whose members win over the columns when the event is
//! read back. [`markdown`] writes this table as `docs/parquet-schema.md`.

use std::sync::{Arc, LazyLock};

use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};

/// How a column holds one member's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A JSON string, as its text.
    Str,
    /// A JSON boolean, as the text `true` or `false` (Athena's table types `readonly` as a string).
    BoolText,
    /// Any JSON value, as its JSON text (members whose type drifts between events).
    Json,
    /// An object with these members.
    Struct(&'static [Member]),
    /// An array of objects with these members.
    List(&'static [Member]),
    /// An object whose values are strings.
    Map,
}

/// One member of an event (or of a nested object) and how its column holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The JSON member name (`sourceIPAddress`); the column is named in lower case.
    pub json: &'static str,
    pub kind: Kind,
    /// Whether AWS's Athena table for CloudTrail has this column (else ctl adds it).
    pub athena: bool,
}

const fn m(json: &'static str, kind: Kind) -> Member {
    Member { json, kind, athena: true }
}

/// A member the Athena table lacks.
const fn new(json: &'static str, kind: Kind) -> Member {
    Member { json, kind, athena: false }
}

use Kind::{BoolText, Json, Str};

const ON_BEHALF_OF: &[Member] = &[m("userId", Str), m("identityStoreArn", Str)];
const ATTRIBUTES: &[Member] = &[m("mfaAuthenticated", Str), m("creationDate", Str)];
const ISSUER: &[Member] =
    &[m("type", Str), m("principalId", Str), m("arn", Str), m("accountId", Str), m("userName", Str)];
const WEB_ID: &[Member] = &[m("federatedProvider", Str), m("attributes", Kind::Map)];
const SESSION_CONTEXT: &[Member] = &[
    m("attributes", Kind::Struct(ATTRIBUTES)),
    m("sessionIssuer", Kind::Struct(ISSUER)),
    m("ec2RoleDelivery", Str),
    m("webIdFederationData", Kind::Struct(WEB_ID)),
    new("sourceIdentity", Str),
    new("assumedRoot", Str),
];
const USER_IDENTITY: &[Member] = &[
    m("type", Str),
    m("principalId", Str),
    m("arn", Str),
    m("accountId", Str),
    m("invokedBy", Str),
    m("accessKeyId", Str),
    m("userName", Str),
    m("onBehalfOf", Kind::Struct(ON_BEHALF_OF)),
    m("sessionContext", Kind::Struct(SESSION_CONTEXT)),
    new("identityProvider", Str),
    new("credentialId", Str),
];
const RESOURCE: &[Member] = &[m("ARN", Str), m("accountId", Str), m("type", Str)];
const ADDENDUM: &[Member] =
    &[m("reason", Str), m("updatedFields", Str), m("originalRequestID", Str), m("originalEventID", Str)];
const TLS: &[Member] = &[m("tlsVersion", Str), m("cipherSuite", Str), m("clientProvidedHostHeader", Str)];

/// The event's members with a column, in column order.
pub const EVENT: &[Member] = &[
    m("eventVersion", Str),
    m("userIdentity", Kind::Struct(USER_IDENTITY)),
    m("eventTime", Str),
    m("eventSource", Str),
    m("eventName", Str),
    m("awsRegion", Str),
    m("sourceIPAddress", Str),
    m("userAgent", Str),
    m("errorCode", Str),
    m("errorMessage", Str),
    m("requestParameters", Json),
    m("responseElements", Json),
    m("additionalEventData", Json),
    m("requestID", Str),
    m("eventID", Str),
    m("resources", Kind::List(RESOURCE)),
    m("eventType", Str),
    m("apiVersion", Str),
    m("readOnly", BoolText),
    m("recipientAccountId", Str),
    m("serviceEventDetails", Json),
    m("sharedEventID", Str),
    m("vpcEndpointId", Str),
    m("vpcEndpointAccountId", Str),
    m("eventCategory", Str),
    m("addendum", Kind::Struct(ADDENDUM)),
    m("sessionCredentialFromConsole", Str),
    m("edgeDeviceDetails", Json),
    m("tlsDetails", Kind::Struct(TLS)),
    new("managementEvent", BoolText),
    new("insightDetails", Json),
];

/// The timestamp column: `eventTime` as milliseconds since the epoch, UTC (no time zone in the
/// Parquet type, so that every engine reads it as a plain `timestamp`); null when `eventTime` is
/// absent or not a time.
pub const TIMESTAMP: &str = "eventtimestamp";

/// The JSON object of the members no column reproduces exactly (null when there are none).
pub const EXTRA: &str = "_extra";

/// A column's name: the member's, in lower case.
pub fn column_name(member: &Member) -> String {
    member.json.to_ascii_lowercase()
}

/// The Arrow type of a column.
pub fn data_type(kind: Kind) -> DataType {
    match kind {
        Str | BoolText | Json => DataType::Utf8,
        Kind::Struct(members) => DataType::Struct(fields(members)),
        Kind::List(members) => DataType::List(Arc::new(Field::new("element", DataType::Struct(fields(members)), true))),
        Kind::Map => DataType::Map(Arc::new(map_entries()), false),
    }
}

/// The entries of a map column (`key` never null).
pub fn map_entries() -> Field {
    Field::new(
        "key_value",
        DataType::Struct(Fields::from(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("value", DataType::Utf8, true),
        ])),
        false,
    )
}

/// The fields of a struct column.
pub fn fields(members: &[Member]) -> Fields {
    members.iter().map(|m| Field::new(column_name(m), data_type(m.kind), true)).collect()
}

/// The schema of every Parquet file of an export (partition columns are in the paths, not the
/// files).
pub fn arrow_schema() -> Arc<Schema> {
    static SCHEMA: LazyLock<Arc<Schema>> = LazyLock::new(|| {
        let mut all: Vec<Field> = EVENT.iter().map(|m| Field::new(column_name(m), data_type(m.kind), true)).collect();
        all.push(Field::new(TIMESTAMP, DataType::Timestamp(TimeUnit::Millisecond, None), true));
        all.push(Field::new(EXTRA, DataType::Utf8, true));
        Arc::new(Schema::new(all))
    });
    SCHEMA.clone()
}

/// The SQL type of a kind, in Hive's notation (`struct<a:string>`), which Athena and Spark take.
pub fn hive_type(kind: Kind) -> String {
    let members = |ms: &[Member]| {
        ms.iter().map(|m| format!("{}:{}", column_name(m), hive_type(m.kind))).collect::<Vec<_>>().join(",")
    };
    match kind {
        Str | BoolText | Json => "string".into(),
        Kind::Struct(ms) => format!("struct<{}>", members(ms)),
        Kind::List(ms) => format!("array<struct<{}>>", members(ms)),
        Kind::Map => "map<string,string>".into(),
    }
}

/// The schema as a Markdown document (`docs/parquet-schema.md`), generated from [`EVENT`].
pub fn markdown() -> String {
    let mut out = String::from(
        "# The Parquet schema of `ctl export`\n\n\
         Generated from `crates/cloudtrail-parquet/src/schema.rs` by `cargo run -- generate parquet-schema docs`; a test \
         checks it is current.\n\n\
         The columns follow the table AWS documents for querying CloudTrail with Athena: the JSON member names \
         in lower case, `useridentity` and its `sessioncontext` as structs, `resources` as an array of structs, \
         and the members whose type drifts between events as JSON text. Columns marked *added* are members \
         that table lacks.\n\n\
         **Lossless.** A member no column reproduces exactly (a member of no column, a `null`, a value of \
         another type than its column's, an object with members its struct lacks) is also kept, verbatim, in \
         `_extra`, a JSON object; reading an event back takes the columns and lets `_extra`'s members win. Every \
         exported event reads back JSON-equal to its source; the order of its members is the columns' order, \
         not the source's.\n\n\
         **Partitions.** Files lie under `account=<recipientAccountId>/region=<awsRegion>/month=<YYYY-MM>/` \
         (or `day=<YYYY-MM-DD>/` with `--partition-by day`); a value that is missing, or not safe as a folder \
         name, is `unknown`. The export's root holds `_ctl_export.json`, its manifest.\n\n\
         | column | type | from | |\n|---|---|---|---|\n",
    );
    fn rows(out: &mut String, members: &[Member], prefix: &str, json_prefix: &str) {
        for member in members {
            let name = format!("{prefix}{}", column_name(member));
            let json = format!("{json_prefix}{}", member.json);
            let note = match member.kind {
                BoolText => "`true`/`false` as text",
                Json => "JSON text",
                Kind::Map => "object of strings",
                _ => "",
            };
            let added = if member.athena { "" } else { "*added*" };
            let sep = if note.is_empty() || added.is_empty() { "" } else { "; " };
            let shown = match member.kind {
                Kind::Struct(_) => "struct".to_string(),
                Kind::List(_) => "array<struct>".to_string(),
                other => hive_type(other),
            };
            out.push_str(&format!("| `{name}` | {shown} | `{json}` | {note}{sep}{added} |\n"));
            match member.kind {
                Kind::Struct(inner) => rows(out, inner, &format!("{name}."), &format!("{json}.")),
                Kind::List(inner) => rows(out, inner, &format!("{name}[]."), &format!("{json}[].")),
                _ => {}
            }
        }
    }
    rows(&mut out, EVENT, "", "");
    out.push_str(&format!(
        "| `{TIMESTAMP}` | timestamp (ms, UTC) | `eventTime` | *added*: null when not a time |\n\
         | `{EXTRA}` | string | | JSON object of the members the columns do not reproduce exactly |\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_athena() {
        let schema = arrow_schema();
        for name in ["useridentity", "sourceipaddress", "requestparameters", "resources", "readonly", TIMESTAMP, EXTRA]
        {
            assert!(schema.field_with_name(name).is_ok(), "{name}");
        }
        assert!(hive_type(Kind::List(RESOURCE)).starts_with("array<struct<arn:string"));
    }
}
