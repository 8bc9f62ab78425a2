//! A ctl query as a SELECT against an export: its predicates in WHERE, its `--count-by`,
//! `--stats`, `--distinct` and `--top` as GROUP BY and aggregates, `--fields` and `--limit`.
//!
//! Each predicate keeps ctl's meaning: `--event` and `--source` also match an Insights event's
//! `insightdetails`; `--user` matches the user name or an assumed role's session name (the last
//! segment of its ARN); `--arn` the identity's or the session issuer's ARN; `--ip` an address
//! anywhere in a comma-separated `sourceipaddress` chain; `--error` a failed call's `errorcode`,
//! or a failed console sign-in's `errormessage` ([`super::ip`] for IPv4 and IPv6 blocks);
//! `--bucket` groups by the start of the bucket, counted from the Unix epoch as ctl does. What
//! does not translate is refused, naming it ([`Untranslatable`]): the parts of a `--where`
//! pattern listed in the documentation of [`where_clause`].

use cloudtrail::query::{Grouping, Mode, Selection};
use cwl_filter::outline::{Condition, Segment, Test};
use cwl_filter::Glob;

use super::{ip, Dialect, TABLE};
use crate::schema::{self, Kind, EVENT};

/// A part of a query that has no SQL translation.
#[derive(Debug, thiserror::Error)]
#[error("{0} does not translate to SQL")]
pub struct Untranslatable(pub String);

type Sql = Result<String, Untranslatable>;

/// The SELECT for `selection` and `mode`, against [`TABLE`].
pub fn select(dialect: Dialect, selection: &Selection, mode: &Mode) -> Sql {
    let filter = where_clause(dialect, selection)?;
    let filter = if filter.is_empty() { String::new() } else { format!("\nWHERE {}", filter.join("\n  AND ")) };
    let ts = schema::TIMESTAMP;
    Ok(match mode {
        Mode::Events { fields, limit, ordered } => {
            let columns = if fields.is_empty() {
                "*".to_string()
            } else {
                fields
                    .iter()
                    .map(|f| Ok(format!("{} AS {}", field(dialect, f.segments())?, dialect.ident(f.name()))))
                    .collect::<Result<Vec<_>, Untranslatable>>()?
                    .join(", ")
            };
            let order = if *ordered { format!("\nORDER BY {ts}") } else { String::new() };
            let limit = limit.map(|n| format!("\nLIMIT {n}")).unwrap_or_default();
            format!("SELECT {columns}\nFROM {TABLE}{filter}{order}{limit};\n")
        }
        Mode::Count(grouping) => grouped(dialect, grouping, &filter)?,
    })
}

fn grouped(dialect: Dialect, g: &Grouping, filter: &str) -> Sql {
    let mut keys = g.by.iter().map(|f| field(dialect, f.segments())).collect::<Result<Vec<_>, _>>()?;
    let mut names: Vec<String> = g.by.iter().map(|f| dialect.ident(f.name())).collect();
    if let Some(step) = g.bucket {
        keys.insert(0, dialect.bucket_start(schema::TIMESTAMP, step));
        names.insert(0, dialect.ident("time"));
    }
    let mut columns: Vec<String> = keys.iter().zip(&names).map(|(k, name)| format!("{k} AS {name}")).collect();
    columns.push("count(*) AS count".into());
    let ts = schema::TIMESTAMP;
    if g.stats {
        columns.push(format!("min({ts}) AS first, max({ts}) AS last"));
    }
    if let Some(d) = &g.distinct {
        columns.push(format!(
            "count(DISTINCT {}) AS distinct_{}",
            field(dialect, d.segments())?,
            d.name().replace(['.', '[', ']'], "_")
        ));
    }
    let group = if keys.is_empty() { String::new() } else { format!("\nGROUP BY {}", keys.join(", ")) };
    let top = g.top.map(|n| format!("\nLIMIT {n}")).unwrap_or_default();
    // A time series in time order, as ctl prints it (without its empty buckets).
    let order = if g.bucket.is_some() { format!("{}, count DESC", dialect.ident("time")) } else { "count DESC".into() };
    Ok(format!("SELECT {}\nFROM {TABLE}{filter}{group}\nORDER BY {order}{top};\n", columns.join(", ")))
}

/// A field path (`userIdentity.arn`, `resources.0.ARN`, `requestParameters.bucketName`) as
/// an expression: a column, a struct field, an array element, or the text at a JSON path inside
/// a JSON-text column (members with no column are read from `_extra`).
fn field(dialect: Dialect, segments: &[String]) -> Sql {
    let path: Vec<Segment> =
        segments.iter().map(|s| s.parse::<usize>().map_or_else(|_| Segment::Key(s.clone()), Segment::Index)).collect();
    path_expr(dialect, &path)
}

fn path_text(path: &[Segment]) -> String {
    let mut text = String::from("$");
    for segment in path {
        match segment {
            Segment::Key(k) => {
                text.push('.');
                text.push_str(k);
            }
            Segment::Index(i) => text.push_str(&format!("[{i}]")),
            Segment::Wildcard => text.push_str("[*]"),
        }
    }
    text
}

fn shown(path: &[Segment]) -> String {
    path_text(path).trim_start_matches("$.").to_string()
}

/// The expression for a path of an event's members.
fn path_expr(dialect: Dialect, path: &[Segment]) -> Sql {
    if path.contains(&Segment::Wildcard) {
        return Err(Untranslatable(format!("the wildcard in {}", shown(path))));
    }
    let extra = || dialect.json_text(&dialect.ident(schema::EXTRA), &path_text(path));
    let Some(Segment::Key(first)) = path.first() else { return Err(Untranslatable(shown(path))) };
    let Some(member) = EVENT.iter().find(|m| m.json == first) else { return Ok(extra()) };
    let mut expr = schema::column_name(member);
    let mut kind = member.kind;
    let mut rest = &path[1..];
    loop {
        match (kind, rest) {
            (Kind::Str | Kind::BoolText | Kind::Json, []) => return Ok(expr),
            (Kind::Json, _) => return Ok(dialect.json_text(&expr, &path_text(rest))),
            (Kind::Struct(members), [Segment::Key(k), tail @ ..]) => {
                let Some(m) = members.iter().find(|m| m.json == k) else { return Ok(extra()) };
                expr = format!("{expr}.{}", schema::column_name(m));
                kind = m.kind;
                rest = tail;
            }
            (Kind::List(members), [Segment::Index(i), tail @ ..]) => {
                let n = i + dialect.first_index();
                expr = match dialect {
                    Dialect::Athena | Dialect::Trino => format!("element_at({expr}, {n})"),
                    _ => format!("{expr}[{n}]"),
                };
                kind = Kind::Struct(members);
                rest = tail;
            }
            (Kind::Map, [Segment::Key(k)]) => {
                let key = dialect.string(k);
                return Ok(match dialect {
                    Dialect::Athena | Dialect::Trino => format!("element_at({expr}, {key})"),
                    _ => format!("{expr}[{key}]"),
                });
            }
            _ => {
                return Err(Untranslatable(format!(
                    "{} (a whole object or array, or a path into a value)",
                    shown(path)
                )))
            }
        }
    }
}

/// `expr LIKE pattern` for a ctl wildcard (`*`), `=` when it has none.
fn like(dialect: Dialect, expr: &str, glob: &Glob) -> String {
    if glob.is_exact() {
        return format!("{expr} = {}", dialect.string(&glob.parts()[0]));
    }
    let mut pattern = String::new();
    let mut escaped = false;
    for (i, part) in glob.parts().iter().enumerate() {
        if i > 0 {
            pattern.push('%');
        }
        for c in part.chars() {
            if matches!(c, '%' | '_' | '!') {
                pattern.push('!');
                escaped = true;
            }
            pattern.push(c);
        }
    }
    let escape = if escaped { " ESCAPE '!'" } else { "" };
    format!("{expr} LIKE {}{escape}", dialect.string(&pattern))
}

fn any_of(alternatives: Vec<String>) -> String {
    match alternatives.len() {
        1 => alternatives.into_iter().next().unwrap_or_default(),
        _ => format!("({})", alternatives.join(" OR ")),
    }
}

fn in_list(dialect: Dialect, expr: &str, values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| dialect.string(v)).collect();
    match list.len() {
        1 => format!("{expr} = {}", list[0]),
        _ => format!("{expr} IN ({})", list.join(", ")),
    }
}

/// The conditions of WHERE, one per predicate (ANDed).
///
/// A `--where` pattern translates when it is a JSON pattern (`{ ... }`) of `&&`, `||` and
/// conditions on member paths without `[*]` wildcards: `=` and `!=` with strings (`*`
/// wildcards allowed) or numbers, `<`, `<=`, `>`, `>=` with numbers, `IS TRUE`, `IS FALSE`,
/// `IS NULL` and `NOT EXISTS`. Term and space-delimited patterns and regular expressions
/// (`%...%`) do not.
pub fn where_clause(dialect: Dialect, s: &Selection) -> Result<Vec<String>, Untranslatable> {
    let mut out = Vec::new();
    let insight = |field: &str| dialect.json_text("insightdetails", &format!("$.{field}"));
    let event_name = format!("coalesce(eventname, {})", insight("eventName"));
    let event_source = format!("coalesce(eventsource, {})", insight("eventSource"));
    if !s.events.is_empty() {
        out.push(any_of(s.events.iter().map(|g| like(dialect, &event_name, g)).collect()));
    }
    if !s.sources.is_empty() {
        out.push(any_of(s.sources.iter().map(|g| like(dialect, &event_source, g)).collect()));
    }
    if !s.accounts.is_empty() {
        out.push(in_list(dialect, "recipientaccountid", &s.accounts));
    }
    if !s.regions.is_empty() {
        out.push(in_list(dialect, "awsregion", &s.regions));
    }
    if let Some(read_only) = s.read_only {
        out.push(format!("readonly = '{read_only}'"));
    }
    if !s.errors.is_empty() {
        let failed_sign_in = format!(
            "(errorcode IS NULL OR errorcode = '') AND {} = 'Failure'",
            dialect.json_text("responseelements", "$.ConsoleLogin")
        );
        let alternatives = s
            .errors
            .iter()
            .map(|g| {
                if g.parts().iter().all(|p| p.is_empty()) {
                    format!("errorcode <> '' OR ({failed_sign_in})")
                } else {
                    let message = like(dialect, "coalesce(errormessage, '')", g);
                    format!(
                        "(errorcode <> '' AND {}) OR ({failed_sign_in} AND {message})",
                        like(dialect, "errorcode", g)
                    )
                }
            })
            .map(|a| format!("({a})"))
            .collect();
        out.push(any_of(alternatives));
    }
    let ts = schema::TIMESTAMP;
    let literal = |ms: i64| {
        let t = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
        format!("TIMESTAMP '{}'", t.format("%Y-%m-%d %H:%M:%S%.3f"))
    };
    if let Some(since) = s.since_ms {
        out.push(format!("{ts} >= {}", literal(since)));
    }
    if let Some(until) = s.until_ms {
        out.push(format!("{ts} < {}", literal(until)));
    }
    if !s.ips.is_empty() {
        out.push(any_of(s.ips.iter().map(|net| ip::in_chain(dialect, "sourceipaddress", net)).collect()));
    }
    if !s.users.is_empty() {
        let session = "(useridentity.arn LIKE '%:assumed-role/%' OR useridentity.arn LIKE '%:federated-user/%')";
        let name = dialect.last_segment("useridentity.arn");
        out.push(any_of(
            s.users
                .iter()
                .flat_map(|g| {
                    [like(dialect, "useridentity.username", g), format!("({session} AND {})", like(dialect, &name, g))]
                })
                .collect(),
        ));
    }
    if !s.arns.is_empty() {
        out.push(any_of(
            s.arns
                .iter()
                .flat_map(|g| {
                    [
                        like(dialect, "useridentity.arn", g),
                        like(dialect, "useridentity.sessioncontext.sessionissuer.arn", g),
                    ]
                })
                .collect(),
        ));
    }
    if !s.identity_types.is_empty() {
        let lower: Vec<String> = s.identity_types.iter().map(|t| t.to_lowercase()).collect();
        out.push(in_list(dialect, "lower(useridentity.type)", &lower));
    }
    if !s.access_keys.is_empty() {
        out.push(in_list(dialect, "useridentity.accesskeyid", &s.access_keys));
    }
    if let Some(pattern) = &s.pattern {
        let outline = cwl_filter::outline::outline(pattern)
            .ok_or_else(|| Untranslatable(format!("--where {:?} (not a JSON pattern)", pattern.source())))?;
        out.push(
            condition(dialect, &outline)
                .map_err(|Untranslatable(what)| Untranslatable(format!("{what} in --where {:?}", pattern.source())))?,
        );
    }
    Ok(out)
}

/// A `--where` condition tree as SQL.
fn condition(dialect: Dialect, c: &Condition) -> Sql {
    match c {
        Condition::Or(all) => {
            Ok(format!("({})", all.iter().map(|c| condition(dialect, c)).collect::<Result<Vec<_>, _>>()?.join(" OR ")))
        }
        Condition::And(all) => {
            Ok(format!("({})", all.iter().map(|c| condition(dialect, c)).collect::<Result<Vec<_>, _>>()?.join(" AND ")))
        }
        Condition::Test { path, test } => {
            let expr = path_expr(dialect, path)?;
            Ok(match test {
                Test::Equals(text) => format!("({})", like(dialect, &expr, &Glob::new(text))),
                Test::NotEquals(text) => format!("NOT coalesce({}, false)", like(dialect, &expr, &Glob::new(text))),
                Test::Number { op, value } => {
                    let number = match dialect {
                        Dialect::Spark => format!("CAST({expr} AS DOUBLE)"),
                        _ => format!("TRY_CAST({expr} AS DOUBLE)"),
                    };
                    match *op {
                        "!=" => format!("NOT coalesce({number} = {value}, false)"),
                        op => format!("{number} {op} {value}"),
                    }
                }
                Test::IsTrue => format!("{expr} = 'true'"),
                Test::IsFalse => format!("{expr} = 'false'"),
                Test::IsNull => format!("{expr} IS NULL"),
                Test::NotExists => format!("{expr} IS NULL"),
                Test::Regex(_) => return Err(Untranslatable(format!("the regular expression on {}", shown(path)))),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_become_like_with_escapes() {
        assert_eq!(like(Dialect::DuckDb, "x", &Glob::new("Get*_a")), "x LIKE 'Get%!_a' ESCAPE '!'");
        assert_eq!(like(Dialect::Spark, "x", &Glob::new("a'b")), "x = 'a''b'");
    }
}
