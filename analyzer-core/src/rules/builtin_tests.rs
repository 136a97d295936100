//! Tests of the built-in rule library: the whole set compiles and is complete, and every rule
//! fires on the real lines it was written from and stays quiet (or low) on near misses.

use std::sync::OnceLock;

use super::engine::{Engine, Observation, Observations};
use super::spec::{self, RuleSpec};
use super::testkit::*;
use crate::base::{Confidence, Finding, Severity, Source};

mod kernel;
mod kubelet;
mod runtime;
mod stacks;
mod summaries;

/// The built-in engine, compiled once for all tests.
fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(builtin)
}

/// The built-in engine with the literal prefilter off: every pattern runs on every record.
fn unfiltered() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let mut e = builtin();
        e.set_prefilter(false);
        e
    })
}

/// Scans `lines` as one member named `var/log/messages`, adds `extra` observations and
/// returns the finding of `rule`, if it fired. Every call also checks that the literal
/// prefilter changes nothing: a literal list that misses a form the pattern accepts fails here.
fn run(rule: &str, lines: &[Line<'_>], extra: Vec<Observation>) -> Option<Finding> {
    let found = |e: &Engine| {
        let mut obs = Observations::default();
        scan_into(e, &mut obs, "var/log/messages", lines);
        obs.observations.extend(extra.clone());
        finding(e, &obs, rule)
    };
    let with = found(engine());
    let without = found(unfiltered());
    assert_eq!(
        with.as_ref().map(|f| (f.score, &f.summary, lines_of(f))),
        without.as_ref().map(|f| (f.score, &f.summary, lines_of(f))),
        "{rule}: the prefilter changes the finding"
    );
    with
}

fn lines_of(f: &Finding) -> Vec<u32> {
    f.evidence.iter().map(|e| e.line).collect()
}

/// Evidence line numbers of a finding.
fn lines(f: &Finding) -> Vec<u32> {
    f.evidence.iter().map(|e| e.line).collect()
}

/// The ids of the rules this part of the library provides.
const IDS: &[&str] = &[
    "pleg-unhealthy",
    "container-runtime-down",
    "dockerd-containerd-unreachable",
    "oom-kill",
    "pids-fork-rejected",
    "hung-task",
    "unregister-netdevice-leak",
    "conntrack-table-full",
    "orphaned-pod-volumes",
    "device-busy-remove",
    "shim-task-create-failed",
    "inotify-exhausted",
    "overlay-no-dtype",
    "image-gc-failed",
    "eviction-pressure",
    "page-allocation-failure",
    "taskoom-event-storm",
    "filesystem-readonly",
    "fs-io-error",
    "corrupt-image-layer",
    "kernel-oops",
    "netns-restore-failed",
    "frequent-daemon-restart",
    "goroutine-deadlock",
    "lock-convoy",
];

/// Every built-in rule compiles on its own (the rules it explains aside); all faults are
/// listed at once.
#[test]
fn every_builtin_rule_compiles() {
    let faults: Vec<String> = super::builtin()
        .iter()
        .filter_map(|(name, text)| Engine::compile([(*name, *text)]).err())
        .filter(|e| !matches!(e, crate::error::Error::Rule { field, .. } if field == "explains"))
        .map(|e| e.to_string())
        .collect();
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
fn every_builtin_rule_is_complete() {
    let e = engine();
    for id in IDS {
        let r = e.rule(id).unwrap_or_else(|| panic!("rule {id} is missing"));
        assert_eq!(r.origin, format!("builtin/{id}.toml"), "file name = id");
        let s = &r.spec;
        assert!(!s.title.trim().is_empty(), "{id}: title");
        assert!(s.explanation.trim().len() > 200, "{id}: explanation");
        assert!(!s.remediation.trim().is_empty(), "{id}: remediation");
        assert!(!s.references.is_empty(), "{id}: references");
        for url in &s.references {
            assert!(url.starts_with("https://github.com/"), "{id}: {url}");
        }
        assert!(s.summary.contains('{'), "{id}: summary has no placeholder");
    }
    for (name, _) in super::builtin() {
        let id = name
            .trim_start_matches("builtin/")
            .trim_end_matches(".toml");
        assert!(e.rule(id).is_some(), "{name} has no rule of that id");
    }
}

/// Each log item of each built-in rule, compiled alone, feeds the prefilter: a pattern without
/// a literal would run its regex on every record.
#[test]
fn every_log_item_has_a_prefilter_literal() {
    for (name, text) in super::builtin() {
        let spec: RuleSpec = spec::parse_rule(name, text).expect("parses");
        for item in spec.evidence.iter().filter(|i| i.kind.get_ref() == "log") {
            let mut one = spec.clone();
            one.explains.clear();
            let mut it = item.clone();
            it.role = toml::Spanned::new(0..0, "required".to_string());
            it.after = None;
            one.evidence = vec![it];
            let text = toml::to_string(&one).expect("serialises");
            let e = Engine::compile([(name.to_owned(), text.as_str())])
                .unwrap_or_else(|err| panic!("{name}: {err}"));
            let lits = e.literals();
            assert!(
                !lits.is_empty() && lits.iter().all(|l| l.len() >= 4),
                "{name} item {}: literals {lits:?}",
                item.id.get_ref()
            );
        }
    }
}

#[test]
fn severities_follow_the_guidance() {
    let e = engine();
    let sev = |id: &str| e.rule(id).expect(id).severity;
    for id in [
        "container-runtime-down",
        "dockerd-containerd-unreachable",
        "hung-task",
        "kernel-oops",
        "goroutine-deadlock",
        "lock-convoy",
        "filesystem-readonly",
    ] {
        assert_eq!(sev(id), Severity::Critical, "{id}");
    }
    for id in [
        "orphaned-pod-volumes",
        "device-busy-remove",
        "taskoom-event-storm",
    ] {
        assert_eq!(sev(id), Severity::Medium, "{id}");
    }
}

/// A healthy node's routine lines (boot starts, kube-proxy sizing conntrack, one orphan report
/// during teardown, `Supports d_type: true`, the ext4 mount message) fire nothing.
#[test]
fn healthy_node_lines_fire_nothing() {
    let e = engine();
    let mut obs = Observations::default();
    scan_into(
        e,
        &mut obs,
        "var/log/syslog",
        &[
            (
                Source::Kernel,
                "kernel",
                "09:00:00",
                "EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)",
            ),
            (
                Source::Systemd,
                "systemd",
                "09:00:01",
                "Started containerd container runtime.",
            ),
            (
                Source::Systemd,
                "systemd",
                "09:00:02",
                "Started Docker Application Container Engine.",
            ),
            (
                Source::Systemd,
                "systemd",
                "09:00:03",
                "Started kubelet: The Kubernetes Node Agent.",
            ),
            (
                Source::KubeProxy,
                "kube-proxy",
                "09:00:04",
                "I0820 09:00:04.000000       1 conntrack.go:52] Setting nf_conntrack_max to 786432",
            ),
            (
                Source::Other,
                "docker-info",
                "09:00:05",
                " Supports d_type: true",
            ),
            (
                Source::Kubelet,
                "kubelet",
                "09:30:00",
                "E0820 09:30:00.000000    2765 kubelet_volumes.go:154] Orphaned pod \"f7a3c1d2-9b8e-11e7-8a5f-0e1c2d3e4f50\" found, but volume paths are still present on disk : There were a total of 1 errors similar to this. Turn up verbosity to see them.",
            ),
        ],
    );
    assert_eq!(fired(e, &obs), vec![]);
}
