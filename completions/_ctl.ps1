
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ctl' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Prove that no log file was altered, deleted or injected (offline `validate-logs`)')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Find events: who did what, when and from where')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Test a CloudWatch Logs filter pattern against log events, as TestMetricFilter does')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Replay CloudWatch Logs metric filters over archived events into metric datapoints')
            [CompletionResult]::new('hunt', 'hunt', [CompletionResultType]::ParameterValue, 'Run Sigma detection rules over events: a timeline of what they find')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write events as Parquet for Athena, Trino, Spark and DuckDB')
            [CompletionResult]::new('summary', 'summary', [CompletionResultType]::ParameterValue, 'What a dump holds: accounts, regions, trails, time span, who did what, sign-ins, root use, access keys, errors, delivery gaps and digests, in one pass')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'Who is behind an access key or role session: the chain of credentials back to a long-term identity, and what each link did')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ctl;validate' {
            [CompletionResult]::new('--public-keys', '--public-keys', [CompletionResultType]::ParameterName, '`aws cloudtrail list-public-keys` output (a bare response, or a map of region to response). Repeatable. Without keys, signatures are reported `unverified`')
            [CompletionResult]::new('--digest-metadata', '--digest-metadata', [CompletionResultType]::ParameterName, 'Signatures of chain heads: `{"s3://bucket/key": {"signature": "...", "signature-algorithm": "SHA256withRSA"}}` (S3 metadata captured with head-object)')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The bucket the dump was copied from (default: read from the digests)')
            [CompletionResult]::new('--start-time', '--start-time', [CompletionResultType]::ParameterName, 'Only digests delivered at or after this time: RFC 3339, the AWS CLI''s 20260102T03:04:05Z, or a date; without a zone, UTC')
            [CompletionResult]::new('--end-time', '--end-time', [CompletionResultType]::ParameterName, 'Only digests delivered at or before this time (same forms; without a zone, UTC)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Only these accounts (repeatable)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Only these source regions (repeatable)')
            [CompletionResult]::new('--trail', '--trail', [CompletionResultType]::ParameterName, 'Only these trails (repeatable)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;query' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--arn', '--arn', [CompletionResultType]::ParameterName, 'userIdentity.arn or the session issuer''s ARN, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--identity-type', '--identity-type', [CompletionResultType]::ParameterName, 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)')
            [CompletionResult]::new('--access-key', '--access-key', [CompletionResultType]::ParameterName, 'userIdentity.accessKeyId (repeatable: OR)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)')
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'recipientAccountId, and the account folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'awsRegion, and the region folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before this time (same forms; without a zone, UTC)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Print only these fields (comma-separated dotted paths, e.g. `eventTime,userIdentity.arn`)')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Print only these fields (comma-separated dotted paths, e.g. `eventTime,userIdentity.arn`)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N matching events (in output order)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching events (in output order)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Count matches by these fields instead of printing events, most frequent first')
            [CompletionResult]::new('--count-by', '--count-by', [CompletionResultType]::ParameterName, 'Count matches by these fields instead of printing events, most frequent first')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'Group by time too, in buckets of this length (`15m`, `1h`, `1d`); alone, a time series with a row for every bucket, empty ones included')
            [CompletionResult]::new('--distinct', '--distinct', [CompletionResultType]::ParameterName, 'Per group: how many distinct values of FIELD (with --count-by or --bucket)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'With --count-by: only the N most frequent rows (N >= 1)')
            [CompletionResult]::new('--sql', '--sql', [CompletionResultType]::ParameterName, 'Print this query as SQL for ENGINE, against the table `ctl export --ddl` creates, instead of running it (what does not translate is refused, named)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Read-only calls only')
            [CompletionResult]::new('--write-only', '--write-only', [CompletionResultType]::ParameterName, 'Mutating calls only')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Per group: the first and last eventTime (with --count-by or --bucket)')
            [CompletionResult]::new('--with-source', '--with-source', [CompletionResultType]::ParameterName, 'Say where each event was read: JSON events gain `"ctlSource":{"file":..,"index":N}` (N counts records from 0 in the file), rows gain `source file` and `source index`')
            [CompletionResult]::new('--unordered', '--unordered', [CompletionResultType]::ParameterName, 'Print events in the order they are found instead of by eventTime (streams, less memory)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat an unreadable or malformed file as a fatal error')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;filter' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The filter pattern (CloudWatch Logs syntax)')
            [CompletionResult]::new('--pattern', '--pattern', [CompletionResultType]::ParameterName, 'The filter pattern (CloudWatch Logs syntax)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Print only the number of matching events')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print only the number of matching events')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat an unreadable or malformed file as a fatal error')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;metrics' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'A filter pattern defining one metric')
            [CompletionResult]::new('--pattern', '--pattern', [CompletionResultType]::ParameterName, 'A filter pattern defining one metric')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The metric''s name (with --pattern)')
            [CompletionResult]::new('--value', '--value', [CompletionResultType]::ParameterName, 'The value published per match: a number or a `$.field` selector (default 1)')
            [CompletionResult]::new('--default-value', '--default-value', [CompletionResultType]::ParameterName, 'The value published for events that do not match (default: nothing published)')
            [CompletionResult]::new('--dimension', '--dimension', [CompletionResultType]::ParameterName, 'A dimension `NAME=$.selector` (up to 3)')
            [CompletionResult]::new('--filters', '--filters', [CompletionResultType]::ParameterName, 'Metric filters as printed by `aws logs describe-metric-filters`')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Period of the datapoints (e.g. 1m, 5m, 1h, 1d)')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'List the periods in which an alarm on the metric (Sum per period) would be in ALARM')
            [CompletionResult]::new('--comparison', '--comparison', [CompletionResultType]::ParameterName, 'The alarm''s comparison with --threshold')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now; without a zone, UTC')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before this time (same forms; without a zone, UTC)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('--cis', '--cis', [CompletionResultType]::ParameterName, 'The built-in CIS AWS Foundations benchmark metric filters')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat an unreadable or malformed file as a fatal error')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;hunt' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A Sigma rule file, or a folder searched for `.yml`/`.yaml` files (repeatable)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'A Sigma rule file, or a folder searched for `.yml`/`.yaml` files (repeatable)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--arn', '--arn', [CompletionResultType]::ParameterName, 'userIdentity.arn or the session issuer''s ARN, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--identity-type', '--identity-type', [CompletionResultType]::ParameterName, 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)')
            [CompletionResult]::new('--access-key', '--access-key', [CompletionResultType]::ParameterName, 'userIdentity.accessKeyId (repeatable: OR)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)')
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'recipientAccountId, and the account folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'awsRegion, and the region folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before this time (same forms; without a zone, UTC)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--min-level', '--min-level', [CompletionResultType]::ParameterName, 'Only rules of this level or above (a rule without a level counts as informational)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only rules with this status: stable, test, experimental, deprecated, unsupported (repeatable: OR)')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'Only rules with one of these tags (comma-separated; `attack.t1098*` is a prefix)')
            [CompletionResult]::new('--exclude-tags', '--exclude-tags', [CompletionResultType]::ParameterName, 'No rule with one of these tags (comma-separated; `*` at the end is a prefix)')
            [CompletionResult]::new('--placeholder', '--placeholder', [CompletionResultType]::ParameterName, 'A value for the `%NAME%` placeholders of rules with the `expand` modifier (repeatable; several values for one name are alternatives)')
            [CompletionResult]::new('--placeholders', '--placeholders', [CompletionResultType]::ParameterName, 'A YAML file of placeholder values: `NAME: VALUE` or `NAME: [VALUE, ...]` per line')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (default: table on a terminal, jsonl otherwise)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Read-only calls only')
            [CompletionResult]::new('--write-only', '--write-only', [CompletionResultType]::ParameterName, 'Mutating calls only')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the rules: which loaded (kind, level, status) and which were skipped and why; no scan')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat an unreadable or malformed file as a fatal error')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;export' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--arn', '--arn', [CompletionResultType]::ParameterName, 'userIdentity.arn or the session issuer''s ARN, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--identity-type', '--identity-type', [CompletionResultType]::ParameterName, 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)')
            [CompletionResult]::new('--access-key', '--access-key', [CompletionResultType]::ParameterName, 'userIdentity.accessKeyId (repeatable: OR)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)')
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'recipientAccountId, and the account folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'awsRegion, and the region folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before this time (same forms; without a zone, UTC)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The folder to write: new or empty, never inside an input')
            [CompletionResult]::new('--partition-by', '--partition-by', [CompletionResultType]::ParameterName, 'The time partition: `month=YYYY-MM` (files of 64-256 MB for a busy account) or `day=YYYY-MM-DD` (for trees of many GB a day per account and region)')
            [CompletionResult]::new('--ddl', '--ddl', [CompletionResultType]::ParameterName, 'Print the CREATE TABLE of the export for this engine on stdout: after exporting, or, with no PATH, for the export already at --out')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Where the engine finds the export (e.g. `s3://bucket/prefix/`) [default: --out''s absolute path]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Read-only calls only')
            [CompletionResult]::new('--write-only', '--write-only', [CompletionResultType]::ParameterName, 'Mutating calls only')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat an unreadable or malformed file as a fatal error')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;summary' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--arn', '--arn', [CompletionResultType]::ParameterName, 'userIdentity.arn or the session issuer''s ARN, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--identity-type', '--identity-type', [CompletionResultType]::ParameterName, 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)')
            [CompletionResult]::new('--access-key', '--access-key', [CompletionResultType]::ParameterName, 'userIdentity.accessKeyId (repeatable: OR)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)')
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'recipientAccountId, and the account folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'awsRegion, and the region folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before this time (same forms; without a zone, UTC)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'One section per principal (its calls, addresses, regions, keys) after the overview')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Rows per list (most frequent first; the totals stay exact)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: table on a terminal, else one JSON document (jsonl: on one line)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: table on a terminal, else one JSON document (jsonl: on one line)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Read-only calls only')
            [CompletionResult]::new('--write-only', '--write-only', [CompletionResultType]::ParameterName, 'Mutating calls only')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat an unreadable or malformed file as a fatal error')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;trace' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'eventName, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'userName, or the session name of an assumed role (repeatable: OR)')
            [CompletionResult]::new('--arn', '--arn', [CompletionResultType]::ParameterName, 'userIdentity.arn or the session issuer''s ARN, `*` wildcards allowed (repeatable: OR)')
            [CompletionResult]::new('--identity-type', '--identity-type', [CompletionResultType]::ParameterName, 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)')
            [CompletionResult]::new('--access-key', '--access-key', [CompletionResultType]::ParameterName, 'userIdentity.accessKeyId (repeatable: OR)')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)')
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'recipientAccountId, and the account folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'awsRegion, and the region folder of a tree (repeatable: OR)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Events before this time (same forms; without a zone, UTC)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a tree on a terminal, else one JSON document (jsonl: on one line)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a tree on a terminal, else one JSON document (jsonl: on one line)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Number of worker threads (default: one per core)')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread''s share are read one at a time [default: a quarter of the machine''s memory, at most 384M]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors on stderr and in tables')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Read-only calls only')
            [CompletionResult]::new('--write-only', '--write-only', [CompletionResultType]::ParameterName, 'Mutating calls only')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat an unreadable or malformed file as a fatal error')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Silence progress bars, warnings and summaries on stderr (errors are still printed)')
            [CompletionResult]::new('--keep-duplicates', '--keep-duplicates', [CompletionResultType]::ParameterName, 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures')
            [CompletionResult]::new('--stats-json', '--stats-json', [CompletionResultType]::ParameterName, 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Tables wrap long values instead of cutting them to the terminal''s width')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ctl;help' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Prove that no log file was altered, deleted or injected (offline `validate-logs`)')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Find events: who did what, when and from where')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Test a CloudWatch Logs filter pattern against log events, as TestMetricFilter does')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Replay CloudWatch Logs metric filters over archived events into metric datapoints')
            [CompletionResult]::new('hunt', 'hunt', [CompletionResultType]::ParameterValue, 'Run Sigma detection rules over events: a timeline of what they find')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write events as Parquet for Athena, Trino, Spark and DuckDB')
            [CompletionResult]::new('summary', 'summary', [CompletionResultType]::ParameterValue, 'What a dump holds: accounts, regions, trails, time span, who did what, sign-ins, root use, access keys, errors, delivery gaps and digests, in one pass')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'Who is behind an access key or role session: the chain of credentials back to a long-term identity, and what each link did')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ctl;help;validate' {
            break
        }
        'ctl;help;query' {
            break
        }
        'ctl;help;filter' {
            break
        }
        'ctl;help;metrics' {
            break
        }
        'ctl;help;hunt' {
            break
        }
        'ctl;help;export' {
            break
        }
        'ctl;help;summary' {
            break
        }
        'ctl;help;trace' {
            break
        }
        'ctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
