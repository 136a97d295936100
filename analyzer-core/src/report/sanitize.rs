//! Control characters from input made harmless for a terminal.
//!
//! Log text and member names are written by whoever produced the bundle. Printed raw, an
//! `ESC ] 0 ; … BEL` sets the window title, `ESC [ 2 J` clears the screen, a carriage return
//! hides what came before it on the line. Every text renderer passes input through these
//! functions, whatever the colour setting: C0 controls, DEL, C1 controls and the Unicode
//! direction overrides are shown escaped (`\x1b`, `\r`, `\u{202e}`); styling the renderer adds
//! itself is added afterwards and is not touched.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::base::{Evidence, Finding};
use crate::report::Report;
use crate::report::host::HostFact;

/// True for a character that must not reach a terminal raw.
fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\0'..='\x1f' | '\x7f' | '\u{80}'..='\u{9f}'
        // Bidirectional embeddings, overrides and isolates ("Trojan source" reordering).
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn escape_where(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            escape_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A one-line field (log text, a path, a title) with every control character escaped,
/// line breaks and tabs included.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_where(s, |_| false)
}

/// Multi-line text (a rendered table, a rule's explanation) with every control character
/// escaped except line feeds and tabs.
pub fn escape_controls_keep_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c == '\n' || c == '\t')
}

fn field(s: &mut String) {
    if let Cow::Owned(o) = escape_controls(s) {
        *s = o;
    }
}

fn lines(s: &mut String) {
    if let Cow::Owned(o) = escape_controls_keep_lines(s) {
        *s = o;
    }
}

fn evidence(e: &mut Evidence) {
    field(&mut e.path);
    field(&mut e.label);
    // The highlight is a byte range of the text: map it through the escaping.
    let hl = e.highlight.and_then(|(a, b)| {
        let (x, y, _) = (e.text.get(..a)?, e.text.get(a..b)?, e.text.get(b..)?);
        let a2 = escape_controls(x).len();
        Some((a2, a2 + escape_controls(y).len()))
    });
    if let Cow::Owned(o) = escape_controls(&e.text) {
        e.text = o;
        e.highlight = hl;
    }
}

fn finding(f: &mut Finding) {
    field(&mut f.rule);
    field(&mut f.title);
    field(&mut f.summary);
    for e in &mut f.evidence {
        evidence(e);
    }
    for m in &mut f.missing {
        field(m);
    }
    lines(&mut f.remediation);
    for r in &mut f.references {
        field(r);
    }
    for c in &mut f.explains {
        finding(c);
    }
}

/// A copy of `report` whose every string from input is safe to print on a terminal
/// ([`escape_controls`]); evidence highlights still cover the same characters.
pub fn sanitized(report: &Report) -> Report {
    let mut r = report.clone();
    for i in &mut r.inputs {
        field(&mut i.path);
    }
    for f in &mut r.findings {
        finding(f);
    }
    for w in &mut r.warnings {
        field(&mut w.path);
        field(&mut w.message);
    }
    let h = &mut r.host;
    for fact in [
        &mut h.hostname,
        &mut h.os,
        &mut h.kernel,
        &mut h.uptime,
        &mut h.boot_time,
        &mut h.cpus,
        &mut h.memory,
        &mut h.cgroup,
        &mut h.docker,
        &mut h.containerd,
        &mut h.runc,
        &mut h.kubelet,
        &mut h.cri_o,
        &mut h.collected,
    ]
    .into_iter()
    .flatten()
    {
        let HostFact { value, source } = fact;
        field(value);
        field(source);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        let hostile = "a\x1b]0;owned\x07b\x1b[2Jc\rd\u{9b}31m\u{202e}e\x7f\tf\ng";
        assert_eq!(
            escape_controls(hostile),
            "a\\x1b]0;owned\\x07b\\x1b[2Jc\\rd\\x9b31m\\u{202e}e\\x7f\\tf\\ng"
        );
        assert_eq!(
            escape_controls_keep_lines(hostile),
            "a\\x1b]0;owned\\x07b\\x1b[2Jc\\rd\\x9b31m\\u{202e}e\\x7f\tf\ng"
        );
        // Clean text is not copied; other non-ASCII text stays as it is.
        assert!(matches!(escape_controls("héllo — ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn highlight_follows_the_escaped_text() {
        let mut e = Evidence {
            input: 0,
            path: "var/log/\x1b[2Jmessages".into(),
            line: 3,
            time: None,
            text: "\x1b]0;x\x07 Out of memory: Killed".into(),
            highlight: Some((7, 20)),
            label: String::new(),
        };
        evidence(&mut e);
        assert_eq!(e.path, "var/log/\\x1b[2Jmessages");
        let (a, b) = e.highlight.unwrap_or((0, 0));
        assert_eq!(&e.text[a..b], "Out of memory");
        assert!(!e.text.contains('\x1b'));
    }
}
