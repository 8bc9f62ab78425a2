//! Who is behind an access key or role session: `ctl trace`.
//!
//! Two passes over the dump. The first ([`mints::MintScan`]) keeps every call that minted
//! temporary credentials, by minted key. The chains are then followed without reading the dump
//! again: from the target key to the call that minted it, to the key that made that call, and
//! so on until a long-term identity (an IAM user's key, root), an identity outside AWS (SAML,
//! web identity), an AWS service or an EC2 instance is reached, or the minting call is not in
//! the dump (unresolved). The second pass ([`activity::ActivityScan`]) tallies what each key of
//! the chains did, passing over every file that names none of them after a byte search.
//!
//! The JSON form of [`Trace`] is documented in `docs/summary.md`.

pub mod activity;
pub mod mints;

use serde::Serialize;

use crate::summary::Top;
use activity::{SeenIdentity, Tallies, Watch};
use mints::{Edge, Mint, Mints};

/// The longest chain followed (role chaining is limited by AWS too; this guards against loops).
const MAX_HOPS: usize = 16;

/// The most chains reported for one ARN or session (each minting of it starts one).
const MAX_CHAINS: usize = 20;

/// What the user asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Target {
    AccessKey(String),
    /// An identity ARN (an assumed-role or federated-user session, a user).
    Arn(String),
    /// A role session name.
    Session(String),
}

impl Target {
    /// Reads a target: `arn:...` is an ARN, 20 capital letters and digits starting `A` are a
    /// key (`AKIA`, `ASIA`...), anything else a session name.
    pub fn parse(text: &str) -> Target {
        let t = text.trim();
        if t.starts_with("arn:") {
            Target::Arn(t.to_string())
        } else if t.len() == 20 && t.starts_with('A') && t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            Target::AccessKey(t.to_string())
        } else {
            Target::Session(t.to_string())
        }
    }
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub target: Target,
    /// One chain per credential the target names (a key: one; an ARN or session: one per
    /// minting found, or one built from its calls when none is).
    pub chains: Vec<Chain>,
    /// Whether more chains were found than listed.
    pub chains_cut: bool,
    /// Minting calls found in the dump, in all.
    pub minting_calls: u64,
}

/// Links from the target (first) back to its origin (last).
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub links: Vec<Link>,
    pub origin: Origin,
}

/// One credential of a chain.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub access_key: Option<String>,
    /// The identity using it (ARN), and its type, as its calls or its minting show them.
    pub identity: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The call that minted this credential; `None` for a long-term key or when not in the dump.
    pub minted_by: Option<Mint>,
    pub activity: Activity,
}

/// What one credential did (the calls the selection kept).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Activity {
    pub events: u64,
    pub denied: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub event_names: Top,
    pub source_ips: Top,
    pub regions: Top,
}

/// Where a chain ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub kind: OriginKind,
    /// The identity reached (a user's or root's ARN, the provider, the service, the instance).
    pub identity: Option<String>,
    /// In words, for people.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginKind {
    IamUser,
    Root,
    Saml,
    WebIdentity,
    IdentityCenter,
    AwsService,
    Ec2Instance,
    /// The call that minted the last key is not in the dump (or the window).
    Unresolved,
}

/// Text of a JSON string value, owned.
fn text(raw: Option<&[u8]>) -> Option<String> {
    raw.and_then(cwl_filter::json::str_value).map(|v| v.into_owned())
}

/// The chains' skeletons: per chain, its keys from the target back (each key minted by a call
/// made with the next), as far as the minting calls of the first pass tell. The origin of each
/// chain is decided by [`Plan::finish`], from the whole minting calls and the keys' calls.
#[derive(Debug)]
pub struct Plan {
    pub target: Target,
    chains: Vec<Skeleton>,
    chains_cut: bool,
    minting_calls: u64,
}

#[derive(Debug, Clone)]
struct Skeleton {
    /// `None`: the target's own calls (an ARN or session nothing in the dump minted).
    keys: Vec<Option<String>>,
    /// The last key was minted with a key already in the chain.
    looped: bool,
}

impl Plan {
    /// Follows the chains of `target` through `mints`.
    pub fn new(target: Target, mints: &Mints) -> Plan {
        let mut starts: Vec<Option<String>> = match &target {
            Target::AccessKey(key) => vec![Some(key.clone())],
            Target::Arn(arn) => matching(mints, |e| e.assumed == mints::name_digest(arn)),
            Target::Session(session) => matching(mints, |e| e.session == mints::name_digest(session)),
        };
        let chains_cut = starts.len() > MAX_CHAINS;
        starts.truncate(MAX_CHAINS);
        if starts.is_empty() {
            // Nothing minted it here: one chain of the target's own calls.
            starts.push(None);
        }
        let chains = starts.into_iter().map(|key| follow(key, mints)).collect();
        Plan { target, chains, chains_cut, minting_calls: mints.by_key.len() as u64 }
    }

    /// What the second pass watches for: every key of the chains, and the target itself.
    pub fn watch(&self) -> Watch {
        let mut watch = Watch::default();
        for key in self.chains.iter().flat_map(|c| c.keys.iter().flatten()) {
            if !watch.keys.contains(key) {
                watch.keys.push(key.clone());
            }
        }
        match &self.target {
            Target::AccessKey(_) => {}
            Target::Arn(arn) => watch.arns.push(arn.clone()),
            Target::Session(session) => watch.sessions.push(session.clone()),
        }
        watch
    }

    /// The report, with each link's minting call and calls from `tallies`, lists cut to `top`.
    pub fn finish(self, tallies: &Tallies, top: usize) -> Trace {
        let target_label = match &self.target {
            Target::AccessKey(k) => format!("key:{k}"),
            Target::Arn(a) => format!("arn:{a}"),
            Target::Session(s) => format!("session:{s}"),
        };
        let chains = self
            .chains
            .into_iter()
            .map(|skeleton| {
                let mut links: Vec<Link> = Vec::new();
                let mut last_seen = None;
                for key in &skeleton.keys {
                    let label = key.as_ref().map_or_else(|| target_label.clone(), |k| format!("key:{k}"));
                    let tally = tallies.by.get(&label);
                    let seen = tally.and_then(|t| t.identity.as_ref()).map(|(_, id)| id.clone());
                    let mint = key.as_ref().and_then(|k| tallies.mints.by_key.get(k)).cloned();
                    let identity = mint
                        .as_ref()
                        .and_then(|m| m.assumed_arn.clone())
                        .or_else(|| seen.as_ref().and_then(|s| s.arn.clone()))
                        .or_else(|| match &self.target {
                            Target::Arn(a) if key.is_none() => Some(a.clone()),
                            _ => None,
                        });
                    let kind = seen.as_ref().and_then(|s| s.kind.clone()).or_else(|| {
                        mint.as_ref().map(|m| {
                            if m.event_name == "GetFederationToken" { "FederatedUser" } else { "AssumedRole" }
                                .to_string()
                        })
                    });
                    last_seen = seen;
                    links.push(Link {
                        access_key: key.clone(),
                        identity,
                        kind,
                        minted_by: mint,
                        activity: tally.map(|t| t.activity(top)).unwrap_or_default(),
                    });
                }
                let origin = origin(&links, skeleton.looped, last_seen.as_ref());
                Chain { links, origin }
            })
            .collect();
        Trace { target: self.target, chains, chains_cut: self.chains_cut, minting_calls: self.minting_calls }
    }
}

/// Where a chain of `links` ends: the caller of the last minting call when nothing minted its
/// key, else what the last key's calls show (`seen`).
fn origin(links: &[Link], looped: bool, seen: Option<&SeenIdentity>) -> Origin {
    if looped {
        return unresolved("the chain loops (a key minted with a key it led to)");
    }
    let Some(last) = links.last() else { return unresolved("no credential") };
    if let Some(m) = &last.minted_by {
        // Minted by a caller without a key: a SAML or web identity, a service.
        return caller_origin(m).unwrap_or_else(|| unresolved("the minting call names no caller key"));
    }
    let before = links.len().checked_sub(2).and_then(|i| links[i].minted_by.as_ref());
    before.and_then(caller_origin).unwrap_or_else(|| unminted(seen, last.access_key.as_deref()))
}

/// The keys minted for identities `wanted` says, earliest first.
fn matching(mints: &Mints, wanted: impl Fn(&Edge) -> bool) -> Vec<Option<String>> {
    let mut found: Vec<(&Box<str>, &Edge)> = mints.by_key.iter().filter(|(_, e)| wanted(e)).collect();
    found.sort_by(|a, b| (a.1.time_ms, a.0).cmp(&(b.1.time_ms, b.0)));
    found.into_iter().map(|(k, _)| Some(k.to_string())).collect()
}

/// The keys from `key` back through the minting calls: each next key is the one its minting
/// call was made with, up to a key the dump does not show minted (or none).
fn follow(key: Option<String>, mints: &Mints) -> Skeleton {
    let mut keys: Vec<Option<String>> = Vec::new();
    let mut next = key;
    let mut looped = false;
    while keys.len() < MAX_HOPS {
        let key = next.take();
        let caller = key.as_deref().and_then(|k| mints.by_key.get(k)).and_then(|e| e.caller_key.as_deref());
        keys.push(key);
        match caller {
            Some(c) if keys.iter().flatten().any(|k| k == c) => {
                looped = true;
                break;
            }
            Some(c) => next = Some(c.to_string()),
            None => break,
        }
    }
    Skeleton { keys, looped }
}

/// Whether the caller of a minting call ends the chain, and how.
fn caller_origin(m: &Mint) -> Option<Origin> {
    let kind = m.caller_type.as_deref().unwrap_or("");
    let origin =
        |kind, identity: Option<&String>, detail: String| Some(Origin { kind, identity: identity.cloned(), detail });
    match kind {
        "IAMUser" => origin(OriginKind::IamUser, m.caller_arn.as_ref(), "an IAM user".to_string()),
        "Root" => origin(OriginKind::Root, m.caller_arn.as_ref(), "the account's root user".to_string()),
        "SAMLUser" => origin(
            OriginKind::Saml,
            m.caller_identity_provider.as_ref().or(m.caller_user_name.as_ref()),
            format!("SAML user {} of {}", or_unknown(&m.caller_user_name), or_unknown(&m.caller_identity_provider)),
        ),
        "WebIdentityUser" => origin(
            OriginKind::WebIdentity,
            m.caller_identity_provider.as_ref(),
            format!("web identity {} of {}", or_unknown(&m.caller_user_name), or_unknown(&m.caller_identity_provider)),
        ),
        "AWSService" if m.caller_invoked_by.as_deref() == Some("ec2.amazonaws.com") && instance(m).is_some() => {
            let id = instance(m).map(str::to_string);
            let detail = format!("EC2 instance {} (its instance role, delivered by EC2)", or_unknown(&id));
            origin(OriginKind::Ec2Instance, id.as_ref(), detail)
        }
        "AWSService" => origin(
            OriginKind::AwsService,
            m.caller_invoked_by.as_ref(),
            format!("the AWS service {}", or_unknown(&m.caller_invoked_by)),
        ),
        _ if m.caller_invoked_by.is_some() && m.caller_key.is_none() => origin(
            OriginKind::AwsService,
            m.caller_invoked_by.as_ref(),
            format!("the AWS service {}", or_unknown(&m.caller_invoked_by)),
        ),
        _ => None,
    }
}

/// The EC2 instance a role session is for, when its session name is an instance id.
fn instance(m: &Mint) -> Option<&str> {
    let session = m.session_name.as_deref().or_else(|| m.assumed_arn.as_deref().and_then(|a| a.rsplit('/').next()))?;
    session.starts_with("i-").then_some(session)
}

fn or_unknown(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(unknown)")
}

fn unresolved(detail: &str) -> Origin {
    Origin { kind: OriginKind::Unresolved, identity: None, detail: detail.to_string() }
}

/// The origin of a credential no call in the dump minted, from how its calls show it.
fn unminted(seen: Option<&SeenIdentity>, key: Option<&str>) -> Origin {
    let Some(id) = seen else {
        return unresolved("neither the credential's minting nor any call with it is in the dump");
    };
    let principal = id.principal_id.as_deref().unwrap_or("");
    let arn = id.arn.clone();
    let long_term = key.is_some_and(|k| k.starts_with("AKIA"));
    match id.kind.as_deref() {
        Some("IAMUser") if long_term => {
            Origin { kind: OriginKind::IamUser, identity: arn, detail: "an IAM user's long-term key".into() }
        }
        Some("IAMUser") if key.is_none() => {
            Origin { kind: OriginKind::IamUser, identity: arn, detail: "an IAM user (its calls with any key)".into() }
        }
        Some("IAMUser") => Origin {
            kind: OriginKind::IamUser,
            identity: arn,
            detail: "an IAM user's session (console sign-in, or minted outside the dump)".into(),
        },
        Some("Root") => Origin { kind: OriginKind::Root, identity: arn, detail: "the account's root user".into() },
        Some("AWSService") => {
            Origin { kind: OriginKind::AwsService, identity: id.invoked_by.clone(), detail: "an AWS service".into() }
        }
        _ if principal.split_once(':').is_some_and(|(_, s)| s.starts_with("i-")) => Origin {
            kind: OriginKind::Ec2Instance,
            identity: Some(principal.rsplit(':').next().unwrap_or(principal).to_string()),
            detail: format!(
                "the instance role of EC2 instance {} (credentials from the instance metadata service)",
                principal.rsplit(':').next().unwrap_or(principal)
            ),
        },
        _ if arn.as_deref().is_some_and(|a| a.contains(":assumed-role/AWSReservedSSO_")) => Origin {
            kind: OriginKind::IdentityCenter,
            identity: arn.as_deref().and_then(|a| a.rsplit('/').next()).map(str::to_string),
            detail: "an IAM Identity Center user (the session name is the user)".into(),
        },
        _ => Origin {
            kind: OriginKind::Unresolved,
            identity: arn,
            detail: "the call that minted this credential is not in the dump (or the window)".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(Target::parse("ASIAXXXXXXXXXXXXXXXX"), Target::AccessKey("ASIAXXXXXXXXXXXXXXXX".into()));
        assert_eq!(
            Target::parse("arn:aws:sts::1:assumed-role/R/s"),
            Target::Arn("arn:aws:sts::1:assumed-role/R/s".into())
        );
        assert_eq!(Target::parse("alice-jump"), Target::Session("alice-jump".into()));
    }

    fn edge(caller_key: &str) -> Edge {
        Edge { caller_key: Some(caller_key.into()), ..Edge::default() }
    }

    #[test]
    fn chains_are_followed_back_and_stop_on_loops() {
        let mut mints = Mints::default();
        mints.by_key.insert("ASIA2".into(), edge("ASIA1"));
        mints.by_key.insert("ASIA1".into(), edge("AKIA0"));
        let plan = Plan::new(Target::AccessKey("ASIA2".into()), &mints);
        let keys: Vec<_> = plan.chains[0].keys.iter().flatten().cloned().collect();
        assert_eq!(keys, ["ASIA2", "ASIA1", "AKIA0"]);
        assert_eq!(plan.watch().keys, keys);
        mints.by_key.insert("ASIA3".into(), edge("ASIA4"));
        mints.by_key.insert("ASIA4".into(), edge("ASIA3"));
        let trace = Plan::new(Target::AccessKey("ASIA3".into()), &mints).finish(&Tallies::default(), 5);
        assert_eq!(trace.chains[0].origin.kind, OriginKind::Unresolved);
        assert_eq!(trace.chains[0].links.len(), 2);
        let trace = Plan::new(Target::AccessKey("ASIA9".into()), &mints).finish(&Tallies::default(), 5);
        assert_eq!(trace.chains[0].links.len(), 1);
        assert_eq!(trace.chains[0].origin.kind, OriginKind::Unresolved);
    }
}
