//! End-to-end tests of `ctl validate` on generated dumps, one per kind of tampering, plus the
//! real digest bodies of the shared samples.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use trail_synth::{generate, key_fingerprint, rotated_key, tamper, test_key, SynthOutput, SynthSpec};

/// A generated dump in its own temp folder.
struct Dump {
    _dir: tempfile::TempDir,
    spec: SynthSpec,
    out: SynthOutput,
}

impl Dump {
    fn new(spec: SynthSpec) -> Dump {
        let dir = tempfile::tempdir().unwrap();
        let out = generate(&spec, dir.path()).unwrap();
        Dump { _dir: dir, spec, out }
    }

    fn small() -> Dump {
        Dump::new(SynthSpec::small(7))
    }

    /// Files of one area (`CloudTrail` or `CloudTrail-Digest`), sorted by path.
    fn files(&self, area: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&self.out.dump)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| p.components().any(|c| c.as_os_str() == area))
            .collect();
        files.sort();
        files
    }

    fn digests(&self) -> Vec<PathBuf> {
        self.files("CloudTrail-Digest")
    }

    fn logs(&self) -> Vec<PathBuf> {
        self.files("CloudTrail")
    }

    /// `ctl validate` with keys and head metadata, JSON lines out.
    fn validate(&self) -> Run {
        self.validate_with(&[
            "--public-keys",
            self.out.public_keys.to_str().unwrap(),
            "--digest-metadata",
            self.out.digest_metadata.to_str().unwrap(),
        ])
    }

    fn validate_with(&self, extra: &[&str]) -> Run {
        self.validate_at(&self.out.dump, extra)
    }

    /// `ctl validate PATH` with keys, head metadata and `extra`.
    fn validate_keyed_at(&self, path: &Path, extra: &[&str]) -> Run {
        let keys = self.out.public_keys.to_str().unwrap();
        let metadata = self.out.digest_metadata.to_str().unwrap();
        let mut args = vec!["--public-keys", keys, "--digest-metadata", metadata];
        args.extend_from_slice(extra);
        self.validate_at(path, &args)
    }

    fn validate_at(&self, path: &Path, extra: &[&str]) -> Run {
        let output = Command::cargo_bin("ctl")
            .unwrap()
            .arg("validate")
            .arg(path)
            .args(["--output", "jsonl"])
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let records = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        Run {
            code: output.status.code().unwrap(),
            records,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

struct Run {
    code: i32,
    records: Vec<Value>,
    stderr: String,
}

impl Run {
    /// Records whose key ends with the file name of `path`.
    fn about(&self, path: &Path) -> Vec<&Value> {
        let name = path.file_name().unwrap().to_str().unwrap();
        self.records.iter().filter(|r| r["key"].as_str().is_some_and(|k| k.ends_with(name))).collect()
    }

    /// The one status reported for `path`.
    fn status_of(&self, path: &Path) -> (String, String) {
        let found = self.about(path);
        assert!(!found.is_empty(), "nothing reported about {}: {:#?}", path.display(), self.records);
        let r = found[0];
        (r["status"].as_str().unwrap().to_string(), r["reason"].as_str().unwrap_or_default().to_string())
    }

    fn total(&self) -> &Value {
        self.records.iter().rev().find(|r| r["type"] == "summary" && r["chain"].is_null()).expect("a total summary")
    }

    fn non_valid(&self) -> Vec<&Value> {
        self.records.iter().filter(|r| r["type"] != "summary" && r["type"] != "gap" && r["status"] != "valid").collect()
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// Rewrites the content of a gzip file (re-compressed, so the gzip layer stays clean).
fn edit_content(path: &Path, edit: impl FnOnce(&mut Vec<u8>)) {
    let mut content = gunzip(&std::fs::read(path).unwrap());
    edit(&mut content);
    std::fs::write(path, common::gzip(&content)).unwrap();
}

#[test]
fn a_clean_dump_is_all_valid() {
    let dump = Dump::small();
    let run = dump.validate();
    assert_eq!(run.code, 0, "{:#?}\n{}", run.records, run.stderr);
    assert!(run.non_valid().is_empty(), "{:#?}", run.non_valid());
    let total = run.total();
    assert_eq!(total["digests"]["valid"].as_u64().unwrap() as usize, dump.digests().len());
    assert_eq!(total["logs"]["valid"].as_u64().unwrap() as usize, dump.logs().len());
}

#[test]
fn a_log_file_modified_by_one_byte_is_invalid() {
    let dump = Dump::small();
    let log = &dump.logs()[1];
    edit_content(log, |c| {
        let at = c.len() / 2;
        c[at] = if c[at] == b'a' { b'b' } else { b'a' };
    });
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert_eq!(run.status_of(log), ("invalid".into(), "hash value doesn't match".into()));
}

#[test]
fn a_corrupted_gzip_byte_is_invalid_format() {
    let dump = Dump::small();
    let log = &dump.logs()[0];
    let mut bytes = std::fs::read(log).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x55;
    std::fs::write(log, bytes).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert_eq!(run.status_of(log).0, "invalid");
}

#[test]
fn a_deleted_log_file_is_not_found() {
    let dump = Dump::small();
    let log = &dump.logs()[2];
    std::fs::remove_file(log).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert_eq!(run.status_of(log), ("not_found".into(), "not found".into()));
}

#[test]
fn a_truncated_log_file_is_invalid() {
    let dump = Dump::small();
    let log = &dump.logs()[0];
    let bytes = std::fs::read(log).unwrap();
    std::fs::write(log, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(log);
    assert_eq!(status, "invalid");
    assert!(reason.starts_with("hash value doesn't match"), "{reason}");
}

#[test]
fn a_second_gzip_member_appended_is_invalid() {
    let dump = Dump::small();
    let log = &dump.logs()[0];
    let mut bytes = std::fs::read(log).unwrap();
    bytes.extend(common::gzip(br#"{"Records":[{"eventName":"Injected"}]}"#));
    std::fs::write(log, bytes).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert_eq!(run.status_of(log), ("invalid".into(), "unexpected data after end of compressed stream".into()));
}

#[test]
fn a_digest_deleted_in_the_middle_is_not_found_and_the_chain_goes_on() {
    let dump = Dump::small();
    let digests = dump.digests();
    assert!(digests.len() >= 3);
    let middle = &digests[1];
    std::fs::remove_file(middle).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert_eq!(run.status_of(middle).0, "not_found");
    // Its predecessor cannot be verified (its signature sat in the deleted digest), but the
    // oldest digest re-links and verifies.
    let (status, reason) = run.status_of(&digests[0]);
    assert_eq!(status, "unverified", "{reason}");
    assert!(reason.contains("digest after it is missing"), "{reason}");
    assert_eq!(run.status_of(&digests[2]).0, "valid");
}

#[test]
fn two_consecutive_digests_deleted_are_both_not_found() {
    let dump = Dump::new(SynthSpec { hours: 5, ..SynthSpec::small(11) });
    let digests = dump.digests();
    std::fs::remove_file(&digests[2]).unwrap();
    std::fs::remove_file(&digests[3]).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    // The newer one is linked, so it is named; the older one is known only as a period no
    // digest covers (the AWS CLI reports the first and cannot see the second).
    assert_eq!(run.status_of(&digests[3]).0, "not_found");
    let gaps: Vec<_> = run.records.iter().filter(|r| r["type"] == "gap").collect();
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["status"], "not_found");
    assert!(gaps[0]["reason"].as_str().unwrap().contains("digests are missing"));
    assert_eq!(run.status_of(&digests[4]).0, "valid");
    assert_eq!(run.status_of(&digests[1]).0, "unverified");
    assert_eq!(run.status_of(&digests[0]).0, "valid");
}

#[test]
fn a_modified_digest_fails_its_signature() {
    let dump = Dump::small();
    let digest = &dump.digests()[1];
    edit_content(digest, |c| {
        let text = String::from_utf8(c.clone()).unwrap();
        // Drop one listed log file from the digest, keeping valid JSON.
        let v: Value = serde_json::from_str(&text).unwrap();
        let first = v["logFiles"][0]["s3Object"].as_str().unwrap().replace('/', "\\/");
        let edited = text.replace(&first, &first.replace("CloudTrail_", "CloudTrail_x"));
        *c = edited.into_bytes();
    });
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(digest);
    assert_eq!(status, "invalid");
    assert!(reason.contains("signature verification failed") || reason.contains("previousDigestHashValue"), "{reason}");
}

#[test]
fn a_forged_head_signature_is_invalid() {
    let dump = Dump::small();
    let text = std::fs::read_to_string(&dump.out.digest_metadata).unwrap();
    let mut meta: Value = serde_json::from_str(&text).unwrap();
    for (_, entry) in meta.as_object_mut().unwrap() {
        entry["signature"] = Value::String("ab".repeat(256));
    }
    std::fs::write(&dump.out.digest_metadata, meta.to_string()).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let head = dump.digests().last().unwrap().clone();
    assert_eq!(run.status_of(&head), ("invalid".into(), "signature verification failed".into()));
}

#[test]
fn a_digest_moved_to_another_key_is_reported_moved() {
    let dump = Dump::small();
    let digests = dump.digests();
    let from = &digests[1];
    let name = from.file_name().unwrap().to_str().unwrap();
    // Same chain, another hour's name: the content still names its original key.
    let to = from.with_file_name(name.replace("T0", "T1"));
    assert_ne!(&to, from);
    std::fs::rename(from, &to).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let moved: Vec<_> =
        run.records.iter().filter(|r| r["reason"] == "has been moved from its original location").collect();
    assert_eq!(moved.len(), 1, "{:#?}", run.records);
    assert_eq!(run.status_of(from).0, "not_found");
}

#[test]
fn a_log_file_no_digest_lists_is_unreferenced() {
    let dump = Dump::small();
    let logs = dump.logs();
    let original = &logs[1];
    let name = original.file_name().unwrap().to_str().unwrap();
    let unique = &name[name.len() - 24..name.len() - 8];
    let injected = original.with_file_name(name.replace(unique, "INJECTEDxxxxxxxx"));
    std::fs::write(&injected, common::gzip(br#"{"Records":[]}"#)).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(&injected);
    assert_eq!(status, "unreferenced", "{reason}");
}

#[test]
fn a_missing_public_key_is_invalid_with_the_aws_message() {
    let dump = Dump::small();
    let empty = dump._dir.path().join("other-keys.json");
    // A key file that holds some other key only.
    let text = std::fs::read_to_string(&dump.out.public_keys).unwrap();
    let mut keys: Value = serde_json::from_str(&text).unwrap();
    fn retarget(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(fp)) = m.get_mut("Fingerprint") {
                    *fp = "0".repeat(32);
                }
                if let Some(Value::String(value)) = m.get_mut("Value") {
                    // Same key bytes under a wrong listed fingerprint would still be found by
                    // the computed one: drop the key bytes' last base64 quad instead.
                    *value = value[..value.len() - 4].to_string();
                }
                m.values_mut().for_each(retarget);
            }
            Value::Array(a) => a.iter_mut().for_each(retarget),
            _ => {}
        }
    }
    retarget(&mut keys);
    std::fs::write(&empty, keys.to_string()).unwrap();
    let run = dump.validate_with(&["--public-keys", empty.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let head = dump.digests()[0].clone();
    let (status, reason) = run.status_of(&head);
    assert_eq!(status, "invalid");
    assert!(reason.starts_with("public key not found in region us-east-1 for fingerprint "), "{reason}");
}

#[test]
fn without_keys_signatures_are_unverified_with_one_warning() {
    let dump = Dump::small();
    let run = dump.validate_with(&[]);
    // Nothing wrong found, but nothing proven either: exit 3, and every log is unverified
    // like the digests that list it.
    assert_eq!(run.code, 3);
    assert_eq!(run.stderr.matches("warning").count(), 1, "{}", run.stderr);
    for d in dump.digests() {
        assert_eq!(run.status_of(&d).0, "unverified");
    }
    for log in dump.logs() {
        assert_eq!(run.status_of(&log).0, "unverified");
    }
}

#[test]
fn a_deleted_head_named_in_metadata_is_not_found() {
    let dump = Dump::small();
    let head = dump.digests().last().unwrap().clone();
    std::fs::remove_file(&head).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(&head);
    assert_eq!(status, "not_found");
    assert!(reason.contains("--digest-metadata"), "{reason}");
}

#[test]
fn a_restart_is_a_gap_not_a_finding() {
    let dump = Dump::new(SynthSpec { hours: 5, stopped_hours: vec![2], ..SynthSpec::small(3) });
    let run = dump.validate();
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
    assert_eq!(run.records.iter().filter(|r| r["type"] == "gap").count(), 1);
}

#[test]
fn organization_and_multi_region_multi_account_dumps_validate_in_one_run() {
    let org = Dump::new(SynthSpec {
        accounts: 2,
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        org_id: Some("o-abc123def4".into()),
        prefix: Some("org/trails".into()),
        ..SynthSpec::small(5)
    });
    let run = org.validate();
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
    let chains = run.records.iter().filter(|r| r["type"] == "summary" && !r["chain"].is_null()).count();
    assert_eq!(chains, 4);
    assert_eq!(run.total()["logs"]["valid"].as_u64().unwrap() as usize, org.logs().len());
}

#[test]
fn every_output_format_renders() {
    let dump = Dump::small();
    for (format, check) in
        [("table", "log files valid"), ("json", "\"type\": \"summary\""), ("csv", "type,status,key,path,reason")]
    {
        let out = Command::cargo_bin("ctl")
            .unwrap()
            .args(["validate", "--output", format, "--public-keys"])
            .arg(&dump.out.public_keys)
            .arg("--digest-metadata")
            .arg(&dump.out.digest_metadata)
            .arg(&dump.out.dump)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains(check), "{format}");
    }
}

#[test]
fn usage_and_io_errors_exit_2() {
    let out = Command::cargo_bin("ctl").unwrap().args(["validate", "/nonexistent/dump"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/dump"));
    let out = Command::cargo_bin("ctl").unwrap().args(["validate", "--bogus", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Flips one byte at a time (sampled) in every file of a small dump. ctl must exit 1 naming
/// the file, except for bits gzip readers ignore: FTEXT (bit 0 of byte 3), MTIME (4-7), XFL (8), OS (9)
/// bytes, and the characters of the FNAME field of log files (not their NUL terminator).
#[test]
fn every_flipped_byte_is_caught_or_harmless() {
    let dump = Dump::new(SynthSpec { hours: 2, files_per_hour: 1, events_per_file: 2, ..SynthSpec::small(9) });
    let mut files = dump.digests();
    files.extend(dump.logs());
    let mut checked = 0;
    for file in &files {
        let original = std::fs::read(file).unwrap();
        let harmless = harmless_header_bytes(&original);
        let step = (original.len() / 40).max(1);
        let positions: Vec<usize> =
            (0..original.len()).filter(|i| *i < 24 || i % step == 0 || *i + 8 >= original.len()).collect();
        for at in positions {
            let mut bytes = original.clone();
            bytes[at] ^= 0x01;
            std::fs::write(file, &bytes).unwrap();
            let run = dump.validate();
            if harmless.contains(&at) {
                assert!(run.code == 0 || !run.about(file).is_empty(), "{} byte {at}", file.display());
            } else {
                assert_eq!(run.code, 1, "{} byte {at}: {:#?}", file.display(), run.records);
                let named = run.about(file).iter().any(|r| r["status"] != "valid");
                assert!(named, "{} byte {at} not named", file.display());
            }
            checked += 1;
        }
        std::fs::write(file, &original).unwrap();
    }
    assert!(checked > 100);
}

fn harmless_header_bytes(gz: &[u8]) -> Vec<usize> {
    // Byte 3 too: the flip sets or clears FTEXT, a hint no reader acts on.
    let mut harmless: Vec<usize> = (3..=9).collect();
    if gz[3] & 0x08 != 0 {
        let end = gz[10..].iter().position(|&b| b == 0).unwrap() + 10;
        harmless.extend(10..end);
    }
    harmless
}

#[test]
fn real_digest_bodies_parse_or_fail_clearly() {
    let Some(samples) = common::samples("real digest bodies (the Elastic sample is not committed)") else { return };
    let real = samples.join(
        "real-digest-llm-guard/327878933619_CloudTrail-Digest_ap-northeast-1_llm-guard-trail_us-west-2_20231015T230404Z.json",
    );
    let body = cloudtrail::digest::DigestBody::parse(&std::fs::read(real).unwrap()).unwrap();
    assert_eq!(body.bucket(), "llm-guard-trail");
    assert!(body.object().starts_with("AWSLogs/327878933619/CloudTrail-Digest/ap-northeast-1/"));
    assert!(body.previous().is_some());

    // The documentation's examples parse; the anonymized Elastic digest parses but its damaged
    // previousDigestHashValue (63 hex digits) is named.
    let docs = samples.join("awsdocs-examples/cloudtrail-user-guide");
    let mut seen = 0;
    for name in ["digest-example-1.json", "digest-example-2.json"] {
        let body = cloudtrail::digest::DigestBody::parse(&std::fs::read(docs.join(name)).unwrap()).unwrap();
        assert!(body.end_time().ends_with('Z'));
        seen += 1;
    }
    let elastic = std::fs::read(samples.join("elastic-integrations-testlogs/test-cloudtrail-digest-json.log")).unwrap();
    let body = cloudtrail::digest::DigestBody::parse(elastic.trim_ascii()).unwrap();
    let problems = body.malformed_hashes();
    assert_eq!(problems, ["previousDigestHashValue is not a hex SHA-256 (63 characters)"]);
    seen += 1;
    assert_eq!(seen, 3);
}

/// Keys with `..` and files reached through symbolic links are never followed out of the dump.
#[test]
fn hostile_keys_and_links_are_not_followed() {
    let dump = Dump::small();
    let head = dump.digests().last().unwrap().clone();
    let body: Value = serde_json::from_slice(&gunzip(&std::fs::read(&head).unwrap())).unwrap();
    let listed: Vec<String> =
        body["logFiles"].as_array().unwrap().iter().map(|l| l["s3Object"].as_str().unwrap().to_string()).collect();
    assert!(listed.len() >= 2);
    edit_content(&head, |c| {
        let text = String::from_utf8(c.clone()).unwrap();
        let escaped = listed[0].replace('/', "\\/");
        *c = text.replace(&escaped, "..\\/..\\/..\\/..\\/etc\\/passwd").into_bytes();
    });
    // The second log becomes a link to an identical copy outside the dump.
    let inside = dump.out.dump.join(&listed[1]);
    let outside = dump._dir.path().join("outside.json.gz");
    std::fs::copy(&inside, &outside).unwrap();
    std::fs::remove_file(&inside).unwrap();
    std::os::unix::fs::symlink(&outside, &inside).unwrap();

    let run = dump.validate_with(&[]);
    assert_eq!(run.code, 1);
    let unsafe_item =
        run.records.iter().find(|r| r["key"] == "../../../../etc/passwd").expect("the hostile key is reported");
    assert_eq!(unsafe_item["status"], "invalid");
    assert!(unsafe_item.get("path").is_none());
    assert_eq!(run.status_of(&inside).0, "not_found");
}

/// The README's first command: the committed fixture validates, exit 0.
#[test]
fn the_committed_fixture_validates() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dump");
    let out = Command::cargo_bin("ctl")
        .unwrap()
        .arg("validate")
        .arg(fixture.join("ctl-synthetic-trail"))
        .arg("--public-keys")
        .arg(fixture.join("public-keys.json"))
        .arg("--digest-metadata")
        .arg(fixture.join("digest-metadata.json"))
        .args(["--output", "table"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("3/3 digest files valid") && text.contains("6/6 log files valid"), "{text}");
    assert!(!text.contains('\x1b'), "no colour to a pipe: {text:?}");
}

#[test]
fn verdict_words_are_coloured_only_when_asked_or_on_a_terminal() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dump");
    let table = |color: &str| {
        let out = Command::cargo_bin("ctl")
            .unwrap()
            .args(["validate", "-v", "--output", "table", "--color", color])
            .arg(fixture.join("ctl-synthetic-trail"))
            .arg("--public-keys")
            .arg(fixture.join("public-keys.json"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // --color always wins over NO_COLOR; auto to a pipe (and with NO_COLOR) never colours.
    assert!(table("always").contains("\x1b[33mUNVERIFIED"));
    assert!(!table("auto").contains('\x1b'));
}

/// A multi-account, multi-region organization dump under a key prefix.
fn organization() -> Dump {
    Dump::new(SynthSpec {
        accounts: 2,
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        org_id: Some("o-abc123def4".into()),
        prefix: Some("org/trails".into()),
        hours: 4,
        ..SynthSpec::small(5)
    })
}

impl Dump {
    /// The folder of an account (`...AWSLogs/[o-id/]ACCOUNT`) of chain `i`.
    fn account_dir(&self, i: usize) -> PathBuf {
        let key = &self.out.chains[i].digests[0].key;
        self.out.path_of(key).ancestors().nth(6).unwrap().to_path_buf()
    }

    fn keys_arg(&self) -> &str {
        self.out.public_keys.to_str().unwrap()
    }
}

impl Run {
    /// Verdicts of digest and log records by key from `AWSLogs/` on (a run started below the
    /// key prefix cannot see it in the keys of files no digest names).
    fn verdicts(&self) -> std::collections::BTreeMap<String, String> {
        self.records
            .iter()
            .filter(|r| r["type"] == "digest" || r["type"] == "log")
            .map(|r| {
                let key = r["key"].as_str().unwrap();
                let key = key.find("AWSLogs/").map_or(key, |at| &key[at..]);
                (key.to_string(), r["status"].as_str().unwrap().to_string())
            })
            .collect()
    }

    fn reasons(&self) -> Vec<&str> {
        self.records.iter().filter_map(|r| r["reason"].as_str()).collect()
    }
}

/// Issue 8, case 1: filters with head metadata of every chain.
#[test]
fn filters_and_subfolders_leave_heads_outside_the_scope_alone() {
    let dump = organization();
    let chain = &dump.out.chains[0];
    let (account, region) = (chain.account.as_str(), chain.region.as_str());
    for extra in [vec!["--account", account], vec!["--region", region], vec!["--account", account, "--region", region]]
    {
        let run = dump.validate_keyed_at(&dump.out.dump, &extra);
        assert_eq!(run.code, 0, "{extra:?}: {:#?}", run.non_valid());
    }
    let run = dump.validate_keyed_at(&dump.account_dir(0), &[]);
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
}

/// Issue 8, case 2.
#[test]
fn a_deleted_digest_is_reported_once_when_metadata_has_every_signature() {
    let dump = Dump::small();
    tamper::metadata_for_every_digest(&dump.out, &dump.spec).unwrap();
    let digests = dump.digests();
    std::fs::remove_file(&digests[1]).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert_eq!(run.about(&digests[1]).len(), 1, "{:#?}", run.records);
    assert_eq!(run.status_of(&digests[0]).0, "valid", "its signature is in the metadata");
}

/// Issue 8, case 3.
#[test]
fn logs_listed_only_by_an_unverified_digest_are_unverified() {
    let dump = Dump::small();
    let chain = &dump.out.chains[0];
    let head = chain.digests.last().unwrap();
    let run = dump.validate_with(&["--public-keys", dump.keys_arg()]);
    assert_eq!(run.code, 3, "{:#?}", run.non_valid());
    assert_eq!(run.status_of(&dump.out.path_of(&head.key)).0, "unverified");
    for log in &head.log_keys {
        assert_eq!(run.status_of(&dump.out.path_of(log)).0, "unverified", "{log}");
    }
    for log in &chain.digests[0].log_keys {
        assert_eq!(run.status_of(&dump.out.path_of(log)).0, "valid", "{log}");
    }

    // The predecessor of a deleted digest loses its signature, and so do its logs.
    std::fs::remove_file(dump.out.path_of(&chain.digests[1].key)).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    for log in &chain.digests[0].log_keys {
        assert_eq!(run.status_of(&dump.out.path_of(log)).0, "unverified", "{log}");
    }
}

/// Issue 8, case 4: planted logs are findings unless delivered after the newest digest.
#[test]
fn planted_logs_are_findings_unless_after_the_newest_digest() {
    let stopped = Dump::new(SynthSpec { hours: 5, stopped_hours: vec![2], ..SynthSpec::small(3) });
    let account = stopped.out.chains[0].account.clone();
    let at = stopped.spec.hour_start(2) + chrono::Duration::minutes(30);
    let planted = tamper::plant_log(&stopped.out, &stopped.spec, &account, "us-east-1", at).unwrap();
    let run = stopped.validate();
    assert_eq!(run.code, 1, "logging-off gap");
    assert_eq!(run.status_of(&planted).0, "unreferenced");

    let dump = Dump::small();
    let account = dump.out.chains[0].account.clone();
    let at = dump.spec.hour_start(1) + chrono::Duration::minutes(30);
    let planted = tamper::plant_log(&dump.out, &dump.spec, &account, "eu-west-1", at).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1, "region without a chain");
    assert_eq!(run.status_of(&planted).0, "unreferenced");
    std::fs::remove_file(&planted).unwrap();

    std::fs::remove_file(dump.out.path_of(&dump.out.chains[0].digests[1].key)).unwrap();
    let planted = tamper::plant_log(&dump.out, &dump.spec, &account, "us-east-1", at).unwrap();
    let run = dump.validate();
    assert_eq!(run.status_of(&planted).0, "unreferenced", "period of a deleted digest");

    let late = Dump::small();
    let at = late.spec.hour_start(late.spec.hours) + chrono::Duration::minutes(30);
    let planted = tamper::plant_log(&late.out, &late.spec, &account, "us-east-1", at).unwrap();
    let run = late.validate();
    assert_eq!(run.code, 3, "after the newest digest: not a finding, not proven");
    assert_eq!(run.status_of(&planted).0, "uncovered");
}

/// Issue 8, case 5.
#[test]
fn misnamed_files_in_log_folders_are_findings_named_on_stderr() {
    let dump = Dump::small();
    let log = dump.logs()[0].clone();
    let name = log.file_name().unwrap().to_str().unwrap().to_string();
    let injected = log.with_file_name("injected.json.gz");
    let other_region = log.with_file_name(name.replace("us-east-1", "eu-west-1"));
    let upper = log.with_file_name(name.replace(".json.gz", ".json.GZ"));
    std::fs::write(&injected, common::gzip(br#"{"Records":[]}"#)).unwrap();
    std::fs::copy(&log, &other_region).unwrap();
    std::fs::copy(&log, &upper).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    for path in [&injected, &other_region, &upper] {
        let file = path.file_name().unwrap().to_str().unwrap();
        let found: Vec<_> = run.records.iter().filter(|r| r["key"].as_str().unwrap_or("").ends_with(file)).collect();
        assert_eq!(found.len(), 1, "{file}: {:#?}", run.records);
        assert_eq!(found[0]["status"], "unreferenced");
        assert!(run.stderr.contains(file), "{file} not named on stderr: {}", run.stderr);
    }
}

/// Issue 8, case 6.
#[test]
fn a_filter_that_matches_nothing_is_a_usage_error() {
    let dump = Dump::small();
    for extra in [["--trail", "misspelled"], ["--account", "000000000000"], ["--start-time", "2030-01-01"]] {
        let run = dump.validate_with(&extra);
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert!(run.stderr.contains(extra[1]) || run.stderr.contains("in scope"), "{}", run.stderr);
    }
}

/// Issue 8, case 7.
#[test]
fn a_digest_signed_with_another_regions_key_is_invalid() {
    let dump = Dump::new(SynthSpec { regions: vec!["us-east-1".into(), "eu-west-1".into()], ..SynthSpec::small(4) });
    let head = dump.out.chains[0].digests.last().unwrap().key.clone();
    assert!(head.contains("/us-east-1/"));
    tamper::resign_digest(&dump.out, &head, &test_key(dump.spec.seed, "eu-west-1"), |_| {}).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(&dump.out.path_of(&head));
    assert_eq!(status, "invalid");
    assert!(reason.starts_with("public key not found in region us-east-1 for fingerprint "), "{reason}");
}

/// Issue 8, case 8: the CLI's reason first, the hash link second, no gap for a present digest.
#[test]
fn an_altered_digest_is_blamed_for_its_signature_first_and_leaves_no_gap() {
    let dump = Dump::small();
    let middle = dump.out.path_of(&dump.out.chains[0].digests[1].key);
    edit_content(&middle, |c| {
        let text = String::from_utf8(c.clone()).unwrap();
        *c =
            text.replacen("\"digestEndTime\":\"2026-01-01T02:0", "\"digestEndTime\":\"2026-01-01T02:5", 1).into_bytes();
    });
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(&middle);
    assert_eq!(status, "invalid");
    assert!(reason.starts_with("signature verification failed; "), "{reason}");
    assert!(reason.contains("previousDigestHashValue"), "{reason}");
    assert!(!run.records.iter().any(|r| r["type"] == "gap"), "{:#?}", run.records);

    // The newest digest re-signed with a key that is not AWS's.
    let dump = Dump::small();
    let head = dump.out.chains[0].digests.last().unwrap().key.clone();
    tamper::resign_digest(&dump.out, &head, &test_key(999, "us-east-1"), |b| {
        b.log_files.pop();
    })
    .unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(&dump.out.path_of(&head));
    assert_eq!(status, "invalid");
    assert!(reason.starts_with("public key not found in region us-east-1"), "{reason}");
}

/// Issue 8, case 9.
#[test]
fn a_wrong_previous_hash_under_valid_signatures_is_a_broken_link() {
    let dump = Dump::small();
    let chain = &dump.out.chains[0];
    let head = chain.digests.last().unwrap().key.clone();
    tamper::resign_digest(&dump.out, &head, &test_key(dump.spec.seed, "us-east-1"), |b| {
        b.previous_digest_hash_value = Some("0".repeat(64));
    })
    .unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert_eq!(run.status_of(&dump.out.path_of(&head)).0, "valid");
    assert_eq!(run.status_of(&dump.out.path_of(&chain.digests[1].key)).0, "valid");
    for log in &chain.digests[1].log_keys {
        assert_eq!(run.status_of(&dump.out.path_of(log)).0, "valid");
    }
    let links: Vec<_> = run.records.iter().filter(|r| r["type"] == "link").collect();
    assert_eq!(links.len(), 1, "{:#?}", run.records);
    assert_eq!(links[0]["status"], "invalid");
}

/// Issue 8, case 10.
#[test]
fn the_summary_says_which_kind_each_gap_is() {
    let table = |dump: &Dump| {
        let out = Command::cargo_bin("ctl")
            .unwrap()
            .args(["validate", "--output", "table", "--public-keys", dump.keys_arg(), "--digest-metadata"])
            .arg(&dump.out.digest_metadata)
            .arg(&dump.out.dump)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let stopped = Dump::new(SynthSpec { hours: 5, stopped_hours: vec![2], ..SynthSpec::small(3) });
    let text = table(&stopped);
    assert!(text.contains("1 restarts of the chain (logging stopped and restarted"), "{text}");
    assert!(!text.contains("MISSING"), "{text}");
    let deleted = Dump::new(SynthSpec { hours: 5, ..SynthSpec::small(11) });
    std::fs::remove_file(&deleted.digests()[2]).unwrap();
    std::fs::remove_file(&deleted.digests()[2]).unwrap_or(());
    let text = table(&deleted);
    assert!(text.contains("periods with no digest because digests are MISSING"), "{text}");
    assert!(!text.contains("logging stopped and restarted"), "{text}");
}

/// Issue 8, case 11: links to itself, in a cycle, or out of the bucket.
#[test]
fn self_links_cycles_and_escaping_links_are_reported() {
    let key_of = |dump: &Dump, i: usize| dump.out.chains[0].digests[i].key.clone();
    let dump = Dump::small();
    let head = key_of(&dump, 2);
    let own = head.clone();
    tamper::resign_digest(&dump.out, &head, &test_key(dump.spec.seed, "us-east-1"), |b| {
        b.previous_digest_s3_object = Some(own);
    })
    .unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert!(run.reasons().iter().any(|r| r.contains("names this digest itself")), "{:#?}", run.records);

    let dump = Dump::small();
    let (head, middle) = (key_of(&dump, 2), key_of(&dump, 1));
    tamper::resign_digest(&dump.out, &middle, &test_key(dump.spec.seed, "us-east-1"), |b| {
        b.previous_digest_s3_object = Some(head.clone());
    })
    .unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert!(run.reasons().iter().any(|r| r.contains("cycle")), "{:#?}", run.records);

    let dump = Dump::small();
    let head = key_of(&dump, 2);
    tamper::resign_digest(&dump.out, &head, &test_key(dump.spec.seed, "us-east-1"), |b| {
        b.previous_digest_s3_object = Some("../../outside.json.gz".into());
    })
    .unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    assert!(run.reasons().iter().any(|r| r.contains("is not a key inside the bucket")), "{:#?}", run.records);
    assert!(!run.reasons().iter().any(|r| r.contains("which is not this dump")), "{:#?}", run.records);
}

/// Issue 8, case 11: the last digest before a restart is unverified for that reason.
#[test]
fn the_last_digest_before_a_restart_says_why_it_is_unverified() {
    let dump = Dump::new(SynthSpec { hours: 5, stopped_hours: vec![2], ..SynthSpec::small(3) });
    let before = dump.out.path_of(&dump.out.chains[0].digests[1].key);
    let run = dump.validate_with(&["--public-keys", dump.keys_arg()]);
    assert_eq!(run.code, 3);
    let (status, reason) = run.status_of(&before);
    assert_eq!(status, "unverified");
    assert!(reason.contains("logging stopped"), "{reason}");
}

/// Issue 8, case 11: a path inside the dump validates the chains it belongs to.
#[test]
fn a_single_digest_or_log_file_validates_its_chain() {
    let dump = Dump::small();
    let digest = &dump.out.chains[0].digests[1];
    let run = dump.validate_keyed_at(&dump.out.path_of(&digest.key), &[]);
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
    for log in &digest.log_keys {
        assert_eq!(run.status_of(&dump.out.path_of(log)).0, "valid");
    }
    let log = dump.logs()[0].clone();
    let run = dump.validate_keyed_at(&log, &[]);
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
    assert_eq!(run.status_of(&log).0, "valid");
}

/// Filters change what is in scope and nothing else: inside the scope, verdicts equal the
/// unfiltered run's, on a clean dump (exit 0 every time) and on a tampered one.
#[test]
fn filters_change_the_scope_and_no_verdict() {
    let dump = organization();
    let check = |dump: &Dump, clean: bool| {
        let all = dump.validate();
        assert_eq!(all.code == 0, clean, "{:#?}", all.non_valid());
        let reference = all.verdicts();
        let chain = &dump.out.chains[3];
        let start = crate_time(dump.spec.hour_start(1));
        let end = crate_time(dump.spec.hour_start(2));
        let region_dir = dump.account_dir(3).join("CloudTrail").join(&chain.region);
        let runs = [
            dump.validate_keyed_at(&dump.out.dump, &["--account", &chain.account]),
            dump.validate_keyed_at(&dump.out.dump, &["--region", &chain.region]),
            dump.validate_keyed_at(&dump.out.dump, &["--trail", &dump.spec.trail]),
            dump.validate_keyed_at(&dump.out.dump, &["--start-time", &start]),
            dump.validate_keyed_at(&dump.out.dump, &["--end-time", &end]),
            dump.validate_keyed_at(&dump.out.dump, &["--start-time", &start, "--end-time", &end]),
            dump.validate_keyed_at(&dump.account_dir(3), &[]),
            dump.validate_keyed_at(&region_dir, &[]),
        ];
        for (i, run) in runs.iter().enumerate() {
            let verdicts = run.verdicts();
            assert!(!verdicts.is_empty(), "run {i}");
            if clean {
                assert_eq!(run.code, 0, "run {i}: {:#?}", run.non_valid());
            }
            for (key, verdict) in verdicts {
                assert_eq!(Some(&verdict), reference.get(&key), "run {i}: {key}");
            }
        }
    };
    check(&dump, true);
    let chain = &dump.out.chains[3];
    std::fs::remove_file(dump.out.path_of(&chain.digests[1].key)).unwrap();
    let at = dump.spec.hour_start(2) + chrono::Duration::minutes(20);
    tamper::plant_log(&dump.out, &dump.spec, &chain.account, &chain.region, at).unwrap();
    check(&dump, false);
}

fn crate_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Clean dumps of every shape exit 0: empty digests, re-compressed logs.
#[test]
fn clean_dumps_of_every_shape_exit_0() {
    let empty = Dump::new(SynthSpec { files_per_hour: 0, ..SynthSpec::small(8) });
    let run = empty.validate();
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());

    let dump = Dump::small();
    for log in dump.logs() {
        let content = gunzip(&std::fs::read(&log).unwrap());
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut encoder, &content).unwrap();
        std::fs::write(&log, encoder.finish().unwrap()).unwrap();
    }
    let run = dump.validate();
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
}

/// A dump whose regions' keys rotate at hour 2 of 4: `public-keys.json` lists both keys of each
/// region, the digests carry the fingerprint of the key of their hour.
fn rotated() -> Dump {
    Dump::new(SynthSpec {
        hours: 4,
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        key_rotations: vec![2],
        ..SynthSpec::small(12)
    })
}

#[test]
fn a_clean_dump_with_a_key_rotation_is_all_valid() {
    let dump = rotated();
    for chain in &dump.out.chains {
        let old = key_fingerprint(&rotated_key(dump.spec.seed, &chain.region, 0));
        let new = key_fingerprint(&rotated_key(dump.spec.seed, &chain.region, 1));
        let fingerprints: Vec<&str> = chain.digests.iter().map(|d| d.fingerprint.as_str()).collect();
        assert_eq!(fingerprints, [&old, &old, &new, &new]);
    }
    let run = dump.validate();
    assert_eq!(run.code, 0, "{:#?}\n{}", run.non_valid(), run.stderr);
    assert!(run.non_valid().is_empty(), "{:#?}", run.non_valid());
    let digests: Vec<&Value> = run.records.iter().filter(|r| r["type"] == "digest").collect();
    assert_eq!(digests.len(), 8);
    assert!(digests.iter().all(|r| r["status"] == "valid"), "{digests:#?}");
    assert_eq!(run.total()["digests"]["valid"], 8);
}

/// The AWS CLI builds one `{Fingerprint: key}` map of the keys `ListPublicKeys` returns for the
/// run's range and picks a digest's key by its `digestPublicKeyFingerprint` alone: validity
/// times are not consulted (spec §4). A digest signed after the rotation with the old key, which
/// names the old key's fingerprint, is therefore valid; one that names the new key's fingerprint
/// but was signed with the old key fails its signature.
#[test]
fn a_digest_signed_after_the_rotation_with_the_old_key_is_judged_by_its_fingerprint() {
    let dump = rotated();
    let chain = &dump.out.chains[0];
    let head = chain.digests.last().unwrap();
    let old_key = rotated_key(dump.spec.seed, &chain.region, 0);
    assert_ne!(head.fingerprint, key_fingerprint(&old_key), "the head is signed after the rotation");
    tamper::resign_digest(&dump.out, &head.key, &old_key, |_| {}).unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
    assert_eq!(run.status_of(&dump.out.path_of(&head.key)).0, "valid");

    let dump = rotated();
    let head = dump.out.chains[0].digests.last().unwrap();
    let new_fingerprint = head.fingerprint.clone();
    tamper::resign_digest(&dump.out, &head.key, &old_key, |body| {
        body.digest_public_key_fingerprint = Some(new_fingerprint);
    })
    .unwrap();
    let run = dump.validate();
    assert_eq!(run.code, 1);
    let (status, reason) = run.status_of(&dump.out.path_of(&head.key));
    assert_eq!((status.as_str(), reason.as_str()), ("invalid", "signature verification failed"));
}

#[test]
fn two_trails_in_one_bucket_validate_in_one_run() {
    let dump = Dump::new(SynthSpec { other_trails: vec!["data-events".into()], ..SynthSpec::small(13) });
    let run = dump.validate();
    assert_eq!(run.code, 0, "{:#?}\n{}", run.non_valid(), run.stderr);
    let mut trails: Vec<&str> = run
        .records
        .iter()
        .filter(|r| r["type"] == "summary" && !r["chain"].is_null())
        .map(|r| r["chain"]["trail"].as_str().unwrap())
        .collect();
    trails.sort_unstable();
    assert_eq!(trails, ["data-events", "management-events"]);
    assert_eq!(run.total()["digests"]["valid"].as_u64().unwrap() as usize, dump.digests().len());
    assert_eq!(run.total()["logs"]["valid"].as_u64().unwrap() as usize, dump.logs().len());

    // Both trails' logs share the folders: one trail alone still leaves the other's logs alone.
    let run = dump.validate_with(&[
        "--public-keys",
        dump.out.public_keys.to_str().unwrap(),
        "--digest-metadata",
        dump.out.digest_metadata.to_str().unwrap(),
        "--trail",
        "data-events",
    ]);
    assert_eq!(run.code, 0, "{:#?}", run.non_valid());
    assert_eq!(run.total()["logs"]["valid"].as_u64().unwrap() as usize, dump.logs().len() / 2);
    assert!(run.records.iter().filter(|r| r["type"] == "log").all(|r| r["trail"] == "data-events"));
}
