//! Micro benchmarks of the stages of `ctl query` on one generated log file (about 1 MB of
//! JSON): inflate, byte prefilter, split into records, reading the predicate fields, and a
//! field lookup. Throughput is reported in bytes of uncompressed JSON. Run: `cargo bench --bench
//! query`. The whole-command comparison is `bench/query.sh`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

use cloudtrail::fields::FieldPath;
use cloudtrail::query::screen::{Literal, LiteralScreen};
use cloudtrail::record::{self, EventView};

fn one_log_file() -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut spec = trail_synth::SynthSpec::small(11);
    spec.hours = 1;
    spec.files_per_hour = 1;
    spec.events_per_file = 800;
    let out = trail_synth::generate(&spec, dir.path()).expect("synth");
    let key = out.log_keys().next().expect("a log file").to_string();
    let gz = std::fs::read(out.path_of(&key)).expect("readable");
    let json = record::Reader::new().load_bytes(&gz).expect("gzip").to_vec();
    (gz, json)
}

fn stages(c: &mut Criterion) {
    let (gz, json) = one_log_file();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(json.len() as u64));

    let mut reader = record::Reader::new();
    group.bench_function("inflate", |b| b.iter(|| reader.load_bytes(black_box(&gz)).map(<[u8]>::len)));

    let mut prefilter = LiteralScreen::default();
    prefilter.require_any(vec![Literal::new("StopLogging", true, true)]);
    group.bench_function("prefilter", |b| b.iter(|| prefilter.may_match(black_box(&json))));

    let mut scratch = Vec::new();
    group.bench_function("split", |b| {
        b.iter(|| {
            let mut n = 0u64;
            record::split(black_box(&json), &mut scratch, |raw, _| n += raw.len() as u64).expect("valid");
            n
        })
    });

    let mut records = Vec::new();
    record::split(&json, &mut scratch, |raw, _| records.push(raw.to_vec())).expect("valid");
    group.bench_function("view", |b| {
        b.iter(|| records.iter().filter(|r| EventView::parse(r).is_ok_and(|v| v.event_name().is_some())).count())
    });

    let arn = FieldPath::parse("userIdentity.arn").expect("a path");
    group.bench_function("lookup", |b| b.iter(|| records.iter().filter(|r| arn.get(r).is_some()).count()));
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
