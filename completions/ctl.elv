
use builtin;
use str;

set edit:completion:arg-completer[ctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ctl'= {
            cand -j 'Number of worker threads (default: one per core)'
            cand --threads 'Number of worker threads (default: one per core)'
            cand --max-file-size 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]'
            cand --max-memory 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 768M]'
            cand --color 'When to use colors on stderr and in tables'
            cand -q 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --quiet 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --keep-duplicates 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
            cand --wide 'Tables wrap long values instead of cutting them to the terminal''s width'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand validate 'Prove that no log file was altered, deleted or injected (offline `validate-logs`)'
            cand query 'Find events: who did what, when and from where'
            cand filter 'Test a CloudWatch Logs filter pattern against log events, as TestMetricFilter does'
            cand metrics 'Replay CloudWatch Logs metric filters over archived events into metric datapoints'
            cand export 'Write events as Parquet for Athena, Trino, Spark and DuckDB'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ctl;validate'= {
            cand --public-keys '`aws cloudtrail list-public-keys` output (a bare response, or a map of region to response). Repeatable. Without keys, signatures are reported `unverified`'
            cand --digest-metadata 'Signatures of chain heads: `{"s3://bucket/key": {"signature": "...", "signature-algorithm": "SHA256withRSA"}}` (S3 metadata captured with head-object)'
            cand --bucket 'The bucket the dump was copied from (default: read from the digests)'
            cand --start-time 'Only digests delivered at or after this time: RFC 3339, the AWS CLI''s 20260102T03:04:05Z, or a date; without a zone, UTC'
            cand --end-time 'Only digests delivered at or before this time (same forms; without a zone, UTC)'
            cand --account 'Only these accounts (repeatable)'
            cand --region 'Only these source regions (repeatable)'
            cand --trail 'Only these trails (repeatable)'
            cand -o 'Output format (default: table on a terminal, jsonl otherwise)'
            cand --output 'Output format (default: table on a terminal, jsonl otherwise)'
            cand -j 'Number of worker threads (default: one per core)'
            cand --threads 'Number of worker threads (default: one per core)'
            cand --max-file-size 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]'
            cand --max-memory 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 768M]'
            cand --color 'When to use colors on stderr and in tables'
            cand -v 'List every file checked, not only failures'
            cand --verbose 'List every file checked, not only failures'
            cand -q 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --quiet 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --keep-duplicates 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
            cand --wide 'Tables wrap long values instead of cutting them to the terminal''s width'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ctl;query'= {
            cand -e 'eventName, `*` wildcards allowed (repeatable: OR)'
            cand --event 'eventName, `*` wildcards allowed (repeatable: OR)'
            cand -s 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)'
            cand --source 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)'
            cand -u 'userName, or the session name of an assumed role (repeatable: OR)'
            cand --user 'userName, or the session name of an assumed role (repeatable: OR)'
            cand --arn 'userIdentity.arn or the session issuer''s ARN, `*` wildcards allowed (repeatable: OR)'
            cand --identity-type 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)'
            cand --access-key 'userIdentity.accessKeyId (repeatable: OR)'
            cand --ip 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)'
            cand --error 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)'
            cand --account 'recipientAccountId, and the account folder of a tree (repeatable: OR)'
            cand --region 'awsRegion, and the region folder of a tree (repeatable: OR)'
            cand --since 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC'
            cand --until 'Events before this time (same forms; without a zone, UTC)'
            cand -w 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)'
            cand --where 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)'
            cand -o 'Output format (default: table on a terminal, jsonl otherwise)'
            cand --output 'Output format (default: table on a terminal, jsonl otherwise)'
            cand -f 'Print only these fields (comma-separated dotted paths, e.g. `eventTime,userIdentity.arn`)'
            cand --fields 'Print only these fields (comma-separated dotted paths, e.g. `eventTime,userIdentity.arn`)'
            cand -n 'Stop after N matching events (in output order)'
            cand --limit 'Stop after N matching events (in output order)'
            cand -c 'Count matches by these fields instead of printing events, most frequent first'
            cand --count-by 'Count matches by these fields instead of printing events, most frequent first'
            cand --bucket 'Group by time too, in buckets of this length (`15m`, `1h`, `1d`); alone, a time series with a row for every bucket, empty ones included'
            cand --distinct 'Per group: how many distinct values of FIELD (with --count-by or --bucket)'
            cand --top 'With --count-by: only the N most frequent rows (N >= 1)'
            cand --sql 'Print this query as SQL for ENGINE, against the table `ctl export --ddl` creates, instead of running it (what does not translate is refused, named)'
            cand -j 'Number of worker threads (default: one per core)'
            cand --threads 'Number of worker threads (default: one per core)'
            cand --max-file-size 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]'
            cand --max-memory 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 768M]'
            cand --color 'When to use colors on stderr and in tables'
            cand --read-only 'Read-only calls only'
            cand --write-only 'Mutating calls only'
            cand --stats 'Per group: the first and last eventTime (with --count-by or --bucket)'
            cand --with-source 'Say where each event was read: JSON events gain `"ctlSource":{"file":..,"index":N}` (N counts records from 0 in the file), rows gain `source file` and `source index`'
            cand --unordered 'Print events in the order they are found instead of by eventTime (streams, less memory)'
            cand --strict 'Treat an unreadable or malformed file as a fatal error'
            cand -q 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --quiet 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --keep-duplicates 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
            cand --wide 'Tables wrap long values instead of cutting them to the terminal''s width'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ctl;filter'= {
            cand -p 'The filter pattern (CloudWatch Logs syntax)'
            cand --pattern 'The filter pattern (CloudWatch Logs syntax)'
            cand -j 'Number of worker threads (default: one per core)'
            cand --threads 'Number of worker threads (default: one per core)'
            cand --max-file-size 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]'
            cand --max-memory 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 768M]'
            cand --color 'When to use colors on stderr and in tables'
            cand -c 'Print only the number of matching events'
            cand --count 'Print only the number of matching events'
            cand --strict 'Treat an unreadable or malformed file as a fatal error'
            cand -q 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --quiet 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --keep-duplicates 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
            cand --wide 'Tables wrap long values instead of cutting them to the terminal''s width'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ctl;metrics'= {
            cand -p 'A filter pattern defining one metric'
            cand --pattern 'A filter pattern defining one metric'
            cand --name 'The metric''s name (with --pattern)'
            cand --value 'The value published per match: a number or a `$.field` selector (default 1)'
            cand --default-value 'The value published for events that do not match (default: nothing published)'
            cand --dimension 'A dimension `NAME=$.selector` (up to 3)'
            cand --filters 'Metric filters as printed by `aws logs describe-metric-filters`'
            cand --period 'Period of the datapoints (e.g. 1m, 5m, 1h, 1d)'
            cand --threshold 'List the periods in which an alarm on the metric (Sum per period) would be in ALARM'
            cand --comparison 'The alarm''s comparison with --threshold'
            cand --since 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now; without a zone, UTC'
            cand --until 'Events before this time (same forms; without a zone, UTC)'
            cand -o 'Output format (default: table on a terminal, jsonl otherwise)'
            cand --output 'Output format (default: table on a terminal, jsonl otherwise)'
            cand -j 'Number of worker threads (default: one per core)'
            cand --threads 'Number of worker threads (default: one per core)'
            cand --max-file-size 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]'
            cand --max-memory 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 768M]'
            cand --color 'When to use colors on stderr and in tables'
            cand --cis 'The built-in CIS AWS Foundations benchmark metric filters'
            cand --strict 'Treat an unreadable or malformed file as a fatal error'
            cand -q 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --quiet 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --keep-duplicates 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
            cand --wide 'Tables wrap long values instead of cutting them to the terminal''s width'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ctl;export'= {
            cand -e 'eventName, `*` wildcards allowed (repeatable: OR)'
            cand --event 'eventName, `*` wildcards allowed (repeatable: OR)'
            cand -s 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)'
            cand --source 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)'
            cand -u 'userName, or the session name of an assumed role (repeatable: OR)'
            cand --user 'userName, or the session name of an assumed role (repeatable: OR)'
            cand --arn 'userIdentity.arn or the session issuer''s ARN, `*` wildcards allowed (repeatable: OR)'
            cand --identity-type 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)'
            cand --access-key 'userIdentity.accessKeyId (repeatable: OR)'
            cand --ip 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)'
            cand --error 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)'
            cand --account 'recipientAccountId, and the account folder of a tree (repeatable: OR)'
            cand --region 'awsRegion, and the region folder of a tree (repeatable: OR)'
            cand --since 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC'
            cand --until 'Events before this time (same forms; without a zone, UTC)'
            cand -w 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)'
            cand --where 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)'
            cand --out 'The folder to write: new or empty, never inside an input'
            cand --partition-by 'The time partition: `month=YYYY-MM` (files of 64-256 MB for a busy account) or `day=YYYY-MM-DD` (for trees of many GB a day per account and region)'
            cand --ddl 'Print the CREATE TABLE of the export for this engine on stdout: after exporting, or, with no PATH, for the export already at --out'
            cand --location 'Where the engine finds the export (e.g. `s3://bucket/prefix/`) [default: --out''s absolute path]'
            cand -j 'Number of worker threads (default: one per core)'
            cand --threads 'Number of worker threads (default: one per core)'
            cand --max-file-size 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]'
            cand --max-memory 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 768M]'
            cand --color 'When to use colors on stderr and in tables'
            cand --read-only 'Read-only calls only'
            cand --write-only 'Mutating calls only'
            cand --strict 'Treat an unreadable or malformed file as a fatal error'
            cand -q 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --quiet 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
            cand --keep-duplicates 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
            cand --wide 'Tables wrap long values instead of cutting them to the terminal''s width'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ctl;help'= {
            cand validate 'Prove that no log file was altered, deleted or injected (offline `validate-logs`)'
            cand query 'Find events: who did what, when and from where'
            cand filter 'Test a CloudWatch Logs filter pattern against log events, as TestMetricFilter does'
            cand metrics 'Replay CloudWatch Logs metric filters over archived events into metric datapoints'
            cand export 'Write events as Parquet for Athena, Trino, Spark and DuckDB'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ctl;help;validate'= {
        }
        &'ctl;help;query'= {
        }
        &'ctl;help;filter'= {
        }
        &'ctl;help;metrics'= {
        }
        &'ctl;help;export'= {
        }
        &'ctl;help;help'= {
        }
    ]
    $completions[$command]
}
