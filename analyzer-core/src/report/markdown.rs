//! Markdown renderer: a ticket-ready comment.
//!
//! A summary table (rule, severity, score, one-line summary), then one section per finding with
//! its evidence in a fenced block, what was not found, the remediation and references. Only
//! constructs that GitHub, GitLab and Jira's Markdown all render are used: ATX headings, pipe
//! tables, fenced code blocks, bullet lists and inline code.

use std::fmt::Write as _;

use crate::base::Finding;
use crate::report::Report;
use crate::report::text::{
    UNREAD_LISTED, distinct_evidence, human_bytes, no_findings, number_label, steps,
};

/// Rendering options.
#[derive(Clone, Debug)]
pub struct MarkdownOptions {
    /// Evidence lines per finding (distinct, most telling first).
    pub evidence_lines: usize,
    /// Heading level of the report title (`2` gives `##`, fit for a ticket comment).
    pub heading: usize,
    /// Include the wall-clock duration of the run (off for reproducible output).
    pub timing: bool,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            evidence_lines: 8,
            heading: 2,
            timing: true,
        }
    }
}

/// Escapes text for a table cell or a line of prose: pipes, newlines and the characters that
/// would start emphasis, links or HTML.
pub fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code fence longer than any run of backticks in `body`.
fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// `code` with a delimiter that survives backticks inside.
fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// Renders a report as Markdown.
pub fn render(report: &Report, opts: &MarkdownOptions) -> String {
    let report = &report.qualified();
    let h = "#".repeat(opts.heading.clamp(1, 5));
    let h_level = h.as_str();
    let mut out = String::new();
    let total: usize = report.findings.iter().map(count).sum();
    let _ = writeln!(
        out,
        "{h} nodemortem: {} finding(s), {} root cause(s)\n",
        total,
        report.findings.len()
    );
    let inputs: Vec<String> = report.inputs.iter().map(|i| code(&i.path)).collect();
    if !inputs.is_empty() {
        let _ = writeln!(out, "Input: {}\n", inputs.join(", "));
    }
    for w in report.assumptions() {
        let _ = writeln!(out, "> **Assumed:** {}\n", escape_inline(&w.message));
    }
    if report.incomplete() {
        let _ = writeln!(
            out,
            "> **{}**\n>",
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
                "> - {}{at}: {}",
                code(&w.path),
                escape_inline(&w.message)
            );
        }
        if unread.len() > UNREAD_LISTED {
            let _ = writeln!(
                out,
                "> - … {} more (listed under Inventory)",
                unread.len() - UNREAD_LISTED
            );
        }
        out.push('\n');
    }
    if report.multi_host() {
        // Findings grouped by host, each under its heading and header.
        for (h, (before, sub)) in report.per_host().iter().enumerate() {
            let _ = writeln!(
                out,
                "{h_level}# {}\n",
                escape_inline(&report.host_heading(h))
            );
            host(&mut out, &sub.host);
            if sub.findings.is_empty() {
                out.push_str("No findings on this host.\n\n");
            } else {
                out.push_str("| # | Rule | Severity | Score | Summary |\n");
                out.push_str("|---|------|----------|------:|---------|\n");
                for (i, f) in sub.findings.iter().enumerate() {
                    table_rows(&mut out, f, &format!("{}", before + i + 1), 0);
                }
                out.push('\n');
            }
            for (i, f) in sub.findings.iter().enumerate() {
                section(&mut out, f, &format!("{}", before + i + 1), h_level, opts);
            }
        }
    } else {
        single(&mut out, report, h_level, opts);
    }
    inventory(&mut out, report, h_level, opts);
    out
}

/// The host header and the findings of a single-host report.
fn single(out: &mut String, report: &Report, h: &str, opts: &MarkdownOptions) {
    host(out, &report.host);
    if report.findings.is_empty() {
        let _ = writeln!(out, "{}\n", escape_inline(&no_findings(report)));
    } else {
        out.push_str("| # | Rule | Severity | Score | Summary |\n");
        out.push_str("|---|------|----------|------:|---------|\n");
        for (i, f) in report.findings.iter().enumerate() {
            table_rows(out, f, &format!("{}", i + 1), 0);
        }
        out.push('\n');
    }
    for (i, f) in report.findings.iter().enumerate() {
        section(out, f, &format!("{}", i + 1), h, opts);
    }
}

/// The inventory: volume, time span, warnings.
fn inventory(out: &mut String, report: &Report, h: &str, opts: &MarkdownOptions) {
    let s = &report.stats;
    let _ = writeln!(out, "{h}# Inventory\n");
    let timing = if opts.timing {
        format!(" in {:.2} s", s.seconds)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "- {} member(s) read, {} record(s), {}{timing}",
        s.members,
        s.records,
        human_bytes(s.bytes)
    );
    match (s.first, s.last) {
        (Some(a), Some(b)) => {
            let _ = writeln!(out, "- Time span: {a} .. {b}");
        }
        _ => out.push_str("- Time span: unknown (no timed records)\n"),
    }
    if s.partial {
        out.push_str("- **Partial**: a limit cut the analysis short.\n");
    }
    let _ = writeln!(out, "- {} warning(s)", report.warnings.len());
    for w in report.warnings.iter().take(20) {
        let _ = writeln!(out, "  - {}: {}", code(&w.path), escape_inline(&w.message));
    }
    if report.warnings.len() > 20 {
        let _ = writeln!(out, "  - … {} more", report.warnings.len() - 20);
    }
}

/// The host header as a table: fact, value, the member it came from.
fn host(out: &mut String, h: &crate::report::host::Host) {
    if h.is_empty() {
        out.push_str("Host: unknown (no host-state member read)\n\n");
        return;
    }
    out.push_str("| Host | Value | Source |\n|------|-------|--------|\n");
    for (label, fact) in h.rows() {
        match fact {
            Some(f) => {
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} |",
                    escape_inline(&f.value),
                    code(&f.source.replace('|', "/"))
                );
            }
            None => {
                let _ = writeln!(out, "| {label} | unknown | |");
            }
        }
    }
    out.push('\n');
}

fn count(f: &Finding) -> usize {
    1 + f.explains.iter().map(count).sum::<usize>()
}

fn table_rows(out: &mut String, f: &Finding, num: &str, depth: usize) {
    let arrow = if depth > 0 { "↳ " } else { "" };
    let _ = writeln!(
        out,
        "| {num} | {arrow}[{}](#{}) | {} ({}) | {} | {} |",
        escape_inline(&f.rule),
        anchor(num, &f.rule),
        f.severity.name(),
        f.confidence.name(),
        f.score,
        escape_inline(&f.summary)
    );
    for (i, c) in f.explains.iter().enumerate() {
        table_rows(out, c, &format!("{num}.{}", i + 1), depth + 1);
    }
}

/// The anchor GitHub and GitLab derive from a `### 1. rule-id` heading.
fn anchor(num: &str, rule: &str) -> String {
    let mut s: String = format!("{num} {rule}")
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect();
    s.truncate(100);
    s
}

fn section(out: &mut String, f: &Finding, num: &str, h: &str, opts: &MarkdownOptions) {
    let _ = writeln!(out, "{h}# {} {}\n", number_label(num), f.rule);
    let _ = writeln!(
        out,
        "**{}** · severity **{}** · confidence **{}** · score **{}**\n",
        escape_inline(&f.title),
        f.severity.name(),
        f.confidence.name(),
        f.score
    );
    let _ = writeln!(out, "{}\n", escape_inline(&f.summary));
    let ev = distinct_evidence(f);
    if !ev.is_empty() {
        out.push_str("Evidence:\n\n");
        let mut body = String::new();
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
            let _ = writeln!(body, "# {loc}{time}{label}\n{}", e.text);
        }
        if ev.len() > opts.evidence_lines {
            let _ = writeln!(body, "# … {} more line(s)", ev.len() - opts.evidence_lines);
        }
        let fence = fence(&body);
        let _ = writeln!(out, "{fence}text\n{body}{fence}\n");
    }
    if !f.missing.is_empty() {
        out.push_str("Not found (would strengthen the diagnosis):\n\n");
        for m in &f.missing {
            let _ = writeln!(out, "- {}", escape_inline(m));
        }
        out.push('\n');
    }
    if !f.remediation.trim().is_empty() {
        out.push_str("Remediation:\n\n");
        for step in steps(&f.remediation) {
            // Keep the rule's own numbering and inline code; a step that is not a list item
            // still gets a line of its own.
            let _ = writeln!(out, "{step}  ");
        }
        out.push('\n');
    }
    if !f.references.is_empty() {
        out.push_str("References:\n\n");
        for r in &f.references {
            let _ = writeln!(out, "- <{r}>");
        }
        out.push('\n');
    }
    for (i, c) in f.explains.iter().enumerate() {
        section(out, c, &format!("{num}.{}", i + 1), h, opts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{Evidence, Severity};
    use crate::report::{Stats, Tool};

    // Evidence shape: `docker ps` row with a quoted command containing a pipe (sos 4.x
    // sos_commands/docker/docker_ps), which must not break the table or the fence.
    fn report() -> Report {
        Report {
            hosts: Vec::new(),
            schema_version: 1,
            tool: Tool::default(),
            inputs: vec![],
            host: Default::default(),
            findings: vec![Finding {
                host: 0,
                rule: "runtime-state-mismatch".into(),
                title: "docker | containerd disagree".into(),
                severity: Severity::High,
                score: 60,
                confidence: crate::base::Confidence::Confirmed,
                summary: "1 container *disagrees*.".into(),
                evidence: vec![Evidence {
                    input: 0,
                    path: "sos_commands/docker/docker_ps".into(),
                    line: 2,
                    time: None,
                    text: "ff329173246b  \"sh -c 'a | b'\"  ```  Up 3 hours".into(),
                    highlight: None,
                    label: "docker-up".into(),
                }],
                missing: vec![],
                remediation: "1. Run `docker rm -f <id>`.".into(),
                references: vec!["https://github.com/moby/moby/issues/41941".into()],
                explains: vec![],
            }],
            warnings: vec![],
            stats: Stats::default(),
        }
    }

    #[test]
    fn table_fence_and_escaping() {
        let out = render(
            &report(),
            &MarkdownOptions {
                timing: false,
                ..MarkdownOptions::default()
            },
        );
        let expected = "\
## nodemortem: 1 finding(s), 1 root cause(s)

Host: unknown (no host-state member read)

| # | Rule | Severity | Score | Summary |
|---|------|----------|------:|---------|
| 1 | [runtime-state-mismatch](#1-runtime-state-mismatch) | high (confirmed) | 60 | 1 container \\*disagrees\\*. |

### 1. runtime-state-mismatch

**docker \\| containerd disagree** · severity **high** · confidence **confirmed** · score **60**

1 container \\*disagrees\\*.

Evidence:

````text
# sos_commands/docker/docker_ps:2  [docker-up]
ff329173246b  \"sh -c 'a | b'\"  ```  Up 3 hours
````

Remediation:

1. Run `docker rm -f <id>`.  

References:

- <https://github.com/moby/moby/issues/41941>

### Inventory

- 0 member(s) read, 0 record(s), 0 B
- Time span: unknown (no timed records)
- 0 warning(s)
";
        assert_eq!(out, expected);
    }

    #[test]
    fn anchors_follow_github_slugs() {
        assert_eq!(anchor("1.2", "lock-convoy"), "12-lock-convoy");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
