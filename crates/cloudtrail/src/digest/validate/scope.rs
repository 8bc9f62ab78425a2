//! What a run is about: the files of the dump, and which of them the paths and filters put in
//! scope.
//!
//! A path inside a dump (a folder below `AWSLogs/`, or a single file) validates the chains that
//! path belongs to: the dump is walked from above its `AWSLogs/` folder, and the path only
//! narrows the account and region in scope. So a single digest's log files are found, and a
//! single log file is judged against its chain. Filters narrow the scope the same way; they
//! never change a verdict inside it.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::load::DigestFile;
use super::report::{Report, Skipped};
use super::walk::Window;
use super::Options;
use crate::tree::{self, names, Class, DigestName, KeyPath};

/// Why the scope asked for cannot be validated (a usage error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// An account, region or trail filter that matches no file under the paths given.
    #[error("{filter} {value:?} matches nothing under the paths given (found: {})", list(found))]
    NoMatch { filter: &'static str, value: String, found: Vec<String> },
    /// Nothing to validate: no digest or log file in scope.
    #[error("no CloudTrail digest or log file in scope under {roots} (expected an AWSLogs/ layout)")]
    Empty { roots: String },
}

fn list(found: &[String]) -> String {
    if found.is_empty() {
        "none".to_string()
    } else {
        found.join(", ")
    }
}

/// Where a log file or chain lives: prefix, organization, account, region.
pub type AreaId = (String, Option<String>, String, String);

/// A log file found under `CloudTrail/`. A dump holds hundreds of thousands: the absolute
/// path is shared with [`Found::present`] (and shown as outcomes show paths), the area with
/// the files beside it.
#[derive(Debug, Clone)]
pub struct LogFile {
    pub abs: Arc<Path>,
    pub key: String,
    pub area: Arc<AreaId>,
    /// Delivery time, to the minute, from the file name.
    pub delivered: DateTime<Utc>,
}

/// A file in a `CloudTrail/` or `CloudTrail-Digest/` folder whose key does not follow the
/// CloudTrail naming: nothing CloudTrail wrote, unless a valid digest lists it.
#[derive(Debug, Clone)]
pub struct Stray {
    pub path: PathBuf,
    pub abs: PathBuf,
    pub key: String,
    pub digest_area: bool,
    /// Account and region, when the folders name them.
    pub area: Option<AreaId>,
    pub reason: names::KeyError,
}

/// What discovery found in scope, and every regular file by absolute path.
pub struct Found {
    /// Digests of the accounts and regions in scope, every trail and time (a log file's
    /// verdict depends on every digest that could list it).
    pub digests: Vec<DigestFile>,
    pub logs: Vec<LogFile>,
    pub strays: Vec<Stray>,
    /// Files the walk saw. Only these are ever opened by key: a key that names anything else
    /// (a symbolic link, a file outside the dump) is not found.
    pub present: HashSet<Arc<Path>>,
}

/// The account and region a path given by the user narrows the run to.
#[derive(Debug, Clone)]
struct PathScope {
    base: PathBuf,
    account: Option<String>,
    region: Option<String>,
}

impl PathScope {
    fn of(root: &Path) -> PathScope {
        let base = tree::key_base(root);
        let key = tree::key_of(root, &base);
        let mut parts = key.split('/').skip_while(|p| *p != "AWSLogs").skip(1).peekable();
        if parts.peek().is_some_and(|p| names::is_org_id(p)) {
            parts.next();
        }
        let account = parts.next().map(str::to_string);
        let region = parts.nth(1).map(str::to_string);
        PathScope { base, account, region }
    }

    fn admits(&self, path: &Path, account: Option<&str>, region: Option<&str>) -> bool {
        path.starts_with(&self.base) && self.admits_names(account, region)
    }

    fn admits_names(&self, account: Option<&str>, region: Option<&str>) -> bool {
        let matches = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
        matches(&self.account, account) && matches(&self.region, region)
    }
}

/// The paths and filters of a run.
pub struct Scope<'o> {
    options: &'o Options,
    paths: Vec<PathScope>,
    pub window: Window,
}

impl<'o> Scope<'o> {
    pub fn new(options: &'o Options) -> Scope<'o> {
        Scope {
            options,
            paths: options.roots.iter().map(|r| PathScope::of(r)).collect(),
            window: Window { start: options.start, end: options.end },
        }
    }

    /// Whether the paths and the account and region filters admit a file of this area (`None`
    /// when the folders do not say).
    pub fn admits_area(&self, path: &Path, account: Option<&str>, region: Option<&str>) -> bool {
        let keep = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l == v))
        };
        self.paths.iter().any(|p| p.admits(path, account, region))
            && keep(&self.options.accounts, account)
            && keep(&self.options.regions, region)
    }

    /// Whether a digest named by key (not a file: a key from captured metadata) is in scope.
    pub fn admits_digest_key(&self, layout: &KeyPath, name: &DigestName) -> bool {
        let (account, region) = (Some(layout.account.as_str()), Some(layout.region.as_str()));
        let keep = |list: &[String], value: &str| list.is_empty() || list.iter().any(|l| l == value);
        self.paths.iter().any(|p| p.admits_names(account, region))
            && keep(&self.options.accounts, &layout.account)
            && keep(&self.options.regions, &layout.region)
            && self.admits_trail(&name.trail)
            && self.window.admits_digest(name.end)
    }

    /// Whether the trail filter admits `trail`.
    pub fn admits_trail(&self, trail: &str) -> bool {
        self.options.trails.is_empty() || self.options.trails.iter().any(|t| t == trail)
    }

    /// Walks the dump above each path and keeps what is in scope. Fails when a filter value
    /// matches nothing under the paths.
    pub fn discover(&self, report: &mut Report) -> Result<Found, ScopeError> {
        let mut found = Found { digests: Vec::new(), logs: Vec::new(), strays: Vec::new(), present: HashSet::new() };
        let mut seen = Seen::default();
        let mut bases: Vec<PathBuf> = self.paths.iter().map(|p| p.base.clone()).collect();
        bases.sort();
        bases.dedup();
        let (mut unreadable, mut passed) = (Vec::new(), Vec::new());
        // Files of one area are walked together: each shares the area of the one before.
        let mut last_area: Option<Arc<AreaId>> = None;
        // Validation never leaves the dump: links are not followed.
        tree::walk(
            &bases,
            tree::Links::Skip,
            |entry| {
                let abs: Arc<Path> = std::path::absolute(&entry.path).unwrap_or_else(|_| entry.path.clone()).into();
                if found.present.insert(Arc::clone(&abs)) {
                    self.keep(entry, abs, &mut last_area, &mut found, &mut seen, report);
                }
            },
            |path, _| {
                passed.push(Skipped { path: path.to_path_buf(), reason: "not a regular file (never opened)".into() })
            },
            |err| unreadable.push(Skipped { path: err.path, reason: err.reason }),
        );
        report.skipped.extend(passed);
        report.unreadable.extend(unreadable);
        self.check_filters(&seen)?;
        Ok(found)
    }

    fn keep(
        &self,
        entry: tree::Entry,
        abs: Arc<Path>,
        last_area: &mut Option<Arc<AreaId>>,
        found: &mut Found,
        seen: &mut Seen,
        report: &mut Report,
    ) {
        let tree::Entry { path, key, class } = entry;
        let under_paths =
            |account: &str, region: &str| self.paths.iter().any(|p| p.admits(&path, Some(account), Some(region)));
        match class {
            Class::Digest { layout, name } => {
                if under_paths(&layout.account, &layout.region) {
                    seen.note(&layout, Some(&name.trail));
                }
                if self.admits_area(&path, Some(&layout.account), Some(&layout.region)) {
                    found.digests.push(DigestFile { path, abs: abs.to_path_buf(), key, layout, name });
                }
            }
            Class::Log { layout, name } => {
                if under_paths(&layout.account, &layout.region) {
                    seen.note(&layout, None);
                }
                let in_scope = self.admits_area(&path, Some(&layout.account), Some(&layout.region))
                    && self.window.admits_log(name.delivered);
                if in_scope {
                    let this = area_of_layout(&layout);
                    let area = match last_area.take() {
                        Some(last) if *last == this => last,
                        _ => Arc::new(this),
                    };
                    found.logs.push(LogFile { abs, key, area: Arc::clone(&area), delivered: name.delivered });
                    *last_area = Some(area);
                }
            }
            Class::Other(reason) => match stray_folders(&key) {
                Some((digest_area, area)) => {
                    let account = area.as_ref().map(|a| a.2.as_str());
                    let region = area.as_ref().map(|a| a.3.as_str());
                    if self.admits_area(&path, account, region) {
                        found.strays.push(Stray { path, abs: abs.to_path_buf(), key, digest_area, area, reason });
                    }
                }
                None => report.skipped.push(Skipped { path, reason: reason.to_string() }),
            },
            Class::Plain => report.skipped.push(Skipped { path, reason: "outside any AWSLogs/ folder".into() }),
        }
    }

    fn check_filters(&self, seen: &Seen) -> Result<(), ScopeError> {
        for (filter, wanted, found) in [
            ("account", &self.options.accounts, &seen.accounts),
            ("region", &self.options.regions, &seen.regions),
            ("trail", &self.options.trails, &seen.trails),
        ] {
            if let Some(value) = wanted.iter().find(|v| !found.contains(*v)) {
                let found = found.iter().cloned().collect();
                return Err(ScopeError::NoMatch { filter, value: value.clone(), found });
            }
        }
        Ok(())
    }
}

/// Accounts, regions and trails present under the paths (to check filters against).
#[derive(Default)]
struct Seen {
    accounts: BTreeSet<String>,
    regions: BTreeSet<String>,
    trails: BTreeSet<String>,
}

impl Seen {
    fn note(&mut self, layout: &KeyPath, trail: Option<&str>) {
        self.accounts.insert(layout.account.clone());
        self.regions.insert(layout.region.clone());
        if let Some(trail) = trail {
            self.trails.insert(trail.to_string());
        }
    }
}

pub fn area_of_layout(layout: &KeyPath) -> AreaId {
    (layout.prefix.clone(), layout.org_id.clone(), layout.account.clone(), layout.region.clone())
}

/// Whether a key that is not a CloudTrail key lies in a `CloudTrail/` (or `CloudTrail-Digest/`,
/// then `true`) folder, and the account and region its folders name.
fn stray_folders(key: &str) -> Option<(bool, Option<AreaId>)> {
    let parts: Vec<&str> = key.split('/').collect();
    let at = parts.iter().rposition(|p| *p == "AWSLogs")?;
    let prefix = parts[..at].join("/");
    let mut rest = &parts[at + 1..];
    let org = match rest.first() {
        Some(p) if names::is_org_id(p) => {
            rest = &rest[1..];
            Some(p.to_string())
        }
        _ => None,
    };
    let digest_area = match rest.get(1) {
        Some(&"CloudTrail") => false,
        Some(&"CloudTrail-Digest") => true,
        _ => return None,
    };
    let area = match (rest.first(), rest.get(2)) {
        (Some(account), Some(region)) if rest.len() > 3 => Some((prefix, org, account.to_string(), region.to_string())),
        _ => None,
    };
    Some((digest_area, area))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_inside_the_layout_narrows_account_and_region() {
        let scope = PathScope::of(Path::new("/d/p/AWSLogs/o-abc/111122223333/CloudTrail/eu-west-1/2026"));
        assert_eq!(scope.base, PathBuf::from("/d/p"));
        assert_eq!(scope.account.as_deref(), Some("111122223333"));
        assert_eq!(scope.region.as_deref(), Some("eu-west-1"));
        let whole = PathScope::of(Path::new("/d"));
        assert_eq!((whole.account, whole.region), (None, None));
    }

    #[test]
    fn stray_files_are_placed_by_their_folders() {
        let (digest, area) = stray_folders("AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/x.json.gz").unwrap();
        assert!(!digest);
        assert_eq!(area.unwrap().3, "us-east-1");
        assert!(stray_folders("AWSLogs/111122223333/CloudTrail-Insight/x").is_none());
        assert_eq!(stray_folders("AWSLogs/111122223333/CloudTrail-Digest/x.json"), Some((true, None)));
    }
}
