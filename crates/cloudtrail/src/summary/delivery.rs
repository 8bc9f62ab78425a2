//! Log deliveries per account and region, from the names of the files alone: when CloudTrail
//! delivered, and the hours in between with no delivery at all (logging stopped, files deleted,
//! or a quiet region: the report says which hours, the investigator judges).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::scan::Input;
use crate::tree::names::parse_log_name;

/// The gaps listed per account and region (the longest; their total is exact).
const MAX_GAPS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub account: String,
    pub region: String,
    pub files: u64,
    /// First and last delivery (to the minute, as the file names say).
    pub first: String,
    pub last: String,
    /// Whole hours from the first delivery's hour to the last's, both included.
    pub hours: u64,
    /// Of those, hours in which no file was delivered.
    pub hours_without_delivery: u64,
    /// The longest runs of hours without delivery, longest first.
    pub gaps: Vec<Gap>,
    pub gaps_cut: bool,
}

/// A run of hours without delivery: from the start of the first to the end of the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub from: String,
    pub until: String,
    pub hours: u64,
}

/// One account and region's deliveries: files, the hours (since the epoch) with a delivery, and
/// the first and last delivery (Unix seconds).
struct Delivered {
    files: u64,
    hours: BTreeSet<i64>,
    first: i64,
    last: i64,
}

/// The deliveries of the inputs whose names are CloudTrail log file names.
pub fn deliveries(inputs: &[Input]) -> Vec<DeliveryRow> {
    rows(inputs.iter().filter_map(|input| {
        let name = input.path.as_ref().and_then(|p| p.file_name())?;
        let log = parse_log_name(&name.to_string_lossy()).ok()?;
        Some((log.account, log.region, log.delivered.timestamp()))
    }))
}

/// The deliveries of log files given by the account, region and delivery time (Unix seconds)
/// their names say, one item per file.
pub fn rows(files: impl IntoIterator<Item = (String, String, i64)>) -> Vec<DeliveryRow> {
    let mut seen: BTreeMap<(String, String), Delivered> = BTreeMap::new();
    for (account, region, t) in files {
        let entry = seen.entry((account, region)).or_insert(Delivered {
            files: 0,
            hours: BTreeSet::new(),
            first: i64::MAX,
            last: i64::MIN,
        });
        entry.files += 1;
        entry.hours.insert(t.div_euclid(3600));
        entry.first = entry.first.min(t);
        entry.last = entry.last.max(t);
    }
    seen.into_iter()
        .map(|((account, region), Delivered { files, hours: delivered, first, last })| {
            let at =
                |secs: i64| chrono::DateTime::from_timestamp(secs, 0).map(crate::time::format_utc).unwrap_or_default();
            let mut gaps: Vec<Gap> = Vec::new();
            let mut missing = 0;
            let mut previous: Option<i64> = None;
            for &hour in &delivered {
                if let Some(p) = previous.filter(|&p| hour > p + 1) {
                    let n = (hour - p - 1) as u64;
                    missing += n;
                    gaps.push(Gap { from: at((p + 1) * 3600), until: at(hour * 3600), hours: n });
                }
                previous = Some(hour);
            }
            gaps.sort_by(|a, b| b.hours.cmp(&a.hours).then_with(|| a.from.cmp(&b.from)));
            let gaps_cut = gaps.len() > MAX_GAPS;
            gaps.truncate(MAX_GAPS);
            let span = (last.div_euclid(3600) - first.div_euclid(3600) + 1) as u64;
            DeliveryRow {
                account,
                region,
                files,
                first: at(first),
                last: at(last),
                hours: span,
                hours_without_delivery: missing,
                gaps,
                gaps_cut,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_without_delivery_are_counted_and_the_longest_listed() {
        let input = |name: &str| Input { path: Some(format!("x/{name}").into()), day: None };
        let inputs: Vec<Input> = [
            "111122223333_CloudTrail_us-east-1_20260101T0005Z_a.json.gz",
            "111122223333_CloudTrail_us-east-1_20260101T0055Z_b.json.gz",
            "111122223333_CloudTrail_us-east-1_20260101T0310Z_c.json.gz",
            "111122223333_CloudTrail_us-east-1_20260101T0420Z_d.json.gz",
            "not-a-log.json",
        ]
        .iter()
        .map(|n| input(n))
        .collect();
        let rows = deliveries(&inputs);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.files, row.hours, row.hours_without_delivery), (4, 5, 2));
        assert_eq!(
            row.gaps,
            [Gap { from: "2026-01-01T01:00:00Z".into(), until: "2026-01-01T03:00:00Z".into(), hours: 2 }]
        );
    }
}
