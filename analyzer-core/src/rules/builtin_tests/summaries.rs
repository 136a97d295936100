//! Every rule's summary with its minimal evidence: each combination of one member of each
//! required group (or required item), alone, its lines and fields built from the rule's own
//! patterns and conditions ([`sample`](crate::rules::sample)). The summary must keep its main
//! clause and leave no punctuation behind from the parts it dropped (issue #20, class 7).

use super::*;
use crate::rules::sample::sample;
use crate::rules::spec::EvidenceSpec;

/// The required units of a rule: each group of alternatives, or a single required item.
fn required_units(spec: &RuleSpec) -> Vec<Vec<&EvidenceSpec>> {
    let mut units: Vec<(Option<&str>, Vec<&EvidenceSpec>)> = Vec::new();
    for ev in spec
        .evidence
        .iter()
        .filter(|e| e.role.get_ref() == "required")
    {
        match ev.group.as_deref() {
            Some(g) => match units.iter_mut().find(|(k, _)| *k == Some(g)) {
                Some((_, members)) => members.push(ev),
                None => units.push((Some(g), vec![ev])),
            },
            None => units.push((None, vec![ev])),
        }
    }
    units.into_iter().map(|(_, m)| m).collect()
}

/// Every way to pick one member per unit.
fn combinations<'a>(units: &[Vec<&'a EvidenceSpec>]) -> Vec<Vec<&'a EvidenceSpec>> {
    let mut out: Vec<Vec<&EvidenceSpec>> = vec![Vec::new()];
    for unit in units {
        out = out
            .iter()
            .flat_map(|picked| {
                unit.iter().map(move |m| {
                    let mut p = picked.clone();
                    p.push(m);
                    p
                })
            })
            .collect();
    }
    out
}

/// An observation standing for a non-log item: every field its kind has, set from the item's
/// conditions where it has them and to a placeholder value otherwise.
fn observation_for(ev: &EvidenceSpec) -> Observation {
    let kind = ev.kind.get_ref().as_str();
    let name = match kind {
        "event" => ev.event.as_ref().map(|e| e.get_ref().clone()),
        "fact" => ev.fact.as_ref().map(|f| f.get_ref().clone()),
        "stacks" => Some(
            ev.predicate
                .as_ref()
                .map_or("lock".to_string(), |p| p.get_ref().clone()),
        ),
        "version" => Some("version".to_string()),
        _ => None,
    }
    .expect("a non-log item names its observation");
    let mut fields: std::collections::BTreeMap<String, String> =
        spec::observation_fields(kind, &name)
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.to_string(), format!("{f}-1")))
            .collect();
    let mut stack: Vec<String> = Vec::new();
    let mut set = |field: &str, re: &str| {
        let v = sample(re).unwrap_or_else(|| panic!("no sample for {re}"));
        if field == "frames" || field == "holder_frames" {
            // A stack holds every frame the item names (in `frames` and in `where`).
            stack.push(v);
            fields.insert(field.to_string(), stack.join("\n"));
        } else {
            fields.insert(field.to_string(), v);
        }
    };
    for (k, v) in &ev.conditions {
        set(k, v.get_ref());
    }
    if let Some(f) = &ev.frames {
        set(
            if name == "lock" {
                "holder_frames"
            } else {
                "frames"
            },
            f.get_ref(),
        );
    }
    if let Some(w) = &ev.waiter_frames {
        set("waiter_funcs", w.get_ref());
    }
    if let Some(s) = &ev.state {
        set("state", s.get_ref());
    }
    if let Some(a) = &ev.activity {
        fields.insert("activity".into(), a.clone());
    }
    if let Some(w) = ev.min_waiters {
        fields.insert("transitive_waiters".into(), w.to_string());
    }
    if let Some(m) = ev.min_minutes {
        fields.insert("minutes".into(), m.to_string());
    }
    if kind == "version" {
        fields.insert("component".into(), ev.component.clone().unwrap_or_default());
        let v = match (&ev.at_least, &ev.below) {
            (Some(lo), _) => lo.clone(),
            (None, Some(_)) => "0.0.1".to_string(),
            (None, None) => "1.0".to_string(),
        };
        fields.insert("version".into(), v);
    }
    let weight = ev.min_count.unwrap_or(1).max(1);
    Observation {
        kind: name,
        fields,
        weight,
        time: None,
        evidence: Vec::new(),
        stack: None,
    }
}

/// The records of a log item: its sample line `min_count` times, from its first source.
fn lines_for<'a>(ev: &EvidenceSpec, text: &'a str, hms: &'a str) -> Vec<Line<'a>> {
    let (source, ident) = match ev.sources.first().map(|s| s.get_ref().as_str()) {
        Some(name) => match Source::from_name(name) {
            Some(src) => (src, src.name()),
            None => (Source::Other, ident_of(name)),
        },
        None => (Source::Other, "x"),
    };
    vec![(source, ident, hms, text); ev.min_count.unwrap_or(1).max(1) as usize]
}

/// A raw syslog identifier of a rule, with the lifetime of the built-in rule text.
fn ident_of(name: &str) -> &'static str {
    crate::rules::builtin()
        .iter()
        .find_map(|(_, text)| text.find(name).map(|i| &text[i..i + name.len()]))
        .unwrap_or("x")
}

/// The literal text of the main clause (outside every `[[ … ]]`), split at placeholders.
fn main_clause_fragments(tpl: &str) -> Vec<String> {
    let mut main = String::new();
    let mut depth = 0usize;
    let mut rest = tpl;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[[") {
            depth += 1;
            rest = r;
        } else if let (Some(r), true) = (rest.strip_prefix("]]"), depth > 0) {
            depth -= 1;
            rest = r;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            if depth == 0 {
                main.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    let mut out = Vec::new();
    let mut text = main.as_str();
    while !text.is_empty() {
        let (lit, after) = match text.find('{') {
            Some(i) => (
                &text[..i],
                text[i..].find('}').map_or("", |j| &text[i + j + 1..]),
            ),
            None => (text, ""),
        };
        let lit = lit.split_whitespace().collect::<Vec<_>>().join(" ");
        let lit = lit.trim_matches([';', ',', ':', ' ', '.']).to_string();
        if !lit.is_empty() {
            out.push(lit);
        }
        text = after;
    }
    out
}

#[test]
fn every_summary_keeps_its_main_clause() {
    let e = engine();
    let mut checked = 0;
    let mut faults = Vec::new();
    for (name, text) in crate::rules::builtin() {
        let spec = spec::parse_rule(name, text).expect("parses");
        let id = spec.id.get_ref().clone();
        let fragments = main_clause_fragments(&spec.summary);
        // A rule whose required items weigh nothing (a gate) fires with any of its supporting
        // items: each is a minimal evidence.
        let gated = spec
            .evidence
            .iter()
            .filter(|e| e.role.get_ref() == "required")
            .all(|e| *e.weight.get_ref() == 0);
        let mut picks = combinations(&required_units(&spec));
        if gated {
            let supporting: Vec<&EvidenceSpec> = spec
                .evidence
                .iter()
                .filter(|e| e.role.get_ref() == "supporting" && e.kind.get_ref() == "log")
                .collect();
            picks = picks
                .into_iter()
                .flat_map(|p| {
                    supporting.iter().map(move |s| {
                        let mut p = p.clone();
                        p.push(s);
                        p
                    })
                })
                .collect();
        }
        for pick in picks {
            let mut obs = Observations::default();
            let mut owned: Vec<(String, &EvidenceSpec, &str)> = Vec::new();
            for ev in &pick {
                if ev.kind.get_ref() == "log" {
                    // An item counted after another one needs that one first.
                    if let Some(after) = &ev.after {
                        let first = spec
                            .evidence
                            .iter()
                            .find(|o| o.id.get_ref() == after.get_ref())
                            .expect("after names an item");
                        let p = first.pattern.as_ref().expect("a log item has a pattern");
                        owned.push((sample(p.get_ref()).expect("sample"), first, "09:59:00"));
                    }
                    let p = ev.pattern.as_ref().expect("a log item has a pattern");
                    owned.push((sample(p.get_ref()).expect("sample"), ev, "10:00:00"));
                } else {
                    obs.observations.push(observation_for(ev));
                }
            }
            let lines: Vec<Line<'_>> = owned
                .iter()
                .flat_map(|(t, ev, hms)| lines_for(ev, t, hms))
                .collect();
            scan_into(e, &mut obs, "var/log/messages", &lines);
            let which: Vec<&str> = pick.iter().map(|ev| ev.id.get_ref().as_str()).collect();
            let Some(f) = finding(e, &obs, &id) else {
                faults.push(format!(
                    "{id} {which:?}: does not fire on its minimal evidence"
                ));
                continue;
            };
            checked += 1;
            let s = &f.summary;
            let mut at = 0;
            for frag in &fragments {
                match s[at..].find(frag.as_str()) {
                    Some(i) => at += i + frag.len(),
                    None => faults.push(format!(
                        "{id} {which:?}: main clause part {frag:?} missing from {s:?}"
                    )),
                }
            }
            let dangling = [
                "{", "}", "[[", "]]", " ?", "( ", " )", "()", ";;", " ;", " ,", "(;", "(,", ":;",
                ";,", ",;",
            ];
            if dangling.iter().any(|d| s.contains(d))
                || s.starts_with([';', ',', ':', ' ', '('])
                || s.ends_with([';', ',', ':', ' '])
            {
                faults.push(format!("{id} {which:?}: dangling punctuation in {s:?}"));
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // Every rule, and the alternatives of their groups.
    assert!(checked >= 60, "{checked} summaries checked");
}
