//! Helpers shared by the end-to-end test binaries.

use std::path::{Path, PathBuf};

#[allow(dead_code)] // not every test binary uses every helper
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

/// `data` gzipped (one member, default level).
#[allow(dead_code)]
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}
