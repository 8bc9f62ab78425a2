//! End-to-end tests of `ctl summary`: the real binary's JSON document checked figure by figure
//! against an oracle written here with serde_json over the same files (common's independent
//! reader), on the real samples and on generated trees.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn ctl() -> Command {
    let mut cmd = Command::cargo_bin("ctl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `ctl summary ARGS... -o json --top 100000` parsed, and the exit code.
fn summary(args: &[&str]) -> (Value, i32) {
    let out = ctl().arg("summary").args(args).args(["-o", "json", "--top", "100000"]).output().unwrap();
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, out.status.code().unwrap_or(-1))
}

fn s<'a>(e: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(e, |v, k| v.get(k))?.as_str()
}

/// A `Top` list of the document as value -> count.
fn counts(top: &Value) -> BTreeMap<String, u64> {
    top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["value"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap()))
        .collect()
}

/// What the summary must say, counted independently.
#[derive(Default, Debug)]
struct Oracle {
    events: u64,
    names: BTreeMap<String, u64>,
    sources: BTreeMap<String, u64>,
    regions: BTreeMap<String, u64>,
    accounts: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    agents: BTreeMap<String, u64>,
    days: BTreeMap<String, u64>,
    first: Option<String>,
    last: Option<String>,
    /// Per identity: events, denied.
    identities: BTreeMap<String, (u64, u64)>,
    sign_in: (u64, u64, u64),
    root: u64,
    temporary: BTreeSet<String>,
    temporary_events: u64,
    long_term: BTreeMap<String, u64>,
}

fn add(map: &mut BTreeMap<String, u64>, key: Option<&str>) {
    *map.entry(key.unwrap_or("(none)").to_string()).or_default() += 1;
}

fn oracle(events: &[Value]) -> Oracle {
    let mut o = Oracle::default();
    for e in events {
        o.events += 1;
        let name = s(e, &["eventName"]).or_else(|| s(e, &["insightDetails", "eventName"]));
        add(&mut o.names, name);
        add(&mut o.sources, s(e, &["eventSource"]).or_else(|| s(e, &["insightDetails", "eventSource"])));
        add(&mut o.regions, s(e, &["awsRegion"]));
        add(&mut o.accounts, s(e, &["recipientAccountId"]));
        add(&mut o.agents, s(e, &["userAgent"]));
        let code = match e.get("errorCode") {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(other) => Some(other.to_string()),
        }
        .filter(|c| !c.is_empty());
        if let Some(c) = &code {
            add(&mut o.errors, Some(c));
        }
        let denied = code.as_deref().is_some_and(|c| c.starts_with("AccessDenied") || c.contains("Unauthorized"));
        if let Some(t) = s(e, &["eventTime"]).filter(|t| t.len() == 20) {
            add(&mut o.days, Some(&t[..10]));
            o.first = Some(o.first.take().map_or(t.to_string(), |f| f.min(t.to_string())));
            o.last = Some(o.last.take().map_or(t.to_string(), |l| l.max(t.to_string())));
        }
        let id = e.get("userIdentity").filter(|v| v.is_object());
        let field = |k: &str| id.and_then(|i| i.get(k)).and_then(Value::as_str);
        let label = ["arn", "invokedBy", "userName", "principalId", "type"]
            .iter()
            .find_map(|k| field(k))
            .unwrap_or("(no identity)");
        let entry = o.identities.entry(label.to_string()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(denied);
        if let Some(key) = field("accessKeyId").filter(|k| !k.is_empty()) {
            if key.starts_with("ASIA") {
                o.temporary.insert(key.to_string());
                o.temporary_events += 1;
            } else {
                add(&mut o.long_term, Some(key));
            }
        }
        if name == Some("ConsoleLogin") {
            match s(e, &["responseElements", "ConsoleLogin"]) {
                Some("Success") => {
                    o.sign_in.0 += 1;
                    let mfa = s(e, &["additionalEventData", "MFAUsed"]).is_some_and(|m| m.eq_ignore_ascii_case("yes"));
                    o.sign_in.2 += u64::from(!mfa);
                }
                Some("Failure") => o.sign_in.1 += 1,
                _ => {}
            }
        }
        if field("type") == Some("Root") && field("invokedBy").is_none() {
            o.root += 1;
        }
    }
    o
}

/// Every figure of `doc` against the oracle of `events`.
fn check(doc: &Value, events: &[Value]) {
    let o = oracle(events);
    assert!(o.events > 0);
    assert_eq!(doc["volume"]["events"], o.events);
    assert_eq!(counts(&doc["event_names"]), o.names);
    assert_eq!(counts(&doc["event_sources"]), o.sources);
    assert_eq!(counts(&doc["regions"]), o.regions);
    assert_eq!(counts(&doc["accounts"]), o.accounts);
    assert_eq!(counts(&doc["error_codes"]), o.errors);
    assert_eq!(counts(&doc["user_agents"]), o.agents);
    assert_eq!(doc["event_names"]["distinct"], o.names.len() as u64);
    assert_eq!(doc["event_names"]["cut"], false);
    let days: BTreeMap<String, u64> = doc["per_day"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["events"] != 0)
        .map(|d| (d["day"].as_str().unwrap().to_string(), d["events"].as_u64().unwrap()))
        .collect();
    assert_eq!(days, o.days);
    assert_eq!(doc["span"]["first"].as_str(), o.first.as_deref());
    assert_eq!(doc["span"]["last"].as_str(), o.last.as_deref());
    let identities: BTreeMap<String, (u64, u64)> = doc["identities"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["identity"].as_str().unwrap().to_string(),
                (r["events"].as_u64().unwrap(), r["denied"].as_u64().unwrap()),
            )
        })
        .collect();
    assert_eq!(identities, o.identities);
    let si = &doc["sign_ins"];
    assert_eq!(
        (si["success"].as_u64(), si["failure"].as_u64(), si["without_mfa"].as_u64()),
        (Some(o.sign_in.0), Some(o.sign_in.1), Some(o.sign_in.2))
    );
    assert_eq!(doc["root"]["events"], o.root);
    let keys = &doc["access_keys"];
    assert_eq!(keys["temporary_distinct"], o.temporary.len() as u64);
    assert_eq!(keys["temporary_events"], o.temporary_events);
    let long: BTreeMap<String, u64> = keys["long_term"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["access_key"].as_str().unwrap().to_string(), r["events"].as_u64().unwrap()))
        .collect();
    assert_eq!(long, o.long_term);
}

fn sample(test: &str, name: &str) -> Option<std::path::PathBuf> {
    common::samples(test).map(|d| d.join(name))
}

#[test]
fn summary_figures_match_an_independent_count_on_the_real_samples() {
    for name in ["sans504-s3-ransomware-lab", "invictus-ir-aws-dataset", "stratus-red-team-grimoire"] {
        let Some(dir) = sample("summary_figures_match_an_independent_count_on_the_real_samples", name) else { return };
        let (doc, code) = summary(&[dir.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}");
        check(&doc, &common::independent_events(&dir));
    }
}

#[test]
fn copies_are_dropped_and_counted_and_selectors_narrow_every_section() {
    let Some(dir) =
        sample("copies_are_dropped_and_counted_and_selectors_narrow_every_section", "sans504-s3-ransomware-lab")
    else {
        return;
    };
    let (doc, _) = summary(&[dir.to_str().unwrap()]);
    let mut records = 0;
    let mut files = Vec::new();
    common::files_below(&dir, &mut files);
    for f in &files {
        let mut d = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(std::fs::File::open(f).unwrap()), &mut d)
            .unwrap();
        records += serde_json::from_slice::<Value>(&d).unwrap()["Records"].as_array().unwrap().len() as u64;
    }
    let v = &doc["volume"];
    assert_eq!(v["records"], records);
    assert_eq!(v["files"], files.len() as u64);
    assert_eq!(v["copies_dropped"].as_u64().unwrap() + v["events"].as_u64().unwrap(), records);

    let (doc, _) = summary(&[dir.to_str().unwrap(), "--identity-type", "Root", "--since", "2021-07-30"]);
    let events: Vec<Value> = common::independent_events(&dir)
        .into_iter()
        .filter(|e| {
            s(e, &["userIdentity", "type"]) == Some("Root") && s(e, &["eventTime"]).is_some_and(|t| t >= "2021-07-30")
        })
        .collect();
    check(&doc, &events);
}

/// A generated tree of two accounts with the scripted credential chains, an hour without
/// logging, and a second trail.
fn generated(dir: &Path) -> trail_synth::SynthOutput {
    let spec = trail_synth::SynthSpec {
        accounts: 2,
        hours: 6,
        stopped_hours: vec![2, 3],
        other_trails: vec!["security".into()],
        credential_chains: true,
        ..trail_synth::SynthSpec::small(11)
    };
    trail_synth::generate(&spec, dir).unwrap()
}

#[test]
fn summary_of_a_generated_tree_names_trails_gaps_and_digests() {
    let tmp = tempfile::tempdir().unwrap();
    let out = generated(tmp.path());
    let dump = out.dump.to_str().unwrap();
    let (doc, code) = summary(&[dump]);
    assert_eq!(code, 0);
    check(&doc, &common::independent_events(&out.dump));
    let trails: BTreeSet<&str> =
        doc["trails"].as_array().unwrap().iter().map(|t| t["trail"].as_str().unwrap()).collect();
    assert_eq!(trails, BTreeSet::from(["management-events", "security"]));
    // Two stopped hours in every account and region: no log file delivered in them.
    let delivery = doc["delivery"].as_array().unwrap();
    assert_eq!(delivery.len(), 2);
    for row in delivery {
        assert_eq!(row["hours_without_delivery"], 2, "{row}");
        assert_eq!(row["gaps"][0]["hours"], 2);
    }
    let digests = walkdir::WalkDir::new(&out.dump)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("_CloudTrail-Digest_"))
        .count();
    assert_eq!(doc["digests"]["files"], digests as u64);
    assert_eq!(doc["digests"]["validate"], format!("ctl validate {dump}"));
    // The chains' long-term keys and the EC2 instance role show in their sections.
    let cast = trail_synth::chains::Cast::new(11, &trail_synth::account_ids(11, 2));
    let long: Vec<&str> = doc["access_keys"]["long_term"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["access_key"].as_str().unwrap())
        .collect();
    assert!(long.contains(&cast.alice_key.as_str()) && long.contains(&cast.carol_key.as_str()));
}

#[test]
fn tables_fit_sections_and_cut_lists_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = generated(tmp.path());
    let run = ctl()
        .args(["summary", out.dump.to_str().unwrap(), "-o", "table", "--top", "3", "--by", "identity"])
        .output()
        .unwrap();
    let text = String::from_utf8(run.stdout).unwrap();
    for heading in [
        "Overview",
        "Events per day (UTC)",
        "Event names",
        "Identities",
        "Console sign-ins:",
        "Deliveries",
        "Identity arn:",
    ] {
        assert!(text.contains(heading), "{heading} missing:\n{text}");
    }
    assert!(text.contains("(3 of "), "a cut list says so:\n{text}");
    let (doc, code) = summary(&[out.dump.to_str().unwrap(), "--event", "NoSuchCall"]);
    assert_eq!((doc["volume"]["events"].as_u64(), code), (Some(0), 1), "nothing selected: exit 1 as query");
}

/// Every member name of `value`, at any depth.
fn member_names(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                member_names(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| member_names(v, out)),
        _ => {}
    }
}

#[test]
fn every_member_of_the_summary_and_trace_documents_is_documented() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/summary.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = generated(tmp.path());
    let (doc, _) = summary(&[out.dump.to_str().unwrap()]);
    let cast = trail_synth::chains::Cast::new(11, &trail_synth::account_ids(11, 2));
    let run = ctl().args(["trace", &cast.cross_key, out.dump.to_str().unwrap(), "-o", "json"]).output().unwrap();
    let trace: Value = serde_json::from_slice(&run.stdout).unwrap();
    let mut names = BTreeSet::new();
    member_names(&doc, &mut names);
    member_names(&trace, &mut names);
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| {
            !docs.contains(&format!("`{n}`")) && !docs.contains(&format!("{n},")) && !docs.contains(&format!("{n}}}"))
        })
        .collect();
    assert!(missing.is_empty(), "not in docs/summary.md: {missing:?}");
}
