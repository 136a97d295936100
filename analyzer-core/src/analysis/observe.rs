//! Observations for the rules, built from what the members gave: multi-line events (their time
//! resolved, their lines cited), goroutine-dump analyses (contended locks, deadlocks, goroutine
//! groups), host facts and component versions.

use super::member::PendingEvent;
use crate::base::Evidence;
use crate::model::event::EventKind;
use crate::model::host::HostState;
use crate::model::time::Clock;
use crate::rules::engine::{Observation, Stack};
use crate::rules::spec;
use crate::stacks;

/// The observation of an event; its lines cite the event's member and that member's input
/// (`inputs`, indexed like `members`).
pub(super) fn event_observation(
    p: &PendingEvent,
    clock: &Clock,
    members: &[String],
    inputs: &[usize],
) -> Observation {
    let time = clock.resolve(&p.event.time, p.epoch, &p.years);
    let path = members.get(p.member).cloned().unwrap_or_default();
    let input = inputs.get(p.member).copied().unwrap_or_default();
    let evidence = p
        .lines
        .iter()
        .map(|(line, text)| Evidence {
            input,
            path: path.clone(),
            line: *line,
            time,
            text: text.clone(),
            highlight: None,
            label: String::new(),
        })
        .collect();
    let mut fields = std::collections::BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.insert(k.to_string(), v);
        }
    };
    let kind = match &p.event.kind {
        EventKind::OomKill {
            memcg,
            victim_pid,
            victim_comm,
            invoker,
            task_memcg,
            container_id,
            pod_uid,
            anon_rss_kb,
        } => {
            put("memcg", Some(memcg.to_string()));
            put("victim_pid", victim_pid.map(|v| v.to_string()));
            put("victim_comm", Some(victim_comm.clone()));
            put("invoker", invoker.clone());
            put("task_memcg", task_memcg.clone());
            put("container_id", container_id.clone());
            put("pod_uid", pod_uid.clone());
            put("anon_rss_kb", anon_rss_kb.map(|v| v.to_string()));
            "oom-kill"
        }
        EventKind::HungTask {
            comm,
            pid,
            seconds,
            trace,
        } => {
            put("comm", Some(comm.clone()));
            put("pid", Some(pid.to_string()));
            put("seconds", Some(seconds.to_string()));
            put("trace", Some(trace.join(" < ")));
            "hung-task"
        }
        EventKind::GoCrash {
            program,
            pid,
            reason,
            goroutines,
        } => {
            put("program", Some(program.clone()));
            put("pid", pid.map(|v| v.to_string()));
            put("reason", Some(reason.clone()));
            put("goroutines", Some(goroutines.to_string()));
            "go-crash"
        }
    };
    let o = Observation {
        kind: kind.into(),
        fields,
        weight: 1,
        time,
        evidence,
        stack: None,
    };
    debug_assert!(nameable("event", &o), "{o:?}");
    o
}

/// The holder's frames worth reading first: the raw syscall/runtime trampolines are skipped, and
/// the first method frame (`pkg.(*T).M`, usually the caller that took the lock) is kept even when
/// it is deeper than the first three.
pub(super) fn telling_frames(top: &[String]) -> Vec<&str> {
    let plain = |f: &&String| {
        !(f.starts_with("runtime.")
            || f.starts_with("syscall.Syscall")
            || f.starts_with("syscall.RawSyscall")
            || f.starts_with("internal/"))
    };
    let mut out: Vec<&str> = top
        .iter()
        .filter(plain)
        .take(3)
        .map(String::as_str)
        .collect();
    if let Some(m) = top.iter().filter(plain).find(|f| f.contains(".(*")) {
        if !out.contains(&m.as_str()) {
            out.push("…");
            out.push(m);
        }
    }
    out
}

/// The observations of a goroutine dump at `path` of input `input` (its index in the
/// report's `inputs`): contended locks, deadlocks, goroutine groups.
pub(super) fn stacks_observations(
    path: &str,
    input: usize,
    a: &stacks::Analysis,
) -> Vec<Observation> {
    let mut out = Vec::new();
    for l in &a.locks {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("address".to_string(), l.address.clone());
        fields.insert("kind".to_string(), l.kind.name().to_string());
        fields.insert(
            "holder".to_string(),
            l.holder.map_or("unknown".to_string(), |h| h.to_string()),
        );
        fields.insert(
            "holder_state".to_string(),
            l.holder_state.clone().unwrap_or_default(),
        );
        fields.insert(
            "minutes".to_string(),
            l.holder_minutes.unwrap_or(0).to_string(),
        );
        fields.insert("activity".to_string(), l.holder_activity.name().to_string());
        fields.insert("waiters".to_string(), l.waiters_total.to_string());
        fields.insert(
            "transitive_waiters".to_string(),
            l.transitive_waiters.to_string(),
        );
        // The holder's whole stack: what holds the lock may be deep under a recursion.
        let holder_frames = if l.holder_funcs.is_empty() {
            l.holder_top.join("\n")
        } else {
            l.holder_funcs
                .iter()
                .filter_map(|&f| a.func_names.get(f as usize).map(String::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        };
        fields.insert("holder_frames".to_string(), holder_frames);
        fields.insert("waiter_funcs".to_string(), l.waiter_funcs.join("\n"));
        fields.insert(
            "max_wait_minutes".to_string(),
            l.max_wait_minutes.unwrap_or(0).to_string(),
        );
        fields.insert(
            "candidates".to_string(),
            l.holder_candidates
                .iter()
                .map(|c| c.id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
        fields.insert("dump".to_string(), path.to_string());
        let mut evidence = Vec::new();
        if let Some(line) = l.holder_line {
            evidence.push(Evidence {
                input,
                path: path.to_string(),
                line,
                time: None,
                text: format!(
                    "goroutine {} [{}{}] holds {}: {}",
                    l.holder.map_or("?".to_string(), |h| h.to_string()),
                    l.holder_state.clone().unwrap_or_default(),
                    l.holder_minutes
                        .map(|m| format!(", {m} minutes"))
                        .unwrap_or_default(),
                    l.address,
                    telling_frames(&l.holder_top).join(" < ")
                ),
                highlight: None,
                label: String::new(),
            });
        }
        if l.waiter_line > 0 {
            evidence.push(Evidence {
                input,
                path: path.to_string(),
                line: l.waiter_line,
                time: None,
                text: format!(
                    "{} goroutines wait on {} (up to {} minutes), e.g. from {}",
                    l.waiters_total,
                    l.address,
                    l.max_wait_minutes.unwrap_or(0),
                    l.waiter_funcs.first().cloned().unwrap_or_default()
                ),
                highlight: None,
                label: String::new(),
            });
        }
        let stack = (!l.holder_funcs.is_empty()).then(|| Stack {
            names: a.func_names.clone(),
            funcs: l.holder_funcs.as_slice().into(),
        });
        out.push(Observation {
            kind: "lock".into(),
            fields,
            weight: 1,
            stack,
            time: None,
            evidence,
        });
    }
    // The first lock (in report order) each goroutine holds: looked up once per goroutine of
    // every cycle, which may hold every goroutine of the dump.
    let mut held: std::collections::HashMap<u64, &stacks::LockInfo> =
        std::collections::HashMap::new();
    for l in &a.locks {
        if let (Some(h), Some(_)) = (l.holder, l.holder_line) {
            held.entry(h).or_insert(l);
        }
    }
    // A cycle may hold every goroutine of a dump: the summary names the first ones, the
    // evidence cites the first holders (the rule engine keeps 6 evidence lines per item).
    const NAMED: usize = 16;
    const CITED: usize = 8;
    for cycle in &a.deadlocks {
        let mut ids = cycle
            .iter()
            .take(NAMED)
            .map(|g| g.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if cycle.len() > NAMED {
            ids.push_str(&format!(" and {} more", cycle.len() - NAMED));
        }
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("goroutines".to_string(), ids.clone());
        fields.insert("size".to_string(), cycle.len().to_string());
        fields.insert("dump".to_string(), path.to_string());
        // Each goroutine of the cycle holds one of its locks: cite its header line.
        let mut evidence: Vec<Evidence> = cycle
            .iter()
            .filter_map(|&g| {
                let l = held.get(&g)?;
                Some(Evidence {
                    input,
                    path: path.to_string(),
                    line: l.holder_line.unwrap_or(0),
                    time: None,
                    text: format!(
                        "goroutine {g} [{}{}] holds {} and waits in {}",
                        l.holder_state.clone().unwrap_or_default(),
                        l.holder_minutes
                            .map(|m| format!(", {m} minutes"))
                            .unwrap_or_default(),
                        l.address,
                        l.holder_top
                            .iter()
                            .filter(|f| !crate::stacks::is_runtime_or_sync(f.as_bytes()))
                            .take(3)
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(" < ")
                    ),
                    highlight: None,
                    label: String::new(),
                })
            })
            .take(CITED)
            .collect();
        if evidence.is_empty() {
            evidence.push(Evidence {
                input,
                path: path.to_string(),
                line: 0,
                time: None,
                text: format!("goroutines {ids} wait on each other's locks"),
                highlight: None,
                label: String::new(),
            });
        }
        out.push(Observation {
            kind: "deadlock".into(),
            fields,
            weight: 1,
            time: None,
            evidence,
            stack: None,
        });
    }
    for b in &a.buckets {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("state".to_string(), b.state.clone());
        fields.insert(
            "minutes".to_string(),
            b.max_minutes.unwrap_or(0).to_string(),
        );
        fields.insert("count".to_string(), b.count.to_string());
        fields.insert(
            "frames".to_string(),
            b.frames
                .iter()
                .map(|f| f.func.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        fields.insert("caller".to_string(), b.caller().to_string());
        fields.insert("dump".to_string(), path.to_string());
        let evidence = Some(b.line)
            .filter(|&line| line > 0)
            .map(|line| Evidence {
                input,
                path: path.to_string(),
                line,
                time: None,
                text: format!(
                    "{} goroutines [{}{}] in {}",
                    b.count,
                    b.state,
                    b.max_minutes
                        .map(|m| format!(", up to {m} minutes"))
                        .unwrap_or_default(),
                    b.frames
                        .iter()
                        .take(3)
                        .map(|f| f.func.as_str())
                        .collect::<Vec<_>>()
                        .join(" < ")
                ),
                highlight: None,
                label: String::new(),
            })
            .into_iter()
            .collect();
        out.push(Observation {
            kind: "goroutines".into(),
            fields,
            weight: b.count,
            time: None,
            evidence,
            stack: Some(Stack {
                names: a.func_names.clone(),
                funcs: b.funcs.as_slice().into(),
            }),
        });
    }
    debug_assert!(out.iter().all(|o| nameable("stacks", o)), "{out:?}");
    out
}

/// The host's derived facts and component versions as observations.
pub(super) fn host_observations(host: &HostState) -> Vec<Observation> {
    let mut out = Vec::new();
    for fact in &host.facts {
        out.push(Observation {
            kind: fact.kind.clone(),
            fields: {
                let mut f = fact.attrs.clone();
                f.insert("subject".into(), fact.subject.clone());
                f.insert("summary".into(), fact.summary.clone());
                f
            },
            weight: 1,
            time: None,
            evidence: fact.evidence.clone(),
            stack: None,
        });
    }
    for (component, v) in &host.versions {
        out.push(Observation {
            kind: "version".into(),
            fields: [
                ("component".to_string(), component.clone()),
                ("version".to_string(), v.version.clone()),
            ]
            .into_iter()
            .collect(),
            weight: 1,
            time: None,
            evidence: vec![v.evidence.clone()],
            stack: None,
        });
    }
    debug_assert!(
        out.iter().all(|o| nameable(
            if o.kind == "version" {
                "version"
            } else {
                "fact"
            },
            o
        )),
        "{out:?}"
    );
    out
}

/// True when a rule can name the observation: its kind and every field are in the rules'
/// vocabulary for the evidence kind `kind` ([`spec::observation_fields`]).
fn nameable(kind: &str, o: &Observation) -> bool {
    spec::observation_fields(kind, &o.kind)
        .is_some_and(|known| o.fields.keys().all(|f| known.contains(&f.as_str())))
}
