//! Terminal renderer: ranked findings, then a short inventory line.
//!
//! Plain text with optional ANSI styling; the CLI decides whether colour is wanted (a terminal,
//! `--color`, `NO_COLOR`). Lines are kept readable at 80 columns: evidence text is shortened.

use std::fmt::Write as _;

use crate::report::{Evidence, Finding, Report, Severity};

/// Rendering options.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// Emit ANSI colour and bold.
    pub color: bool,
    /// Evidence lines shown per finding.
    pub evidence_lines: usize,
    /// Width to shorten evidence text to.
    pub width: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            evidence_lines: 5,
            width: 100,
        }
    }
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, sev: Severity) -> String {
        let code = match sev {
            Severity::Critical => "1;41;97",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(code, &format!("[{}]", sev.name().to_uppercase()))
    }
}

/// Renders a report for a terminal.
pub fn render(report: &Report, opts: &TextOptions) -> String {
    let st = Style { on: opts.color };
    let mut out = String::new();
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    }
    for (i, f) in report.findings.iter().enumerate() {
        finding(&mut out, f, &format!("{}.", i + 1), 0, opts, &st);
    }
    let s = &report.stats;
    let span = match (s.first, s.last) {
        (Some(a), Some(b)) => format!(", {a} .. {b}"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{}",
        st.paint(
            "2",
            &format!(
                "Read {} members, {} records, {} bytes in {:.2}s{span}; {} warning(s){}.",
                s.members,
                s.records,
                s.bytes,
                s.seconds,
                report.warnings.len(),
                if s.partial {
                    "; PARTIAL (time budget hit)"
                } else {
                    ""
                }
            )
        )
    );
    out
}

fn finding(out: &mut String, f: &Finding, num: &str, depth: usize, opts: &TextOptions, st: &Style) {
    let pad = "    ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}{num} {} {} {}  {}",
        st.severity(f.severity),
        st.paint("1", &format!("{:>3}", f.score)),
        st.paint("1", &f.rule),
        f.title
    );
    let _ = writeln!(out, "{pad}   {}", f.summary);
    if !f.evidence.is_empty() {
        let _ = writeln!(out, "{pad}   {}", st.paint("1", "Evidence:"));
        for e in f.evidence.iter().take(opts.evidence_lines) {
            evidence(out, e, &pad, opts, st);
        }
        if f.evidence.len() > opts.evidence_lines {
            let _ = writeln!(
                out,
                "{pad}     … {} more",
                f.evidence.len() - opts.evidence_lines
            );
        }
    }
    if !f.missing.is_empty() {
        let _ = writeln!(out, "{pad}   {}", st.paint("1", "Missing:"));
        for m in &f.missing {
            let _ = writeln!(out, "{pad}     - {m}");
        }
    }
    if depth == 0 {
        let _ = writeln!(out, "{pad}   {}", st.paint("1", "Remediation:"));
        for l in f.remediation.lines() {
            let _ = writeln!(out, "{pad}     {}", l.trim_end());
        }
        if !f.references.is_empty() {
            let _ = writeln!(out, "{pad}   {}", st.paint("1", "References:"));
            for r in &f.references {
                let _ = writeln!(out, "{pad}     {r}");
            }
        }
    }
    if !f.explains.is_empty() {
        let _ = writeln!(out, "{pad}   {}", st.paint("1", "Explains:"));
        for (i, c) in f.explains.iter().enumerate() {
            finding(out, c, &format!("{num}{}", i + 1), depth + 1, opts, st);
        }
    }
    if depth == 0 {
        out.push('\n');
    }
}

fn evidence(out: &mut String, e: &Evidence, pad: &str, opts: &TextOptions, st: &Style) {
    let loc = if e.line > 0 {
        format!("{}:{}", e.path, e.line)
    } else {
        e.path.clone()
    };
    let time = e.time.map(|t| format!(" {t}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad}     {}{}",
        st.paint("35", &loc),
        st.paint("2", &time)
    );
    let (text, hl) = shorten(&e.text, e.highlight, opts.width);
    let body = match hl {
        Some((a, b)) if st.on => format!(
            "{}{}{}",
            &text[..a],
            st.paint("1;32", &text[a..b]),
            &text[b..]
        ),
        _ => text,
    };
    let _ = writeln!(out, "{pad}       {body}");
}

/// Shortens `text` to about `width` characters around the highlight, keeping char boundaries.
fn shorten(
    text: &str,
    hl: Option<(usize, usize)>,
    width: usize,
) -> (String, Option<(usize, usize)>) {
    if text.chars().count() <= width {
        return (text.to_string(), hl);
    }
    let focus = hl.map(|(a, _)| a).unwrap_or(0);
    let mut start = focus.saturating_sub(width / 4);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + width).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let s = format!("{prefix}{}{suffix}", &text[start..end]);
    let hl = hl.and_then(|(a, b)| {
        let a = a.checked_sub(start)? + prefix.len();
        let b = (b.min(end)).checked_sub(start)? + prefix.len();
        (a < b && s.is_char_boundary(a) && s.is_char_boundary(b)).then_some((a, b))
    });
    (s, hl)
}
