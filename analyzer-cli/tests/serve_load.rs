//! Load on `nodemortem serve` as a process: 8 concurrent uploads of a 30 MB gzip-compressed
//! journal (about 270 MB decompressed each; the busy-node journal of `benches`, an incident
//! block every 25 000 lines) all stored with the right findings, while the server's peak
//! resident memory (`VmHWM`) stays under 1 GiB.
//!
//! Full size in release builds (`cargo test --release -p analyzer-cli --test integration
//! serve_load::`, which CI runs); debug builds run the same case at 1/50 of the size so `cargo
//! test` stays quick.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::serve_support::*;
use benches::bulk::{self, INCIDENT_EVERY};
use benches::noise::Shape;

/// Peak resident memory allowed to the server.
const MAX_HWM: u64 = 1 << 30;

/// Concurrent uploads.
const UPLOADS: usize = 8;

/// Full size in release builds, 1/50 in debug builds.
fn scaled(n: u64) -> u64 {
    if cfg!(debug_assertions) { n / 50 } else { n }
}

#[test]
fn eight_concurrent_uploads_of_a_30_mb_log() {
    // 30 MB compressed: the journal compresses about 9:1 at gzip level 6.
    let plain_size = scaled(270 << 20);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let written = bulk::write_logs(Shape::Journal, plain_size, 7, &mut gz).unwrap();
    gz.flush().unwrap();
    let body = Arc::new(gz.finish().unwrap());
    let incidents = written.incidents;
    eprintln!(
        "log: {} MiB, {} lines, {} incident blocks; gzip {} MiB",
        written.bytes >> 20,
        written.lines,
        incidents,
        body.len() >> 20
    );
    assert!(
        incidents >= 1,
        "at least one incident block (every {INCIDENT_EVERY} lines)"
    );

    let dir = tempfile::tempdir().unwrap();
    let s = Arc::new(serve(
        &dir.path().join("data"),
        &["--max-concurrent", &UPLOADS.to_string()],
    ));
    let started = Instant::now();
    let clients: Vec<_> = (0..UPLOADS)
        .map(|i| {
            let (s, body) = (Arc::clone(&s), Arc::clone(&body));
            std::thread::spawn(move || {
                post(
                    &s.url(&format!(
                        "/api/v1/analyses?name=journal-{i}.gz&host=bench-node-7"
                    )),
                    &body,
                )
            })
        })
        .collect();
    let mut peak = (0, 0);
    while !clients.iter().all(|c| c.is_finished()) {
        let (hwm, anon) = s.memory();
        peak = (peak.0.max(hwm), peak.1.max(anon));
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "uploads still running after 600 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let seconds = started.elapsed().as_secs_f64();
    let answers: Vec<(u16, serde_json::Value)> =
        clients.into_iter().map(|c| c.join().unwrap()).collect();
    let (hwm, _) = s.memory();
    peak.0 = peak.0.max(hwm);
    eprintln!(
        "{UPLOADS} uploads of {} MiB in {seconds:.1} s ({:.1} MB/s received); server VmHWM {} MiB, peak RssAnon {} MiB",
        body.len() >> 20,
        (UPLOADS * body.len()) as f64 / seconds / 1e6,
        peak.0 >> 20,
        peak.1 >> 20
    );
    let mut ids: Vec<i64> = answers
        .iter()
        .map(|(status, v)| {
            assert_eq!(*status, 201, "{v}");
            v["id"].as_i64().unwrap()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, (1..=UPLOADS as i64).collect::<Vec<_>>());
    for id in ids {
        let got: serde_json::Value =
            serde_json::from_str(&get(&s.url(&format!("/api/v1/analyses/{id}"))).1).unwrap();
        assert_eq!(got["size"], body.len() as u64);
        assert_eq!(got["host"], "bench-node-7");
        assert_eq!(got["partial"], false);
        assert_eq!(got["report"]["stats"]["bytes"], written.bytes);
        let oom = got["report"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "oom-kill")
            .unwrap_or_else(|| panic!("analysis {id}: no oom-kill finding"));
        // One OOM kill in every fifth incident block (the blocks cycle through five kinds).
        let kills = incidents.div_ceil(5);
        let summary = oom["summary"].as_str().unwrap();
        assert!(
            summary.starts_with("the kernel OOM killer was invoked ")
                && summary.contains(&format!(": {kills} kill(s), first victim ")),
            "analysis {id}: {}",
            oom["summary"]
        );
    }
    assert!(
        peak.0 < MAX_HWM,
        "server peak resident memory {} MiB",
        peak.0 >> 20
    );
    assert_eq!(
        metric(&s, "nodemortem_uploads_total{outcome=\"stored\"}"),
        Some(UPLOADS as f64)
    );
}
