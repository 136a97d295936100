//! Summary templates.
//!
//! A summary is a main clause followed by optional parts:
//!
//! * `{ID.count}`, `{ID.first}`, `{ID.last}` (RFC 3339 times), `{ID.span}` (`3h12m`),
//!   `{ID.when}` (`at T` or `from T1 to T2`), `{ID.FIELD}` (a named capture of a log pattern or
//!   a field of an observation, from the earliest match), `{ID.last.FIELD}` (from the latest),
//!   `{ID.values.FIELD}` (distinct values, up to five);
//! * `{first}`, `{last}`, `{span}`, `{when}` without an id: over every item present;
//! * `{ID}` alone: nothing, when the item is present (a part that names no value of it);
//!   `{!ID}`: nothing, when it is absent (a part standing in for it);
//! * `{A|B|…}`: the first of the alternatives that can be filled (items of a group of
//!   alternatives capture under different names);
//! * `[[ … ]]`: an optional part, dropped when a placeholder directly inside it cannot be
//!   filled (its item is absent, the capture did not match, the records had no time). Optional
//!   parts nest: an inner part is dropped on its own.
//!
//! After filling, whitespace is collapsed and the punctuation that dropped parts leave behind is
//! cleaned: a separator at the start or the end, a separator right after another, an opening
//! parenthesis followed by a separator, empty parentheses. A main-clause placeholder that cannot
//! be filled shows as `?` (the built-in rules are tested never to need it).

use std::collections::HashMap;

use super::evaluate::Matched;
use crate::base::Timestamp;

/// What a template is filled from: the matched items by id, and the first and last time over
/// all of them.
pub(super) struct Vars<'a> {
    /// Matched items by id.
    pub(super) items: HashMap<&'a str, &'a Matched>,
    /// Earliest time over every item present.
    pub(super) first: Option<Timestamp>,
    /// Latest time over every item present.
    pub(super) last: Option<Timestamp>,
}

/// A parsed template: text, placeholders and optional parts.
#[derive(Debug, PartialEq)]
enum Node<'t> {
    Text(&'t str),
    Placeholder(&'t str),
    Optional(Vec<Node<'t>>),
}

/// Parses `tpl` into nodes. An unclosed `[[` or `{` is kept as text.
fn parse(tpl: &str) -> Vec<Node<'_>> {
    fn nodes<'t>(s: &'t str, at: &mut usize, nested: bool) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut text_start = *at;
        while *at < s.len() {
            let rest = &s[*at..];
            if rest.starts_with("[[") {
                if text_start < *at {
                    out.push(Node::Text(&s[text_start..*at]));
                }
                *at += 2;
                let inner = nodes(s, at, true);
                out.push(Node::Optional(inner));
                text_start = *at;
            } else if nested && rest.starts_with("]]") {
                if text_start < *at {
                    out.push(Node::Text(&s[text_start..*at]));
                }
                *at += 2;
                return out;
            } else if rest.starts_with('{') {
                match rest.find('}') {
                    Some(j) => {
                        if text_start < *at {
                            out.push(Node::Text(&s[text_start..*at]));
                        }
                        out.push(Node::Placeholder(&rest[1..j]));
                        *at += j + 1;
                        text_start = *at;
                    }
                    None => *at = s.len(),
                }
            } else {
                *at += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
        if text_start < s.len() {
            out.push(Node::Text(&s[text_start..]));
        }
        out
    }
    let mut at = 0;
    nodes(tpl, &mut at, false)
}

/// Fills `tpl` (see the module documentation).
pub(super) fn fill_template(tpl: &str, vars: &Vars<'_>) -> String {
    let mut out = String::new();
    for n in &parse(tpl) {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Placeholder(p) => {
                out.push_str(&placeholder(p, vars).unwrap_or_else(|| "?".into()))
            }
            Node::Optional(inner) => {
                if let Some(s) = optional(inner, vars) {
                    out.push_str(&s);
                }
            }
        }
    }
    tidy(&out)
}

/// An optional part: `None` when one of its own placeholders cannot be filled.
fn optional(nodes: &[Node<'_>], vars: &Vars<'_>) -> Option<String> {
    let mut out = String::new();
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Placeholder(p) => out.push_str(&placeholder(p, vars)?),
            Node::Optional(inner) => {
                if let Some(s) = optional(inner, vars) {
                    out.push_str(&s);
                }
            }
        }
    }
    Some(out)
}

/// `at T` or `from T1 to T2`.
fn when(first: Option<Timestamp>, last: Option<Timestamp>) -> Option<String> {
    let (a, b) = (first?, last.or(first)?);
    Some(if a == b {
        format!("at {}", a.to_rfc3339())
    } else {
        format!("from {} to {}", a.to_rfc3339(), b.to_rfc3339())
    })
}

/// The value of `{name}`: the first fillable of its `|` alternatives.
/// Checks a summary template when its rule is compiled: every `{` closed by a `}` before the
/// next `{`, every placeholder of the grammar above, every `[[` closed by `]]` and no `]]`
/// without its `[[`. A broken template (`{e`) would otherwise show its braces in findings.
pub(super) fn check(tpl: &str) -> Result<(), String> {
    let mut rest = tpl;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after
            .find(['{', '}'])
            .filter(|&j| after.as_bytes()[j] == b'}')
        else {
            let shown: String = rest[i..].chars().take(24).collect();
            return Err(format!("'{{' not closed by '}}' at {shown:?}"));
        };
        let name = &after[..j];
        if let Some(bad) = name.split('|').map(str::trim).find(|alt| !well_formed(alt)) {
            return Err(format!(
                "placeholder {{{name}}}: {bad:?} is not a placeholder"
            ));
        }
        rest = &after[j + 1..];
    }
    let mut depth = 0usize;
    let mut rest = tpl;
    while let Some(i) = rest.find(['[', ']']) {
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("[[") {
            depth += 1;
            rest = t;
        } else if let Some(t) = tail.strip_prefix("]]") {
            depth = depth
                .checked_sub(1)
                .ok_or_else(|| "']]' without its '[['".to_string())?;
            rest = t;
        } else {
            rest = &tail[1..];
        }
    }
    if depth > 0 {
        return Err("'[[' not closed by ']]'".into());
    }
    Ok(())
}

/// Whether one alternative of a placeholder follows the grammar: `first`, `last`, `span`,
/// `when`, `!ID`, `ID` or `ID.FIELD[.FIELD]`, names of letters, digits, `_` and `-`.
fn well_formed(alt: &str) -> bool {
    let name = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let alt = alt.strip_prefix('!').unwrap_or(alt);
    alt.split('.').all(name)
}

fn placeholder(name: &str, vars: &Vars<'_>) -> Option<String> {
    name.split('|').find_map(|alt| one(alt.trim(), vars))
}

fn one(name: &str, vars: &Vars<'_>) -> Option<String> {
    match name {
        "first" => return vars.first.map(|t| t.to_rfc3339()),
        "last" => return vars.last.map(|t| t.to_rfc3339()),
        "span" => return Some(human_duration(vars.last?.0 - vars.first?.0)),
        "when" => return when(vars.first, vars.last),
        _ => {}
    }
    if let Some(id) = name.strip_prefix('!') {
        // `{!ID}`: nothing, when the item is absent (a part for when it is missing).
        return (!vars.items.contains_key(id)).then(String::new);
    }
    let Some((id, field)) = name.split_once('.') else {
        // `{ID}` alone: empty when the item is present, so that a part can depend on it.
        return vars.items.contains_key(name).then(String::new);
    };
    let m = vars.items.get(id)?;
    Some(match field {
        "count" => m.count.to_string(),
        "first" => m.first?.to_rfc3339(),
        "last" => m.last?.to_rfc3339(),
        "span" => human_duration(m.last?.0 - m.first?.0),
        "when" => when(m.first, m.last)?,
        f => {
            if let Some(name) = f.strip_prefix("values.") {
                let set = m.values.get(name)?;
                if set.is_empty() {
                    return None;
                }
                let mut v: Vec<&str> = set.iter().map(String::as_str).take(5).collect();
                if set.len() > 5 {
                    v.push("…");
                }
                v.join(", ")
            } else {
                let v = m.fields.get(f)?;
                if v.is_empty() {
                    return None;
                }
                v.clone()
            }
        }
    })
}

/// Collapses whitespace and removes the punctuation dropped parts leave behind.
fn tidy(s: &str) -> String {
    let mut out = s.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let before = out.len();
        for (from, to) in [
            (" ;", ";"),
            (" ,", ","),
            (" :", ":"),
            (" )", ")"),
            ("( ", "("),
            (";;", ";"),
            (":;", ":"),
            (":,", ":"),
            (";,", ";"),
            (",;", ";"),
            ("(;", "("),
            ("(,", "("),
            ("(:", "("),
            (" ()", ""),
            ("( )", ""),
            ("  ", " "),
        ] {
            out = out.replace(from, to);
        }
        let trimmed = out
            .trim_start_matches([';', ',', ':', ' '])
            .trim_end_matches([';', ',', ':', ' '])
            .to_string();
        out = trimmed;
        if out.len() == before {
            return out;
        }
    }
}

/// `3h12m`, `45s`: a short human duration.
pub fn human_duration(micros: i64) -> String {
    let s = micros.max(0) / 1_000_000;
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => format!("{m}m{sec:02}s"),
        (0, _, _) => format!("{h}h{m:02}m"),
        _ => format!("{d}d{h:02}h"),
    }
}
