//! Why a rule cannot be used: one reason per rule, shown beside its file.

/// Why a rule document was not compiled. Each variant says what in the rule triggers it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// The file is not YAML (`title: [unclosed`).
    #[error("not valid YAML: {0}")]
    Yaml(String),
    /// A required part is absent or of the wrong type (`detection:` without `condition`).
    #[error("{0}")]
    Shape(String),
    /// `logsource` names another product or service (`product: windows`).
    #[error("logsource is not AWS CloudTrail ({0})")]
    OtherLogsource(String),
    /// A modifier the specification does not define (`eventName|sha256`).
    #[error("unknown modifier {0:?}")]
    UnknownModifier(String),
    /// A value a modifier cannot take (`exists: maybe`, `cidr: 10.0.0.0/33`).
    #[error("bad value: {0}")]
    BadValue(String),
    /// A `re` value that is not a regular expression (`(unclosed`).
    #[error("bad regular expression: {0}")]
    BadRegex(String),
    /// A `%name%` placeholder under `expand` with no value given (`--placeholder name=VALUE`).
    #[error("placeholder %{0}% has no value (give one with --placeholder {0}=VALUE)")]
    MissingPlaceholder(String),
    /// The condition does not parse (`selection and`); the byte offset in it is given.
    #[error("condition {condition:?} at byte {at}: {what}")]
    Condition { condition: String, at: usize, what: String },
    /// The obsolete aggregation or `near` syntax (`selection | count() > 5`), or a correlation
    /// form not supported (a correlation of correlations, `value_percentile`).
    #[error("{0}")]
    Unsupported(String),
    /// A correlation or filter names a rule that was not loaded.
    #[error("refers to rule {0:?}, which is not loaded")]
    UnknownRule(String),
}
