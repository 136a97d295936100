//! pprof goroutine profiles in text form (`/debug/pprof/goroutine?debug=1`), zero-copy.
//!
//! ```text
//! (tabs between the fields of `#` lines)
//! goroutine profile: total 250013
//! 250000 @ 0x43a1c5 0x44a5b2 0x44a58d 0x46e5c5 0x4d8f6b 0x4d8f38 0x470e41
//! #    0x44a58c    sync.runtime_SemacquireMutex+0x3c    /usr/local/go/src/runtime/sema.go:71
//! #    0x46e5c4    sync.(*Mutex).lockSlow+0x164        /usr/local/go/src/sync/mutex.go:138
//! #    0x4d8f6a    main.(*store).get+0x4a            /src/store.go:21
//!
//! 13 @ 0x43a1c5 0x406b6f 0x406712 0x470e41
//! # labels: {"handler":"containers"}
//! #    0x406b6e    runtime.chanrecv1+0x1e            /usr/local/go/src/runtime/chan.go:442
//! ```
//!
//! A profile aggregates identical stacks: each record is a count and its stack, innermost
//! frame first. It carries no goroutine ids, states, wait times nor arguments, so lock
//! addresses and holders cannot be read from it; the goroutine-dump parser
//! ([`crate::parse::goroutine`]) keeps each record as one goroutine standing for `count`
//! goroutines ([`Goroutine::count`](crate::model::goroutine::Goroutine::count)), so buckets and
//! totals count them all.

use nom::Parser;
use nom::bytes::complete::{tag, take_till1, take_while1};
use nom::character::complete::{char, digit1, space0};
use nom::combinator::opt;

use crate::parse::grammar::{PResult, whole_uint};

/// The `goroutine profile: total N` header: `N`.
pub fn total(line: &[u8]) -> Option<u64> {
    let r: PResult<'_, &[u8]> = (tag("goroutine profile: total "), digit1)
        .map(|(_, d)| d)
        .parse(line);
    let (_, d) = r.ok()?;
    crate::parse::time::digits_var(d).map(|(v, _)| v)
}

/// A record header `N @ 0x… 0x…`: the count.
pub fn record(line: &[u8]) -> Option<u64> {
    let r: PResult<'_, &[u8]> = (digit1, tag(" @"), opt((char(' '), tag("0x"))))
        .map(|(d, _, _)| d)
        .parse(line);
    let (_, d) = r.ok()?;
    crate::parse::time::digits_var(d).map(|(v, _)| v)
}

/// One frame line of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameLine {
    /// Where the function name starts in the line, and its length (without `+0x…`).
    pub func: (usize, usize),
    /// Where the file path starts, and its length.
    pub file: (usize, usize),
    /// The source line.
    pub line: u32,
}

/// `#\t0x44a58c\tsync.runtime_SemacquireMutex+0x3c\t/usr/local/go/src/runtime/sema.go:71`
/// (tabs, or spaces where a paste turned them into spaces). `# labels: {…}` lines are not
/// frames.
pub fn frame(line: &[u8]) -> Option<FrameLine> {
    let sep = |i| take_while1::<_, _, ()>(|c| c == b'\t' || c == b' ')(i);
    let r: PResult<'_, (&[u8], &[u8])> = (
        tag("#"),
        sep,
        tag("0x"),
        take_while1(|c: u8| c.is_ascii_hexdigit()),
        sep,
        take_till1(|c| c == b'+' || c == b'\t' || c == b' '),
        opt((tag("+0x"), take_while1(|c: u8| c.is_ascii_hexdigit()))),
        sep,
        take_till1(|c| c == b'\t' || c == b'\r'),
        space0,
    )
        .map(|(_, _, _, _, _, func, _, _, loc, _)| (func, loc))
        .parse(line);
    let (_, (func, loc)) = r.ok()?;
    let colon = loc.iter().rposition(|&c| c == b':')?;
    let n = whole_uint(&loc[colon + 1..])?;
    let at = |s: &[u8]| s.as_ptr() as usize - line.as_ptr() as usize;
    Some(FrameLine {
        func: (at(func), func.len()),
        file: (at(loc), colon),
        line: u32::try_from(n).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_a_profile() {
        assert_eq!(total(b"goroutine profile: total 250013"), Some(250_013));
        assert_eq!(total(b"goroutine 1 [running]:"), None);
        assert_eq!(
            record(b"250000 @ 0x43a1c5 0x44a5b2 0x44a58d 0x46e5c5"),
            Some(250_000)
        );
        assert_eq!(record(b"1 @ 0x43a1c5"), Some(1));
        assert_eq!(record(b"12 apples"), None);
        let l =
            b"#\t0x44a58c\tsync.runtime_SemacquireMutex+0x3c\t/usr/local/go/src/runtime/sema.go:71";
        let f = frame(l).unwrap();
        assert_eq!(
            &l[f.func.0..f.func.0 + f.func.1],
            b"sync.runtime_SemacquireMutex"
        );
        assert_eq!(
            &l[f.file.0..f.file.0 + f.file.1],
            b"/usr/local/go/src/runtime/sema.go"
        );
        assert_eq!(f.line, 71);
        // Alignment tabs doubled, and a paste that turned tabs into spaces.
        let l = b"#\t0x46e5c4\tsync.(*Mutex).lockSlow+0x164\t\t/usr/local/go/src/sync/mutex.go:138";
        assert_eq!(frame(l).map(|f| f.line), Some(138));
        let l = b"#   0x4d8f6a    main.(*store).get+0x4a    /src/store.go:21";
        let f = frame(l).unwrap();
        assert_eq!(&l[f.func.0..f.func.0 + f.func.1], b"main.(*store).get");
        assert_eq!(frame(b"# labels: {\"handler\":\"containers\"}"), None);
        assert_eq!(frame(b"#\t0x44a58c\tfoo+0x3c"), None);
    }
}
