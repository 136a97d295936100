//! End-to-end: `nodemortem analyze` on every bundle in `corpus/`, compared with its
//! `expected.json`.
//!
//! `expected.json` keys: `top` (rule of the first finding), `fire` (rules that must fire,
//! anywhere in the tree), `not_fire` (rules that must not), `max_severity` (highest severity over
//! all findings), and optional `evidence` (`[{"rule", "path", "line"}]` that must be cited).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

fn bundles() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    v.sort();
    v
}

fn analyze(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["analyze", "--format", "json"])
        .arg(path)
        .output()
        .expect("run nodemortem");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{}: exit {code}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: bad JSON: {e}", path.display()))
}

fn flatten<'a>(findings: &'a [Value], out: &mut Vec<&'a Value>) {
    for f in findings {
        out.push(f);
        if let Some(ex) = f["explains"].as_array() {
            flatten(ex, out);
        }
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "info" => 0,
        "low" => 1,
        "medium" => 2,
        "high" => 3,
        "critical" => 4,
        _ => panic!("unknown severity {s}"),
    }
}

/// One bundle per seed rule (8), at least ten common-failure bundles and a healthy node.
#[test]
fn the_corpus_covers_every_seed_rule() {
    let bundles = bundles();
    assert!(
        bundles.len() >= 19,
        "expected at least 19 corpus bundles, found {}",
        bundles.len()
    );
    let mut tops = std::collections::BTreeSet::new();
    let mut fired = std::collections::BTreeSet::new();
    for b in &bundles {
        let e: Value =
            serde_json::from_slice(&std::fs::read(b.join("expected.json")).unwrap()).unwrap();
        if let Some(t) = e["top"].as_str() {
            tops.insert(t.to_string());
        }
        for r in e["fire"].as_array().into_iter().flatten() {
            fired.insert(r.as_str().unwrap().to_string());
        }
    }
    for rule in [
        "runc-exec-fifo-hang",
        "devicemapper-thinpool-missing",
        "pod-terminating-runtime-timeout",
        "runtime-state-mismatch",
        "runc-init-pids-exhausted",
        "volume-remove-lock",
        "leaked-netns-ip-conflict",
        "orphaned-shim",
    ] {
        assert!(fired.contains(rule), "no bundle expects {rule} to fire");
    }
    let seed = [
        "runc-exec-fifo-hang",
        "devicemapper-thinpool-missing",
        "pod-terminating-runtime-timeout",
        "runtime-state-mismatch",
        "runc-init-pids-exhausted",
        "volume-remove-lock",
        "orphaned-shim",
    ];
    let common = tops.iter().filter(|t| !seed.contains(&t.as_str())).count();
    assert!(
        common >= 10,
        "only {common} distinct top rules outside the seed set: {tops:?}"
    );
}

#[test]
fn every_bundle_matches_its_expectations() {
    let bundles = bundles();
    let mut failures = Vec::new();
    for b in &bundles {
        let name = b.file_name().unwrap().to_string_lossy().to_string();
        let expected: Value =
            serde_json::from_slice(&std::fs::read(b.join("expected.json")).unwrap()).unwrap();
        let report = analyze(b);
        let top_level = report["findings"].as_array().cloned().unwrap_or_default();
        let mut all = Vec::new();
        flatten(&top_level, &mut all);
        let fired: Vec<&str> = all.iter().map(|f| f["rule"].as_str().unwrap()).collect();
        let top = top_level
            .first()
            .map(|f| f["rule"].as_str().unwrap().to_string());
        if let Some(want) = expected["top"].as_str() {
            if top.as_deref() != Some(want) {
                failures.push(format!(
                    "{name}: top is {top:?}, expected {want} (fired: {fired:?})"
                ));
            }
        } else if expected["top"].is_null()
            && !top_level.is_empty()
            && expected.get("top").is_some()
        {
            failures.push(format!("{name}: expected no finding, got {fired:?}"));
        }
        for r in expected["fire"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !fired.contains(&r) {
                failures.push(format!("{name}: {r} did not fire (fired: {fired:?})"));
            }
        }
        for r in expected["not_fire"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            if fired.contains(&r) {
                failures.push(format!("{name}: {r} fired but must not"));
            }
        }
        // `max_severity` is what a reader acts on: a confirmed finding at its severity, one that
        // is only likely or possible at most `low` (a condition to check, not an incident).
        let max = all
            .iter()
            .map(|f| {
                let sev = severity_rank(f["severity"].as_str().unwrap());
                if f["confidence"] == "confirmed" {
                    sev
                } else {
                    sev.min(severity_rank("low"))
                }
            })
            .max();
        if let Some(want) = expected["max_severity"].as_str() {
            if max != Some(severity_rank(want)) {
                failures.push(format!(
                    "{name}: max severity rank {max:?}, expected {want}"
                ));
            }
        }
        for e in expected["evidence"].as_array().into_iter().flatten() {
            let rule = e["rule"].as_str().unwrap();
            let path = e["path"].as_str().unwrap();
            let line = e["line"].as_u64().unwrap();
            let cited = all.iter().filter(|f| f["rule"] == rule).any(|f| {
                f["evidence"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|ev| ev["path"] == path && ev["line"].as_u64() == Some(line))
            });
            if !cited {
                failures.push(format!("{name}: {rule} does not cite {path}:{line}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "corpus mismatches:\n{}",
        failures.join("\n")
    );
}
