//! Counts per distinct text, kept compactly: each distinct value is stored once (its first
//! sighting allocates, later ones only hash the borrowed text), and the report shows the most
//! frequent values with the exact number of distinct ones.

use serde::Serialize;

/// Fast hashing of short texts and of digests (not exposed to untrusted collisions across runs:
/// the seed is random per process).
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type Set<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Occurrences per distinct text.
#[derive(Debug, Default)]
pub struct Counter {
    map: Map<Box<str>, u64>,
}

impl Counter {
    /// Adds `n` occurrences of `value`.
    pub fn add(&mut self, value: &str, n: u64) {
        match self.map.get_mut(value) {
            Some(count) => *count += n,
            None => {
                self.map.insert(value.into(), n);
            }
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, mut other: Counter) {
        if other.map.len() > self.map.len() {
            std::mem::swap(self, &mut other);
        }
        for (value, n) in other.map {
            *self.map.entry(value).or_default() += n;
        }
    }

    /// How many distinct values were counted.
    pub fn distinct(&self) -> u64 {
        self.map.len() as u64
    }

    /// The `n` most frequent values (ties by value), with the number of distinct values.
    pub fn top(&self, n: usize) -> Top {
        let mut rows: Vec<(&str, u64)> = self.map.iter().map(|(v, c)| (&**v, *c)).collect();
        rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let distinct = rows.len() as u64;
        rows.truncate(n);
        Top {
            distinct,
            cut: distinct > rows.len() as u64,
            rows: rows.into_iter().map(|(value, count)| Count { value: value.to_string(), count }).collect(),
        }
    }
}

/// One value and how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: String,
    pub count: u64,
}

/// The most frequent values of a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Top {
    /// How many distinct values there were (exact).
    pub distinct: u64,
    /// Whether `rows` leaves some out.
    pub cut: bool,
    /// Most frequent first.
    pub rows: Vec<Count>,
}

/// The digest of a value in the sets of distinct values (8 bytes kept, not the text).
pub(crate) fn digest(value: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_is_exact_and_says_when_cut() {
        let (mut a, mut b) = (Counter::default(), Counter::default());
        a.add("x", 1);
        a.add("y", 3);
        b.add("x", 3);
        b.add("z", 1);
        a.merge(b);
        let top = a.top(1);
        assert_eq!(top.distinct, 3);
        assert!(top.cut);
        assert_eq!(top.rows, [Count { value: "x".into(), count: 4 }]);
        assert!(!a.top(3).cut);
    }
}
