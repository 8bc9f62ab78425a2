//! The CREATE TABLE (or, for DuckDB, VIEW) of an export, per engine, from its manifest.

use super::{Dialect, TABLE};
use crate::manifest::Manifest;
use crate::schema::{self, Kind, Member, EVENT};

/// The statements that make the export at `location` a table named [`TABLE`].
///
/// Athena gets partition projection (the accounts and regions of the manifest as enums, its
/// months or days as a date range), so no partition is ever loaded by hand; Trino and Spark get
/// the statement that discovers the partitions; DuckDB reads the files where they lie.
pub fn ddl(dialect: Dialect, manifest: &Manifest, location: &str) -> String {
    let location = location.trim_end_matches('/');
    let period = manifest.partition_by.column();
    let mut out = String::new();
    match dialect {
        Dialect::DuckDb => {
            out.push_str(&format!(
                "CREATE OR REPLACE VIEW {TABLE} AS\nSELECT * FROM read_parquet({}, hive_partitioning = true,\n    \
                 hive_types = {{'account': VARCHAR, 'region': VARCHAR, '{period}': VARCHAR}});\n",
                dialect.string(&format!("{location}/account=*/region=*/{period}=*/*.parquet")),
            ));
        }
        Dialect::Athena | Dialect::Spark => {
            let external = if dialect == Dialect::Athena { "EXTERNAL " } else { "" };
            out.push_str(&format!("CREATE {external}TABLE IF NOT EXISTS {TABLE} (\n"));
            let mut columns: Vec<String> =
                EVENT.iter().map(|m| format!("  `{}` {}", schema::column_name(m), schema::hive_type(m.kind))).collect();
            let timestamp = if dialect == Dialect::Spark { "timestamp_ntz" } else { "timestamp" };
            columns.push(format!("  `{}` {timestamp}", schema::TIMESTAMP));
            columns.push(format!("  `{}` string", schema::EXTRA));
            if dialect == Dialect::Spark {
                columns.extend(["account", "region", period].map(|c| format!("  `{c}` string")));
            }
            out.push_str(&columns.join(",\n"));
            if dialect == Dialect::Athena {
                out.push_str(&format!(
                    "\n)\nPARTITIONED BY (`account` string, `region` string, `{period}` string)\nSTORED AS PARQUET\n\
                     LOCATION '{location}/'\n"
                ));
                out.push_str(&projection(manifest, location));
            } else {
                out.push_str(&format!(
                    "\n)\nUSING parquet\nPARTITIONED BY (`account`, `region`, `{period}`)\nLOCATION '{location}/';\n\
                     MSCK REPAIR TABLE {TABLE};\n"
                ));
            }
        }
        Dialect::Trino => {
            out.push_str(&format!("CREATE TABLE IF NOT EXISTS {TABLE} (\n"));
            let mut columns: Vec<String> =
                EVENT.iter().map(|m| format!("  {} {}", schema::column_name(m), trino_type(m.kind))).collect();
            columns.push(format!("  {} timestamp(3)", schema::TIMESTAMP));
            columns.push(format!("  \"{}\" varchar", schema::EXTRA));
            columns.extend(["account", "region", period].map(|c| format!("  \"{c}\" varchar")));
            out.push_str(&columns.join(",\n"));
            out.push_str(&format!(
                "\n)\nWITH (\n  format = 'PARQUET',\n  external_location = '{location}/',\n  \
                 partitioned_by = ARRAY['account', 'region', '{period}']\n);\n\
                 CALL system.sync_partition_metadata(CURRENT_SCHEMA, '{TABLE}', 'ADD');\n"
            ));
        }
    }
    out
}

/// Athena's TBLPROPERTIES for partition projection over the manifest's partitions.
fn projection(manifest: &Manifest, location: &str) -> String {
    let values = |pick: fn(&crate::manifest::Partition) -> &str| {
        let mut v: Vec<&str> = manifest.partitions.iter().map(pick).collect();
        v.sort_unstable();
        v.dedup();
        v.join(",")
    };
    let period = manifest.partition_by.column();
    let (format, unit) = match manifest.partition_by {
        crate::manifest::Granularity::Month => ("yyyy-MM", "MONTHS"),
        crate::manifest::Granularity::Day => ("yyyy-MM-dd", "DAYS"),
    };
    let (first, last) = manifest.period_range().unwrap_or(("NOW", "NOW"));
    format!(
        "TBLPROPERTIES (\n  'projection.enabled' = 'true',\n  \
         'projection.account.type' = 'enum',\n  'projection.account.values' = '{}',\n  \
         'projection.region.type' = 'enum',\n  'projection.region.values' = '{}',\n  \
         'projection.{period}.type' = 'date',\n  'projection.{period}.format' = '{format}',\n  \
         'projection.{period}.range' = '{first},{last}',\n  'projection.{period}.interval' = '1',\n  \
         'projection.{period}.interval.unit' = '{unit}',\n  \
         'storage.location.template' = '{location}/account=${{account}}/region=${{region}}/{period}=${{{period}}}/'\n);\n",
        values(|p| &p.account),
        values(|p| &p.region),
    )
}

/// A column's type in Trino's notation.
fn trino_type(kind: Kind) -> String {
    let members = |ms: &[Member]| {
        ms.iter().map(|m| format!("{} {}", schema::column_name(m), trino_type(m.kind))).collect::<Vec<_>>().join(", ")
    };
    match kind {
        Kind::Str | Kind::BoolText | Kind::Json => "varchar".into(),
        Kind::Struct(ms) => format!("ROW({})", members(ms)),
        Kind::List(ms) => format!("ARRAY(ROW({}))", members(ms)),
        Kind::Map => "MAP(varchar, varchar)".into(),
    }
}
