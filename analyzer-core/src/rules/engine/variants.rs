//! Texts a regular expression matches, one per combination of its alternatives and optional
//! parts (bounded), built from the expression itself.
//!
//! Each text follows the expression's structure: literals as written, one character of each
//! class (a readable one when the class has it), repetitions their minimum number of times (and
//! once more when that minimum is zero), every branch of an alternation. Assertions (`^`, `$`,
//! `\b`) produce nothing, so every text is checked against the expression and only those that
//! match are returned.
//!
//! Compilation uses them to check a rule's explicit `literals`: the prefilter runs a pattern
//! only on records holding one of its literals, so a form of the pattern (a branch, an optional
//! part) whose text holds none of them would be skipped. Tests use them as minimal evidence.

use regex::bytes::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Most combinations built per expression.
const MAX_VARIANTS: usize = 512;

/// Texts `pattern` matches, at most [`MAX_VARIANTS`] before the check, in construction order
/// (the first branch of every alternation first). Empty when the pattern does not parse.
pub(crate) fn variants(pattern: &str) -> Vec<String> {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let Ok(re) = Regex::new(pattern) else {
        return Vec::new();
    };
    let mut out: Vec<String> = build(&hir)
        .into_iter()
        .filter_map(|v| String::from_utf8(v).ok())
        .filter(|v| re.is_match(v.as_bytes()))
        .collect();
    out.dedup();
    out
}

/// A text of the form of `pattern`'s matches that holds none of `given`, if there is one.
pub(crate) fn uncovered(pattern: &str, given: &[Vec<u8>]) -> Option<String> {
    variants(pattern).into_iter().find(|v| {
        !given
            .iter()
            .any(|g| memchr::memmem::find(v.as_bytes(), g).is_some())
    })
}

fn build(h: &Hir) -> Vec<Vec<u8>> {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![Vec::new()],
        HirKind::Literal(l) => vec![l.0.to_vec()],
        HirKind::Class(Class::Unicode(c)) => {
            let ranges = c.ranges();
            let pick = ['a', 'A', '0', 'x', '/', '-', '.']
                .into_iter()
                .find(|ch| ranges.iter().any(|r| r.start() <= *ch && *ch <= r.end()))
                .or_else(|| {
                    ranges.iter().find_map(|r| {
                        (r.start()..=r.end()).find(|ch| ch.is_ascii_graphic() || !ch.is_ascii())
                    })
                })
                .or_else(|| ranges.first().map(|r| r.start()));
            let mut buf = [0u8; 4];
            vec![pick.map_or_else(Vec::new, |ch| ch.encode_utf8(&mut buf).as_bytes().to_vec())]
        }
        HirKind::Class(Class::Bytes(c)) => {
            let ranges = c.ranges();
            let pick = [b'a', b'A', b'0', b'x', b'/', b'-', b'.']
                .into_iter()
                .find(|b| ranges.iter().any(|r| r.start() <= *b && *b <= r.end()))
                .or_else(|| {
                    ranges
                        .iter()
                        .find_map(|r| (r.start()..=r.end()).find(|b| b.is_ascii_graphic()))
                })
                .or_else(|| ranges.first().map(|r| r.start()));
            vec![pick.map_or_else(Vec::new, |b| vec![b])]
        }
        HirKind::Repetition(r) => {
            let sub = build(&r.sub);
            let mut out: Vec<Vec<u8>> = sub.iter().map(|v| v.repeat(r.min as usize)).collect();
            if r.min == 0 && r.max != Some(0) {
                // The optional part present (once), after the form without it.
                out.truncate(1);
                out.extend(sub);
            }
            out.truncate(MAX_VARIANTS);
            out
        }
        HirKind::Capture(c) => build(&c.sub),
        HirKind::Concat(parts) => {
            let mut acc: Vec<Vec<u8>> = vec![Vec::new()];
            for p in parts {
                let next = build(p);
                let mut joined = Vec::with_capacity((acc.len() * next.len()).min(MAX_VARIANTS));
                'outer: for a in &acc {
                    for n in &next {
                        if joined.len() == MAX_VARIANTS {
                            break 'outer;
                        }
                        let mut v = a.clone();
                        v.extend_from_slice(n);
                        joined.push(v);
                    }
                }
                acc = joined;
            }
            acc
        }
        HirKind::Alternation(alts) => {
            let mut out = Vec::new();
            for a in alts {
                out.extend(build(a));
                if out.len() >= MAX_VARIANTS {
                    out.truncate(MAX_VARIANTS);
                    break;
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_branch_and_optional_part_gives_a_text() {
        assert_eq!(variants(r"abc\d+x"), ["abc0x"]);
        assert_eq!(
            variants(r"(?:foo|bar) [A-Z][a-z]*"),
            ["foo A", "foo Aa", "bar A", "bar Aa"]
        );
        assert_eq!(variants(r"^(?P<n>\d{2,})$"), ["00"]);
        // A branch that cannot match after the word boundary is left out.
        assert_eq!(variants(r"\b(?:-x|yz)\b"), ["yz"]);
    }

    // The bug class this guards against: a literal list enumerating some runtimes' container
    // prefixes while the pattern accepts one more (CRI-O's `cri-o://`).
    #[test]
    fn a_literal_list_missing_a_branch_is_found() {
        let pattern =
            r#"[Cc]ontainer (?:"(?:docker|containerd|cri-o)://[0-9a-f]+" )?termination failed"#;
        let stale: Vec<Vec<u8>> = [
            "ontainer termination failed",
            "ontainer \"docker://",
            "ontainer \"containerd://",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
        assert_eq!(
            uncovered(pattern, &stale).as_deref(),
            Some("Container \"cri-o://a\" termination failed")
        );
        let sound = vec![b"termination failed".to_vec()];
        assert_eq!(uncovered(pattern, &sound), None);
    }
}
