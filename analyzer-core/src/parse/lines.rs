//! Line iteration shared by the line-oriented parsers.
//!
//! Lines are found with `memchr`; a line is returned without its `\n` and without a trailing
//! `\r` (CRLF files). Nothing is allocated. Helpers here also implement the rules every log
//! parser shares: resynchronising on a head-truncated first line and bounding header scans of
//! very long lines.

use crate::base::Level;
use crate::base::time::RawTime;

/// What a header parser read from the first line of a record. `msg_start` is relative to the
/// line; the message runs from there to the end of the record's last line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The stated time.
    pub time: RawTime,
    /// The time as written.
    pub time_text: &'a [u8],
    /// Host name, empty when none.
    pub host: &'a [u8],
    /// Identifier / tag, empty when none.
    pub ident: &'a [u8],
    /// Process id, when stated.
    pub pid: Option<u32>,
    /// Severity stated by the header (inner logrus/klog levels are applied by the caller).
    pub level: Level,
    /// Index of the message's first byte in the line.
    pub msg_start: usize,
}

impl Header<'_> {
    /// A header with only a time and a message start.
    pub fn timed(time: RawTime, time_text: &[u8], msg_start: usize) -> Header<'_> {
        Header {
            time,
            time_text,
            host: &[],
            ident: &[],
            pid: None,
            level: Level::Unknown,
            msg_start,
        }
    }
}

/// Header parsers look at no more than this many bytes of a line; the rest of a longer line
/// still belongs to the record.
pub const MAX_HEADER_SCAN: usize = 1 << 20;

/// One physical line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// Byte offset of the line's first byte in the member.
    pub offset: usize,
    /// 1-based line number.
    pub number: u32,
    /// The line without `\n` and without a final `\r`.
    pub text: &'a [u8],
}

impl<'a> Line<'a> {
    /// The part of the line a header parser may look at (at most [`MAX_HEADER_SCAN`] bytes).
    #[inline]
    pub fn head(&self) -> &'a [u8] {
        self.text.get(..MAX_HEADER_SCAN).unwrap_or(self.text)
    }

    /// Offset one past the last byte of the line text.
    #[inline]
    pub fn end(&self) -> usize {
        self.offset + self.text.len()
    }
}

/// Iterator over the lines of a byte slice.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
    number: u32,
}

impl<'a> Lines<'a> {
    /// Lines of `data`, numbered from 1.
    pub fn new(data: &'a [u8]) -> Lines<'a> {
        Lines {
            data,
            pos: 0,
            number: 0,
        }
    }

    /// The next line without consuming it.
    #[inline]
    pub fn peek(&self) -> Option<Line<'a>> {
        self.clone().next()
    }

    /// Byte offset of the next line.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Number of the last line returned (0 before the first).
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The whole input.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.data.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        let (mut text, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], start + i + 1),
            None => (rest, self.data.len()),
        };
        if let Some(t) = text.strip_suffix(b"\r") {
            text = t;
        }
        self.pos = next;
        self.number = self.number.saturating_add(1);
        Some(Line {
            offset: start,
            number: self.number,
            text,
        })
    }
}

/// True when the line starts with a space or a tab (a continuation line in journal, kmsg and
/// klog `key=<` blocks).
#[inline]
pub(crate) fn starts_with_blank(line: &[u8]) -> bool {
    matches!(line.first(), Some(b' ' | b'\t'))
}

/// Splits off the first space-delimited token: `(token, rest_after_one_space)`.
#[inline]
pub(crate) fn token(b: &[u8]) -> (&[u8], &[u8]) {
    match find_space(b) {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &[]),
    }
}

/// Index of the first space (see [`find_byte`]).
#[inline]
pub(crate) fn find_space(b: &[u8]) -> Option<usize> {
    find_byte(b, b' ')
}

/// Index of the first `needle`. Header fields are short, so the first 48 bytes are read eight
/// at a time in a register (cheaper than a vectorised search's set-up); the rest goes to
/// `memchr`.
#[inline(always)]
pub(crate) fn find_byte(b: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i < 48 {
        let Some(chunk) = b.get(i..i + 8) else { break };
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(needle));
        // The lowest flagged byte is the first zero byte of `x` (higher flags may be false).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    memchr::memchr(needle, b.get(i..)?).map(|j| i + j)
}

/// Index of the last `needle`: a plain loop over short slices (header fields), `memrchr` over
/// longer ones.
#[inline]
pub(crate) fn rfind_byte(b: &[u8], needle: u8) -> Option<usize> {
    if b.len() <= 48 {
        b.iter().rposition(|&c| c == needle)
    } else {
        memchr::memrchr(needle, b)
    }
}

/// Skips leading spaces.
#[inline]
pub(crate) fn skip_spaces(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| c == b' ').count();
    &b[n..]
}

/// Index of `sub` within `outer`, when `sub` is a sub-slice of it (pointer arithmetic only).
#[inline]
pub(crate) fn offset_in(outer: &[u8], sub: &[u8]) -> Option<usize> {
    let o = outer.as_ptr() as usize;
    let s = sub.as_ptr() as usize;
    (s >= o && s + sub.len() <= o + outer.len()).then(|| s - o)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time space search agrees with a byte search on any bytes, at every
        /// length around its 8-byte steps and 32-byte limit.
        #[test]
        fn find_space_matches_byte_search(
            b in proptest::collection::vec(proptest::sample::select(vec![b' ', b'a', 0xa0, 0x20 ^ 0x80, 0]), 0..80)
        ) {
            proptest::prop_assert_eq!(find_space(&b), b.iter().position(|&c| c == b' '));
            proptest::prop_assert_eq!(find_byte(&b, 0xa0), b.iter().position(|&c| c == 0xa0));
            proptest::prop_assert_eq!(rfind_byte(&b, b'a'), b.iter().rposition(|&c| c == b'a'));
        }
    }

    #[test]
    fn crlf_and_last_line_without_newline() {
        let data = b"a\r\nbb\n\nccc";
        let got: Vec<_> = Lines::new(data)
            .map(|l| (l.offset, l.number, l.text))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 1, &b"a"[..]),
                (3, 2, &b"bb"[..]),
                (6, 3, &b""[..]),
                (7, 4, &b"ccc"[..])
            ]
        );
    }

    #[test]
    fn peek_does_not_consume() {
        let mut l = Lines::new(b"x\ny\n");
        assert_eq!(l.peek().unwrap().text, b"x");
        assert_eq!(l.next().unwrap().text, b"x");
        assert_eq!(l.next().unwrap().number, 2);
        assert!(l.next().is_none());
    }

    #[test]
    fn tokens() {
        assert_eq!(
            token(b"host kubelet[1]: x"),
            (&b"host"[..], &b"kubelet[1]: x"[..])
        );
        assert_eq!(token(b"alone"), (&b"alone"[..], &b""[..]));
        assert_eq!(skip_spaces(b"   12"), b"12");
    }
}
