//! Minting calls: the first pass of a trace keeps, for every call that minted temporary
//! credentials, only the edge of the chain it makes (minted key -> the caller's key) and digests
//! of the identity it minted for, a few dozen bytes per call; the second pass reads the whole
//! call ([`Mint`]) for the keys of the chains only. Of copies of one minting (a cross-account
//! call is logged in both accounts), the earliest is kept.

use memchr::memmem;

use super::text;
use crate::query::collect::Matcher;
use crate::record::{lookup, EventView, Refusal};
use crate::scan::Visitor;
use crate::summary::counter::Map;

/// The calls that hand out temporary credentials.
pub const MINTING_CALLS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "GetSessionToken",
    "GetFederationToken",
    "AssumeRoot",
];

/// One minting call.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Mint {
    pub event_name: String,
    pub event_time: Option<String>,
    #[serde(skip)]
    pub time_ms: Option<i64>,
    pub event_id: Option<String>,
    /// `recipientAccountId` of the record.
    pub account: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// `requestParameters.roleArn` and `roleSessionName` (AssumeRole*).
    pub role_arn: Option<String>,
    pub session_name: Option<String>,
    /// The identity the credentials are for (`assumedRoleUser.arn`, `federatedUser.arn`).
    pub assumed_arn: Option<String>,
    /// The caller: `userIdentity` type, ARN, key, principal id, user name, the service that
    /// called, the identity provider (SAML, web identity).
    pub caller_type: Option<String>,
    pub caller_arn: Option<String>,
    pub caller_key: Option<String>,
    pub caller_principal_id: Option<String>,
    pub caller_user_name: Option<String>,
    pub caller_invoked_by: Option<String>,
    pub caller_identity_provider: Option<String>,
    /// Other records of the same minting (the copy in the other account of a cross-account call).
    pub copies: u64,
}

/// What the first pass keeps of a minting call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edge {
    /// The key the call was made with.
    pub caller_key: Option<Box<str>>,
    pub time_ms: Option<i64>,
    /// Digests of the identity minted for (`assumedRoleUser.arn`, `federatedUser.arn`) and of its
    /// session name (`roleSessionName`, else the ARN's last segment); 0 when absent.
    pub assumed: u64,
    pub session: u64,
}

/// Minting calls by minted key: the graph the chains are followed through.
#[derive(Debug, Default)]
pub struct Mints {
    pub by_key: Map<Box<str>, Edge>,
}

impl Mints {
    fn add(&mut self, key: Box<str>, edge: Edge) {
        match self.by_key.get_mut(&key) {
            Some(known) if edge.time_ms < known.time_ms => *known = edge,
            Some(_) => {}
            None => {
                self.by_key.insert(key, edge);
            }
        }
    }
}

/// Full minting calls by minted key (copies counted in [`Mint::copies`]).
#[derive(Debug, Default)]
pub struct MintCalls {
    pub by_key: Map<String, Mint>,
}

impl MintCalls {
    pub fn add(&mut self, key: String, mint: Mint) {
        match self.by_key.get_mut(&key) {
            Some(known) => {
                let copies = known.copies + 1 + mint.copies;
                if mint.time_ms < known.time_ms {
                    *known = mint;
                }
                known.copies = copies;
            }
            None => {
                self.by_key.insert(key, mint);
            }
        }
    }

    pub fn merge(&mut self, other: MintCalls) {
        for (key, mint) in other.by_key {
            self.add(key, mint);
        }
    }
}

/// Collects [`Mints`] from the events the matcher selects (the time window and accounts only).
pub struct MintScan<'p> {
    pub matcher: Matcher<'p>,
    finder: memmem::Finder<'static>,
}

impl<'p> MintScan<'p> {
    pub fn new(matcher: Matcher<'p>) -> MintScan<'p> {
        MintScan { matcher, finder: memmem::Finder::new(b"\"credentials\"") }
    }
}

impl Visitor for MintScan<'_> {
    type Acc = Mints;

    fn new_acc(&self) -> Mints {
        Mints::default()
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.finder.find(data).is_some()
    }

    fn record(&self, acc: &mut Mints, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        if self.finder.find(raw).is_none() {
            return Ok(());
        }
        let Some(view) = self.matcher.check(raw)? else { return Ok(()) };
        if let Some((key, edge)) = edge(&view) {
            acc.add(key, edge);
        }
        Ok(())
    }

    fn merge(&self, mut a: Mints, b: Mints) -> Mints {
        if a.by_key.len() < b.by_key.len() {
            return self.merge(b, a);
        }
        for (key, edge) in b.by_key {
            a.add(key, edge);
        }
        a
    }
}

/// Whether an event is a successful call of [`MINTING_CALLS`]; its minted key's bytes.
fn minted_key<'a>(view: &EventView<'a>) -> Option<std::borrow::Cow<'a, str>> {
    let name = view.event_name()?;
    if !MINTING_CALLS.contains(&name.as_ref()) || view.error_code().is_some_and(|c| !c.is_empty()) {
        return None;
    }
    lookup(view.response_elements?, &["credentials", "accessKeyId"]).and_then(cwl_filter::json::str_value)
}

/// The digest of a session name or identity text (0 is kept for "absent").
pub fn name_digest(text: &str) -> u64 {
    crate::summary::counter::digest(text.as_bytes()).max(1)
}

/// The edge a minting call makes.
fn edge(view: &EventView<'_>) -> Option<(Box<str>, Edge)> {
    let key = minted_key(view)?;
    let response = view.response_elements?;
    let assumed = lookup(response, &["assumedRoleUser", "arn"])
        .or_else(|| lookup(response, &["federatedUser", "arn"]))
        .and_then(cwl_filter::json::str_value);
    let session = view
        .request_parameters
        .and_then(|r| lookup(r, &["roleSessionName"]))
        .and_then(cwl_filter::json::str_value)
        .or_else(|| assumed.as_deref().and_then(|a| a.rsplit('/').next()).map(|s| s.to_string().into()));
    let edge = Edge {
        caller_key: view.identity_members().access_key_id.filter(|k| !k.is_empty()).map(|k| k.into()),
        time_ms: view.event_time_ms(),
        assumed: assumed.as_deref().map_or(0, name_digest),
        session: session.as_deref().map_or(0, name_digest),
    };
    Some((key.into(), edge))
}

/// The key an event minted and the whole minting call, when it is a successful minting call.
pub fn minting(view: &EventView<'_>) -> Option<(String, Mint)> {
    let key = minted_key(view)?.into_owned();
    let name = view.event_name()?;
    let response = view.response_elements?;
    let request = view.request_parameters;
    let assumed = lookup(response, &["assumedRoleUser", "arn"]).or_else(|| lookup(response, &["federatedUser", "arn"]));
    let id = view.identity();
    let owned = |v: Option<std::borrow::Cow<'_, str>>| v.map(|v| v.into_owned());
    let time_ms = view.event_time_ms();
    let mint = Mint {
        event_name: name.into_owned(),
        event_time: crate::summary::time_text(time_ms),
        time_ms,
        event_id: text(view.event_id),
        account: owned(view.recipient_account_id()),
        source_ip: owned(view.source_ip_address()),
        user_agent: owned(view.user_agent()),
        role_arn: text(request.and_then(|r| lookup(r, &["roleArn"]))),
        session_name: text(request.and_then(|r| lookup(r, &["roleSessionName"]))),
        assumed_arn: text(assumed),
        caller_type: owned(id.kind),
        caller_arn: owned(id.arn),
        caller_key: owned(id.access_key_id),
        caller_principal_id: owned(id.principal_id),
        caller_user_name: owned(id.user_name),
        caller_invoked_by: owned(id.invoked_by),
        caller_identity_provider: owned(id.identity_provider),
        copies: 0,
    };
    Some((key, mint))
}
