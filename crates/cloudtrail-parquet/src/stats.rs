//! What an export's statistics say about a query: whether a row group may hold a match (its
//! column statistics), and which of its rows may (the page index: each page's min, max and
//! nulls). Both are necessary conditions only: the rows they leave are tested exactly.
//!
//! The tested columns are those the writer sorts each row group by ([`crate::group`]): event
//! source and name, whose pages then each hold a narrow range of names, and the timestamp. A
//! null (an Insights event has no `eventName`; a member kept in `_extra`) may always match.

use std::ops::Range;

use cwl_filter::Glob;
use parquet::arrow::arrow_reader::RowSelection;
use parquet::file::metadata::{ParquetMetaData, RowGroupMetaData};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::statistics::Statistics;

use cloudtrail::query::Selection;

use crate::schema;

/// Whether some value in `min..=max` may match `glob`: the values starting with its literal
/// prefix (the whole glob when it has no `*`) meet that range.
fn glob_may_be_within(glob: &Glob, min: &[u8], max: &[u8]) -> bool {
    let prefix = glob.parts()[0].as_bytes();
    if glob.is_exact() {
        min <= prefix && prefix <= max
    } else {
        &min[..min.len().min(prefix.len())] <= prefix && prefix <= max
    }
}

/// Whether a time range (ms, inclusive) meets the selection's window.
fn time_may_be_within(s: &Selection, min: i64, max: i64) -> bool {
    s.since_ms.is_none_or(|since| max >= since) && s.until_ms.is_none_or(|until| min < until)
}

/// Whether a row group may hold a match, by its column statistics.
pub fn group_may_match(group: &RowGroupMetaData, s: &Selection) -> bool {
    let column =
        |name: &str| group.columns().iter().find(|c| c.column_path().string() == name).and_then(|c| c.statistics());
    if let Some(Statistics::Int64(t)) = column(schema::TIMESTAMP) {
        if let (Some(min), Some(max)) = (t.min_opt(), t.max_opt()) {
            if !time_may_be_within(s, *min, *max) {
                return false;
            }
        }
    }
    let texts = |name: &str, test: &dyn Fn(&[u8], &[u8]) -> bool| {
        let Some(Statistics::ByteArray(b)) = column(name) else { return true };
        let (Some(min), Some(max)) = (b.min_bytes_opt(), b.max_bytes_opt()) else { return true };
        b.null_count_opt() != Some(0) || test(min, max)
    };
    let globs = |globs: &[Glob], min: &[u8], max: &[u8]| globs.iter().any(|g| glob_may_be_within(g, min, max));
    let exact =
        |wanted: &[String], min: &[u8], max: &[u8]| wanted.iter().any(|w| min <= w.as_bytes() && w.as_bytes() <= max);
    (s.events.is_empty() || texts("eventname", &|min, max| globs(&s.events, min, max)))
        && (s.sources.is_empty() || texts("eventsource", &|min, max| globs(&s.sources, min, max)))
        && (s.accounts.is_empty() || texts("recipientaccountid", &|min, max| exact(&s.accounts, min, max)))
        && (s.regions.is_empty() || texts("awsregion", &|min, max| exact(&s.regions, min, max)))
}

/// The top-level columns of `roots` (indices) that may hold a value in row group `rg`: a column
/// of one leaf whose statistics count as many nulls as rows is left out. Reading it would only
/// give nulls, and a column not read decodes as those nulls do (the member absent). Never
/// empty when `roots` is not: the reader needs a column to count rows.
pub fn columns_with_values(meta: &ParquetMetaData, rg: usize, roots: &[usize]) -> Vec<usize> {
    let group = meta.row_group(rg);
    let descr = group.schema_descr();
    let all_null = |root: usize| {
        let mut leaves = (0..descr.num_columns()).filter(|&leaf| descr.get_column_root_idx(leaf) == root);
        let (Some(leaf), None) = (leaves.next(), leaves.next()) else { return false };
        group.column(leaf).statistics().and_then(Statistics::null_count_opt) == Some(group.num_rows() as u64)
    };
    let kept: Vec<usize> = roots.iter().copied().filter(|&root| !all_null(root)).collect();
    if kept.is_empty() {
        roots.iter().copied().take(1).collect()
    } else {
        kept
    }
}

/// The rows of row group `rg` that the page index leaves for the selection's event names,
/// sources and time window; `None` when it rules nothing out (or there is no page index).
pub fn page_rows(meta: &ParquetMetaData, rg: usize, s: &Selection) -> Option<RowSelection> {
    let rows = meta.row_group(rg).num_rows() as usize;
    let mut kept: Option<RowSelection> = None;
    let mut narrow = |column: &str, page_may_match: &dyn Fn(&ColumnIndexMetaData, usize) -> bool| {
        let Some(ranges) = pages_kept(meta, rg, column, rows, page_may_match) else { return };
        let selection = RowSelection::from_consecutive_ranges(ranges.into_iter(), rows);
        kept = Some(match kept.take() {
            Some(before) => before.intersection(&selection),
            None => selection,
        });
    };
    let text_page = |globs: &[Glob], index: &ColumnIndexMetaData, page: usize| {
        let ColumnIndexMetaData::BYTE_ARRAY(index) = index else { return true };
        if index.null_count(page) != Some(0) {
            return true;
        }
        let (Some(min), Some(max)) = (index.min_value(page), index.max_value(page)) else { return true };
        globs.iter().any(|g| glob_may_be_within(g, min, max))
    };
    if !s.events.is_empty() {
        narrow("eventname", &|index, page| text_page(&s.events, index, page));
    }
    if !s.sources.is_empty() {
        narrow("eventsource", &|index, page| text_page(&s.sources, index, page));
    }
    if s.since_ms.is_some() || s.until_ms.is_some() {
        narrow(schema::TIMESTAMP, &|index, page| {
            let ColumnIndexMetaData::INT64(index) = index else { return true };
            if index.null_count(page) != Some(0) {
                return true;
            }
            let (Some(min), Some(max)) = (index.min_value(page), index.max_value(page)) else { return true };
            time_may_be_within(s, *min, *max)
        });
    }
    kept
}

/// The row ranges of the pages of `column` in row group `rg` that `page_may_match` keeps;
/// `None` without a page index for it.
fn pages_kept(
    meta: &ParquetMetaData,
    rg: usize,
    column: &str,
    rows: usize,
    page_may_match: &dyn Fn(&ColumnIndexMetaData, usize) -> bool,
) -> Option<Vec<Range<usize>>> {
    let at = meta.file_metadata().schema_descr().columns().iter().position(|c| c.path().string() == column)?;
    let index = meta.column_index()?.get(rg)?.get(at)?;
    let pages = meta.offset_index()?.get(rg)?.get(at)?.page_locations();
    if matches!(index, ColumnIndexMetaData::NONE) || index.num_pages() as usize != pages.len() {
        return None;
    }
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (page, location) in pages.iter().enumerate() {
        if !page_may_match(index, page) {
            continue;
        }
        let start = location.first_row_index as usize;
        let end = pages.get(page + 1).map_or(rows, |next| next.first_row_index as usize);
        match ranges.last_mut() {
            Some(last) if last.end == start => last.end = end,
            _ => ranges.push(start..end),
        }
    }
    Some(ranges)
}

/// The row numbers a selection selects, ascending.
pub fn selected_rows(selection: &RowSelection) -> Vec<usize> {
    let mut rows = Vec::new();
    let mut at = 0;
    for selector in selection.iter() {
        if !selector.skip {
            rows.extend(at..at + selector.row_count);
        }
        at += selector.row_count;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glob_may_match_within_a_range_when_its_prefix_meets_it() {
        let exact = Glob::new("StopLogging");
        assert!(glob_may_be_within(&exact, b"PutObject", b"StopLogging"));
        assert!(!glob_may_be_within(&exact, b"StopLoggingX", b"Z"));
        assert!(!glob_may_be_within(&exact, b"A", b"StartLogging"));
        let prefix = Glob::new("Stop*");
        assert!(glob_may_be_within(&prefix, b"StopA", b"Z"), "min shares the prefix");
        assert!(glob_may_be_within(&prefix, b"A", b"Stop"));
        assert!(!glob_may_be_within(&prefix, b"Stoq", b"Z"));
        assert!(!glob_may_be_within(&prefix, b"A", b"Stoo"));
        assert!(glob_may_be_within(&Glob::new("*Logging"), b"A", b"B"), "no prefix: anything");
    }
}
