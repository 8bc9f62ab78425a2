#!/usr/bin/env bash
# Regenerates the committed seed corpora fuzz/seeds/<target>/ from real files: the CloudTrail
# samples of shared/ (small files only) and the committed fixture tests/fixtures/dump/, plus a
# few hand-made shapes (gzip members, lookup-events output, org keys, backfill digests).
#
#   fuzz/make-seeds.sh [SAMPLES_DIR]     (default: ../shared/data/cloudtrail-samples)
#
# Seeds are named by the SHA-1 of their content (as libFuzzer names corpus files), so a rerun
# is idempotent. Keep the total under ~2 MB: `du -sh fuzz/seeds`.
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-../shared/data/cloudtrail-samples}
[ -d "$samples" ] || samples=/work/shared/data/cloudtrail-samples
shared=$(dirname "$samples")
dump=tests/fixtures/dump
out=fuzz/seeds
rm -rf "$out"
mkdir -p "$out"/{record_reader,digest_body,public_keys,digest_metadata,key_names,metric_filters,filter_parse,filter_match}

put() { # put TARGET < bytes
    local tmp
    tmp=$(mktemp)
    cat >"$tmp"
    chmod 644 "$tmp"
    mv "$tmp" "$out/$1/$(sha1sum "$tmp" | cut -c1-40)"
}
file() { put "$1" <"$2"; }
small() { # small DIR MAXBYTES: files of DIR up to MAXBYTES, sorted
    find "$1" -type f ! -name README.md -size -"$2"c | sort
}

# record_reader: every shape the reader accepts, plain and gzip.
for f in $(small "$samples" 6000 | grep -v sans504); do file record_reader "$f"; done
for f in $(find "$samples/sans504-s3-ransomware-lab" -type f -name '*.json.gz' | sort | awk 'NR % 200 == 1'); do
    file record_reader "$f"
done
for f in $(find "$dump" -name '*.json.gz' | sort); do file record_reader "$f"; done
head -n 3 "$samples/panther-analysis-tests/events.jsonl" | put record_reader
head -n 3 "$samples/panther-analysis-tests/events.jsonl" | gzip -9n | put record_reader
{ head -n 2 "$samples/awsdocs-examples/s3-developer-guide/events.jsonl" | gzip -n
  head -n 1 "$samples/awsdocs-examples/iam-user-guide/events.jsonl" | gzip -n; } | put record_reader
{ gzip -nc "$samples/cloudgrep-testdata/cloudtrail_singleline.json"; printf '\0\0\0\0'; } | put record_reader
gzip -nc "$samples/awsdocs-examples/cloudtrail-user-guide/lookup-events-output-1.json" | put record_reader
printf '\xef\xbb\xbf {"Records":[]}\n' | put record_reader
printf '{"Events":[{"EventId":"x","CloudTrailEvent":"{\\"eventName\\":\\"A\\\\\\"B\\",\\"u\\":\\"\\\\u00e9\\"}"},{"eventName":"C"}],"NextToken":"t"}' | put record_reader
printf '[{"CloudTrailEvent":""},{"a":[1,{"b":"}"}]}]\n{"a":1}\r\n{"Records":[{"x":null},2,"s",true]}' | put record_reader

# digest_body: digest bodies, inflated.
file digest_body "$samples/real-digest-llm-guard/"*.json
file digest_body "$samples/awsdocs-examples/cloudtrail-user-guide/digest-example-1.json"
file digest_body "$samples/awsdocs-examples/cloudtrail-user-guide/digest-example-2.json"
file digest_body "$samples/elastic-integrations-testlogs/test-cloudtrail-digest-json.log"
for f in $(find "$dump" -path '*CloudTrail-Digest*' -name '*.json.gz' | sort); do gzip -dc "$f" | put digest_body; done

# public_keys: the fixture's per-region document, and a bare response.
file public_keys "$dump/public-keys.json"
jq -c '."us-east-1"' "$dump/public-keys.json" | put public_keys
jq -c '."us-east-1".PublicKeyList[0] |= (.Fingerprint = "00" | .Value = "MAA=") | .["eu-west-1"] = {"PublicKeyList": []}' \
    "$dump/public-keys.json" | put public_keys

# digest_metadata: the fixture, and one entry with extra fields.
file digest_metadata "$dump/digest-metadata.json"
printf '{"s3://b/AWSLogs/1/k.json.gz":{"signature":"ab","signature-algorithm":"SHA256withRSA"},"s3://b2/k/":{"signature":""}}' |
    put digest_metadata

# key_names: the keys of the fixture dump and of the samples, one file per area, plus odd layouts.
(cd "$dump" && find . -name '*.json.gz' | sed 's|^\./ctl-synthetic-trail/||' | sort) | grep CloudTrail-Digest | put key_names
(cd "$dump" && find . -name '*.json.gz' | sed 's|^\./||' | sort) | grep -v Digest | put key_names
(cd "$samples" && find sans504-s3-ransomware-lab -name '*.json.gz' | sort | sed -n 1,20p |
    sed 's|^sans504-s3-ransomware-lab/\([^/]*\)/\(.*\)/\([0-9]\{12\}\)_|prefix/AWSLogs/\3/CloudTrail/\1/\2/\3_|') | put key_names
printf '%s\n' \
    'AWSLogs/o-abc123def4/111122223333/CloudTrail-Digest/us-gov-west-1/2024/02/29/111122223333_CloudTrail-Digest_us-gov-west-1_my_trail.v2_us-east-1_20240229T235959Z_backfill.json.gz' \
    'a/b/AWSLogs/111122223333/CloudTrail/cn-north-1/2024/12/31/111122223333_CloudTrail_cn-north-1_20241231T2355Z_AbC123.json.gz' \
    'AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/01/01/x.json.gz' | put key_names
find "$samples" -name '*CloudTrail*.json*' -printf '%f\n' | sort | sed -n 1,30p | put key_names

# metric_filters: the CIS set as describe-metric-filters output, and the shapes the reader takes.
jq -c '{metricFilters: [.[] | {filterName: .id, logGroupName: "ct", filterPattern: .pattern,
        metricTransformations: [{metricName: ("CIS-" + .control), metricNamespace: "CIS", metricValue: "1"}]}]}' \
    "$shared/cis-metric-filters.json" | put metric_filters
printf '[{"filterName":"denied","filterPattern":"{ $.errorCode = \\"AccessDenied\\" }","metricTransformations":[{"metricName":"A","metricValue":1,"defaultValue":0}]},{"filterName":"s3","filterPattern":"{ $.eventSource = \\"s3.amazonaws.com\\" }","metricTransformations":[{"metricName":"S3","metricValue":"$.requestParameters.bytes","dimensions":{"EventName":"$.eventName","Who":"$.userIdentity.type"}}]}]' |
    put metric_filters
printf '{"metricFilters":[{"filterName":"web","filterPattern":"[ip, id, user, ts, request, status_code = 4*, size]","metricTransformations":[{"metricName":"Bytes","metricNamespace":"W","metricValue":"$size","dimensions":{"Status":"$status_code"}}]},{"filterPattern":"ERROR -DEBUG","metricTransformations":[{"metricName":"Errors","metricValue":"1"}]}]}' |
    put metric_filters

# filter_parse: every CIS pattern, and one pattern of each kind.
jq -r '.[].pattern' "$shared/cis-metric-filters.json" | while IFS= read -r p; do printf '%s' "$p" | put filter_parse; done
for p in '{ $.a[*].b = 1 || $.c.* = "x*y" || $.d IS NULL || $.e IS TRUE || $.f > 1e3 || $.g = %^a.c$% }' \
    "{ \$.a[0][1] = * && \$.['k.k'] != 5 }" '[ip, user, ..., status = 4* || status = %5\d\d%, bytes > 100]' \
    'ERROR -DEBUG ?x' '?"a b" ?%c+d%' '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }'; do
    printf '%s' "$p" | put filter_parse
done

# filter_match: single events (one line each) of several sources, and a space-delimited line.
for f in "$samples/awsdocs-examples/s3-developer-guide/events.jsonl" "$samples/elastic-integrations-testlogs/test-console-login-json.log" \
    "$samples/panther-analysis-tests/events.jsonl"; do
    head -n 2 "$f" | while IFS= read -r line; do printf '%s' "$line" | put filter_match; done
done
printf '%s' '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534' | put filter_match
printf '%s' '{"a":[{"b":1}],"c":{"x":"xzy"},"d":null,"e":true,"f":1e4,"g":"abc","k.k":4,"errorCode":"AccessDenied"}' | put filter_match

for d in "$out"/*; do printf '%-16s %4d files %6s\n' "$(basename "$d")" "$(ls "$d" | wc -l)" "$(du -sh "$d" | cut -f1)"; done
du -sh "$out"
