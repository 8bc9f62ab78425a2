# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ctl_global_optspecs
    string join \n q/quiet j/threads= keep-duplicates max-file-size= max-memory= v/verbose stats-json wide color= h/help V/version
end

function __fish_ctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ctl_using_subcommand
    set -l cmd (__fish_ctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ctl -n "__fish_ctl_needs_command" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_needs_command" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_needs_command" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_needs_command" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_needs_command" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_needs_command" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_needs_command" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_needs_command" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_needs_command" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_needs_command" -s h -l help -d 'Print help'
complete -c ctl -n "__fish_ctl_needs_command" -s V -l version -d 'Print version'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "validate" -d 'Prove that no log file was altered, deleted or injected (offline `validate-logs`)'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "query" -d 'Find events: who did what, when and from where'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "filter" -d 'Test a CloudWatch Logs filter pattern against log events, as TestMetricFilter does'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "metrics" -d 'Replay CloudWatch Logs metric filters over archived events into metric datapoints'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "hunt" -d 'Run Sigma detection rules over events: a timeline of what they find'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "export" -d 'Write events as Parquet for Athena, Trino, Spark and DuckDB'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "summary" -d 'What a dump holds: accounts, regions, trails, time span, who did what, sign-ins, root use, access keys, errors, delivery gaps and digests, in one pass'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "trace" -d 'Who is behind an access key or role session: the chain of credentials back to a long-term identity, and what each link did'
complete -c ctl -n "__fish_ctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l public-keys -d '`aws cloudtrail list-public-keys` output (a bare response, or a map of region to response). Repeatable. Without keys, signatures are reported `unverified`' -r -F
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l digest-metadata -d 'Signatures of chain heads: `{"s3://bucket/key": {"signature": "...", "signature-algorithm": "SHA256withRSA"}}` (S3 metadata captured with head-object)' -r -F
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l bucket -d 'The bucket the dump was copied from (default: read from the digests)' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l start-time -d 'Only digests delivered at or after this time: RFC 3339, the AWS CLI\'s 20260102T03:04:05Z, or a date; without a zone, UTC' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l end-time -d 'Only digests delivered at or before this time (same forms; without a zone, UTC)' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l account -d 'Only these accounts (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l region -d 'Only these source regions (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l trail -d 'Only these trails (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -s o -l output -d 'Output format (default: table on a terminal, jsonl otherwise)' -r -f -a "table\t'Human-readable table (default on a terminal)'
jsonl\t'One JSON object per line (default when piped)'
json\t'One JSON document'
csv\t'Comma-separated values with a header row'"
complete -c ctl -n "__fish_ctl_using_subcommand validate" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand validate" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand validate" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand validate" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand query" -s e -l event -d 'eventName, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -s s -l source -d 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -s u -l user -d 'userName, or the session name of an assumed role (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l arn -d 'userIdentity.arn or the session issuer\'s ARN, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l identity-type -d 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l access-key -d 'userIdentity.accessKeyId (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l ip -d 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l error -d 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l account -d 'recipientAccountId, and the account folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l region -d 'awsRegion, and the region folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l since -d 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l until -d 'Events before this time (same forms; without a zone, UTC)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -s w -l where -d 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -s o -l output -d 'Output format (default: table on a terminal, jsonl otherwise)' -r -f -a "table\t'Human-readable table (default on a terminal)'
jsonl\t'One JSON object per line (default when piped)'
json\t'One JSON document'
csv\t'Comma-separated values with a header row'"
complete -c ctl -n "__fish_ctl_using_subcommand query" -s f -l fields -d 'Print only these fields (comma-separated dotted paths, e.g. `eventTime,userIdentity.arn`)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -s n -l limit -d 'Stop after N matching events (in output order)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -s c -l count-by -d 'Count matches by these fields instead of printing events, most frequent first' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l bucket -d 'Group by time too, in buckets of this length (`15m`, `1h`, `1d`); alone, a time series with a row for every bucket, empty ones included' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l distinct -d 'Per group: how many distinct values of FIELD (with --count-by or --bucket)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l top -d 'With --count-by: only the N most frequent rows (N >= 1)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l sql -d 'Print this query as SQL for ENGINE, against the table `ctl export --ddl` creates, instead of running it (what does not translate is refused, named)' -r -f -a "athena\t''
trino\t''
spark\t''
duckdb\t''"
complete -c ctl -n "__fish_ctl_using_subcommand query" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand query" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand query" -l read-only -d 'Read-only calls only'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l write-only -d 'Mutating calls only'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l stats -d 'Per group: the first and last eventTime (with --count-by or --bucket)'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l with-source -d 'Say where each event was read: JSON events gain `"ctlSource":{"file":..,"index":N}` (N counts records from 0 in the file), rows gain `source file` and `source index`'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l unordered -d 'Print events in the order they are found instead of by eventTime (streams, less memory)'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l strict -d 'Treat an unreadable or malformed file as a fatal error'
complete -c ctl -n "__fish_ctl_using_subcommand query" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand query" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand query" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand query" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -s p -l pattern -d 'The filter pattern (CloudWatch Logs syntax)' -r
complete -c ctl -n "__fish_ctl_using_subcommand filter" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand filter" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand filter" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand filter" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand filter" -s c -l count -d 'Print only the number of matching events'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -l strict -d 'Treat an unreadable or malformed file as a fatal error'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand filter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -s p -l pattern -d 'A filter pattern defining one metric' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l name -d 'The metric\'s name (with --pattern)' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l value -d 'The value published per match: a number or a `$.field` selector (default 1)' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l default-value -d 'The value published for events that do not match (default: nothing published)' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l dimension -d 'A dimension `NAME=$.selector` (up to 3)' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l filters -d 'Metric filters as printed by `aws logs describe-metric-filters`' -r -F
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l period -d 'Period of the datapoints (e.g. 1m, 5m, 1h, 1d)' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l threshold -d 'List the periods in which an alarm on the metric (Sum per period) would be in ALARM' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l comparison -d 'The alarm\'s comparison with --threshold' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l since -d 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now; without a zone, UTC' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l until -d 'Events before this time (same forms; without a zone, UTC)' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -s o -l output -d 'Output format (default: table on a terminal, jsonl otherwise)' -r -f -a "table\t'Human-readable table (default on a terminal)'
jsonl\t'One JSON object per line (default when piped)'
json\t'One JSON document'
csv\t'Comma-separated values with a header row'"
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l cis -d 'The built-in CIS AWS Foundations benchmark metric filters'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l strict -d 'Treat an unreadable or malformed file as a fatal error'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s r -l rules -d 'A Sigma rule file, or a folder searched for `.yml`/`.yaml` files (repeatable)' -r -F
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s e -l event -d 'eventName, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s s -l source -d 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s u -l user -d 'userName, or the session name of an assumed role (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l arn -d 'userIdentity.arn or the session issuer\'s ARN, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l identity-type -d 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l access-key -d 'userIdentity.accessKeyId (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l ip -d 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l error -d 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l account -d 'recipientAccountId, and the account folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l region -d 'awsRegion, and the region folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l since -d 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l until -d 'Events before this time (same forms; without a zone, UTC)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s w -l where -d 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l min-level -d 'Only rules of this level or above (a rule without a level counts as informational)' -r -f -a "informational\t''
low\t''
medium\t''
high\t''
critical\t''"
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l status -d 'Only rules with this status: stable, test, experimental, deprecated, unsupported (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l tags -d 'Only rules with one of these tags (comma-separated; `attack.t1098*` is a prefix)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l exclude-tags -d 'No rule with one of these tags (comma-separated; `*` at the end is a prefix)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l placeholder -d 'A value for the `%NAME%` placeholders of rules with the `expand` modifier (repeatable; several values for one name are alternatives)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l placeholders -d 'A YAML file of placeholder values: `NAME: VALUE` or `NAME: [VALUE, ...]` per line' -r -F
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s o -l output -d 'Output format (default: table on a terminal, jsonl otherwise)' -r -f -a "table\t'Human-readable table (default on a terminal)'
jsonl\t'One JSON object per line (default when piped)'
json\t'One JSON document'
csv\t'Comma-separated values with a header row'"
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l read-only -d 'Read-only calls only'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l write-only -d 'Mutating calls only'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l list -d 'List the rules: which loaded (kind, level, status) and which were skipped and why; no scan'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l strict -d 'Treat an unreadable or malformed file as a fatal error'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand hunt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand export" -s e -l event -d 'eventName, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -s s -l source -d 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -s u -l user -d 'userName, or the session name of an assumed role (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l arn -d 'userIdentity.arn or the session issuer\'s ARN, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l identity-type -d 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l access-key -d 'userIdentity.accessKeyId (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l ip -d 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l error -d 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l account -d 'recipientAccountId, and the account folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l region -d 'awsRegion, and the region folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l since -d 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l until -d 'Events before this time (same forms; without a zone, UTC)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -s w -l where -d 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l out -d 'The folder to write: new or empty, never inside an input' -r -F
complete -c ctl -n "__fish_ctl_using_subcommand export" -l partition-by -d 'The time partition: `month=YYYY-MM` (files of 64-256 MB for a busy account) or `day=YYYY-MM-DD` (for trees of many GB a day per account and region)' -r -f -a "month\t''
day\t''"
complete -c ctl -n "__fish_ctl_using_subcommand export" -l ddl -d 'Print the CREATE TABLE of the export for this engine on stdout: after exporting, or, with no PATH, for the export already at --out' -r -f -a "athena\t''
trino\t''
spark\t''
duckdb\t''"
complete -c ctl -n "__fish_ctl_using_subcommand export" -l location -d 'Where the engine finds the export (e.g. `s3://bucket/prefix/`) [default: --out\'s absolute path]' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand export" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand export" -l read-only -d 'Read-only calls only'
complete -c ctl -n "__fish_ctl_using_subcommand export" -l write-only -d 'Mutating calls only'
complete -c ctl -n "__fish_ctl_using_subcommand export" -l strict -d 'Treat an unreadable or malformed file as a fatal error'
complete -c ctl -n "__fish_ctl_using_subcommand export" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand export" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand export" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand export" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand export" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s e -l event -d 'eventName, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s s -l source -d 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s u -l user -d 'userName, or the session name of an assumed role (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l arn -d 'userIdentity.arn or the session issuer\'s ARN, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l identity-type -d 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l access-key -d 'userIdentity.accessKeyId (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l ip -d 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l error -d 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l account -d 'recipientAccountId, and the account folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l region -d 'awsRegion, and the region folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l since -d 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l until -d 'Events before this time (same forms; without a zone, UTC)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s w -l where -d 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l by -d 'One section per principal (its calls, addresses, regions, keys) after the overview' -r -f -a "identity\t'One section per principal (user, role session, service)'"
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l top -d 'Rows per list (most frequent first; the totals stay exact)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s o -l output -d 'Output format: table on a terminal, else one JSON document (jsonl: on one line)' -r -f -a "table\t'Human-readable table (default on a terminal)'
jsonl\t'One JSON object per line (default when piped)'
json\t'One JSON document'
csv\t'Comma-separated values with a header row'"
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l read-only -d 'Read-only calls only'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l write-only -d 'Mutating calls only'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l strict -d 'Treat an unreadable or malformed file as a fatal error'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand summary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s e -l event -d 'eventName, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s s -l source -d 'eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s u -l user -d 'userName, or the session name of an assumed role (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l arn -d 'userIdentity.arn or the session issuer\'s ARN, `*` wildcards allowed (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l identity-type -d 'userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l access-key -d 'userIdentity.accessKeyId (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l ip -d 'sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l error -d 'Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in, its errorMessage; `*` wildcards; repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l account -d 'recipientAccountId, and the account folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l region -d 'awsRegion, and the region folder of a tree (repeatable: OR)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l since -d 'Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l until -d 'Events before this time (same forms; without a zone, UTC)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s w -l where -d 'A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s o -l output -d 'Output format: a tree on a terminal, else one JSON document (jsonl: on one line)' -r -f -a "table\t'Human-readable table (default on a terminal)'
jsonl\t'One JSON object per line (default when piped)'
json\t'One JSON document'
csv\t'Comma-separated values with a header row'"
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s j -l threads -d 'Number of worker threads (default: one per core)' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l max-file-size -d 'The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory [default: half of --max-memory]' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l max-memory -d 'The memory for file contents held by all worker threads at once (`1G`); files needing more than a thread\'s share are read one at a time [default: a quarter of the machine\'s memory, at most 384M]' -r
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l color -d 'When to use colors on stderr and in tables' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l read-only -d 'Read-only calls only'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l write-only -d 'Mutating calls only'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l strict -d 'Treat an unreadable or malformed file as a fatal error'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s q -l quiet -d 'Silence progress bars, warnings and summaries on stderr (errors are still printed)'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l keep-duplicates -d 'Keep every copy of an event delivered more than once (by default an event whose eventID and content repeat is counted and printed once)'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s v -l verbose -d 'Name every path skipped and why on stderr (query, filter, metrics); validate lists every file checked, not only failures'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l stats-json -d 'Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen, read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence, even with -q (query, filter, metrics)'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -l wide -d 'Tables wrap long values instead of cutting them to the terminal\'s width'
complete -c ctl -n "__fish_ctl_using_subcommand trace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "validate" -d 'Prove that no log file was altered, deleted or injected (offline `validate-logs`)'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "query" -d 'Find events: who did what, when and from where'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "filter" -d 'Test a CloudWatch Logs filter pattern against log events, as TestMetricFilter does'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "metrics" -d 'Replay CloudWatch Logs metric filters over archived events into metric datapoints'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "hunt" -d 'Run Sigma detection rules over events: a timeline of what they find'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "export" -d 'Write events as Parquet for Athena, Trino, Spark and DuckDB'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "summary" -d 'What a dump holds: accounts, regions, trails, time span, who did what, sign-ins, root use, access keys, errors, delivery gaps and digests, in one pass'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "trace" -d 'Who is behind an access key or role session: the chain of credentials back to a long-term identity, and what each link did'
complete -c ctl -n "__fish_ctl_using_subcommand help; and not __fish_seen_subcommand_from validate query filter metrics hunt export summary trace help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
