//! Log members read from a stream (a decompressed file, an archive member) in pieces: each
//! piece is cut at a record start and analysed as a chunk while the walker decompresses the
//! next, so that a large member is never held whole and its analysis overlaps decompression.
//!
//! ```text
//!  walker ──piece──▶ held = [warm-up tail | new bytes …]   cut at the last record start
//!                      chunk k = [tail | own] ──(+ look-ahead from chunk k+1)──▶ rayon
//!                      every chunk done and the member sealed ──▶ chunk::merge ──▶ State
//! ```

use std::sync::{Arc, Mutex};

use super::chunk::{ChunkAt, ChunkOut, OVERLAP, Stitch, analyse_chunk, merge};
use super::driver::{Dispatch, Split, State, lock};
use super::member::{commit_log, dump_continues, embedded_analysis, embedded_dump};
use super::records::{RecordSpec, Records};
use crate::base::Format;
use crate::input::{self, Limits, Member};
use crate::parse::boundary;

/// Bytes the walker reads before handing a piece over.
pub(super) const PIECE: usize = 16 << 20;
/// Held bytes without any record start beyond which a chunk is cut at a line end anyway (one
/// record that long is cut in two; its lines are all still read).
const MAX_HELD: usize = 4 * PIECE;

/// Buffers of analysed chunks, reused for the next pieces: a piece buffer freshly allocated
/// costs a page fault per 4 KiB.
#[derive(Default)]
pub(super) struct Pool(Mutex<Vec<Vec<u8>>>);

impl Pool {
    /// Most buffers kept.
    const KEEP: usize = 3;

    /// A buffer with room for at least `n` bytes.
    pub(super) fn get(&self, n: usize) -> Vec<u8> {
        let mut buf = lock(&self.0).pop().unwrap_or_default();
        buf.clear();
        buf.reserve(n);
        buf
    }

    /// Gives a buffer back.
    pub(super) fn put(&self, buf: Vec<u8>) {
        let mut free = lock(&self.0);
        if free.len() < Self::KEEP && buf.capacity() >= PIECE / 2 {
            free.push(buf);
        }
    }
}

/// A member being read in pieces.
pub(super) struct Stream {
    format: Format,
    /// Bytes received and not yet in a chunk, after `tail_len` bytes of warm-up (the end of the
    /// previous chunk).
    held: Vec<u8>,
    tail_len: usize,
    /// Member offset of `held[0]`.
    held_at: u64,
    /// The last chunk cut, waiting for the start of the next as its look-ahead.
    pending: Option<(Vec<u8>, ChunkAt)>,
    /// Chunks handed to the pool.
    chunks: usize,
    merge: Arc<Merge>,
    /// No more of this member is analysed (the time budget is spent).
    closed: bool,
    /// Warm-up and look-ahead bytes of each chunk.
    overlap: usize,
}

/// The own bytes of a chunk of a streamed log with goroutine dump lines.
struct DumpPart {
    bytes: Vec<u8>,
    /// The chunk has a dump of its own (two goroutine headers or more).
    starts: bool,
    /// The chunk may go on with a dump from the chunk before: a goroutine header, or a frame
    /// line among its first records.
    continues: bool,
}

impl DumpPart {
    /// The dump lines of a chunk's own bytes, if it has any.
    fn of(format: Format, own: &[u8]) -> Option<DumpPart> {
        let starts = embedded_dump(own);
        let continues = starts || dump_continues(format, own);
        continues.then(|| DumpPart {
            bytes: own.to_vec(),
            starts,
            continues,
        })
    }
}

/// Collects the chunks of one streamed member as they finish; the last to arrive stitches them.
struct Merge {
    path: String,
    idx: usize,
    slots: Mutex<Slots>,
    /// What the timeline holds, when one is built.
    spec: Option<RecordSpec>,
}

#[derive(Default)]
struct Slots {
    outs: Vec<Option<ChunkOut>>,
    /// Own bytes of the chunks with goroutine dump lines, analysed together at the end.
    dumps: Vec<(usize, DumpPart)>,
    done: usize,
    /// Number of chunks, once the member's last piece was cut.
    sealed: Option<usize>,
    committed: bool,
    /// The timeline records of the chunks done without a gap from the first, stitched into the
    /// member as they come (the others wait in their chunk): the member holds one set, not one
    /// per chunk. The stitch and the next chunk to take.
    held: Records,
    stitch: Stitch,
    next: usize,
}

impl Merge {
    fn done(
        &self,
        chunk: usize,
        out: ChunkOut,
        dump: Option<DumpPart>,
        state: &Mutex<State>,
        limits: &Limits,
    ) {
        let mut slots = lock(&self.slots);
        if slots.outs.len() <= chunk {
            slots.outs.resize_with(chunk + 1, || None);
        }
        slots.outs[chunk] = Some(out);
        super::chunk::trim_events(&mut slots.outs, limits.max_events_per_member);
        slots.dumps.extend(dump.map(|d| (chunk, d)));
        if let Some(spec) = &self.spec {
            let Slots {
                outs,
                held,
                stitch,
                next,
                ..
            } = &mut *slots;
            stitch.take_records(outs, next, held, spec);
        }
        slots.done += 1;
        self.commit_if_complete(&mut slots, state, limits);
    }

    fn seal(&self, chunks: usize, state: &Mutex<State>, limits: &Limits) {
        let mut slots = lock(&self.slots);
        slots.sealed = Some(chunks);
        self.commit_if_complete(&mut slots, state, limits);
    }

    fn commit_if_complete(&self, slots: &mut Slots, state: &Mutex<State>, limits: &Limits) {
        if slots.committed || slots.sealed != Some(slots.done) {
            return;
        }
        slots.committed = true;
        let outs: Vec<ChunkOut> = std::mem::take(&mut slots.outs)
            .into_iter()
            .flatten()
            .collect();
        let mut parts = std::mem::take(&mut slots.dumps);
        parts.sort_by_key(|(chunk, _)| *chunk);
        // The dump's lines at their lines in the member, as one pass reads them: the chunks
        // without dump lines before and between are blank lines (which also end a goroutine, as
        // their log lines would).
        let mut text = Vec::new();
        let mut at = 0;
        for (chunk, part) in parts {
            // A part is of the dump when it starts one or goes on from the chunk before.
            if !(part.starts || (part.continues && at == chunk && !text.is_empty())) {
                continue;
            }
            for o in outs.get(at..chunk).unwrap_or_default() {
                text.resize(text.len() + o.own_newlines() as usize, b'\n');
            }
            text.extend_from_slice(&part.bytes);
            at = chunk + 1;
        }
        let held = std::mem::take(&mut slots.held);
        let log = merge(
            outs,
            limits,
            self.idx,
            self.spec.as_ref().map(|spec| (spec, held)),
        );
        let dumps = embedded_analysis(&text).into_iter().collect();
        drop(text);
        commit_log(state, limits, &self.path, log, dumps);
    }
}

/// Handles one piece from the walker.
pub(super) fn piece<'s>(d: &mut Dispatch<'s, '_>, p: input::Piece) {
    if p.offset == 0 {
        d.stream = None;
        if p.last {
            // Small enough to arrive whole: analysed as any member.
            let member = Member {
                path: p.path,
                input: p.input,
                data: input::Data::Owned(p.data),
                format: p.format,
                truncated: p.truncated,
                mtime: p.mtime,
            };
            return input::Sink::member(d, member);
        }
        if !d.in_time(&p.path, None) {
            return;
        }
        super::member::head_hints(d.state, p.input, &p.path, &p.data);
        let idx = {
            let mut st = lock(d.state);
            st.stats.members += 1;
            let idx = st.push_member(&p.path, p.input);
            let clock = &mut st.member_slot(idx).clock;
            clock.add_member_name(&p.path);
            if let Some(t) = p.mtime {
                clock.add_mtime(&p.path, t);
            }
            idx
        };
        d.progress(1, 0);
        d.stream = Some(Stream {
            format: p.format,
            held: Vec::new(),
            tail_len: 0,
            held_at: 0,
            pending: None,
            chunks: 0,
            merge: Arc::new(Merge {
                path: p.path.clone(),
                idx,
                slots: Mutex::new(Slots::default()),
                spec: d.records.cloned(),
            }),
            closed: false,
            overlap: match d.split {
                Split::Stream { overlap, .. } => overlap,
                _ => OVERLAP,
            },
        });
    }
    let Some(mut s) = d.stream.take() else {
        return;
    };
    if s.closed {
        if !p.last {
            d.stream = Some(s);
        }
        return;
    }
    if !d.in_time(&p.path, Some(p.offset)) {
        // What was cut so far is reported; the rest of the member is not analysed.
        if let Some((buf, at)) = s.pending.take() {
            spawn(d, &mut s, buf, at);
        }
        s.merge.seal(s.chunks, d.state, d.limits);
        s.closed = true;
        if !p.last {
            d.stream = Some(s);
        }
        return;
    }
    lock(d.state).stats.bytes += p.data.len() as u64;
    d.progress(0, p.data.len() as u64);
    if s.held.is_empty() {
        s.held = p.data;
    } else {
        s.held.extend_from_slice(&p.data);
        d.pool.put(p.data);
    }
    let cut = if p.last {
        Some(s.held.len())
    } else {
        boundary::last_cut(s.format, &s.held[s.tail_len..], MAX_HELD).map(|c| s.tail_len + c)
    };
    // A chunk's warm-up comes from the chunk before it and its look-ahead from the one after:
    // only chunks of at least `overlap` own bytes give every chunk a full warm-up and look-ahead
    // (smaller pieces are held until they add up).
    if let Some(cut) = cut.filter(|&c| c > s.tail_len && (p.last || c - s.tail_len >= s.overlap)) {
        cut_chunk(d, &mut s, cut);
    }
    if p.last {
        if let Some((buf, at)) = s.pending.take() {
            spawn(d, &mut s, buf, at);
        }
        s.merge.seal(s.chunks, d.state, d.limits);
    } else {
        d.stream = Some(s);
    }
}

/// Makes `held[..cut]` the next chunk: the chunk before it gets its look-ahead and goes to the
/// pool; the new one waits for its own look-ahead; the held bytes keep its end as warm-up.
fn cut_chunk<'s>(d: &mut Dispatch<'s, '_>, s: &mut Stream, cut: usize) {
    let own = s.tail_len..cut;
    if let Some((mut buf, at)) = s.pending.take() {
        let ahead = look_ahead(&s.held[own.clone()], s.overlap);
        buf.extend_from_slice(ahead);
        spawn(d, s, buf, at);
    }
    // The next chunk's warm-up: the last `overlap` bytes of this one, from a line start.
    let mut tail_start = cut.saturating_sub(s.overlap).max(own.start);
    if tail_start > own.start {
        tail_start =
            memchr::memchr(b'\n', &s.held[tail_start..cut]).map_or(cut, |i| tail_start + i + 1);
    }
    let mut next = d
        .pool
        .get(PIECE + (cut - tail_start) + (s.held.len() - cut));
    next.extend_from_slice(&s.held[tail_start..]);
    let mut buf = std::mem::replace(&mut s.held, next);
    buf.truncate(cut);
    let at = ChunkAt {
        origin: s.held_at,
        start: own.start,
        end: cut,
        overlap: s.overlap,
    };
    s.pending = Some((buf, at));
    s.held_at += tail_start as u64;
    s.tail_len = cut - tail_start;
}

/// The start of the next chunk that the chunk before it reads past its end: `overlap` bytes,
/// then to the end of that line.
fn look_ahead(next: &[u8], overlap: usize) -> &[u8] {
    if next.len() <= overlap {
        return next;
    }
    let end = memchr::memchr(b'\n', &next[overlap..]).map_or(next.len(), |i| overlap + i + 1);
    &next[..end]
}

/// Hands a chunk to the pool, within the in-flight budget.
fn spawn<'s>(d: &mut Dispatch<'s, '_>, s: &mut Stream, buf: Vec<u8>, at: ChunkAt) {
    let chunk = s.chunks;
    s.chunks += 1;
    let size = buf.len() as u64;
    d.budget.take(size);
    let (engine, state, budget, limits, pool) = (d.engine, d.state, d.budget, d.limits, d.pool);
    let (merge, idx, format) = (Arc::clone(&s.merge), s.merge.idx, s.format);
    let records = d.records;
    d.scope.spawn(move |_| {
        let out = analyse_chunk(engine, limits, idx, format, &buf, at, records);
        // A goroutine dump written into the log (a Go crash, dockerd's SIGUSR1 dump in older
        // versions) may span many chunks: the own bytes of the chunks with dump lines are kept
        // and analysed as one dump when the member is complete (as a dump member would be).
        let dump = DumpPart::of(format, &buf[at.start..at.end]);
        pool.put(buf);
        budget.give(size);
        merge.done(chunk, out, dump, state, limits);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which chunks of a journal are kept for an embedded dump: two headers start one; a
    /// chunk that opens on the frames of a goroutine cut at the boundary goes on with it; a
    /// chunk of kubelet lines (`kubelet.go:1913]` is no frame) is not kept.
    #[test]
    fn dump_parts_of_journal_chunks() {
        let p = "Dec 09 15:42:07 node-1 dockerd[4085]: ";
        let starts = format!(
            "{p}goroutine 1 [running]:\n{p}main.main()\n{p}\t/go/src/main.go:10 +0x1d\n{p}\n{p}goroutine 7 [semacquire, 28 minutes]:\n{p}sync.runtime_SemacquireMutex(0xc000478afc, 0x0, 0x1)\n"
        );
        let cont = format!(
            "{p}\t/usr/local/go/src/runtime/sema.go:71 +0x47\n{p}sync.(*Mutex).lockSlow(0xc000478af8)\n{p}\t/usr/local/go/src/sync/mutex.go:138 +0x105\n"
        );
        let kubelet = "Dec 09 15:42:08 node-1 kubelet[1204]: I1209 15:42:08.000001    1204 kubelet.go:1913] SyncLoop (PLEG): \"pod-1\", event: ContainerStarted\n";
        let part = |t: &str| {
            DumpPart::of(Format::JournalShort, t.as_bytes()).map(|d| (d.starts, d.continues))
        };
        assert_eq!(part(&starts), Some((true, true)));
        assert_eq!(part(&cont), Some((false, true)));
        assert_eq!(part(&format!("{kubelet}{cont}")), Some((false, true)));
        assert_eq!(part(&format!("{kubelet}{kubelet}{cont}")), None);
        assert_eq!(part(&kubelet.repeat(50)), None);
    }
}
