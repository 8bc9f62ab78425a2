//! Sigma detection rules for JSON events (AWS CloudTrail), compiled to predicates.
//!
//! - [`mod@load`]: rule files and folders read (YAML), documents classified and compiled, the
//!   unusable ones kept with their reason; global filters applied.
//! - [`rule`]: a rule's metadata and the choice of rules by level, status and tags.
//! - [`detection`]: search identifiers and conditions compiled into one [`detection::Expr`];
//!   what every match requires (dispatch values, prefilter literals).
//! - [`condition`]: the condition language.
//! - [`value`]: field entries and their modifiers.
//! - [`pattern`]: string values with wildcards, case folding.
//! - [`event`]: the borrowed view of a record rules are evaluated against.
//! - [`set`]: the compiled rule set: dispatch by the values rules require, literal prefilter.
//! - [`correlate`]: correlation rules and the sweep of each group's time-sorted matches.
//! - [`observations`]: the matches of correlated rules, in bounded memory (sorted runs on disk).
//!
//! This crate knows no command line and no terminal; it reads rule files and evaluates
//! records handed to it as bytes.

#![forbid(unsafe_code)]

pub mod condition;
pub mod correlate;
pub mod detection;
pub mod error;
pub mod event;
pub mod load;
pub mod observations;
pub mod pattern;
pub mod rule;
pub mod set;
pub mod value;

pub use error::RuleError;
pub use load::{load, Loaded, Rule, Skipped};
pub use rule::{Choice, Level, Meta};
pub use set::RuleSet;
