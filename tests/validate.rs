//! End-to-end tests of `ctl validate` on generated dumps, one per kind of tampering, plus the
//! real digest bodies of the shared samples.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use trail_synth::{generate, SynthOutput, SynthSpec};

/// A generated dump in its own temp folder.
struct Dump {
    _dir: tempfile::TempDir,
    out: SynthOutput,
}

impl Dump {
    fn new(spec: SynthSpec) -> Dump {
        let dir = tempfile::tempdir().unwrap();
        let out = generate(&spec, dir.path()).unwrap();
        Dump { _dir: dir, out }
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
        let output = Command::cargo_bin("ctl")
            .unwrap()
            .arg("validate")
            .arg(&self.out.dump)
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
    let Some(samples) = common::samples() else { return };
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
}
