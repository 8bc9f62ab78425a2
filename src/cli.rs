//! The command line as the user typed it: clap derive types only.
//!
//! Nothing here is interpreted beyond what clap does; `cmd/` turns these into validated plans
//! (see `config.rs`) before any engine sees them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Fast, offline toolkit for AWS CloudTrail logs.
///
/// Validate the integrity of a CloudTrail bucket dump, query its events, and replay
/// CloudWatch Logs metric filters over it, all offline and on every core.
#[derive(Debug, Parser)]
#[command(name = "ctl", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Silence progress bars, warnings and summaries on stderr (errors are still printed).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Number of worker threads (default: one per core).
    #[arg(short = 'j', long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    /// Keep every copy of an event delivered more than once (by default an event whose eventID
    /// and content repeat is counted and printed once).
    #[arg(long, global = true)]
    pub keep_duplicates: bool,

    /// The largest file read, as stored or once inflated (`512M`, `2G`); a larger one is named
    /// on stderr and skipped, so a decompression bomb or a huge sparse file cannot exhaust memory
    /// [default: half of --max-memory]
    #[arg(long, global = true, value_name = "SIZE", value_parser = byte_size)]
    pub max_file_size: Option<usize>,

    /// The memory for file contents held by all worker threads at once (`1G`); files needing
    /// more than a thread's share are read one at a time [default: a quarter of the machine's
    /// memory, at most 384M]
    #[arg(long, global = true, value_name = "SIZE", value_parser = byte_size)]
    pub max_memory: Option<usize>,

    /// Name every path skipped and why on stderr (query, filter, metrics); validate lists every
    /// file checked, not only failures.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Print the closing statistics on stderr as one JSON object (`"type":"stats"`: paths seen,
    /// read, skipped and unreadable by reason, events, copies, seconds) instead of a sentence,
    /// even with -q (query, filter, metrics).
    #[arg(long, global = true)]
    pub stats_json: bool,

    /// Tables wrap long values instead of cutting them to the terminal's width.
    #[arg(long, global = true)]
    pub wide: bool,

    /// When to use colors on stderr and in tables.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// The exit-status table of every subcommand's `--help` (decided in `src/exit.rs`).
pub const EXIT_STATUS: &str = "\
Exit status (the same for every subcommand):
  0  success: something matched (query, filter); no alarm (metrics);
     everything proven intact (validate)
  1  a finding: nothing matched (query, filter, as grep); an alarm fired (metrics);
     tampering (validate)
  2  usage error (for validate, a filter that matches nothing too), or an input
     that could not be read (named on stderr, even with -q)
  3  validate: nothing wrong found, but not everything proven (no keys, unverified
     or uncovered files)";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Prove that no log file was altered, deleted or injected (offline `validate-logs`).
    ///
    /// Walks every digest chain (account x source region x trail) found under PATH, checks each
    /// digest's RSA signature (with a key of the chain's region) and each listed log file's
    /// SHA-256, follows the chain newest to oldest as the AWS CLI does, and reports what the AWS
    /// CLI cannot see: log files no digest lists, misnamed files, deleted chain heads, broken
    /// previous-digest links. A PATH inside a dump validates the chains it belongs to; filters
    /// narrow the scope and never change a verdict inside it.
    ///
    /// Verdicts: valid = proven by a signature that verified with a key of the chain's region,
    /// through an unbroken chain of hashes; invalid = altered, misplaced, bad signature, broken
    /// link (finding); not_found = listed, linked or named in --digest-metadata but absent, or a
    /// period whose digests are missing (finding); unreferenced = a file in the log or digest
    /// folders no valid digest vouches for (finding); uncovered = a log delivered after the
    /// newest digest of its account and region (not a finding, not proven); unverified = not
    /// proven either way: no keys, no signature available, or listed only by such a digest.
    #[command(after_help = crate::help::after("validate"))]
    Validate(ValidateArgs),

    /// Find events: who did what, when and from where.
    ///
    /// Scans files and trees of CloudTrail logs (gzipped or plain; `{"Records":[...]}`, bare
    /// arrays, JSON lines, `aws cloudtrail lookup-events` output, or `-` for stdin) on all cores.
    /// A repeated flag means OR, different flags mean AND.
    ///
    #[command(after_help = crate::help::after("query"))]
    Query(QueryArgs),

    /// Test a CloudWatch Logs filter pattern against log events, as TestMetricFilter does.
    ///
    /// Every input line is one log event message (a CloudTrail event as JSON, a VPC flow log
    /// line, any text); CloudTrail files and trees are read record by record. Matching events
    /// are printed.
    #[command(after_help = crate::help::after("filter"))]
    Filter(FilterArgs),

    /// Replay CloudWatch Logs metric filters over archived events into metric datapoints.
    #[command(after_help = crate::help::after("metrics"))]
    Metrics(MetricsArgs),

    /// Run Sigma detection rules over events: a timeline of what they find.
    ///
    /// Loads Sigma rules (files or folders of YAML; detection rules, correlation rules and
    /// global filters), keeps those for AWS CloudTrail (`logsource: product: aws, service:
    /// cloudtrail`), and prints each match sorted by eventTime with the rule's title, level
    /// and id; correlations (event_count, value_count, value_sum, value_avg, temporal,
    /// temporal_ordered) are listed among them at the time they fire. A summary of hits per
    /// rule and per level ends the output. Rules that cannot be used are named on stderr
    /// with the reason, and the others run. Matching ignores case unless a rule says `cased`.
    #[command(after_help = crate::help::after("hunt"))]
    Hunt(HuntArgs),

    /// Write events as Parquet for Athena, Trino, Spark and DuckDB.
    ///
    /// Reads files and trees as `query` does (the same predicates select a subset, copies of an
    /// event are dropped) and writes zstd-compressed Parquet files into a new or empty folder,
    /// partitioned Hive-style by account, region and month (or day), with the columns of AWS's
    /// Athena table for CloudTrail (see docs/parquet-schema.md). Every event reads back
    /// JSON-equal to its source. Exit status as query: 1 when no event was exported.
    #[command(after_help = crate::help::after("export"))]
    Export(ExportArgs),

    /// What a dump holds: accounts, regions, trails, time span, who did what, sign-ins, root use,
    /// access keys, errors, delivery gaps and digests, in one pass.
    ///
    /// Every section counts the events selected (all, by default; the flags of `query` narrow
    /// them), each event once (copies delivered twice are dropped). Lists show the most frequent
    /// values (--top) and say when they are cut; totals and distinct counts are exact.
    /// `--output json` prints one document (schema: docs/summary.md).
    #[command(after_help = crate::help::after("summary"))]
    Summary(SummaryArgs),

    /// Who is behind an access key or role session: the chain of credentials back to a
    /// long-term identity, and what each link did.
    ///
    /// For a temporary key (ASIA...), finds the call that minted it (AssumeRole,
    /// AssumeRoleWithSAML, AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken) and
    /// who made it, with which key and from where, and repeats until an IAM user, root, a SAML
    /// or web identity, an AWS service or an EC2 instance is reached. A link whose minting call
    /// is not in the dump is said to be unresolved. Then, for each key of the chain: its calls
    /// by event name, first and last use, source addresses.
    #[command(after_help = crate::help::after("trace"))]
    Trace(TraceArgs),

    /// Write man pages and shell completions (for packaging).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

impl Command {
    /// The paths read by the subcommands that accept an export as input.
    pub fn inputs(&self) -> Option<&[PathBuf]> {
        match self {
            Command::Query(args) => Some(&args.paths),
            Command::Filter(args) => Some(&args.paths),
            Command::Metrics(args) => Some(&args.paths),
            Command::Summary(args) => Some(&args.paths),
            _ => None,
        }
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable table (default on a terminal).
    Table,
    /// One JSON object per line (default when piped).
    Jsonl,
    /// One JSON document.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The bucket dump: its root, its AWSLogs/ folder, or a folder below it.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// `aws cloudtrail list-public-keys` output (a bare response, or a map of region to
    /// response). Repeatable. Without keys, signatures are reported `unverified`.
    #[arg(long, value_name = "FILE")]
    pub public_keys: Vec<PathBuf>,

    /// Signatures of chain heads: `{"s3://bucket/key": {"signature": "...",
    /// "signature-algorithm": "SHA256withRSA"}}` (S3 metadata captured with head-object).
    #[arg(long, value_name = "FILE")]
    pub digest_metadata: Vec<PathBuf>,

    /// The bucket the dump was copied from (default: read from the digests).
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,

    /// Only digests delivered at or after this time: RFC 3339, the AWS CLI's 20260102T03:04:05Z, or a date; without a zone, UTC.
    #[arg(long, value_name = "TIME")]
    pub start_time: Option<String>,

    /// Only digests delivered at or before this time (same forms; without a zone, UTC).
    #[arg(long, value_name = "TIME")]
    pub end_time: Option<String>,

    /// Only these accounts (repeatable).
    #[arg(long, value_name = "ID")]
    pub account: Vec<String>,

    /// Only these source regions (repeatable).
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,

    /// Only these trails (repeatable).
    #[arg(long, value_name = "NAME")]
    pub trail: Vec<String>,

    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(short, long, value_enum)]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Files or trees to scan; `-` reads standard input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub select: Selectors,

    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(short, long, value_enum)]
    pub output: Option<OutputFormat>,

    /// Print only these fields (comma-separated dotted paths, e.g. `eventTime,userIdentity.arn`).
    #[arg(short, long, value_name = "A,B,...", value_delimiter = ',')]
    pub fields: Vec<String>,

    /// Stop after N matching events (in output order).
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,

    /// Count matches by these fields instead of printing events, most frequent first.
    #[arg(short = 'c', long, value_name = "FIELD[,FIELD]", value_delimiter = ',', conflicts_with = "fields")]
    pub count_by: Vec<String>,

    /// Group by time too, in buckets of this length (`15m`, `1h`, `1d`); alone, a time series
    /// with a row for every bucket, empty ones included.
    #[arg(long, value_name = "DURATION", conflicts_with = "fields")]
    pub bucket: Option<String>,

    /// Per group: the first and last eventTime (with --count-by or --bucket).
    #[arg(long)]
    pub stats: bool,

    /// Per group: how many distinct values of FIELD (with --count-by or --bucket).
    #[arg(long, value_name = "FIELD")]
    pub distinct: Option<String>,

    /// With --count-by: only the N most frequent rows (N >= 1).
    #[arg(long, value_name = "N", requires = "count_by",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub top: Option<usize>,

    /// Say where each event was read: JSON events gain `"ctlSource":{"file":..,"index":N}`
    /// (N counts records from 0 in the file), rows gain `source file` and `source index`.
    #[arg(long, conflicts_with_all = ["count_by", "bucket"])]
    pub with_source: bool,

    /// Print events in the order they are found instead of by eventTime (streams, less memory).
    #[arg(long)]
    pub unordered: bool,

    /// Treat an unreadable or malformed file as a fatal error.
    #[arg(long)]
    pub strict: bool,

    /// Print this query as SQL for ENGINE, against the table `ctl export --ddl` creates, instead
    /// of running it (what does not translate is refused, named).
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub sql: Option<Dialect>,
}

impl QueryArgs {
    /// The query as the library takes it.
    pub fn request(&self) -> cloudtrail::query::Request {
        cloudtrail::query::Request {
            paths: self.paths.clone(),
            criteria: self.select.criteria(),
            fields: self.fields.clone(),
            limit: self.limit,
            count_by: self.count_by.clone(),
            top: self.top,
            bucket: self.bucket.clone(),
            stats: self.stats,
            distinct: self.distinct.clone(),
            unordered: self.unordered,
            strict: self.strict,
        }
    }
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Files or trees to scan; `-` reads standard input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub select: Selectors,

    /// One section per principal (its calls, addresses, regions, keys) after the overview.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub by: Option<SummaryBy>,

    /// Rows per list (most frequent first; the totals stay exact).
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub top: usize,

    /// Output format: table on a terminal, else one JSON document (jsonl: on one line).
    #[arg(short, long, value_enum)]
    pub output: Option<OutputFormat>,

    /// Treat an unreadable or malformed file as a fatal error.
    #[arg(long)]
    pub strict: bool,
}

/// What `ctl summary --by` splits the report by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryBy {
    /// One section per principal (user, role session, service).
    Identity,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// An access key id (AKIA..., ASIA...), an assumed-role ARN
    /// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or a role session name.
    #[arg(value_name = "KEY|ARN|SESSION")]
    pub target: String,

    /// Files or trees to scan; `-` reads standard input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    // The calls listed per link; the chain itself is searched within the time window and the
    // accounts and regions given, whatever the other flags say.
    #[command(flatten)]
    pub select: Selectors,

    /// Output format: a tree on a terminal, else one JSON document (jsonl: on one line).
    #[arg(short, long, value_enum)]
    pub output: Option<OutputFormat>,

    /// Treat an unreadable or malformed file as a fatal error.
    #[arg(long)]
    pub strict: bool,
}

/// Which events: the predicates and time window of `ctl query`, shared by every subcommand that
/// selects events.
#[derive(Debug, Args)]
#[command(next_help_heading = "Which events")]
pub struct Selectors {
    /// eventName, `*` wildcards allowed (repeatable: OR).
    #[arg(short, long, value_name = "NAME")]
    pub event: Vec<String>,

    /// eventSource; `ec2` means `ec2.amazonaws.com` (repeatable: OR).
    #[arg(short, long, value_name = "SVC")]
    pub source: Vec<String>,

    /// userName, or the session name of an assumed role (repeatable: OR).
    #[arg(short, long, value_name = "NAME")]
    pub user: Vec<String>,

    /// userIdentity.arn or the session issuer's ARN, `*` wildcards allowed (repeatable: OR).
    #[arg(long, value_name = "ARN")]
    pub arn: Vec<String>,

    /// userIdentity.type: Root, IAMUser, AssumedRole, AWSService, FederatedUser... (repeatable).
    #[arg(long, value_name = "TYPE")]
    pub identity_type: Vec<String>,

    /// userIdentity.accessKeyId (repeatable: OR).
    #[arg(long, value_name = "ID")]
    pub access_key: Vec<String>,

    /// sourceIPAddress equal to an address or inside a CIDR, IPv4 or IPv6 (repeatable: OR).
    #[arg(long, value_name = "IP|CIDR")]
    pub ip: Vec<String>,

    /// Failed calls and failed console sign-ins only; with a value, only this errorCode (for a failed sign-in,
    /// its errorMessage; `*` wildcards; repeatable: OR).
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "*")]
    pub error: Vec<String>,

    /// Read-only calls only.
    #[arg(long, conflicts_with = "write_only")]
    pub read_only: bool,

    /// Mutating calls only.
    #[arg(long)]
    pub write_only: bool,

    /// recipientAccountId, and the account folder of a tree (repeatable: OR).
    #[arg(long, value_name = "ID")]
    pub account: Vec<String>,

    /// awsRegion, and the region folder of a tree (repeatable: OR).
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,

    /// Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now (`7d`, `12h`); without a zone, UTC.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Events before this time (same forms; without a zone, UTC).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// A CloudWatch Logs filter pattern the event must match (e.g. `{ $.errorCode = "*" }`).
    #[arg(short, long, value_name = "PATTERN")]
    pub r#where: Option<String>,
}

impl Selectors {
    /// The criteria as the library takes them.
    pub fn criteria(&self) -> cloudtrail::query::Criteria {
        cloudtrail::query::Criteria {
            event: self.event.clone(),
            source: self.source.clone(),
            user: self.user.clone(),
            arn: self.arn.clone(),
            identity_type: self.identity_type.clone(),
            access_key: self.access_key.clone(),
            ip: self.ip.clone(),
            error: self.error.clone(),
            read_only: match (self.read_only, self.write_only) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            account: self.account.clone(),
            region: self.region.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            pattern: self.r#where.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct HuntArgs {
    /// Files or trees to scan; `-` reads standard input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A Sigma rule file, or a folder searched for `.yml`/`.yaml` files (repeatable).
    #[arg(short, long, value_name = "PATH", required = true)]
    pub rules: Vec<PathBuf>,

    #[command(flatten)]
    pub select: Selectors,

    /// List the rules: which loaded (kind, level, status) and which were skipped and why; no scan.
    #[arg(long)]
    pub list: bool,

    /// Only rules of this level or above (a rule without a level counts as informational).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_level: Option<LevelArg>,

    /// Only rules with this status: stable, test, experimental, deprecated, unsupported (repeatable: OR).
    #[arg(long, value_name = "STATUS")]
    pub status: Vec<String>,

    /// Only rules with one of these tags (comma-separated; `attack.t1098*` is a prefix).
    #[arg(long, value_name = "TAG,...", value_delimiter = ',')]
    pub tags: Vec<String>,

    /// No rule with one of these tags (comma-separated; `*` at the end is a prefix).
    #[arg(long, value_name = "TAG,...", value_delimiter = ',')]
    pub exclude_tags: Vec<String>,

    /// A value for the `%NAME%` placeholders of rules with the `expand` modifier (repeatable; several
    /// values for one name are alternatives).
    #[arg(long, value_name = "NAME=VALUE")]
    pub placeholder: Vec<String>,

    /// A YAML file of placeholder values: `NAME: VALUE` or `NAME: [VALUE, ...]` per line.
    #[arg(long, value_name = "FILE")]
    pub placeholders: Option<PathBuf>,

    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(short, long, value_enum)]
    pub output: Option<OutputFormat>,

    /// Treat an unreadable or malformed file as a fatal error.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Files or trees to export; `-` reads standard input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub select: Selectors,

    /// The folder to write: new or empty, never inside an input.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// The time partition: `month=YYYY-MM` (files of 64-256 MB for a busy account) or
    /// `day=YYYY-MM-DD` (for trees of many GB a day per account and region).
    #[arg(long, value_enum, default_value_t = PartitionBy::Month)]
    pub partition_by: PartitionBy,

    /// Print the CREATE TABLE of the export for this engine on stdout: after exporting, or, with
    /// no PATH, for the export already at --out.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub ddl: Option<Dialect>,

    /// Where the engine finds the export (e.g. `s3://bucket/prefix/`) [default: --out's absolute path].
    #[arg(long, value_name = "URI", requires = "ddl")]
    pub location: Option<String>,

    /// Treat an unreadable or malformed file as a fatal error.
    #[arg(long)]
    pub strict: bool,
}

/// A Sigma rule level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

/// The time partition of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PartitionBy {
    Month,
    Day,
}

/// An SQL engine, for `export --ddl` and `query --sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dialect {
    Athena,
    Trino,
    Spark,
    Duckdb,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// The filter pattern (CloudWatch Logs syntax).
    #[arg(short, long, value_name = "PATTERN", allow_hyphen_values = true)]
    pub pattern: String,

    /// Files or trees to read; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub paths: Vec<PathBuf>,

    /// Print only the number of matching events.
    #[arg(short, long)]
    pub count: bool,

    /// Treat an unreadable or malformed file as a fatal error.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Files or trees to scan; `-` reads standard input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A filter pattern defining one metric.
    #[arg(short, long, value_name = "PATTERN", allow_hyphen_values = true)]
    pub pattern: Option<String>,

    /// The metric's name (with --pattern).
    #[arg(long, value_name = "NAME", requires = "pattern")]
    pub name: Option<String>,

    /// The value published per match: a number or a `$.field` selector (default 1).
    #[arg(long, value_name = "VALUE", requires = "pattern")]
    pub value: Option<String>,

    /// The value published for events that do not match (default: nothing published).
    #[arg(long, value_name = "N", requires = "pattern")]
    pub default_value: Option<f64>,

    /// A dimension `NAME=$.selector` (up to 3).
    #[arg(long, value_name = "NAME=$.FIELD", requires = "pattern")]
    pub dimension: Vec<String>,

    /// Metric filters as printed by `aws logs describe-metric-filters`.
    #[arg(long, value_name = "FILE")]
    pub filters: Vec<PathBuf>,

    /// The built-in CIS AWS Foundations benchmark metric filters.
    #[arg(long)]
    pub cis: bool,

    /// Period of the datapoints (e.g. 1m, 5m, 1h, 1d).
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub period: String,

    /// List the periods in which an alarm on the metric (Sum per period) would be in ALARM.
    #[arg(long, value_name = "N", value_parser = finite_number)]
    pub threshold: Option<f64>,

    /// The alarm's comparison with --threshold.
    #[arg(long, value_name = "OP", default_value = ">=", requires = "threshold")]
    pub comparison: String,

    /// Events at or after this time: RFC 3339, 20260102T03:04:05Z, a date, or a duration before now; without a zone, UTC.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Events before this time (same forms; without a zone, UTC).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(short, long, value_enum)]
    pub output: Option<OutputFormat>,

    /// Treat an unreadable or malformed file as a fatal error.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// What to write.
    #[arg(value_enum)]
    pub what: GenerateWhat,

    /// The folder to write into.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenerateWhat {
    /// Man pages (roff), one per command.
    Man,
    /// Shell completions for bash, zsh, fish, PowerShell and elvish.
    Completions,
    /// The Parquet schema of `ctl export` (`parquet-schema.md`).
    ParquetSchema,
}

/// A finite number (`NaN` and infinities compare with nothing: an alarm on them could never fire).
fn finite_number(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n),
        _ => Err(format!("{text:?} is not a finite number")),
    }
}

/// A size in bytes: a number with an optional binary suffix `K`, `M` or `G` (`512M`).
fn byte_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let (digits, shift) = match t.as_bytes().last().map(u8::to_ascii_uppercase) {
        Some(b'K') => (&t[..t.len() - 1], 10),
        Some(b'M') => (&t[..t.len() - 1], 20),
        Some(b'G') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    let n: usize = digits.parse().map_err(|_| format!("{text:?} is not a size (e.g. 512M, 2G)"))?;
    n.checked_shl(shift).filter(|b| *b > 0 && b >> shift == n).ok_or_else(|| format!("{text:?} is out of range"))
}
