//! Jira wiki-markup renderer: a comment for Jira Server and Data Center (and Cloud's legacy
//! editor), which do not render Markdown.
//!
//! The same content as the Markdown comment: the host header and a summary table
//! (`||heading||` rows), then one section per finding (`h3.` with an `{anchor}` the summary
//! links to) whose evidence sits in a `{noformat}` block, the remediation with inline code as
//! `{{monospace}}`, references as `[links]`. Text from input is escaped so that it cannot start
//! markup: `{`, `}`, `|`, `*`, `_`, `[`, `]`, `!`, `^`, `~`, `+`, `\` get a backslash, a `-` or
//! `#` that would start a list, strike-through or heading too, and nothing can close a
//! `{noformat}` block early.

use std::fmt::Write as _;

use crate::base::Finding;
use crate::report::Report;
use crate::report::text::{
    UNREAD_LISTED, distinct_evidence, human_bytes, no_findings, number_label, steps,
};

/// Rendering options.
#[derive(Clone, Debug)]
pub struct JiraOptions {
    /// Evidence lines per finding (distinct, most telling first).
    pub evidence_lines: usize,
    /// Include the wall-clock duration of the run (off for reproducible output).
    pub timing: bool,
}

impl Default for JiraOptions {
    fn default() -> Self {
        JiraOptions {
            evidence_lines: 8,
            timing: true,
        }
    }
}

/// Escapes text for a table cell or a line of prose: every character that starts Jira markup
/// gets a backslash; line breaks become spaces (a cell is one line).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let edge = |x: Option<char>| x.is_none_or(char::is_whitespace);
        match c {
            '{' | '}' | '|' | '*' | '_' | '[' | ']' | '!' | '^' | '~' | '+' | '\\' | '?' => {
                out.push('\\');
                out.push(c);
            }
            // `-text-` is strike-through, `- ` at a line start a list item, `----` a rule.
            '-' | '#' if edge(before) || edge(after) || after == Some('-') => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a `{noformat}` block: nothing is interpreted there except the closing tag,
/// so only that is broken up.
fn noformat_body(s: &str) -> String {
    s.replace("{noformat}", "{ noformat}")
}

/// A line of prose with Markdown-style inline code (`` `docker ps` ``) as Jira `{{monospace}}`,
/// the rest escaped.
fn prose(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 && !part.is_empty() {
            let _ = write!(out, "{{{{{}}}}}", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

/// A link when `r` is a web address, escaped text otherwise.
fn link(r: &str) -> String {
    let plain = (r.starts_with("https://") || r.starts_with("http://"))
        && !r.contains(['|', ']', '[', ' ', '{', '}']);
    if plain { format!("[{r}]") } else { escape(r) }
}

/// What was assumed and what was not read, before everything else, as the other formats say
/// it: a lost root cause must not be a count at the bottom of the comment.
fn not_read(out: &mut String, report: &Report) {
    for w in report.assumptions() {
        let _ = writeln!(out, "*Assumed:* {}\n", escape(&w.message));
    }
    if !report.incomplete() {
        return;
    }
    let _ = writeln!(
        out,
        "*{}*",
        if report.stats.partial {
            "Partial: a limit cut the analysis short; not read in full:"
        } else {
            "Incomplete: part of the input was not read:"
        }
    );
    let unread: Vec<_> = report.unread().collect();
    for w in unread.iter().take(UNREAD_LISTED) {
        let at = w
            .offset
            .map(|o| format!(" (offset {o})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "* {{{{{}}}}}{at}: {}",
            escape(&w.path),
            escape(&w.message)
        );
    }
    if unread.len() > UNREAD_LISTED {
        let _ = writeln!(
            out,
            "* … {} more (listed under Inventory)",
            unread.len() - UNREAD_LISTED
        );
    }
    out.push('\n');
}

/// Renders a report as a Jira wiki-markup comment.
pub fn render(report: &Report, opts: &JiraOptions) -> String {
    let report = &report.qualified();
    let mut out = String::new();
    let total: usize = report.findings.iter().map(count).sum();
    let _ = writeln!(
        out,
        "h2. nodemortem: {} finding(s), {} root cause(s)\n",
        total,
        report.findings.len()
    );
    let inputs: Vec<String> = report
        .inputs
        .iter()
        .map(|i| format!("{{{{{}}}}}", escape(&i.path)))
        .collect();
    if !inputs.is_empty() {
        let _ = writeln!(out, "Input: {}\n", inputs.join(", "));
    }
    not_read(&mut out, report);
    if report.multi_host() {
        // Findings grouped by host, each under its heading and header.
        for (h, (before, sub)) in report.per_host().iter().enumerate() {
            let _ = writeln!(out, "h3. {}\n", escape(&report.host_heading(h)));
            host(&mut out, &sub.host);
            if sub.findings.is_empty() {
                out.push_str("No findings on this host.\n\n");
            } else {
                out.push_str("||#||Rule||Severity||Score||Summary||\n");
                for (i, f) in sub.findings.iter().enumerate() {
                    table_rows(&mut out, f, &format!("{}", before + i + 1), 0);
                }
                out.push('\n');
            }
            for (i, f) in sub.findings.iter().enumerate() {
                section(&mut out, f, &format!("{}", before + i + 1), opts);
            }
        }
    } else {
        host(&mut out, &report.host);
        if report.findings.is_empty() {
            let _ = writeln!(out, "{}\n", escape(&no_findings(report)));
        } else {
            out.push_str("||#||Rule||Severity||Score||Summary||\n");
            for (i, f) in report.findings.iter().enumerate() {
                table_rows(&mut out, f, &format!("{}", i + 1), 0);
            }
            out.push('\n');
        }
        for (i, f) in report.findings.iter().enumerate() {
            section(&mut out, f, &format!("{}", i + 1), opts);
        }
    }
    let s = &report.stats;
    out.push_str("h3. Inventory\n\n");
    let timing = if opts.timing {
        format!(" in {:.2} s", s.seconds)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "* {} member(s) read, {} record(s), {}{timing}",
        s.members,
        s.records,
        human_bytes(s.bytes)
    );
    match (s.first, s.last) {
        (Some(a), Some(b)) => {
            let _ = writeln!(out, "* Time span: {a} .. {b}");
        }
        _ => out.push_str("* Time span: unknown (no timed records)\n"),
    }
    if s.partial {
        out.push_str("* *Partial*: a limit cut the analysis short.\n");
    }
    let _ = writeln!(out, "* {} warning(s)", report.warnings.len());
    for w in report.warnings.iter().take(20) {
        let _ = writeln!(
            out,
            "** {{{{{}}}}}: {}",
            escape(&w.path),
            escape(&w.message)
        );
    }
    if report.warnings.len() > 20 {
        let _ = writeln!(out, "** … {} more", report.warnings.len() - 20);
    }
    out
}

fn host(out: &mut String, h: &crate::report::host::Host) {
    if h.is_empty() {
        out.push_str("Host: unknown (no host-state member read)\n\n");
        return;
    }
    out.push_str("||Host||Value||Source||\n");
    for (label, fact) in h.rows() {
        match fact {
            Some(f) => {
                let _ = writeln!(
                    out,
                    "|{label}|{}|{{{{{}}}}}|",
                    escape(&f.value),
                    escape(&f.source)
                );
            }
            None => {
                let _ = writeln!(out, "|{label}|unknown| |");
            }
        }
    }
    out.push('\n');
}

fn count(f: &Finding) -> usize {
    1 + f.explains.iter().map(count).sum::<usize>()
}

/// The anchor of a finding's section (`f-1-2` for 1.2).
fn anchor(num: &str) -> String {
    format!("f-{}", num.replace('.', "-"))
}

fn table_rows(out: &mut String, f: &Finding, num: &str, depth: usize) {
    let arrow = if depth > 0 { "↳ " } else { "" };
    let _ = writeln!(
        out,
        "|{num}|{arrow}[{}|#{}]|{} ({})|{}|{}|",
        escape(&f.rule),
        anchor(num),
        f.severity.name(),
        f.confidence.name(),
        f.score,
        escape(&f.summary)
    );
    for (i, c) in f.explains.iter().enumerate() {
        table_rows(out, c, &format!("{num}.{}", i + 1), depth + 1);
    }
}

fn section(out: &mut String, f: &Finding, num: &str, opts: &JiraOptions) {
    let _ = writeln!(
        out,
        "h3. {{anchor:{}}}{} {}\n",
        anchor(num),
        number_label(num),
        escape(&f.rule)
    );
    let _ = writeln!(
        out,
        "*{}* · severity *{}* · confidence *{}* · score *{}*\n",
        escape(&f.title),
        f.severity.name(),
        f.confidence.name(),
        f.score
    );
    let _ = writeln!(out, "{}\n", escape(&f.summary));
    let ev = distinct_evidence(f);
    if !ev.is_empty() {
        out.push_str("Evidence:\n{noformat}\n");
        for e in ev.iter().take(opts.evidence_lines) {
            let loc = if e.line > 0 {
                format!("{}:{}", e.path, e.line)
            } else {
                e.path.clone()
            };
            let time = e.time.map(|t| format!("  ({t})")).unwrap_or_default();
            let label = if e.label.is_empty() {
                String::new()
            } else {
                format!("  [{}]", e.label)
            };
            let _ = writeln!(
                out,
                "# {}\n{}",
                noformat_body(&format!("{loc}{time}{label}")),
                noformat_body(&e.text)
            );
        }
        if ev.len() > opts.evidence_lines {
            let _ = writeln!(out, "# … {} more line(s)", ev.len() - opts.evidence_lines);
        }
        out.push_str("{noformat}\n\n");
    }
    if !f.missing.is_empty() {
        out.push_str("Not found (would strengthen the diagnosis):\n");
        for m in &f.missing {
            let _ = writeln!(out, "* {}", escape(m));
        }
        out.push('\n');
    }
    if !f.remediation.trim().is_empty() {
        out.push_str("Remediation:\n");
        for step in steps(&f.remediation) {
            let _ = writeln!(out, "{}\\\\", prose(&step));
        }
        out.push('\n');
    }
    if !f.references.is_empty() {
        out.push_str("References:\n");
        for r in &f.references {
            let _ = writeln!(out, "* {}", link(r));
        }
        out.push('\n');
    }
    for (i, c) in f.explains.iter().enumerate() {
        section(out, c, &format!("{num}.{}", i + 1), opts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{Evidence, Severity};
    use crate::report::host::{Host, HostFact};
    use crate::report::{Stats, Tool};

    // Evidence shape: a `docker ps` row whose quoted command holds markup characters and a
    // `{noformat}` that must not end the block (sos 4.x sos_commands/docker/docker_ps).
    fn report() -> Report {
        let child = Finding {
            host: 0,
            rule: "oom-kill".into(),
            title: "Kernel OOM killer".into(),
            severity: Severity::Medium,
            score: 70,
            confidence: crate::base::Confidence::Confirmed,
            summary: "1 process killed.".into(),
            evidence: vec![],
            missing: vec![],
            remediation: String::new(),
            references: vec![],
            explains: vec![],
        };
        Report {
            hosts: Vec::new(),
            schema_version: 2,
            tool: Tool::default(),
            inputs: vec![],
            host: Host {
                hostname: Some(HostFact {
                    value: "node1".into(),
                    source: "sos_commands/host/hostname:1".into(),
                }),
                ..Host::default()
            },
            findings: vec![Finding {
                host: 0,
                rule: "runtime-state-mismatch".into(),
                title: "docker | containerd *disagree*".into(),
                severity: Severity::High,
                score: 60,
                confidence: crate::base::Confidence::Confirmed,
                summary: "container {ff32} is [Up] - for docker_only".into(),
                evidence: vec![Evidence {
                    input: 0,
                    path: "sos_commands/docker/docker_ps".into(),
                    line: 2,
                    time: None,
                    text: "ff329173246b  \"sh -c 'a | b'\" {noformat} *Up* 3 hours".into(),
                    highlight: None,
                    label: "docker-up".into(),
                }],
                missing: vec!["dockerd reporting dropped task events".into()],
                remediation: "1. Run `docker rm -f <id>`.\n2. Restart dockerd.".into(),
                references: vec![
                    "https://github.com/moby/moby/issues/41941".into(),
                    "moby#41941 [x|y]".into(),
                ],
                explains: vec![child],
            }],
            warnings: vec![],
            stats: Stats::default(),
        }
    }

    #[test]
    fn tables_blocks_links_and_escaping() {
        let out = render(
            &report(),
            &JiraOptions {
                timing: false,
                ..JiraOptions::default()
            },
        );
        let expected = "\
h2. nodemortem: 2 finding(s), 1 root cause(s)

||Host||Value||Source||
|Hostname|node1|{{sos\\_commands/host/hostname:1}}|
|OS|unknown| |
|Kernel|unknown| |
|Uptime|unknown| |
|Boot time|unknown| |
|CPUs|unknown| |
|Memory|unknown| |
|Cgroup|unknown| |
|Docker|unknown| |
|containerd|unknown| |
|runc|unknown| |
|kubelet|unknown| |
|CRI-O|unknown| |
|Collected|unknown| |

||#||Rule||Severity||Score||Summary||
|1|[runtime-state-mismatch|#f-1]|high (confirmed)|60|container \\{ff32\\} is \\[Up\\] \\- for docker\\_only|
|1.1|↳ [oom-kill|#f-1-1]|medium (confirmed)|70|1 process killed.|

h3. {anchor:f-1}1. runtime-state-mismatch

*docker \\| containerd \\*disagree\\** · severity *high* · confidence *confirmed* · score *60*

container \\{ff32\\} is \\[Up\\] \\- for docker\\_only

Evidence:
{noformat}
# sos_commands/docker/docker_ps:2  [docker-up]
ff329173246b  \"sh -c 'a | b'\" { noformat} *Up* 3 hours
{noformat}

Not found (would strengthen the diagnosis):
* dockerd reporting dropped task events

Remediation:
1. Run {{docker rm \\-f <id>}}.\\\\
2. Restart dockerd.\\\\

References:
* [https://github.com/moby/moby/issues/41941]
* moby#41941 \\[x\\|y\\]

h3. {anchor:f-1-1}1.1 oom-kill

*Kernel OOM killer* · severity *medium* · confidence *confirmed* · score *70*

1 process killed.

h3. Inventory

* 0 member(s) read, 0 record(s), 0 B
* Time span: unknown (no timed records)
* 0 warning(s)
";
        assert_eq!(out, expected);
    }

    #[test]
    fn escape_rules() {
        assert_eq!(escape("a-b"), "a-b");
        assert_eq!(escape("- item"), "\\- item");
        assert_eq!(escape("x -strike- y"), "x \\-strike\\- y");
        assert_eq!(escape("----"), "\\-\\-\\-\\-");
        assert_eq!(escape("# h"), "\\# h");
        assert_eq!(escape("moby#41941"), "moby#41941");
        assert_eq!(
            escape("!img.png! ^sup^ ~sub~ +u+ ??cite??"),
            "\\!img.png\\! \\^sup\\^ \\~sub\\~ \\+u\\+ \\?\\?cite\\?\\?"
        );
        assert_eq!(escape("a\nb"), "a b");
        assert_eq!(link("https://x/y"), "[https://x/y]");
        assert_eq!(link("https://x/a|b"), "https://x/a\\|b");
    }
}
