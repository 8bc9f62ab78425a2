//! The first pass of a trace: every call that minted temporary credentials, by the key it
//! minted (`responseElements.credentials.accessKeyId`), with who made it, with which key and
//! from where. Only these calls are kept (a few per cent of a dump's events), each once: of
//! copies (a cross-account call is logged in both accounts), the earliest.

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

/// Minting calls by minted key.
#[derive(Debug, Default)]
pub struct Mints {
    pub by_key: Map<String, Mint>,
}

impl Mints {
    fn add(&mut self, key: String, mint: Mint) {
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
        if let Some((key, mint)) = minting(&view) {
            acc.add(key, mint);
        }
        Ok(())
    }

    fn merge(&self, mut a: Mints, b: Mints) -> Mints {
        for (key, mint) in b.by_key {
            a.add(key, mint);
        }
        a
    }
}

/// The key an event minted and the minting, when it is a successful minting call.
pub fn minting(view: &EventView<'_>) -> Option<(String, Mint)> {
    let name = view.event_name()?;
    if !MINTING_CALLS.contains(&name.as_ref()) || view.error_code().is_some_and(|c| !c.is_empty()) {
        return None;
    }
    let response = view.response_elements?;
    let key = text(lookup(response, &["credentials", "accessKeyId"]))?;
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
