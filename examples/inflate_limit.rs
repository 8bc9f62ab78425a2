//! The machine's limit for a selective `ctl query`: read and inflate every log file under a
//! folder on all cores with libdeflate (one reused inflater per thread), and do nothing else.
//! Prints files, uncompressed MB, seconds and MB/s. Used by `bench/query.sh`.

use std::time::Instant;

use rayon::prelude::*;

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: inflate_limit DIR");
        std::process::exit(2);
    };
    let files: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().to_string_lossy().contains("/CloudTrail/"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let began = Instant::now();
    let bytes: u64 = files
        .par_iter()
        .map_init(
            || (cloudtrail::gz::Inflater::new(), Vec::new()),
            |(inflater, input), path| {
                use std::io::Read;
                input.clear();
                let read = std::fs::File::open(path).and_then(|mut f| f.read_to_end(input));
                match read.ok().and_then(|_| inflater.first_member(input).ok()) {
                    Some(member) => std::hint::black_box(member.data).len() as u64,
                    None => 0,
                }
            },
        )
        .sum();
    let secs = began.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MB uncompressed, {:.3} s, {:.0} MB/s",
        files.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs
    );
}
