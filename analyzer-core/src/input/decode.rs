//! Compression and archive detection by magic bytes, and guarded decoding.
//!
//! Names lie (`logs.xz` holds a tar, `sos_reports.tgz` may be plain), so every stream is
//! recognised by its first bytes: gzip `1f 8b`, xz `FD 37 7A 58 5A 00`, bzip2 `BZh`, tar by
//! `ustar` at offset 257 or a valid old-style header checksum. Decoders are the multi-stream
//! ones (concatenated gzip members, concatenated xz streams, concatenated bzip2 streams).
//!
//! [`Guard`] sits on the output of a decoder and stops a stream whose output grows too far past
//! its input (a decompression bomb), returning an error that carries a [`BombError`].

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
        (
            Counting {
                inner,
                count: Rc::clone(&count),
            },
            count,
        )
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
