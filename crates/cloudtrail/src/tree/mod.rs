//! Discovery of the files of a CloudTrail bucket dump (or of any folder of log files).
//!
//! A path given by the user may be the dump root, its `AWSLogs/` folder, a folder below it, a
//! single file, or a folder of files in no AWS layout at all. [`walk`] visits every regular file
//! once, in a deterministic order, and classifies it from its path alone (no file is opened):
//! a log file or a digest in the standard, organization or prefixed layout, another file under
//! `AWSLogs/` (e.g. `CloudTrail-Insight/`), or a plain file outside any layout.

pub mod names;

use std::path::{Component, Path, PathBuf};

pub use names::{Area, DigestName, KeyError, KeyPath, LogName};

/// What a file is, judged from its path.
#[derive(Debug, Clone)]
pub enum Class {
    /// A log file under `CloudTrail/` whose folders and name parse.
    Log { layout: KeyPath, name: LogName },
    /// A digest under `CloudTrail-Digest/` whose folders and name parse.
    Digest { layout: KeyPath, name: DigestName },
    /// A file under `AWSLogs/` that is neither, with the reason (another area, a stray file, a
    /// misnamed log).
    Other(KeyError),
    /// A file outside any `AWSLogs/` folder.
    Plain,
}

/// One file found by [`walk`].
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    /// The file's S3 key as far as the dump shows it: its path below the dump root with `/`
    /// separators (the trail's key prefix included when the walk started above it). For a
    /// file outside any `AWSLogs/` folder, its path below the walked folder.
    pub key: String,
    pub class: Class,
}

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct WalkError {
    pub path: PathBuf,
    pub reason: String,
}

/// What a [`walk`] learned besides the files it visited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Walked {
    /// A symbolic link was followed (then one file may have been visited under two paths: see
    /// [`scan::discover`](crate::scan::discover)).
    pub followed_link: bool,
}

/// Why a [`walk`] passed over an entry without visiting it (it is never opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassedOver {
    /// Neither a file nor a folder: a FIFO, socket or device, or a link not followed.
    NotFile,
    /// A symbolic link whose target lies outside the folder walked (a link to `/etc/passwd` in
    /// a dump): evidence never leads the reader out of the tree it was given.
    LinkOutside,
}

/// Whether a walk follows symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Links are not followed (never leave the dump: validation).
    Skip,
    /// Links to files and folders are followed; a loop is reported as a [`WalkError`].
    Follow,
}

/// Visits every regular file below each of `roots` (a root may itself be a file), sorted by
/// path within each root, and calls `visit` with its classification; `links` says whether
/// symbolic links are followed (only those whose target stays inside the root). Each entry not
/// visited goes to `passed` with the reason, unreadable folders to `on_error`, and the walk goes
/// on. Returns what it learned ([`Walked`]).
pub fn walk(
    roots: &[PathBuf],
    links: Links,
    mut visit: impl FnMut(Entry),
    mut passed: impl FnMut(&Path, PassedOver),
    mut on_error: impl FnMut(WalkError),
) -> Walked {
    let mut walked = Walked::default();
    for root in roots {
        let base = key_base(root);
        let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        let mut walker =
            walkdir::WalkDir::new(root).follow_links(links == Links::Follow).sort_by_file_name().into_iter();
        while let Some(item) = walker.next() {
            let item = match item {
                Ok(item) => item,
                Err(e) => {
                    let path = e.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    let reason = match e.loop_ancestor() {
                        Some(ancestor) => format!("a symbolic link loops back to {}", ancestor.display()),
                        None => e.io_error().map_or_else(|| e.to_string(), ToString::to_string),
                    };
                    on_error(WalkError { path, reason });
                    continue;
                }
            };
            if links == Links::Follow && item.path_is_symlink() && item.depth() > 0 {
                let inside = std::fs::canonicalize(item.path()).is_ok_and(|real| real.starts_with(&real_root));
                if !inside {
                    passed(item.path(), PassedOver::LinkOutside);
                    if item.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                    continue;
                }
                walked.followed_link = true;
            }
            if !item.file_type().is_file() {
                if !item.file_type().is_dir() {
                    passed(item.path(), PassedOver::NotFile);
                }
                continue;
            }
            let path = item.into_path();
            let key = key_of(&path, &base);
            let class = classify(&key);
            visit(Entry { path, key, class });
        }
    }
    walked
}

/// Classifies an S3 key (or a relative path with `/` separators).
pub fn classify(key: &str) -> Class {
    if !key.split('/').any(|c| c == "AWSLogs") {
        return Class::Plain;
    }
    let layout = match names::parse_key(key) {
        Ok(layout) => layout,
        Err(e) => return Class::Other(e),
    };
    let named = |name_account: &str, name_region: &str| -> Result<(), KeyError> {
        if name_account != layout.account || name_region != layout.region {
            return Err(KeyError::Mismatch {
                name: name_account.to_string(),
                folder: layout.account.clone(),
                region_in_name: name_region.to_string(),
                region: layout.region.clone(),
            });
        }
        Ok(())
    };
    match layout.area {
        Area::Logs => {
            match names::parse_log_name(&layout.file_name).and_then(|n| named(&n.account, &n.region).map(|()| n)) {
                Ok(name) => Class::Log { layout, name },
                Err(e) => Class::Other(e),
            }
        }
        Area::Digests => {
            match names::parse_digest_name(&layout.file_name).and_then(|n| named(&n.account, &n.region).map(|()| n)) {
                Ok(name) => Class::Digest { layout, name },
                Err(e) => Class::Other(e),
            }
        }
    }
}

/// Where keys start for files below `root`: the root itself when it lies above any `AWSLogs`
/// folder, else the parent of its topmost `AWSLogs` component (a walk started inside the
/// layout cannot see a key prefix).
pub fn key_base(root: &Path) -> PathBuf {
    let mut base = PathBuf::new();
    for component in root.components() {
        if component == Component::Normal("AWSLogs".as_ref()) {
            return base;
        }
        base.push(component);
    }
    if root.is_file() {
        return root.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    root.to_path_buf()
}

/// The key of `path` below `base` (see [`key_base`]), with `/` separators.
pub fn key_of(path: &Path, base: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_start_above_awslogs_whatever_the_root() {
        assert_eq!(key_base(Path::new("/d/AWSLogs/1/CloudTrail")), PathBuf::from("/d"));
        assert_eq!(key_of(Path::new("/d/AWSLogs/1/x"), Path::new("/d")), "AWSLogs/1/x");
        assert_eq!(key_base(Path::new("dump")), PathBuf::from("dump"));
    }

    #[test]
    fn classifies_by_path() {
        assert!(matches!(classify("notes.txt"), Class::Plain));
        assert!(matches!(
            classify("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/01/01/x.json.gz"),
            Class::Other(_)
        ));
        let log = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/111122223333_CloudTrail_us-east-1_20260101T0005Z_abcdefABCDEF0123.json.gz";
        assert!(matches!(classify(log), Class::Log { .. }));
        let moved = log.replace("/us-east-1/2026", "/eu-west-1/2026");
        assert!(matches!(classify(&moved), Class::Other(KeyError::Mismatch { .. })));
    }

    #[test]
    fn walks_files_in_order_and_reports_missing_roots() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/2.json"), "{}").unwrap();
        std::fs::write(dir.path().join("a/1.json"), "{}").unwrap();
        let mut keys = Vec::new();
        let mut errors = Vec::new();
        let roots = vec![dir.path().to_path_buf(), dir.path().join("missing")];
        walk(&roots, Links::Skip, |e| keys.push(e.key), |_, _| {}, |e| errors.push(e));
        assert_eq!(keys, ["a/1.json", "a/b/2.json"]);
        assert_eq!(errors.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_inside_the_root() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.json"), "{}").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("logs")).unwrap();
        std::fs::write(dir.path().join("logs/1.json"), "{}").unwrap();
        std::os::unix::fs::symlink(dir.path().join("logs/1.json"), dir.path().join("again.json")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.json"), dir.path().join("leak.json")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("elsewhere")).unwrap();
        let (mut keys, mut passed) = (Vec::new(), Vec::new());
        let roots = vec![dir.path().to_path_buf()];
        let walked =
            walk(&roots, Links::Follow, |e| keys.push(e.key), |p, why| passed.push((p.to_path_buf(), why)), |_| {});
        assert_eq!(keys, ["again.json", "logs/1.json"]);
        assert!(walked.followed_link);
        let mut passed: Vec<_> = passed.iter().map(|(p, why)| (p.file_name().unwrap().to_owned(), *why)).collect();
        passed.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            passed,
            [("elsewhere".into(), PassedOver::LinkOutside), ("leak.json".into(), PassedOver::LinkOutside)]
        );
        // Not following links, a link is passed over as not a file.
        let mut passed = Vec::new();
        walk(&roots, Links::Skip, |_| {}, |_, why| passed.push(why), |_| {});
        assert_eq!(passed, [PassedOver::NotFile; 3]);
    }
}
