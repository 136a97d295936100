//! The upload service against the library on the same files: `POST /api/v1/analyses` to a
//! server on loopback (streamed into the analysis, HTML rendered, stored in SQLite) beside
//! `analyze` in process on the same bytes read from a stream, one at a time and four at once.
//! Throughput is in bytes as uploaded (compressed); uploads per second are 1 / time (×4 for
//! the `x4` cases).
//!
//! CI runs these once in test mode (`cargo test -p benches --benches`); for figures run
//! `cargo bench -p benches --bench serve` (benches/README.md).

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use analyzer_core::Bundle;
use analyzer_core::analysis::{Options, analyze_with};
use analyzer_core::rules::Engine;
use analyzer_server::{Config, Server};
use benches::bulk::{self, Compress};
use benches::noise::Shape;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Uncompressed size of each input.
const SIZE: u64 = 32 << 20;

/// A server on 127.0.0.1 in this process, for the whole run.
struct Running {
    base: String,
    _dir: tempfile::TempDir,
}

fn start() -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::new(dir.path());
    config.listen = "127.0.0.1:0".parse().expect("an address");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("a runtime");
        rt.block_on(async {
            let server = Server::bind(config).await.expect("server bound");
            tx.send(server.local_addr()).expect("address sent");
            server
                .run(std::future::pending())
                .await
                .expect("server ran");
        });
    });
    let addr = rx.recv().expect("server started");
    Running {
        base: format!("http://{addr}"),
        _dir: dir,
    }
}

fn upload(agent: &ureq::Agent, base: &str, name: &str, body: &[u8]) {
    let r = agent
        .post(format!("{base}/api/v1/analyses?name={name}"))
        .send(body)
        .expect("upload sent");
    assert_eq!(r.status().as_u16(), 201, "{name}");
}

fn analyze(engine: &Engine, name: &str, body: &Arc<[u8]>) {
    let bundle = Bundle::from_reader(name, Cursor::new(Arc::clone(body)));
    let report = analyze_with(&bundle, &Options::default(), engine).expect("analysed");
    assert!(report.stats.members > 0, "{name}");
}

/// Runs `f` on `n` threads at once, `iters` times; the wall time of it all.
fn parallel(iters: u64, n: usize, f: impl Fn() + Sync) -> Duration {
    let started = Instant::now();
    for _ in 0..iters {
        std::thread::scope(|s| {
            for _ in 0..n {
                s.spawn(&f);
            }
        });
    }
    started.elapsed()
}

fn serve(c: &mut Criterion) {
    let mut sos = Vec::new();
    bulk::write_sosreport(SIZE, Compress::Gz, 5, &mut sos).expect("in memory");
    let mut journal = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    bulk::write_logs(Shape::Journal, SIZE, 5, &mut journal).expect("in memory");
    let journal = journal.finish().expect("in memory");
    let inputs: [(&str, Arc<[u8]>); 2] = [
        (
            "sosreport-bench-node-7-2021-01-15-abcdef.tar.gz",
            sos.into(),
        ),
        ("journal.gz", journal.into()),
    ];
    let engine = analyzer_core::rules::load(&[]).expect("built-in rules compile");
    let server = start();
    let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
    let mut g = c.benchmark_group("serve");
    for (name, body) in &inputs {
        let short = if name.ends_with(".tar.gz") {
            "sos-32M.tar.gz"
        } else {
            "journal-32M.gz"
        };
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function(format!("analyze/{short}"), |b| {
            b.iter(|| analyze(&engine, name, body))
        });
        g.bench_function(format!("upload/{short}"), |b| {
            b.iter(|| upload(&agent, &server.base, name, body))
        });
        g.throughput(Throughput::Bytes(4 * body.len() as u64));
        g.bench_function(format!("analyze-x4/{short}"), |b| {
            b.iter_custom(|iters| parallel(iters, 4, || analyze(&engine, name, body)))
        });
        g.bench_function(format!("upload-x4/{short}"), |b| {
            b.iter_custom(|iters| parallel(iters, 4, || upload(&agent, &server.base, name, body)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(20));
    targets = serve
}
criterion_main!(benches);
