//! Tables made for reading: one line per row, column widths from the content, and long values
//! cut with an ellipsis so that the table fits the terminal (the full values are in jsonl/csv).

use comfy_table::{presets, ContentArrangement, Table};

/// The width assumed when a terminal does not report one (or reports 0 columns).
pub const FALLBACK_WIDTH: usize = 80;

/// The narrowest a column is cut to: enough for a short value or a recognizable prefix.
const MIN_COLUMN: usize = 8;

/// The terminal's width in columns, or [`FALLBACK_WIDTH`] when it reports none.
pub fn terminal_width() -> usize {
    match terminal_size::terminal_size() {
        Some((terminal_size::Width(w), _)) if w > 0 => usize::from(w),
        _ => FALLBACK_WIDTH,
    }
}

/// How a table meets the width it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Every value whole, however wide (to a pipe or file).
    Natural,
    /// Columns narrowed (long ones first) to this width, long values cut with `…`.
    Cut(usize),
    /// This width, long values wrapped within their cells (`--wide`).
    Wrap(usize),
}

/// Draws `rows` under `columns`, fitted as `fit` says.
pub fn render(columns: &[String], mut rows: Vec<Vec<String>>, fit: Fit) -> String {
    let mut header = columns.to_vec();
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    if let Fit::Wrap(width) = fit {
        table.set_content_arrangement(ContentArrangement::Dynamic).set_width(u16::try_from(width).unwrap_or(u16::MAX));
    }
    if let Fit::Cut(width) = fit {
        let widths = column_widths(&natural_widths(columns, &rows), width);
        for row in rows.iter_mut().chain(std::iter::once(&mut header)) {
            for (cell, &w) in row.iter_mut().zip(&widths) {
                truncate(cell, w);
            }
        }
    }
    table.set_header(header);
    for row in rows {
        table.add_row(row);
    }
    table.to_string()
}

/// Each column's widest value or header, in characters.
fn natural_widths(columns: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter().filter_map(|r| r.get(i)).map(|v| v.chars().count()).fold(c.chars().count(), usize::max)
        })
        .collect()
}

/// Values up to this many characters (times, names, addresses, codes) are cut only when cutting
/// the longer ones (ARNs, user agents) is not enough.
const SHORT: usize = 24;

/// Column widths that fit `total` columns of terminal: the borders and padding take 3 per column
/// plus 1. Long columns give way first, widest first; short ones only when the long ones are
/// down to [`MIN_COLUMN`]; no column is cut below [`MIN_COLUMN`].
fn column_widths(natural: &[usize], total: usize) -> Vec<usize> {
    let budget = total.saturating_sub(3 * natural.len() + 1);
    let short: usize = natural.iter().filter(|&&w| w <= SHORT).sum();
    let long: Vec<usize> = natural.iter().map(|&w| if w > SHORT { w } else { 0 }).collect();
    if let Some(long) = water_fill(&long, budget.saturating_sub(short)) {
        return natural.iter().zip(long).map(|(&n, l)| if n > SHORT { l } else { n }).collect();
    }
    water_fill(natural, budget).unwrap_or_else(|| natural.iter().map(|&w| w.min(MIN_COLUMN)).collect())
}

/// Widths no wider than `natural` summing to at most `budget`, cutting the widest first and none
/// below [`MIN_COLUMN`] (zero-width entries stay zero); `None` when even that does not fit.
fn water_fill(natural: &[usize], budget: usize) -> Option<Vec<usize>> {
    let at = |cap: usize| -> Vec<usize> { natural.iter().map(|&w| w.min(cap)).collect() };
    let mut cap = natural.iter().copied().max().unwrap_or(0);
    while at(cap).iter().sum::<usize>() > budget {
        if cap <= MIN_COLUMN {
            return None;
        }
        cap -= 1;
    }
    Some(at(cap))
}

/// Cuts `text` to `width` characters with an ellipsis where it was cut: in the middle for ARNs
/// and paths (`arn:aws:iam::1…:role/Admin/alice`, whose end names who), at the end otherwise.
fn truncate(text: &mut String, width: usize) {
    let count = text.chars().count();
    if count <= width {
        return;
    }
    let keep = width.saturating_sub(1);
    let head = if text.contains([':', '/']) { keep / 3 } else { keep };
    let tail = keep - head;
    let cut: String =
        text.chars().take(head).chain(std::iter::once('…')).chain(text.chars().skip(count - tail)).collect();
    *text = cut;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<String> {
        ["eventTime", "eventName", "userIdentity.arn"].map(String::from).to_vec()
    }

    fn rows() -> Vec<Vec<String>> {
        vec![vec![
            "2026-01-01T00:00:00Z".to_string(),
            "ConsoleLogin".to_string(),
            "arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/alice@example.com".to_string(),
        ]]
    }

    #[test]
    fn every_line_fits_and_each_row_is_one_line() {
        for width in [80, 120, 60] {
            let table = render(&columns(), rows(), Fit::Cut(width));
            assert!(table.lines().all(|l| l.chars().count() <= width), "{width}:\n{table}");
            assert_eq!(table.lines().count(), 5, "borders, header, rule, one row, border:\n{table}");
            assert!(table.contains("2026-01-01T00:00:00Z"), "short columns are kept whole:\n{table}");
        }
        assert!(render(&columns(), rows(), Fit::Cut(80)).contains('…'));
    }

    #[test]
    fn a_zero_width_terminal_falls_back_instead_of_one_character_columns() {
        let widths = column_widths(&[20, 12, 80], 0);
        assert!(widths.iter().all(|&w| w >= MIN_COLUMN), "{widths:?}");
    }

    #[test]
    fn without_a_width_nothing_is_cut_and_wide_wraps() {
        let table = render(&columns(), rows(), Fit::Natural);
        assert!(table.contains("alice@example.com") && !table.contains('…'));
        let wrapped = render(&columns(), rows(), Fit::Wrap(60));
        assert!(wrapped.lines().all(|l| l.chars().count() <= 60), "{wrapped}");
        assert!(!wrapped.contains('…') && wrapped.lines().count() > 5, "wrapped, not cut:\n{wrapped}");
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        let cut = |text: &str, width| {
            let mut text = text.to_string();
            truncate(&mut text, width);
            text
        };
        assert_eq!(cut("ééééé", 3), "éé…");
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("arn:aws:iam::123456789012:user/alice", 16), "arn:a…user/alice");
    }
}
