//! Large log members in chunks: cut at record starts, analysed in parallel (or as their pieces
//! arrive from a stream), and stitched into exactly what one pass over the member gives.
//!
//! A chunk is analysed with a warm-up before its start and a look-ahead after its end, so that
//! events spanning a boundary (an OOM report, a Go crash) are assembled whole; only what starts
//! inside the chunk's own bytes is kept. Line numbers are made absolute by counting the newlines
//! of the chunks before; year wraps of yearless times are continued from chunk to chunk.

use super::driver::Deadline;
use super::member::{
    LogOut, PendingEvent, Span, clock_hints, cut_record, event_lines, is_headed, out_of_range,
};
use super::records::{Collector, RecordSpec, Records};
use crate::base::time::RawTime;
use crate::base::{Format, Source};
use crate::input::Limits;
use crate::model::event::{Event, EventAssembler};
use crate::model::time::{YearSummary, YearTracker};
use crate::parse;
pub(super) use crate::parse::boundary::{chunkable, record_start_from};
use crate::rules::engine::{ChunkHits, Engine, merge_chunks};

/// Log members at least this large are analysed in chunks on several threads.
pub(super) const CHUNK_MIN: usize = 16 << 20;
/// Preferred chunk size of large members.
pub(super) const CHUNK_TARGET: usize = 64 << 20;
/// Most chunks of one member.
pub(super) const MAX_CHUNKS: usize = 64;
/// Bytes of records a chunk's event assembler sees before its start and after its end, so that
/// multi-record reports (OOM kills, hung tasks, Go crashes) crossing a boundary are assembled
/// as in one pass. Reports spanning more than this are not expected in real logs.
pub(super) const OVERLAP: usize = 1 << 20;

/// Chunk boundaries `0 = b0 < b1 < … < len`, each at a record start.
pub(super) fn chunk_bounds(format: Format, data: &[u8], chunks: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    for i in 1..chunks {
        let target = (data.len() as u128 * i as u128 / chunks as u128) as usize;
        if let Some(b) = record_start_from(format, data, target) {
            if b > *bounds.last().unwrap_or(&0) && b < data.len() {
                bounds.push(b);
            }
        }
    }
    bounds.push(data.len());
    bounds
}

/// An event of a chunk: position of the record that returned it, the event, its epoch and its
/// evidence lines.
type ChunkEvent = (u64, Event, u16, Vec<(u32, String)>);

/// What one chunk gave, with line numbers relative to its warm-up start and epochs relative to
/// its own start.
pub(super) struct ChunkOut {
    /// Member offset of the warm-up start.
    warm_start: u64,
    /// Newlines between the warm-up start and the chunk's start / end.
    nl_warm: u64,
    nl_to_end: u64,
    count: u64,
    headed: u64,
    first: Option<(RawTime, u16)>,
    last: Option<(RawTime, u16)>,
    boot: Vec<(RawTime, u16, u64)>,
    events: Vec<ChunkEvent>,
    hits: Vec<ChunkHits>,
    /// Year epoch at the chunk's end, counted from 0 at its start.
    epoch_end: u16,
    /// Month of the chunk's first yearless time: a wrap at the boundary shows against the
    /// last yearless month before the chunk.
    first_month: Option<u8>,
    last_month_day: Option<(u8, u8)>,
    /// Member offset of the chunk's first record longer than the line limit.
    cut_line: Option<u64>,
    /// Events of the chunk over the per-member limit: first emitter position, count.
    dropped: Option<(u64, u64)>,
    /// Records of the chunk whose stated time is out of range: first offset, count.
    bad_times: Option<(u64, u64)>,
    /// What the chunk holds for the timeline (lines and epochs relative as above), until its
    /// member takes it ([`Stitch`]).
    pub(super) records: Option<Records>,
}

impl ChunkOut {
    /// Newlines in the chunk's own bytes.
    pub(super) fn own_newlines(&self) -> u64 {
        self.nl_to_end - self.nl_warm
    }
}

/// Where a chunk lies: `data[start..end]` are its own bytes, the rest of `data` its warm-up and
/// look-ahead, and `data[0]` is at member offset `origin`.
#[derive(Clone, Copy, Debug)]
pub(super) struct ChunkAt {
    pub origin: u64,
    pub start: usize,
    pub end: usize,
    pub overlap: usize,
}

/// Analyses one chunk of a log member (see [`ChunkAt`]). The year tracker starts at the chunk's
/// own start; warm-up records only feed the event assembler.
pub(super) fn analyse_chunk(
    engine: &Engine,
    limits: &Limits,
    idx: usize,
    format: Format,
    data: &[u8],
    at: ChunkAt,
    records: Option<&RecordSpec>,
) -> ChunkOut {
    let ChunkAt {
        origin,
        start,
        end,
        overlap,
    } = at;
    let ws = if start == 0 {
        0
    } else {
        record_start_from(format, data, start.saturating_sub(overlap))
            .filter(|&w| w <= start)
            .unwrap_or(start)
    };
    let we = if end >= data.len() {
        data.len()
    } else {
        record_start_from(format, data, end.saturating_add(overlap).min(data.len()))
            .unwrap_or(data.len())
            .max(end)
    };
    let ext = &data[ws..we];
    let (own_start, own_end) = ((start - ws) as u64, (end - ws) as u64);
    let mut scan = engine.scan(ext);
    let mut years = YearTracker::new();
    let mut asm = EventAssembler::new();
    let mut out = ChunkOut {
        warm_start: origin + ws as u64,
        nl_warm: memchr::memchr_iter(b'\n', &ext[..start - ws]).count() as u64,
        nl_to_end: 0,
        count: 0,
        headed: 0,
        first: None,
        last: None,
        boot: Vec::new(),
        events: Vec::new(),
        hits: Vec::new(),
        epoch_end: 0,
        first_month: None,
        last_month_day: None,
        cut_line: None,
        dropped: None,
        bad_times: None,
        records: None,
    };
    let mut held = records.map(Collector::new);
    let mut raw_events: Vec<(u64, Event, u16)> = Vec::new();
    let mut in_own = false;
    let mut done_own = false;
    let mut last_own: Option<(u64, u32)> = None;
    for mut rec in parse::records(format, ext) {
        if rec.raw.len() > limits.max_line_bytes {
            if rec.offset >= own_start && rec.offset < own_end {
                out.cut_line.get_or_insert(out.warm_start + rec.offset);
            }
            cut_record(&mut rec, limits.max_line_bytes);
        }
        in_own |= rec.offset >= own_start;
        if in_own && !done_own && rec.offset >= own_end {
            done_own = true;
            out.epoch_end = years.epoch();
            out.last_month_day = years.finish().last_month_day;
        }
        let own = in_own && !done_own;
        let epoch = if in_own { years.observe(&rec.time) } else { 0 };
        if own {
            out.count += 1;
            out.headed += u64::from(is_headed(&rec));
            last_own = Some((rec.offset, rec.line));
            if out_of_range(&rec) {
                out.bad_times
                    .get_or_insert((out.warm_start + rec.offset, 0))
                    .1 += 1;
            }
            if let RawTime::Local(l) = rec.time {
                if l.year.is_none() && out.first_month.is_none() {
                    out.first_month = Some(l.month);
                }
            }
            if !matches!(rec.time, RawTime::None) {
                if out.first.is_none() {
                    out.first = Some((rec.time, epoch));
                }
                out.last = Some((rec.time, epoch));
            }
            scan.record(&rec, epoch);
            if let Some(h) = &mut held {
                h.record(&rec, epoch);
            }
            if rec.source == Source::Kernel
                && out.boot.len() < 8
                && !matches!(rec.time, RawTime::Monotonic(_) | RawTime::None)
            {
                if let Some(mono) = parse::dmesg::kernel_mono(rec.message) {
                    out.boot.push((rec.time, epoch, mono));
                }
            }
        }
        if let Some(ev) = asm.push(&rec) {
            raw_events.push((rec.offset, ev, epoch));
        }
    }
    if !done_own {
        out.epoch_end = years.epoch();
        out.last_month_day = years.finish().last_month_day;
    }
    for ev in asm.finish() {
        raw_events.push((u64::MAX, ev, years.epoch()));
    }
    // Newlines from the warm-up start to the chunk's end, from its last record on.
    out.nl_to_end = match last_own {
        Some((off, line)) => {
            u64::from(line.saturating_sub(1))
                + memchr::memchr_iter(b'\n', &ext[off as usize..own_end as usize]).count() as u64
        }
        None => memchr::memchr_iter(b'\n', &ext[..own_end as usize]).count() as u64,
    };
    let rest = &data[ws..];
    // The first events up to the limit and the chunk's last one are kept (the last one bounds
    // the time of what was seen); the others are counted.
    let mut tail: Option<(u64, Event, u16)> = None;
    for (pos, ev, epoch) in raw_events {
        if (own_start..own_end).contains(&ev.first_offset) {
            let pos = pos.min(ext.len() as u64).saturating_add(out.warm_start);
            if out.events.len() >= limits.max_events_per_member {
                out.dropped.get_or_insert((pos, 0)).1 += 1;
                tail = Some((pos, ev, epoch));
                continue;
            }
            let lines = event_lines(rest, &ev);
            out.events.push((pos, ev, epoch, lines));
        }
    }
    if let Some((pos, ev, epoch)) = tail {
        let lines = event_lines(rest, &ev);
        out.events.push((pos, ev, epoch, lines));
        unkeep(&mut out.dropped);
    }
    out.hits = scan.finish_chunk(ext, idx, YearSummary::default());
    out.records = held.map(Collector::finish);
    out
}

/// Where the chunks of a member stand once those before are stitched: lines before the next
/// chunk, its base year epoch, the last yearless month and day seen. [`merge`] stitches every
/// chunk with it; a streamed member's timeline records are stitched with it as soon as the
/// chunks before theirs are done ([`Stitch::take_records`]), so that a member holds one set.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Stitch {
    lines_before: u64,
    base: u16,
    last_month_day: Option<(u8, u8)>,
}

impl Stitch {
    /// Enters chunk `o`: a wrap at the boundary (its first yearless time against the last one
    /// before it, as a single tracker would see them) moves the base.
    fn enter(&mut self, o: &ChunkOut) {
        if let (Some((prev, _)), Some(month)) = (self.last_month_day, o.first_month) {
            if month + 6 < prev {
                self.base = self.base.saturating_add(1);
            }
        }
    }

    /// A line of the chunk entered (relative to its warm-up start, which `nl_warm` newlines
    /// precede its own bytes) in the member.
    fn line(&self, nl_warm: u64, l: u32) -> u32 {
        let abs = u64::from(l) + self.lines_before - nl_warm;
        u32::try_from(abs).unwrap_or(u32::MAX)
    }

    /// An epoch of the chunk entered, in the member.
    fn epoch(&self, e: u16) -> u16 {
        self.base.saturating_add(e)
    }

    /// Leaves chunk `o` for the next.
    fn leave(&mut self, o: &ChunkOut) {
        if o.last_month_day.is_some() {
            self.last_month_day = o.last_month_day;
        }
        self.lines_before += o.nl_to_end - o.nl_warm;
        self.base = self.epoch(o.epoch_end);
    }

    /// Takes the timeline records of the done chunks from `next` on, in order, into `into`.
    pub(super) fn take_records(
        &mut self,
        outs: &mut [Option<ChunkOut>],
        next: &mut usize,
        into: &mut Records,
        spec: &RecordSpec,
    ) {
        while let Some(Some(o)) = outs.get_mut(*next) {
            self.enter(o);
            if let Some(mut r) = o.records.take() {
                let nl_warm = o.nl_warm;
                r.shift(|l| self.line(nl_warm, l), |e| self.epoch(e));
                into.absorb(r, spec);
            }
            self.leave(o);
            *next += 1;
        }
    }
}

/// Takes back the count of one event not kept (it was kept after all, as the last one).
pub(super) fn unkeep(dropped: &mut Option<(u64, u64)>) {
    if let Some((_, n)) = dropped {
        *n -= 1;
        if *n == 0 {
            *dropped = None;
        }
    }
}

/// Bounds the events the finished chunks of a streamed member hold while later chunks are read:
/// in chunk order, the first `max` events are kept, and of each chunk past them only its last
/// one; the others are counted as not kept. Chunks still missing are skipped (their events,
/// earlier in the member, may trim the later ones again when they arrive).
pub(super) fn trim_events(outs: &mut [Option<ChunkOut>], max: usize) {
    let mut kept = 0usize;
    for o in outs.iter_mut().flatten() {
        let room = max.saturating_sub(kept);
        if o.events.len() > room.max(1) {
            let last = o.events.len() - 1;
            let cut = room.min(last);
            let n = (last - cut) as u64;
            if n > 0 {
                let pos = o.events[cut].0;
                let d = o.dropped.get_or_insert((pos, 0));
                d.0 = d.0.min(pos);
                d.1 += n;
                o.events.drain(cut..last);
            }
        }
        kept += o.events.len();
    }
}

/// Analyses a log member in chunks on the rayon pool and stitches the results. Chunks not
/// started before the deadline are not analysed: the member is then reported up to the first
/// of them, whose offset is returned with the result.
#[allow(clippy::too_many_arguments)]
pub(super) fn analyse_chunked(
    engine: &Engine,
    limits: &Limits,
    idx: usize,
    format: Format,
    data: &[u8],
    bounds: &[usize],
    overlap: usize,
    deadline: &Deadline,
    records: Option<&RecordSpec>,
) -> (LogOut, Option<u64>) {
    use rayon::prelude::*;
    let outs: Vec<Option<ChunkOut>> = bounds
        .windows(2)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|w| {
            let at = ChunkAt {
                origin: 0,
                start: w[0],
                end: w[1],
                overlap,
            };
            (!deadline.passed())
                .then(|| analyse_chunk(engine, limits, idx, format, data, at, records))
        })
        .collect();
    let done = outs.iter().take_while(|o| o.is_some()).count();
    let stopped = (done < outs.len()).then(|| bounds[done] as u64);
    let held = records.map(|spec| (spec, Records::default()));
    let log = merge(outs.into_iter().map_while(|o| o), limits, idx, held);
    (log, stopped)
}

/// Stitches the chunks of one member, in member order, into what one pass gives: absolute
/// line numbers and offsets, year epochs continued across chunks (a wrap at a boundary
/// included), first hits from the earliest chunk and last from the latest, events in the
/// order of the records that return them, within the member's event limit. `held` is the
/// timeline's spec with the records already taken from the first chunks (their `records` are
/// then `None`).
pub(super) fn merge(
    outs: impl IntoIterator<Item = ChunkOut>,
    limits: &Limits,
    idx: usize,
    held: Option<(&RecordSpec, Records)>,
) -> LogOut {
    let mut count = 0;
    let mut headed = 0;
    let mut first = None;
    let mut last = None;
    let mut boot: Vec<(RawTime, u16, u64)> = Vec::new();
    let mut events: Vec<(u64, usize, PendingEvent)> = Vec::new();
    let mut hit_parts = Vec::new();
    let mut at = Stitch::default();
    let (spec, mut records) = match held {
        Some((spec, r)) => (Some(spec), Some(r)),
        None => (None, None),
    };
    let mut cut_line: Option<u64> = None;
    let mut bad_times: Option<(u64, u64)> = None;
    let mut dropped: Option<(u64, u64)> = None;
    for (ci, mut o) in outs.into_iter().enumerate() {
        at.enter(&o);
        let after = {
            let mut a = at;
            a.leave(&o);
            a
        };
        let nl_warm = o.nl_warm;
        if let (Some(spec), Some(into), Some(mut r)) = (spec, &mut records, o.records.take()) {
            r.shift(|l| at.line(nl_warm, l), |e| at.epoch(e));
            into.absorb(r, spec);
        }
        cut_line = cut_line.or(o.cut_line);
        if let Some((at, n)) = o.bad_times {
            bad_times.get_or_insert((at, 0)).1 += n;
        }
        if let Some((pos, n)) = o.dropped {
            let d = dropped.get_or_insert((pos, 0));
            d.0 = d.0.min(pos);
            d.1 += n;
        }
        let shift_line = |l: u32| at.line(nl_warm, l);
        let shift_epoch = |e: u16| at.epoch(e);
        count += o.count;
        headed += o.headed;
        if first.is_none() {
            first = o.first.map(|(t, e)| (t, shift_epoch(e)));
        }
        if let Some((t, e)) = o.last {
            last = Some((t, shift_epoch(e)));
        }
        boot.extend(o.boot.iter().map(|&(t, e, m)| (t, shift_epoch(e), m)));
        for (pos, mut event, epoch, lines) in o.events {
            event.first_line = shift_line(event.first_line);
            event.last_line = shift_line(event.last_line);
            event.first_offset += o.warm_start;
            for l in &mut event.lines {
                *l = shift_line(*l);
            }
            let lines = lines.into_iter().map(|(l, t)| (shift_line(l), t)).collect();
            events.push((
                pos,
                ci,
                PendingEvent {
                    event,
                    member: idx,
                    epoch: shift_epoch(epoch),
                    years: YearSummary::default(),
                    lines,
                },
            ));
        }
        let mut hits = o.hits;
        for c in &mut hits {
            let h = &mut c.hits.hits;
            for hit in h.first.iter_mut().chain(h.last.iter_mut()) {
                hit.line = shift_line(hit.line);
                hit.epoch = shift_epoch(hit.epoch);
            }
            for (_, e) in &mut h.times {
                *e = shift_epoch(*e);
            }
        }
        hit_parts.push(hits);
        at = after;
    }
    let summary = YearSummary {
        last_epoch: at.base,
        last_month_day: at.last_month_day,
    };
    boot.truncate(8);
    // One pass returns events in the order of the records that return them.
    events.sort_by_key(|(pos, ci, _)| (*pos, *ci));
    // The first events up to the limit less one, and the last one.
    let keep = limits.max_events_per_member.max(1);
    if events.len() > keep {
        let cut = keep - 1;
        let extra = (events.len() - keep) as u64;
        let pos = events[cut].0;
        let d = dropped.get_or_insert((pos, 0));
        d.0 = d.0.min(pos);
        d.1 += extra;
        events.drain(cut..events.len() - 1);
    }
    let events = events
        .into_iter()
        .map(|(_, _, mut p)| {
            p.years = summary;
            p
        })
        .collect();
    let clock = clock_hints(last, boot, summary);
    LogOut {
        count,
        span: Span {
            member: idx,
            first,
            last,
            years: summary,
        },
        hits: merge_chunks(hit_parts, summary),
        events,
        clock,
        cut_line,
        bad_times,
        dropped_events: dropped,
        headed,
        records,
    }
}
