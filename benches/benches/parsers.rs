//! Per-parser throughput on generated inputs (`Throughput::Bytes`): journal short, syslog, klog,
//! logrus and dmesg record parsing, goroutine dump parse, parse + bucket and the analysis alone,
//! the lock analysis of wait chains and lock cycles of 10 000 to 100 000 goroutines
//! (`Throughput::Elements`: goroutines; linear walks keep the time per goroutine flat), and the
//! rule engine's scan (prefilter plus regexes over every record).
//!
//! CI runs these once in test mode (`cargo test -p benches --benches`); for timings run
//! `cargo bench -p benches --bench parsers`.

use std::hint::black_box;

use analyzer_core::base::Format;
use analyzer_core::model::time::YearTracker;
use analyzer_core::parse;
use benches::bulk;
use benches::lock_graph::{Go, Graph};
use benches::noise::Shape;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SIZE: u64 = 8 << 20;

fn logs(shape: Shape) -> Vec<u8> {
    let mut v = Vec::with_capacity(SIZE as usize + 4096);
    bulk::write_logs(shape, SIZE, 11, &mut v).expect("in memory");
    v
}

fn records(c: &mut Criterion) {
    let mut dmesg = Vec::new();
    bulk::write_dmesg(SIZE, 11, &mut dmesg).expect("in memory");
    let inputs = [
        ("journal-short", Format::JournalShort, logs(Shape::Journal)),
        ("syslog", Format::Syslog, logs(Shape::Syslog)),
        ("klog", Format::Klog, logs(Shape::Klog)),
        ("logrus", Format::Logrus, logs(Shape::Logrus)),
        ("dmesg", Format::Dmesg, dmesg),
    ];
    let mut g = c.benchmark_group("records");
    for (name, format, data) in &inputs {
        // Journal and syslog headers coincide on days 10–31; parse as the sniffer decides.
        let format = &parse::sniff_log(data).unwrap_or(*format);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(*name, |b| {
            b.iter(|| {
                let mut years = YearTracker::new();
                let mut n = 0u64;
                for rec in parse::records(*format, black_box(data)) {
                    n += u64::from(years.observe(&rec.time)) + rec.message.len() as u64;
                }
                n
            })
        });
    }
    g.finish();
}

fn goroutines(c: &mut Criterion) {
    let mut data = Vec::new();
    benches::dump::write(8_000, 3, &mut data).expect("in memory");
    let mut g = c.benchmark_group("goroutine-dump");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| parse::goroutine::parse(black_box(&data)))
    });
    g.bench_function("parse+bucket", |b| {
        b.iter(|| {
            let dump = parse::goroutine::parse(black_box(&data));
            analyzer_core::stacks::analyze(&dump)
        })
    });
    // The analysis alone (buckets, lock waits, holder candidates over every argument word).
    let dump = parse::goroutine::parse(&data);
    g.bench_function("bucket", |b| {
        b.iter(|| analyzer_core::stacks::analyze(black_box(&dump)))
    });
    g.finish();
}

fn lock_graphs(c: &mut Criterion) {
    let mut g = c.benchmark_group("lock-graph");
    for n in [10_000u32, 30_000, 100_000] {
        for (shape, graph) in [
            ("chain", Graph::chain(n, Go::V1_16)),
            ("cycle", Graph::cycle(n, Go::V1_16)),
        ] {
            let data = graph.to_bytes();
            let dump = parse::goroutine::parse(&data);
            g.throughput(Throughput::Elements(u64::from(n)));
            g.bench_function(format!("{shape}-{n}"), |b| {
                b.iter(|| analyzer_core::stacks::locks::analyze_locks(black_box(&dump)))
            });
        }
    }
    g.finish();
}

fn engine(c: &mut Criterion) {
    let engine = analyzer_core::rules::load(&[]).expect("built-in rules compile");
    let data = logs(Shape::Journal);
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("scan-journal", |b| {
        b.iter(|| {
            let mut scan = engine.scan(black_box(&data));
            let mut years = YearTracker::new();
            for rec in parse::records(Format::JournalShort, &data) {
                let e = years.observe(&rec.time);
                scan.record(&rec, e);
            }
            scan.finish(&data, 0, years.finish())
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = records, goroutines, lock_graphs, engine
}
criterion_main!(benches);
