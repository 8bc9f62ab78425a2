//! Metric filters replayed over events: definitions (one pattern, one value, up to three
//! dimensions), the built-in CIS set, `describe-metric-filters` input, aggregation into
//! periods, and alarm evaluation.
//!
//! Decisions on the spec's open points (`docs/filter-patterns.md` §7):
//! datapoints are timestamped with the record's `eventTime` (A19); a `defaultValue` is emitted
//! once per non-matching event (A17, the API's wording), so `sample_count` counts every event
//! and the average of a 1/0 metric is the match rate; a matching event whose value or dimension
//! cannot be extracted publishes nothing and is counted as unextractable (A18).

pub mod cis;
pub mod replay;

use std::collections::HashMap;

use serde_json::Value;

use cwl_filter::{Pattern, PatternError, Selector};

/// What a matching event publishes.
#[derive(Debug, Clone)]
pub enum MetricValue {
    Constant(f64),
    Field(Selector),
}

/// One metric filter, compiled.
#[derive(Debug, Clone)]
pub struct MetricDef {
    pub name: String,
    pub namespace: Option<String>,
    pub pattern: Pattern,
    pub value: MetricValue,
    pub default_value: Option<f64>,
    pub dimensions: Vec<(String, Selector)>,
    /// Where the definition came from (a file and filter name, or the benchmark control).
    pub origin: String,
}

/// Why a metric definition was rejected.
///
/// Errors that wrap another one name it as their `source()` and leave it out of their own
/// message, so that a printer of the chain (`{:#}` with anyhow) says it once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DefError {
    #[error("metric {metric}")]
    Pattern { metric: String, source: PatternError },
    #[error("metric {metric}: value {value:?} is neither a number nor a $.field / $name selector")]
    Value { metric: String, value: String },
    #[error("metric {metric}: {reason}")]
    Dimension { metric: String, reason: String },
    #[error("metric {metric}: a default value cannot be combined with dimensions (as in CloudWatch)")]
    DefaultWithDimensions { metric: String },
    #[error("not a describe-metric-filters document: {0}")]
    Document(String),
}

impl MetricDef {
    /// Builds a definition the way `PutMetricFilter` would accept it.
    pub fn new(
        name: &str,
        pattern: &str,
        value: &str,
        default_value: Option<f64>,
        dimensions: &[(String, String)],
        origin: &str,
    ) -> Result<MetricDef, DefError> {
        let metric = name.to_string();
        let pattern = Pattern::parse(pattern).map_err(|source| DefError::Pattern { metric: metric.clone(), source })?;
        let value = match value.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => MetricValue::Constant(n),
            _ => {
                let selector = Selector::parse(value.trim())
                    .map_err(|_| DefError::Value { metric: metric.clone(), value: value.to_string() })?;
                if !pattern.can_extract(&selector) {
                    return Err(DefError::Value { metric, value: value.to_string() });
                }
                MetricValue::Field(selector)
            }
        };
        if dimensions.len() > 3 {
            return Err(DefError::Dimension { metric, reason: "at most 3 dimensions".into() });
        }
        if default_value.is_some() && !dimensions.is_empty() {
            return Err(DefError::DefaultWithDimensions { metric });
        }
        let mut dims = Vec::with_capacity(dimensions.len());
        for (key, selector) in dimensions {
            let parsed = Selector::parse(selector).ok().filter(|s| pattern.can_extract(s)).ok_or_else(|| {
                DefError::Dimension {
                    metric: metric.clone(),
                    reason: format!("dimension {key}={selector}: not a selector this pattern can extract"),
                }
            })?;
            dims.push((key.clone(), parsed));
        }
        Ok(MetricDef {
            name: metric,
            namespace: None,
            pattern,
            value,
            default_value,
            dimensions: dims,
            origin: origin.to_string(),
        })
    }

    /// The built-in CIS AWS Foundations Benchmark v5.0.0 set, value 1 per match.
    pub fn cis() -> Vec<MetricDef> {
        cis::FILTERS
            .iter()
            .map(|f| {
                let origin = format!("{} {}", cis::BENCHMARK, f.control);
                MetricDef::new(f.metric, f.pattern, "1", None, &[], &origin)
                    .expect("the built-in CIS patterns are valid (tested)")
            })
            .collect()
    }

    /// Reads the output of `aws logs describe-metric-filters` (`{"metricFilters": [...]}`, or the
    /// bare list). Every transformation of every filter becomes one metric.
    pub fn from_describe_metric_filters(text: &str, origin: &str) -> Result<Vec<MetricDef>, DefError> {
        let doc: Value = serde_json::from_str(text).map_err(|e| DefError::Document(e.to_string()))?;
        let filters = doc
            .get("metricFilters")
            .and_then(Value::as_array)
            .or_else(|| doc.as_array())
            .ok_or_else(|| DefError::Document("no metricFilters list".into()))?;
        let mut defs = Vec::new();
        for filter in filters {
            let filter_name = filter.get("filterName").and_then(Value::as_str).unwrap_or("(unnamed)");
            let pattern = filter.get("filterPattern").and_then(Value::as_str).unwrap_or("");
            let transformations = filter
                .get("metricTransformations")
                .and_then(Value::as_array)
                .ok_or_else(|| DefError::Document(format!("filter {filter_name} has no metricTransformations")))?;
            for t in transformations {
                let name = t.get("metricName").and_then(Value::as_str).unwrap_or(filter_name);
                let value = match t.get("metricValue") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => "1".to_string(),
                };
                let default_value = t.get("defaultValue").and_then(Value::as_f64);
                let dimensions: Vec<(String, String)> = t
                    .get("dimensions")
                    .and_then(Value::as_object)
                    .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                    .unwrap_or_default();
                let mut def = MetricDef::new(
                    name,
                    pattern,
                    &value,
                    default_value,
                    &dimensions,
                    &format!("{origin}: {filter_name}"),
                )?;
                def.namespace = t.get("metricNamespace").and_then(Value::as_str).map(str::to_string);
                defs.push(def);
            }
        }
        Ok(defs)
    }
}

/// The metric filters of one run.
///
/// Each event is screened by each pattern's own byte prefilter before it is evaluated. (One
/// Aho-Corasick pass over the needles of the whole CIS set measured 15% slower than fifteen
/// prefilter scans on generated CloudTrail events: `benches/filter.rs`.)
#[derive(Debug, Clone)]
pub struct MetricSet {
    pub defs: Vec<MetricDef>,
    /// Whether some metric publishes a default value (then every event counts).
    defaults: bool,
    /// Whether some pattern has no file-level prefilter (then every file must be read).
    unscreened: bool,
}

impl MetricSet {
    pub fn new(defs: Vec<MetricDef>) -> MetricSet {
        let defaults = defs.iter().any(|d| d.default_value.is_some());
        let unscreened = defs.iter().any(|d| crate::record::file_screen(&d.pattern).is_none());
        MetricSet { defs, defaults, unscreened }
    }

    /// Whether something in `bytes` (e.g. a whole file) may concern a metric.
    pub fn may_concern(&self, bytes: &[u8]) -> bool {
        self.defaults
            || self.unscreened
            || self.defs.iter().any(|d| crate::record::file_screen(&d.pattern).is_some_and(|p| p.may_match(bytes)))
    }
}

/// Sum, count, min and max of the values published in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatisticSet {
    pub sum: f64,
    pub sample_count: u64,
    pub min: f64,
    pub max: f64,
}

impl StatisticSet {
    fn one(v: f64) -> StatisticSet {
        StatisticSet { sum: v, sample_count: 1, min: v, max: v }
    }

    fn add(&mut self, v: f64) {
        self.sum += v;
        self.sample_count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    fn merge(&mut self, other: &StatisticSet) {
        self.sum += other.sum;
        self.sample_count += other.sample_count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

/// Identifies one datapoint: metric index, period start (Unix seconds), dimension values.
pub type PointKey = (usize, i64, Vec<String>);

/// Per-thread aggregation of metric values; merged with [`Accumulator::merge`].
#[derive(Debug, Default, Clone)]
pub struct Accumulator {
    pub points: HashMap<PointKey, StatisticSet>,
    /// Matches per metric.
    pub matches: Vec<u64>,
    /// Matching events whose value or a dimension could not be extracted, per metric.
    pub unextractable: Vec<u64>,
    /// Events that match (or publish a default value) but have no usable `eventTime`: they
    /// count as matches but cannot be placed in a period.
    pub untimed: u64,
}

impl Accumulator {
    pub fn new(metrics: usize) -> Accumulator {
        Accumulator { matches: vec![0; metrics], unextractable: vec![0; metrics], ..Accumulator::default() }
    }

    /// Offers one event to every metric: its message text, and its `eventTime` in Unix
    /// milliseconds (asked for only when some metric publishes a value for the event).
    pub fn observe(
        &mut self,
        set: &MetricSet,
        message: &[u8],
        time_ms: impl FnOnce() -> Option<i64>,
        period_secs: i64,
    ) {
        let mut time_ms = Some(time_ms);
        let mut period: Option<Option<i64>> = None;
        for (index, def) in set.defs.iter().enumerate() {
            let matched = def.pattern.matches_prefiltered(message);
            if matched {
                // A match counts even when the event cannot be placed in a period.
                self.matches[index] += 1;
            } else if def.default_value.is_none() {
                continue;
            }
            let period = *period.get_or_insert_with(|| {
                let ms = time_ms.take().and_then(|f| f())?;
                let secs = ms.div_euclid(1000);
                Some(secs - secs.rem_euclid(period_secs))
            });
            let Some(period) = period else { continue };
            match (matched, def.default_value) {
                (true, _) => self.record_match(index, def, message, period),
                (false, Some(default)) => self.record((index, period, Vec::new()), default),
                (false, None) => {}
            }
        }
        if period == Some(None) {
            self.untimed += 1;
        }
    }

    /// Records the value and dimensions a matching event publishes in `period`.
    fn record_match(&mut self, index: usize, def: &MetricDef, message: &[u8], period: i64) {
        let value = match &def.value {
            MetricValue::Constant(v) => Some(*v),
            MetricValue::Field(selector) => def.pattern.extract(message, selector).and_then(|v| v.as_f64()),
        };
        let dims: Option<Vec<String>> = def
            .dimensions
            .iter()
            .map(|(_, s)| def.pattern.extract(message, s).map(|v| v.as_text().into_owned()))
            .collect();
        match (value, dims) {
            (Some(v), Some(dims)) => self.record((index, period, dims), v),
            _ => self.unextractable[index] += 1,
        }
    }

    fn record(&mut self, key: PointKey, v: f64) {
        match self.points.get_mut(&key) {
            Some(stats) => stats.add(v),
            None => {
                self.points.insert(key, StatisticSet::one(v));
            }
        }
    }

    pub fn merge(mut self, other: Accumulator) -> Accumulator {
        for (key, stats) in other.points {
            match self.points.get_mut(&key) {
                Some(s) => s.merge(&stats),
                None => {
                    self.points.insert(key, stats);
                }
            }
        }
        for (a, b) in self.matches.iter_mut().zip(other.matches) {
            *a += b;
        }
        for (a, b) in self.unextractable.iter_mut().zip(other.unextractable) {
            *a += b;
        }
        self.untimed += other.untimed;
        self
    }

    /// Datapoints sorted by metric, dimensions, then period.
    pub fn datapoints(&self) -> Vec<(&PointKey, &StatisticSet)> {
        let mut points: Vec<_> = self.points.iter().collect();
        points.sort_by(|a, b| (a.0 .0, &a.0 .2, a.0 .1).cmp(&(b.0 .0, &b.0 .2, b.0 .1)));
        points
    }
}

/// An alarm's comparison of a period's Sum with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    GreaterOrEqual,
    Greater,
    LessOrEqual,
    Less,
}

impl Comparison {
    /// Parses `>=`, `>`, `<=`, `<` or CloudWatch's names (`GreaterThanOrEqualToThreshold`, ...).
    pub fn parse(s: &str) -> Option<Comparison> {
        Some(match s.trim() {
            ">=" | "GreaterThanOrEqualToThreshold" => Comparison::GreaterOrEqual,
            ">" | "GreaterThanThreshold" => Comparison::Greater,
            "<=" | "LessThanOrEqualToThreshold" => Comparison::LessOrEqual,
            "<" | "LessThanThreshold" => Comparison::Less,
            _ => return None,
        })
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::Greater => value > threshold,
            Comparison::LessOrEqual => value <= threshold,
            Comparison::Less => value < threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN_FAIL: &[u8] = br#"{"eventName":"ConsoleLogin","eventTime":"2026-01-01T00:01:00Z","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}}"#;

    #[test]
    fn every_cis_pattern_compiles() {
        assert_eq!(MetricDef::cis().len(), 15);
    }

    #[test]
    fn aggregates_into_periods_with_default_values() {
        let fail = r#"{ $.errorMessage = "Failed authentication" }"#;
        let defs = MetricSet::new(vec![MetricDef::new("fail", fail, "1", Some(0.0), &[], "t").unwrap()]);
        let mut acc = Accumulator::new(1);
        acc.observe(&defs, LOGIN_FAIL, || Some(60_000), 300);
        acc.observe(&defs, LOGIN_FAIL, || Some(120_000), 300);
        acc.observe(&defs, br#"{"eventName":"Other"}"#, || Some(400_000), 300);
        let points = acc.datapoints();
        assert_eq!(points.len(), 2);
        assert_eq!(*points[0].1, StatisticSet { sum: 2.0, sample_count: 2, min: 1.0, max: 1.0 });
        assert_eq!(points[1].0 .1, 300);
        assert_eq!(*points[1].1, StatisticSet { sum: 0.0, sample_count: 1, min: 0.0, max: 0.0 });
    }

    #[test]
    fn a_match_without_event_time_counts_but_lands_in_no_period() {
        let any = MetricSet::new(vec![
            MetricDef::new("login", r#"{ $.eventName = "ConsoleLogin" }"#, "1", None, &[], "t").unwrap(),
            MetricDef::new("fail", r#"{ $.errorMessage = "Failed*" }"#, "1", None, &[], "t").unwrap(),
        ]);
        let mut acc = Accumulator::new(2);
        acc.observe(&any, LOGIN_FAIL, || None, 300);
        assert_eq!(acc.matches, [1, 1]);
        assert_eq!(acc.untimed, 1, "one event, however many metrics it matches");
        assert!(acc.datapoints().is_empty());
    }

    #[test]
    fn values_and_dimensions_come_from_selectors() {
        let dims = [("event".to_string(), "$.eventName".to_string())];
        let defs =
            MetricSet::new(vec![MetricDef::new("bytes", r#"{ $.bytes > 0 }"#, "$.bytes", None, &dims, "t").unwrap()]);
        let mut acc = Accumulator::new(1);
        acc.observe(&defs, br#"{"eventName":"Get","bytes":10}"#, || Some(0), 60);
        acc.observe(&defs, br#"{"eventName":"Get","bytes":5}"#, || Some(1000), 60);
        let points = acc.datapoints();
        assert_eq!(points[0].0 .2, ["Get"]);
        assert_eq!(*points[0].1, StatisticSet { sum: 15.0, sample_count: 2, min: 5.0, max: 10.0 });
    }

    #[test]
    fn invalid_definitions_are_rejected() {
        assert!(matches!(MetricDef::new("m", "{ $.a = ", "1", None, &[], "t"), Err(DefError::Pattern { .. })));
        assert!(matches!(MetricDef::new("m", "ERROR", "$.a", None, &[], "t"), Err(DefError::Value { .. })));
        let dims = [("d".to_string(), "$.a".to_string())];
        assert!(matches!(
            MetricDef::new("m", "{ $.a = 1 }", "1", Some(0.0), &dims, "t"),
            Err(DefError::DefaultWithDimensions { .. })
        ));
    }

    #[test]
    fn reads_describe_metric_filters_output() {
        let text = r#"{"metricFilters":[{"filterName":"f","filterPattern":"{ $.errorCode = \"AccessDenied\" }",
            "metricTransformations":[{"metricName":"Denied","metricNamespace":"Sec","metricValue":"1","defaultValue":0}],
            "logGroupName":"g"}]}"#;
        let defs = MetricDef::from_describe_metric_filters(text, "filters.json").unwrap();
        assert_eq!(defs[0].name, "Denied");
        assert_eq!(defs[0].namespace.as_deref(), Some("Sec"));
        assert_eq!(defs[0].default_value, Some(0.0));
    }

    #[test]
    fn comparisons() {
        assert!(Comparison::parse(">=").unwrap().holds(1.0, 1.0));
        assert!(!Comparison::parse("GreaterThanThreshold").unwrap().holds(1.0, 1.0));
        assert!(Comparison::parse("=").is_none());
    }
}
