//! Terminal renderer: ranked findings, then a short inventory.
//!
//! Styling is expressed with [`anstyle`] styles and emitted as ANSI sequences when
//! [`TextOptions::color`] is set; front ends normally render with colour on and write through
//! `anstream`, which strips the sequences when the destination is not a terminal, when
//! `NO_COLOR` is set or when the user asked for `--color never`. Lines are wrapped or shortened
//! to [`TextOptions::width`] columns (80 by default) so the report reads in a narrow terminal.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};

use crate::base::{Evidence, Finding, Severity};

use crate::report::Report;

/// Rendering options.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// Emit ANSI styling (colour, bold).
    pub color: bool,
    /// Evidence lines shown per finding (distinct lines, most telling first).
    pub evidence_lines: usize,
    /// Target width in columns: prose is wrapped and evidence text shortened to fit.
    pub width: usize,
    /// Include the wall-clock duration of the run in the inventory (off for reproducible output).
    pub timing: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            evidence_lines: 5,
            width: 80,
            timing: true,
        }
    }
}

const BOLD: Style = Style::new().effects(Effects::BOLD);
const DIM: Style = Style::new().effects(Effects::DIMMED);
const PATH: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));
const MATCH: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)))
    .effects(Effects::BOLD);

/// The badge style of a severity.
pub fn severity_style(sev: Severity) -> Style {
    let c = |c: AnsiColor| Some(anstyle::Color::Ansi(c));
    match sev {
        Severity::Critical => Style::new()
            .fg_color(c(AnsiColor::BrightWhite))
            .bg_color(c(AnsiColor::Red))
            .effects(Effects::BOLD),
        Severity::High => Style::new()
            .fg_color(c(AnsiColor::Red))
            .effects(Effects::BOLD),
        Severity::Medium => Style::new()
            .fg_color(c(AnsiColor::Yellow))
            .effects(Effects::BOLD),
        Severity::Low => Style::new().fg_color(c(AnsiColor::Cyan)),
        Severity::Info => DIM,
    }
}

struct Painter {
    on: bool,
}

impl Painter {
    fn paint(&self, style: Style, s: &str) -> String {
        if self.on {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }
}

/// Renders a report for a terminal: the host header, the findings, the inventory. Control
/// characters from input are shown escaped ([`super::sanitize`]).
pub fn render(report: &Report, opts: &TextOptions) -> String {
    let report = &super::sanitize::sanitized(&report.qualified());
    let st = Painter { on: opts.color };
    let mut out = String::new();
    not_read(&mut out, report, &st);
    if report.multi_host() {
        // Findings grouped by host, each under its heading and header.
        for (h, (before, sub)) in report.per_host().iter().enumerate() {
            let _ = writeln!(
                out,
                "{}\n",
                st.paint(BOLD, &format!("== {} ==", report.host_heading(h)))
            );
            host(&mut out, &sub.host, opts.width.max(40), &st);
            if sub.findings.is_empty() {
                out.push_str("No findings on this host.\n\n");
            }
            for (i, f) in sub.findings.iter().enumerate() {
                finding(&mut out, f, &format!("{}", before + i + 1), 0, opts, &st);
            }
        }
        if report.findings.is_empty() && report.stats.hidden > 0 {
            out.push_str(&no_findings(report));
            out.push_str("\n\n");
        }
        inventory(&mut out, report, opts, &st);
        return out;
    }
    host(&mut out, &report.host, opts.width.max(40), &st);
    if report.findings.is_empty() {
        out.push_str(&no_findings(report));
        out.push_str("\n\n");
    }
    for (i, f) in report.findings.iter().enumerate() {
        finding(&mut out, f, &format!("{}", i + 1), 0, opts, &st);
    }
    inventory(&mut out, report, opts, &st);
    out
}

/// Warnings listed in full at the top of a report; the rest are counted.
pub const UNREAD_LISTED: usize = 10;

/// The first lines of a report read in part: what was not read, warning by warning, so that a
/// lost root cause is never only a count at the bottom.
fn not_read(out: &mut String, report: &Report, st: &Painter) {
    let mut assumed = false;
    for w in report.assumptions() {
        let _ = writeln!(
            out,
            "{} {}",
            st.paint(severity_style(Severity::Medium), "ASSUMED:"),
            visible(&w.message)
        );
        assumed = true;
    }
    if assumed && !report.incomplete() {
        out.push('\n');
    }
    if !report.incomplete() {
        return;
    }
    let head = if report.stats.partial {
        "PARTIAL: a limit cut the analysis short; not read in full:"
    } else {
        "INCOMPLETE: part of the input was not read:"
    };
    let _ = writeln!(out, "{}", st.paint(severity_style(Severity::High), head));
    let unread: Vec<_> = report.unread().collect();
    for w in unread.iter().take(UNREAD_LISTED) {
        let _ = writeln!(out, "  - {}", visible(&unread_line(w)));
    }
    if unread.len() > UNREAD_LISTED {
        let _ = writeln!(
            out,
            "  … {} more (--format json lists all)",
            unread.len() - UNREAD_LISTED
        );
    }
    out.push('\n');
}

/// How a finding's number is shown: `1.` for a root cause, `1.2`, `1.2.1` for what it explains
/// (the same in every format).
pub fn number_label(num: &str) -> String {
    if num.contains('.') {
        num.to_string()
    } else {
        format!("{num}.")
    }
}

/// The host header: one fact per line with the member it came from, `unknown` when absent.
fn host(out: &mut String, h: &crate::report::host::Host, width: usize, st: &Painter) {
    if h.is_empty() {
        let _ = writeln!(
            out,
            "{} unknown (no host-state member read)\n",
            st.paint(BOLD, "Host:")
        );
        return;
    }
    let _ = writeln!(out, "{}", st.paint(BOLD, "Host"));
    // Values in one column, sources after them; when a source does not fit beside its value
    // it goes on the line below.
    let lead = 2 + 10 + 2;
    let longest = |f: fn(&crate::report::host::HostFact) -> &String| {
        h.rows()
            .iter()
            .filter_map(|(_, x)| x.map(|x| f(x).chars().count()))
            .max()
            .unwrap_or(0)
    };

    let values = longest(|f| &f.value);
    let col = values.min(width.saturating_sub(lead).max(12));
    for (label, fact) in h.rows() {
        let head = format!("  {label:<10}  ");
        match fact {
            None => {
                let _ = writeln!(out, "{head}{}", st.paint(DIM, "unknown"));
            }
            Some(f) => {
                let beside = lead + col + 2 + f.source.chars().count() <= width;
                let room = if beside {
                    col
                } else {
                    width.saturating_sub(lead).max(12)
                };
                let (value, _) = shorten(&f.value, None, room);
                if beside {
                    let pad = col.saturating_sub(value.chars().count());
                    let _ = writeln!(
                        out,
                        "{head}{value}{}  {}",
                        " ".repeat(pad),
                        st.paint(DIM, &f.source)
                    );
                } else {
                    let _ = writeln!(out, "{head}{value}");
                    let _ = writeln!(out, "{}{}", " ".repeat(lead), st.paint(DIM, &f.source));
                }
            }
        }
    }
    out.push('\n');
}

/// One warning as a line: `path (offset N): message`.
pub fn unread_line(w: &crate::input::Warning) -> String {
    match w.offset {
        Some(o) => format!("{} (offset {o}): {}", w.path, w.message),
        None => format!("{}: {}", w.path, w.message),
    }
}

/// What a report without findings says: that rules matched nothing, or that the findings are
/// there but below the minimum severity asked for.
pub fn no_findings(report: &Report) -> String {
    match report.stats.hidden {
        0 => "No findings: no rule matched the evidence in this bundle.".to_string(),
        n => format!(
            "No findings at or above the minimum severity: {n} finding(s) below it are hidden."
        ),
    }
}

/// Text from the input with control characters shown escaped (`\x1b`), so that a member name
/// or a message cannot move the cursor or retitle the terminal.
pub fn visible(s: &str) -> String {
    super::sanitize::escape_controls(s).into_owned()
}

fn inventory(out: &mut String, report: &Report, opts: &TextOptions, st: &Painter) {
    let s = &report.stats;
    let _ = writeln!(out, "{}", st.paint(BOLD, "Inventory"));
    let timing = if opts.timing {
        format!(" in {:.2} s", s.seconds)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {} member(s) read, {} record(s), {}{timing}",
        s.members,
        s.records,
        human_bytes(s.bytes)
    );
    match (s.first, s.last) {
        (Some(a), Some(b)) => {
            let line = format!("  time span {a} .. {b} ({})", span_text(b.0 - a.0));
            if line.chars().count() <= opts.width.max(40) {
                let _ = writeln!(out, "{line}");
            } else {
                let _ = writeln!(
                    out,
                    "  time span {a} ..\n    {b} ({})",
                    span_text(b.0 - a.0)
                );
            }
        }
        _ => {
            let _ = writeln!(out, "  time span unknown (no timed records)");
        }
    }
    let w = report.warnings.len();
    // Listed at the top: the assumptions and the first unread ones.
    let top = report.unread().count().min(UNREAD_LISTED) + report.assumptions().count();
    let _ = writeln!(
        out,
        "  {w} warning(s){}",
        if w > top {
            " (listed with --format json or markdown)"
        } else if w > 0 {
            " (listed at the top)"
        } else {
            ""
        }
    );
    if s.hidden > 0 && !report.findings.is_empty() {
        let _ = writeln!(
            out,
            "  {} finding(s) below the minimum severity hidden",
            s.hidden
        );
    }
    if s.partial {
        let _ = writeln!(
            out,
            "  {}",
            st.paint(
                severity_style(Severity::High),
                "PARTIAL: a limit cut the analysis short"
            )
        );
    }
}

/// `1.7 MiB`, `512 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `2 h 05 min`, `41 s`, for a span in microseconds.
pub fn span_text(micros: i64) -> String {
    let secs = micros.max(0) / 1_000_000;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d} d {h:02} h")
    } else if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// Evidence lines with duplicates (same path, line and text) removed, order kept.
pub fn distinct_evidence(f: &Finding) -> Vec<&Evidence> {
    let mut out: Vec<&Evidence> = Vec::with_capacity(f.evidence.len());
    for e in &f.evidence {
        if !out
            .iter()
            .any(|o| o.path == e.path && o.line == e.line && o.text == e.text)
        {
            out.push(e);
        }
    }
    out
}

fn finding(
    out: &mut String,
    f: &Finding,
    num: &str,
    depth: usize,
    opts: &TextOptions,
    st: &Painter,
) {
    let pad = "    ".repeat(depth);
    let body = format!("{pad}   ");
    let width = opts.width.max(40);
    let head = format!(
        "{pad}{} {} {} {}",
        number_label(num),
        st.paint(
            severity_style(f.severity),
            &format!("[{}]", f.severity.name().to_uppercase())
        ),
        f.confidence.name(),
        st.paint(BOLD, &format!("score {}", f.score)),
    );
    let plain = format!(
        "{pad}{} [{}] {} score {} {}",
        number_label(num),
        f.severity.name(),
        f.confidence.name(),
        f.score,
        f.rule
    );
    // The rule id goes under the badge when the line would be too long.
    let sep = if plain.chars().count() <= width {
        " ".to_string()
    } else {
        format!("\n{body}")
    };
    let _ = writeln!(out, "{head}{sep}{}", st.paint(BOLD, &f.rule));
    wrap_into(out, &f.title, &body, width, Some((st, BOLD)));
    wrap_into(out, &f.summary, &body, width, None);
    let ev = distinct_evidence(f);
    if !ev.is_empty() {
        let _ = writeln!(out, "{body}{}", st.paint(BOLD, "Evidence:"));
        for e in ev.iter().take(opts.evidence_lines) {
            evidence(out, e, &body, width, st);
        }
        if ev.len() > opts.evidence_lines {
            let _ = writeln!(
                out,
                "{body}  {}",
                st.paint(
                    DIM,
                    &format!(
                        "… {} more line(s) (--format json lists all)",
                        ev.len() - opts.evidence_lines
                    )
                )
            );
        }
    }
    if !f.missing.is_empty() {
        let _ = writeln!(out, "{body}{}", st.paint(BOLD, "Not found:"));
        for m in &f.missing {
            wrap_into(out, &format!("- {m}"), &format!("{body}  "), width, None);
        }
    }
    if depth == 0 {
        if !f.remediation.trim().is_empty() {
            let _ = writeln!(out, "{body}{}", st.paint(BOLD, "Remediation:"));
            for step in steps(&f.remediation) {
                let (head, rest) = split_marker(&step);
                let first = format!("{body}  {head}");
                let hang = " ".repeat(first.chars().count());
                let room = width.saturating_sub(hang.len()).max(20);
                for (i, l) in wrap(rest, room).iter().enumerate() {
                    let _ = writeln!(out, "{}{l}", if i == 0 { &first } else { &hang });
                }
            }
        }
        if !f.references.is_empty() {
            let _ = writeln!(out, "{body}{}", st.paint(BOLD, "References:"));
            for r in &f.references {
                let _ = writeln!(out, "{body}  {r}");
            }
        }
    }
    if !f.explains.is_empty() {
        let _ = writeln!(
            out,
            "{body}{}",
            st.paint(BOLD, "Explains (consequences of this cause):")
        );
        for (i, c) in f.explains.iter().enumerate() {
            finding(out, c, &format!("{num}.{}", i + 1), depth + 1, opts, st);
        }
    }
    if depth == 0 {
        out.push('\n');
    }
}

fn evidence(out: &mut String, e: &Evidence, body: &str, width: usize, st: &Painter) {
    let loc = if e.line > 0 {
        format!("{}:{}", e.path, e.line)
    } else {
        e.path.clone()
    };
    let time = e.time.map(|t| format!("  {t}")).unwrap_or_default();
    let indent = format!("{body}    ");
    if body.chars().count() + 2 + loc.chars().count() + time.chars().count() <= width {
        let _ = writeln!(
            out,
            "{body}  {}{}",
            st.paint(PATH, &loc),
            st.paint(DIM, &time)
        );
    } else {
        // Too long for one line: the time goes under the location.
        let _ = writeln!(out, "{body}  {}", st.paint(PATH, &loc));
        if !time.is_empty() {
            let _ = writeln!(out, "{indent}{}", st.paint(DIM, time.trim_start()));
        }
    }
    let room = width.saturating_sub(indent.chars().count()).max(20);
    let (text, hl) = shorten(&e.text, e.highlight, room);
    let shown = match hl {
        Some((a, b)) if st.on => match (text.get(..a), text.get(a..b), text.get(b..)) {
            (Some(x), Some(y), Some(z)) => format!("{x}{}{z}", st.paint(MATCH, y)),
            _ => text,
        },
        _ => text,
    };
    let _ = writeln!(out, "{indent}{shown}");
}

/// Word-wraps `text` at `width` columns, each line starting with `indent`.
fn wrap_into(
    out: &mut String,
    text: &str,
    indent: &str,
    width: usize,
    style: Option<(&Painter, Style)>,
) {
    for line in wrap(text, width.saturating_sub(indent.chars().count()).max(20)) {
        match style {
            Some((st, s)) => {
                let _ = writeln!(out, "{indent}{}", st.paint(s, &line));
            }
            None => {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
    }
}

/// The steps of a remediation text: a line starting with a list marker (`1.`, `-`, `*`) begins
/// a step, other lines continue the previous one (rule files wrap long steps).
pub fn steps(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (marker, _) = split_marker(line);
        match out.last_mut() {
            Some(last) if marker.is_empty() => {
                last.push(' ');
                last.push_str(line);
            }
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// Splits a list marker (`1. `, `- `, `* `) off the front of a step; empty when there is none.
fn split_marker(line: &str) -> (&str, &str) {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let end = if digits > 0 && line[digits..].starts_with(". ") {
        digits + 2
    } else if line.starts_with("- ") || line.starts_with("* ") {
        2
    } else {
        0
    };
    (&line[..end], &line[end..])
}

/// Greedy word wrap to `width` characters; a word longer than the width gets a line of its own.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if cur_len > 0 && cur_len + 1 + n > width {
            lines.push(std::mem::take(&mut cur));
            cur_len = 0;
        }
        if cur_len > 0 {
            cur.push(' ');
            cur_len += 1;
        }
        cur.push_str(word);
        cur_len += n;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Shortens `text` to `width` characters, keeping the highlight (the part a rule matched) in
/// view: the cut is made around it — a little context before, the rest after — rather than at
/// both ends; a highlight wider than the room shows its beginning. Char boundaries are kept;
/// returns the new text and the highlight's range within it.
pub fn shorten(
    text: &str,
    hl: Option<(usize, usize)>,
    width: usize,
) -> (String, Option<(usize, usize)>) {
    let hl = hl.filter(|&(a, b)| {
        a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
    });
    let n = text.chars().count();
    if n <= width {
        return (text.to_string(), hl);
    }
    let width = width.max(8);
    // Byte offset of a char index.
    let byte_at = |chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    };
    // The window in chars: `…` before when it starts past 0, `…` after when it ends early.
    let room = width - 2;
    let want = hl.map_or(0, |(a, b)| {
        let (ha, hb) = (text[..a].chars().count(), text[..b].chars().count());
        let len = hb - ha;
        if len >= room {
            ha
        } else {
            ha.saturating_sub((room - len) / 4)
        }
    });
    let (start_chars, end_chars) = if want == 0 {
        (0, width - 1)
    } else if n - want < width {
        (n - (width - 1), n)
    } else {
        (want, want + room)
    };
    let prefix = if start_chars > 0 { "…" } else { "" };
    let suffix = if end_chars < n { "…" } else { "" };
    let (start, end) = (byte_at(start_chars), byte_at(end_chars));
    let s = format!("{prefix}{}{suffix}", &text[start..end]);
    let hl = hl.and_then(|(a, b)| {
        let a = a.max(start).checked_sub(start)? + prefix.len();
        let b = b.min(end).checked_sub(start)? + prefix.len();
        (a < b && s.is_char_boundary(a) && s.is_char_boundary(b)).then_some((a, b))
    });
    (s, hl)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Timestamp;
    use crate::report::{Stats, Tool};

    // Evidence shapes: `ctr -n moby task ls` row (sos 4.x sos_commands/containerd) and a
    // dmesg OOM line (docs/signatures.md, "OOM kill").
    fn sample() -> Report {
        let ev = |path: &str, line: u32, text: &str, hl: Option<(usize, usize)>| Evidence {
            input: 0,
            path: path.into(),
            line,
            time: Some(Timestamp::from_secs_micros(1_594_807_942, 0)),
            text: text.into(),
            highlight: hl,
            label: String::new(),
        };
        let child = Finding {
            host: 0,
            rule: "oom-kill".into(),
            title: "Kernel OOM killer".into(),
            severity: Severity::Medium,
            score: 70,
            confidence: crate::base::Confidence::Confirmed,
            summary: "1 process killed.".into(),
            evidence: vec![ev(
                "var/log/messages",
                9,
                "Out of memory: Killed process 30639 (java)",
                Some((0, 13)),
            )],
            missing: vec![],
            remediation: String::new(),
            references: vec![],
            explains: vec![],
        };
        let e = ev(
            "sos_commands/containerd/ctr_--namespace_moby_task_ls",
            3,
            "ff329173246b    30639    STOPPED",
            Some((25, 32)),
        );
        Report { hosts: Vec::new(),
            schema_version: 1,
            tool: Tool::default(),
            inputs: vec![],
            host: crate::report::host::Host {
                hostname: Some(crate::report::host::HostFact {
                    value: "node1".into(),
                    source: "sos_commands/host/hostname:1".into(),
                }),
                docker: Some(crate::report::host::HostFact {
                    value: "19.03.15".into(),
                    source: "sos_commands/docker/docker_version:2".into(),
                }),
                ..Default::default()
            },
            findings: vec![Finding { host: 0,
                rule: "runtime-state-mismatch".into(),
                title: "containerd says the task STOPPED while docker still says the container is Up".into(),
                severity: Severity::High,
                score: 60,
                confidence: crate::base::Confidence::Confirmed,
                summary: "container ff329173246b is running for docker but STOPPED for containerd (1 container(s) disagree).".into(),
                evidence: vec![e.clone(), e.clone(), e],
                missing: vec!["dockerd reporting dropped task events".into()],
                remediation: "1. Confirm with `ctr -n moby task ls`.\n2. Restart dockerd.".into(),
                references: vec!["https://github.com/moby/moby/issues/41941".into()],
                explains: vec![child],
            }],
            warnings: vec![],
            stats: Stats {
                members: 4,
                records: 12,
                bytes: 2854,
                seconds: 0.5,
                first: Some(Timestamp::from_secs_micros(1_594_800_000, 0)),
                last: Some(Timestamp::from_secs_micros(1_594_807_942, 0)),
                partial: false,
                ..Stats::default()
            },
        }
    }

    #[test]
    fn plain_rendering_is_exact_and_fits_80_columns() {
        let out = render(
            &sample(),
            &TextOptions {
                timing: false,
                ..TextOptions::default()
            },
        );
        let expected = "\
Host
  Hostname    node1     sos_commands/host/hostname:1
  OS          unknown
  Kernel      unknown
  Uptime      unknown
  Boot time   unknown
  CPUs        unknown
  Memory      unknown
  Cgroup      unknown
  Docker      19.03.15  sos_commands/docker/docker_version:2
  containerd  unknown
  runc        unknown
  kubelet     unknown
  CRI-O       unknown
  Collected   unknown

1. [HIGH] confirmed score 60 runtime-state-mismatch
   containerd says the task STOPPED while docker still says the container is Up
   container ff329173246b is running for docker but STOPPED for containerd (1
   container(s) disagree).
   Evidence:
     sos_commands/containerd/ctr_--namespace_moby_task_ls:3
       2020-07-15T10:12:22Z
       ff329173246b    30639    STOPPED
   Not found:
     - dockerd reporting dropped task events
   Remediation:
     1. Confirm with `ctr -n moby task ls`.
     2. Restart dockerd.
   References:
     https://github.com/moby/moby/issues/41941
   Explains (consequences of this cause):
    1.1 [MEDIUM] confirmed score 70 oom-kill
       Kernel OOM killer
       1 process killed.
       Evidence:
         var/log/messages:9  2020-07-15T10:12:22Z
           Out of memory: Killed process 30639 (java)

Inventory
  4 member(s) read, 12 record(s), 2.8 KiB
  time span 2020-07-15T08:00:00Z .. 2020-07-15T10:12:22Z (2 h 12 min)
  0 warning(s)
";
        assert_eq!(out, expected);
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
        assert!(!out.contains('\x1b'));
    }

    /// Nested findings are numbered alike in every format: `1.`, `1.1`, `1.1.1`.
    #[test]
    fn nested_numbering_is_the_same_in_every_format() {
        let mut r = sample();
        let mut grandchild = r.findings[0].explains[0].clone();
        grandchild.rule = "pod-terminating".into();
        r.findings[0].explains[0].explains.push(grandchild);
        let text = render(&r, &TextOptions::default());
        let html = crate::report::html::render(&r, &Default::default());
        let md = crate::report::markdown::render(&r, &Default::default());
        let jira = crate::report::jira::render(&r, &Default::default());
        for (num, rule) in [
            ("1.", "runtime-state-mismatch"),
            ("1.1", "oom-kill"),
            ("1.1.1", "pod-terminating"),
        ] {
            assert!(
                text.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{num} [")) && l.ends_with(rule)),
                "{num}: {text}"
            );
            assert!(
                html.contains(&format!("<h3>{num} <span class=\"badge\"")),
                "{num}"
            );
            assert!(md.contains(&format!("### {num} {rule}\n")), "{num}");
            assert!(jira.contains(&format!("}}{num} {rule}\n")), "{num}");
        }
        assert!(!text.contains("1.11"));
    }

    #[test]
    fn colour_highlights_the_matched_part() {
        let out = render(
            &sample(),
            &TextOptions {
                color: true,
                ..TextOptions::default()
            },
        );
        let m = format!("{}STOPPED{}", MATCH.render(), MATCH.render_reset());
        assert!(out.contains(&m), "{out:?}");
        let badge = severity_style(Severity::High);
        assert!(out.contains(&format!("{}[HIGH]{}", badge.render(), badge.render_reset())));
    }

    #[test]
    fn shorten_keeps_highlight_and_boundaries() {
        // A long kubelet line (docs/signatures.md, "PLEG is not healthy").
        let text = "E0715 10:12:22.123456    1201 kubelet.go:1845] skipping pod synchronization - PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s";
        let a = text.find("PLEG").unwrap_or(0);
        let (s, hl) = shorten(text, Some((a, a + 19)), 60);
        assert_eq!(s.chars().count(), 60);
        let (x, y) = hl.unwrap_or((0, 0));
        assert_eq!(&s[x..y], "PLEG is not healthy");
        assert!(s.starts_with('…') && s.ends_with('…'));
        // The case: an inotify failure whose telling part is at the end of a long
        // kubelet line; at 72 columns the whole match stays in view.
        let text = "E0715 10:12:22.123456    1201 manager.go:123] Failed to start the container watcher: inotify_add_watch /sys/fs/cgroup/memory/kubepods/burstable/pod0b8c6e62/0f1e: no space left on device";
        let a = text.find("no space left on device").unwrap_or(0);
        let (s, hl) = shorten(text, Some((a, text.len())), 72);
        assert_eq!(s.chars().count(), 72);
        assert!(
            s.starts_with('…') && s.ends_with("no space left on device"),
            "{s}"
        );
        let (x, y) = hl.unwrap_or((0, 0));
        assert_eq!(&s[x..y], "no space left on device");
        // A match wider than the room shows its beginning.
        let (s, hl) = shorten(text, Some((0, text.len())), 20);
        assert_eq!(s.chars().count(), 20);
        assert_eq!(hl.map(|(a, _)| a), Some(0));
        // Multi-byte text never splits a character; bad ranges are dropped.
        let (s, hl) = shorten("é".repeat(50).as_str(), Some((1, 3)), 10);
        assert_eq!(s.chars().count(), 10);
        assert_eq!(hl, None);
    }

    #[test]
    fn wrap_and_units() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 6), vec![""]);
        // Remediation of a built-in rule file, wrapped by hand in the TOML.
        assert_eq!(
            steps(
                "1. Drain the node; stop dockerd\n   (`find <dir> -delete`).\n2. Use a volume.\nplain"
            ),
            vec![
                "1. Drain the node; stop dockerd (`find <dir> -delete`).",
                "2. Use a volume. plain"
            ]
        );
        assert_eq!(split_marker("- x"), ("- ", "x"));
        assert_eq!(split_marker("12x"), ("", "12x"));
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1_721_713), "1.6 MiB");
        assert_eq!(span_text(41_000_000), "41 s");
        assert_eq!(span_text(7_500 * 1_000_000), "2 h 05 min");
    }
}
