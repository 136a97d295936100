//! Test support: a short text that a rule's regular expression matches, built from the
//! expression itself, so that every rule can be exercised with its minimal evidence without a
//! hand-written line per item.
//!
//! The text follows the expression's structure: literals as written, one character of each
//! class (a readable one when the class has it), repetitions their minimum number of times, the
//! first (else the last) branch of an alternation. Assertions (`^`, `$`, `\b`) produce nothing;
//! the result is checked against the expression and `None` is returned when it does not match.

use regex::bytes::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Which branch of each alternation to take.
#[derive(Clone, Copy)]
enum Branch {
    First,
    Last,
}

/// A text `pattern` matches, or `None` when the simple construction does not give one.
pub fn sample(pattern: &str) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let re = Regex::new(pattern).ok()?;
    [Branch::First, Branch::Last].into_iter().find_map(|b| {
        let mut out = Vec::new();
        build(&hir, b, &mut out);
        let text = String::from_utf8(out).ok()?;
        re.is_match(text.as_bytes()).then_some(text)
    })
}

fn build(h: &Hir, branch: Branch, out: &mut Vec<u8>) {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => out.extend_from_slice(&l.0),
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
            if let Some(ch) = pick {
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
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
            if let Some(b) = pick {
                out.push(b);
            }
        }
        HirKind::Repetition(r) => {
            for _ in 0..r.min {
                build(&r.sub, branch, out);
            }
        }
        HirKind::Capture(c) => build(&c.sub, branch, out),
        HirKind::Concat(parts) => {
            for p in parts {
                build(p, branch, out);
            }
        }
        HirKind::Alternation(alts) => {
            let alt = match branch {
                Branch::First => alts.first(),
                Branch::Last => alts.last(),
            };
            if let Some(a) = alt {
                build(a, branch, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::spec;

    #[test]
    fn samples_match_their_patterns() {
        assert_eq!(sample(r"abc\d+x").as_deref(), Some("abc0x"));
        assert_eq!(sample(r"(?:foo|bar) [A-Z][a-z]*").as_deref(), Some("foo A"));
        assert_eq!(sample(r"^(?P<n>\d{2,})$").as_deref(), Some("00"));
        // The first branch cannot match after the word boundary; the last can.
        assert_eq!(sample(r"\b(?:-x|yz)\b").as_deref(), Some("yz"));
    }

    /// Every pattern and condition of the built-in rules has a sample: the minimal-evidence
    /// tests of the library build their lines and fields from them.
    #[test]
    fn every_builtin_pattern_has_a_sample() {
        for (name, text) in crate::rules::builtin() {
            let spec = spec::parse_rule(name, text).expect("parses");
            for item in &spec.evidence {
                let id = item.id.get_ref();
                let regexes = item
                    .pattern
                    .iter()
                    .chain(item.frames.iter())
                    .chain(item.waiter_frames.iter())
                    .chain(item.state.iter())
                    .chain(item.conditions.values());
                for re in regexes {
                    assert!(
                        sample(re.get_ref()).is_some(),
                        "{name} {id}: no sample for {}",
                        re.get_ref()
                    );
                }
            }
        }
    }
}
