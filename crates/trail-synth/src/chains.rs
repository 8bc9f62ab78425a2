//! Scripted credential chains, for tests of `ctl trace` and `ctl summary`.
//!
//! With [`crate::SynthSpec::credential_chains`], the first log file of the first hour of the first
//! region of the first trail gets, per account, a fixed cast of calls appended to its random ones:
//! credentials minted (`AssumeRole`, `AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`,
//! `GetSessionToken`) with `responseElements.credentials.accessKeyId` the minted `ASIA` key, and
//! then used, so that each key's chain back to a long-term identity is known:
//!
//! ```text
//! IAM user chain-alice (AKIA) -AssumeRole-> jump-role (A) -AssumeRole-> cross-account-admin (B)
//! IAM user chain-carol (AKIA) -GetSessionToken-> session -AssumeRole-> jump-role (A)
//! SAML bob@example.com (Okta) -AssumeRoleWithSAML-> okta-engineer (A)
//! web identity (GitHub)       -AssumeRoleWithWebIdentity-> ci-deploy (A)
//! EC2 instance i-0...         -> web-instance-role (A), minted outside the dump (principalId AROA...:i-...)
//! no minting call             -> cross-account-admin/unknown-session (B): unresolved
//! ```
//!
//! A is the first account, B the second (A again with one account). The keys and ids come from
//! the seed alone ([`Cast::new`]), so both accounts' files agree on them.

use chrono::{DateTime, Duration, Utc};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::records::{chars, uuid, ALNUM_UPPER, BASE32, HEX};

/// The principals and keys of the script.
pub struct Cast {
    pub a: String,
    pub b: String,
    /// chain-alice's long-term key, and the keys minted from it (jump-role, then cross-account-admin).
    pub alice_key: String,
    pub jump_key: String,
    pub cross_key: String,
    /// chain-carol's long-term key, her GetSessionToken key, and the jump-role key minted with it.
    pub carol_key: String,
    pub carol_session_key: String,
    pub carol_jump_key: String,
    pub saml_key: String,
    pub web_key: String,
    /// Used by an EC2 instance role; minted outside the dump.
    pub instance_key: String,
    pub instance_id: String,
    /// Used, never minted in the dump.
    pub orphan_key: String,
    role_ids: [String; 5],
    user_ids: [String; 2],
}

const ALICE_IP: &str = "198.51.100.7";
const CAROL_IP: &str = "198.51.100.23";
const ATTACKER_IP: &str = "203.0.113.50";
const CLI: &str = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22";

impl Cast {
    /// The cast of the dump of `seed` over `accounts` (their ids, in order).
    pub fn new(seed: u64, accounts: &[String]) -> Cast {
        let mut rng = crate::seeded_rng(seed, &["credential-chains"]);
        let asia = |rng: &mut ChaCha8Rng| format!("ASIA{}", chars(rng, BASE32, 16));
        let a = accounts.first().cloned().unwrap_or_default();
        let b = accounts.get(1).cloned().unwrap_or_else(|| a.clone());
        Cast {
            alice_key: format!("AKIA{}", chars(&mut rng, BASE32, 16)),
            jump_key: asia(&mut rng),
            cross_key: asia(&mut rng),
            carol_key: format!("AKIA{}", chars(&mut rng, BASE32, 16)),
            carol_session_key: asia(&mut rng),
            carol_jump_key: asia(&mut rng),
            saml_key: asia(&mut rng),
            web_key: asia(&mut rng),
            instance_key: asia(&mut rng),
            instance_id: format!("i-0{}", chars(&mut rng, HEX, 16)),
            orphan_key: asia(&mut rng),
            role_ids: std::array::from_fn(|_| format!("AROA{}", chars(&mut rng, ALNUM_UPPER, 17))),
            user_ids: std::array::from_fn(|_| format!("AIDA{}", chars(&mut rng, ALNUM_UPPER, 17))),
            a,
            b,
        }
    }

    /// The records the script adds to `account`'s first file, at times from `first` on, one
    /// second apart (all before `delivered`).
    pub fn records(&self, rng: &mut ChaCha8Rng, account: &str, first: DateTime<Utc>) -> Vec<Value> {
        let mut calls: Vec<Call> = Vec::new();
        if account == self.a {
            calls.extend(self.account_a());
        }
        if account == self.b {
            calls.extend(self.account_b());
        }
        calls
            .into_iter()
            .enumerate()
            .map(|(i, call)| call.record(rng, account, first + Duration::seconds(i as i64)))
            .collect()
    }

    fn user(&self, which: usize) -> Value {
        let (name, key) = if which == 0 { ("chain-alice", &self.alice_key) } else { ("chain-carol", &self.carol_key) };
        json!({"type": "IAMUser", "principalId": self.user_ids[which], "arn": format!("arn:aws:iam::{}:user/{name}", self.a),
               "accountId": self.a, "accessKeyId": key, "userName": name})
    }

    /// An assumed-role identity: role `r` (index into the role ids) of `account`, session, key.
    fn role(&self, r: usize, account: &str, role: &str, session: &str, key: &str) -> Value {
        json!({"type": "AssumedRole", "principalId": format!("{}:{session}", self.role_ids[r]),
               "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"), "accountId": account, "accessKeyId": key,
               "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": self.role_ids[r],
                   "arn": format!("arn:aws:iam::{account}:role/{role}"), "accountId": account, "userName": role},
                 "attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"}}})
    }

    fn minted(&self, r: usize, account: &str, role: &str, session: &str, key: &str) -> Value {
        json!({"credentials": {"accessKeyId": key, "sessionToken": "FwoGZXIvYXdzEXAMPLE", "expiration": "Jan 1, 2026, 1:00:00 AM"},
               "assumedRoleUser": {"assumedRoleId": format!("{}:{session}", self.role_ids[r]),
                   "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")}})
    }

    fn account_a(&self) -> Vec<Call> {
        let a = self.a.as_str();
        let jump = |session: &str, key: &str| self.role(0, a, "jump-role", session, key);
        let assume = |account: &str, role: &str, session: &str| json!({"roleArn": format!("arn:aws:iam::{account}:role/{role}"), "roleSessionName": session});
        let saml_id = json!({"type": "SAMLUser", "principalId": "SAMLPrincipal:bob@example.com", "userName": "bob@example.com",
                              "identityProvider": format!("arn:aws:iam::{a}:saml-provider/Okta")});
        let web_id = json!({"type": "WebIdentityUser", "principalId": "token.actions.githubusercontent.com:sts.amazonaws.com:repo:example/app:ref:refs/heads/main",
                             "userName": "repo:example/app:ref:refs/heads/main", "identityProvider": "token.actions.githubusercontent.com"});
        let ec2 = json!({"type": "AssumedRole", "principalId": format!("{}:{}", self.role_ids[4], self.instance_id),
                          "arn": format!("arn:aws:sts::{a}:assumed-role/web-instance-role/{}", self.instance_id), "accountId": a,
                          "accessKeyId": self.instance_key,
                          "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": self.role_ids[4],
                              "arn": format!("arn:aws:iam::{a}:role/web-instance-role"), "accountId": a, "userName": "web-instance-role"},
                            "ec2RoleDelivery": "2.0"}});
        vec![
            Call::new(self.user(0), "iam", "ListUsers", ALICE_IP),
            Call::new(self.user(0), "sts", "AssumeRole", ALICE_IP)
                .request(assume(a, "jump-role", "alice-jump"))
                .response(self.minted(0, a, "jump-role", "alice-jump", &self.jump_key)),
            Call::new(jump("alice-jump", &self.jump_key), "sts", "GetCallerIdentity", ALICE_IP),
            Call::new(jump("alice-jump", &self.jump_key), "iam", "ListRoles", ALICE_IP),
            Call::new(jump("alice-jump", &self.jump_key), "sts", "AssumeRole", ALICE_IP)
                .request(assume(&self.b, "cross-account-admin", "alice-cross"))
                .response(self.minted(1, &self.b, "cross-account-admin", "alice-cross", &self.cross_key)),
            Call::new(self.user(1), "sts", "GetSessionToken", CAROL_IP)
                .request(json!({"durationSeconds": 3600}))
                .response(
                    json!({"credentials": {"accessKeyId": self.carol_session_key, "sessionToken": "FwoGZXIvYXdzEXAMPLE",
                       "expiration": "Jan 1, 2026, 1:00:00 AM"}}),
                ),
            Call::new(self.session_user(), "sts", "AssumeRole", CAROL_IP)
                .request(assume(a, "jump-role", "carol-jump"))
                .response(self.minted(0, a, "jump-role", "carol-jump", &self.carol_jump_key)),
            Call::new(jump("carol-jump", &self.carol_jump_key), "s3", "ListBuckets", CAROL_IP),
            Call::new(jump("carol-jump", &self.carol_jump_key), "ec2", "DescribeInstances", CAROL_IP).denied(),
            Call::new(saml_id, "sts", "AssumeRoleWithSAML", "192.0.2.44")
                .request(json!({"roleArn": format!("arn:aws:iam::{a}:role/okta-engineer"),
                                "principalArn": format!("arn:aws:iam::{a}:saml-provider/Okta")}))
                .response(self.minted(2, a, "okta-engineer", "bob@example.com", &self.saml_key)),
            Call::new(
                self.role(2, a, "okta-engineer", "bob@example.com", &self.saml_key),
                "s3",
                "ListBuckets",
                "192.0.2.44",
            ),
            Call::new(
                self.role(2, a, "okta-engineer", "bob@example.com", &self.saml_key),
                "s3",
                "GetBucketPolicy",
                "192.0.2.44",
            ),
            Call::new(
                self.role(2, a, "okta-engineer", "bob@example.com", &self.saml_key),
                "kms",
                "ListKeys",
                "192.0.2.45",
            ),
            Call::new(web_id, "sts", "AssumeRoleWithWebIdentity", "192.0.2.80")
                .request(
                    json!({"roleArn": format!("arn:aws:iam::{a}:role/ci-deploy"), "roleSessionName": "GitHubActions"}),
                )
                .response(self.minted(3, a, "ci-deploy", "GitHubActions", &self.web_key)),
            Call::new(
                self.role(3, a, "ci-deploy", "GitHubActions", &self.web_key),
                "lambda",
                "UpdateFunctionCode",
                "192.0.2.80",
            ),
            Call::new(ec2.clone(), "s3", "GetObject", "10.0.1.15"),
            Call::new(ec2.clone(), "s3", "GetObject", "10.0.1.15"),
            Call::new(ec2.clone(), "ssm", "GetParameter", "10.0.1.15"),
            Call::new(ec2, "secretsmanager", "GetSecretValue", "10.0.1.15"),
        ]
    }

    fn session_user(&self) -> Value {
        let mut id = self.user(1);
        id["accessKeyId"] = json!(self.carol_session_key);
        id["sessionContext"] =
            json!({"attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "true"}});
        id
    }

    fn account_b(&self) -> Vec<Call> {
        let b = self.b.as_str();
        let cross = self.role(1, b, "cross-account-admin", "alice-cross", &self.cross_key);
        let orphan = self.role(1, b, "cross-account-admin", "unknown-session", &self.orphan_key);
        vec![
            Call::new(cross.clone(), "s3", "ListBuckets", ATTACKER_IP),
            Call::new(cross.clone(), "s3", "GetObject", ATTACKER_IP),
            Call::new(cross.clone(), "s3", "GetObject", ATTACKER_IP),
            Call::new(cross.clone(), "s3", "GetObject", ATTACKER_IP),
            Call::new(cross, "s3", "DeleteObject", ATTACKER_IP).denied(),
            Call::new(orphan.clone(), "iam", "ListUsers", "192.0.2.99"),
            Call::new(orphan, "iam", "CreateAccessKey", "192.0.2.99"),
        ]
    }
}

/// One scripted call.
struct Call {
    identity: Value,
    source: &'static str,
    name: &'static str,
    ip: &'static str,
    request: Value,
    response: Value,
    denied: bool,
}

impl Call {
    fn new(identity: Value, source: &'static str, name: &'static str, ip: &'static str) -> Call {
        Call { identity, source, name, ip, request: Value::Null, response: Value::Null, denied: false }
    }
    fn request(self, request: Value) -> Call {
        Call { request, ..self }
    }
    fn response(self, response: Value) -> Call {
        Call { response, ..self }
    }
    fn denied(self) -> Call {
        Call { denied: true, ..self }
    }

    fn record(self, rng: &mut ChaCha8Rng, account: &str, t: DateTime<Utc>) -> Value {
        let read_only = ["List", "Get", "Describe"].iter().any(|p| self.name.starts_with(p));
        let mut record = json!({
            "eventVersion": "1.08", "userIdentity": self.identity, "eventTime": crate::records::stamp(t),
            "eventSource": format!("{}.amazonaws.com", self.source), "eventName": self.name,
            "awsRegion": "us-east-1", "sourceIPAddress": self.ip, "userAgent": CLI,
            "requestParameters": self.request, "responseElements": self.response,
            "requestID": uuid(rng), "eventID": uuid(rng), "readOnly": read_only, "eventType": "AwsApiCall",
            "managementEvent": true, "recipientAccountId": account, "eventCategory": "Management"
        });
        if self.denied {
            record["errorCode"] = json!("AccessDenied");
            record["errorMessage"] = json!("User is not authorized to perform this operation");
            record["responseElements"] = Value::Null;
        }
        record
    }
}
