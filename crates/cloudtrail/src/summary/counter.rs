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

/// Occurrences per source address: IPv4 addresses kept as 4 bytes (no allocation: a dump can hold
/// hundreds of thousands), anything else (IPv6, a service name, `AWS Internal`) as text. An
/// address reads back exactly as written (an IPv4 address with leading zeros does not parse and
/// stays text).
#[derive(Debug, Default)]
pub struct Addresses {
    v4: Map<u32, u64>,
    other: Counter,
}

impl Addresses {
    pub fn add(&mut self, value: &str) {
        match value.parse::<std::net::Ipv4Addr>() {
            Ok(ip) => *self.v4.entry(u32::from(ip)).or_default() += 1,
            Err(_) => self.other.add(value, 1),
        }
    }

    pub fn merge(&mut self, mut o: Addresses) {
        if o.v4.len() > self.v4.len() {
            std::mem::swap(&mut self.v4, &mut o.v4);
        }
        for (ip, n) in o.v4 {
            *self.v4.entry(ip).or_default() += n;
        }
        self.other.merge(o.other);
    }

    /// The `n` most frequent addresses, as [`Counter::top`].
    pub fn top(&self, n: usize) -> Top {
        let mut all = Counter::default();
        for (ip, count) in &self.v4 {
            all.add(&std::net::Ipv4Addr::from(*ip).to_string(), *count);
        }
        for (value, count) in &self.other.map {
            all.add(value, *count);
        }
        all.top(n)
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

    #[test]
    fn addresses_read_back_as_written() {
        let mut a = Addresses::default();
        for ip in ["10.0.0.1", "10.0.0.1", "2001:db8::1", "ec2.amazonaws.com", "010.0.0.1"] {
            a.add(ip);
        }
        let top = a.top(10);
        assert_eq!(top.distinct, 4);
        assert_eq!(top.rows[0], Count { value: "10.0.0.1".into(), count: 2 });
        assert!(top.rows.iter().any(|r| r.value == "010.0.0.1"));
    }
}
