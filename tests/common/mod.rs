//! Helpers shared by the end-to-end test binaries.

use std::path::{Path, PathBuf};

/// The real public CloudTrail samples (`../shared/data/cloudtrail-samples`), or `None` with a
/// note when they are absent, so that tests using them skip cleanly.
pub fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cloudtrail-samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}
