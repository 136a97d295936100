//! Compression and archive detection by magic bytes, and guarded decoding.
//!
//! Names lie (`logs.xz` holds a tar, `sos_reports.tgz` may be plain), so every stream is
//! recognised by its first bytes: gzip `1f 8b`, xz `FD 37 7A 58 5A 00`, bzip2 `BZh`, tar by
//! `ustar` at offset 257 or a valid old-style header checksum. Decoders are the multi-stream
//! ones (concatenated gzip members, concatenated xz streams, concatenated bzip2 streams).
//!
//! [`Guard`] sits on the output of a decoder and stops a stream whose output grows too far past
//! its input (a decompression bomb), returning an error that carries a [`BombError`].
//! [`Metered`] does the same for the whole bundle: every member's decoded bytes against the bytes
//! read from the inputs, so that many members each below the check of their own stream cannot
//! add up to a bomb ([`BundleBombError`]). [`LineCut`] cuts overlong lines while a member is
//! read, so that a line without end is never held whole.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// How a stream is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1f 8b`), possibly several members.
    Gzip,
    /// xz (`FD 37 7A 58 5A 00`), possibly several streams.
    Xz,
    /// bzip2 (`BZh` + block size digit).
    Bzip2,
}

impl Compression {
    /// Recognises a compressed stream from its first bytes.
    pub fn detect(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Compression::Xz)
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }

    /// The name used in messages (`gzip`, `xz`, `bzip2`).
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Bzip2 => "bzip2",
        }
    }

    /// A decoder reading compressed bytes from `inner`.
    pub fn decoder<'a, R: Read + 'a>(self, inner: R) -> Box<dyn Read + 'a> {
        match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(inner)),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(inner)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(inner)),
        }
    }
}

/// True when `head` (at least the first 512 bytes of a stream) is a tar header: POSIX/GNU
/// `ustar` magic at offset 257, or an old-style (v7) header whose checksum is valid.
pub fn is_tar(head: &[u8]) -> bool {
    let Some(block) = head.get(..512) else {
        return false;
    };
    if block.iter().all(|&b| b == 0) {
        return false;
    }
    if block.get(257..262) == Some(b"ustar") {
        return true;
    }
    // v7: the checksum field (148..156) holds octal digits; the sum of the header with that
    // field read as spaces must match, and the name must not be empty.
    let Some(field) = block.get(148..156) else {
        return false;
    };
    let mut stated = 0u32;
    let mut seen = false;
    for &c in field {
        match c {
            b'0'..=b'7' => {
                stated = stated * 8 + u32::from(c - b'0');
                seen = true;
            }
            b' ' | 0 if !seen => {}
            b' ' | 0 => break,
            _ => return false,
        }
    }
    if !seen || block.first().is_none_or(|&b| b == 0) {
        return false;
    }
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == stated
}

/// Counts the bytes read through it into a shared counter.
pub struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Counting<R> {
    /// Wraps `inner`; the returned counter follows every byte read.
    pub fn new(inner: R) -> (Counting<R>, Rc<Cell<u64>>) {
        let count = Rc::new(Cell::new(0));
        (Counting::adding_to(inner, Rc::clone(&count)), count)
    }

    /// Wraps `inner`, adding every byte read to `count` (shared with other streams).
    pub fn adding_to(inner: R, count: Rc<Cell<u64>>) -> Counting<R> {
        Counting { inner, count }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// A stream stopped because its output outgrew its input past the ratio limit.
#[derive(Debug, thiserror::Error)]
#[error(
    "decompression ratio above {ratio}:1 after {output} bytes out of {input} compressed; \
     stopped as a possible decompression bomb"
)]
pub struct BombError {
    /// The limit that was exceeded.
    pub ratio: u64,
    /// Decompressed bytes produced when the stream was stopped (the offset of the stop).
    pub output: u64,
    /// Compressed bytes consumed by then.
    pub input: u64,
}

/// Watches a decoder's output against the compressed bytes it consumed.
pub struct Guard<R> {
    inner: R,
    input: Rc<Cell<u64>>,
    output: u64,
    ratio: u64,
    threshold: u64,
}

impl<R: Read> Guard<R> {
    /// Guards `inner` (a decoder) whose compressed input is counted by `input`. The ratio is
    /// checked once the output exceeds `threshold` bytes.
    pub fn new(inner: R, input: Rc<Cell<u64>>, ratio: u64, threshold: u64) -> Guard<R> {
        Guard {
            inner,
            input,
            output: 0,
            ratio,
            threshold,
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.output += n as u64;
        if self.output > self.threshold {
            let input = self.input.get().max(1);
            if self.output / input > self.ratio {
                return Err(io::Error::other(BombError {
                    ratio: self.ratio,
                    output: self.output,
                    input: self.input.get(),
                }));
            }
        }
        Ok(n)
    }
}

/// The decoded bytes of a whole bundle outgrew the bytes read from its inputs past the ratio
/// limit: members each below the check of their own stream add up to a bomb.
#[derive(Debug, thiserror::Error)]
#[error(
    "decompressed bytes of the bundle above {ratio}:1 after {decoded} bytes out of {read} read; \
     stopped as a possible decompression bomb, the rest of the bundle is not read"
)]
pub struct BundleBombError {
    /// The limit that was exceeded.
    pub ratio: u64,
    /// Decoded bytes of every member so far, this one's included.
    pub decoded: u64,
    /// Bytes read from the bundle's inputs by then.
    pub read: u64,
    /// Offset in the member where it was stopped.
    pub offset: u64,
}

/// What a bundle decoded against what was read from its inputs (shared by every member).
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Bytes read from the inputs (archives and compressed files as stored).
    pub read: Rc<Cell<u64>>,
    /// Bytes of members, once decoded.
    pub decoded: Rc<Cell<u64>>,
}

/// Adds a member's bytes to the bundle's [`Totals`] as they are read, and stops the member
/// (and with it the bundle) once the decoded total exceeds `threshold` bytes and `ratio` times
/// what was read.
pub struct Metered<'t, R> {
    inner: R,
    totals: &'t Totals,
    ratio: u64,
    threshold: u64,
    offset: u64,
}

impl<'t, R: Read> Metered<'t, R> {
    /// Meters `inner`, a member's decoded bytes.
    pub fn new(inner: R, totals: &'t Totals, ratio: u64, threshold: u64) -> Metered<'t, R> {
        Metered {
            inner,
            totals,
            ratio,
            threshold,
            offset: 0,
        }
    }
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        let decoded = self.totals.decoded.get() + n as u64;
        self.totals.decoded.set(decoded);
        let read = self.totals.read.get();
        if decoded > self.threshold && decoded / read.max(1) > self.ratio {
            return Err(io::Error::other(BundleBombError {
                ratio: self.ratio,
                decoded,
                read,
                offset: self.offset,
            }));
        }
        Ok(n)
    }
}

/// The [`BundleBombError`] inside an I/O error, if that is what stopped a member.
pub fn as_bundle_bomb(e: &io::Error) -> Option<&BundleBombError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<BundleBombError>())
}

/// A member's bytes with every line longer than `max` bytes cut to its first `max` bytes (the
/// rest, up to the line's end, is read and dropped), read up to `limit` bytes of the member.
///
/// A streamed member is analysed in pieces cut at line ends; a line without end would be
/// held whole. Cutting while reading bounds it, as a mapped file's records are cut before the
/// rules see them. Line numbers are kept (every newline is passed on); byte offsets past a cut
/// line count the bytes passed on.
pub struct LineCut<R> {
    inner: R,
    max: usize,
    limit: u64,
    /// Bytes of the current line passed on (since the last newline).
    run: usize,
    /// The current line is being cut.
    cutting: bool,
    /// Bytes read from `inner`: the member offset of the next byte.
    read: u64,
    /// Member offset of the first line cut.
    first: Option<u64>,
    lines: u64,
    dropped: u64,
    /// The member went on past `limit`.
    over: bool,
}

impl<R: Read> LineCut<R> {
    /// Reads `inner` with lines cut at `max` bytes, up to `limit` bytes.
    pub fn new(inner: R, max: usize, limit: u64) -> LineCut<R> {
        LineCut {
            inner,
            max: max.max(1),
            limit,
            run: 0,
            cutting: false,
            read: 0,
            first: None,
            lines: 0,
            dropped: 0,
            over: false,
        }
    }

    /// Bytes read from the member so far (cut bytes included).
    pub fn offset(&self) -> u64 {
        self.read
    }

    /// Member offset of the first line cut, how many lines were cut and the bytes dropped.
    pub fn cut(&self) -> Option<(u64, u64, u64)> {
        self.first.map(|f| (f, self.lines, self.dropped))
    }

    /// True when the member went on past the limit (the rest was not read).
    pub fn over_limit(&self) -> bool {
        self.over
    }

    /// Drops what is past the line limit from `buf`, in place; returns the bytes kept.
    fn filter(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len();
        let (mut i, mut w) = (0, 0);
        while i < n {
            let rest = n - i;
            if !self.cutting && self.run + rest <= self.max {
                // Nothing left in this buffer can pass the limit.
                self.run = match memchr::memrchr(b'\n', &buf[i..]) {
                    Some(k) => rest - k - 1,
                    None => self.run + rest,
                };
                buf.copy_within(i.., w);
                w += rest;
                break;
            }
            let (content, newline) = match memchr::memchr(b'\n', &buf[i..]) {
                Some(k) => (k, true),
                None => (rest, false),
            };
            let keep = content.min(self.max - self.run);
            if keep < content && !self.cutting {
                self.cutting = true;
                self.lines += 1;
                self.first
                    .get_or_insert(self.read + i as u64 - self.run as u64);
            }
            self.dropped += (content - keep) as u64;
            buf.copy_within(i..i + keep, w);
            w += keep;
            self.run += keep;
            i += content;
            if newline {
                buf[w] = b'\n';
                w += 1;
                i += 1;
                self.run = 0;
                self.cutting = false;
            }
        }
        self.read += n as u64;
        w
    }
}

impl<R: Read> Read for LineCut<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let room = self.limit - self.read;
            if room == 0 {
                if !self.over {
                    let mut probe = [0u8; 1];
                    self.over = self.inner.read(&mut probe)? == 1;
                }
                return Ok(0);
            }
            let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
            let n = self.inner.read(&mut buf[..want])?;
            if n == 0 {
                return Ok(0);
            }
            let kept = self.filter(&mut buf[..n]);
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// Reads up to `n` bytes from `r` (fewer at end of stream). Returns what was read and the
/// error that stopped the read early, if any.
pub fn read_head(r: &mut dyn Read, n: usize) -> (Vec<u8>, Option<io::Error>) {
    // Not zero-filled first: a sosreport has tens of thousands of members. Bytes read before
    // an error stay in the buffer.
    let mut head = Vec::with_capacity(n);
    match r.take(n as u64).read_to_end(&mut head) {
        Ok(_) => (head, None),
        Err(e) => (head, Some(e)),
    }
}

/// The [`BombError`] inside an I/O error, if that is what stopped a stream.
pub fn as_bomb(e: &io::Error) -> Option<&BombError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<BombError>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn magic_bytes() {
        // Magic numbers: RFC 1952 §2.3.1 (gzip), xz file format 1.0.4 §2.1.1.1, bzip2 "BZh1".."BZh9".
        let table: &[(&[u8], Option<Compression>)] = &[
            (&[0x1f, 0x8b, 0x08, 0x00], Some(Compression::Gzip)),
            (
                &[0xfd, b'7', b'z', b'X', b'Z', 0x00, 0x00],
                Some(Compression::Xz),
            ),
            (b"BZh91AY&SY", Some(Compression::Bzip2)),
            (b"BZh0", None),
            (b"Feb 11 19:23:39 k8stest-4 kernel: x", None),
            (&[0x1f], None),
            (b"", None),
        ];
        for (head, want) in table {
            assert_eq!(Compression::detect(head), *want, "{head:?}");
        }
    }

    #[test]
    fn tar_detection() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_path("sos_commands/date/date").unwrap();
        h.set_size(4);
        h.set_cksum();
        b.append(&h, &b"date"[..]).unwrap();
        let gnu = b.into_inner().unwrap();
        assert!(is_tar(&gnu));

        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_old();
        h.set_path("etc/hostname").unwrap();
        h.set_size(3);
        h.set_cksum();
        b.append(&h, &b"k8s"[..]).unwrap();
        let old = b.into_inner().unwrap();
        assert!(old.get(257..262) != Some(b"ustar"));
        assert!(is_tar(&old));

        assert!(!is_tar(&[0u8; 1024]));
        assert!(!is_tar(b"short"));
        let mut text = b"Feb 11 19:23:39 k8stest-4 kernel: hello\n".repeat(20);
        text.truncate(600);
        assert!(!is_tar(&text));
    }

    /// Lines past the limit are cut to it, across reads of any size; newlines and short lines
    /// pass untouched; the offset is the cut line's start.
    #[test]
    fn line_cut_cuts_long_lines_across_reads() {
        let text = format!("short\n{}\nnext line\n{}", "a".repeat(25), "b".repeat(12));
        for step in [1, 3, 7, 64] {
            let mut r = LineCut::new(text.as_bytes(), 10, u64::MAX);
            let mut out = Vec::new();
            let mut buf = vec![0u8; step];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            let want = format!("short\n{}\nnext line\n{}", "a".repeat(10), "b".repeat(10));
            assert_eq!(String::from_utf8(out).unwrap(), want, "step {step}");
            assert_eq!(r.cut(), Some((6, 2, 15 + 2)), "step {step}");
            assert!(!r.over_limit());
        }
    }

    /// The member limit counts bytes read, cut ones included: a line without end stops there.
    #[test]
    fn line_cut_stops_at_the_member_limit() {
        let endless = io::repeat(b'x');
        let mut r = LineCut::new(endless, 100, 1 << 20);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 100);
        assert_eq!(r.offset(), 1 << 20);
        assert!(r.over_limit());
        assert_eq!(r.cut(), Some((0, 1, (1 << 20) - 100)));
    }

    /// Many members each below their own stream's check add up to the bundle's.
    #[test]
    fn metered_members_add_up_to_a_bundle_bomb() {
        let totals = Totals::default();
        totals.read.set(1000);
        let zeros = [0u8; 4096];
        let mut stopped = None;
        for member in 0..100 {
            let mut m = Metered::new(&zeros[..], &totals, 100, 64 * 1024);
            if let Err(e) = io::copy(&mut m, &mut io::sink()) {
                stopped = Some((member, as_bundle_bomb(&e).unwrap().offset));
                break;
            }
        }
        // 100 001 bytes decoded out of 1000 read passes 100:1 in the 25th member.
        assert_eq!(stopped, Some((24, 4096)));
        assert_eq!(totals.decoded.get(), 25 * 4096);
    }

    #[test]
    fn guard_stops_a_bomb() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 4 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        let (counting, input) = Counting::new(&gz[..]);
        let dec = Compression::Gzip.decoder(counting);
        let mut g = Guard::new(dec, input, 100, 1 << 20);
        let mut sink = Vec::new();
        let err = g.read_to_end(&mut sink).unwrap_err();
        let bomb = as_bomb(&err).unwrap();
        assert_eq!(bomb.ratio, 100);
        assert!(bomb.output > 1 << 20 && bomb.output <= 4 << 20);
    }
}
