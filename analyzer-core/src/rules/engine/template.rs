//! Summary templates: `{ID.count}`, `{ID.first}`, `{ID.last}`, `{ID.span}`, `{ID.FIELD}`,
//! `{ID.values.FIELD}` filled from the matched evidence; a `[[ … ]]` segment is dropped when a
//! placeholder inside it cannot be filled.

use std::collections::HashMap;

use super::evaluate::Matched;

pub(super) fn fill_template(tpl: &str, vars: &HashMap<&str, &Matched>) -> String {
    // Drop `[[…]]` segments whose placeholders cannot be filled.
    let mut out = String::new();
    let mut rest = tpl;
    while let Some(i) = rest.find("[[") {
        out.push_str(&fill_plain(&rest[..i], vars).unwrap_or_default());
        let after = &rest[i + 2..];
        let Some(j) = after.find("]]") else {
            rest = after;
            continue;
        };
        if let Some(seg) = fill_plain(&after[..j], vars) {
            out.push_str(&seg);
        }
        rest = &after[j + 2..];
    }
    match fill_plain(rest, vars) {
        Some(s) => out.push_str(&s),
        None => out.push_str(&fill_lossy(rest, vars)),
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a summary template when its rule is compiled: every `{` closed by a `}` before the
/// next `{` around a placeholder `ID.FIELD`, every `[[` closed by `]]`. A broken template (`{e`)
/// would otherwise show its braces in findings.
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
        if !name
            .split_once('.')
            .is_some_and(|(id, f)| !id.is_empty() && !f.is_empty())
        {
            return Err(format!("placeholder {{{name}}} is not {{ID.FIELD}}"));
        }
        rest = &after[j + 1..];
    }
    let mut rest = tpl;
    while let Some(i) = rest.find("[[") {
        match rest[i + 2..].find("]]") {
            Some(j) => rest = &rest[i + 2 + j + 2..],
            None => return Err("'[[' not closed by ']]'".into()),
        }
    }
    Ok(())
}

fn placeholder(name: &str, vars: &HashMap<&str, &Matched>) -> Option<String> {
    let (id, field) = name.split_once('.')?;
    let m = vars.get(id)?;
    Some(match field {
        "count" => m.count.to_string(),
        "first" => m.first?.to_rfc3339(),
        "last" => m.last?.to_rfc3339(),
        "span" => human_duration(m.last?.0 - m.first?.0),
        f => {
            if let Some(name) = f.strip_prefix("values.") {
                let set = m.values.get(name)?;
                let mut v: Vec<&str> = set.iter().map(String::as_str).take(5).collect();
                if set.len() > 5 {
                    v.push("…");
                }
                v.join(", ")
            } else {
                m.fields.get(f)?.clone()
            }
        }
    })
}

fn fill_plain(s: &str, vars: &HashMap<&str, &Matched>) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}')? + i;
        out.push_str(&placeholder(&rest[i + 1..j], vars)?);
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn fill_lossy(s: &str, vars: &HashMap<&str, &Matched>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}').map(|j| j + i) else {
            out.push_str(&rest[i..]);
            return out;
        };
        out.push_str(&placeholder(&rest[i + 1..j], vars).unwrap_or_else(|| "?".into()));
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    out
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
