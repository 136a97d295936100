//! Compiling rule files: the parsed spec of each file checked and turned into a [`Rule`] with
//! its evidence [`Item`]s, and every log pattern into a matcher for the scan.

use std::collections::{BTreeSet, HashMap};

use regex::bytes::Regex;
use serde::Serialize;

use super::Engine;
use super::prefilter::{Prefilter, extract_literals};
use super::variants;
use crate::base::{Severity, Source};
use crate::error::{Error, Result};
use crate::model::time::parse_duration;
use crate::rules::spec::{self, RuleSpec};

/// What kind of evidence an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// Regex over log records.
    Log,
    /// Multi-line kernel/runtime events (OOM kill, hung task, Go crash).
    Event,
    /// Goroutine-dump summaries (locks, deadlocks, goroutine groups).
    Stacks,
    /// Host-state facts.
    Fact,
    /// Component versions.
    Version,
}

/// The role of an evidence item in a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The rule does not fire without it.
    Required,
    /// Adds to the score.
    Supporting,
    /// Its presence lowers the score (points at another cause).
    Against,
}

/// A compiled evidence item.
#[derive(Clone, Debug)]
pub struct Item {
    /// Id within the rule.
    pub id: String,
    /// Kind.
    pub kind: EvidenceKind,
    /// Role.
    pub role: Role,
    /// Weight in the score.
    pub weight: u32,
    /// Words for `missing`.
    pub describe: String,
    /// Alternatives group, if any.
    pub group: Option<String>,
    /// Observation kind selected (`oom-kill`, `orphaned-shim`, `lock`, …).
    pub(super) observation: Option<String>,
    /// Field conditions.
    pub(super) conditions: Vec<(String, Regex)>,
    /// `stacks`: a regex one frame of the stack (the lock holder's, the group's) must match,
    /// tested on every frame through the dump's frame index.
    pub(super) frames: Option<Regex>,
    /// The observation field the frames fall back to when an observation carries no stack
    /// (`holder_frames`, `frames`: frames joined by newlines).
    pub(super) frames_field: &'static str,
    pub(super) min_count: u64,
    pub(super) within: Option<i64>,
    pub(super) after: Option<String>,
    /// `log`: the capture whose one value the `min_count` matches must share.
    pub(super) same_value: Option<String>,
    pub(super) min_waiters: Option<u64>,
    pub(super) min_minutes: Option<u32>,
    pub(super) version_below: Option<String>,
    pub(super) version_at_least: Option<String>,
}

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The parsed file (title, texts, references).
    pub spec: RuleSpec,
    /// Where it came from (`builtin/oom-kill.toml` or a path).
    pub origin: String,
    /// Severity when confirmed.
    pub severity: Severity,
    /// Evidence items in file order.
    pub items: Vec<Item>,
    pub(super) window: Option<i64>,
}

impl Rule {
    /// The rule id.
    pub fn id(&self) -> &str {
        self.spec.id.get_ref()
    }
}

/// A log pattern of one evidence item, compiled.
#[derive(Clone, Debug)]
pub(super) struct Matcher {
    pub(super) rule: usize,
    pub(super) item: usize,
    pub(super) sources: Vec<Source>,
    pub(super) other_idents: Vec<Vec<u8>>,
    /// Undetermined records do not count (`source_required`).
    pub(super) source_required: bool,
    pub(super) regex: Regex,
    pub(super) literals: Vec<Vec<u8>>,
}

impl Engine {
    /// Compiles rule files given as `(name, text)` pairs. Names appear in errors.
    pub fn compile<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Engine> {
        let mut rules = Vec::new();
        let mut matchers = Vec::new();
        let mut seen = HashMap::new();
        for (name, text) in files {
            let spec = spec::parse_rule(name, text)?;
            let rule = compile_rule(name, text, spec, rules.len(), &mut matchers)?;
            if let Some(prev) = seen.insert(rule.id().to_string(), name.to_string()) {
                return Err(Error::Rule {
                    file: name.to_string(),
                    line: spec::line_of(text, rule.spec.id.span().start),
                    field: "id".into(),
                    message: format!("rule id {:?} is already defined in {prev}", rule.id()),
                });
            }
            rules.push(rule);
        }
        // Explained ids must exist.
        let ids: BTreeSet<&str> = rules.iter().map(|r| r.id()).collect();
        for r in &rules {
            for e in &r.spec.explains {
                if !ids.contains(e.as_str()) {
                    return Err(Error::Rule {
                        file: r.origin.clone(),
                        line: 0,
                        field: "explains".into(),
                        message: format!("unknown rule id {e:?}"),
                    });
                }
            }
        }
        let prefilter = Prefilter::build(&matchers)?;
        Ok(Engine {
            rules,
            matchers,
            prefilter,
            use_prefilter: true,
        })
    }
}

fn compile_rule(
    name: &str,
    text: &str,
    spec: RuleSpec,
    ri: usize,
    matchers: &mut Vec<Matcher>,
) -> Result<Rule> {
    let err = |span: std::ops::Range<usize>, field: String, message: String| Error::Rule {
        file: name.to_string(),
        line: if span.end == 0 {
            0
        } else {
            spec::line_of(text, span.start)
        },
        field,
        message,
    };
    // A rule's `window` or an item's `within`, with the error naming its line and field.
    let duration = |w: &Option<toml::Spanned<String>>, field: String| -> Result<Option<i64>> {
        w.as_ref()
            .map(|w| {
                parse_duration(w.get_ref()).map_err(|why| {
                    let message = format!("not a duration: {:?} ({why})", w.get_ref());
                    err(w.span(), field, message)
                })
            })
            .transpose()
    };
    let id = spec.id.get_ref();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(err(
            spec.id.span(),
            "id".into(),
            "must be lowercase words joined by '-'".into(),
        ));
    }
    let severity = spec::severity(name, text, "severity", &spec.severity)?;
    let window = duration(&spec.window, "window".into())?;
    if spec.evidence.is_empty() {
        return Err(err(
            spec.id.span(),
            "evidence".into(),
            "a rule needs at least one evidence item".into(),
        ));
    }
    if let Err(why) = super::template::check(&spec.summary) {
        let at = text.find("summary").unwrap_or(0);
        return Err(err(at..at + 1, "summary".into(), why));
    }
    let mut items = Vec::new();
    for (ii, ev) in spec.evidence.iter().enumerate() {
        let f = |field: &str| format!("evidence[{ii}].{field}");
        let kind = match ev.kind.get_ref().as_str() {
            "log" => EvidenceKind::Log,
            "event" => EvidenceKind::Event,
            "stacks" => EvidenceKind::Stacks,
            "fact" => EvidenceKind::Fact,
            "version" => EvidenceKind::Version,
            other => {
                return Err(err(
                    ev.kind.span(),
                    f("kind"),
                    format!(
                        "unknown kind {other:?} (expected log, event, stacks, fact or version)"
                    ),
                ));
            }
        };
        let role = match ev.role.get_ref().as_str() {
            "required" => Role::Required,
            "supporting" => Role::Supporting,
            "against" => Role::Against,
            other => {
                return Err(err(
                    ev.role.span(),
                    f("role"),
                    format!("unknown role {other:?} (expected required, supporting or against)"),
                ));
            }
        };
        let regex = |s: &toml::Spanned<String>, field: &str| {
            Regex::new(s.get_ref()).map_err(|e| err(s.span(), f(field), e.to_string()))
        };
        let mut conditions = Vec::new();
        for (k, v) in &ev.conditions {
            conditions.push((k.clone(), regex(v, &format!("where.{k}"))?));
        }
        let mut observation = None;
        let mut frames = None;
        match kind {
            EvidenceKind::Log => {
                let Some(p) = &ev.pattern else {
                    return Err(err(
                        ev.kind.span(),
                        f("pattern"),
                        "a log item needs a pattern".into(),
                    ));
                };
                let re = regex(p, "pattern")?;
                if let Some(name) = &ev.same_value
                    && !re.capture_names().flatten().any(|n| n == name.get_ref())
                {
                    return Err(err(
                        name.span(),
                        f("same_value"),
                        format!("the pattern has no capture named {:?}", name.get_ref()),
                    ));
                }
                let literals = if ev.literals.is_empty() {
                    extract_literals(p.get_ref())
                } else {
                    let given: Vec<Vec<u8>> =
                        ev.literals.iter().map(|l| l.as_bytes().to_vec()).collect();
                    // Every form of the pattern (each branch, with and without each optional
                    // part) must hold one of the literals, or the prefilter skips records the
                    // pattern matches.
                    if let Some(text) = variants::uncovered(p.get_ref(), &given) {
                        let message = format!(
                            "the pattern matches {text:?}, which holds none of the literals: the prefilter would skip such records"
                        );
                        return Err(err(p.span(), f("literals"), message));
                    }
                    given
                };
                if ev.source_required && ev.sources.is_empty() {
                    return Err(err(
                        p.span(),
                        f("source_required"),
                        "needs a `sources` list to require".into(),
                    ));
                }
                let mut sources = Vec::new();
                let mut other_idents = Vec::new();
                for s in &ev.sources {
                    match Source::from_name(s.get_ref()) {
                        Some(src) => sources.push(src),
                        None => other_idents.push(s.get_ref().as_bytes().to_vec()),
                    }
                }
                matchers.push(Matcher {
                    rule: ri,
                    item: ii,
                    sources,
                    other_idents,
                    source_required: ev.source_required,
                    regex: re,
                    literals,
                });
            }
            EvidenceKind::Event => {
                let Some(e) = &ev.event else {
                    return Err(err(
                        ev.kind.span(),
                        f("event"),
                        "an event item needs `event`".into(),
                    ));
                };
                if spec::observation_fields("event", e.get_ref()).is_none() {
                    return Err(err(
                        e.span(),
                        f("event"),
                        format!(
                            "unknown event {:?} (expected {})",
                            e.get_ref(),
                            spec::one_of(&spec::observation_names("event"))
                        ),
                    ));
                }
                observation = Some(e.get_ref().clone());
            }
            EvidenceKind::Fact => {
                let Some(fa) = &ev.fact else {
                    return Err(err(
                        ev.kind.span(),
                        f("fact"),
                        "a fact item needs `fact`".into(),
                    ));
                };
                if spec::observation_fields("fact", fa.get_ref()).is_none() {
                    return Err(err(
                        fa.span(),
                        f("fact"),
                        format!(
                            "unknown fact {:?} (expected {})",
                            fa.get_ref(),
                            spec::one_of(&spec::observation_names("fact"))
                        ),
                    ));
                }
                observation = Some(fa.get_ref().clone());
            }
            EvidenceKind::Stacks => {
                let pred = ev
                    .predicate
                    .as_ref()
                    .map(|p| p.get_ref().as_str())
                    .unwrap_or("lock");
                let obs = match pred {
                    "lock" => "lock",
                    "deadlock" => "deadlock",
                    "goroutines" => "goroutines",
                    other => {
                        let span = ev.predicate.as_ref().map(|p| p.span()).unwrap_or(0..0);
                        return Err(err(
                            span,
                            f("predicate"),
                            format!(
                                "unknown predicate {other:?} (expected lock, deadlock or goroutines)"
                            ),
                        ));
                    }
                };
                observation = Some(obs.to_string());
                if let Some(fr) = &ev.frames {
                    frames = Some(regex(fr, "frames")?);
                }
                if let Some(w) = &ev.waiter_frames {
                    conditions.push(("waiter_funcs".into(), regex(w, "waiter_frames")?));
                }
                if let Some(s) = &ev.state {
                    conditions.push(("state".into(), regex(s, "state")?));
                }
                if let Some(a) = &ev.activity {
                    let re = Regex::new(&format!("^(?:{})$", regex::escape(a)))
                        .map_err(|e| err(ev.kind.span(), f("activity"), e.to_string()))?;
                    conditions.push(("activity".into(), re));
                }
            }
            EvidenceKind::Version => {
                let Some(c) = &ev.component else {
                    return Err(err(
                        ev.kind.span(),
                        f("component"),
                        "a version item needs `component`".into(),
                    ));
                };
                observation = Some("version".into());
                let re = Regex::new(&format!("^{}$", regex::escape(c)))
                    .map_err(|e| err(ev.kind.span(), f("component"), e.to_string()))?;
                conditions.push(("component".into(), re));
            }
        }
        // Every field the item tests must exist on the observations it selects: a misspelt
        // field would silently never match.
        match &observation {
            Some(name) => {
                let fields = spec::observation_fields(ev.kind.get_ref(), name).unwrap_or_default();
                for (k, v) in &ev.conditions {
                    if !fields.contains(&k.as_str()) {
                        return Err(err(
                            v.span(),
                            f(&format!("where.{k}")),
                            format!(
                                "unknown field {k:?} of {name} (expected {})",
                                spec::one_of(&fields)
                            ),
                        ));
                    }
                }
                let derived = [
                    (
                        ev.frames.as_ref().map(|s| s.span()),
                        "frames",
                        frames_field(name),
                    ),
                    (
                        ev.waiter_frames.as_ref().map(|s| s.span()),
                        "waiter_frames",
                        "waiter_funcs",
                    ),
                    (ev.state.as_ref().map(|s| s.span()), "state", "state"),
                    (
                        ev.activity.as_ref().map(|_| ev.kind.span()),
                        "activity",
                        "activity",
                    ),
                ];
                for (span, key, field) in derived {
                    if let Some(span) = span
                        && !fields.contains(&field)
                    {
                        return Err(err(
                            span,
                            f(key),
                            format!("{name} observations have no {field} to match"),
                        ));
                    }
                }
            }
            None => {
                if let Some((k, v)) = ev.conditions.iter().next() {
                    return Err(err(
                        v.span(),
                        f(&format!("where.{k}")),
                        "a log item has no fields to test; name a capture group in its pattern"
                            .into(),
                    ));
                }
            }
        }
        if let Some(name) = &ev.same_value
            && !matches!(kind, EvidenceKind::Log)
        {
            return Err(err(
                name.span(),
                f("same_value"),
                "only a log item has captures to share".into(),
            ));
        }
        let within = duration(&ev.within, f("within"))?;
        if *ev.weight.get_ref() > spec::MAX_WEIGHT {
            return Err(err(
                ev.weight.span(),
                f("weight"),
                format!(
                    "{} is more than {} (weights are relative: 10, 30, 60)",
                    ev.weight.get_ref(),
                    spec::MAX_WEIGHT
                ),
            ));
        }
        if let Some(a) = &ev.after {
            if !spec.evidence.iter().any(|o| o.id.get_ref() == a.get_ref()) {
                return Err(err(
                    a.span(),
                    f("after"),
                    format!("no evidence item {:?} in this rule", a.get_ref()),
                ));
            }
        }
        items.push(Item {
            id: ev.id.get_ref().clone(),
            kind,
            role,
            weight: *ev.weight.get_ref(),
            describe: ev.describe.clone(),
            group: ev.group.clone(),
            frames_field: observation.as_deref().map_or("frames", frames_field),
            observation,
            conditions,
            frames,
            min_count: ev.min_count.unwrap_or(1),
            within,
            after: ev.after.as_ref().map(|a| a.get_ref().clone()),
            same_value: ev.same_value.as_ref().map(|a| a.get_ref().clone()),
            min_waiters: ev.min_waiters,
            min_minutes: ev.min_minutes,
            version_below: ev.below.clone(),
            version_at_least: ev.at_least.clone(),
        });
    }
    for (i, a) in items.iter().enumerate() {
        if let Some(b) = items[..i]
            .iter()
            .find(|b| b.group.is_some() && b.group == a.group)
        {
            if a.role != b.role {
                return Err(err(
                    spec.evidence[i].role.span(),
                    format!("evidence[{i}].role"),
                    format!(
                        "all items of group {:?} need the same role",
                        a.group.as_deref().unwrap_or("")
                    ),
                ));
            }
        }
    }
    if !items.iter().any(|i| i.role == Role::Required) {
        return Err(err(
            spec.id.span(),
            "evidence".into(),
            "a rule needs at least one required evidence item".into(),
        ));
    }
    Ok(Rule {
        origin: name.to_string(),
        severity,
        items,
        window,
        spec,
    })
}

/// The field a stacks item's `frames` matches: the holder's frames of a lock, the frames of a
/// goroutine group.
fn frames_field(predicate: &str) -> &'static str {
    if predicate == "lock" {
        "holder_frames"
    } else {
        "frames"
    }
}
