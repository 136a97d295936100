//! SVG drawings for the HTML report, generated in Rust (no graphviz at run time).
//!
//! * [`timeline`]: the report's timed evidence on one time axis, one row per member, each
//!   finding marked where its first timed evidence lies;
//! * [`wait_for`]: the mutex wait-for graph of a goroutine dump, waiters collapsed by bucket,
//!   root blockers (holders that wait on nothing themselves) highlighted.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use crate::base::{Finding, Severity, Timestamp};
use crate::report::Report;
use crate::stacks::Analysis;

/// Escapes text for XML/HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Shortens to `n` characters with an ellipsis.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Shortens to `n` characters keeping the end (the function name of a qualified path).
fn clip_left(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        s.to_string()
    } else {
        let mut t = String::from("…");
        t.extend(s.chars().skip(count - n.saturating_sub(1)));
        t
    }
}

/// The fill colour of a severity.
pub fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#b3001b",
        Severity::High => "#e4572e",
        Severity::Medium => "#e0a100",
        Severity::Low => "#2a9d8f",
        Severity::Info => "#8a8f98",
    }
}

struct Point<'a> {
    time: Timestamp,
    row: usize,
    finding: &'a Finding,
    path: &'a str,
    line: u32,
    text: &'a str,
}

fn flatten<'a>(fs: &'a [Finding], out: &mut Vec<&'a Finding>) {
    for f in fs {
        out.push(f);
        flatten(&f.explains, out);
    }
}

fn hms(t: Timestamp) -> String {
    t.to_jiff().strftime("%H:%M:%S").to_string()
}

/// The timeline of timed evidence, or `None` when no evidence line has a time.
pub fn timeline(report: &Report) -> Option<String> {
    let mut all = Vec::new();
    flatten(&report.findings, &mut all);
    let mut rows: Vec<&str> = Vec::new();
    let mut points: Vec<Point<'_>> = Vec::new();
    for f in &all {
        for e in &f.evidence {
            let Some(time) = e.time else { continue };
            let row = match rows.iter().position(|r| *r == e.path) {
                Some(i) => i,
                None => {
                    rows.push(&e.path);
                    rows.len() - 1
                }
            };
            points.push(Point {
                time,
                row,
                finding: f,
                path: &e.path,
                line: e.line,
                text: &e.text,
            });
        }
    }
    let t0 = points.iter().map(|p| p.time.0).min()?;
    let t1 = points.iter().map(|p| p.time.0).max()?;
    // A minute either side keeps lone points off the edges.
    let (lo, hi) = (t0 - 60_000_000, t1 + 60_000_000);
    let (left, right, top, row_h) = (280.0, 1160.0, 70.0, 24.0);
    let width = 1200.0;
    let height = top + row_h * rows.len() as f64 + 40.0;
    let x = |t: i64| left + (right - left) * ((t - lo) as f64 / (hi - lo) as f64);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="Timeline of evidence">"#
    );
    // Rows.
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        if i % 2 == 0 {
            let _ = write!(
                s,
                r##"<rect x="0" y="{}" width="{width}" height="{row_h}" fill="#f4f5f7"/>"##,
                y
            );
        }
        let _ = write!(
            s,
            r##"<text x="8" y="{}" font-size="12" fill="#333"><title>{}</title>{}</text>"##,
            y + 16.0,
            esc(r),
            esc(&clip(r, 40))
        );
    }
    // Axis ticks.
    let axis_y = top + row_h * rows.len() as f64;
    for k in 0..=4 {
        let t = lo + (hi - lo) * k / 4;
        let tx = x(t);
        let _ = write!(
            s,
            r##"<line x1="{tx:.1}" y1="{top}" x2="{tx:.1}" y2="{axis_y}" stroke="#d0d4da"/><text x="{tx:.1}" y="{}" font-size="11" text-anchor="middle" fill="#555">{}</text>"##,
            axis_y + 16.0,
            hms(Timestamp(t))
        );
    }
    let _ = write!(
        s,
        r##"<text x="{left}" y="{}" font-size="11" fill="#555">{} UTC</text>"##,
        axis_y + 32.0,
        Timestamp(lo).to_jiff().strftime("%Y-%m-%d")
    );
    // Finding markers at each finding's first timed evidence.
    let mut markers: Vec<(i64, &Finding)> = Vec::new();
    for f in &all {
        if let Some(t) = f.evidence.iter().filter_map(|e| e.time).map(|t| t.0).min() {
            markers.push((t, f));
        }
    }
    markers.sort_by_key(|m| m.0);
    for (i, (t, f)) in markers.iter().enumerate() {
        let mx = x(*t);
        let ly = 16.0 + 16.0 * (i % 3) as f64;
        let _ = write!(
            s,
            r##"<g class="marker" data-rule="{rule}"><line x1="{mx:.1}" y1="{ly}" x2="{mx:.1}" y2="{axis_y}" stroke="{c}" stroke-dasharray="4 3"/><text x="{mx:.1}" y="{ly}" font-size="12" font-weight="bold" fill="{c}">{rule}</text></g>"##,
            rule = esc(&f.rule),
            c = severity_color(f.severity)
        );
    }
    for p in &points {
        let _ = write!(
            s,
            r##"<circle class="point" cx="{:.1}" cy="{:.1}" r="5" fill="{}" stroke="#fff"><title>{} — {}:{} — {}&#10;{}</title></circle>"##,
            x(p.time.0),
            top + row_h * p.row as f64 + row_h / 2.0,
            severity_color(p.finding.severity),
            esc(&p.finding.rule),
            esc(p.path),
            p.line,
            p.time,
            esc(&clip(p.text, 300))
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// One node of the wait-for drawing.
struct Node {
    label: Vec<String>,
    class: &'static str,
    /// The goroutine of a holder box.
    id: Option<u64>,
}

/// The wait-for graph of a dump's contended locks (at most `max_locks`, root blockers first),
/// or `None` when the dump has no contended lock.
pub fn wait_for(a: &Analysis, max_locks: usize) -> Option<String> {
    if a.locks.is_empty() {
        return None;
    }
    let bucket_of: HashMap<u64, usize> = a
        .buckets
        .iter()
        .enumerate()
        .flat_map(|(i, b)| b.ids.iter().map(move |id| (*id, i)))
        .collect();
    let waiting: HashSet<u64> = a
        .locks
        .iter()
        .flat_map(|l| l.waiters.iter().copied())
        .collect();
    // Holders of drawn locks get a box of their own; when one waits on another drawn lock, an
    // arc goes from its box to that lock, so a deadlock shows as the cycle it is.
    let drawn = &a.locks[..a.locks.len().min(max_locks)];
    let own: HashSet<u64> = drawn.iter().filter_map(|l| l.holder).collect();
    let mut holder_at: HashMap<u64, (f64, f64)> = HashMap::new();
    let mut lock_at: Vec<(f64, f64)> = Vec::new();
    const GROUPS: usize = 6;
    let (col_w, node_h, gap) = (330.0, 60.0, 12.0);
    let xs = [10.0, 430.0, 790.0];
    let mut body = String::new();
    let mut y = 10.0;
    for l in a.locks.iter().take(max_locks) {
        // Waiters collapsed by bucket.
        let mut groups: BTreeMap<Option<usize>, u64> = BTreeMap::new();
        for w in l.waiters.iter().filter(|w| !own.contains(w)) {
            *groups.entry(bucket_of.get(w).copied()).or_default() += 1;
        }
        let listed: u64 = groups.values().sum();
        let mut groups: Vec<(Option<usize>, u64)> = groups.into_iter().collect();
        groups.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let mut waiters: Vec<Node> = groups
            .iter()
            .take(GROUPS)
            .map(|(b, n)| match b.and_then(|b| a.buckets.get(b)) {
                Some(bucket) => {
                    let caller = bucket.caller();
                    let m = bucket
                        .max_minutes
                        .map(|m| format!(", {m} min"))
                        .unwrap_or_default();
                    Node {
                        label: vec![
                            format!("{n} × [{}{m}]", bucket.state),
                            clip_left(caller, 46),
                        ],
                        class: "bucket",
                        id: None,
                    }
                }
                None => Node {
                    label: vec![format!("{n} goroutine(s)"), "stack not bucketed".into()],
                    class: "bucket",
                    id: None,
                },
            })
            .collect();
        let holders_waiting = l.waiters.iter().filter(|w| own.contains(w)).count() as u64;
        let rest = l.waiters_total.saturating_sub(
            groups
                .iter()
                .take(GROUPS)
                .map(|g| g.1)
                .sum::<u64>()
                .min(listed)
                + holders_waiting,
        );
        if rest > 0 {
            waiters.push(Node {
                label: vec![format!("+{rest} more waiter(s)"), String::new()],
                class: "bucket",
                id: None,
            });
        }
        let holders: Vec<Node> = match l.holder {
            Some(h) => {
                let root = !waiting.contains(&h);
                let m = l
                    .holder_minutes
                    .map(|m| format!(", {m} min"))
                    .unwrap_or_default();
                let (outside, holding) = crate::stacks::holder_frames(a, l);
                let mut label = vec![
                    format!(
                        "goroutine {h} [{}{m}]{}",
                        l.holder_state.as_deref().unwrap_or("?"),
                        if root { " ROOT" } else { "" }
                    ),
                    format!(
                        "in {}",
                        clip_left(
                            outside
                                .or(l.holder_top.first().map(String::as_str))
                                .unwrap_or("?"),
                            43
                        )
                    ),
                ];
                if let Some(f) = holding {
                    label.push(format!("holds it in {}", clip_left(f, 36)));
                }
                vec![Node {
                    label,
                    class: if root { "holder root" } else { "holder" },
                    id: Some(h),
                }]
            }
            None => l
                .holder_candidates
                .iter()
                .take(GROUPS)
                .map(|c| Node {
                    label: vec![
                        format!("goroutine {} [{}] candidate", c.id, c.state),
                        clip_left(&c.frame, 46),
                    ],
                    class: "candidate",
                    id: None,
                })
                .collect(),
        };
        let rows = waiters.len().max(holders.len()).max(1);
        let band = rows as f64 * (node_h + gap);
        let lock_y = y + band / 2.0 - node_h / 2.0;
        lock_at.push((xs[1] + 150.0, lock_y + node_h));
        let _ = write!(
            body,
            r##"<g class="lock" data-address="{}"><rect x="{}" y="{lock_y:.1}" width="300" height="{node_h}" rx="23" fill="#fff3cd" stroke="#b38600"/><text x="{}" y="{:.1}" font-size="12" font-weight="bold">{} {}</text><text x="{}" y="{:.1}" font-size="11">{} waiting, {} transitively</text></g>"##,
            esc(&l.address),
            xs[1],
            xs[1] + 16.0,
            lock_y + 19.0,
            l.kind.name(),
            esc(&l.address),
            xs[1] + 16.0,
            lock_y + 36.0,
            l.waiters_total,
            l.transitive_waiters
        );
        let draw = |nodes: &[Node],
                    col: usize,
                    dashed: bool,
                    out: &mut String,
                    holder_at: &mut HashMap<u64, (f64, f64)>| {
            let start = y + (band - nodes.len() as f64 * (node_h + gap)) / 2.0;
            for (i, n) in nodes.iter().enumerate() {
                let ny = start + i as f64 * (node_h + gap);
                let (fill, stroke) = match n.class {
                    "holder root" => ("#ffd6d6", "#b3001b"),
                    "holder" => ("#ffe8d6", "#e4572e"),
                    "candidate" => ("#fff", "#e4572e"),
                    _ => ("#eef2f7", "#6b7a90"),
                };
                let dash = if n.class == "candidate" {
                    r#" stroke-dasharray="5 3""#
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    r##"<g class="{}"><rect x="{}" y="{ny:.1}" width="{col_w}" height="{node_h}" rx="4" fill="{fill}" stroke="{stroke}"{dash}/><text x="{}" y="{:.1}" font-size="12">{}</text><text x="{}" y="{:.1}" font-size="11" fill="#444">{}</text>"##,
                    n.class,
                    xs[col],
                    xs[col] + 8.0,
                    ny + 19.0,
                    esc(&n.label[0]),
                    xs[col] + 8.0,
                    ny + 36.0,
                    esc(n.label.get(1).map(String::as_str).unwrap_or(""))
                );
                if let Some(third) = n.label.get(2) {
                    let _ = write!(
                        out,
                        r##"<text x="{}" y="{:.1}" font-size="11" fill="#444">{}</text>"##,
                        xs[col] + 8.0,
                        ny + 52.0,
                        esc(third)
                    );
                }
                out.push_str("</g>");
                if let Some(id) = n.id {
                    holder_at
                        .entry(id)
                        .or_insert((xs[col] + col_w / 2.0, ny + node_h));
                }
                let cy = ny + node_h / 2.0;
                let ly = lock_y + node_h / 2.0;
                let (x1, y1, x2, y2) = if col == 0 {
                    (xs[0] + col_w, cy, xs[1], ly)
                } else {
                    (xs[1] + 300.0, ly, xs[2], cy)
                };
                let style = if dashed {
                    r#" stroke-dasharray="5 3""#
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#555" marker-end="url(#arrow)"{style}/>"##
                );
            }
        };
        draw(&waiters, 0, false, &mut body, &mut holder_at);
        draw(&holders, 2, l.holder.is_none(), &mut body, &mut holder_at);
        y += band + 24.0;
    }
    // A holder waiting on another drawn lock: an arc from its box back to that lock.
    let mut arcs = 0;
    for (li, l) in drawn.iter().enumerate() {
        for w in l.waiters.iter().filter(|w| own.contains(w)) {
            let (Some(&(hx, hy)), Some(&(lx, ly))) = (holder_at.get(w), lock_at.get(li)) else {
                continue;
            };
            let _ = write!(
                body,
                r##"<g class="cycle" data-goroutine="{w}" data-address="{}"><path d="M {hx:.1} {hy:.1} C {hx:.1} {:.1}, {lx:.1} {:.1}, {lx:.1} {ly:.1}" fill="none" stroke="#b3001b" stroke-width="1.5" stroke-dasharray="6 3" marker-end="url(#arrow)"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#b3001b">goroutine {w} waits on {}</text></g>"##,
                esc(&l.address),
                hy + 28.0,
                ly + 28.0,
                (hx + lx) / 2.0 - 60.0,
                (hy.max(ly)) + 24.0,
                esc(&l.address)
            );
            arcs += 1;
        }
    }
    if arcs > 0 {
        y += 30.0;
    }
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="waitfor" viewBox="0 0 1130 {y:.0}" width="100%" role="img" aria-label="Wait-for graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>{body}</svg>"##
    );
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Evidence;
    use crate::report::{Stats, Tool};

    fn finding(rule: &str, sev: Severity, times: &[(i64, &str)]) -> Finding {
        Finding {
            host: 0,
            rule: rule.into(),
            title: String::new(),
            severity: sev,
            score: 50,
            confidence: crate::base::Confidence::Confirmed,
            summary: String::new(),
            // Shapes: kubelet and kernel lines of docs/signatures.md.
            evidence: times
                .iter()
                .map(|(t, p)| Evidence {
                    input: 0,
                    path: (*p).into(),
                    line: 1,
                    time: Some(Timestamp::from_secs_micros(*t, 0)),
                    text: "Out of memory: Killed process 4021 (java) <&>".into(),
                    highlight: None,
                    label: String::new(),
                })
                .collect(),
            missing: vec![],
            remediation: String::new(),
            references: vec![],
            explains: vec![],
        }
    }

    #[test]
    fn timeline_has_one_row_per_member_and_one_marker_per_finding() {
        let mut root = finding(
            "oom-kill",
            Severity::High,
            &[
                (1_594_807_942, "var/log/messages"),
                (1_594_808_000, "dmesg"),
            ],
        );
        root.explains = vec![finding(
            "pleg-unhealthy",
            Severity::Medium,
            &[(1_594_808_100, "var/log/messages")],
        )];
        let report = Report {
            hosts: Vec::new(),
            schema_version: 1,
            tool: Tool::default(),
            inputs: vec![],
            host: Default::default(),
            findings: vec![root],
            warnings: vec![],
            stats: Stats::default(),
        };
        let svg = timeline(&report).unwrap_or_default();
        assert_eq!(svg.matches("<circle class=\"point\"").count(), 3);
        assert_eq!(svg.matches("<g class=\"marker\"").count(), 2);
        assert_eq!(svg.matches("<title>var/log/messages</title>").count(), 1);
        assert_eq!(svg.matches("<title>dmesg</title>").count(), 1);
        assert!(svg.contains("&lt;&amp;&gt;"));
        assert!(svg.contains("2020-07-15 UTC"));
        let empty = Report {
            findings: vec![finding("x", Severity::Low, &[])],
            ..report
        };
        assert_eq!(timeline(&empty), None);
    }

    #[test]
    fn wait_for_graph_of_the_volume_lock_dump() {
        // The dockerd dump of corpus/seed-003-volume-remove-lock (moby/moby#31801 shape).
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../corpus/seed-003-volume-remove-lock/var/run/docker/goroutine-stacks-2020-07-15T101222Z.log"
        );
        let Ok(bytes) = std::fs::read(path) else {
            println!("skipped: {path} not present");
            return;
        };
        let dump = crate::parse::goroutine::parse(&bytes);
        let a = crate::stacks::analyze(&dump);
        let svg = wait_for(&a, 4).unwrap_or_default();
        assert_eq!(
            svg.matches("<g class=\"lock\"").count(),
            a.locks.len().min(4)
        );
        assert!(svg.contains("data-address=\"0xc000aee820\""));
        assert!(svg.contains("217 waiting"));
        // Goroutine 2211 waits on nothing: the root blocker.
        assert_eq!(svg.matches("<g class=\"holder root\">").count(), 1);
        assert!(svg.contains("goroutine 2211 [syscall, 83 min] ROOT"));
        // The holder box says what it does and where it took the lock, not `syscall.Syscall`.
        assert!(svg.contains(">in os.Remove</text>"), "{svg}");
        assert!(
            svg.contains(">holds it in …/docker/volume/local.(*Root).Remove</text></g>"),
            "{svg}"
        );
        assert_eq!(svg.matches("<g class=\"cycle\"").count(), 0);
        let empty = crate::stacks::analyze(&crate::parse::goroutine::parse(b""));
        assert_eq!(wait_for(&empty, 4), None);
    }

    /// The two-goroutine deadlock of corpus/common-goroutine-deadlock: each holder waits on the
    /// lock the other holds; both arcs are drawn and neither holder is hidden in a group.
    #[test]
    fn a_deadlock_is_drawn_as_a_cycle() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../corpus/common-goroutine-deadlock/var/run/docker/goroutine-stacks-2021-12-09T154207+0800.log"
        );
        let Ok(bytes) = std::fs::read(path) else {
            println!("skipped: {path} not present");
            return;
        };
        let a = crate::stacks::analyze(&crate::parse::goroutine::parse(&bytes));
        let svg = wait_for(&a, 4).unwrap_or_default();
        assert!(
            svg.contains(
                "<g class=\"cycle\" data-goroutine=\"372\" data-address=\"0xc000a7e3b0\">"
            ),
            "{svg}"
        );
        assert!(
            svg.contains(
                "<g class=\"cycle\" data-goroutine=\"95812\" data-address=\"0xc000478af8\">"
            ),
            "{svg}"
        );
        assert_eq!(svg.matches("<g class=\"cycle\"").count(), 2);
    }

    #[test]
    fn escaping() {
        assert_eq!(esc("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&#39; ");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip_left("pkg.(*Root).Get", 8), "…ot).Get");
    }
}
