//! SQL for the engines that read an export: the CREATE TABLE of an export ([`ddl`]) and a ctl
//! query translated into a SELECT against it ([`select`]), per [`Dialect`].
//!
//! The four engines agree on most of what is needed (struct fields by `.`, `LIKE ... ESCAPE`,
//! `TIMESTAMP '...'` literals); where they differ (JSON functions, regular expressions, array
//! indexes, quoting), [`Dialect`] says how.

mod ddl;
mod ip;
mod select;

pub use ddl::ddl;
pub use select::{select, Untranslatable};

/// An SQL engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Amazon Athena (Hive DDL, Trino SQL).
    Athena,
    /// Trino (or Presto) with the Hive connector.
    Trino,
    /// Apache Spark SQL (3.4 or later).
    Spark,
    /// DuckDB.
    DuckDb,
}

/// The table's name in the DDL and the queries.
pub const TABLE: &str = "cloudtrail";

impl Dialect {
    /// A string literal.
    pub fn string(self, text: &str) -> String {
        let quoted = text.replace('\'', "''");
        match self {
            // Spark reads backslash escapes in literals.
            Dialect::Spark => format!("'{}'", quoted.replace('\\', "\\\\")),
            _ => format!("'{quoted}'"),
        }
    }

    /// A quoted identifier (for names that start with `_` or are reserved).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{name}`"),
            _ => format!("\"{name}\""),
        }
    }

    /// The text of the scalar at a JSON path (`$.a.b`) inside a JSON-text column.
    pub fn json_text(self, column: &str, path: &str) -> String {
        let path = self.string(path);
        match self {
            Dialect::Athena | Dialect::Trino => format!("json_extract_scalar({column}, {path})"),
            Dialect::Spark => format!("get_json_object({column}, {path})"),
            Dialect::DuckDb => format!("json_extract_string({column}, {path})"),
        }
    }

    /// Whether `expr` matches the regular expression `re` somewhere.
    pub fn regex_matches(self, expr: &str, re: &str) -> String {
        let re = self.string(re);
        match self {
            Dialect::Athena | Dialect::Trino => format!("regexp_like({expr}, {re})"),
            Dialect::Spark => format!("{expr} RLIKE {re}"),
            Dialect::DuckDb => format!("regexp_matches({expr}, {re})"),
        }
    }

    /// `expr` with every match of the regular expression `re` replaced by `with` (which may
    /// hold [`Dialect::group`]s).
    pub fn regex_replace(self, expr: &str, re: &str, with: &str) -> String {
        let (re, with) = (self.string(re), self.string(with));
        match self {
            Dialect::DuckDb => format!("regexp_replace({expr}, {re}, {with}, 'g')"),
            _ => format!("regexp_replace({expr}, {re}, {with})"),
        }
    }

    /// The text of capturing group `n` in the replacement of [`Dialect::regex_replace`].
    pub fn group(self, n: u8) -> String {
        match self {
            Dialect::DuckDb => format!("\\{n}"),
            _ => format!("${n}"),
        }
    }

    /// The decimal number in the text `expr` (0 to 255) as two lower-case hex digits.
    pub fn decimal_to_hex2(self, expr: &str) -> String {
        match self {
            Dialect::Athena | Dialect::Trino => format!("lpad(to_base(CAST({expr} AS BIGINT), 16), 2, '0')"),
            Dialect::Spark => format!("lpad(lower(conv({expr}, 10, 16)), 2, '0')"),
            Dialect::DuckDb => format!("lpad(lower(hex(CAST({expr} AS INTEGER))), 2, '0')"),
        }
    }

    /// The array of the parts of the text `expr` between `separator`s (a plain character).
    pub fn split(self, expr: &str, separator: &str) -> String {
        let separator = self.string(separator);
        match self {
            Dialect::DuckDb => format!("string_split({expr}, {separator})"),
            _ => format!("split({expr}, {separator})"),
        }
    }

    /// The array of `body` for each element `var` of the array `list`.
    pub fn transform(self, list: &str, var: &str, body: &str) -> String {
        match self {
            // DuckDB 1.3 and later: `lambda x: ...` (the arrow is refused from 2.0 on).
            Dialect::DuckDb => format!("list_transform({list}, lambda {var}: {body})"),
            _ => format!("transform({list}, {var} -> {body})"),
        }
    }

    /// Whether `condition` holds for some element `var` of the array `list`.
    pub fn any(self, list: &str, var: &str, condition: &str) -> String {
        match self {
            Dialect::Athena | Dialect::Trino => format!("any_match({list}, {var} -> {condition})"),
            Dialect::Spark => format!("exists({list}, {var} -> {condition})"),
            Dialect::DuckDb => format!("len(list_filter({list}, lambda {var}: {condition})) > 0"),
        }
    }

    /// The part of `expr` after its last `/`.
    pub fn last_segment(self, expr: &str) -> String {
        match self {
            Dialect::Spark => format!("regexp_extract({expr}, '[^/]*$', 0)"),
            _ => format!("regexp_extract({expr}, '[^/]*$')"),
        }
    }

    /// The start of the `step`-second bucket (counted from the Unix epoch) of the plain
    /// timestamp `ts`, as a timestamp; no time zone enters the arithmetic.
    pub fn bucket_start(self, ts: &str, step: i64) -> String {
        match self {
            Dialect::Athena | Dialect::Trino => {
                let epoch = "TIMESTAMP '1970-01-01 00:00:00'";
                format!("date_add('second', (date_diff('second', {epoch}, {ts}) / {step}) * {step}, {epoch})")
            }
            Dialect::Spark => {
                let epoch = "TIMESTAMP_NTZ '1970-01-01 00:00:00'";
                format!("timestampadd(SECOND, floor(timestampdiff(SECOND, {epoch}, {ts}) / {step}) * {step}, {epoch})")
            }
            Dialect::DuckDb => {
                format!(
                    "make_timestamp(CAST(floor(epoch_ms({ts}) / {}) AS BIGINT) * {})",
                    step * 1000,
                    step * 1_000_000
                )
            }
        }
    }

    /// The index of an array's first element.
    pub fn first_index(self) -> usize {
        match self {
            Dialect::Spark => 0,
            _ => 1,
        }
    }
}
