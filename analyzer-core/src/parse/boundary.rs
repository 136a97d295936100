//! Where records start: the places a log can be cut so that every part parses as it would
//! within the whole (a header line, never a continuation line). Used to split large members
//! into chunks for parallel analysis and to cut streamed pieces.

use super::Format;
use crate::base::time::RawTime;

/// Line formats whose record boundaries can be found locally (a header line is never joined
/// to the record before): such a log can be cut into chunks analysed apart.
pub fn chunkable(format: Format) -> bool {
    format.is_journal_short()
        || matches!(
            format,
            Format::Syslog | Format::Dmesg | Format::Kmsg | Format::Klog | Format::Logrus
        )
}

/// True when a record with a header starts at the beginning of `rest` in any pass over the
/// member: its first line parses as a header and is not a continuation line.
fn record_starts(format: Format, rest: &[u8]) -> bool {
    let line = rest
        .get(..memchr::memchr(b'\n', rest).unwrap_or(rest.len()))
        .unwrap_or(rest);
    if super::lines::starts_with_blank(line) {
        return false;
    }
    if format == Format::Klog && !super::klog::is_header(line) {
        return false;
    }
    if format == Format::Dmesg && super::dmesg::header(line.get(..256).unwrap_or(line)).is_none() {
        return false;
    }
    super::records(format, rest)
        .next()
        .is_some_and(|r| r.offset == 0 && !matches!(r.time, RawTime::None))
}

/// The first record start at or after `at` (within a few thousand lines), if any.
pub fn record_start_from(format: Format, data: &[u8], at: usize) -> Option<usize> {
    if at == 0 {
        return Some(0);
    }
    let mut pos = match data.get(at - 1) {
        Some(b'\n') => at,
        Some(_) => at + memchr::memchr(b'\n', data.get(at..)?)? + 1,
        None => return None,
    };
    for _ in 0..4096 {
        let rest = data.get(pos..).filter(|r| !r.is_empty())?;
        if record_starts(format, rest) {
            return Some(pos);
        }
        pos += memchr::memchr(b'\n', rest)? + 1;
    }
    None
}

/// How far before the end of streamed bytes the last record start is looked for.
const CUT_SEARCH: usize = 64 << 10;

/// Where the bytes of a log received so far can be cut so that the part before stands alone:
/// a record start near the end (the first one in their last 64 KiB; none while they are
/// shorter than that, so that chunks stay large), or — once more than `force_after` bytes hold no
/// record start there (one enormous record) — after the last line end. `None`: wait for more.
/// The result is inside `data` (neither 0 nor its length).
pub fn last_cut(format: Format, data: &[u8], force_after: usize) -> Option<usize> {
    let from = data.len().saturating_sub(CUT_SEARCH);
    if let Some(c) = record_start_from(format, data, from).filter(|&c| c > 0 && c < data.len()) {
        return Some(c);
    }
    if data.len() > force_after {
        return memchr::memrchr(b'\n', data)
            .map(|i| i + 1)
            .filter(|&c| c < data.len());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// klog continuation lines (a multi-line `err="…"` value, kubelet 1.20 structured logging)
    /// and indented journal continuation lines are never record starts; the header after them is.
    #[test]
    fn starts_skip_continuation_lines() {
        let klog = b"I0820 10:25:54.123456    1204 kubelet.go:1913] \"SyncLoop (PLEG)\" err=<\n\tline one\n\tline two\n >\nE0820 10:25:55.000001    1204 kubelet.go:2000] done\n";
        let next = klog.windows(5).position(|w| w == b"E0820").unwrap();
        assert_eq!(record_start_from(Format::Klog, klog, 1), Some(next));
        let journal = b"Aug 20 10:25:54 node-1 dockerd[4085]: panic: boom\n                       goroutine 1 [running]:\nAug 20 10:25:55 node-1 systemd[1]: docker.service: main process exited\n";
        let next = journal
            .windows(15)
            .position(|w| w == b"Aug 20 10:25:55")
            .unwrap();
        assert_eq!(
            record_start_from(Format::JournalShort, journal, 5),
            Some(next)
        );
        assert_eq!(record_start_from(Format::JournalShort, journal, 0), Some(0));
        assert_eq!(
            record_start_from(Format::JournalShort, journal, journal.len()),
            None
        );
        assert!(chunkable(Format::Klog) && !chunkable(Format::JournalJson));
    }

    /// Streamed bytes are cut at a record start near their end; without one, only past `force_after`,
    /// after the last line end.
    #[test]
    fn last_cut_finds_a_record_start_near_the_end() {
        let journal = b"Aug 20 10:25:54 node-1 dockerd[4085]: panic: boom\n                       goroutine 1 [running]:\nAug 20 10:25:55 node-1 systemd[1]: docker.service: main process exited\nAug 20 10:2";
        assert_eq!(last_cut(Format::JournalShort, journal, usize::MAX), None);
        let mut long =
            b"Aug 20 10:25:53 node-1 systemd[1]: Started Session 1 of user root.\n".repeat(1100);
        let start = long.len();
        long.extend_from_slice(journal);
        let last = start
            + journal
                .windows(15)
                .position(|w| w == b"Aug 20 10:25:55")
                .unwrap();
        let first_in_window = long.len() - (64 << 10);
        let want = (first_in_window..long.len())
            .find(|&i| long[i - 1] == b'\n')
            .unwrap();
        assert!(want < last);
        assert_eq!(
            last_cut(Format::JournalShort, &long, usize::MAX),
            Some(want)
        );
        let cont = b"x\n   one\n   two\n   thr";
        assert_eq!(last_cut(Format::JournalShort, cont, usize::MAX), None);
        assert_eq!(last_cut(Format::JournalShort, cont, 4), Some(16));
    }
}
