//! The timeline of bundles built in one walk: copies folded, the limit, the window, the
//! sources, and every host resolved with its own clock.

use super::*;
use crate::analysis::builtin_engine;

/// The report and the timeline of `bundle` with `opts`.
fn built(bundle: &Bundle, opts: &TimelineOptions) -> (Report, Result<Timeline, TimelineError>) {
    let engine = builtin_engine().unwrap();
    build(bundle, &Options::default(), engine, opts).unwrap()
}

/// The timeline of `bundle` with `opts`.
fn timeline(bundle: &Bundle, opts: &TimelineOptions) -> Result<Timeline, TimelineError> {
    built(bundle, opts).1
}

/// `--window` reads durations as rules do (the grammar is tested in `model::time`); a bad
/// one is a value error naming the text and why.
#[test]
fn window_durations_and_their_errors() {
    assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000);
    match parse_duration("10x") {
        Err(TimelineError::BadValue { what, text, reason }) => {
            assert_eq!((what, text.as_str()), ("duration", "10x"));
            assert_eq!(reason, "use a number with s, m, h or d (e.g. 10m, 1h30m)");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn around_parses_times_and_rule_ids() {
    assert_eq!(
        Around::parse("2020-07-15T10:12:22Z"),
        Around::Time(Timestamp::from_secs_micros(1_594_807_942, 0))
    );
    assert_eq!(
        Around::parse("2020-07-15 10:12:22"),
        Around::Time(Timestamp::from_secs_micros(1_594_807_942, 0))
    );
    assert_eq!(Around::parse("oom-kill"), Around::Rule("oom-kill".into()));
}

// Lines: a syslog kernel OOM line and a dockerd logrus line as they appear in
// /var/log/messages of RHEL 7 sosreports (docs/signatures.md, "OOM kill" and "dockerd").
const MESSAGES: &str = "\
Jul 15 10:10:00 node1 kernel: Out of memory: Killed process 4021 (java) total-vm:1000kB
Jul 15 10:11:00 node1 dockerd[1201]: time=\"2020-07-15T10:11:00.000000000Z\" level=info msg=\"shim reaped\"
Jul 15 10:30:00 node1 kubelet[900]: I0715 10:30:00.000000     900 kubelet.go:1845] SyncLoop (PLEG)
";
const DATE: &str = "Wed Jul 15 10:40:00 UTC 2020\n";

fn bundle() -> Bundle {
    let dir = std::env::temp_dir().join(format!("nm-timeline-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("var/log"));
    let _ = std::fs::create_dir_all(dir.join("sos_commands/date"));
    let _ = std::fs::write(dir.join("var/log/messages"), MESSAGES);
    let _ = std::fs::write(dir.join("sos_commands/date/date_--utc"), DATE);
    Bundle::from_path(dir)
}

/// A sosreport-shaped directory whose journal holds `/var/log/messages` (lines 2–4 copy
/// lines 1–3) and repeats its second line at line 5.
fn copies_bundle(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nm-timeline-{name}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("var/log"));
    let _ = std::fs::create_dir_all(dir.join("sos_commands/logs"));
    let _ = std::fs::create_dir_all(dir.join("sos_commands/date"));
    let _ = std::fs::write(dir.join("var/log/messages"), MESSAGES);
    let journal = format!(
        "-- Logs begin at Wed 2020-07-15 10:00:00 UTC. --\n{MESSAGES}{}",
        MESSAGES.lines().nth(1).unwrap_or_default()
    );
    let _ = std::fs::write(dir.join("sos_commands/logs/journalctl_--no-pager"), journal);
    let _ = std::fs::write(dir.join("sos_commands/date/date_--utc"), DATE);
    dir
}

/// The journal and `/var/log/messages` hold the same records: each is shown once, from
/// the first member, naming its copy; the copy's finding marker is joined.
#[test]
fn records_copied_in_two_members_are_shown_once() {
    let dir = copies_bundle("copies");
    let t = timeline(&Bundle::from_path(&dir), &TimelineOptions::default()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let got: Vec<(&str, u32, &[String], &[String])> = t
        .entries
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.line,
                e.copies.as_slice(),
                e.rules.as_slice(),
            )
        })
        .collect();
    let j = "sos_commands/logs/journalctl_--no-pager";
    assert_eq!(
        got,
        vec![
            (
                j,
                2,
                &["var/log/messages:1".to_string()][..],
                &["oom-kill".to_string()][..]
            ),
            (j, 3, &["var/log/messages:2".to_string()][..], &[][..]),
            // The journal repeats line 3 of its own: one member's lines are never folded.
            (j, 5, &[][..], &[][..]),
            (j, 4, &["var/log/messages:3".to_string()][..], &[][..]),
        ]
    );
    assert_eq!(t.copies, 3);
    assert!(
        render_text(&t, &jiff::tz::TimeZone::UTC).contains("journalctl_--no-pager:2 (+1 copy) ")
    );
}

#[test]
fn the_limit_counts_a_record_and_its_copies_once() {
    let dir = copies_bundle("limit");
    let bundle = Bundle::from_path(&dir);
    let got = |limit: usize| {
        let t = timeline(
            &bundle,
            &TimelineOptions {
                limit,
                ..TimelineOptions::default()
            },
        )
        .unwrap();
        let lines: Vec<(u32, usize)> = t.entries.iter().map(|e| (e.line, e.copies.len())).collect();
        (lines, t.copies, t.dropped)
    };
    // Two lines shown, each with its copy; the journal's own repeat (line 5), its line 4 and
    // the copy of line 4 in /var/log/messages are beyond the limit.
    assert_eq!(got(2), (vec![(2, 1), (3, 1)], 2, 3));
    assert_eq!(got(1), (vec![(2, 1)], 1, 5));
    assert_eq!(got(3), (vec![(2, 1), (3, 1), (5, 0)], 2, 2));
    assert_eq!(got(4), (vec![(2, 1), (3, 1), (5, 0), (4, 1)], 3, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merged_marked_windowed_and_bounded() {
    let b = bundle();
    let all = timeline(&b, &TimelineOptions::default()).unwrap();
    let got: Vec<(u32, &str, &[String])> = all
        .entries
        .iter()
        .map(|e| (e.line, e.source.as_str(), e.rules.as_slice()))
        .collect();
    assert_eq!(got.len(), 3, "{all:?}");
    assert_eq!(got[0], (1, "kernel", &["oom-kill".to_string()][..]));
    assert_eq!(got[1].0, 2);
    assert_eq!(got[2].0, 3);
    assert_eq!(
        all.entries[0].time,
        Timestamp::from_secs_micros(1_594_807_800, 0)
    );

    // Around the rule, 5 minutes: the 10:30 kubelet line is out.
    let near = timeline(
        &b,
        &TimelineOptions {
            around: Some(Around::Rule("oom-kill".into())),
            window: 5 * 60 * 1_000_000,
            ..TimelineOptions::default()
        },
    )
    .unwrap();
    assert_eq!(near.entries.len(), 2);
    assert_eq!(
        near.center,
        Some(Timestamp::from_secs_micros(1_594_807_800, 0))
    );

    // Sources filter and the limit.
    let k = timeline(
        &b,
        &TimelineOptions {
            sources: vec!["kubelet".into()],
            ..TimelineOptions::default()
        },
    )
    .unwrap();
    assert_eq!(k.entries.len(), 1);
    assert_eq!(k.entries[0].line, 3);
    let one = timeline(
        &b,
        &TimelineOptions {
            limit: 1,
            ..TimelineOptions::default()
        },
    )
    .unwrap();
    assert_eq!((one.entries.len(), one.dropped), (1, 2));
    assert_eq!(one.entries[0].line, 1);

    assert!(matches!(
        timeline(
            &b,
            &TimelineOptions {
                around: Some(Around::Rule("nope".into())),
                ..TimelineOptions::default()
            }
        ),
        Err(TimelineError::RuleNotFound(_))
    ));

    let text = render_text(
        &all,
        &zone(Some("Europe/Berlin")).unwrap_or(jiff::tz::TimeZone::UTC),
    );
    assert!(
        text.starts_with("# 3 entries, times in Europe/Berlin\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "2020-07-15 12:10:00        kernel       << oom-kill var/log/messages:1 Out of memory"
        ),
        "{text}"
    );
    assert!(zone(Some("Mars/Olympus")).is_err());
}

/// A sosreport-shaped directory whose `timedatectl` states `zone` and the collection time
/// `utc`, and whose `/var/log/messages` has one yearless kernel line at 12:10 local time.
fn host_dir(name: &str, zone: &str, utc: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nm-timeline-{name}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("var/log"));
    let _ = std::fs::create_dir_all(dir.join("sos_commands/systemd"));
    let _ = std::fs::write(
        dir.join("var/log/messages"),
        "Jul 15 12:10:00 node1 kernel: eth0: renamed from veth364c77c\n",
    );
    let _ = std::fs::write(
        dir.join("sos_commands/systemd/timedatectl"),
        format!("  Universal time: {utc} UTC\n       Time zone: {zone}\n"),
    );
    dir
}

/// Two hosts given together: the same yearless line is resolved with each host's own zone
/// and year (Berlin in 2020, New York in 2019), and each entry names its input and host; the
/// identical lines of two hosts are not folded as copies.
#[test]
fn two_hosts_each_resolved_with_their_own_clock() {
    let a = host_dir(
        "berlin",
        "Europe/Berlin (CEST, +0200)",
        "Wed 2020-07-15 10:40:00",
    );
    let b = host_dir(
        "newyork",
        "America/New_York (EDT, -0400)",
        "Mon 2019-07-15 16:40:00",
    );
    let t = timeline(&Bundle::from_paths([&a, &b]), &TimelineOptions::default()).unwrap();
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
    let got: Vec<(Timestamp, usize, usize, &str, u32, usize)> = t
        .entries
        .iter()
        .map(|e| {
            (
                e.time,
                e.input,
                e.host,
                e.path.as_str(),
                e.line,
                e.copies.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // 2019-07-15T16:10:00Z
            (
                Timestamp::from_secs_micros(1_563_207_000, 0),
                1,
                1,
                "var/log/messages",
                1,
                0
            ),
            // 2020-07-15T10:10:00Z
            (
                Timestamp::from_secs_micros(1_594_807_800, 0),
                0,
                0,
                "var/log/messages",
                1,
                0
            ),
        ]
    );
    assert_eq!(t.hosts.len(), 2);
    assert_eq!(t.copies, 0);
}
