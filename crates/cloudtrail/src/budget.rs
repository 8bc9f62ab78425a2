//! One memory budget for the file bytes that all workers of a scan hold at once.
//!
//! A file is read whole (gzip inflated into one buffer) because that is what reaches the speed
//! of inflation; the budget is what keeps that safe. Half of it is divided among the workers:
//! each may hold up to its *allowance* without asking anyone. The other half is the *lane*,
//! lent to one worker at a time: a worker whose file needs more than its allowance waits for
//! the lane, and while it holds the lane it never waits for anything else, so the scan cannot
//! deadlock. The bytes held by all workers together therefore stay under the budget whatever
//! the files are (a decompression bomb in every worker costs one lane, not one lane each), and a
//! file needing more than allowance + lane is refused as too large.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// The process-wide budget; shared by the workers through [`Share`]s.
#[derive(Debug)]
pub struct Budget {
    allowance: usize,
    lane: usize,
    lane_busy: Mutex<bool>,
    lane_freed: Condvar,
}

impl Budget {
    /// A budget of `total` bytes for `workers` workers (at least one).
    pub fn new(total: usize, workers: usize) -> Arc<Budget> {
        let half = total / 2;
        Arc::new(Budget {
            allowance: half / workers.max(1),
            lane: total - half,
            lane_busy: Mutex::new(false),
            lane_freed: Condvar::new(),
        })
    }

    /// What one worker may hold without taking the lane.
    pub fn allowance(&self) -> usize {
        self.allowance
    }

    /// The most one worker may ever hold: its allowance and the lane.
    pub fn largest(&self) -> usize {
        self.allowance + self.lane
    }

    fn enter_lane(&self) {
        let mut busy = self.lane_busy.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy {
            busy = self.lane_freed.wait(busy).unwrap_or_else(PoisonError::into_inner);
        }
        *busy = true;
    }

    fn leave_lane(&self) {
        *self.lane_busy.lock().unwrap_or_else(PoisonError::into_inner) = false;
        self.lane_freed.notify_one();
    }
}

/// One worker's share of a [`Budget`]: it says what it is about to hold, and what it holds again
/// after shrinking its buffers.
#[derive(Debug)]
pub struct Share {
    budget: Arc<Budget>,
    in_lane: bool,
}

impl Share {
    pub fn new(budget: Arc<Budget>) -> Share {
        Share { budget, in_lane: false }
    }

    /// Called before the worker grows what it holds to `bytes` in all. Within the allowance it
    /// returns at once; above it the worker waits for the lane. `false` when `bytes` is more
    /// than a worker may ever hold ([`Budget::largest`]): the worker must not grow.
    pub fn grow_to(&mut self, bytes: usize) -> bool {
        if bytes > self.budget.largest() {
            return false;
        }
        if bytes > self.budget.allowance && !self.in_lane {
            self.budget.enter_lane();
            self.in_lane = true;
        }
        true
    }

    /// Called when the worker holds `bytes` in all again: it leaves the lane once that is
    /// within its allowance.
    pub fn settle(&mut self, bytes: usize) {
        if self.in_lane && bytes <= self.budget.allowance {
            self.budget.leave_lane();
            self.in_lane = false;
        }
    }

    /// What the worker may hold without the lane.
    pub fn allowance(&self) -> usize {
        self.budget.allowance
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.settle(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn splits_the_budget_into_allowances_and_a_lane() {
        let budget = Budget::new(1000, 4);
        assert_eq!(budget.allowance(), 125);
        assert_eq!(budget.largest(), 625);
        let mut share = Share::new(budget);
        assert!(share.grow_to(125));
        assert!(!share.in_lane);
        assert!(share.grow_to(600));
        assert!(share.in_lane);
        assert!(!share.grow_to(626), "more than allowance + lane is refused");
        share.settle(100);
        assert!(!share.in_lane);
    }

    #[test]
    fn one_worker_at_a_time_holds_the_lane() {
        let budget = Budget::new(1 << 20, 8);
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let mut share = Share::new(budget.clone());
                    for _ in 0..50 {
                        assert!(share.grow_to(300 << 10));
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        share.settle(0);
                    }
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn dropping_a_share_frees_the_lane() {
        let budget = Budget::new(1000, 2);
        let mut first = Share::new(budget.clone());
        assert!(first.grow_to(400));
        drop(first);
        let mut second = Share::new(budget);
        assert!(second.grow_to(400), "would wait forever if the lane were still held");
    }
}
