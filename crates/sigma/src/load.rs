//! Loading rule files: folders walked for `.yml`/`.yaml` files, each file's YAML documents
//! read (yaml-rust2), each document classified as a detection rule, a correlation rule or a
//! global filter, and compiled. A document that cannot be used is kept as [`Skipped`] with its
//! reason; the others go on.
//!
//! Only AWS CloudTrail rules are kept (`logsource` with `product: aws` and `service:
//! cloudtrail`). Filters are applied to the rules they name (`and not` their condition).
//! Correlations name their rules by id, `name` or title, looked up first in their own file.

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::correlate::{self, Correlation};
use crate::detection::{self, Expr};
use crate::error::RuleError;
use crate::rule::{Choice, Meta};
use crate::value::Placeholders;

/// The largest rule file read: far above any real rule, small enough that a wrong path fails.
pub const MAX_RULE_FILE: u64 = 4 << 20;

/// A compiled detection rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: Meta,
    pub expr: Expr,
    /// Whether its matches are reported on their own (false for the rules only a correlation
    /// with `generate: false` uses).
    pub standalone: bool,
}

/// A rule document that was not used, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub file: PathBuf,
    /// The title, when the document has one.
    pub title: Option<String>,
    pub error: RuleError,
}

/// A rule left out by the user's choice (`--min-level`...), and why.
#[derive(Debug, Clone)]
pub struct Unchosen {
    pub meta: Meta,
    pub why: String,
}

/// Everything read from the rule paths.
#[derive(Debug, Default)]
pub struct Loaded {
    pub rules: Vec<Rule>,
    pub correlations: Vec<Correlation>,
    pub skipped: Vec<Skipped>,
    pub unchosen: Vec<Unchosen>,
    /// Global filters applied (each to one or more rules).
    pub filters: usize,
    /// Rule files read.
    pub files: usize,
}

/// A path that could not be read at all (the caller reports it as a usage error).
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct PathError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// The YAML files under `paths` (files named are taken whatever their extension), in path
/// order; symbolic links are followed, to a depth of 32 folders. A path named that is neither
/// a folder nor a regular file (a FIFO, a device) is an error, never opened: reading it could
/// block or never end.
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PathError> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), PathError> {
        let error = |source| PathError { path: dir.to_path_buf(), source };
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir).map_err(error)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if depth < 32 {
                    walk(&path, depth + 1, out)?;
                }
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") && path.is_file() {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| PathError { path: path.clone(), source })?;
        if meta.is_dir() {
            walk(path, 0, &mut out)?;
        } else if meta.is_file() {
            out.push(path.clone());
        } else {
            let source = std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file");
            return Err(PathError { path: path.clone(), source });
        }
    }
    Ok(out)
}

/// One document waiting for the rules it refers to.
struct Pending {
    file: PathBuf,
    doc: Yaml,
}

/// Reads and compiles every rule under `paths`, keeping those `choice` accepts.
pub fn load(paths: &[PathBuf], placeholders: &Placeholders, choice: &Choice) -> Result<Loaded, PathError> {
    let mut loaded = Loaded::default();
    let mut correlations = Vec::new();
    let mut filters = Vec::new();
    for file in rule_files(paths)? {
        loaded.files += 1;
        let docs = match read_docs(&file) {
            Ok(docs) => docs,
            Err(error) => {
                loaded.skipped.push(Skipped { file, title: None, error });
                continue;
            }
        };
        for doc in docs {
            if matches!(doc, Yaml::Null) {
                continue;
            }
            let skip = |error| Skipped { file: file.clone(), title: doc["title"].as_str().map(str::to_string), error };
            if !matches!(doc["correlation"], Yaml::BadValue) {
                correlations.push(Pending { file: file.clone(), doc });
            } else if !matches!(doc["filter"], Yaml::BadValue) && matches!(doc["detection"], Yaml::BadValue) {
                filters.push(Pending { file: file.clone(), doc });
            } else {
                match rule(&doc, &file, placeholders) {
                    Ok(rule) => loaded.rules.push(rule),
                    Err(error) => loaded.skipped.push(skip(error)),
                }
            }
        }
    }
    for pending in filters {
        if let Err(error) = apply_filter(&pending, &mut loaded.rules, placeholders) {
            let title = pending.doc["title"].as_str().map(str::to_string);
            loaded.skipped.push(Skipped { file: pending.file, title, error });
        } else {
            loaded.filters += 1;
        }
    }
    for pending in correlations {
        let meta = Meta::read(&pending.doc, &pending.file);
        match correlate::read(&pending.doc, meta, &pending.file, &mut loaded.rules) {
            Ok(c) => loaded.correlations.push(c),
            Err(error) => {
                let title = pending.doc["title"].as_str().map(str::to_string);
                loaded.skipped.push(Skipped { file: pending.file, title, error });
            }
        }
    }
    choose(&mut loaded, choice);
    Ok(loaded)
}

/// Keeps the rules and correlations `choice` accepts; a rule only a correlation uses is kept
/// with the correlation.
fn choose(loaded: &mut Loaded, choice: &Choice) {
    let mut unchosen = Vec::new();
    loaded.correlations.retain(|c| match choice.refuses(&c.meta) {
        Some(why) => {
            unchosen.push(Unchosen { meta: c.meta.clone(), why });
            false
        }
        None => true,
    });
    let mut used = vec![false; loaded.rules.len()];
    for c in &loaded.correlations {
        for &r in &c.rules {
            used[r] = true;
        }
    }
    let mut keep = Vec::with_capacity(loaded.rules.len());
    for (i, rule) in loaded.rules.iter_mut().enumerate() {
        let refused = if rule.standalone { choice.refuses(&rule.meta) } else { None };
        if let Some(why) = &refused {
            unchosen.push(Unchosen { meta: rule.meta.clone(), why: why.clone() });
        }
        // A refused rule still feeds the correlations that were chosen, without its own hits.
        if refused.is_some() {
            rule.standalone = false;
        }
        keep.push(rule.standalone || used[i]);
    }
    // Renumber the correlations' references to the rules kept.
    let mut new_index = Vec::with_capacity(keep.len());
    let mut next = 0;
    for &k in &keep {
        new_index.push(next);
        next += usize::from(k);
    }
    for c in &mut loaded.correlations {
        for r in &mut c.rules {
            *r = new_index[*r];
        }
    }
    let mut i = 0;
    loaded.rules.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    loaded.unchosen = unchosen;
}

/// The YAML documents of a file.
fn read_docs(file: &Path) -> Result<Vec<Yaml>, RuleError> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_RULE_FILE + 1).read_to_string(&mut text))
        .map_err(|e| RuleError::Shape(format!("cannot read: {e}")))?;
    if text.len() as u64 > MAX_RULE_FILE {
        return Err(RuleError::Shape(format!("larger than {} MiB", MAX_RULE_FILE >> 20)));
    }
    YamlLoader::load_from_str(&text).map_err(|e| RuleError::Yaml(e.to_string()))
}

/// Placeholder values from YAML text: a map of names (without `%`) to a value or a list of
/// values.
pub fn parse_placeholders(text: &str) -> Result<Vec<(String, Vec<String>)>, RuleError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| RuleError::Yaml(e.to_string()))?;
    let mut out = Vec::new();
    for doc in docs {
        let Yaml::Hash(map) = doc else {
            return Err(RuleError::Shape("placeholders must be a map of NAME: VALUE or NAME: [VALUE, ...]".into()));
        };
        for (k, v) in map {
            let name =
                k.as_str().ok_or_else(|| RuleError::Shape(format!("a placeholder name that is not text: {k:?}")))?;
            let scalar = |y: &Yaml| match y {
                Yaml::String(s) => Some(s.clone()),
                Yaml::Integer(i) => Some(i.to_string()),
                Yaml::Real(r) => Some(r.clone()),
                Yaml::Boolean(b) => Some(b.to_string()),
                _ => None,
            };
            let values = match &v {
                Yaml::Array(items) => items.iter().map(scalar).collect::<Option<Vec<_>>>(),
                one => scalar(one).map(|s| vec![s]),
            }
            .ok_or_else(|| RuleError::BadValue(format!("placeholder {name}: values must be text")))?;
            out.push((name.trim_matches('%').to_string(), values));
        }
    }
    Ok(out)
}

/// Whether `doc`'s logsource is AWS CloudTrail; else the error naming what it is.
pub fn check_logsource(doc: &Yaml) -> Result<(), RuleError> {
    let source = &doc["logsource"];
    let field = |k: &str| source[k].as_str().map(str::to_ascii_lowercase);
    let (product, service) = (field("product"), field("service"));
    if product.as_deref() == Some("aws") && service.as_deref() == Some("cloudtrail") {
        return Ok(());
    }
    if matches!(source, Yaml::BadValue) {
        return Err(RuleError::Shape("no logsource".into()));
    }
    Err(RuleError::OtherLogsource(format!(
        "product: {}, service: {}",
        product.as_deref().unwrap_or("-"),
        service.as_deref().unwrap_or("-")
    )))
}

/// Compiles a detection rule document.
fn rule(doc: &Yaml, file: &Path, placeholders: &Placeholders) -> Result<Rule, RuleError> {
    if !matches!(doc, Yaml::Hash(_)) {
        return Err(RuleError::Shape("the document is not a map".into()));
    }
    if doc["title"].as_str().is_none() {
        return Err(RuleError::Shape("no title".into()));
    }
    if matches!(doc["detection"], Yaml::BadValue) {
        return Err(RuleError::Shape("neither detection, correlation nor filter".into()));
    }
    check_logsource(doc)?;
    let expr = detection::compile(&doc["detection"], placeholders)?;
    Ok(Rule { meta: Meta::read(doc, file), expr, standalone: true })
}

/// Applies a global filter to the rules it names: each becomes `rule and not filter`.
fn apply_filter(pending: &Pending, rules: &mut [Rule], placeholders: &Placeholders) -> Result<(), RuleError> {
    check_logsource(&pending.doc)?;
    let section = &pending.doc["filter"];
    let names: Vec<&str> = match &section["rules"] {
        Yaml::Array(items) => items.iter().filter_map(Yaml::as_str).collect(),
        Yaml::String(s) => vec![s.as_str()],
        _ => return Err(RuleError::Shape("a filter without rules".into())),
    };
    let expr = detection::compile(section, placeholders)?;
    for name in names {
        let mut found = false;
        for rule in rules.iter_mut().filter(|r| r.meta.answers_to(name)) {
            rule.expr = Expr::All(vec![rule.expr.clone(), Expr::Not(Box::new(expr.clone()))]);
            found = true;
        }
        if !found {
            return Err(RuleError::UnknownRule(name.to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn documents_are_classified_and_bad_ones_reported() {
        let dir = tempfile::tempdir().unwrap();
        let aws = "logsource:\n  product: aws\n  service: cloudtrail\n";
        write(
            dir.path(),
            "a.yml",
            &format!("title: A\nid: a1\nlevel: high\n{aws}detection:\n  s:\n    eventName: X\n  condition: s\n"),
        );
        write(
            dir.path(),
            "b.yml",
            "title: B\nlogsource:\n  product: windows\ndetection:\n  s:\n    a: 1\n  condition: s\n",
        );
        write(dir.path(), "c.yml", "title: [unclosed\n");
        write(dir.path(), "d.yml", &format!("title: D\n{aws}detection:\n  s:\n    a|sha9: 1\n  condition: s\n"));
        write(
            dir.path(),
            "f.yml",
            &format!("title: F\n{aws}filter:\n  rules: [a1]\n  selection:\n    userIdentity.type: AWSService\n  condition: selection\n"),
        );
        write(dir.path(), "notes.txt", "not a rule");
        let loaded = load(&[dir.path().to_path_buf()], &Placeholders::new(), &Choice::default()).unwrap();
        assert_eq!(loaded.files, 5);
        assert_eq!(loaded.rules.len(), 1);
        assert_eq!(loaded.filters, 1);
        let reasons: Vec<String> = loaded.skipped.iter().map(|s| s.error.to_string()).collect();
        assert!(reasons[0].contains("logsource is not AWS CloudTrail (product: windows"), "{reasons:?}");
        assert!(reasons[1].starts_with("not valid YAML"), "{reasons:?}");
        assert!(reasons[2].contains("unknown modifier \"sha9\""), "{reasons:?}");
        let mut index = crate::event::Index::default();
        let ev = index.load(br#"{"eventName":"X","userIdentity":{"type":"AWSService"}}"#).unwrap();
        assert!(!loaded.rules[0].expr.matches(&ev), "the filter applies");
        let ev = index.load(br#"{"eventName":"X","userIdentity":{"type":"Root"}}"#).unwrap();
        assert!(loaded.rules[0].expr.matches(&ev));
    }
}
