use super::scan::KEEP_TEXT;
use super::*;
use crate::base::time::{LocalTime, RawTime};
use crate::base::{Severity, Source, Timestamp};
use crate::error::Error;
use crate::model::time::{Clock, YearTracker};
use crate::parse::Record;

/// A rule with a required kernel OOM pattern, a supporting dockerd pattern with a count and a
/// window, and an `against` item.
const RULE_A: &str = r#"
id = "cause"
title = "A cause"
severity = "critical"
summary = "saw {oom.count} kill(s) of {oom.comm}[[ and {api.count} list calls]]"
explanation = "x"
remediation = "do y"
references = ["https://example.invalid/1"]
explains = ["consequence"]
window = "1h"

[[evidence]]
id = "oom"
kind = "log"
role = "required"
weight = 50
sources = ["kernel"]
pattern = 'Memory cgroup out of memory: Kill(?:ed)? process \d+ \((?P<comm>[^)]*(?:\)[^)]*)*)\)'
describe = "an OOM kill"

[[evidence]]
id = "api"
kind = "log"
weight = 30
sources = ["dockerd"]
pattern = 'Calling GET /v1\.\d+/containers/json'
min_count = 3
within = "10s"
describe = "repeated list calls"

[[evidence]]
id = "healthy"
kind = "log"
role = "against"
weight = 40
pattern = 'all is well'
describe = "health"
"#;

const RULE_B: &str = r#"
id = "consequence"
title = "A consequence"
severity = "high"
summary = "kubelet timed out {t.count} times"
explanation = "x"
remediation = "z"

[[evidence]]
id = "t"
kind = "log"
role = "required"
sources = ["kubelet"]
pattern = 'StopContainer .* context deadline exceeded'
describe = "timeouts"
"#;

fn rec<'a>(data: &'a [u8], line_start: usize, line_no: u32, source: Source, sec: u8) -> Record<'a> {
    let end = data[line_start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |p| line_start + p);
    let raw = &data[line_start..end];
    Record {
        source,
        time: RawTime::Local(LocalTime {
            year: None,
            month: 8,
            day: 20,
            hour: 10,
            minute: 25,
            second: sec,
            micros: 0,
        }),
        ..Record::bare(line_start as u64, line_no, raw)
    }
}

/// Scans `lines` (source, second, text) as one member and returns the observations.
fn scan(engine: &Engine, lines: &[(Source, u8, &str)]) -> Observations {
    let mut data = Vec::new();
    let mut starts = Vec::new();
    for (_, _, t) in lines {
        starts.push(data.len());
        data.extend_from_slice(t.as_bytes());
        data.push(b'\n');
    }
    let mut s = engine.scan(&data);
    let mut years = YearTracker::new();
    for (i, (src, sec, _)) in lines.iter().enumerate() {
        let r = rec(&data, starts[i], i as u32 + 1, *src, *sec);
        let e = years.observe(&r.time);
        s.record(&r, e);
    }
    let hits = s.finish(&data, 0, years.finish());
    Observations {
        members: vec!["var/log/messages".into()],
        hits,
        ..Observations::default()
    }
}

fn clock() -> Clock {
    Clock {
        anchor: Timestamp::parse_rfc3339(b"2020-08-21T00:00:00Z"),
        ..Clock::default()
    }
}

#[test]
fn required_missing_means_no_finding() {
    let e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    let obs = scan(
        &e,
        &[(
            Source::Dockerd,
            1,
            "level=debug msg=\"Calling GET /v1.27/containers/json?all=1\"",
        )],
    );
    assert!(e.evaluate(&obs, &clock()).is_empty());
}

#[test]
fn supporting_evidence_raises_the_score_and_missing_is_listed() {
    let e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    let oom = "Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child";
    let only_oom = scan(&e, &[(Source::Kernel, 0, oom)]);
    let f = e.evaluate(&only_oom, &clock());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "cause");
    assert_eq!(f[0].score, 63); // 50 of 80
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].missing, vec!["repeated list calls".to_string()]);
    assert_eq!(f[0].summary, "saw 1 kill(s) of runc:[2:INIT]");
    assert_eq!(f[0].evidence.len(), 1);
    assert_eq!(f[0].evidence[0].line, 1);
    assert_eq!(f[0].evidence[0].label, "oom");
    assert_eq!(
        f[0].evidence[0].time.unwrap().to_rfc3339(),
        "2020-08-20T10:25:00Z"
    );
    let hl = f[0].evidence[0].highlight.unwrap();
    assert!(
        f[0].evidence[0].text[hl.0..hl.1]
            .starts_with("Memory cgroup out of memory: Kill process 20357")
    );

    let api = "level=debug msg=\"Calling GET /v1.27/containers/json?all=1\"";
    let both = scan(
        &e,
        &[
            (Source::Kernel, 0, oom),
            (Source::Dockerd, 1, api),
            (Source::Dockerd, 2, api),
            (Source::Dockerd, 3, api),
        ],
    );
    let f = e.evaluate(&both, &clock());
    assert_eq!(f[0].score, 100);
    assert!(f[0].missing.is_empty());
    assert_eq!(
        f[0].summary,
        "saw 1 kill(s) of runc:[2:INIT] and 3 list calls"
    );
    // One line for the OOM, first/middle/last of the API loop.
    assert_eq!(
        f[0].evidence.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
}

#[test]
fn counts_must_fall_within_the_window() {
    let e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    let oom = "Memory cgroup out of memory: Killed process 1 (java) total-vm:1kB";
    let api = "Calling GET /v1.41/containers/json";
    // Three calls spread over 40 s do not make "3 within 10 s".
    let spread = scan(
        &e,
        &[
            (Source::Kernel, 0, oom),
            (Source::Dockerd, 0, api),
            (Source::Dockerd, 20, api),
            (Source::Dockerd, 40, api),
        ],
    );
    assert_eq!(e.evaluate(&spread, &clock())[0].score, 63);
    let close = scan(
        &e,
        &[
            (Source::Kernel, 0, oom),
            (Source::Dockerd, 30, api),
            (Source::Dockerd, 35, api),
            (Source::Dockerd, 40, api),
        ],
    );
    assert_eq!(e.evaluate(&close, &clock())[0].score, 100);
}

#[test]
fn sources_filter_records() {
    let e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    // The OOM text in a dockerd record is not a kernel OOM.
    let obs = scan(
        &e,
        &[(
            Source::Dockerd,
            0,
            "Memory cgroup out of memory: Kill process 1 (x) score 1",
        )],
    );
    assert!(e.evaluate(&obs, &clock()).is_empty());
}

#[test]
fn against_evidence_lowers_the_score_below_confirmation() {
    let e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    let obs = scan(
        &e,
        &[
            (
                Source::Kernel,
                0,
                "Memory cgroup out of memory: Kill process 1 (x) score 1",
            ),
            (Source::Other, 1, "all is well"),
        ],
    );
    let f = e.evaluate(&obs, &clock());
    assert_eq!(f[0].score, 13); // (50 - 40) of 80
    // The condition is as bad as ever; only the confidence drops.
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].confidence, crate::base::Confidence::Possible);
    assert_eq!(f[0].missing, vec!["repeated list calls"]);
}

/// Against evidence that weighs as much as everything found (or more) means another cause: the
/// rule does not fire at all.
#[test]
fn against_evidence_outweighing_the_finding_suppresses_it() {
    let rule = RULE_A.replace(
        "weight = 40\npattern = 'all is well'",
        "weight = 50\npattern = 'all is well'",
    );
    assert_ne!(rule, RULE_A);
    let e = Engine::compile([("a.toml", rule.as_str()), ("b.toml", RULE_B)]).unwrap();
    let obs = scan(
        &e,
        &[
            (
                Source::Kernel,
                0,
                "Memory cgroup out of memory: Kill process 1 (x) score 1",
            ),
            (Source::Other, 1, "all is well"),
        ],
    );
    assert!(e.evaluate(&obs, &clock()).is_empty());
}

/// Confidence words: confirmed at the confirmation score, likely from three fifths of it,
/// possible below.
#[test]
fn confidence_words_follow_the_confirmation_score() {
    use crate::base::Confidence::{self, *};
    for (score, confirm, word) in [
        (50, 50, Confirmed),
        (49, 50, Likely),
        (30, 50, Likely),
        (29, 50, Possible),
        (24, 40, Likely),
        (23, 40, Possible),
        (18, 30, Likely),
        (100, 100, Confirmed),
        (59, 100, Possible),
        (1, 1, Confirmed),
    ] {
        assert_eq!(Confidence::of(score, confirm), word, "{score} of {confirm}");
    }
}

#[test]
fn explained_findings_nest_under_their_cause() {
    let e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    let obs = scan(
        &e,
        &[
            (
                Source::Kernel,
                0,
                "Memory cgroup out of memory: Kill process 1 (x) score 1",
            ),
            (
                Source::Kubelet,
                5,
                "E0820 10:25:05.1 1 remote_runtime.go:243] StopContainer \"ff\" from runtime service failed: rpc error: code = Unknown desc = operation timeout: context deadline exceeded",
            ),
        ],
    );
    let f = e.evaluate(&obs, &clock());
    assert_eq!(f.len(), 1, "the consequence is nested, not beside");
    assert_eq!(f[0].rule, "cause");
    assert_eq!(f[0].explains.len(), 1);
    assert_eq!(f[0].explains[0].rule, "consequence");
    assert_eq!(f[0].explains[0].summary, "kubelet timed out 1 times");
    // Without the cause, the consequence stands alone.
    let obs = scan(
        &e,
        &[(
            Source::Kubelet,
            5,
            "StopContainer \"ff\" failed: context deadline exceeded",
        )],
    );
    let f = e.evaluate(&obs, &clock());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "consequence");
}

#[test]
fn sequences_count_only_after_the_first_match() {
    let rule = r#"
id = "seq"
title = "t"
severity = "high"
summary = "{b.count} after"
explanation = "x"
remediation = "y"
[[evidence]]
id = "a"
kind = "log"
role = "required"
pattern = 'dockerd killed'
describe = "a"
[[evidence]]
id = "b"
kind = "log"
role = "required"
pattern = 'shim orphaned'
after = "a"
describe = "b after a"
"#;
    let e = Engine::compile([("s.toml", rule)]).unwrap();
    let before = scan(
        &e,
        &[
            (Source::Other, 1, "shim orphaned"),
            (Source::Other, 2, "dockerd killed"),
        ],
    );
    assert!(e.evaluate(&before, &clock()).is_empty());
    let after = scan(
        &e,
        &[
            (Source::Other, 1, "shim orphaned"),
            (Source::Other, 2, "dockerd killed"),
            (Source::Other, 3, "shim orphaned"),
        ],
    );
    let f = e.evaluate(&after, &clock());
    assert_eq!(f[0].summary, "1 after");
}

#[test]
fn observations_match_kind_conditions_and_thresholds() {
    let rule = r#"
id = "lock"
title = "t"
severity = "critical"
summary = "holder {l.holder} blocks {l.transitive_waiters} goroutines"
explanation = "x"
remediation = "y"
[[evidence]]
id = "l"
kind = "stacks"
predicate = "lock"
role = "required"
frames = 'volume/local\.\(\*Root\)\.Remove'
min_waiters = 50
activity = "filesystem"
describe = "a lock"
[[evidence]]
id = "v"
kind = "version"
component = "docker"
below = "19.03"
describe = "old docker"
"#;
    let e = Engine::compile([("l.toml", rule)]).unwrap();
    let lock = |waiters: u64, activity: &str| Observation {
        kind: "lock".into(),
        fields: [
            ("holder", "512".to_string()),
            (
                "holder_frames",
                "github.com/docker/docker/volume/local.(*Root).Remove\nos.RemoveAll".to_string(),
            ),
            ("transitive_waiters", waiters.to_string()),
            ("activity", activity.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        weight: 1,
        time: None,
        evidence: vec![],
        stack: None,
    };
    let version = |v: &str| Observation {
        kind: "version".into(),
        fields: [
            ("component".to_string(), "docker".to_string()),
            ("version".to_string(), v.to_string()),
        ]
        .into(),
        weight: 1,
        time: None,
        evidence: vec![],
        stack: None,
    };
    let mut obs = Observations::default();
    obs.observations.push(lock(49, "filesystem"));
    assert!(e.evaluate(&obs, &clock()).is_empty());
    obs.observations.push(lock(230, "rpc"));
    assert!(e.evaluate(&obs, &clock()).is_empty());
    obs.observations.push(lock(230, "filesystem"));
    obs.observations.push(version("18.09.9"));
    let f = e.evaluate(&obs, &clock());
    assert_eq!(f[0].summary, "holder 512 blocks 230 goroutines");
    assert_eq!(f[0].score, 100);
    obs.observations.pop();
    obs.observations.push(version("20.10.7"));
    assert_eq!(e.evaluate(&obs, &clock())[0].score, 50);
}

#[test]
fn prefilter_changes_nothing() {
    let mut e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    let lines = [
        (
            Source::Kernel,
            0,
            "Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child",
        ),
        (
            Source::Dockerd,
            1,
            "Calling GET /v1.27/containers/json?all=1",
        ),
        (
            Source::Dockerd,
            2,
            "Calling GET /v1.27/containers/json?all=1",
        ),
        (
            Source::Dockerd,
            3,
            "Calling GET /v1.27/containers/json?all=1",
        ),
        (
            Source::Kubelet,
            3,
            "StopContainer x: context deadline exceeded",
        ),
        (Source::Other, 9, "all is well"),
    ];
    let with = format!("{:?}", e.evaluate(&scan(&e, &lines), &clock()));
    e.set_prefilter(false);
    let without = format!("{:?}", e.evaluate(&scan(&e, &lines), &clock()));
    assert_eq!(with, without);
}

/// File, line, field and message of the error compiling `text` as `name`.
fn error(name: &str, text: &str) -> (String, usize, String, String) {
    match Engine::compile([(name, text)]) {
        Err(Error::Rule {
            file,
            line,
            field,
            message,
        }) => (file, line, field, message),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn rule_file_errors_name_file_line_and_field() {
    let bad_regex = RULE_B.replace("StopContainer .* context", "StopContainer (.* context");
    let (file, line, field, _) = error("user/b.toml", &bad_regex);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("user/b.toml", 14, "evidence[0].pattern")
    );
    let bad_sev = RULE_B.replace("\"high\"", "\"urgent\"");
    let (_, line, field, message) = error("b.toml", &bad_sev);
    assert_eq!((line, field.as_str()), (4, "severity"));
    assert!(message.contains("urgent"));
    let (_, _, field, message) = error("a.toml", RULE_A);
    assert_eq!(field, "explains");
    assert!(message.contains("consequence"));
    // Weights are bounded, so score sums are exact.
    let heavy = RULE_A.replace("weight = 50", "weight = 4000000000");
    let (_, line, field, message) = error("a.toml", &heavy);
    assert_eq!((line, field.as_str()), (16, "evidence[0].weight"));
    assert!(
        message.starts_with("4000000000 is more than 1000"),
        "{message}"
    );
    // Durations too long for the clock are errors, not overflows (found by fuzzing).
    let long_window = RULE_A.replace("window = \"1h\"", "window = \"222222222222222221h\"");
    let long_within = RULE_A.replace("within = \"10s\"", "within = \"1d99999999999999999999s\"");
    for (text, want) in [
        (&long_window, (10, "window")),
        (&long_within, (28, "evidence[1].within")),
    ] {
        let (_, line, field, message) = error("a.toml", text);
        assert_eq!((line, field.as_str()), want);
        assert!(message.ends_with("(out of range)"), "{message}");
    }
}

#[test]
fn many_identical_lines_keep_bounded_text() {
    let e = Engine::compile([("b.toml", RULE_B)]).unwrap();
    let line = (
        Source::Kubelet,
        1,
        "StopContainer x: context deadline exceeded",
    );
    let lines = vec![line; 5000];
    let obs = scan(&e, &lines);
    assert_eq!(obs.hits[0].hits.count, 5000);
    assert_eq!(obs.hits[0].hits.first.len(), KEEP_TEXT);
    assert_eq!(obs.hits[0].hits.last.len(), KEEP_TEXT);
    assert_eq!(obs.hits[0].hits.last.last().unwrap().line, 5000);
    assert_eq!(obs.hits[0].hits.last[0].line, 5000 - KEEP_TEXT as u32 + 1);
}

#[test]
fn groups_are_alternatives() {
    let rule = r#"
id = "g"
title = "t"
severity = "high"
summary = "s"
explanation = "x"
remediation = "y"
[[evidence]]
id = "a"
kind = "log"
role = "required"
group = "symptom"
weight = 20
pattern = 'read init-p: connection reset by peer'
describe = "runc init-p reset"
[[evidence]]
id = "b"
kind = "log"
role = "required"
group = "symptom"
weight = 30
pattern = 'pthread_create failed: Resource temporarily unavailable'
describe = "runc thread creation failing"
[[evidence]]
id = "c"
kind = "log"
weight = 70
pattern = 'pids\.max reached'
describe = "the limit"
"#;
    let e = Engine::compile([("g.toml", rule)]).unwrap();
    assert!(
        e.evaluate(&scan(&e, &[(Source::Other, 1, "nothing")]), &clock())
            .is_empty()
    );
    let a = e.evaluate(
        &scan(
            &e,
            &[(Source::Other, 1, "x read init-p: connection reset by peer")],
        ),
        &clock(),
    );
    assert_eq!(a[0].score, 20); // 20 of (30 + 70)
    // The stronger alternative of the group that a weaker one stood in for, then the rest.
    assert_eq!(
        a[0].missing,
        vec!["runc thread creation failing", "the limit"]
    );
    let b = e.evaluate(
        &scan(
            &e,
            &[
                (Source::Other, 1, "read init-p: connection reset by peer"),
                (
                    Source::Other,
                    2,
                    "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
                ),
            ],
        ),
        &clock(),
    );
    assert_eq!(b[0].score, 30);
    assert_eq!(b[0].evidence.len(), 2);
    let none = e.evaluate(
        &scan(&e, &[(Source::Other, 1, "pids.max reached")]),
        &clock(),
    );
    assert!(none.is_empty());
    let mixed = rule.replacen(
        "role = \"required\"\ngroup",
        "role = \"supporting\"\ngroup",
        1,
    );
    assert!(matches!(
        Engine::compile([("g.toml", mixed.as_str())]),
        Err(Error::Rule { .. })
    ));
}

/// A sosreport holds the journal whole and again for the current boot, and a daemon's log file
/// repeats its journal lines: a record copied in several members counts once (per second, the
/// member with the most matches stands for all), while matches of one member are never merged.
#[test]
fn records_copied_in_several_members_count_once() {
    let e = Engine::compile([("b.toml", RULE_B)]).unwrap();
    let t = "E0820 10:25:05.1 1 remote_runtime.go:243] StopContainer \"ff\" from runtime service failed: rpc error: code = Unknown desc = operation timeout: context deadline exceeded";
    let k = Source::Kubelet;
    // The whole journal: two timeouts in second 5, one in 9, one in 20.
    let mut whole = scan(&e, &[(k, 5, t), (k, 5, t), (k, 9, t), (k, 20, t)]);
    // The boot's journal: a copy of seconds 5 (one of the two) and 9, and one in 30 only it has.
    let boot = scan(&e, &[(k, 5, t), (k, 9, t), (k, 30, t)]);
    // The archive holds the boot's journal first.
    for h in &mut whole.hits {
        h.member = 1;
    }
    let obs = Observations {
        members: vec![
            "sos_commands/logs/journalctl_--no-pager_--catalog_--boot".into(),
            "sos_commands/logs/journalctl_--no-pager".into(),
        ],
        hits: boot.hits.into_iter().chain(whole.hits).collect(),
        ..Observations::default()
    };
    let f = e.evaluate(&obs, &clock());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].summary, "kubelet timed out 5 times");
    let cited: Vec<_> = f[0]
        .evidence
        .iter()
        .map(|ev| (ev.path.rsplit('_').next().unwrap_or_default(), ev.line))
        .collect();
    // First, middle and last of the distinct records: line 1 is cited from the whole journal
    // (first in path order, as the timeline shows it), not again from its copy.
    assert_eq!(
        cited,
        vec![("--no-pager", 1), ("--no-pager", 3), ("--boot", 3)]
    );
}

/// A rule with one item of each kind that tests fields (a fact, an event, a stacks lock and a
/// version, from lines 9, 18, 26 and 35), each with a condition on a real field.
const RULE_FIELDS: &str = r#"
id = "fields"
title = "Fields"
severity = "high"
summary = "s"
explanation = "x"
remediation = "y"

[[evidence]]
id = "shim"
kind = "fact"
fact = "orphaned-shim"
role = "required"
describe = "an orphaned shim"
[evidence.where]
daemon_running = '^false$'

[[evidence]]
id = "hung"
kind = "event"
event = "hung-task"
describe = "a hung task"
[evidence.where]
trace = 'copy_net_ns'

[[evidence]]
id = "lock"
kind = "stacks"
predicate = "lock"
frames = 'volume/local'
describe = "a held lock"
[evidence.where]
max_wait_minutes = '^[1-9]'

[[evidence]]
id = "docker"
kind = "version"
component = "docker"
describe = "docker"
[evidence.where]
version = '^17\.'
"#;

/// Rule files naming a fact kind or a field that no observation has fail to load, naming the
/// file, the line and the field; the same names spelt right load.
#[test]
fn unknown_kinds_and_fields_name_the_line() {
    assert!(Engine::compile([("fields.toml", RULE_FIELDS)]).is_ok());
    let cases: &[(&str, &str, usize, &str, &str)] = &[
        // A misspelt fact kind.
        (
            "fact = \"orphaned-shim\"",
            "fact = \"orphan-shim\"",
            12,
            "evidence[0].fact",
            "unknown fact \"orphan-shim\" (expected daemon-restarted, orphaned-shim, ",
        ),
        // A field the fact does not have.
        (
            "daemon_running = '^false$'",
            "daemon = '^false$'",
            16,
            "evidence[0].where.daemon",
            "unknown field \"daemon\" of orphaned-shim (expected pid, container_id, daemon_running, children, ppid, subject or summary)",
        ),
        // A field of another event.
        (
            "trace = 'copy_net_ns'",
            "victim_comm = 'java'",
            24,
            "evidence[1].where.victim_comm",
            "unknown field \"victim_comm\" of hung-task (expected comm, pid, seconds or trace)",
        ),
        // A field of a stacks predicate, misspelt.
        (
            "max_wait_minutes = '^[1-9]'",
            "max_wait = '^[1-9]'",
            33,
            "evidence[2].where.max_wait",
            "unknown field \"max_wait\" of lock (expected address, ",
        ),
        // `state` is a field of goroutine groups, not of locks.
        (
            "frames = 'volume/local'",
            "state = 'semacquire'",
            30,
            "evidence[2].state",
            "lock observations have no state to match",
        ),
        // A deadlock has no frames to match.
        (
            "predicate = \"lock\"\nframes = 'volume/local'\ndescribe = \"a held lock\"\n[evidence.where]\nmax_wait_minutes = '^[1-9]'",
            "predicate = \"deadlock\"\nframes = 'volume/local'\ndescribe = \"a cycle\"",
            30,
            "evidence[2].frames",
            "deadlock observations have no frames to match",
        ),
        // A version has a component and a version, nothing else.
        (
            "version = '^17\\.'",
            "release = '^17\\.'",
            41,
            "evidence[3].where.release",
            "unknown field \"release\" of version (expected component or version)",
        ),
    ];
    for (from, to, want_line, want_field, want_message) in cases {
        assert!(RULE_FIELDS.contains(from), "{from}");
        let text = RULE_FIELDS.replacen(from, to, 1);
        let (file, line, field, message) = error("user/fields.toml", &text);
        assert_eq!(
            (file.as_str(), line, field.as_str()),
            ("user/fields.toml", *want_line, *want_field),
            "{to}: {message}"
        );
        assert!(message.starts_with(want_message), "{to}: {message}");
    }
    // A log item has no fields: a `where` on it would be ignored, so it is an error.
    let log_where = RULE_B.replace(
        "describe = \"timeouts\"",
        "describe = \"timeouts\"\n[evidence.where]\npod = 'x'",
    );
    let (_, line, field, message) = error("b.toml", &log_where);
    assert_eq!((line, field.as_str()), (17, "evidence[0].where.pod"));
    assert!(message.starts_with("a log item has no fields"), "{message}");
}

/// A cause less sure than its consequence does not hide it: both stay at the top, the sure one
/// first.
#[test]
fn an_unsure_cause_does_not_swallow_a_confirmed_consequence() {
    let e = Engine::compile([("a.toml", RULE_A), ("b.toml", RULE_B)]).unwrap();
    let obs = scan(
        &e,
        &[
            (
                Source::Kernel,
                0,
                "Memory cgroup out of memory: Kill process 1 (x) score 1",
            ),
            (Source::Other, 1, "all is well"),
            (
                Source::Kubelet,
                5,
                "E0820 10:25:05.1 1 remote_runtime.go:243] StopContainer \"ff\" from runtime service failed: operation timeout: context deadline exceeded",
            ),
        ],
    );
    let f = e.evaluate(&obs, &clock());
    let top: Vec<(&str, crate::base::Confidence)> =
        f.iter().map(|f| (f.rule.as_str(), f.confidence)).collect();
    assert_eq!(
        top,
        vec![
            ("consequence", crate::base::Confidence::Confirmed),
            ("cause", crate::base::Confidence::Possible),
        ]
    );
    assert!(f.iter().all(|f| f.explains.is_empty()));
}

/// Findings rank by confidence, then severity, then score: a confirmed medium finding before a
/// likely critical one; among likely ones the critical first even with a lower score.
#[test]
fn ranking_is_confidence_then_severity_then_score() {
    let rule = |id: &str, severity: &str, weight_found: u32| {
        format!(
            r#"
id = "{id}"
title = "t"
severity = "{severity}"
summary = "s {{a.count}}"
explanation = "x"
remediation = "y"

[[evidence]]
id = "a"
kind = "log"
role = "required"
weight = {weight_found}
pattern = '{id} happened'
describe = "a"

[[evidence]]
id = "b"
kind = "log"
weight = {}
pattern = 'never seen {id}'
describe = "b"
"#,
            100 - weight_found
        )
    };
    let files = [
        ("m.toml", rule("medium-sure", "medium", 60)), // 60: confirmed
        ("c.toml", rule("critical-likely", "critical", 35)), // 35: likely
        ("h.toml", rule("high-likely", "high", 45)),   // 45: likely
        ("p.toml", rule("critical-possible", "critical", 10)), // 10: possible
    ];
    let e = Engine::compile(files.iter().map(|(n, t)| (*n, t.as_str()))).unwrap();
    let obs = scan(
        &e,
        &[
            (Source::Other, 0, "medium-sure happened"),
            (Source::Other, 1, "critical-likely happened"),
            (Source::Other, 2, "high-likely happened"),
            (Source::Other, 3, "critical-possible happened"),
        ],
    );
    let order: Vec<String> = e
        .evaluate(&obs, &clock())
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert_eq!(
        order,
        [
            "medium-sure",
            "critical-likely",
            "high-likely",
            "critical-possible"
        ]
    );
}

/// A rule's `literals` must be in every form of its pattern: a list that misses a branch (the
/// CRI-O `cri-o://` prefix next to docker's and containerd's) is an error naming the form.
#[test]
fn literals_that_miss_a_form_of_the_pattern_are_an_error() {
    let rule = r#"
id = "lit"
title = "t"
severity = "high"
summary = "s"
explanation = "x"
remediation = "y"

[[evidence]]
id = "a"
kind = "log"
role = "required"
pattern = '[Cc]ontainer (?:"(?:docker|containerd|cri-o)://[0-9a-f]+" )?termination failed'
literals = ["ontainer termination failed", "ontainer \"docker://", "ontainer \"containerd://"]
describe = "a"
"#;
    match Engine::compile([("lit.toml", rule)]) {
        Err(Error::Rule {
            line,
            field,
            message,
            ..
        }) => {
            assert_eq!((line, field.as_str()), (13, "evidence[0].literals"));
            assert!(
                message.contains(r#""Container \"cri-o://a\" termination failed""#),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

fn stack_obs(kind: &str, names: &std::sync::Arc<[String]>, funcs: &[u32]) -> Observation {
    Observation {
        kind: kind.into(),
        fields: [("transitive_waiters".to_string(), "60".to_string())].into(),
        weight: 1,
        time: None,
        evidence: Vec::new(),
        stack: Some(Stack {
            names: names.clone(),
            funcs: funcs.into(),
        }),
    }
}

/// `frames` sees the whole stack through the dump's function table: a Root frame 45 frames deep
/// under an `os.RemoveAll` recursion matches; a stack without it does not.
#[test]
fn frames_match_anywhere_in_the_stack() {
    let rule = r#"
id = "deep"
title = "t"
severity = "critical"
summary = "holder {lock.holder|lock.kind}"
explanation = "x"
remediation = "y"

[[evidence]]
id = "lock"
kind = "stacks"
predicate = "lock"
role = "required"
frames = 'volume/local\.\(\*Root\)\.Remove$'
describe = "the Root lock held by a removal"
"#;
    let e = Engine::compile([("deep.toml", rule)]).unwrap();
    let names: std::sync::Arc<[String]> = [
        "syscall.unlinkat",
        "os.RemoveAll",
        "github.com/docker/docker/volume/local.(*Root).Remove",
        "net/http.(*conn).serve",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut deep = vec![0u32];
    deep.extend(std::iter::repeat_n(1, 44));
    deep.extend([2, 3]);
    let shallow = [0u32, 1, 1, 3];
    for (funcs, fires) in [(&deep[..], true), (&shallow[..], false)] {
        let obs = Observations {
            observations: vec![stack_obs("lock", &names, funcs)],
            ..Observations::default()
        };
        assert_eq!(!e.evaluate(&obs, &clock()).is_empty(), fires, "{funcs:?}");
    }
}

#[test]
fn source_required_refuses_lines_of_undetermined_source() {
    let line = "E0820 10:25:01.000000 1234 remote_runtime.go:243] StopContainer \"795b\" from runtime service failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded";
    let open = Engine::compile([("b.toml", RULE_B)]).unwrap();
    let strict_text = RULE_B.replace(
        "sources = [\"kubelet\"]",
        "sources = [\"kubelet\"]\nsource_required = true",
    );
    assert_ne!(strict_text, RULE_B);
    let strict = Engine::compile([("b.toml", strict_text.as_str())]).unwrap();
    for (src, open_fires, strict_fires) in [
        (Source::Unknown, true, false),
        (Source::Cli, true, false),
        (Source::Kubelet, true, true),
        (Source::Dockerd, false, false),
    ] {
        let fired = |e: &Engine| !e.evaluate(&scan(e, &[(src, 1, line)]), &clock()).is_empty();
        assert_eq!(fired(&open), open_fires, "{src:?} without source_required");
        assert_eq!(fired(&strict), strict_fires, "{src:?} with source_required");
    }
    // Without a sources list there is nothing to require.
    let bare = RULE_B.replace("sources = [\"kubelet\"]", "source_required = true");
    let (_, _, field, message) = error("b.toml", &bare);
    assert_eq!(field, "evidence[0].source_required");
    assert_eq!(message, "needs a `sources` list to require");
}

/// `same_value`: the `min_count` matches must share one value of a capture. Stops of many
/// containers once each are normal; the same container asked again is not. With three values
/// and `min_count = 3`, seven matches prove a value seen three times, six do not.
#[test]
fn same_value_counts_repeats_of_one_capture() {
    let rule = r#"
id = "restop"
title = "t"
severity = "high"
summary = "{s.count} stop requests"
explanation = "x"
remediation = "y"
[[evidence]]
id = "s"
kind = "log"
role = "required"
pattern = 'Stopping container: (?P<ctr>[0-9a-f]+) \(timeout'
min_count = 2
same_value = "ctr"
describe = "the same container asked again"
"#;
    let e = Engine::compile([("r.toml", rule)]).unwrap();
    let stop = |id: &str| format!("Stopping container: {id} (timeout: 30s)");
    let lines = |ids: &[&str]| -> Vec<String> { ids.iter().map(|i| stop(i)).collect() };
    let run = |e: &Engine, ids: &[&str]| {
        let texts = lines(ids);
        let recs: Vec<(Source, u8, &str)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (Source::Crio, i as u8, t.as_str()))
            .collect();
        e.evaluate(&scan(e, &recs), &clock())
    };
    assert!(run(&e, &["4bbbc006", "9a1e33f0", "c0ffee12"]).is_empty());
    let f = run(&e, &["4bbbc006", "9a1e33f0", "4bbbc006"]);
    assert_eq!(f[0].summary, "3 stop requests");

    let three = rule.replace("min_count = 2", "min_count = 3");
    let e = Engine::compile([("r.toml", three.as_str())]).unwrap();
    // a a b b c c: no value is certainly seen three times (it is not).
    assert!(run(&e, &["aa", "aa", "bb", "bb", "cc", "cc"]).is_empty());
    // a a a b b c c: seven matches over three values, one of them three times.
    assert_eq!(
        run(&e, &["aa", "aa", "aa", "bb", "bb", "cc", "cc"]).len(),
        1
    );

    // A capture the pattern does not have, and a non-log item, are load errors.
    let (_, _, field, message) = error(
        "r.toml",
        &rule.replace("same_value = \"ctr\"", "same_value = \"cid\""),
    );
    assert_eq!(field, "evidence[0].same_value");
    assert_eq!(message, "the pattern has no capture named \"cid\"");
}

/// A Kubernetes event row stands for the occurrences its `Age` cell counts: `(x4 over 25m)` is
/// four (k3s#838's `SystemOOM` row), so one row meets a `min_count` of 3; without the count it is
/// one occurrence, and text that only looks alike in the middle of a message is one too.
#[test]
fn event_rows_count_their_repeats() {
    assert_eq!(
        scan::occurrences(b"kubelet: SystemOOM: System OOM encountered (x4 over 25m)"),
        4
    );
    assert_eq!(
        scan::occurrences(b"kernel: UnregisterNetDevice: unregister_netdevice: waiting for eth0 to become free. Usage count = 21 (x14245 over 1d)"),
        14245
    );
    assert_eq!(
        scan::occurrences(b"kubelet: SystemOOM: System OOM encountered"),
        1
    );
    assert_eq!(scan::occurrences(b"Killing (x4 over 25m) twice"), 1);
    assert_eq!(scan::occurrences(b"back-off (x over 5m)"), 1);
    assert_eq!(scan::occurrences(b"(x3 over 2m)"), 1);
    assert_eq!(scan::occurrences(b"retry (x0 over 1m)"), 1);
    let rule = r#"
id = "sysoom"
title = "t"
severity = "high"
summary = "{o.count} system OOM kill(s)"
explanation = "x"
remediation = "y"
[[evidence]]
id = "o"
kind = "log"
role = "required"
pattern = 'System OOM encountered'
min_count = 3
describe = "three kills"
"#;
    let e = Engine::compile([("r.toml", rule)]).unwrap();
    let f = e.evaluate(
        &scan(
            &e,
            &[(
                Source::Kubelet,
                0,
                "kubelet: SystemOOM: System OOM encountered (x4 over 25m)",
            )],
        ),
        &clock(),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].summary, "4 system OOM kill(s)");
    assert!(
        e.evaluate(
            &scan(
                &e,
                &[(
                    Source::Kubelet,
                    0,
                    "kubelet: SystemOOM: System OOM encountered"
                )]
            ),
            &clock()
        )
        .is_empty()
    );
}
