//! The machine's limit for `ctl validate`: inflate every `.json.gz` under a folder and SHA-256
//! the content, on all cores, with nothing else (no digests, no bookkeeping). Prints the
//! uncompressed bytes and MB/s. Used by `bench/validate.sh`.

use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

fn main() {
    let root = std::env::args().nth(1).expect("usage: hash_limit DIR");
    let files: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().to_string_lossy().contains("/CloudTrail/"))
        .map(|e| e.into_path())
        .collect();
    let began = Instant::now();
    let bytes: u64 = files
        .par_iter()
        .map_init(cloudtrail::gz::Inflater::new, |inflater, path| {
            let input = std::fs::read(path).expect("readable file");
            let member = inflater.first_member(&input).expect("valid gzip");
            std::hint::black_box(Sha256::digest(member.data));
            member.data.len() as u64
        })
        .sum();
    let secs = began.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MB uncompressed, {:.2} s, {:.0} MB/s",
        files.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs
    );
}
