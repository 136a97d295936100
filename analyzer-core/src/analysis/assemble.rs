//! The final assembly, once the walk is over: the clock and the host state are finished, the
//! times of every member resolved, the observations built, every rule evaluated and the report
//! made.

use std::time::Instant;

use super::driver::{Collected, HostSlot, State};
use super::member::PendingEvent;
use super::observe::{event_observation, host_observations, stacks_observations};
use super::records::Gathered;
use super::{Analysed, Options};
use crate::base::Timestamp;
use crate::input::{InputKind, Warning};
use crate::report::{HostEntry, Report, Stats, Tool};
use crate::rules::engine::{Engine, Observations};

/// Turns what the walk collected into the analysis: report, dump analyses, host state; and,
/// when `gather`, the timeline's records resolved with the clock of their host.
pub(super) fn assemble(
    collected: Collected,
    opts: &Options,
    engine: &Engine,
    started: Instant,
    gather: bool,
) -> (Analysed, Option<Gathered>) {
    let Collected {
        inputs,
        state,
        partial,
    } = collected;
    let State {
        members,
        member_inputs,
        hits,
        events,
        dumps,
        hosts: mut slots,
        warnings,
        stats,
        recognised,
        held,
        ..
    } = state;
    // Bundle index → index in `inputs` (inputs that could not be opened have no entry).
    let report_index = |bundle: usize| inputs.iter().position(|i| i.bundle_index == bundle);
    // Every input read belongs to a host, even one that gave no member.
    for info in &inputs {
        let b = info.bundle_index;
        if !slots.iter().any(|h| h.inputs.contains(&b)) {
            let loose = info.kind == InputKind::File;
            match slots.iter_mut().find(|h| loose && h.loose) {
                Some(h) => h.inputs.push(b),
                None => slots.push(HostSlot {
                    inputs: vec![b],
                    loose,
                    ..HostSlot::default()
                }),
            }
        }
    }
    for h in &mut slots {
        h.inputs.sort_unstable();
    }
    slots.sort_by_key(|h| h.inputs.first().copied());
    if slots.is_empty() {
        slots.push(HostSlot::default());
    }
    // The host of each member, by the slot of its input.
    let host_of_input = |b: usize| {
        slots
            .iter()
            .position(|h| h.inputs.contains(&b))
            .unwrap_or_default()
    };
    let member_host: Vec<usize> = member_inputs.iter().map(|&b| host_of_input(b)).collect();
    let host_of_member = |m: usize| member_host.get(m).copied().unwrap_or_default();
    // The index in `inputs` of each member's input: evidence cites it.
    let member_report: Vec<usize> = member_inputs
        .iter()
        .map(|&b| report_index(b).unwrap_or_default())
        .collect();

    let mut warnings = warnings;
    // Members are analysed in parallel: order events and dumps by path and line so that ties
    // (untimed events of pasted text) come out the same every time.
    let mut events = events;
    let input_of_member = |m: usize| member_inputs.get(m).copied().unwrap_or_default();
    events.sort_by(|a, b| {
        let path = |e: &PendingEvent| members.get(e.member).cloned().unwrap_or_default();
        (path(a), input_of_member(a.member), a.event.first_line).cmp(&(
            path(b),
            input_of_member(b.member),
            b.event.first_line,
        ))
    });
    let mut dumps = dumps;
    dumps.sort_by(|a, b| (&a.1, input_of_member(a.0)).cmp(&(&b.1, input_of_member(b.0))));
    let mut hits_by_host: Vec<Vec<_>> = slots.iter().map(|_| Vec::new()).collect();
    for h in hits {
        hits_by_host[host_of_member(h.member)].push(h);
    }
    let mut events_by_host: Vec<Vec<_>> = slots.iter().map(|_| Vec::new()).collect();
    for e in events {
        events_by_host[host_of_member(e.member)].push(e);
    }
    let mut held_by_host: Vec<Vec<_>> = slots.iter().map(|_| Vec::new()).collect();
    for (m, r) in held.members {
        held_by_host[host_of_member(m)].push((m, r));
    }
    let mut gathered = gather.then(Gathered::default);

    let mut first: Option<Timestamp> = None;
    let mut last: Option<Timestamp> = None;
    let mut findings = Vec::new();
    let mut entries = Vec::new();
    let mut states = Vec::new();
    for (h, ((slot, held), (hits, events))) in slots
        .into_iter()
        .zip(held_by_host)
        .zip(hits_by_host.into_iter().zip(events_by_host))
        .enumerate()
    {
        let HostSlot {
            inputs: bundle_inputs,
            host,
            mut clock,
            ..
        } = slot;
        let own: Vec<usize> = bundle_inputs
            .iter()
            .filter_map(|&b| report_index(b))
            .collect();
        for &i in &own {
            clock.add_input_name(&inputs[i].path);
        }
        let host = host.finish();
        // What the host state says about the boot: `/proc/stat`'s `btime`, the uptime.
        if let Some(b) = &host.identity.boot {
            clock.add_btime(&b.evidence.path, b.value);
        }
        if let Some(u) = &host.identity.uptime {
            clock.add_uptime(&u.evidence.path, u.value.1);
        }
        let clock = clock.finish();
        let spans = || stats.spans.iter().filter(|s| host_of_member(s.member) == h);
        // The timeline's records of this host, with this host's clock.
        if let Some(g) = &mut gathered {
            for (m, r) in held {
                let years = spans().find(|s| s.member == m).map(|s| s.years);
                let input = report_index(input_of_member(m))
                    .or_else(|| own.first().copied())
                    .unwrap_or_default();
                let path = members.get(m).cloned().unwrap_or_default();
                g.resolve_member(r, &clock, &years.unwrap_or_default(), (path, input, h));
            }
        }
        if clock.year_assumed() {
            // The first member with times that state no year.
            if let Some(s) = spans().find(|s| s.years.last_month_day.is_some()) {
                warnings.push(Warning::assumption(
                    members.get(s.member).cloned().unwrap_or_default(),
                    format!(
                        "year assumed: {} (nothing in the input states the year of times without one: no date or timedatectl output, no journal header, no record or file name with a year, no archive member time)",
                        crate::model::time::ASSUMED_YEAR
                    ),
                ));
            }
        }
        // Times of records: resolve every member's first/last, keep the span.
        for s in spans() {
            for (t, e) in [s.first, s.last].into_iter().flatten() {
                if let Some(ts) = clock.resolve(&t, e, &s.years) {
                    first = Some(first.map_or(ts, |f| f.min(ts)));
                    last = Some(last.map_or(ts, |l| l.max(ts)));
                }
            }
        }
        // The input of a host fact's evidence, known by path only: the member of that path in
        // this host (log lines, events and dumps cite their own member's input).
        let input_of = |path: &str| {
            let b = members
                .iter()
                .zip(&member_inputs)
                .enumerate()
                .find(|(m, (p, _))| p.as_str() == path && host_of_member(*m) == h)
                .map(|(_, (_, &b))| b)
                .or_else(|| bundle_inputs.first().copied());
            b.and_then(report_index)
                .or_else(|| own.first().copied())
                .unwrap_or_default()
        };
        let mut obs = Observations {
            members: members.clone(),
            inputs: member_report.clone(),
            hits,
            observations: Vec::new(),
        };
        for e in events {
            obs.observations
                .push(event_observation(&e, &clock, &obs.members, &obs.inputs));
        }
        for (m, path, analysis) in &dumps {
            if host_of_member(*m) == h {
                let input = member_report.get(*m).copied().unwrap_or_default();
                obs.observations
                    .extend(stacks_observations(path, input, analysis));
            }
        }
        let mut facts = host_observations(&host);
        for o in &mut facts {
            for e in &mut o.evidence {
                e.input = input_of(&e.path);
            }
        }
        obs.observations.extend(facts);
        let mut found = engine.evaluate(&obs, &clock);
        for f in &mut found {
            tag(f, h);
        }
        findings.extend(found);
        let header = crate::report::host::Host::from_state(&host, &clock);
        let fallback = own.first().map_or("", |&i| inputs[i].path.as_str());
        entries.push(HostEntry::new(own.clone(), header, fallback));
        states.push(host);
    }
    let dump_hosts: Vec<usize> = dumps.iter().map(|(m, ..)| host_of_member(*m)).collect();
    let dumps: Vec<(String, crate::stacks::Analysis)> =
        dumps.into_iter().map(|(_, p, a)| (p, a)).collect();
    let nothing_recognised = recognised == 0 && !partial && findings.is_empty();
    let before: u64 = findings.iter().map(count_findings).sum();
    findings.retain(|f| f.max_severity() >= opts.min_severity);
    let hidden = before - findings.iter().map(count_findings).sum::<u64>();
    let single = if entries.len() == 1 {
        entries[0].host.clone()
    } else {
        crate::report::host::Host::default()
    };
    let host = states.first().cloned().unwrap_or_default();
    let report = Report {
        schema_version: crate::report::SCHEMA_VERSION,
        tool: Tool::default(),
        inputs,
        host: single,
        hosts: entries,
        findings,
        warnings,
        stats: Stats {
            members: stats.members,
            records: stats.records,
            bytes: stats.bytes,
            seconds: started.elapsed().as_secs_f64(),
            first,
            last,
            partial,
            nothing_recognised,
            hidden,
        },
    };
    if let Some(g) = &mut gathered {
        g.finish();
    }
    (
        Analysed {
            report,
            dumps,
            dump_hosts,
            host,
            hosts: states,
        },
        gathered,
    )
}

/// Marks a finding (and those it explains) as host `h`'s.
fn tag(f: &mut crate::base::Finding, h: usize) {
    f.host = h;
    for x in &mut f.explains {
        tag(x, h);
    }
}

/// A finding and the findings it explains.
fn count_findings(f: &crate::base::Finding) -> u64 {
    1 + f.explains.iter().map(count_findings).sum::<u64>()
}
