//! What a rule says about itself: title, id, level, status, tags, references, and the choice
//! of rules by them (`--min-level`, `--status`, `--tags`, `--exclude-tags`).

use std::path::PathBuf;

use yaml_rust2::Yaml;

/// Severity, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const ALL: [Level; 5] = [Level::Informational, Level::Low, Level::Medium, Level::High, Level::Critical];

    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name().eq_ignore_ascii_case(text.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

/// A rule's metadata.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    pub id: Option<String>,
    /// The `name` a correlation may refer to the rule by.
    pub name: Option<String>,
    pub status: Option<String>,
    pub level: Option<Level>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub author: Option<String>,
    /// The file the rule was read from.
    pub file: PathBuf,
}

fn text(doc: &Yaml, key: &str) -> Option<String> {
    match &doc[key] {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

fn list(doc: &Yaml, key: &str) -> Vec<String> {
    match &doc[key] {
        Yaml::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

impl Meta {
    /// Reads the metadata of a rule document (the title is required by the caller).
    pub fn read(doc: &Yaml, file: &std::path::Path) -> Meta {
        Meta {
            title: text(doc, "title").unwrap_or_default(),
            id: text(doc, "id"),
            name: text(doc, "name"),
            status: text(doc, "status"),
            level: text(doc, "level").as_deref().and_then(Level::parse),
            tags: list(doc, "tags"),
            references: list(doc, "references"),
            author: text(doc, "author"),
            file: file.to_path_buf(),
        }
    }

    /// Whether `reference` (from a correlation or filter) names this rule: its id, its name,
    /// or (as Suzaku's rules do) its title.
    pub fn answers_to(&self, reference: &str) -> bool {
        self.id.as_deref() == Some(reference) || self.name.as_deref() == Some(reference) || self.title == reference
    }
}

/// Which rules to run, by their metadata.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// Rules below this level are left out (a rule without a level counts as informational).
    pub min_level: Option<Level>,
    /// Only rules with one of these statuses (empty: any).
    pub statuses: Vec<String>,
    /// Only rules with one of these tags (empty: any); a tag ending in `*` is a prefix.
    pub tags: Vec<String>,
    /// No rule with one of these tags.
    pub exclude_tags: Vec<String>,
}

fn tag_matches(wanted: &str, tag: &str) -> bool {
    match wanted.strip_suffix('*') {
        Some(prefix) => tag.to_ascii_lowercase().starts_with(&prefix.to_ascii_lowercase()),
        None => tag.eq_ignore_ascii_case(wanted),
    }
}

impl Choice {
    /// Why the rule is left out, or `None` when it is kept.
    pub fn refuses(&self, meta: &Meta) -> Option<String> {
        let level = meta.level.unwrap_or(Level::Informational);
        if let Some(min) = self.min_level {
            if level < min {
                return Some(format!("level {} below --min-level {}", level.name(), min.name()));
            }
        }
        if !self.statuses.is_empty() {
            let status = meta.status.as_deref().unwrap_or("");
            if !self.statuses.iter().any(|s| s.eq_ignore_ascii_case(status)) {
                return Some(format!("status {status:?} not chosen by --status"));
            }
        }
        if !self.tags.is_empty() && !self.tags.iter().any(|w| meta.tags.iter().any(|t| tag_matches(w, t))) {
            return Some("no tag chosen by --tags".to_string());
        }
        if let Some(t) = meta.tags.iter().find(|t| self.exclude_tags.iter().any(|w| tag_matches(w, t))) {
            return Some(format!("tag {t} excluded by --exclude-tags"));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_by_level_status_and_tags() {
        let meta = Meta {
            level: Some(Level::Medium),
            status: Some("test".into()),
            tags: vec!["attack.persistence".into(), "attack.t1098".into()],
            ..Meta::default()
        };
        assert!(Choice::default().refuses(&meta).is_none());
        assert!(Choice { min_level: Some(Level::High), ..Choice::default() }.refuses(&meta).is_some());
        assert!(Choice { min_level: Some(Level::Low), ..Choice::default() }.refuses(&meta).is_none());
        assert!(Choice { statuses: vec!["stable".into()], ..Choice::default() }.refuses(&meta).is_some());
        assert!(Choice { tags: vec!["attack.t1098".into()], ..Choice::default() }.refuses(&meta).is_none());
        assert!(Choice { tags: vec!["attack.t10*".into()], ..Choice::default() }.refuses(&meta).is_none());
        assert!(Choice { exclude_tags: vec!["attack.persistence".into()], ..Choice::default() }
            .refuses(&meta)
            .is_some());
        assert_eq!(Level::parse("HIGH"), Some(Level::High));
        assert!(Level::Critical > Level::Informational);
    }
}
