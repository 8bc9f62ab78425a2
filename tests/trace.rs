//! End-to-end tests of `ctl trace`: chains on a generated tree with scripted credential chains
//! (role chaining across accounts, SAML, web identity, GetSessionToken, an EC2 instance role, an
//! unresolved key) and on the real samples, each link's calls checked against a serde_json count
//! of the same files.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use trail_synth::chains::Cast;

fn ctl() -> Command {
    let mut cmd = Command::cargo_bin("ctl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `ctl trace TARGET PATH ARGS... -o json` parsed, and the exit code.
fn trace(target: &str, path: &Path, args: &[&str]) -> (Value, i32) {
    let out = ctl().args(["trace", target, path.to_str().unwrap(), "-o", "json"]).args(args).output().unwrap();
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, out.status.code().unwrap_or(-1))
}

fn s<'a>(e: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(e, |v, k| v.get(k))?.as_str()
}

/// The keys of the first chain, target first.
fn keys(doc: &Value) -> Vec<String> {
    doc["chains"][0]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["access_key"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Every link's calls as ctl reports them equal a count of the events made with its key.
fn check_activity(doc: &Value, events: &[Value]) {
    for link in doc["chains"][0]["links"].as_array().unwrap() {
        let Some(key) = link["access_key"].as_str() else { continue };
        let mine: Vec<&Value> = events.iter().filter(|e| s(e, &["userIdentity", "accessKeyId"]) == Some(key)).collect();
        let a = &link["activity"];
        assert_eq!(a["events"], mine.len() as u64, "{key}");
        let mut names: BTreeMap<String, u64> = BTreeMap::new();
        for e in &mine {
            *names.entry(s(e, &["eventName"]).unwrap().to_string()).or_default() += 1;
        }
        let got: BTreeMap<String, u64> = a["event_names"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["value"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap()))
            .collect();
        // Lists are cut to the most frequent rows: each shown count is exact, and so is the
        // number of distinct names.
        assert_eq!(a["event_names"]["distinct"], names.len() as u64, "{key}");
        assert!(got.iter().all(|(name, n)| names.get(name) == Some(n)), "{key}: {got:?} vs {names:?}");
        assert!(got.len() == names.len() || a["event_names"]["cut"] == true, "{key}");
        let times: Vec<&str> = mine.iter().filter_map(|e| s(e, &["eventTime"])).collect();
        assert_eq!(a["first"].as_str(), times.iter().min().copied(), "{key}");
        assert_eq!(a["last"].as_str(), times.iter().max().copied(), "{key}");
        let denied = mine
            .iter()
            .filter(|e| {
                s(e, &["errorCode"]).is_some_and(|c| c.starts_with("AccessDenied") || c.contains("Unauthorized"))
            })
            .count();
        assert_eq!(a["denied"], denied as u64, "{key}");
    }
}

/// The minting call of `key` in `events` (the earliest).
fn minting<'a>(events: &'a [Value], key: &str) -> Option<&'a Value> {
    events
        .iter()
        .filter(|e| s(e, &["responseElements", "credentials", "accessKeyId"]) == Some(key))
        .min_by_key(|e| s(e, &["eventTime"]).map(str::to_string))
}

fn generated(dir: &Path) -> (trail_synth::SynthOutput, Cast) {
    let spec = trail_synth::SynthSpec { accounts: 2, credential_chains: true, ..trail_synth::SynthSpec::small(5) };
    let out = trail_synth::generate(&spec, dir).unwrap();
    (out, Cast::new(5, &trail_synth::account_ids(5, 2)))
}

#[test]
fn role_chaining_across_accounts_is_followed_to_the_iam_user() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, cast) = generated(tmp.path());
    let events = common::independent_events(&out.dump);
    // The generator counts the scripted calls it adds (19 in the first account, 7 in the second).
    assert_eq!(out.events, events.len() as u64);
    assert_eq!(out.events, 2 * 3 * 2 * 5 + 19 + 7);
    let (doc, code) = trace(&cast.cross_key, &out.dump, &[]);
    assert_eq!(code, 0);
    assert_eq!(keys(&doc), [cast.cross_key.as_str(), &cast.jump_key, &cast.alice_key]);
    let chain = &doc["chains"][0];
    assert_eq!(chain["origin"]["kind"], "iam_user");
    assert_eq!(chain["origin"]["identity"], format!("arn:aws:iam::{}:user/chain-alice", cast.a));
    // Each minting is the one a serde_json search finds, made with the next link's key.
    let links = chain["links"].as_array().unwrap();
    for pair in links.windows(2) {
        let key = pair[0]["access_key"].as_str().unwrap();
        let m = minting(&events, key).unwrap();
        let by = &pair[0]["minted_by"];
        assert_eq!(by["event_id"].as_str(), s(m, &["eventID"]));
        assert_eq!(by["caller_key"].as_str(), s(m, &["userIdentity", "accessKeyId"]));
        assert_eq!(by["caller_key"], pair[1]["access_key"]);
        assert_eq!(by["source_ip"].as_str(), s(m, &["sourceIPAddress"]));
    }
    assert_eq!(links[0]["identity"], format!("arn:aws:sts::{}:assumed-role/cross-account-admin/alice-cross", cast.b));
    assert!(links[2]["minted_by"].is_null(), "a long-term key is not minted");
    check_activity(&doc, &events);

    // The same chain from the session name and from the session's ARN.
    let (by_session, _) = trace("alice-cross", &out.dump, &[]);
    assert_eq!(keys(&by_session), keys(&doc));
    let arn = links[0]["identity"].as_str().unwrap();
    let (by_arn, _) = trace(arn, &out.dump, &[]);
    assert_eq!(keys(&by_arn), keys(&doc));
}

#[test]
fn every_kind_of_origin() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, cast) = generated(tmp.path());
    let events = common::independent_events(&out.dump);
    let cases = [
        (
            &cast.carol_jump_key,
            vec![cast.carol_jump_key.as_str(), &cast.carol_session_key, &cast.carol_key],
            "iam_user",
        ),
        (&cast.saml_key, vec![cast.saml_key.as_str()], "saml"),
        (&cast.web_key, vec![cast.web_key.as_str()], "web_identity"),
        (&cast.instance_key, vec![cast.instance_key.as_str()], "ec2_instance"),
        (&cast.orphan_key, vec![cast.orphan_key.as_str()], "unresolved"),
    ];
    for (target, chain, origin) in cases {
        let (doc, code) = trace(target, &out.dump, &[]);
        assert_eq!(code, 0, "{target}");
        assert_eq!(keys(&doc), chain, "{target}");
        assert_eq!(doc["chains"][0]["origin"]["kind"], origin, "{target}");
        check_activity(&doc, &events);
    }
    let (doc, _) = trace(&cast.instance_key, &out.dump, &[]);
    assert_eq!(doc["chains"][0]["origin"]["identity"], cast.instance_id.as_str());
    let (doc, _) = trace(&cast.saml_key, &out.dump, &[]);
    assert_eq!(doc["chains"][0]["origin"]["identity"], format!("arn:aws:iam::{}:saml-provider/Okta", cast.a));

    // Nothing known of a key: said plainly, exit 1 as a query that matches nothing.
    let (doc, code) = trace("ASIAZZZZZZZZZZZZZZZZ", &out.dump, &[]);
    assert_eq!((code, doc["chains"][0]["origin"]["kind"].as_str()), (1, Some("unresolved")));
    // A window that leaves the minting calls out leaves the chain unresolved.
    let (doc, _) =
        trace(&cast.cross_key, &out.dump, &["--since", "2026-01-01T00:00:00Z", "--until", "2026-01-01T00:00:01Z"]);
    assert_eq!(doc["chains"][0]["origin"]["kind"], "unresolved");
}

#[test]
fn the_tree_on_a_terminal_names_each_hop() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, cast) = generated(tmp.path());
    let run = ctl().args(["trace", &cast.cross_key, out.dump.to_str().unwrap(), "-o", "table"]).output().unwrap();
    let text = String::from_utf8(run.stdout).unwrap();
    assert_eq!(text.matches("minted by AssumeRole").count(), 2, "{text}");
    assert!(text.contains("origin: iam_user") && text.contains(&cast.alice_key), "{text}");
}

#[test]
fn a_bad_file_is_reported_once_though_both_passes_meet_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, cast) = generated(tmp.path());
    let bad = out.dump.join("AWSLogs").join("bad.json");
    std::fs::write(&bad, format!("{{\"Records\":[{{\"eventName\":\"AssumeRole\",\"k\":\"{}\"", cast.cross_key))
        .unwrap();
    let run = ctl().args(["trace", &cast.cross_key, out.dump.to_str().unwrap(), "-o", "json"]).output().unwrap();
    let err = String::from_utf8(run.stderr).unwrap();
    assert_eq!(run.status.code(), Some(2), "an unreadable file: {err}");
    assert_eq!(err.lines().filter(|l| l.contains("bad.json")).count(), 1, "{err}");
}

#[test]
fn samples_assume_role_chains_match_an_independent_search() {
    let Some(root) = common::samples("samples_assume_role_chains_match_an_independent_search") else { return };
    let mut traced = 0;
    for name in ["invictus-ir-aws-dataset", "sans504-s3-ransomware-lab"] {
        let dir = root.join(name);
        let events = common::independent_events(&dir);
        // Minted keys that were used, by whom they were minted.
        let mut minted: Vec<(String, String)> = events
            .iter()
            .filter_map(|e| {
                let key = s(e, &["responseElements", "credentials", "accessKeyId"])?;
                let used = events.iter().any(|u| s(u, &["userIdentity", "accessKeyId"]) == Some(key));
                used.then(|| (key.to_string(), s(e, &["userIdentity", "type"]).unwrap_or("").to_string()))
            })
            .collect();
        minted.sort();
        minted.dedup();
        for (key, caller) in minted.iter().take(6) {
            let (doc, code) = trace(key, &dir, &[]);
            assert_eq!(code, 0, "{name} {key}");
            let m = minting(&events, key).unwrap();
            let first = &doc["chains"][0]["links"][0];
            assert_eq!(first["minted_by"]["event_name"].as_str(), s(m, &["eventName"]), "{key}");
            assert_eq!(first["minted_by"]["caller_type"].as_str(), Some(caller.as_str()), "{key}");
            let origin = doc["chains"][0]["origin"]["kind"].as_str().unwrap();
            match caller.as_str() {
                "IAMUser" => {
                    assert_eq!(origin, "iam_user");
                    assert_eq!(keys(&doc)[1], s(m, &["userIdentity", "accessKeyId"]).unwrap());
                }
                "AWSService" => assert!(["aws_service", "ec2_instance"].contains(&origin), "{origin}"),
                _ => {}
            }
            check_activity(&doc, &events);
            traced += 1;
        }
    }
    assert!(traced >= 6, "the samples hold used AssumeRole keys");
}
