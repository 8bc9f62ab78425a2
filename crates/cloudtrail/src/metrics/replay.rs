//! Replaying metric filters over scanned records: a [`crate::scan::Visitor`] that feeds each
//! record, as CloudWatch Logs would have received it, to an [`Accumulator`].

use crate::dedup::Seen;
use crate::record::{self, EventView, Refusal};
use crate::scan::Visitor;

use super::{Accumulator, MetricSet};

/// CloudTrail does not send events larger than 256 KB to CloudWatch Logs, so no metric filter
/// ever saw them: they are left out and counted.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// What a replay collects: the metric datapoints and the events it had to leave out.
#[derive(Debug, Clone, Default)]
pub struct Replayed {
    pub acc: Accumulator,
    /// Events larger than [`MAX_EVENT_BYTES`].
    pub oversize: u64,
    /// Events outside `--since`/`--until`.
    pub outside_window: u64,
}

/// Replays `defs` over every record, bucketing by `eventTime` into periods of `period_secs`.
pub struct Replay<'a> {
    pub set: &'a MetricSet,
    pub period_secs: i64,
    /// Only events at or after this time (Unix ms).
    pub since_ms: Option<i64>,
    /// Only events before this time (Unix ms).
    pub until_ms: Option<i64>,
    /// When given, an event already replayed (a copy delivered twice) is replayed once.
    pub seen: Option<&'a Seen>,
}

impl Visitor for Replay<'_> {
    type Acc = Replayed;

    fn new_acc(&self) -> Replayed {
        Replayed { acc: Accumulator::new(self.set.defs.len()), ..Replayed::default() }
    }

    fn file_may_match(&self, data: &[u8]) -> bool {
        self.set.may_concern(data)
    }

    /// Every record CloudWatch Logs would have received is checked against the JSON contract
    /// ([`record::check_json`]) before any filter sees it; one that fails is reported, not replayed.
    fn record(&self, acc: &mut Replayed, _file: usize, _ordinal: u64, raw: &[u8]) -> Result<(), Refusal> {
        let text = record::event_text(raw);
        if text.len() > MAX_EVENT_BYTES {
            acc.oversize += 1;
            return Ok(());
        }
        // Every valid record is a log event, as in CloudWatch Logs (CloudTrail's or not).
        record::check_json(raw)?;
        let view = EventView::parse(raw)?;
        if self.seen.is_some_and(|seen| !seen.first_sighting(raw)) {
            return Ok(());
        }
        let time_ms = || view.event_time_ms();
        if self.since_ms.is_some() || self.until_ms.is_some() {
            let t = time_ms();
            let inside = t.is_some_and(|t| self.since_ms.is_none_or(|s| t >= s) && self.until_ms.is_none_or(|u| t < u));
            if !inside {
                acc.outside_window += 1;
                return Ok(());
            }
            acc.acc.observe(self.set, &text, || t, self.period_secs);
        } else {
            acc.acc.observe(self.set, &text, time_ms, self.period_secs);
        }
        Ok(())
    }

    fn merge(&self, a: Replayed, b: Replayed) -> Replayed {
        Replayed {
            acc: a.acc.merge(b.acc),
            oversize: a.oversize + b.oversize,
            outside_window: a.outside_window + b.outside_window,
        }
    }
}
