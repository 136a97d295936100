//! Per-member analysis: a log member's records scanned by the rules, assembled into events and
//! followed for the clock (in one pass or in chunks); a goroutine dump analysed; host-state and
//! clock files handed to their builders.

use std::sync::Mutex;

use super::chunk::{self, CHUNK_MIN, CHUNK_TARGET, MAX_CHUNKS, OVERLAP, chunk_bounds, chunkable};
use super::driver::{Deadline, Split, State, budget_warning, lock};
use super::records::{Collector, RecordSpec, Records};
use crate::base::time::RawTime;
use crate::base::{Format, Source};
use crate::input::{Limits, Member, Warning};
use crate::model::event::{Event, EventAssembler};
use crate::model::time::{BootHint, ClockBuilder, YearSummary, YearTracker};
use crate::parse::{self, Record};
use crate::rules::engine::{Engine, MemberHits};
use crate::stacks;

/// Per-member time span, resolved at the end.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    /// The member's index.
    pub(super) member: usize,
    pub(super) first: Option<(RawTime, u16)>,
    pub(super) last: Option<(RawTime, u16)>,
    pub(super) years: YearSummary,
}

/// An event with what is needed to resolve its time and cite its lines.
pub(super) struct PendingEvent {
    pub(super) event: Event,
    pub(super) member: usize,
    pub(super) epoch: u16,
    pub(super) years: YearSummary,
    pub(super) lines: Vec<(u32, String)>,
}

pub(super) fn analyse_member(
    engine: &Engine,
    state: &Mutex<State>,
    limits: &Limits,
    member: Member,
    split: Split,
    deadline: &Deadline,
    records: Option<&RecordSpec>,
) {
    let data: &[u8] = &member.data;
    let idx = {
        let mut st = lock(state);
        st.stats.members += 1;
        st.stats.bytes += data.len() as u64;
        let idx = st.push_member(&member.path, member.input);
        let clock = &mut st.member_slot(idx).clock;
        clock.add_member_name(&member.path);
        if let Some(t) = member.mtime {
            clock.add_mtime(&member.path, t);
        }
        idx
    };
    match member.format {
        Format::Paste => {
            // kubectl tables read as log lines; the host-state parts of a mixed paste.
            let text = parse::kubectl::normalize(data);
            analyse_log(
                engine,
                state,
                limits,
                idx,
                &member.path,
                Format::Paste,
                &text,
                split,
                deadline,
                records,
            );
            let mut st = lock(state);
            if st.slot(member.input).host.add_paste(&member.path, data) {
                st.recognised += 1;
            }
        }
        f @ (Format::DockerInfo | Format::SystemctlStatus)
            if crate::input::sniff::record_format(f, &member.path).is_some() =>
        {
            // Host state, and lines rules read: `docker info`'s `WARNING:` lines and
            // `Supports d_type: false`, the journal lines under `systemctl status`.
            analyse_log(
                engine,
                state,
                limits,
                idx,
                &member.path,
                Format::Paste,
                data,
                split,
                deadline,
                None,
            );
            lock(state)
                .slot(member.input)
                .host
                .add(&member.path, f, data);
        }
        f if f.is_log() => analyse_log(
            engine,
            state,
            limits,
            idx,
            &member.path,
            f,
            data,
            split,
            deadline,
            records,
        ),
        Format::GoroutineDump => {
            let dump = parse::goroutine::parse(data);
            let analysis = stacks::analyze(&dump);
            let mut st = lock(state);
            if analysis.goroutines == 0 {
                st.warnings.push(unread_dump(&member.path));
            } else {
                st.recognised += 1;
            }
            st.dumps.push((idx, member.path.clone(), analysis));
        }
        Format::Date => lock(state)
            .slot(member.input)
            .clock
            .add_date(&member.path, data),
        Format::Timedatectl => lock(state)
            .slot(member.input)
            .clock
            .add_timedatectl(&member.path, data),
        Format::Localtime => lock(state).slot(member.input).clock.add_localtime(data),
        f => lock(state)
            .slot(member.input)
            .host
            .add(&member.path, f, data),
    }
    // Host-state and clock files are read by their own parsers; logs, pastes and dumps count
    // once something in them was read.
    if !(member.format.is_log() || matches!(member.format, Format::Paste | Format::GoroutineDump)) {
        lock(state).recognised += 1;
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn analyse_log(
    engine: &Engine,
    state: &Mutex<State>,
    limits: &Limits,
    idx: usize,
    path: &str,
    format: Format,
    data: &[u8],
    split: Split,
    deadline: &Deadline,
    records: Option<&RecordSpec>,
) {
    let input = lock(state)
        .member_inputs
        .get(idx)
        .copied()
        .unwrap_or_default();
    head_hints(state, input, path, data);
    let (chunks, overlap) = match split {
        // Chunks spread a large member over the threads and bound what one pass holds (the
        // prefilter's hits), also on one thread.
        Split::Auto if data.len() >= CHUNK_MIN => {
            let n = (data.len() / CHUNK_TARGET).max(rayon::current_num_threads());
            (n.min(MAX_CHUNKS), OVERLAP)
        }
        Split::Auto | Split::Stream { .. } => (1, 0),
        Split::Fixed { chunks, overlap } => (chunks, overlap),
    };
    if chunks > 1 && chunkable(format) {
        let bounds = chunk_bounds(format, data, chunks);
        if bounds.len() > 2 {
            let (log, stopped) = chunk::analyse_chunked(
                engine, limits, idx, format, data, &bounds, overlap, deadline, records,
            );
            if let Some(offset) = stopped {
                if deadline.mark() {
                    lock(state).warnings.push(budget_warning(
                        deadline.reason(),
                        path,
                        Some(offset),
                    ));
                }
            }
            let end = stopped.map_or(data.len(), |o| o as usize);
            let dumps = embedded_analysis(&data[..end]).into_iter().collect();
            return commit_log(state, limits, path, log, dumps);
        }
    }
    let log = analyse_whole(engine, limits, idx, format, data, records);
    let dumps = embedded_analysis(data).into_iter().collect();
    commit_log(state, limits, path, log, dumps)
}

/// The analysis of a goroutine dump embedded in a log (every line with its own prefix), if the
/// log carries one; it may hold no goroutine when the dump lines could not be read
/// ([`commit_log`] then warns).
pub(super) fn embedded_analysis(data: &[u8]) -> Option<stacks::Analysis> {
    embedded_dump(data).then(|| stacks::analyze(&parse::goroutine::parse(data)))
}

/// The warning for a member that looks like a goroutine dump (or carries one) of which no
/// goroutine could be read.
fn unread_dump(path: &str) -> Warning {
    Warning::new(
        path,
        "looks like a goroutine dump, but no goroutine could be read from it (shapes read: \
         docs/goroutines.md)",
    )
}

/// What one log member gave, ready to merge into [`State`].
pub(super) struct LogOut {
    pub(super) count: u64,
    pub(super) span: Span,
    pub(super) hits: Vec<MemberHits>,
    pub(super) events: Vec<PendingEvent>,
    pub(super) clock: ClockBuilder,
    /// Offset of the first record longer than the line limit.
    pub(super) cut_line: Option<u64>,
    /// Records whose stated time is out of range (read as untimed): first offset, count.
    pub(super) bad_times: Option<(u64, u64)>,
    /// Events over the per-member limit: where the first one was emitted, and how many.
    pub(super) dropped_events: Option<(u64, u64)>,
    /// Records with a header a grammar read (a time or an identifier): none in a member of
    /// text that is no log.
    pub(super) headed: u64,
    /// What the member holds for the timeline, when one is built.
    pub(super) records: Option<Records>,
}

pub(super) fn commit_log(
    state: &Mutex<State>,
    limits: &Limits,
    path: &str,
    log: LogOut,
    dumps: Vec<stacks::Analysis>,
) {
    let mut st = lock(state);
    if let Some(offset) = log.cut_line {
        st.warnings.push(
            Warning::new(
                path,
                format!(
                    "lines longer than {} bytes; cut there for analysis",
                    limits.max_line_bytes
                ),
            )
            .at(offset),
        );
    }
    if let Some((offset, n)) = log.dropped_events {
        st.warnings.push(
            Warning::new(
                path,
                format!(
                    "more than {} events in one member; {n} later events not kept",
                    limits.max_events_per_member
                ),
            )
            .at(offset),
        );
    }
    if let Some((offset, n)) = log.bad_times {
        st.warnings.push(
            Warning::new(
                path,
                format!(
                    "{n} record(s) with a time out of range (before year 1 or past 9999); read as untimed"
                ),
            )
            .at(offset),
        );
    }
    st.stats.records += log.count;
    if log.headed > 0 {
        st.recognised += 1;
    }
    st.stats.spans.push(log.span);
    st.hits.extend(log.hits);
    let room = limits.max_events_total.saturating_sub(st.events.len());
    let mut events = log.events;
    if events.len() > room {
        let n = events.len() - room;
        let at = events[room].event.first_offset;
        events.truncate(room);
        st.warnings.push(
            Warning::new(
                path,
                format!(
                    "more than {} events in the bundle; {n} events of this member not kept",
                    limits.max_events_total
                ),
            )
            .at(at),
        );
    }
    st.events.extend(events);
    let idx = log.span.member;
    if let Some(r) = log.records {
        st.held.commit(idx, r);
    }
    st.member_slot(idx).clock.merge(log.clock);
    for a in dumps {
        if a.goroutines == 0 {
            st.warnings.push(unread_dump(path));
        } else {
            st.dumps.push((idx, path.to_string(), a));
        }
    }
}

/// Analyses a log member in one pass.
pub(super) fn analyse_whole(
    engine: &Engine,
    limits: &Limits,
    idx: usize,
    format: Format,
    data: &[u8],
    records: Option<&RecordSpec>,
) -> LogOut {
    let mut scan = engine.scan(data);
    let mut held = records.map(Collector::new);
    let mut years = YearTracker::new();
    let mut asm = EventAssembler::new();
    let mut events: Vec<(Event, u16)> = Vec::new();
    let mut boot: Vec<(RawTime, u16, u64)> = Vec::new();
    let mut count = 0u64;
    let mut headed = 0u64;
    let mut first = None;
    let mut last = None;
    let mut cut_line: Option<u64> = None;
    let mut bad_times: Option<(u64, u64)> = None;
    let mut dropped_events: Option<(u64, u64)> = None;
    let mut tail: Option<(Event, u16)> = None;
    for mut rec in parse::records(format, data) {
        if rec.raw.len() > limits.max_line_bytes {
            cut_line.get_or_insert(rec.offset);
            cut_record(&mut rec, limits.max_line_bytes);
        }
        let epoch = years.observe(&rec.time);
        count += 1;
        if out_of_range(&rec) {
            bad_times.get_or_insert((rec.offset, 0)).1 += 1;
        }
        headed += u64::from(is_headed(&rec));
        if !matches!(rec.time, RawTime::None) {
            if first.is_none() {
                first = Some((rec.time, epoch));
            }
            last = Some((rec.time, epoch));
        }
        scan.record(&rec, epoch);
        if let Some(h) = &mut held {
            h.record(&rec, epoch);
        }
        if let Some(ev) = asm.push(&rec) {
            if events.len() < limits.max_events_per_member {
                events.push((ev, epoch));
            } else {
                dropped_events.get_or_insert((rec.offset, 0)).1 += 1;
                tail = Some((ev, epoch));
            }
        }
        if rec.source == Source::Kernel
            && boot.len() < 8
            && !matches!(rec.time, RawTime::Monotonic(_) | RawTime::None)
        {
            if let Some(mono) = parse::dmesg::kernel_mono(rec.message) {
                boot.push((rec.time, epoch, mono));
            }
        }
    }
    for ev in asm.finish() {
        if events.len() < limits.max_events_per_member {
            events.push((ev, years.epoch()));
        } else {
            dropped_events.get_or_insert((data.len() as u64, 0)).1 += 1;
            tail = Some((ev, years.epoch()));
        }
    }
    // Past the limit, the last event is kept too (it bounds the time of what was seen).
    if let Some(t) = tail {
        if events.len() > 1 {
            events.pop();
            events.push(t);
        } else {
            events.push(t);
            super::chunk::unkeep(&mut dropped_events);
        }
    }
    let summary = years.finish();
    let clock = clock_hints(last, boot, summary);
    let hits = scan.finish(data, idx, summary);
    let events: Vec<PendingEvent> = events
        .into_iter()
        .map(|(event, epoch)| {
            let lines = event_lines(data, &event);
            PendingEvent {
                event,
                member: idx,
                epoch,
                years: summary,
                lines,
            }
        })
        .collect();
    LogOut {
        count,
        span: Span {
            member: idx,
            first,
            last,
            years: summary,
        },
        hits,
        events,
        clock,
        cut_line,
        bad_times,
        dropped_events,
        headed,
        records: held.map(Collector::finish),
    }
}

/// What the first bytes of a log member state about the clock: the `journalctl` header
/// (`-- Logs begin at … --`, `-- Journal begins at … --`).
pub(super) fn head_hints(state: &Mutex<State>, input: usize, path: &str, head: &[u8]) {
    if head.starts_with(b"-- ") {
        let head = &head[..head.len().min(4096)];
        lock(state).slot(input).clock.add_journal_header(path, head);
    }
}

/// True when the record states a time that is out of range (read as untimed): epoch seconds or
/// microseconds past year 9999 (`18446744073709551615.000000`,
/// `__REALTIME_TIMESTAMP=9223372036854775807`), an ISO time past 9999 or before year 1 once its
/// offset applies. Untimed records state no time text, so this costs nothing on them.
pub(super) fn out_of_range(rec: &Record<'_>) -> bool {
    matches!(rec.time, RawTime::None)
        && !rec.time_text.is_empty()
        && crate::base::time::out_of_range(rec.time_text)
}

/// True when a grammar read the record's header: it states a time or who wrote it. Pasted text
/// of which no line is headed is no log.
pub(super) fn is_headed(rec: &Record<'_>) -> bool {
    !matches!(rec.time, RawTime::None) || !rec.ident.is_empty()
}

/// What a log member tells about the clock: its newest absolute time (a fallback anchor) and
/// its kernel lines carrying both a wall time and a monotonic stamp (boot time).
pub(super) fn clock_hints(
    last: Option<(RawTime, u16)>,
    boot: Vec<(RawTime, u16, u64)>,
    years: YearSummary,
) -> ClockBuilder {
    let mut clock = ClockBuilder::new();
    match last {
        Some((RawTime::Utc(ts), _)) => clock.observe_absolute(ts),
        Some((RawTime::Local(t), _)) if t.year.is_some() => clock.observe_local(t),
        _ => {}
    }
    for (wall, epoch, mono) in boot {
        clock.add_boot_hint(BootHint {
            wall,
            epoch,
            years,
            mono,
        });
    }
    clock
}

/// Cuts a record whose line is longer than `max` bytes: its raw text and message end at the
/// `max`-th byte of the record (fields past it become empty).
pub(super) fn cut_record(rec: &mut Record<'_>, max: usize) {
    let raw = rec.raw;
    let keep = raw.get(..max).unwrap_or(raw);
    let end = keep.as_ptr() as usize + keep.len();
    let clip = |f: &[u8]| -> usize {
        let start = f.as_ptr() as usize;
        if start >= end {
            0
        } else {
            f.len().min(end - start)
        }
    };
    let m = clip(rec.message);
    rec.message = rec.message.get(..m).unwrap_or_default();
    rec.raw = keep;
}

/// True when a log member carries a goroutine dump: two goroutine headers, or one with frames
/// ([`parse::goroutine::embedded`]).
pub(super) fn embedded_dump(data: &[u8]) -> bool {
    parse::goroutine::embedded(data)
}

/// True when `data` has at least `n` goroutine headers (`goroutine 12 [`).
pub(super) fn goroutine_headers(data: &[u8], n: usize) -> bool {
    let mut seen = 0;
    for i in memchr::memmem::find_iter(data, b"goroutine ") {
        let rest = &data[i + 10..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && rest.get(digits..digits + 2) == Some(b" [") {
            seen += 1;
            if seen >= n {
                return true;
            }
        }
    }
    false
}

/// True when the records of a log chunk may go on with a goroutine dump from the chunk before:
/// a goroutine header, or a frame's file line (`\t/path/file.go:123 +0x45`) among its first
/// two records.
pub(super) fn dump_continues(format: Format, data: &[u8]) -> bool {
    goroutine_headers(data, 1)
        || parse::records(format, data)
            .take(2)
            .any(|r| r.message.first() == Some(&b'\t'))
}

/// The text of an event's telling lines, read from the member.
pub(super) fn event_lines(data: &[u8], event: &Event) -> Vec<(u32, String)> {
    let mut wanted: Vec<u32> = event.lines.clone();
    wanted.sort_unstable();
    wanted.dedup();
    wanted.truncate(6);
    let mut out = Vec::new();
    let start = (event.first_offset as usize).min(data.len());
    let mut line_no = event.first_line;
    let mut pos = start;
    for want in wanted {
        while line_no < want && pos < data.len() {
            match memchr::memchr(b'\n', &data[pos..]) {
                Some(i) => pos += i + 1,
                None => pos = data.len(),
            }
            line_no += 1;
        }
        if line_no != want || pos >= data.len() {
            continue;
        }
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        let text = String::from_utf8_lossy(&data[pos..end.min(pos + 400)])
            .trim_end()
            .to_string();
        out.push((want, text));
    }
    out
}
