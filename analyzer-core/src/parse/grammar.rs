//! nom building blocks of the line grammars.
//!
//! The header and frame grammars of [`crate::parse`] are nom parsers over `&[u8]`: outputs
//! borrow the input, nothing is allocated. Lines are still found with `memchr` and candidate
//! lines with aho-corasick; nom reads a line once it has been found. The error type is `()`: a
//! line that does not match a grammar is simply not that kind of line, so no error value is
//! built on the hot path (a failed header is the common case when telling formats apart).
//!
//! nom has no fixed-width number parser and its `take_till` tests one byte at a time; the
//! primitives here are written as nom parsers over the crate's digit readers and its
//! word-at-a-time byte search ([`crate::parse::lines::find_byte`]), so a grammar costs what the
//! hand-written scanning it replaced did.

use nom::{Err, IResult, Parser};

use crate::base::time::{digits, digits_var, fraction_micros, hms};
use crate::parse::lines::find_byte;

/// Result of a line grammar: the rest of the input and the output, or `()` when the input
/// does not match.
pub(crate) type PResult<'a, O> = IResult<&'a [u8], O, ()>;

/// The failure of a grammar.
#[inline(always)]
pub(crate) fn fail<'a, O>() -> PResult<'a, O> {
    Err(Err::Error(()))
}

/// Runs `p` on `input`: the rest and the output, `None` when it does not match.
#[inline(always)]
pub(crate) fn run<'a, O, P>(mut p: P, input: &'a [u8]) -> Option<(&'a [u8], O)>
where
    P: Parser<&'a [u8], Output = O, Error = ()>,
{
    p.parse(input).ok()
}

/// The one byte `c`.
#[inline(always)]
pub(crate) fn byte(c: u8) -> impl Fn(&[u8]) -> PResult<'_, u8> {
    move |i: &[u8]| match i.first() {
        Some(&b) if b == c => Ok((&i[1..], b)),
        _ => fail(),
    }
}

/// The literal `t`: nom's `tag` with the grammars' `()` error, compared as one slice (nom's
/// `tag` compares byte by byte through an iterator, measurably slower on every line).
#[inline(always)]
pub(crate) fn lit(t: &'static [u8]) -> impl Fn(&[u8]) -> PResult<'_, &[u8]> {
    move |i: &[u8]| match i.strip_prefix(t) {
        Some(rest) => Ok((rest, &i[..t.len()])),
        None => fail(),
    }
}

/// Any one byte.
#[inline(always)]
pub(crate) fn any_byte(i: &[u8]) -> PResult<'_, u8> {
    match i.first() {
        Some(&b) => Ok((&i[1..], b)),
        None => fail(),
    }
}

/// Exactly `N` ASCII digits, as a number.
#[inline(always)]
pub(crate) fn fixed<const N: usize>(i: &[u8]) -> PResult<'_, u32> {
    match digits(i, N) {
        Some(v) => Ok((&i[N..], v)),
        None => fail(),
    }
}

/// One or more ASCII digits as a `u64`; a value that overflows does not match.
#[inline(always)]
pub(crate) fn uint(i: &[u8]) -> PResult<'_, u64> {
    match digits_var(i) {
        Some((v, n)) => Ok((&i[n..], v)),
        None => fail(),
    }
}

/// `HH:MM:SS` (hour < 24, minute < 60, second ≤ 60).
#[inline(always)]
pub(crate) fn clock(i: &[u8]) -> PResult<'_, (u8, u8, u8)> {
    match hms(i) {
        Some(t) => Ok((&i[8..], t)),
        None => fail(),
    }
}

/// The digits of a fraction after its `.` (up to nine, possibly none), as microseconds.
#[inline(always)]
pub(crate) fn fraction(i: &[u8]) -> PResult<'_, u32> {
    let (us, n) = fraction_micros(i);
    Ok((&i[n..], us))
}

/// Zero or more spaces (not tabs).
#[inline(always)]
pub(crate) fn spaces(i: &[u8]) -> PResult<'_, &[u8]> {
    let n = i.iter().take_while(|&&c| c == b' ').count();
    Ok((&i[n..], &i[..n]))
}

/// The bytes before the first `c` (possibly none); `c` is not consumed. Fails when there is no
/// `c`.
#[inline(always)]
pub(crate) fn till(c: u8) -> impl Fn(&[u8]) -> PResult<'_, &[u8]> {
    move |i: &[u8]| match find_byte(i, c) {
        Some(n) => Ok((&i[n..], &i[..n])),
        None => fail(),
    }
}

/// Like [`till`], looking only at the first `limit` bytes.
#[inline(always)]
pub(crate) fn till_within(limit: usize, c: u8) -> impl Fn(&[u8]) -> PResult<'_, &[u8]> {
    move |i: &[u8]| match find_byte(&i[..i.len().min(limit)], c) {
        Some(n) => Ok((&i[n..], &i[..n])),
        None => fail(),
    }
}

/// A space-delimited word: the bytes before the first space (all of the input when there is
/// none), and the space after it consumed. Never fails.
#[inline(always)]
pub(crate) fn word(i: &[u8]) -> PResult<'_, &[u8]> {
    match find_byte(i, b' ') {
        Some(n) => Ok((&i[n + 1..], &i[..n])),
        None => Ok((&[], i)),
    }
}

/// A run of digits that is the whole of `b`, as a number.
#[inline(always)]
pub(crate) fn whole_uint(b: &[u8]) -> Option<u64> {
    match uint(b) {
        Ok(([], v)) => Some(v),
        _ => None,
    }
}

/// `file:line` with a non-empty file and a line that ends `b`, split at the last `:`.
#[inline(always)]
pub(crate) fn file_line(b: &[u8]) -> Option<(&[u8], u64)> {
    let colon = crate::parse::lines::rfind_byte(b, b':')?;
    if colon == 0 {
        return None;
    }
    Some((&b[..colon], whole_uint(&b[colon + 1..])?))
}

/// Bytes consumed by a parser that read `input` down to `rest`.
#[inline(always)]
pub(crate) fn used(input: &[u8], rest: &[u8]) -> usize {
    input.len() - rest.len()
}

#[cfg(test)]
mod tests {
    use nom::sequence::{preceded, terminated};

    use super::*;

    #[test]
    fn primitives() {
        assert_eq!(fixed::<2>(b"08x"), Ok((&b"x"[..], 8)));
        assert!(fixed::<3>(b"08x").is_err());
        assert_eq!(uint(b"12170 r"), Ok((&b" r"[..], 12170)));
        assert!(uint(b"99999999999999999999").is_err());
        assert!(uint(b"x1").is_err());
        assert_eq!(clock(b"10:25:54.5"), Ok((&b".5"[..], (10, 25, 54))));
        assert!(clock(b"24:00:00").is_err());
        assert_eq!(spaces(b"   7"), Ok((&b"7"[..], &b"   "[..])));
        assert_eq!(till(b']')(b"a.go:1] m"), Ok((&b"] m"[..], &b"a.go:1"[..])));
        assert!(till_within(3, b']')(b"a.go:1] m").is_err());
        assert_eq!(word(b"host tag: m"), Ok((&b"tag: m"[..], &b"host"[..])));
        assert_eq!(word(b"alone"), Ok((&b""[..], &b"alone"[..])));
        assert_eq!(file_line(b"server.go:779"), Some((&b"server.go"[..], 779)));
        assert_eq!(file_line(b":779"), None);
        assert_eq!(file_line(b"a.go:7x"), None);
        assert_eq!(whole_uint(b"42"), Some(42));
        assert_eq!(whole_uint(b"42 "), None);
        let p = preceded(byte(b'['), terminated(uint, byte(b']')));
        assert_eq!(run(p, b"[12]:"), Some((&b":"[..], 12)));
        assert_eq!(any_byte(b""), fail());
    }
}
