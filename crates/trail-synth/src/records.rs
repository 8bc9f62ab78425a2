//! Synthetic CloudTrail records: a per-account cast of users, roles and resources, and a weighted
//! catalog of management events over many services.
//!
//! The mix is meant to look like a busy account: mostly reads made by roles and AWS services,
//! some writes, ~6% errors (half of them access denials), and, at low rates, every event the CIS
//! AWS Foundations metric filters look for (root activity, console logins without MFA or failing,
//! IAM policy, CloudTrail, Config, KMS, S3 policy, network and Organizations changes). Records
//! average a little over 1 KB of compact JSON.
//!
//! Everything is drawn from the caller's rng, so a file's records depend only on its seed.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::{json, Value};

use super::seeded_rng;

/// The region whose log files carry global-service events (IAM, sign-in, Organizations).
pub(crate) const GLOBAL_REGION: &str = "us-east-1";

/// A cast of principals and resources for one account, seen from one region's log files.
pub(crate) struct Actors {
    account: String,
    region: String,
    /// Whether this region's files carry the global-service events.
    global: bool,
    users: Vec<User>,
    sso_roles: Vec<Role>,
    service_roles: Vec<Role>,
    buckets: Vec<String>,
    kms_keys: Vec<String>,
    vpcs: Vec<String>,
    subnets: Vec<String>,
    security_groups: Vec<String>,
    instances: Vec<String>,
    org_id: String,
}

struct User {
    name: String,
    principal: String,
    access_key: String,
    ip: String,
    agent: &'static str,
    mfa: bool,
}

struct Role {
    name: String,
    principal: String,
    sessions: Vec<String>,
    /// The AWS service that uses this role, for service-linked roles.
    invoked_by: Option<&'static str>,
}

/// Who made one call.
enum Who<'a> {
    User { user: &'a User, console: bool },
    Role { role: &'a Role, session: &'a str, console: bool },
    Federated(&'a User),
    Root,
    Service(&'static str),
}

const USER_NAMES: [&str; 20] = [
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "oscar",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "ci-deploy",
    "backup-operator",
];

const AGENTS: [&str; 8] = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off",
    "aws-cli/2.13.4 Python/3.11.4 Darwin/23.1.0 exe/x86_64 prompt/off",
    "Boto3/1.34.21 md/Botocore#1.34.21 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.21",
    "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64",
    "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5",
    "aws-sdk-java/1.12.638 Linux/5.10.205-195.804.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS java/17.0.9 vendor/Amazon.com_Inc.",
    "aws-sdk-js/3.478.0 ua/2.0 os/linux#5.10.205 lang/js md/nodejs#20.10.0 api/sts#3.478.0",
    "aws-sdk-dotnet-coreclr/3.7.300.30 aws-sdk-dotnet-core/3.7.301.4 .NET_Core/8.0.0 OS/Microsoft_Windows_10.0.20348",
];

const BROWSERS: [&str; 4] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
];

pub(crate) const ALNUM_UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(crate) const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub(crate) const HEX: &[u8] = b"0123456789abcdef";

pub(crate) fn chars(rng: &mut ChaCha8Rng, alphabet: &[u8], n: usize) -> String {
    (0..n).map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char).collect()
}

/// `prefix` followed by 17 lower-case hex digits, as EC2 resource ids (`sg-0a1b...`).
fn ec2_id(rng: &mut ChaCha8Rng, prefix: &str) -> String {
    format!("{prefix}-0{}", chars(rng, HEX, 16))
}

pub(crate) fn uuid(rng: &mut ChaCha8Rng) -> String {
    let b: [u8; 16] = rng.gen();
    let h = hex::encode(b);
    format!(
        "{}-{}-4{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        ["8", "9", "a", "b"][usize::from(b[8] & 3)],
        &h[17..20],
        &h[20..32]
    )
}

fn public_ipv4(rng: &mut ChaCha8Rng) -> String {
    const FIRST: [u8; 14] = [3, 18, 34, 35, 44, 52, 54, 81, 88, 91, 104, 145, 185, 203];
    let first = FIRST[rng.gen_range(0..FIRST.len())];
    format!("{first}.{}.{}.{}", rng.gen_range(0..=255), rng.gen_range(0..=255), rng.gen_range(1..=254))
}

fn public_ipv6(rng: &mut ChaCha8Rng) -> String {
    let prefix = ["2600:1f18", "2a02:c7c", "2001:67c", "2a01:4f8"][rng.gen_range(0..4)];
    format!(
        "{prefix}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u16>(),
        rng.gen::<u16>()
    )
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// A temporary (STS) access key id.
fn session_key(rng: &mut ChaCha8Rng) -> String {
    format!("ASIA{}", chars(rng, BASE32, 16))
}

/// When the session of a call made at `t` was created: one minute to four hours before.
fn created(rng: &mut ChaCha8Rng, t: DateTime<Utc>) -> String {
    stamp(t - chrono::Duration::seconds(rng.gen_range(60..4 * 3600)))
}

/// The session context of temporary credentials that `issuer` handed out, without MFA.
fn issued_session(issuer: Issuer<'_>, creation_date: String) -> SessionContext<'_> {
    SessionContext {
        session_issuer: Some(issuer),
        web_id_federation_data: Some(json!({})),
        attributes: Attributes { creation_date, mfa_authenticated: "false" },
    }
}

/// Six to ten IAM users of distinct names, each with an access key, a usual address and agent.
fn users(rng: &mut ChaCha8Rng) -> Vec<User> {
    let mut names: Vec<&str> = USER_NAMES.to_vec();
    names.shuffle(rng);
    names[..rng.gen_range(6..=10)]
        .iter()
        .map(|name| User {
            name: (*name).to_string(),
            principal: format!("AIDA{}", chars(rng, ALNUM_UPPER, 17)),
            access_key: format!("AKIA{}", chars(rng, BASE32, 16)),
            ip: if rng.gen_bool(0.15) { public_ipv6(rng) } else { public_ipv4(rng) },
            agent: AGENTS[rng.gen_range(0..AGENTS.len())],
            mfa: rng.gen_bool(0.75),
        })
        .collect()
}

impl Actors {
    /// The cast of `account` seen from `region`: principals depend only on (seed, account),
    /// regional resources on (seed, account, region).
    pub(crate) fn new(seed: u64, account: &str, region: &str, global: bool, org_id: Option<&str>) -> Actors {
        let mut rng = seeded_rng(seed, &["actors", account]);
        let users = users(&mut rng);
        let emails: Vec<String> = users.iter().map(|u| format!("{}@example.com", u.name)).collect();
        let sso_roles = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "SecurityAudit"]
            .iter()
            .map(|set| Role {
                name: format!("AWSReservedSSO_{set}_{}", chars(&mut rng, HEX, 16)),
                principal: format!("AROA{}", chars(&mut rng, ALNUM_UPPER, 17)),
                sessions: emails.clone(),
                invoked_by: None,
            })
            .collect();
        let role = |name: &str, sessions: Vec<String>, invoked_by: Option<&'static str>, rng: &mut ChaCha8Rng| Role {
            name: name.to_string(),
            principal: format!("AROA{}", chars(rng, ALNUM_UPPER, 17)),
            sessions,
            invoked_by,
        };
        let mut rrng = seeded_rng(seed, &["resources", account, region]);
        let instances: Vec<String> = (0..rng.gen_range(4..12)).map(|_| ec2_id(&mut rrng, "i")).collect();
        let service_roles = vec![
            role("app-server-instance-role", instances.clone(), None, &mut rng),
            role(
                "order-processor-lambda-role",
                vec!["order-processor".into(), "invoice-renderer".into()],
                None,
                &mut rng,
            ),
            role(
                "github-actions-deploy",
                vec!["GitHubActions".into(), format!("deploy-{}", rng.gen_range(1000..9999))],
                None,
                &mut rng,
            ),
            role("OrganizationAccountAccessRole", vec!["admin-session".into(), "break-glass".into()], None, &mut rng),
            role("AWSServiceRoleForConfig", vec!["AWSConfig-Describe".into()], Some("config.amazonaws.com"), &mut rng),
            role(
                "AWSServiceRoleForSecurityHub",
                vec!["securityhub".into()],
                Some("securityhub.amazonaws.com"),
                &mut rng,
            ),
            role("datadog-integration", vec!["DatadogAWSIntegration".into()], None, &mut rng),
        ];
        let buckets = ["app-assets", "access-logs", "terraform-state", "data-lake-raw", "backups"]
            .iter()
            .map(|b| format!("{b}-{account}"))
            .collect();
        let kms_keys = (0..3).map(|_| uuid(&mut rrng)).collect();
        let vpcs = (0..2).map(|_| ec2_id(&mut rrng, "vpc")).collect();
        let subnets = (0..4).map(|_| ec2_id(&mut rrng, "subnet")).collect();
        let security_groups = (0..5).map(|_| ec2_id(&mut rrng, "sg")).collect();
        let org_id = org_id.map_or_else(|| super::org_id(seed), str::to_string);
        Actors {
            account: account.to_string(),
            region: region.to_string(),
            global,
            users,
            sso_roles,
            service_roles,
            buckets,
            kms_keys,
            vpcs,
            subnets,
            security_groups,
            instances,
            org_id,
        }
    }

    /// Appends `times.len()` records, comma-separated, to `out` (the caller writes the
    /// `{"Records":[` ... `]}` around them).
    pub(crate) fn write_records(&self, rng: &mut ChaCha8Rng, times: &[DateTime<Utc>], out: &mut Vec<u8>) {
        let table = tables(self.global);
        for (i, t) in times.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let api = &CATALOG[table.pick(rng)];
            let record = self.record(rng, api, *t);
            serde_json::to_writer(&mut *out, &record).expect("writing JSON to a Vec does not fail");
        }
    }

    fn human<'a>(&'a self, rng: &mut ChaCha8Rng) -> Who<'a> {
        match rng.gen_range(0..1000) {
            0..=399 => {
                let role = pick(rng, &self.sso_roles);
                Who::Role { role, session: pick(rng, &role.sessions).as_str(), console: rng.gen_bool(0.5) }
            }
            400..=699 => Who::User { user: pick(rng, &self.users), console: rng.gen_bool(0.25) },
            700..=949 => {
                let role = pick(rng, &self.service_roles);
                Who::Role { role, session: pick(rng, &role.sessions).as_str(), console: false }
            }
            950..=994 => Who::Federated(pick(rng, &self.users)),
            _ => Who::Root,
        }
    }

    fn arn(&self, who: &Who) -> String {
        let a = &self.account;
        match who {
            Who::User { user, .. } => format!("arn:aws:iam::{a}:user/{}", user.name),
            Who::Role { role, session, .. } => {
                format!("arn:aws:sts::{a}:assumed-role/{}/{session}", role.name)
            }
            Who::Federated(user) => format!("arn:aws:sts::{a}:federated-user/{}", user.name),
            Who::Root => format!("arn:aws:iam::{a}:root"),
            Who::Service(s) => format!("arn:aws:iam::{a}:role/aws-service-role/{s}"),
        }
    }

    fn identity<'a>(&'a self, rng: &mut ChaCha8Rng, who: &Who<'a>, t: DateTime<Utc>) -> Identity<'a> {
        let a = self.account.as_str();
        let mut id = Identity { account_id: Some(a), ..Identity::default() };
        match who {
            Who::User { user, console } => {
                id.kind = Some("IAMUser");
                id.principal_id = Some(user.principal.clone());
                id.arn = Some(self.arn(who));
                id.access_key_id = Some(if *console { session_key(rng) } else { user.access_key.clone() });
                id.user_name = Some(&user.name);
                if *console {
                    id.session_context = Some(SessionContext {
                        session_issuer: None,
                        web_id_federation_data: None,
                        attributes: Attributes {
                            creation_date: created(rng, t),
                            mfa_authenticated: if user.mfa { "true" } else { "false" },
                        },
                    });
                }
            }
            Who::Role { role, session, .. } => {
                id.kind = Some("AssumedRole");
                id.principal_id = Some(format!("{}:{session}", role.principal));
                id.arn = Some(self.arn(who));
                id.access_key_id = Some(session_key(rng));
                let issuer = Issuer {
                    kind: "Role",
                    principal_id: role.principal.clone(),
                    arn: format!(
                        "arn:aws:iam::{a}:role/{}{}",
                        if role.invoked_by.is_some() { "aws-service-role/" } else { "" },
                        role.name
                    ),
                    account_id: a,
                    user_name: &role.name,
                };
                id.session_context = Some(issued_session(issuer, created(rng, t)));
                id.invoked_by = role.invoked_by;
            }
            Who::Federated(user) => {
                id.kind = Some("FederatedUser");
                id.principal_id = Some(format!("{a}:{}", user.name));
                id.arn = Some(self.arn(who));
                id.access_key_id = Some(session_key(rng));
                let issuer = Issuer {
                    kind: "IAMUser",
                    principal_id: user.principal.clone(),
                    arn: format!("arn:aws:iam::{a}:user/{}", user.name),
                    account_id: a,
                    user_name: &user.name,
                };
                id.session_context = Some(issued_session(issuer, created(rng, t)));
            }
            Who::Root => {
                id.kind = Some("Root");
                id.principal_id = Some(a.to_string());
                id.arn = Some(self.arn(who));
                id.access_key_id = Some(session_key(rng));
                id.session_context = Some(SessionContext {
                    session_issuer: None,
                    web_id_federation_data: None,
                    attributes: Attributes { creation_date: created(rng, t), mfa_authenticated: "true" },
                });
            }
            Who::Service(service) => {
                id.kind = Some("AWSService");
                id.account_id = None;
                id.invoked_by = Some(service);
            }
        }
        id
    }

    fn record<'a>(&'a self, rng: &mut ChaCha8Rng, api: &'a Api, t: DateTime<Utc>) -> Record<'a> {
        if api.name == "ConsoleLogin" {
            return self.console_login(rng, t);
        }
        let (service_share, invokers) = service_callers(api.name);
        let who = if api.event_type == "AwsServiceEvent" || rng.gen_range(0..100) < service_share {
            Who::Service(invokers[rng.gen_range(0..invokers.len())])
        } else {
            self.human(rng)
        };
        let global = api.global();
        let region = if global { GLOBAL_REGION } else { self.region.as_str() };
        let body = self.body(rng, api, &who);
        let console = matches!(who, Who::User { console: true, .. } | Who::Role { console: true, .. } | Who::Root);
        let (source_ip, user_agent) = origin(rng, &who, console);
        let mut record = Record {
            event_version: event_version(api.source),
            user_identity: self.identity(rng, &who, t),
            event_time: stamp(t),
            event_source: format!("{}.amazonaws.com", api.source),
            event_name: api.name,
            aws_region: region,
            source_ip_address: source_ip,
            user_agent,
            error_code: None,
            error_message: None,
            request_parameters: body.request,
            response_elements: body.response,
            additional_event_data: body.additional,
            request_id: None,
            event_id: uuid(rng),
            read_only: api.read_only,
            resources: body.resources,
            event_type: api.event_type,
            management_event: true,
            recipient_account_id: &self.account,
            shared_event_id: None,
            event_category: "Management",
            tls_details: None,
            session_credential_from_console: None,
        };
        if api.event_type == "AwsApiCall" {
            record.request_id = Some(if api.source == "s3" { chars(rng, ALNUM_UPPER, 16) } else { uuid(rng) });
        }
        if api.event_type == "AwsServiceEvent" {
            record.shared_event_id = Some(uuid(rng));
            record.user_identity = Identity {
                account_id: Some(&self.account),
                invoked_by: Some("kms.amazonaws.com"),
                ..Identity::default()
            };
        }
        if !matches!(who, Who::Service(_)) && api.event_type == "AwsApiCall" {
            let host = if global {
                format!("{}.amazonaws.com", api.source)
            } else {
                format!("{}.{region}.amazonaws.com", api.source)
            };
            record.tls_details = Some(TlsDetails {
                tls_version: if rng.gen_bool(0.7) { "TLSv1.3" } else { "TLSv1.2" },
                cipher_suite: if rng.gen_bool(0.7) { "TLS_AES_128_GCM_SHA256" } else { "ECDHE-RSA-AES128-GCM-SHA256" },
                client_provided_host_header: host,
            });
            if console {
                record.session_credential_from_console = Some("true");
            }
        }
        self.maybe_fail(rng, api, &who, &mut record);
        record
    }

    /// Turns a few API calls into errors: 0.5% of the services' calls, 6.5% of the others',
    /// half of them access denials naming the caller.
    fn maybe_fail(&self, rng: &mut ChaCha8Rng, api: &Api, who: &Who, record: &mut Record) {
        let unlucky =
            if matches!(who, Who::Service(_)) { rng.gen_range(0..1000) < 5 } else { rng.gen_range(0..1000) < 65 };
        if unlucky && api.event_type == "AwsApiCall" {
            let arn = self.arn(who);
            let (code, message) = if rng.gen_bool(0.5) { denied(api, &arn) } else { failure(api) };
            record.error_code = Some(code);
            record.error_message = Some(message);
            record.response_elements = Value::Null;
            record.resources = None;
        }
    }

    fn console_login(&self, rng: &mut ChaCha8Rng, t: DateTime<Utc>) -> Record<'_> {
        let root = rng.gen_bool(0.08);
        let user = pick(rng, &self.users);
        let failed = rng.gen_bool(0.15);
        let who = if root { Who::Root } else { Who::User { user, console: true } };
        let mut identity = self.identity(rng, &who, t);
        identity.access_key_id = None;
        identity.session_context = None;
        let mfa = if failed {
            false
        } else if root {
            rng.gen_bool(0.7)
        } else {
            user.mfa
        };
        let mut additional = json!({
            "LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1",
            "MobileVersion": "No",
            "MFAUsed": if mfa { "Yes" } else { "No" },
        });
        if mfa {
            additional["MFAIdentifier"] = json!(format!(
                "arn:aws:iam::{}:mfa/{}",
                self.account,
                if root { "root-account-mfa-device" } else { &user.name }
            ));
        }
        // Failed logins often come from elsewhere; root is rarely used from the usual desk.
        let ip = if (failed && rng.gen_bool(0.6)) || root { public_ipv4(rng) } else { user.ip.clone() };
        Record {
            event_version: "1.09",
            user_identity: identity,
            event_time: stamp(t),
            event_source: "signin.amazonaws.com".to_string(),
            event_name: "ConsoleLogin",
            aws_region: GLOBAL_REGION,
            source_ip_address: ip,
            user_agent: pick(rng, &BROWSERS).to_string(),
            error_code: None,
            error_message: failed.then(|| "Failed authentication".to_string()),
            request_parameters: Value::Null,
            response_elements: json!({ "ConsoleLogin": if failed { "Failure" } else { "Success" } }),
            additional_event_data: Some(additional),
            request_id: None,
            event_id: uuid(rng),
            read_only: false,
            resources: None,
            event_type: "AwsConsoleSignIn",
            management_event: true,
            recipient_account_id: &self.account,
            shared_event_id: None,
            event_category: "Management",
            tls_details: Some(TlsDetails {
                tls_version: "TLSv1.3",
                cipher_suite: "TLS_AES_128_GCM_SHA256",
                client_provided_host_header: "signin.aws.amazon.com".to_string(),
            }),
            session_credential_from_console: None,
        }
    }

    /// The request, response, resources and additional data of a call to `api` by `who`.
    fn body(&self, rng: &mut ChaCha8Rng, api: &Api, who: &Who) -> Body {
        let call = Call::draw(self, rng, api, who);
        let mut b = Body::default();
        // The families are tried in this order; each draws from `rng` only for its own calls.
        let (request, response) = call
            .ec2_reads(rng, &mut b)
            .or_else(|| call.ec2_writes(rng, &mut b))
            .or_else(|| call.ec2_network(rng, &mut b))
            .or_else(|| call.s3(rng, &mut b))
            .or_else(|| call.sts(rng, &mut b))
            .or_else(|| call.kms(rng, &mut b))
            .or_else(|| call.cloudtrail(rng, &mut b))
            .or_else(|| call.config(rng, &mut b))
            .or_else(|| call.regional(rng, &mut b))
            .or_else(|| call.iam(rng, &mut b))
            .or_else(|| call.organizations(rng, &mut b))
            .unwrap_or_default();
        b.request = request;
        b.response = response;
        b
    }
}

/// One call's context: its API, its caller, and the resources any call may name, drawn from the
/// rng in a fixed order before the call's family is known (the order is part of the output).
struct Call<'a> {
    actors: &'a Actors,
    api: &'a Api,
    who: &'a Who<'a>,
    a: &'a str,
    region: &'a str,
    bucket: String,
    key_id: String,
    key_arn: String,
    vpc: String,
    sg: String,
    instance: String,
    user: String,
    role: String,
    policy_arn: String,
    cidr: String,
}

impl<'a> Call<'a> {
    /// Draws the resources of a call of `api` by `who` in `actors`' account.
    fn draw(actors: &'a Actors, rng: &mut ChaCha8Rng, api: &'a Api, who: &'a Who<'a>) -> Call<'a> {
        let a = actors.account.as_str();
        let region = actors.region.as_str();
        let bucket = pick(rng, &actors.buckets).clone();
        let key_id = pick(rng, &actors.kms_keys).clone();
        let key_arn = format!("arn:aws:kms:{region}:{a}:key/{key_id}");
        let vpc = pick(rng, &actors.vpcs).clone();
        let sg = pick(rng, &actors.security_groups).clone();
        let instance = pick(rng, &actors.instances).clone();
        let user = pick(rng, &actors.users).name.clone();
        let role = pick(rng, &actors.service_roles).name.clone();
        let policy =
            ["ReadOnlyAccess", "AmazonS3FullAccess", "AdministratorAccess", "AmazonEC2ReadOnlyAccess", "SecurityAudit"]
                [rng.gen_range(0..5)];
        let policy_arn = format!("arn:aws:iam::aws:policy/{policy}");
        let cidr = format!("{}.{}.0.0/16", [10, 172, 192][rng.gen_range(0..3)], rng.gen_range(0..250));
        Call { actors, api, who, a, region, bucket, key_id, key_arn, vpc, sg, instance, user, role, policy_arn, cidr }
    }

    /// EC2 reads: descriptions of instances, security groups and the network. `None` for a call of another family.
    fn ec2_reads(&self, _rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, vpc, sg, instance, .. } = self;
        Some(match api.name {
            "DescribeInstances" => {
                (json!({"instancesSet": {"items": [{"instanceId": instance}]}, "filterSet": {}}), Value::Null)
            }
            "DescribeSecurityGroups" => (
                json!({"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": sg}]}, "filterSet": {}}),
                Value::Null,
            ),
            "DescribeVpcs" => (json!({"vpcSet": {}, "filterSet": {}}), Value::Null),
            "DescribeSubnets" => (
                json!({"subnetSet": {}, "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]}}),
                Value::Null,
            ),
            "DescribeVolumes" => (
                json!({"volumeSet": {}, "filterSet": {"items": [{"name": "attachment.instance-id", "valueSet": {"items": [{"value": instance}]}}]}}),
                Value::Null,
            ),
            "DescribeNetworkInterfaces" => (
                json!({"networkInterfaceIdSet": {}, "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]}}),
                Value::Null,
            ),
            "DescribeInstanceStatus" => {
                (json!({"instancesSet": {}, "filterSet": {}, "includeAllInstances": false}), Value::Null)
            }
            _ => return None,
        })
    }

    /// EC2 writes on instances and security groups. `None` for a call of another family.
    fn ec2_writes(&self, rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { actors, api, a, vpc, sg, instance, .. } = self;
        Some(match api.name {
            "RunInstances" => {
                let new_id = ec2_id(rng, "i");
                (
                    json!({"instancesSet": {"items": [{"imageId": format!("ami-0{}", chars(rng, HEX, 16)), "minCount": 1, "maxCount": 1}]}, "instanceType": "t3.medium", "subnetId": pick(rng, &actors.subnets), "groupSet": {"items": [{"groupId": sg}]}, "monitoring": {"enabled": false}, "disableApiTermination": false}),
                    json!({"requestId": uuid(rng), "reservationId": ec2_id(rng, "r"), "ownerId": a, "groupSet": {}, "instancesSet": {"items": [{"instanceId": new_id, "instanceState": {"code": 0, "name": "pending"}, "instanceType": "t3.medium", "vpcId": vpc}]}}),
                )
            }
            "TerminateInstances" | "StartInstances" | "StopInstances" => {
                let (from, to) = match api.name {
                    "TerminateInstances" => ((16, "running"), (32, "shutting-down")),
                    "StartInstances" => ((80, "stopped"), (0, "pending")),
                    _ => ((16, "running"), (64, "stopping")),
                };
                (
                    json!({"instancesSet": {"items": [{"instanceId": instance}]}}),
                    json!({"requestId": uuid(rng), "instancesSet": {"items": [{"instanceId": instance, "currentState": {"code": to.0, "name": to.1}, "previousState": {"code": from.0, "name": from.1}}]}}),
                )
            }
            "CreateTags" => (
                json!({"resourcesSet": {"items": [{"resourceId": instance}]}, "tagSet": {"items": [{"key": "CostCenter", "value": format!("cc-{}", rng.gen_range(100..999))}]}}),
                json!({"requestId": uuid(rng), "_return": true}),
            ),
            "AuthorizeSecurityGroupIngress"
            | "AuthorizeSecurityGroupEgress"
            | "RevokeSecurityGroupIngress"
            | "RevokeSecurityGroupEgress" => {
                let port = [22, 443, 3389, 5432, 8080][rng.gen_range(0..5)];
                let range =
                    if rng.gen_bool(0.3) { "0.0.0.0/0".to_string() } else { format!("{}/32", public_ipv4(rng)) };
                (
                    json!({"groupId": sg, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {}, "ipRanges": {"items": [{"cidrIp": range}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}}),
                    json!({"requestId": uuid(rng), "_return": true, "securityGroupRuleSet": {"items": [{"groupOwnerId": a, "groupId": sg, "securityGroupRuleId": ec2_id(rng, "sgr"), "isEgress": api.name.ends_with("Egress"), "ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": range}]}}),
                )
            }
            "CreateSecurityGroup" => (
                json!({"groupName": format!("web-{}", rng.gen_range(1..99)), "groupDescription": "web tier", "vpcId": vpc}),
                json!({"requestId": uuid(rng), "_return": true, "groupId": ec2_id(rng, "sg")}),
            ),
            "DeleteSecurityGroup" => {
                (json!({"groupId": sg}), json!({"requestId": uuid(rng), "_return": true, "groupId": sg}))
            }
            _ => return None,
        })
    }

    /// EC2 writes on the network: ACLs, gateways, routes, VPCs and peering. `None` for a call of another family.
    fn ec2_network(&self, rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, a, vpc, cidr, .. } = self;
        Some(match api.name {
            "CreateNetworkAcl" => (
                json!({"vpcId": vpc}),
                json!({"requestId": uuid(rng), "networkAcl": {"networkAclId": ec2_id(rng, "acl"), "vpcId": vpc, "default": false}}),
            ),
            "CreateNetworkAclEntry" | "DeleteNetworkAclEntry" | "ReplaceNetworkAclEntry" => (
                json!({"networkAclId": ec2_id(rng, "acl"), "ruleNumber": rng.gen_range(1..32) * 10, "egress": false, "ruleAction": "allow", "protocol": "6", "cidrBlock": cidr}),
                json!({"requestId": uuid(rng), "_return": true}),
            ),
            "DeleteNetworkAcl" => {
                (json!({"networkAclId": ec2_id(rng, "acl")}), json!({"requestId": uuid(rng), "_return": true}))
            }
            "ReplaceNetworkAclAssociation" => (
                json!({"associationId": ec2_id(rng, "aclassoc"), "networkAclId": ec2_id(rng, "acl")}),
                json!({"requestId": uuid(rng), "newAssociationId": ec2_id(rng, "aclassoc")}),
            ),
            "CreateCustomerGateway" => (
                json!({"type": "ipsec.1", "ipAddress": public_ipv4(rng), "bgpAsn": 65000}),
                json!({"requestId": uuid(rng), "customerGateway": {"customerGatewayId": ec2_id(rng, "cgw"), "state": "available", "type": "ipsec.1"}}),
            ),
            "DeleteCustomerGateway" => {
                (json!({"customerGatewayId": ec2_id(rng, "cgw")}), json!({"requestId": uuid(rng), "_return": true}))
            }
            "CreateInternetGateway" => (
                json!({}),
                json!({"requestId": uuid(rng), "internetGateway": {"internetGatewayId": ec2_id(rng, "igw"), "ownerId": a, "attachmentSet": {}}}),
            ),
            "AttachInternetGateway" | "DetachInternetGateway" | "DeleteInternetGateway" => (
                json!({"internetGatewayId": ec2_id(rng, "igw"), "vpcId": vpc}),
                json!({"requestId": uuid(rng), "_return": true}),
            ),
            "CreateRouteTable" => (
                json!({"vpcId": vpc}),
                json!({"requestId": uuid(rng), "routeTable": {"routeTableId": ec2_id(rng, "rtb"), "vpcId": vpc, "ownerId": a}}),
            ),
            "CreateRoute" | "ReplaceRoute" | "DeleteRoute" => (
                json!({"routeTableId": ec2_id(rng, "rtb"), "destinationCidrBlock": cidr, "gatewayId": ec2_id(rng, "igw")}),
                json!({"requestId": uuid(rng), "_return": true}),
            ),
            "ReplaceRouteTableAssociation" | "DisassociateRouteTable" => (
                json!({"associationId": ec2_id(rng, "rtbassoc"), "routeTableId": ec2_id(rng, "rtb")}),
                json!({"requestId": uuid(rng), "_return": true}),
            ),
            "DeleteRouteTable" => {
                (json!({"routeTableId": ec2_id(rng, "rtb")}), json!({"requestId": uuid(rng), "_return": true}))
            }
            "CreateVpc" => (
                json!({"cidrBlock": cidr, "instanceTenancy": "default", "amazonProvidedIpv6CidrBlock": false}),
                json!({"requestId": uuid(rng), "vpc": {"vpcId": ec2_id(rng, "vpc"), "state": "pending", "ownerId": a, "cidrBlock": cidr, "isDefault": false}}),
            ),
            "DeleteVpc"
            | "AttachClassicLinkVpc"
            | "DetachClassicLinkVpc"
            | "DisableVpcClassicLink"
            | "EnableVpcClassicLink" => (json!({"vpcId": vpc}), json!({"requestId": uuid(rng), "_return": true})),
            "ModifyVpcAttribute" => (
                json!({"vpcId": vpc, "enableDnsHostnames": {"value": true}}),
                json!({"requestId": uuid(rng), "_return": true}),
            ),
            "CreateVpcPeeringConnection" => (
                json!({"vpcId": vpc, "peerVpcId": ec2_id(rng, "vpc"), "peerOwnerId": a}),
                json!({"requestId": uuid(rng), "vpcPeeringConnection": {"vpcPeeringConnectionId": ec2_id(rng, "pcx"), "status": {"code": "initiating-request"}}}),
            ),
            "AcceptVpcPeeringConnection" | "DeleteVpcPeeringConnection" | "RejectVpcPeeringConnection" => (
                json!({"vpcPeeringConnectionId": ec2_id(rng, "pcx")}),
                json!({"requestId": uuid(rng), "_return": true}),
            ),
            _ => return None,
        })
    }

    /// S3 bucket calls (`resources` names the bucket). `None` for a call of another family.
    fn s3(&self, _rng: &mut ChaCha8Rng, b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, region, bucket, .. } = self;
        Some(match api.name {
            "ListBuckets" => (json!({"Host": "s3.amazonaws.com"}), Value::Null),
            "GetBucketLocation"
            | "GetBucketAcl"
            | "GetBucketVersioning"
            | "GetBucketEncryption"
            | "GetBucketPolicy"
            | "CreateBucket"
            | "DeleteBucketPolicy"
            | "DeleteBucketCors"
            | "DeleteBucketLifecycle"
            | "DeleteBucketReplication" => {
                let sub = match api.name {
                    "GetBucketLocation" => "location",
                    "GetBucketAcl" | "PutBucketAcl" => "acl",
                    "GetBucketVersioning" => "versioning",
                    "GetBucketEncryption" => "encryption",
                    "DeleteBucketCors" => "cors",
                    "DeleteBucketLifecycle" => "lifecycle",
                    "DeleteBucketReplication" => "replication",
                    "CreateBucket" => "",
                    _ => "policy",
                };
                b.resources = Some(json!([{"type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]));
                let mut req = json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com")});
                if !sub.is_empty() {
                    req[sub] = json!("");
                }
                (req, Value::Null)
            }
            "PutBucketPolicy" => {
                b.resources = Some(json!([{"type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]));
                (
                    json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "policy": "", "bucketPolicy": {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}),
                    Value::Null,
                )
            }
            "PutBucketAcl" | "PutBucketCors" | "PutBucketLifecycle" | "PutBucketReplication" | "PutBucketTagging" => {
                let sub = match api.name {
                    "PutBucketAcl" => "acl",
                    "PutBucketCors" => "cors",
                    "PutBucketLifecycle" => "lifecycle",
                    "PutBucketReplication" => "replication",
                    _ => "tagging",
                };
                b.resources = Some(json!([{"type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]));
                (
                    json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), sub: ""}),
                    Value::Null,
                )
            }
            _ => return None,
        })
    }

    /// STS credentials. `None` for a call of another family.
    fn sts(&self, rng: &mut ChaCha8Rng, b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, who, a, role, .. } = self;
        Some(match api.name {
            "AssumeRole" => {
                let session = match who {
                    Who::Service(s) => {
                        format!("{}-{}", s.split('.').next().unwrap_or("svc"), rng.gen_range(1_000_000..9_999_999))
                    }
                    _ => format!("botocore-session-{}", rng.gen_range(1_700_000_000u64..1_800_000_000)),
                };
                let role_arn = format!("arn:aws:iam::{a}:role/{role}");
                b.resources = Some(json!([{"accountId": a, "type": "AWS::IAM::Role", "ARN": role_arn}]));
                (
                    json!({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}),
                    json!({"credentials": {"accessKeyId": format!("ASIA{}", chars(rng, BASE32, 16)), "sessionToken": chars(rng, ALNUM_UPPER, 96), "expiration": "Jan 1, 2030, 12:00:00 AM"}, "assumedRoleUser": {"assumedRoleId": format!("AROA{}:{session}", chars(rng, ALNUM_UPPER, 17)), "arn": format!("arn:aws:sts::{a}:assumed-role/{role}/{session}")}}),
                )
            }
            "AssumeRoleWithWebIdentity" => (
                json!({"roleArn": format!("arn:aws:iam::{a}:role/github-actions-deploy"), "roleSessionName": "GitHubActions", "durationSeconds": 3600}),
                json!({"subjectFromWebIdentityToken": "repo:example/app:ref:refs/heads/main", "provider": format!("arn:aws:iam::{a}:oidc-provider/token.actions.githubusercontent.com"), "audience": "sts.amazonaws.com"}),
            ),
            "GetCallerIdentity" => (Value::Null, Value::Null),
            "GetSessionToken" => (
                json!({"durationSeconds": 43200}),
                json!({"credentials": {"accessKeyId": format!("ASIA{}", chars(rng, BASE32, 16)), "expiration": "Jan 1, 2030, 12:00:00 PM"}}),
            ),
            _ => return None,
        })
    }

    /// KMS keys and cryptographic calls (`resources` names the key). `None` for a call of another family.
    fn kms(&self, rng: &mut ChaCha8Rng, b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, who, a, region, bucket, key_id, key_arn, .. } = self;
        Some(match api.name {
            "Decrypt" | "Encrypt" | "GenerateDataKey" => {
                b.resources = Some(json!([{"accountId": a, "type": "AWS::KMS::Key", "ARN": key_arn}]));
                let mut req = json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT"});
                if api.name != "Decrypt" {
                    req["keyId"] = json!(key_arn);
                }
                if api.name == "GenerateDataKey" {
                    req["keySpec"] = json!("AES_256");
                }
                if let Who::Service(s) = who {
                    req["encryptionContext"] = match *s {
                        "s3.amazonaws.com" => {
                            json!({"aws:s3:arn": format!("arn:aws:s3:::{bucket}/data/{}.parquet", chars(rng, HEX, 12))})
                        }
                        "secretsmanager.amazonaws.com" => {
                            json!({"SecretARN": format!("arn:aws:secretsmanager:{region}:{a}:secret:prod/db-{}", chars(rng, HEX, 6))})
                        }
                        _ => json!({"aws:ebs:id": format!("vol-0{}", chars(rng, HEX, 16))}),
                    };
                }
                (req, Value::Null)
            }
            "DescribeKey" | "DisableKey" | "RotateKey" => {
                b.resources = Some(json!([{"accountId": a, "type": "AWS::KMS::Key", "ARN": key_arn}]));
                if api.name == "RotateKey" {
                    b.additional = Some(json!({"keyId": key_arn}));
                    (Value::Null, Value::Null)
                } else {
                    (json!({"keyId": key_id}), Value::Null)
                }
            }
            "ScheduleKeyDeletion" => {
                b.resources = Some(json!([{"accountId": a, "type": "AWS::KMS::Key", "ARN": key_arn}]));
                (
                    json!({"keyId": key_id, "pendingWindowInDays": 30}),
                    json!({"keyId": key_arn, "deletionDate": "Feb 1, 2030, 12:00:00 AM", "keyState": "PendingDeletion", "pendingWindowInDays": 30}),
                )
            }
            "CreateKey" => (
                json!({"description": "application data key", "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS", "bypassPolicyLockoutSafetyCheck": false, "multiRegion": false}),
                json!({"keyMetadata": {"aWSAccountId": a, "keyId": uuid(rng), "enabled": true, "keyUsage": "ENCRYPT_DECRYPT", "keyState": "Enabled", "origin": "AWS_KMS", "keyManager": "CUSTOMER", "keySpec": "SYMMETRIC_DEFAULT"}}),
            ),
            "ListAliases" | "ListKeys" => (json!({"limit": 100}), Value::Null),
            _ => return None,
        })
    }

    /// CloudTrail trail management and lookups. `None` for a call of another family.
    fn cloudtrail(&self, rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, a, region, .. } = self;
        Some(match api.name {
            "DescribeTrails" | "ListTrails" | "GetEventSelectors" => {
                (json!({"includeShadowTrails": true}), Value::Null)
            }
            "GetTrailStatus" | "StartLogging" | "StopLogging" | "DeleteTrail" => {
                let arn = format!("arn:aws:cloudtrail:{region}:{a}:trail/management-events");
                let req = json!({"name": arn});
                let resp = if api.read_only { Value::Null } else { json!({}) };
                (req, resp)
            }
            "CreateTrail" | "UpdateTrail" => (
                json!({"name": "management-events", "s3BucketName": format!("access-logs-{a}"), "isMultiRegionTrail": true, "enableLogFileValidation": rng.gen_bool(0.8), "includeGlobalServiceEvents": true}),
                json!({"name": "management-events", "s3BucketName": format!("access-logs-{a}"), "trailARN": format!("arn:aws:cloudtrail:{region}:{a}:trail/management-events"), "logFileValidationEnabled": true, "isMultiRegionTrail": true, "includeGlobalServiceEvents": true}),
            ),
            "LookupEvents" => (
                json!({"maxResults": 50, "lookupAttributes": [{"attributeKey": "EventName", "attributeValue": "ConsoleLogin"}]}),
                Value::Null,
            ),
            _ => return None,
        })
    }

    /// AWS Config recorders, delivery channels and evaluations. `None` for a call of another family.
    fn config(&self, rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, a, sg, .. } = self;
        Some(match api.name {
            "DescribeConfigurationRecorders" | "DescribeConfigRules" => (json!({}), Value::Null),
            "PutEvaluations" => (
                json!({"evaluations": [{"complianceResourceType": "AWS::EC2::SecurityGroup", "complianceResourceId": sg, "complianceType": if rng.gen_bool(0.8) { "COMPLIANT" } else { "NON_COMPLIANT" }, "orderingTimestamp": "Jan 1, 2026, 12:00:00 AM"}], "resultToken": chars(rng, ALNUM_UPPER, 64), "testMode": false}),
                json!({"failedEvaluations": []}),
            ),
            "StopConfigurationRecorder" | "PutConfigurationRecorder" => {
                (json!({"configurationRecorderName": "default"}), Value::Null)
            }
            "DeleteDeliveryChannel" | "PutDeliveryChannel" => {
                (json!({"deliveryChannelName": "default", "s3BucketName": format!("access-logs-{a}")}), Value::Null)
            }
            _ => return None,
        })
    }

    /// Other regional services: logs, Lambda, SSM, Secrets Manager, CloudWatch, DynamoDB, ELB. `None` for a call of another family.
    fn regional(&self, rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, a, region, instance, .. } = self;
        Some(match api.name {
            "CreateLogStream" => (
                json!({"logGroupName": "/aws/lambda/order-processor", "logStreamName": format!("2026/01/01/[$LATEST]{}", chars(rng, HEX, 32))}),
                Value::Null,
            ),
            "DescribeLogGroups" => (json!({"limit": 50}), Value::Null),
            "PutRetentionPolicy" => {
                (json!({"logGroupName": "/aws/lambda/order-processor", "retentionInDays": 90}), Value::Null)
            }
            "ListFunctions20150331" => (Value::Null, Value::Null),
            "GetFunction20150331v2" | "UpdateFunctionCode20150331v2" => {
                let req = json!({"functionName": format!("arn:aws:lambda:{region}:{a}:function:order-processor")});
                let resp = if api.read_only {
                    Value::Null
                } else {
                    json!({"functionName": "order-processor", "runtime": "python3.12", "codeSize": rng.gen_range(10_000..5_000_000), "state": "Active"})
                };
                (req, resp)
            }
            "UpdateInstanceInformation" => (
                json!({"instanceId": instance, "agentVersion": "3.2.2086.0", "agentName": "amazon-ssm-agent", "platformType": "Linux", "platformName": "Amazon Linux", "platformVersion": "2023", "iPAddress": format!("10.0.{}.{}", rng.gen_range(0..255), rng.gen_range(1..255)), "computerName": format!("ip-10-0-{}-{}.ec2.internal", rng.gen_range(0..255), rng.gen_range(1..255))}),
                Value::Null,
            ),
            "GetParameter" | "GetParameters" => {
                let name = ["db-host", "feature-flags", "api-endpoint"][rng.gen_range(0..3)];
                (json!({"name": format!("/prod/app/{name}"), "withDecryption": rng.gen_bool(0.5)}), Value::Null)
            }
            "GetSecretValue" => (
                json!({"secretId": format!("arn:aws:secretsmanager:{region}:{a}:secret:prod/db-{}", chars(rng, HEX, 6))}),
                Value::Null,
            ),
            "DescribeAlarms" => (json!({"maxRecords": 100}), Value::Null),
            "GetMetricData" => (
                json!({"startTime": "Jan 1, 2026, 12:00:00 AM", "endTime": "Jan 1, 2026, 1:00:00 AM", "metricDataQueries": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization"}, "period": 300, "stat": "Average"}}]}),
                Value::Null,
            ),
            "DescribeTable" => {
                let table = ["orders", "sessions", "inventory"][rng.gen_range(0..3)];
                (json!({"tableName": table}), Value::Null)
            }
            "ListTables" | "DescribeAutoScalingGroups" | "DescribeLoadBalancers" | "GetAuthorizationToken" => {
                (Value::Null, Value::Null)
            }
            "DescribeTargetHealth" => (
                json!({"targetGroupArn": format!("arn:aws:elasticloadbalancing:{region}:{a}:targetgroup/web/{}", chars(rng, HEX, 16))}),
                Value::Null,
            ),
            _ => return None,
        })
    }

    /// IAM reads, users, roles and policies. `None` for a call of another family.
    fn iam(&self, rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { api, a, bucket, user, role, policy_arn, .. } = self;
        Some(match api.name {
            "ListUsers" | "ListRoles" | "ListPolicies" | "GetAccountSummary" => (Value::Null, Value::Null),
            "GetUser" | "ListAccessKeys" => (json!({"userName": user}), Value::Null),
            "GetRole" | "ListAttachedRolePolicies" => (json!({"roleName": role}), Value::Null),
            "GetPolicy" => (json!({"policyArn": policy_arn}), Value::Null),
            "GetPolicyVersion" => (json!({"policyArn": policy_arn, "versionId": "v1"}), Value::Null),
            "CreateUser" => {
                let name = format!("svc-{}", chars(rng, HEX, 6));
                (
                    json!({"userName": name}),
                    json!({"user": {"path": "/", "userName": name, "userId": format!("AIDA{}", chars(rng, ALNUM_UPPER, 17)), "arn": format!("arn:aws:iam::{a}:user/{name}"), "createDate": "Jan 1, 2026, 12:00:00 AM"}}),
                )
            }
            "CreateAccessKey" => (
                json!({"userName": user}),
                json!({"accessKey": {"userName": user, "accessKeyId": format!("AKIA{}", chars(rng, BASE32, 16)), "status": "Active", "createDate": "Jan 1, 2026, 12:00:00 AM"}}),
            ),
            "CreateRole" | "UpdateAssumeRolePolicy" => (
                json!({"roleName": role, "assumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}),
                Value::Null,
            ),
            "AttachRolePolicy" | "DetachRolePolicy" => {
                (json!({"roleName": role, "policyArn": policy_arn}), Value::Null)
            }
            "AttachUserPolicy" | "DetachUserPolicy" => {
                (json!({"userName": user, "policyArn": policy_arn}), Value::Null)
            }
            "AttachGroupPolicy" | "DetachGroupPolicy" => {
                (json!({"groupName": "developers", "policyArn": policy_arn}), Value::Null)
            }
            "PutRolePolicy" | "PutUserPolicy" | "PutGroupPolicy" | "DeleteRolePolicy" | "DeleteUserPolicy"
            | "DeleteGroupPolicy" => {
                let (field, value) = match &api.name[api.name.len() - 10..] {
                    "RolePolicy" => ("roleName", role.clone()),
                    "UserPolicy" => ("userName", user.clone()),
                    _ => ("groupName", "developers".to_string()),
                };
                let mut req = json!({field: value, "policyName": "inline-s3-access"});
                if api.name.starts_with("Put") {
                    req["policyDocument"] = json!(format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\"}}]}}"));
                }
                (req, Value::Null)
            }
            "CreatePolicy" | "CreatePolicyVersion" | "DeletePolicy" | "DeletePolicyVersion" if api.source == "iam" => {
                let arn = format!("arn:aws:iam::{a}:policy/app-{}", chars(rng, HEX, 4));
                let req = match api.name {
                    "CreatePolicy" => {
                        json!({"policyName": arn.rsplit('/').next().unwrap_or_default(), "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":\"*\"}]}"})
                    }
                    "CreatePolicyVersion" => {
                        json!({"policyArn": arn, "setAsDefault": true, "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":\"*\"}]}"})
                    }
                    "DeletePolicyVersion" => json!({"policyArn": arn, "versionId": "v1"}),
                    _ => json!({"policyArn": arn}),
                };
                (req, Value::Null)
            }
            _ => return None,
        })
    }

    /// AWS Organizations. `None` for a call of another family.
    fn organizations(&self, rng: &mut ChaCha8Rng, _b: &mut Body) -> Option<(Value, Value)> {
        let Call { actors, api, a, .. } = self;
        Some(match api.name {
            "DescribeOrganization" => (Value::Null, Value::Null),
            "ListAccounts" => (json!({"maxResults": 20}), Value::Null),
            _ if api.source == "organizations" => {
                let root = format!("r-{}", chars(rng, b"abcdefghijklmnopqrstuvwxyz0123456789", 4));
                let ou = format!("ou-{root}-{}", chars(rng, b"abcdefghijklmnopqrstuvwxyz0123456789", 8));
                let policy = format!("p-{}", chars(rng, b"abcdefghijklmnopqrstuvwxyz0123456789", 8));
                let req = match api.name {
                    "AttachPolicy" | "DetachPolicy" => json!({"policyId": policy, "targetId": ou}),
                    "CreateAccount" => {
                        json!({"accountName": "sandbox", "email": format!("aws+sandbox-{}@example.com", rng.gen_range(1..999))})
                    }
                    "CreateOrganizationalUnit" => json!({"parentId": root, "name": "Workloads"}),
                    "CreatePolicy" | "UpdatePolicy" => {
                        json!({"name": "DenyLeaveOrg", "type": "SERVICE_CONTROL_POLICY", "content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"organizations:LeaveOrganization\",\"Resource\":\"*\"}]}"})
                    }
                    "DeletePolicy" => json!({"policyId": policy}),
                    "DeleteOrganizationalUnit" | "UpdateOrganizationalUnit" => {
                        json!({"organizationalUnitId": ou})
                    }
                    "DisablePolicyType" | "EnablePolicyType" => {
                        json!({"rootId": root, "policyType": "TAG_POLICY"})
                    }
                    "InviteAccountToOrganization" => {
                        json!({"target": {"type": "ACCOUNT", "id": format!("{:012}", rng.gen_range(100_000_000_000u64..999_999_999_999))}})
                    }
                    "MoveAccount" => {
                        json!({"accountId": a, "sourceParentId": root, "destinationParentId": ou})
                    }
                    "RemoveAccountFromOrganization" => {
                        json!({"accountId": format!("{:012}", rng.gen_range(100_000_000_000u64..999_999_999_999))})
                    }
                    "AcceptHandshake" | "DeclineHandshake" => {
                        json!({"handshakeId": format!("h-{}", chars(rng, HEX, 10))})
                    }
                    _ => Value::Null,
                };
                let resp = if api.name == "LeaveOrganization" || api.name == "DeleteOrganization" {
                    Value::Null
                } else {
                    json!({"organizationId": actors.org_id})
                };
                (req, resp)
            }
            _ => return None,
        })
    }
}

#[derive(Default)]
struct Body {
    request: Value,
    response: Value,
    additional: Option<Value>,
    resources: Option<Value>,
}

/// The source IP address and user agent of a call by `who` (`console`: made from the console).
fn origin(rng: &mut ChaCha8Rng, who: &Who, console: bool) -> (String, String) {
    match who {
        Who::Service(s) => ((*s).to_string(), (*s).to_string()),
        Who::Role { role: Role { invoked_by: Some(s), .. }, .. } => ((*s).to_string(), (*s).to_string()),
        Who::User { user, console: false } | Who::Federated(user) => {
            let ip = if rng.gen_bool(0.97) { user.ip.clone() } else { public_ipv4(rng) };
            (ip, user.agent.to_string())
        }
        _ if console => {
            let ip = if rng.gen_bool(0.2) { public_ipv6(rng) } else { public_ipv4(rng) };
            (ip, pick(rng, &BROWSERS).to_string())
        }
        _ => {
            let ip = if rng.gen_bool(0.3) { "AWS Internal".to_string() } else { public_ipv4(rng) };
            (ip, pick(rng, &AGENTS).to_string())
        }
    }
}

/// The share (percent) of an event's calls made by AWS services, and which services.
fn service_callers(name: &str) -> (u32, &'static [&'static str]) {
    match name {
        "Decrypt" | "GenerateDataKey" | "Encrypt" => {
            (55, &["s3.amazonaws.com", "secretsmanager.amazonaws.com", "ec2.amazonaws.com", "lambda.amazonaws.com"])
        }
        "AssumeRole" => (
            75,
            &[
                "lambda.amazonaws.com",
                "ec2.amazonaws.com",
                "ecs-tasks.amazonaws.com",
                "config.amazonaws.com",
                "cloudformation.amazonaws.com",
            ],
        ),
        "GetBucketAcl" | "GetBucketLocation" | "GetBucketPolicy" | "GetBucketVersioning" | "GetBucketEncryption" => {
            (45, &["config.amazonaws.com", "cloudtrail.amazonaws.com", "access-analyzer.amazonaws.com"])
        }
        "PutEvaluations" | "DescribeConfigRules" => (80, &["config.amazonaws.com"]),
        "CreateLogStream" => (30, &["lambda.amazonaws.com"]),
        "DescribeNetworkInterfaces" | "DescribeInstanceStatus" => {
            (50, &["autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs.amazonaws.com"])
        }
        "RotateKey" => (100, &["kms.amazonaws.com"]),
        _ => (0, &["cloudformation.amazonaws.com"]),
    }
}

fn event_version(source: &str) -> &'static str {
    match source {
        "ec2" | "s3" | "iam" | "kms" | "cloudtrail" | "sts" => "1.10",
        "signin" | "logs" | "ssm" | "lambda" | "secretsmanager" | "organizations" => "1.09",
        _ => "1.08",
    }
}

/// An access-denied error as the service reports it.
fn denied(api: &Api, arn: &str) -> (&'static str, String) {
    let action = format!("{}:{}", api.source, api.name.trim_end_matches("20150331").trim_end_matches("20150331v2"));
    match api.source {
        "ec2" => (
            "Client.UnauthorizedOperation",
            format!("You are not authorized to perform this operation. User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"),
        ),
        "s3" => ("AccessDenied", "Access Denied".to_string()),
        "iam" | "sts" | "monitoring" | "cloudtrail" => (
            "AccessDenied",
            format!("User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"),
        ),
        _ => (
            "AccessDeniedException",
            format!("User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"),
        ),
    }
}

/// Any other error: not found, duplicates, throttling.
fn failure(api: &Api) -> (&'static str, String) {
    match (api.source, api.read_only) {
        ("ec2", true) => ("Client.RequestLimitExceeded", "Request limit exceeded.".to_string()),
        ("ec2", false) => ("Client.InvalidPermission.Duplicate", "the specified rule already exists".to_string()),
        ("s3", _) => ("NoSuchBucketPolicy", "The bucket policy does not exist".to_string()),
        ("iam", _) => ("NoSuchEntityException", "The entity cannot be found.".to_string()),
        ("kms", _) => ("NotFoundException", "Key is pending deletion or not found.".to_string()),
        ("ssm", _) => ("ParameterNotFound", "Parameter not found.".to_string()),
        ("dynamodb", _) | ("secretsmanager", _) | ("lambda", _) | ("logs", _) => {
            ("ResourceNotFoundException", "Requested resource not found".to_string())
        }
        _ => ("ThrottlingException", "Rate exceeded".to_string()),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, CloudTrail's time format.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// One entry of the event catalog.
pub(crate) struct Api {
    source: &'static str,
    name: &'static str,
    read_only: bool,
    weight: u32,
    event_type: &'static str,
}

impl Api {
    /// IAM, sign-in and Organizations events are global: logged as `us-east-1`, in one region's files.
    fn global(&self) -> bool {
        matches!(self.source, "iam" | "signin" | "organizations")
    }
}

const fn r(source: &'static str, name: &'static str, weight: u32) -> Api {
    Api { source, name, read_only: true, weight, event_type: "AwsApiCall" }
}

const fn w(source: &'static str, name: &'static str, weight: u32) -> Api {
    Api { source, name, read_only: false, weight, event_type: "AwsApiCall" }
}

/// Management events and their relative frequencies (per ~13,000 events). The CIS benchmark's
/// events are the ones with single-digit weights.
#[rustfmt::skip]
const CATALOG: &[Api] = &[
    r("ec2", "DescribeInstances", 600), r("ec2", "DescribeSecurityGroups", 250), r("ec2", "DescribeVpcs", 150),
    r("ec2", "DescribeSubnets", 150), r("ec2", "DescribeVolumes", 150), r("ec2", "DescribeNetworkInterfaces", 150),
    r("ec2", "DescribeInstanceStatus", 150), w("ec2", "RunInstances", 25), w("ec2", "TerminateInstances", 15),
    w("ec2", "StartInstances", 15), w("ec2", "StopInstances", 15), w("ec2", "CreateTags", 60),
    w("ec2", "AuthorizeSecurityGroupIngress", 8), w("ec2", "AuthorizeSecurityGroupEgress", 3),
    w("ec2", "RevokeSecurityGroupIngress", 4), w("ec2", "RevokeSecurityGroupEgress", 2),
    w("ec2", "CreateSecurityGroup", 4), w("ec2", "DeleteSecurityGroup", 3),
    w("ec2", "CreateNetworkAcl", 2), w("ec2", "CreateNetworkAclEntry", 3), w("ec2", "DeleteNetworkAcl", 1),
    w("ec2", "DeleteNetworkAclEntry", 2), w("ec2", "ReplaceNetworkAclEntry", 2), w("ec2", "ReplaceNetworkAclAssociation", 2),
    w("ec2", "CreateCustomerGateway", 1), w("ec2", "DeleteCustomerGateway", 1), w("ec2", "AttachInternetGateway", 2),
    w("ec2", "CreateInternetGateway", 2), w("ec2", "DeleteInternetGateway", 1), w("ec2", "DetachInternetGateway", 1),
    w("ec2", "CreateRoute", 3), w("ec2", "CreateRouteTable", 2), w("ec2", "ReplaceRoute", 2),
    w("ec2", "ReplaceRouteTableAssociation", 1), w("ec2", "DeleteRouteTable", 1), w("ec2", "DeleteRoute", 2),
    w("ec2", "DisassociateRouteTable", 1), w("ec2", "CreateVpc", 2), w("ec2", "DeleteVpc", 1),
    w("ec2", "ModifyVpcAttribute", 2), w("ec2", "CreateVpcPeeringConnection", 1), w("ec2", "AcceptVpcPeeringConnection", 1),
    w("ec2", "DeleteVpcPeeringConnection", 1), w("ec2", "RejectVpcPeeringConnection", 1), w("ec2", "AttachClassicLinkVpc", 1),
    w("ec2", "DetachClassicLinkVpc", 1), w("ec2", "DisableVpcClassicLink", 1), w("ec2", "EnableVpcClassicLink", 1),
    r("s3", "ListBuckets", 200), r("s3", "GetBucketLocation", 250), r("s3", "GetBucketAcl", 250),
    r("s3", "GetBucketVersioning", 100), r("s3", "GetBucketEncryption", 80), r("s3", "GetBucketPolicy", 80),
    w("s3", "CreateBucket", 5), w("s3", "PutBucketPolicy", 4), w("s3", "DeleteBucketPolicy", 2), w("s3", "PutBucketAcl", 3),
    w("s3", "PutBucketCors", 2), w("s3", "DeleteBucketCors", 1), w("s3", "PutBucketLifecycle", 2),
    w("s3", "DeleteBucketLifecycle", 1), w("s3", "PutBucketReplication", 1), w("s3", "DeleteBucketReplication", 1),
    w("s3", "PutBucketTagging", 10),
    r("sts", "AssumeRole", 800), r("sts", "GetCallerIdentity", 300), r("sts", "AssumeRoleWithWebIdentity", 80),
    r("sts", "GetSessionToken", 20),
    r("kms", "Decrypt", 900), r("kms", "Encrypt", 150), r("kms", "GenerateDataKey", 500), r("kms", "DescribeKey", 100),
    r("kms", "ListAliases", 80), r("kms", "ListKeys", 40), w("kms", "DisableKey", 2), w("kms", "ScheduleKeyDeletion", 2),
    w("kms", "CreateKey", 3), Api { source: "kms", name: "RotateKey", read_only: false, weight: 5, event_type: "AwsServiceEvent" },
    r("cloudtrail", "DescribeTrails", 60), r("cloudtrail", "GetTrailStatus", 60), r("cloudtrail", "ListTrails", 30),
    r("cloudtrail", "LookupEvents", 40), r("cloudtrail", "GetEventSelectors", 30), w("cloudtrail", "CreateTrail", 1),
    w("cloudtrail", "UpdateTrail", 2), w("cloudtrail", "DeleteTrail", 1), w("cloudtrail", "StartLogging", 1),
    w("cloudtrail", "StopLogging", 1),
    r("config", "DescribeConfigurationRecorders", 40), r("config", "DescribeConfigRules", 40), w("config", "PutEvaluations", 80),
    w("config", "StopConfigurationRecorder", 1), w("config", "DeleteDeliveryChannel", 1), w("config", "PutDeliveryChannel", 1),
    w("config", "PutConfigurationRecorder", 1),
    w("logs", "CreateLogStream", 300), r("logs", "DescribeLogGroups", 100), w("logs", "PutRetentionPolicy", 5),
    r("lambda", "ListFunctions20150331", 80), r("lambda", "GetFunction20150331v2", 60), w("lambda", "UpdateFunctionCode20150331v2", 10),
    w("ssm", "UpdateInstanceInformation", 300), r("ssm", "GetParameter", 200), r("ssm", "GetParameters", 100),
    r("monitoring", "DescribeAlarms", 100), r("monitoring", "GetMetricData", 100),
    r("dynamodb", "DescribeTable", 100), r("dynamodb", "ListTables", 40), r("ecr", "GetAuthorizationToken", 120),
    r("secretsmanager", "GetSecretValue", 100), r("elasticloadbalancing", "DescribeLoadBalancers", 60),
    r("elasticloadbalancing", "DescribeTargetHealth", 60), r("autoscaling", "DescribeAutoScalingGroups", 60),
    // Global services, logged in one region's files only.
    r("iam", "ListUsers", 40), r("iam", "GetUser", 40), r("iam", "ListRoles", 60), r("iam", "GetRole", 80),
    r("iam", "ListPolicies", 30), r("iam", "GetPolicy", 40), r("iam", "GetPolicyVersion", 40),
    r("iam", "ListAttachedRolePolicies", 50), r("iam", "GetAccountSummary", 10), r("iam", "ListAccessKeys", 30),
    w("iam", "CreateUser", 3), w("iam", "CreateAccessKey", 3), w("iam", "CreateRole", 3), w("iam", "UpdateAssumeRolePolicy", 2),
    w("iam", "DeleteGroupPolicy", 1), w("iam", "DeleteRolePolicy", 2), w("iam", "DeleteUserPolicy", 1),
    w("iam", "PutGroupPolicy", 1), w("iam", "PutRolePolicy", 3), w("iam", "PutUserPolicy", 2), w("iam", "CreatePolicy", 2),
    w("iam", "DeletePolicy", 1), w("iam", "CreatePolicyVersion", 2), w("iam", "DeletePolicyVersion", 1),
    w("iam", "AttachRolePolicy", 3), w("iam", "DetachRolePolicy", 2), w("iam", "AttachUserPolicy", 2),
    w("iam", "DetachUserPolicy", 1), w("iam", "AttachGroupPolicy", 1), w("iam", "DetachGroupPolicy", 1),
    w("signin", "ConsoleLogin", 40),
    r("organizations", "DescribeOrganization", 20), r("organizations", "ListAccounts", 20),
    w("organizations", "AcceptHandshake", 1), w("organizations", "AttachPolicy", 1), w("organizations", "CreateAccount", 1),
    w("organizations", "CreateOrganizationalUnit", 1), w("organizations", "CreatePolicy", 1), w("organizations", "DeclineHandshake", 1),
    w("organizations", "DeleteOrganization", 1), w("organizations", "DeleteOrganizationalUnit", 1), w("organizations", "DeletePolicy", 1),
    w("organizations", "DetachPolicy", 1), w("organizations", "DisablePolicyType", 1), w("organizations", "EnablePolicyType", 1),
    w("organizations", "InviteAccountToOrganization", 1), w("organizations", "LeaveOrganization", 1), w("organizations", "MoveAccount", 1),
    w("organizations", "RemoveAccountFromOrganization", 1), w("organizations", "UpdatePolicy", 1),
    w("organizations", "UpdateOrganizationalUnit", 1),
];

/// Cumulative weights over [`CATALOG`] for one kind of region.
struct Table {
    cumulative: Vec<(u32, usize)>,
}

impl Table {
    fn new(global: bool) -> Table {
        let mut total = 0;
        let cumulative = CATALOG
            .iter()
            .enumerate()
            .filter(|(_, api)| global || !api.global())
            .map(|(i, api)| {
                total += api.weight;
                (total, i)
            })
            .collect();
        Table { cumulative }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.cumulative.last().map_or(1, |c| c.0);
        let x = rng.gen_range(0..total);
        let at = self.cumulative.partition_point(|c| c.0 <= x);
        self.cumulative[at].1
    }
}

fn tables(global: bool) -> &'static Table {
    static TABLES: OnceLock<[Table; 2]> = OnceLock::new();
    &TABLES.get_or_init(|| [Table::new(false), Table::new(true)])[usize::from(global)]
}

#[derive(Serialize)]
struct Record<'a> {
    #[serde(rename = "eventVersion")]
    event_version: &'static str,
    #[serde(rename = "userIdentity")]
    user_identity: Identity<'a>,
    #[serde(rename = "eventTime")]
    event_time: String,
    #[serde(rename = "eventSource")]
    event_source: String,
    #[serde(rename = "eventName")]
    event_name: &'a str,
    #[serde(rename = "awsRegion")]
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: String,
    #[serde(rename = "userAgent")]
    user_agent: String,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    error_code: Option<&'static str>,
    #[serde(rename = "errorMessage", skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
    #[serde(rename = "requestParameters")]
    request_parameters: Value,
    #[serde(rename = "responseElements")]
    response_elements: Value,
    #[serde(rename = "additionalEventData", skip_serializing_if = "Option::is_none")]
    additional_event_data: Option<Value>,
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(rename = "eventID")]
    event_id: String,
    #[serde(rename = "readOnly")]
    read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<Value>,
    #[serde(rename = "eventType")]
    event_type: &'static str,
    #[serde(rename = "managementEvent")]
    management_event: bool,
    #[serde(rename = "recipientAccountId")]
    recipient_account_id: &'a str,
    #[serde(rename = "sharedEventID", skip_serializing_if = "Option::is_none")]
    shared_event_id: Option<String>,
    #[serde(rename = "eventCategory")]
    event_category: &'static str,
    #[serde(rename = "tlsDetails", skip_serializing_if = "Option::is_none")]
    tls_details: Option<TlsDetails>,
    #[serde(rename = "sessionCredentialFromConsole", skip_serializing_if = "Option::is_none")]
    session_credential_from_console: Option<&'static str>,
}

#[derive(Serialize, Default)]
struct Identity<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(rename = "principalId", skip_serializing_if = "Option::is_none")]
    principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
    #[serde(rename = "accountId", skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(rename = "accessKeyId", skip_serializing_if = "Option::is_none")]
    access_key_id: Option<String>,
    #[serde(rename = "userName", skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    #[serde(rename = "sessionContext", skip_serializing_if = "Option::is_none")]
    session_context: Option<SessionContext<'a>>,
    #[serde(rename = "invokedBy", skip_serializing_if = "Option::is_none")]
    invoked_by: Option<&'static str>,
}

#[derive(Serialize)]
struct SessionContext<'a> {
    #[serde(rename = "sessionIssuer", skip_serializing_if = "Option::is_none")]
    session_issuer: Option<Issuer<'a>>,
    #[serde(rename = "webIdFederationData", skip_serializing_if = "Option::is_none")]
    web_id_federation_data: Option<Value>,
    attributes: Attributes,
}

#[derive(Serialize)]
struct Issuer<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "principalId")]
    principal_id: String,
    arn: String,
    #[serde(rename = "accountId")]
    account_id: &'a str,
    #[serde(rename = "userName")]
    user_name: &'a str,
}

#[derive(Serialize)]
struct Attributes {
    #[serde(rename = "creationDate")]
    creation_date: String,
    #[serde(rename = "mfaAuthenticated")]
    mfa_authenticated: &'static str,
}

#[derive(Serialize)]
struct TlsDetails {
    #[serde(rename = "tlsVersion")]
    tls_version: &'static str,
    #[serde(rename = "cipherSuite")]
    cipher_suite: &'static str,
    #[serde(rename = "clientProvidedHostHeader")]
    client_provided_host_header: String,
}
