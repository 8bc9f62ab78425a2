//! The filter-pattern test suite, ordered like the spec (`filter-patterns.md`): pattern kinds,
//! term patterns, regexes, JSON patterns, space-delimited patterns, metric extraction, the
//! ambiguity decisions (tests named `a<N>_...`), errors, and the CIS / Security Hub filters with
//! realistic CloudTrail events. The spec is `docs/filter-patterns.md` at the repository root.
//!
//! The CIS filters and real samples are read from `shared/data/` beside the repository root
//! ([`shared_data`]): a test without them prints a `skipped:` line, and fails when the `CI`
//! environment variable is set (CI has the data).

use std::path::{Path, PathBuf};

use super::*;

/// The path of `rel` under `shared/data/` beside the repository root. When it is absent the
/// test `test` fails if `CI` is set, else prints a visible `skipped:` line and gets None.
#[track_caller]
fn shared_data(test: &str, rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(std::env::var_os("CI").is_none(), "{test}: {} not found (CI must have it)", path.display());
    // Written to stderr directly: the test harness captures `eprintln!`, and a skip must show.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("skipped: {test}: ../shared/data not found\n").as_bytes(),
    );
    None
}

/// Compiles a pattern that must be valid.
#[track_caller]
fn p(src: &str) -> Pattern {
    Pattern::parse(src).unwrap_or_else(|e| panic!("{src:?} should parse: {e}"))
}

/// Checks the match result, that the prefilter never rejects a match, and (for JSON patterns
/// and JSON messages) that the fast walk agrees with the `serde_json::Value` oracle.
#[track_caller]
fn check(pattern: &str, message: &[u8], want: bool) {
    let pat = p(pattern);
    let got = pat.matches(message);
    assert_eq!(got, want, "pattern {pattern:?} on {:?}", String::from_utf8_lossy(message));
    if got {
        if let Some(pre) = pat.prefilter() {
            assert!(pre.may_match(message), "prefilter rejected a match: {pattern:?}");
        }
    }
    if let Some(oracle) = eval::oracle(&pat.inner.plan, message) {
        assert_eq!(oracle, got, "oracle disagrees: {pattern:?} on {:?}", String::from_utf8_lossy(message));
    }
}

macro_rules! hit {
    ($pattern:expr, $message:expr) => {
        check($pattern, AsRef::<[u8]>::as_ref(&$message), true)
    };
}

macro_rules! miss {
    ($pattern:expr, $message:expr) => {
        check($pattern, AsRef::<[u8]>::as_ref(&$message), false)
    };
}

/// The pattern is rejected at `offset`, with a one-line message containing `fragment`.
macro_rules! rejects {
    ($pattern:expr, $offset:expr) => {
        rejects!($pattern, $offset, "")
    };
    ($pattern:expr, $offset:expr, $fragment:expr) => {{
        let e = Pattern::parse($pattern).expect_err($pattern);
        let shown = e.to_string();
        assert_eq!(e.offset(), $offset, "{:?}: {shown}", $pattern);
        assert!(shown.starts_with(&format!("invalid filter pattern at byte {}: ", $offset)), "{shown}");
        assert!(!shown.contains('\n'), "{shown}");
        assert!(shown.contains($fragment), "{:?}: {shown:?} lacks {:?}", $pattern, $fragment);
    }};
}

// ---------------------------------------------------------------------------------------------
// 2. Pattern kinds
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_pattern_matches_everything() {
    hit!("", "anything");
    hit!("", b"\xff\xfe not utf-8");
    hit!("", "");
    assert_eq!(p("").kind(), PatternKind::MatchAll);
}

#[test]
fn whitespace_pattern_matches_everything() {
    // MLD "Count log events": --filter-pattern " ".
    hit!(" ", "anything");
    hit!(" \t ", "{}");
    assert!(p(" ").prefilter().is_none());
}

#[test]
fn dispatch_on_first_character() {
    assert_eq!(p("{ $.a = 1 }").kind(), PatternKind::Json);
    assert_eq!(p("[a, b]").kind(), PatternKind::SpaceDelimited);
    assert_eq!(p("ERROR").kind(), PatternKind::Terms);
    assert_eq!(p("%ERR%").kind(), PatternKind::Terms);
}

#[test]
fn a5_leading_whitespace_before_json_or_space_pattern_is_rejected() {
    rejects!(" {$.ThisFlag IS TRUE} ", 0, "whitespace before '{'");
    rejects!("  [a, b]", 0, "whitespace before '['");
    // Trailing whitespace is fine.
    hit!("{$.ThisFlag IS TRUE} ", r#"{"ThisFlag":true}"#);
    hit!("[a, b]  ", "x y");
}

#[test]
fn pattern_length_limit_is_1024_characters() {
    let ok = format!("\"{}\"", "a".repeat(1022));
    assert_eq!(ok.chars().count(), 1024);
    p(&ok);
    let long = "a".repeat(1025);
    rejects!(&long, 1024, "pattern is 1025 characters long; the limit is 1024");
    // Characters, not bytes: 1024 two-byte characters are fine.
    p(&format!("\"{}\"", "é".repeat(1022)));
}

// ---------------------------------------------------------------------------------------------
// 3. Term patterns
// ---------------------------------------------------------------------------------------------

#[test]
fn term_is_a_case_sensitive_substring() {
    // FPS-2018 examples.
    hit!("ERROR", "Exiting with ERRORCODE: -1");
    hit!("Exception", "[ERROR] Caught IllegalArgumentException");
    miss!("error", "[ERROR] Caught IllegalArgumentException");
    miss!("ERROR", "[INFO] all good");
}

#[test]
fn a1_term_inside_a_word_matches() {
    hit!("RROR", "ERROR");
}

#[test]
fn separate_words_are_separate_terms_in_any_order() {
    hit!("ERROR Exception", "Exception raised; ERROR follows");
    miss!("ERROR Exception", "ERROR only");
    hit!("\"ERROR Exception\"", "got ERROR Exception here");
    miss!("\"ERROR Exception\"", "Exception ERROR");
}

#[test]
fn a21_quoted_phrase_escapes() {
    hit!(r#""say \"hi\"""#, r#"they say "hi" often"#);
    hit!(r#""a\\b""#, r"path a\b");
    miss!(r#""a\\b""#, r"path a\\\\c");
    // Other backslashes are literal.
    hit!(r#""a\nb""#, r"a\nb");
}

#[test]
fn optional_terms_match_any() {
    hit!("?ERROR ?WARN", "WARN: disk");
    hit!("?ERROR ?WARN", "ERROR: disk");
    miss!("?ERROR ?WARN", "INFO: disk");
}

#[test]
fn optional_terms_are_ignored_next_to_other_terms() {
    // FPS-cur: `?ERROR ?ARGUMENTS REQUEST` matches `[INFO] REQUEST FAILED`.
    hit!("?ERROR ?ARGUMENTS REQUEST", "[INFO] REQUEST FAILED");
    miss!("?ERROR ?ARGUMENTS REQUEST", "[ERROR] ARGUMENTS");
}

#[test]
fn a3_optional_terms_are_ignored_next_to_exclusions_only() {
    hit!("?a ?b -c", "zzz");
    miss!("?a ?b -c", "a c");
}

#[test]
fn excluded_terms() {
    hit!("-ERROR", "[INFO] fine");
    miss!("-ERROR", "[ERROR] bad");
    hit!("ERROR -Exiting", "ERROR: disk full");
    miss!("ERROR -Exiting", "ERROR: Exiting now");
    miss!("ERROR -Exiting", "Exiting now");
}

#[test]
fn a4_whitespace_phrase_occurs_everywhere() {
    hit!("\" \"", "nospace");
    hit!("\" \" ERROR", "ERROR");
    miss!("-\" \"", "anything");
}

#[test]
fn a22_empty_phrase_matches_everything() {
    hit!("\"\"", "anything");
}

#[test]
fn terms_search_json_text_including_keys() {
    let ev = r#"{"eventName":"GetObject","errorCode":"AccessDenied"}"#;
    hit!("errorCode", ev);
    hit!("\"\\\"errorCode\\\":\\\"AccessDenied\\\"\"", ev);
    miss!("errorMessage", ev);
}

#[test]
fn terms_treat_messages_as_bytes() {
    hit!("ERROR", b"\xff\xfeERROR\x00");
    hit!("%ERR.R%", b"\xffERR\xffR");
    miss!("-ERROR", b"\xff\xfeERROR\x00");
}

#[test]
fn a2_unquoted_punctuation_in_terms() {
    // Taken literally ...
    hit!("arn:aws:iam::123456789012:user/alice", "who: arn:aws:iam::123456789012:user/alice");
    hit!("ec2.amazonaws.com", r#"{"eventSource":"ec2.amazonaws.com"}"#);
    // ... except characters with a meaning in the language.
    rejects!("ERROR{x}", 5, "'{' is not allowed in an unquoted term");
    rejects!("cost$", 4, "'$'");
    rejects!("f(x)", 1, "'('");
    rejects!("100%", 3, "'%'");
    rejects!("a\"b\"", 1, "'\"'");
}

#[test]
fn term_errors() {
    rejects!("ERROR - Exiting", 6, "'-' must be immediately followed by a term");
    rejects!("?", 0, "'?' must be immediately followed");
    rejects!("\"ERROR\"Exiting", 7, "expected whitespace between terms");
    rejects!("INFO \"ERROR", 5, "unterminated quoted string");
    rejects!("INFO %ERR", 5, "unterminated regular expression");
}

// ---------------------------------------------------------------------------------------------
// 4. Regular expressions
// ---------------------------------------------------------------------------------------------

#[test]
fn regex_documented_examples() {
    hit!(r"%\x3A%", "a:b");
    hit!(r"%\x28%", "f(x)");
    hit!("%gra|ey%", "grey");
    hit!("%gra|ey%", "gray");
    miss!("%gra|ey%", "gr");
    hit!("%[Ee]rror%", "an error");
    hit!("%[^abc]%", "abcd");
    miss!("%[^abc]%", "abcabc");
    hit!(r"%\d{3}%", "code 404");
    hit!(r"%a{2,}b%", "xaab");
    hit!(r"%a{,2}b%", "b");
    hit!(r"%^\w+$%", "abc_09");
    miss!(r"%^\w+$%", "abc-09");
    hit!(r"%\s%", "a b");
    hit!(r"%\S\D\W%", "a-!");
}

#[test]
fn regex_anchors_apply_to_the_whole_message_in_term_patterns() {
    hit!("%^ERROR%", "ERROR at start");
    miss!("%^ERROR%", "late ERROR");
    hit!("%done$%", "all done");
}

#[test]
fn a20_regex_may_contain_spaces() {
    hit!("%^shutting down%", "shutting down now");
}

#[test]
fn regex_is_case_sensitive() {
    miss!("%error%", "ERROR");
}

#[test]
fn regex_rejections() {
    rejects!("%something!%", 10, "'!' is not allowed in a regular expression");
    rejects!("%(a)%", 1, "no groups");
    rejects!("%a)%", 2, "no groups");
    // A24: multi-byte characters.
    rejects!("%caf\u{e9}%", 4, "multi-byte");
    rejects!("%a{x}%", 2, "expected a repetition");
    rejects!("%[ab%", 1, "unclosed '['");
    rejects!(r"%\b%", 1, "unsupported escape");
    rejects!("%**%", 0, "invalid regular expression");
    rejects!("{ $.a = %(x)% }", 9, "no groups");
}

#[test]
fn at_most_two_regexes_per_pattern() {
    p("%a% %b%");
    rejects!("%a% %b% %c%", 8, "at most 2 regular expressions");
    p("{ $.a = %a% || $.b = %b% }");
    rejects!("{ $.a = %a% || $.b = %b% || $.c = %c% }", 34, "at most 2 regular expressions");
    rejects!("[a = %a%, b = %b%, c = %c%]", 23, "at most 2");
    assert_eq!(p("{ $.a = %a% || $.b = %b% }").regex_count(), 2);
    assert_eq!(p("ERROR").regex_count(), 0);
}

#[test]
fn regex_as_json_value_is_anchored_to_the_field() {
    let ev = r#"{"sourceIPAddress":"10.1.2.3","eventName":"AssumeRole"}"#;
    hit!(r"{ $.sourceIPAddress = %^10\.% }", ev);
    miss!(r"{ $.sourceIPAddress = %^1\.% }", ev);
    hit!("{ $.eventName = %^Assume% }", ev);
    miss!("{ $.eventName = %^Role% }", ev);
    hit!("{ $.eventName != %^Get% }", ev);
    miss!("{ $.eventName != %Role$% }", ev);
    miss!("{ $.missing = %.*% }", ev);
    miss!("{ $.missing != %x% }", ev);
}

// ---------------------------------------------------------------------------------------------
// 5. JSON patterns
// ---------------------------------------------------------------------------------------------

/// The event of spec section 5.3 (FPS-cur).
const DOC_EVENT: &str = r#"{"user":{"id":1,"email":"John.Stiles@example.com"},"users":[{"id":2,"email":"John.Doe@example.com"},{"id":3,"email":"Jane.Doe@example.com"}],"actions":["GET","PUT","DELETE"],"coordinates":[[0,1,2],[4,5,6],[7,8,9]]}"#;

#[test]
fn worked_doc_examples() {
    hit!(r#"{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }"#, DOC_EVENT);
    miss!(r#"{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }"#, DOC_EVENT);
    hit!(
        r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }"#,
        DOC_EVENT
    );
    miss!(
        r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }"#,
        DOC_EVENT
    );
}

#[test]
fn doc_selector_examples() {
    hit!("{ $.coordinates[0][1] = 1 }", DOC_EVENT);
    hit!("{ $.coordinates[2][0] = 7 }", DOC_EVENT);
    hit!("{ $.users[1].id = 3 }", DOC_EVENT);
    hit!(r#"{ $.actions[*] = "PUT" }"#, DOC_EVENT);
    miss!(r#"{ $.actions[*] = "POST" }"#, DOC_EVENT);
    hit!(r#"{ $.users[*].email = "Jane.Doe@example.com" }"#, DOC_EVENT);
    hit!(r#"{ $.user.* = "John.Stiles@example.com" }"#, DOC_EVENT);
    hit!(r#"{ $.users.*.id = 2 }"#, DOC_EVENT);
    // Out of range, or indexing something that is not an array: absent.
    miss!("{ $.actions[3] = * }", DOC_EVENT);
    miss!("{ $.user[0] = * }", DOC_EVENT);
    miss!("{ $.actions.x = * }", DOC_EVENT);
}

#[test]
fn equality_operators_on_strings() {
    let ev = r#"{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com"}"#;
    hit!(r#"{ $.eventName = "ConsoleLogin" }"#, ev);
    hit!("{ $.eventName = ConsoleLogin }", ev);
    hit!("{$.eventName=ConsoleLogin}", ev);
    miss!("{ $.eventName = consolelogin }", ev);
    miss!("{ $.eventName = Console }", ev);
    hit!("{ $.eventName != GetObject }", ev);
    miss!("{ $.eventName != ConsoleLogin }", ev);
    hit!("{ $.eventSource = signin.amazonaws.com }", ev);
}

#[test]
fn relational_operators_on_numbers() {
    let ev = r#"{"latency":50,"bytes":1534,"neg":-2.5}"#;
    hit!("{ $.latency = 50 }", ev);
    hit!("{ $.latency != 51 }", ev);
    hit!("{ $.latency < 51 }", ev);
    miss!("{ $.latency < 50 }", ev);
    hit!("{ $.latency <= 50 }", ev);
    hit!("{ $.latency > 49.9 }", ev);
    miss!("{ $.latency > 50 }", ev);
    hit!("{ $.latency >= 50 }", ev);
    hit!("{ $.bytes > 1000 }", ev);
    hit!("{ $.neg < -2 }", ev);
    hit!("{ $.neg = -2.5 }", ev);
    miss!("{ $.missing < 1 }", ev);
    miss!("{ $.missing != 1 }", ev);
}

#[test]
fn numbers_compare_by_value() {
    hit!("{ $.a = 1 }", r#"{"a":1.0}"#);
    hit!("{ $.a = 1.0 }", r#"{"a":1}"#);
    hit!("{ $.a = 50 }", r#"{"a":50.00}"#);
    hit!("{ $.a = 1e+3 }", r#"{"a":1000}"#);
    hit!("{ $.a = 10e3 }", r#"{"a":10000}"#);
    hit!("{ $.a = 1e-3 }", r#"{"a":0.001}"#);
    hit!("{ $.a = 1000 }", r#"{"a":1E3}"#);
    hit!("{ $.a < 1e-2 }", r#"{"a":0.001}"#);
    hit!("{ $.a = -0 }", r#"{"a":0}"#);
    hit!("{ $.a = +5 }", r#"{"a":5}"#);
    hit!("{ $.a = .5 }", r#"{"a":0.5}"#);
    miss!("{ $.a = 2 }", r#"{"a":1}"#);
}

#[test]
fn a8_bare_number_against_string_field() {
    // The docs' recipientAccountId prose example: string field, bare number.
    let ev = r#"{"recipientAccountId":"123456789012","code":"050","exp":"1e3","text":"abc"}"#;
    hit!("{ $.recipientAccountId = 123456789012 }", ev);
    miss!("{ $.recipientAccountId != 123456789012 }", ev);
    hit!("{ $.code = 50 }", ev);
    hit!("{ $.code > 49 }", ev);
    // Strings don't support scientific notation.
    miss!("{ $.exp = 1000 }", ev);
    hit!("{ $.exp = 1e3 }", ev);
    miss!("{ $.exp > 5 }", ev);
    miss!("{ $.text > 5 }", ev);
    hit!("{ $.text != 5 }", ev);
}

#[test]
fn a9_quoted_string_against_number_field_uses_its_json_text() {
    hit!(r#"{ $.errorCode = "400" }"#, r#"{"errorCode":400}"#);
    miss!(r#"{ $.errorCode = "400" }"#, r#"{"errorCode":400.0}"#);
    hit!(r#"{ $.errorCode = "4*" }"#, r#"{"errorCode":404}"#);
    hit!("{ $.errorCode = 4* }", r#"{"errorCode":404}"#);
    hit!(r#"{ $.errorCode != "400" }"#, r#"{"errorCode":404}"#);
}

#[test]
fn a10_booleans_and_null_are_not_strings() {
    let ev = r#"{"flag":true,"off":false,"nothing":null,"mfa":"false"}"#;
    miss!("{ $.flag = true }", ev);
    miss!(r#"{ $.flag = "true" }"#, ev);
    miss!("{ $.flag != false }", ev);
    miss!("{ $.flag = * }", ev);
    miss!("{ $.nothing = null }", ev);
    miss!("{ $.nothing != x }", ev);
    miss!("{ $.nothing = * }", ev);
    // CloudTrail's mfaAuthenticated is the string "false", not a boolean.
    miss!("{ $.mfa IS FALSE }", ev);
    hit!("{ $.mfa = false }", ev);
}

#[test]
fn is_true_and_is_false() {
    let ev = r#"{"ThisFlag":true,"off":false,"readOnly":false}"#;
    hit!("{ $.ThisFlag IS TRUE }", ev);
    miss!("{ $.ThisFlag IS FALSE }", ev);
    hit!("{ $.off IS FALSE }", ev);
    miss!("{ $.off IS TRUE }", ev);
    miss!("{ $.missing IS TRUE }", ev);
    miss!("{ $.missing IS FALSE }", ev);
    hit!("{$.readOnly IS FALSE&&$.ThisFlag IS TRUE}", ev);
}

#[test]
fn absent_and_null_are_different() {
    let ev = r#"{"requestParameters":null,"errorCode":null,"list":[]}"#;
    hit!("{ $.errorCode IS NULL }", ev);
    miss!("{ $.errorCode NOT EXISTS }", ev);
    miss!("{ $.missing IS NULL }", ev);
    hit!("{ $.missing NOT EXISTS }", ev);
    // A path through null is absent.
    miss!("{ $.requestParameters.bucketName IS NULL }", ev);
    hit!("{ $.requestParameters.bucketName NOT EXISTS }", ev);
    miss!("{ $.list IS NULL }", ev);
    miss!("{ $.list NOT EXISTS }", ev);
    miss!("{ $.list = * }", ev);
}

#[test]
fn a7_not_equal_on_absent_property_is_false() {
    miss!(r#"{ $.additionalEventData.MFAUsed != "Yes" }"#, r#"{"eventName":"ConsoleLogin"}"#);
}

#[test]
fn not_equal_on_array_or_object_is_false() {
    // FPS: `{$.users != 1}` fails when users is an array.
    miss!("{ $.users != 1 }", DOC_EVENT);
    miss!("{ $.user != x }", DOC_EVENT);
    miss!("{ $.users = * }", DOC_EVENT);
}

#[test]
fn a11_out_of_range_index_does_not_exist() {
    hit!("{ $.actions[3] NOT EXISTS }", DOC_EVENT);
    miss!("{ $.actions[2] NOT EXISTS }", DOC_EVENT);
    hit!("{ $.actions[*].x NOT EXISTS }", DOC_EVENT);
}

#[test]
fn a12_not_equal_with_wildcard_is_existential() {
    hit!(r#"{ $.actions[*] != "GET" }"#, DOC_EVENT);
    miss!(r#"{ $.actions[*] != "GET" }"#, r#"{"actions":["GET","GET"]}"#);
    miss!(r#"{ $.actions[*] != "GET" }"#, r#"{"actions":[]}"#);
}

#[test]
fn star_matches_any_string_or_number() {
    // FPS `{ $.latency = * }`, `{ $.eventType = "*" }`; CDK exists().
    hit!("{ $.latency = * }", r#"{"latency":12}"#);
    hit!(r#"{ $.eventType = "*" }"#, r#"{"eventType":""}"#);
    miss!("{ $.latency = * }", r#"{"other":12}"#);
}

#[test]
fn wildcards_in_strings() {
    let ev = r#"{"errorCode":"AccessDenied","a":"PutEvent","b":"EventId","c":"Client.UnauthorizedOperation"}"#;
    // "AccessDenied*" must match AccessDenied itself (the CIS control relies on it).
    hit!(r#"{ $.errorCode = "AccessDenied*" }"#, ev);
    hit!(r#"{ $.a = "*Event" }"#, ev);
    hit!(r#"{ $.b = "Event*" }"#, ev);
    hit!(r#"{ $.c = "*UnauthorizedOperation" }"#, ev);
    hit!("{ $.c = Client.* }", ev);
    miss!(r#"{ $.a = "Event*" }"#, ev);
    hit!("{ $.c = *.Unauth* }", ev);
}

#[test]
fn a6_wildcard_in_the_middle() {
    hit!(r#"{ $.a = "Ev*ent" }"#, r#"{"a":"EvXYent"}"#);
    hit!(r#"{ $.a = "Ev*ent" }"#, r#"{"a":"Event"}"#);
    hit!(r#"{ $.a = "Ev*ent" }"#, r#"{"a":"Ev*ent"}"#);
    miss!(r#"{ $.a = "Ev*ent" }"#, r#"{"a":"Events"}"#);
    hit!("{ $.ip = 123.123.* }", r#"{"ip":"123.123.4.5"}"#);
    hit!("{ $.type = *.8xlarge }", r#"{"type":"c5.8xlarge"}"#);
}

#[test]
fn a21_quoted_values_decode_quote_and_backslash() {
    hit!(r#"{ $.a = "say \"hi\"" }"#, r#"{"a":"say \"hi\""}"#);
    hit!(r#"{ $.a = "C:\\dir" }"#, r#"{"a":"C:\\dir"}"#);
}

#[test]
fn json_escapes_in_messages_are_decoded() {
    hit!("{ $.eventName = DeleteTrail }", r#"{"eventName":"Delete\u0054rail"}"#);
    hit!("{ $.eventName = DeleteTrail }", r#"{"event\u004eame":"DeleteTrail"}"#);
    hit!(r#"{ $.arn = "arn:aws:iam::1:user/x" }"#, r#"{"arn":"arn:aws:iam::1:user\/x"}"#);
    hit!(r#"{ $.u = "caf\u00e9" }"#.replace("\\u00e9", "\u{e9}").as_str(), r#"{"u":"caf\u00e9"}"#);
    hit!(r#"{ $.s = "a\"b" }"#, r#"{"s":"a\u0022b"}"#);
}

#[test]
fn bracket_notation_for_keys_with_special_characters() {
    let ev = r#"{"cluster.name":"prod","a-b":{"c d":1},"x":{"y.z":2}}"#;
    hit!("{ $.['cluster.name'] = prod }", ev);
    hit!(r#"{ $.["cluster.name"] = prod }"#, ev);
    hit!("{ $['cluster.name'] = prod }", ev);
    hit!("{ $.a-b.['c d'] = 1 }", ev);
    hit!("{ $.x['y.z'] = 2 }", ev);
}

#[test]
fn a26_dotted_path_never_matches_a_flat_dotted_key() {
    miss!("{ $.cluster.name = prod }", r#"{"cluster.name":"prod"}"#);
}

#[test]
fn property_names_are_case_sensitive() {
    miss!("{ $.EventName = X }", r#"{"eventName":"X"}"#);
}

#[test]
fn precedence_and_binds_tighter_than_or() {
    let ev = r#"{"a":1,"b":2,"c":3}"#;
    // a || (b && c)
    hit!("{ $.a = 1 || $.b = 0 && $.c = 0 }", ev);
    // (a || b) && c
    miss!("{ ($.a = 1 || $.b = 0) && $.c = 0 }", ev);
    hit!("{ $.a = 0 && $.b = 0 || $.c = 3 }", ev);
    miss!("{ $.a = 0 && ($.b = 0 || $.c = 3) }", ev);
    hit!("{ (($.a = 1)) }", ev);
    hit!("{ $.a = 1 && $.b = 2 && $.c = 3 }", ev);
    miss!("{ $.a = 1 && $.b = 2 && $.c = 4 }", ev);
    hit!("{ $.a = 9 || $.b = 9 || $.c = 3 }", ev);
}

#[test]
fn whitespace_is_optional_except_around_keywords() {
    let ev = r#"{"a":1,"b":null}"#;
    hit!("{$.a=1&&$.b IS NULL}", ev);
    hit!("{  $.a  =  1  }", ev);
    hit!("{\n\t$.c NOT EXISTS\n}", ev);
}

#[test]
fn a13_keywords_are_upper_case_only() {
    rejects!("{ $.a is true }", 6, "keywords are upper case: write 'IS' instead of 'is'");
    rejects!("{ $.a IS True }", 9, "write 'TRUE'");
    rejects!("{ $.a not exists }", 6, "write 'NOT'");
    rejects!("{ $.a NOT Exists }", 10, "write 'EXISTS'");
}

#[test]
fn unsupported_keywords() {
    rejects!("{ $.a IS NOT NULL }", 6, "'IS NOT' is not supported");
    rejects!("{ $.a EXISTS }", 6, "'EXISTS' is not supported on its own");
    rejects!("{ $.a IS MAYBE }", 9, "expected TRUE, FALSE or NULL after IS, found 'MAYBE'");
    rejects!("{ $.a NOT NULL }", 10, "expected EXISTS after NOT");
}

#[test]
fn a14_json_pattern_on_non_json_never_matches() {
    for msg in [
        "ERROR not json",
        r#"{"eventName":"DeleteTrail""#,
        r#"{"eventName":"DeleteTrail"} trailing"#,
        r#"{"eventName":"DeleteTrail",}"#,
        r#"{"a":"\q"}"#,
        "",
    ] {
        miss!("{ $.eventName = DeleteTrail }", msg);
        miss!("{ $.missing NOT EXISTS }", msg);
    }
    miss!("{ $.missing NOT EXISTS }", b"{\"a\":\"\xff\"}");
}

#[test]
fn a15_top_level_array_or_scalar_never_matches() {
    // Our contract: a JSON pattern only matches a JSON object (stricter than A15's "evaluate
    // normally" for arrays; CloudTrail messages are objects).
    miss!("{ $.missing NOT EXISTS }", "[1,2]");
    miss!("{ $.missing NOT EXISTS }", "42");
    miss!("{ $.missing NOT EXISTS }", "null");
    hit!("{ $.missing NOT EXISTS }", "{}");
    hit!("{ $.missing NOT EXISTS }", " \n{ } \n");
}

#[test]
fn a22_empty_json_pattern_is_rejected() {
    rejects!("{}", 1, "expected a condition");
    rejects!("{ }", 2, "expected a condition");
}

#[test]
fn a25_duplicate_keys_last_wins() {
    let ev = r#"{"eventName":"GetObject","eventName":"DeleteTrail"}"#;
    hit!("{ $.eventName = DeleteTrail }", ev);
    miss!("{ $.eventName = GetObject }", ev);
    let nested = r#"{"u":{"type":"Root","type":"IAMUser"},"u":{"type":"Root"}}"#;
    hit!("{ $.u.type = Root }", nested);
    miss!("{ $.u.type = IAMUser }", nested);
}

#[test]
fn a25_huge_numbers_are_f64() {
    // 1e400 overflows to infinity; serde_json would refuse the message, we compare as f64.
    assert!(p("{ $.a > 1e300 }").matches(br#"{"a":1e400}"#));
}

#[test]
fn deep_nesting_beyond_serde_limit_is_invalid() {
    let deep = format!(r#"{{"a":{}1{}}}"#, "[".repeat(200), "]".repeat(200));
    miss!("{ $.b NOT EXISTS }", deep);
    let ok = format!(r#"{{"a":{}1{}}}"#, "[".repeat(100), "]".repeat(100));
    hit!("{ $.b NOT EXISTS }", ok);
}

#[test]
fn wildcard_selector_quotas() {
    rejects!("{ $.a[*].b[*] = 1 }", 2, "at most one wildcard");
    rejects!("{ $.a.*.b.* = 1 }", 2, "at most one wildcard");
    p("{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 }");
    rejects!("{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 || $.d[*] = 1 }", 43, "at most 3 wildcard selectors");
}

#[test]
fn relational_operators_need_numbers() {
    rejects!("{ $.a < abc }", 8, "'<' compares numbers; expected a number, found 'abc'");
    rejects!(r#"{ $.a >= "5" }"#, 9, "expected a number");
    rejects!("{ $.a > %5% }", 8, "expected a number");
}

#[test]
fn json_syntax_errors() {
    let e = Pattern::parse("{ $.eventName = ) }").unwrap_err();
    assert_eq!(e.to_string(), "invalid filter pattern at byte 16: expected a value after '=', found ')'");
    assert_eq!(e.message(), "expected a value after '=', found ')'");
    assert_eq!(e.span(), 16..17);
    rejects!("{ $.a = }", 8, "expected a value after '=', found '}'");
    rejects!("{ $.a = 1", 9, "expected '&&', '||' or '}', found end of pattern");
    rejects!("{ ($.a = 1 }", 11, "expected '&&', '||' or ')' closing the '(' at byte 2, found '}'");
    rejects!("{ $.a = 1 ) }", 10, "found ')'");
    rejects!("{ $.a 1 }", 6, "expected an operator");
    rejects!("{ $.a == 1 }", 7, "expected a value after '=', found '='");
    rejects!("{ $.a => 1 }", 7, "found '>'");
    rejects!("{ $.a = 1 & $.b = 2 }", 10, "expected '&&', '||' or '}', found '&'");
    rejects!("{ $.a = 1 && }", 13, "expected a condition");
    rejects!("{ a = 1 }", 2, "a selector starts with '$'");
    rejects!("{ $ = 1 }", 3, "expected '.name' or '[...]' after '$'");
    rejects!("{ $.a..b = 1 }", 6, "empty property name");
    rejects!("{ $. = 1 }", 4, "empty property name");
    rejects!("{ $.a[x] = 1 }", 6, "expected a number, '*' or a quoted name");
    rejects!("{ $.a[1 = 1 }", 7, "expected ']'");
    rejects!("{ $.['a = 1 }", 5, "unterminated quoted property name");
    rejects!("{ $.a@b = 1 }", 5, "unexpected character");
    rejects!("{ $.a = \"x }", 8, "unterminated quoted string");
    rejects!("{ $.a = %x }", 8, "unterminated regular expression");
    rejects!("{ $.a = 1 } x", 12, "expected end of pattern after '}', found 'x'");
    rejects!("{ $.a = 1 }}", 11, "found '}'");
    rejects!("{ $.a = $.b }", 8, "comparing two selectors is not supported");
    rejects!("{ $.a = \"x\"y }", 11, "found 'y'");
}

#[test]
fn error_display_is_one_line_and_escapes_control_characters() {
    let e = Pattern::parse("{ $.a = 1 \n\u{7} }").unwrap_err();
    let shown = e.to_string();
    assert!(!shown.contains('\n') && !shown.contains('\u{7}'), "{shown}");
    assert!(std::error::Error::source(&e).is_none());
}

// ---------------------------------------------------------------------------------------------
// 6. Space-delimited patterns
// ---------------------------------------------------------------------------------------------

const APACHE: &str = r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;

#[test]
fn space_delimited_doc_examples() {
    hit!("[ip, user, username, timestamp, request = \"*html*\", status_code = 4*, bytes]", APACHE);
    hit!("[ip, user, username, timestamp, request =*.html*, status_code = 404, bytes]", APACHE);
    hit!("[ip, user, username, timestamp, request, status_code = 404 || status_code = 410, bytes]", APACHE);
    hit!("[ip, user, username, timestamp, request, status_code, bytes > 1000]", APACHE);
    miss!("[ip, user, username, timestamp, request, status_code, bytes > 2000]", APACHE);
    hit!(r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request, status_code, bytes]", APACHE);
    hit!("[ip, user, username, timestamp = \"10/Oct/2000:13:25:15 -0700\", request, status_code, bytes]", APACHE);
    miss!("[ip, user, username, timestamp, request, status_code = 2*, bytes]", APACHE);
}

#[test]
fn space_delimited_w1_w2() {
    let ev = "ERROR 09/25/2014 12:00:02 Failed to process request";
    hit!("[w1=ERROR, w2]", ev);
    hit!("[w1=ERROR || w1=WARNING, w2]", ev);
    miss!("[w1!=ERROR && w1!=WARNING, w2]", ev);
    hit!("[w1!=ERROR && w1!=WARNING, w2]", "INFO all good");
    miss!("[w1=ERROR, w2]", "INFO x");
}

#[test]
fn a16_field_count_without_ellipsis() {
    // Fewer fields than entries: no match; surplus absorbed by the last entry.
    miss!("[a, b, c]", "x y");
    hit!("[a, b, c]", "x y z w");
    miss!("[w1=ERROR]", "ERROR 09/25/2014 12:00:02 Failed");
    hit!("[w1=ERROR]", "ERROR");
    hit!("[a, b = \"y z\"]", "x y z");
}

#[test]
fn space_delimited_ellipsis() {
    hit!("[..., status_code = 404, bytes]", APACHE);
    hit!("[ip, ...]", APACHE);
    hit!("[ip = 127.0.0.1, ..., bytes = 1534]", APACHE);
    miss!("[ip = 127.0.0.1, ..., bytes = 1]", APACHE);
    hit!("[a, ..., b]", "x y");
    miss!("[a, ..., b]", "x");
}

#[test]
fn space_delimited_unnamed_and_trailing_empty_entries() {
    hit!("[a, , c = z]", "x y z");
    hit!("[a,]", "x y");
}

#[test]
fn space_delimited_errors() {
    rejects!("[]", 1, "expected a field entry");
    rejects!("[a, ..., b, ...]", 12, "'...' only once");
    rejects!("[a = 1 || b = 2, b]", 10, "condition on 'b' inside the entry for field 'a'");
    rejects!("[a b]", 3, "expected ',' or ']', found 'b'");
    rejects!("[a = ]", 5, "expected a value after '=', found ']'");
    rejects!("[a, b", 5, "expected ',' or ']', found end of pattern");
    rejects!("[a] x", 4, "end of pattern after ']'");
    rejects!("[a < x]", 5, "expected a number");
}

// ---------------------------------------------------------------------------------------------
// 7. Metric values and dimensions
// ---------------------------------------------------------------------------------------------

#[test]
fn extract_json_values() {
    let pat = p("{ $.eventName = * }");
    let ev = br#"{"eventName":"Run","latency":12.5,"n":"1534","flag":true,"nul":null,"arr":[{"x":"a"},{"x":"b"}],"e":"a\u0041"}"#;
    let get = |s: &str| pat.extract(ev, &Selector::parse(s).unwrap());
    assert_eq!(get("$.latency"), Some(FieldValue::Number { value: 12.5, text: "12.5" }));
    assert_eq!(get("$.latency").unwrap().as_f64(), Some(12.5));
    assert_eq!(get("$.n").unwrap().as_f64(), Some(1534.0));
    assert_eq!(get("$.eventName").unwrap().as_text(), "Run");
    assert_eq!(get("$.eventName").unwrap().as_f64(), None);
    assert_eq!(get("$.flag"), Some(FieldValue::Bool(true)));
    assert_eq!(get("$.nul"), Some(FieldValue::Null));
    assert_eq!(get("$.arr[1].x").unwrap().as_text(), "b");
    assert_eq!(get("$.arr[*].x").unwrap().as_text(), "a");
    assert_eq!(get("$.e").unwrap().as_text(), "aA");
    assert_eq!(get("$.arr"), None);
    assert_eq!(get("$.missing"), None);
    assert_eq!(get("$.arr[5].x"), None);
    // Not matching: nothing.
    assert_eq!(pat.extract(br#"{"latency":1}"#, &Selector::parse("$.latency").unwrap()), None);
    // Duplicates: the last one.
    let dup = br#"{"eventName":"a","eventName":"b"}"#;
    assert_eq!(pat.extract(dup, &Selector::parse("$.eventName").unwrap()).unwrap().as_text(), "b");
}

#[test]
fn extract_space_delimited_fields() {
    let pat = p("[ip, user, username, timestamp, request, status_code = 4*, size]");
    let get = |s: &str| pat.extract(APACHE.as_bytes(), &Selector::parse(s).unwrap());
    assert_eq!(get("$size").unwrap().as_f64(), Some(1534.0));
    assert_eq!(get("$7").unwrap().as_f64(), Some(1534.0));
    assert_eq!(get("$request").unwrap().as_text(), "GET /index.html HTTP/1.0");
    assert_eq!(get("$timestamp").unwrap().as_text(), "10/Oct/2000:13:25:15 -0700");
    assert_eq!(get("$nope"), None);
    assert_eq!(get("$8"), None);
    assert!(pat.can_extract(&Selector::parse("$size").unwrap()));
    assert!(!pat.can_extract(&Selector::parse("$.size").unwrap()));
    assert!(!p("ERROR").can_extract(&Selector::parse("$.size").unwrap()));
    assert!(p("{ $.a = 1 }").can_extract(&Selector::parse("$.size").unwrap()));
    // Unnamed entries are reachable by position.
    let anon = p("[, , x = 1]");
    assert_eq!(anon.extract(b"a b 1", &Selector::parse("$2").unwrap()).unwrap().as_text(), "b");
}

#[test]
fn selector_parsing() {
    assert!(Selector::parse("$.a.b[0]").unwrap().is_json_path());
    assert!(!Selector::parse("$size").unwrap().is_json_path());
    assert_eq!(Selector::parse("$.a").unwrap().to_string(), "$.a");
    let e = Selector::parse("latency").unwrap_err();
    assert_eq!(e.offset(), 0);
    assert!(e.to_string().starts_with("invalid selector at byte 0: "), "{e}");
    assert_eq!(Selector::parse("$").unwrap_err().offset(), 1);
    assert_eq!(Selector::parse("$0").unwrap_err().offset(), 1);
    assert_eq!(Selector::parse("$a-b").unwrap_err().offset(), 2);
    assert_eq!(Selector::parse("$.a..b").unwrap_err().offset(), 4);
}

// ---------------------------------------------------------------------------------------------
// API properties
// ---------------------------------------------------------------------------------------------

#[test]
fn pattern_is_send_sync_and_cheap_to_clone() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Pattern>();
    check::<Selector>();
    let a = p("{ $.a = 1 }");
    let b = a.clone();
    assert!(Arc::ptr_eq(&a.inner, &b.inner));
    assert_eq!(b.source(), "{ $.a = 1 }");
    assert_eq!(b.to_string(), "{ $.a = 1 }");
    assert_eq!("ERROR".parse::<Pattern>().unwrap().kind(), PatternKind::Terms);
}

#[test]
fn matches_prefiltered_agrees_with_matches() {
    let pat = p(r#"{ $.eventName = "DeleteTrail" }"#);
    for m in [&br#"{"eventName":"DeleteTrail"}"#[..], br#"{"eventName":"Delete\u0054rail"}"#, br#"{"eventName":"X"}"#] {
        assert_eq!(pat.matches(m), pat.matches_prefiltered(m));
    }
}

// ---------------------------------------------------------------------------------------------
// 10. CIS / Security Hub filters
// ---------------------------------------------------------------------------------------------

/// The filters from `cis-metric-filters.json` as (id, pattern), for the test `test`; None when
/// the file is absent (see [`shared_data`]).
#[track_caller]
fn cis_filters(test: &str) -> Option<Vec<(String, String)>> {
    let path = shared_data(test, "cis-metric-filters.json")?;
    let text = std::fs::read_to_string(path).expect("cis-metric-filters.json is readable");
    let v: Vec<serde_json::Value> = serde_json::from_str(&text).expect("cis-metric-filters.json");
    Some(
        v.iter().map(|e| (e["id"].as_str().unwrap().to_string(), e["pattern"].as_str().unwrap().to_string())).collect(),
    )
}

const IAM_USER: &str = r#"{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE","userName":"alice"}"#;
const ROOT: &str = r#"{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE"}"#;
const ROOT_VIA_SERVICE: &str = r#"{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012","invokedBy":"support.amazonaws.com"}"#;

/// A CloudTrail record as CloudTrail writes it, with `extra` members spliced in.
fn ct(identity: &str, source: &str, name: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"2024-05-01T12:00:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.15.0 Python/3.11.6","requestParameters":null,"responseElements":null,"requestID":"6f2c7e2a-0000-4000-8000-000000000000","eventID":"0b1c2d3e-0000-4000-8000-000000000000","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012"{extra}}}"#
    )
}

fn api(source: &str, name: &str) -> String {
    ct(IAM_USER, source, name, "")
}

fn console_login(identity: &str, result: &str, mfa: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"2024-05-01T12:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","requestParameters":null,"responseElements":{{"ConsoleLogin":"{result}"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"{mfa}"}},"eventID":"3fcfb2e1-0000-4000-8000-000000000000","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"123456789012"{extra}}}"#
    )
}

const SSO_ROLE: &str = r#"{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@example.com","arn":"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123","accountId":"123456789012","userName":"AWSReservedSSO_Admin_0123"},"attributes":{"creationDate":"2024-05-01T11:59:00Z","mfaAuthenticated":"false"}}}"#;

/// Realistic (matching, non-matching) events for each control family.
fn cis_cases(id: &str) -> (Vec<String>, Vec<String>) {
    let err = |code: &str, name: &str, ip: &str| {
        ct(IAM_USER, "s3.amazonaws.com", name, &format!(r#","errorCode":"{code}","errorMessage":"Access Denied""#))
            .replace("203.0.113.10", ip)
    };
    let key = match id {
        "CIS-v5.0.0-4.1" => "4.1".to_string(),
        "CIS-v1.2.0-3.1" | "SecurityHub-CloudWatch.2" => "3.1".to_string(),
        "CIS-v1.4.0-4.1-cli" => "4.1-cli".to_string(),
        "CIS-v5.0.0-4.2" | "CIS-v1.2.0-3.2" => "4.2".to_string(),
        "CIS-v5.0.0-4.2-sso" | "SecurityHub-CloudWatch.3" => "4.2-sso".to_string(),
        "CIS-v5.0.0-4.3" | "CIS-v1.2.0-3.3" | "SecurityHub-CloudWatch.1" | "LZA-RootAccountUsage" => "4.3".to_string(),
        "CIS-v5.0.0-4.10" => "4.10-v5".to_string(),
        "CIS-v1.2.0-3.10" | "SecurityHub-CloudWatch.10" => "4.10".to_string(),
        _ => id
            .strip_prefix("CIS-v5.0.0-")
            .map(str::to_string)
            .or_else(|| id.strip_prefix("SecurityHub-CloudWatch.").map(|n| format!("4.{n}")))
            .unwrap_or_else(|| panic!("no cases for {id}")),
    };
    let ec2 = |n: &str| api("ec2.amazonaws.com", n);
    let s = |v: &[String]| v.to_vec();
    match key.as_str() {
        "4.1" => (
            s(&[
                ct(
                    IAM_USER,
                    "ec2.amazonaws.com",
                    "RunInstances",
                    r#","errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation.""#,
                ),
                err("AccessDenied", "GetObject", "203.0.113.10"),
                // The exclusions bind only to the AccessDenied branch.
                ct(IAM_USER, "s3.amazonaws.com", "HeadBucket", r#","errorCode":"Client.UnauthorizedOperation""#),
            ]),
            s(&[
                err("AccessDenied", "HeadBucket", "203.0.113.10"),
                err("AccessDenied", "PutObject", "delivery.logs.amazonaws.com"),
                api("s3.amazonaws.com", "GetObject"),
                err("NoSuchKey", "GetObject", "203.0.113.10"),
            ]),
        ),
        "3.1" => (
            s(&[
                err("AccessDenied", "HeadBucket", "203.0.113.10"),
                err("AccessDeniedException", "GetObject", "1.2.3.4"),
            ]),
            s(&[api("s3.amazonaws.com", "GetObject"), err("ThrottlingException", "GetObject", "1.2.3.4")]),
        ),
        // As printed in v1.4.0/v1.5.0: the `||` exclusions match nearly everything.
        "4.1-cli" => (
            s(&[api("ec2.amazonaws.com", "DescribeInstances"), api("s3.amazonaws.com", "HeadBucket")]),
            s(&[api("s3.amazonaws.com", "HeadBucket").replace("203.0.113.10", "delivery.logs.amazonaws.com")]),
        ),
        "4.2" => (
            s(&[
                console_login(IAM_USER, "Success", "No", ""),
                // Case-sensitive: "YES" is not "Yes" (CloudTrail UG root sample).
                console_login(ROOT, "Success", "YES", ""),
            ]),
            s(&[
                console_login(IAM_USER, "Success", "Yes", ""),
                // No MFAUsed at all: `!=` on an absent field is false (A7).
                console_login(IAM_USER, "Success", "No", "").replace(r#","MFAUsed":"No""#, ""),
                api("iam.amazonaws.com", "ListUsers"),
            ]),
        ),
        "4.2-sso" => (
            s(&[console_login(IAM_USER, "Success", "No", "")]),
            s(&[
                console_login(SSO_ROLE, "Success", "No", ""),
                console_login(IAM_USER, "Failure", "No", r#","errorMessage":"Failed authentication""#),
                console_login(IAM_USER, "Success", "Yes", ""),
            ]),
        ),
        "4.3" => (
            s(&[ct(ROOT, "iam.amazonaws.com", "CreateAccessKey", ""), console_login(ROOT, "Success", "No", "")]),
            s(&[
                ct(ROOT_VIA_SERVICE, "support.amazonaws.com", "DescribeCases", ""),
                ct(ROOT, "iam.amazonaws.com", "CreateAccessKey", "").replace("AwsApiCall", "AwsServiceEvent"),
                api("iam.amazonaws.com", "CreateAccessKey"),
            ]),
        ),
        "4.4" => (
            s(&[api("iam.amazonaws.com", "PutUserPolicy"), api("iam.amazonaws.com", "DetachGroupPolicy")]),
            s(&[api("iam.amazonaws.com", "ListPolicies"), api("iam.amazonaws.com", "GetPolicyVersion")]),
        ),
        "4.5" => (
            s(&[api("cloudtrail.amazonaws.com", "StopLogging"), api("cloudtrail.amazonaws.com", "DeleteTrail")]),
            s(&[api("cloudtrail.amazonaws.com", "DescribeTrails"), api("cloudtrail.amazonaws.com", "LookupEvents")]),
        ),
        "4.6" => (
            s(&[console_login(IAM_USER, "Failure", "No", r#","errorMessage":"Failed authentication""#)]),
            s(&[
                console_login(IAM_USER, "Success", "No", ""),
                console_login(IAM_USER, "Failure", "No", r#","errorMessage":"No username found in supplied account""#),
            ]),
        ),
        "4.7" => (
            s(&[api("kms.amazonaws.com", "ScheduleKeyDeletion"), api("kms.amazonaws.com", "DisableKey")]),
            s(&[
                // Exact equality: DisableKey does not match DisableKeyRotation.
                api("kms.amazonaws.com", "DisableKeyRotation"),
                api("kms.amazonaws.com", "Decrypt"),
                api("ec2.amazonaws.com", "DisableKey"),
            ]),
        ),
        "4.8" => (
            s(&[api("s3.amazonaws.com", "PutBucketPolicy"), api("s3.amazonaws.com", "DeleteBucketCors")]),
            s(&[api("s3.amazonaws.com", "GetBucketPolicy"), api("s3.amazonaws.com", "PutObject")]),
        ),
        "4.9" => (
            s(&[
                api("config.amazonaws.com", "StopConfigurationRecorder"),
                api("config.amazonaws.com", "PutDeliveryChannel"),
            ]),
            s(&[
                api("config.amazonaws.com", "DescribeConfigurationRecorders"),
                api("s3.amazonaws.com", "PutDeliveryChannel"),
            ]),
        ),
        "4.10-v5" => (
            s(&[ec2("AuthorizeSecurityGroupIngress"), ec2("ModifySecurityGroupRules")]),
            s(&[ec2("DescribeSecurityGroups"), ec2("DescribeSecurityGroupRules")]),
        ),
        "4.10" => (
            s(&[ec2("AuthorizeSecurityGroupIngress"), ec2("DeleteSecurityGroup")]),
            // ModifySecurityGroupRules was added in v5.0.0.
            s(&[ec2("DescribeSecurityGroups"), ec2("ModifySecurityGroupRules")]),
        ),
        "4.11" => {
            (s(&[ec2("CreateNetworkAclEntry"), ec2("ReplaceNetworkAclAssociation")]), s(&[ec2("DescribeNetworkAcls")]))
        }
        "4.12" => {
            (s(&[ec2("AttachInternetGateway"), ec2("CreateCustomerGateway")]), s(&[ec2("DescribeInternetGateways")]))
        }
        "4.13" => (
            s(&[ec2("CreateRoute"), ec2("DisassociateRouteTable")]),
            s(&[ec2("DescribeRouteTables"), ec2("CreateRouteX")]),
        ),
        "4.14" => {
            (s(&[ec2("CreateVpc"), ec2("EnableVpcClassicLink")]), s(&[ec2("DescribeVpcs"), ec2("CreateVpcEndpoint")]))
        }
        "4.15" => (
            s(&[
                api("organizations.amazonaws.com", "CreateAccount"),
                api("organizations.amazonaws.com", "LeaveOrganization"),
            ]),
            s(&[api("organizations.amazonaws.com", "ListAccounts"), api("iam.amazonaws.com", "CreateAccount")]),
        ),
        _ => panic!("no cases for {id} ({key})"),
    }
}

#[test]
fn cis_filters_all_parse() {
    let Some(filters) = cis_filters("cis_filters_all_parse") else {
        return;
    };
    assert_eq!(filters.len(), 36);
    for (id, pattern) in &filters {
        let pat = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(pat.kind(), PatternKind::Json, "{id}");
    }
}

#[test]
fn cis_filters_on_realistic_events() {
    let Some(filters) = cis_filters("cis_filters_on_realistic_events") else {
        return;
    };
    for (id, pattern) in &filters {
        let (hits, misses) = cis_cases(id);
        assert!(!hits.is_empty() && !misses.is_empty(), "{id}");
        for ev in &hits {
            serde_json::from_str::<serde_json::Value>(ev).expect("test event is JSON");
            check(pattern, ev.as_bytes(), true);
        }
        for ev in &misses {
            check(pattern, ev.as_bytes(), false);
        }
    }
}

/// Every record of the real samples we can read cheaply, as its JSON text, for the test `test`;
/// None when the samples are absent (see [`shared_data`]).
#[track_caller]
fn sample_events(test: &str) -> Option<Vec<String>> {
    let base = shared_data(test, "cloudtrail-samples")?;
    let mut out = Vec::new();
    let jsonl = base.join("panther-analysis-tests/events.jsonl");
    let text = std::fs::read_to_string(&jsonl).unwrap_or_else(|e| panic!("{}: {e}", jsonl.display()));
    out.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
    if let Ok(dir) = std::fs::read_dir(base.join("invictus-ir-aws-dataset/CloudTrail")) {
        #[derive(serde::Deserialize)]
        struct File<'a> {
            #[serde(borrow, rename = "Records")]
            records: Vec<&'a serde_json::value::RawValue>,
        }
        for entry in dir.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            if let Ok(f) = serde_json::from_str::<File<'_>>(&text) {
                out.extend(f.records.iter().map(|r| r.get().to_string()));
            }
        }
    }
    Some(out)
}

#[test]
fn prefilter_never_rejects_a_match_on_real_samples() {
    let Some(filters) = cis_filters("prefilter_never_rejects_a_match_on_real_samples") else {
        return;
    };
    let Some(events) = sample_events("prefilter_never_rejects_a_match_on_real_samples") else {
        return;
    };
    assert!(!events.is_empty(), "the samples hold events");
    let mut matched = 0;
    let mut rejected = 0;
    for (id, pattern) in &filters {
        let pat = p(pattern);
        let pre = pat.prefilter();
        for ev in &events {
            let m = pat.matches(ev.as_bytes());
            matched += usize::from(m);
            if let Some(pre) = pre {
                let may = pre.may_match(ev.as_bytes());
                assert!(may || !m, "{id}: prefilter rejected a matching event: {ev}");
                rejected += usize::from(!may);
            }
            // The fast walk and the serde_json::Value oracle agree on real data.
            assert_eq!(eval::oracle(&pat.inner.plan, ev.as_bytes()), Some(m), "{id}: {ev}");
        }
    }
    eprintln!("{} events x {} filters: {matched} matches, {rejected} prefiltered out", events.len(), filters.len());
    assert!(matched > 0);
}

#[test]
fn every_cis_filter_except_the_cli_variant_has_a_prefilter() {
    let Some(filters) = cis_filters("every_cis_filter_except_the_cli_variant_has_a_prefilter") else {
        return;
    };
    for (id, pattern) in &filters {
        let has = p(pattern).prefilter().is_some();
        assert_eq!(has, id != "CIS-v1.4.0-4.1-cli", "{id}");
    }
}

// ---------------------------------------------------------------------------------------------
// Differential: the fast walk against the serde_json::Value oracle on generated messages
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift), so the test needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    /// A JSON value without duplicate keys and with numbers whose text serde_json reprints
    /// identically (the oracle sees only parsed numbers).
    fn value(&mut self, depth: u32) -> String {
        let scalars = [
            r#""x""#,
            r#""AccessDenied""#,
            r#""Acc\u0065ssDenied""#,
            r#""x\/y""#,
            r#""""#,
            "1",
            "2",
            "-3",
            "1.5",
            "true",
            "false",
            "null",
            r#""1""#,
            r#""a\"b""#,
        ];
        match self.next() % if depth >= 3 { 1 } else { 4 } {
            0 => self.pick(&scalars).to_string(),
            1 => {
                let n = self.next() % 4;
                let items: Vec<String> = (0..n).map(|_| self.value(depth + 1)).collect();
                format!("[{}]", items.join(","))
            }
            _ => {
                let mut keys = vec!["a", "b", "c", "k.k", "d"];
                let n = self.next() % 4;
                let mut members = Vec::new();
                for _ in 0..n {
                    let k = keys.remove((self.next() % keys.len() as u64) as usize);
                    members.push(format!(r#""{k}":{}"#, self.value(depth + 1)));
                }
                format!("{{{}}}", members.join(","))
            }
        }
    }
}

#[test]
fn fast_walk_agrees_with_value_oracle_on_generated_messages() {
    let patterns = [
        "{ $.a = x }",
        "{ $.a != x }",
        "{ $.a.b = AccessDenied* }",
        "{ $.a[0] = 1 || $.a[1].b = 2 }",
        "{ $.a[*] = 1.5 }",
        "{ $.a[*].c != x }",
        "{ $.b.* = \"x/y\" }",
        "{ $.c IS NULL || $.d IS TRUE }",
        "{ $.a NOT EXISTS && $.b.c NOT EXISTS }",
        "{ $.['k.k'] > 1 }",
        "{ $.a.b.c = * }",
        "{ $.a = 1 && ($.b = \"a\\\"b\" || $.c <= -3) }",
        "{ $.b = %^Acc% || $.c.a[0] = %ss% }",
        "{ $.d IS FALSE || $.a.* = \"\" }",
    ]
    .map(p);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut matched = 0;
    for _ in 0..3000 {
        let msg = rng.value(0);
        for pat in &patterns {
            let fast = pat.matches(msg.as_bytes());
            let oracle = eval::oracle(&pat.inner.plan, msg.as_bytes()).unwrap();
            assert_eq!(fast, oracle, "{} on {msg}", pat.source());
            matched += usize::from(fast);
            if fast {
                assert!(pat.prefilter().is_none_or(|f| f.may_match(msg.as_bytes())), "{} on {msg}", pat.source());
            }
        }
    }
    assert!(matched > 100, "generator too weak: {matched}");
}
