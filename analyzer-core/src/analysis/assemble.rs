//! The final assembly, once the walk is over: the clock and the host state are finished, the
//! times of every member resolved, the observations built, every rule evaluated and the report
//! made.

use std::time::Instant;

use super::driver::{Collected, State};
use super::member::PendingEvent;
use super::observe::{event_observation, host_observations, stacks_observations};
use super::{Analysed, Options};
use crate::base::Timestamp;
use crate::input::Warning;
use crate::report::{Report, Stats, Tool};
use crate::rules::engine::{Engine, Observations};

/// Turns what the walk collected into the analysis: report, dump analyses, host state.
pub(super) fn assemble(
    collected: Collected,
    opts: &Options,
    engine: &Engine,
    started: Instant,
) -> Analysed {
    let Collected {
        inputs,
        state,
        partial,
    } = collected;
    let State {
        members,
        hits,
        events,
        dumps,
        host,
        clock,
        warnings,
        stats,
        recognised,
        ..
    } = state;
    let mut clock = clock;
    for i in &inputs {
        clock.add_input_name(&i.path);
    }
    let clock = clock.finish();
    let host = host.finish();
    let mut warnings = warnings;
    if clock.year_assumed() {
        // The first member with times that state no year.
        if let Some(s) = stats
            .spans
            .iter()
            .find(|s| s.years.last_month_day.is_some())
        {
            warnings.push(Warning::assumption(
                members.get(s.member).cloned().unwrap_or_default(),
                format!(
                    "year assumed: {} (nothing in the input states the year of times without one: no date or timedatectl output, no journal header, no record or file name with a year)",
                    crate::model::time::ASSUMED_YEAR
                ),
            ));
        }
    }

    let mut obs = Observations {
        members,
        hits,
        observations: Vec::new(),
    };
    // Times of records: resolve every member's first/last, keep the span.
    let mut first: Option<Timestamp> = None;
    let mut last: Option<Timestamp> = None;
    for s in &stats.spans {
        for (t, e) in [s.first, s.last].into_iter().flatten() {
            if let Some(ts) = clock.resolve(&t, e, &s.years) {
                first = Some(first.map_or(ts, |f| f.min(ts)));
                last = Some(last.map_or(ts, |l| l.max(ts)));
            }
        }
    }
    // Members are analysed in parallel: order events and dumps by path and line so that ties
    // (untimed events of pasted text) come out the same every time.
    let mut events = events;
    events.sort_by(|a, b| {
        let path = |e: &PendingEvent| obs.members.get(e.member).cloned().unwrap_or_default();
        (path(a), a.event.first_line).cmp(&(path(b), b.event.first_line))
    });
    let mut dumps = dumps;
    dumps.sort_by(|a, b| a.0.cmp(&b.0));
    for e in events {
        obs.observations
            .push(event_observation(&e, &clock, &obs.members));
    }
    for (path, analysis) in &dumps {
        obs.observations.extend(stacks_observations(path, analysis));
    }
    obs.observations.extend(host_observations(&host));
    let mut findings = engine.evaluate(&obs, &clock);
    let nothing_recognised = recognised == 0 && !partial && findings.is_empty();
    let before: u64 = findings.iter().map(count_findings).sum();
    findings.retain(|f| f.max_severity() >= opts.min_severity);
    let hidden = before - findings.iter().map(count_findings).sum::<u64>();
    let report = Report {
        schema_version: crate::report::SCHEMA_VERSION,
        tool: Tool::default(),
        inputs,
        host: crate::report::host::Host::from_state(&host, &clock),
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
    Analysed {
        report,
        dumps,
        host,
    }
}

/// A finding and the findings it explains.
fn count_findings(f: &crate::base::Finding) -> u64 {
    1 + f.explains.iter().map(count_findings).sum::<u64>()
}
