//! The layers of `analyzer-core` import one way (docs/architecture.md, "Layers"): every
//! top-level module may use only the modules of the layers below it, and no set of modules uses
//! each other in a circle. The test reads `src/**/*.rs`, collects the `crate::<module>` paths of
//! each top-level module (in `use` declarations and in code; `super::` paths that climb out of
//! a top-level module count too, comments and strings do not) and names the file and line of
//! every use that breaks the order or closes a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may use the modules of lower layers and, as long as no
/// circle forms, those of its own layer.
const LAYERS: &[&[&str]] = &[
    &["base", "error"],
    &["input"],
    &["parse"],
    &["model"],
    &["stacks"],
    &["rules"],
    &["report"],
    &["analysis", "timeline", "inventory"],
];

/// One use of a top-level module by another: where, and which.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Use {
    file: String,
    line: usize,
    from: String,
    to: String,
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn layers_import_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let uses = crate_uses(&src);
    let mut problems = String::new();
    let order = LAYERS
        .iter()
        .map(|l| l.join(", "))
        .collect::<Vec<_>>()
        .join(" ← ");
    let tops: BTreeSet<&str> = uses.iter().map(|u| u.from.as_str()).collect();
    for top in &tops {
        if layer_of(top).is_none() {
            let _ = writeln!(
                problems,
                "module `{top}` has no layer: add it to LAYERS and to docs/architecture.md"
            );
        }
    }
    for u in &uses {
        if let (Some(from), Some(to)) = (layer_of(&u.from), layer_of(&u.to))
            && to > from
        {
            let _ = writeln!(
                problems,
                "{}:{}: `{}` uses `{}`, a layer above it ({order})",
                u.file, u.line, u.from, u.to
            );
        }
    }
    for circle in circles(&uses) {
        let _ = writeln!(problems, "circle:");
        for u in circle {
            let _ = writeln!(
                problems,
                "  {}:{}: `{}` uses `{}`",
                u.file, u.line, u.from, u.to
            );
        }
    }
    assert!(problems.is_empty(), "{problems}");
    // The walk found the crate: every layer's modules use something below them.
    assert!(uses.iter().any(|u| u.from == "analysis" && u.to == "rules"));
    assert!(uses.iter().any(|u| u.from == "parse" && u.to == "base"));
}

/// Every use of one top-level module by another in the `.rs` files under `src`, in path order.
fn crate_uses(src: &Path) -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut uses = Vec::new();
    for path in files {
        let rel = path.strip_prefix(src).expect("under src");
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        let top = parts[0].clone();
        if top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable source");
        let file = format!("analyzer-core/src/{}", rel.display());
        for (line, to) in references(parts.len(), &text) {
            if to != top {
                uses.push(Use {
                    file: file.clone(),
                    line,
                    from: top.clone(),
                    to,
                });
            }
        }
    }
    uses
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source file refers to, with their lines: the first segment after
/// `crate::` (each top-level name of a `crate::{…}` group), and the segment after as many
/// `super::` as climb to the crate root. `depth` is the file's module depth (1 for
/// `src/input.rs`, 2 for `src/input/walk.rs`); inline `mod x { … }` blocks add one.
fn references(depth: usize, text: &str) -> Vec<(usize, String)> {
    let code = code_only(text);
    let b = code.as_bytes();
    let mut out = Vec::new();
    // Brace depths at which inline modules opened.
    let mut mods: Vec<usize> = Vec::new();
    let mut braces = 0usize;
    let mut i = 0;
    let line_at = |i: usize| 1 + b[..i].iter().filter(|&&c| c == b'\n').count();
    while i < b.len() {
        let c = b[i];
        let boundary =
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'$');
        if c == b'{' {
            braces += 1;
        } else if c == b'}' {
            braces = braces.saturating_sub(1);
            while mods.last().is_some_and(|&m| m > braces) {
                mods.pop();
            }
        } else if boundary && b[i..].starts_with(b"mod ") {
            let rest = &code[i + 4..];
            let name_len = ident_len(rest);
            if name_len > 0 && rest[name_len..].trim_start().starts_with('{') {
                mods.push(braces + 1);
            }
        } else if boundary && b[i..].starts_with(b"crate::") {
            let at = i + "crate::".len();
            for name in path_heads(&code[at..]) {
                out.push((line_at(i), name));
            }
            i = at;
            continue;
        } else if boundary && b[i..].starts_with(b"super::") {
            let mut at = i;
            let mut climbs = 0;
            while b[at..].starts_with(b"super::") {
                at += "super::".len();
                climbs += 1;
            }
            if climbs >= depth + mods.len() {
                for name in path_heads(&code[at..]) {
                    out.push((line_at(i), name));
                }
            }
            i = at;
            continue;
        }
        i += 1;
    }
    out
}

fn ident_len(s: &str) -> usize {
    s.bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count()
}

/// The first segments of the path(s) at the start of `s`: `input::walk` gives `input`,
/// `{input::walk, parse}` gives `input` and `parse`; `self` and `*` are skipped.
fn path_heads(s: &str) -> Vec<String> {
    let s = s.trim_start();
    if let Some(group) = s.strip_prefix('{') {
        let mut heads = Vec::new();
        let mut depth = 0;
        let mut start = true;
        for (k, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => start = true,
                c if start && depth == 0 && !c.is_whitespace() => {
                    start = false;
                    let n = ident_len(&group[k..]);
                    if n > 0 {
                        heads.push(group[k..k + n].to_string());
                    }
                }
                _ => {}
            }
        }
        heads.retain(|h| h != "self");
        return heads;
    }
    let n = ident_len(s);
    if n == 0 || &s[..n] == "self" {
        Vec::new()
    } else {
        vec![s[..n].to_string()]
    }
}

/// `text` with comments, string literals and character literals blanked (newlines kept, so
/// line numbers stay).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }));
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let prev_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        let end = if rest.starts_with(b"//") {
            i + rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            let mut j = i;
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            j
        } else if !prev_ident && raw_string_start(rest).is_some() {
            let (open, hashes) = raw_string_start(rest).unwrap_or((0, 0));
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = i + open;
            body + b[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len() - body, |p| p + close.len())
        } else if rest[0] == b'"' || (!prev_ident && rest.starts_with(b"b\"")) {
            let mut j = i + if rest[0] == b'"' { 1 } else { 2 };
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(b.len())
        } else if rest[0] == b'\'' && !prev_ident {
            // A character literal (`'a'`, `'\n'`, `'\u{1F600}'`), not a lifetime (`'a`).
            if rest.get(1) == Some(&b'\\') {
                i + 2
                    + rest[2..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .map_or(0, |p| p + 1)
            } else {
                let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                if rest.get(1 + ch) == Some(&b'\'') {
                    i + 2 + ch
                } else {
                    i + 1
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
            continue;
        };
        if rest[0] == b'\'' && end == i + 1 {
            out.push(b'\'');
        } else {
            blank(&mut out, &b[i..end]);
        }
        i = end;
    }
    String::from_utf8(out).expect("ASCII blanks keep UTF-8")
}

/// `r"`, `r#"`, `br##"`…: the length of the opening and the number of `#`.
fn raw_string_start(s: &[u8]) -> Option<(usize, usize)> {
    let s2 = s.strip_prefix(b"b").unwrap_or(s);
    let skipped = s.len() - s2.len();
    let after_r = s2.strip_prefix(b"r")?;
    let hashes = after_r.iter().take_while(|&&c| c == b'#').count();
    (after_r.get(hashes) == Some(&b'"')).then_some((skipped + 1 + hashes + 1, hashes))
}

/// Every circle of the module graph, each as the uses that close it (one per pair of modules
/// in the circle, the first found).
fn circles(uses: &[Use]) -> Vec<Vec<Use>> {
    let mut edges: BTreeMap<&str, BTreeMap<&str, &Use>> = BTreeMap::new();
    for u in uses {
        edges
            .entry(u.from.as_str())
            .or_default()
            .entry(u.to.as_str())
            .or_insert(u);
    }
    let mut found: Vec<Vec<Use>> = Vec::new();
    let mut seen: BTreeSet<Vec<&str>> = BTreeSet::new();
    for &start in edges.keys() {
        // Depth-first from `start`, reporting the paths that come back to it.
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, vec![start])];
        while let Some((at, path)) = stack.pop() {
            for &next in edges
                .get(at)
                .map(|m| m.keys().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if next == start {
                    let mut key = path.clone();
                    key.sort_unstable();
                    if seen.insert(key) {
                        let mut ring = path.clone();
                        ring.push(start);
                        found.push(ring.windows(2).map(|w| edges[w[0]][w[1]].clone()).collect());
                    }
                } else if !path.contains(&next) {
                    let mut p = path.clone();
                    p.push(next);
                    stack.push((next, p));
                }
            }
        }
    }
    found
}

/// The reader sees paths in `use` groups and code, climbs `super::` out of a top-level module,
/// and skips comments, strings and macros' `$crate`.
#[test]
fn references_are_read_from_code_only() {
    let text = r##"//! Docs mention crate::report::Report.
use crate::base::{Format, time::RawTime};
use crate::{
    input::{self, Bundle},
    parse,
};
/* crate::rules in a block comment */
fn f<'a>(x: &'a str) -> char {
    let _ = "crate::stacks in a string";
    let _ = r#"crate::stacks in a raw string"#;
    let _ = crate::model::time::parse_duration(x);
    let _ = '{';
    macro_rules! m { () => { $crate::timeline::build } }
    super::inventory::inventory;
    'x'
}
mod tests {
    use super::*;
    use super::super::report::Report;
}
"##;
    let refs = references(1, text);
    let want: Vec<(usize, String)> = [
        (2, "base"),
        (3, "input"),
        (3, "parse"),
        (11, "model"),
        (14, "inventory"),
        (19, "report"),
    ]
    .iter()
    .map(|&(l, m)| (l, m.to_string()))
    .collect();
    assert_eq!(refs, want);
    // One level deeper (`src/x/y.rs`), one `super::` stays inside the top-level module.
    assert!(references(2, "use super::walk::Sink;").is_empty());
    assert_eq!(
        references(2, "use super::super::base::Format;"),
        vec![(1, "base".to_string())]
    );
}

/// A use that climbs the layers and a circle are both reported with their files and lines.
#[test]
fn order_breaks_and_circles_are_found() {
    let u = |from: &str, to: &str, line| Use {
        file: format!("analyzer-core/src/{from}.rs"),
        line,
        from: from.into(),
        to: to.into(),
    };
    let uses = vec![
        u("parse", "model", 3),
        u("model", "parse", 7),
        u("rules", "base", 1),
    ];
    assert!(layer_of("parse") < layer_of("model"));
    assert_eq!(
        circles(&uses),
        vec![vec![u("model", "parse", 7), u("parse", "model", 3)]]
    );
    assert!(circles(&[u("analysis", "timeline", 1), u("timeline", "report", 2)]).is_empty());
}
