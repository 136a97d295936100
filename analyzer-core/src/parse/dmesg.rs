//! Kernel ring buffer: dmesg raw, `-T`, `-x`, `<N>`-prefixed, and `/dev/kmsg` records.
//!
//! Shapes (formats-and-crates §1.3): `[ 1573.878353] msg` (seconds since boot),
//! `[Thu Dec  7 00:05:15 2017] msg` (`-T`, local with year), `kern  :err   : [3618282.310743] msg`
//! (`-x`, level from the text), `<6>[ 1205.517883] msg` (`-r`, level = pri & 7). Lines without
//! a prefix continue the previous record. `/dev/kmsg` records are `pri,seq,usec,flags;text`
//! with continuation lines starting with a space (`SUBSYSTEM=…`).

use crate::base::Level;
use crate::base::time::RawTime;
use crate::base::time::{ctime, digits_var};
use crate::parse::journal::monotonic;
use crate::parse::lines::{Header, skip_spaces};

/// The level of a `dmesg -x` level word (`emerg`, `alert`, `crit`, `err`, `warn`, `notice`,
/// `info`, `debug`).
pub fn level_word(w: &[u8]) -> Level {
    match w {
        b"emerg" => Level::Emerg,
        b"alert" => Level::Alert,
        b"crit" => Level::Crit,
        b"err" => Level::Error,
        b"warn" => Level::Warning,
        b"notice" => Level::Notice,
        b"info" => Level::Info,
        b"debug" => Level::Debug,
        _ => Level::Unknown,
    }
}

/// `fac   :lvl   : ` of `dmesg -x`: level and bytes used.
fn decoded_prefix(b: &[u8]) -> Option<(Level, usize)> {
    let fac = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    if fac == 0 || fac > 8 {
        return None;
    }
    let mut i = fac + b[fac..].iter().take_while(|&&c| c == b' ').count();
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let lvl_len = b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
    let level = level_word(&b[i..i + lvl_len]);
    if level == Level::Unknown {
        return None;
    }
    i += lvl_len;
    i += b[i..].iter().take_while(|&&c| c == b' ').count();
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    Some((level, i))
}

/// Parses a dmesg line header in any of the shapes; `None` for a continuation line.
pub fn header(line: &[u8]) -> Option<Header<'_>> {
    let mut at = 0;
    let mut level = Level::Unknown;
    let mut prefixed = false;
    if line.first() == Some(&b'<') {
        let (pri, n) = digits_var(&line[1..])?;
        if line.get(1 + n) != Some(&b'>') {
            return None;
        }
        level = Level::from_syslog(pri as u32);
        at = n + 2;
    } else if line.first().is_some_and(u8::is_ascii_lowercase) {
        let (l, n) = decoded_prefix(line)?;
        level = l;
        at = n;
        prefixed = true;
    }
    let b = &line[at..];
    let (time, used) = match b.get(1) {
        _ if b.first() != Some(&b'[') => {
            // `dmesg -x -t`: no time; only the decoded prefix makes it a header.
            if !prefixed {
                return None;
            }
            return Some(Header {
                level,
                ..Header::timed(RawTime::None, &[], at)
            });
        }
        Some(c) if c.is_ascii_alphabetic() => {
            let (t, n) = ctime(&b[1..])?;
            if b.get(1 + n) != Some(&b']') {
                return None;
            }
            (RawTime::Local(t), n + 2)
        }
        _ => {
            let (us, n) = monotonic(b)?;
            (RawTime::Monotonic(us), n)
        }
    };
    let mut msg = at + used;
    if line.get(msg) == Some(&b' ') {
        msg += 1;
    }
    Some(Header {
        level,
        ..Header::timed(time, &b[..used], msg)
    })
}

/// Parses a `/dev/kmsg` record header `pri,seq,usec,flags[,…];text`.
pub fn kmsg_header(line: &[u8]) -> Option<Header<'_>> {
    let (pri, n) = digits_var(line)?;
    let rest = line.get(n..)?.strip_prefix(b",")?;
    let (_seq, k) = digits_var(rest)?;
    let rest2 = rest.get(k..)?.strip_prefix(b",")?;
    let (usec, u) = digits_var(rest2)?;
    if rest2.get(u) != Some(&b',') {
        return None;
    }
    let head = line.get(..line.len().min(256))?;
    let semi = memchr::memchr(b';', head)?;
    let time_start = line.len() - rest2.len();
    Some(Header {
        level: Level::from_syslog((pri & 7) as u32),
        ..Header::timed(
            RawTime::Monotonic(usec),
            &line[time_start..time_start + u],
            semi + 1,
        )
    })
}

/// The printk time some kern.log and journal kernel lines carry at the start of the message
/// (`[  518.050606] Out of memory: …`), in microseconds since boot. Used to map boot time.
pub fn kernel_mono(message: &[u8]) -> Option<u64> {
    monotonic(message).map(|(us, _)| us)
}

/// The message without a leading printk time (`[  518.050606] `).
pub fn strip_kernel_mono(message: &[u8]) -> &[u8] {
    match monotonic(message) {
        Some((_, n)) => skip_spaces(&message[n..]),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // (line, time, level, message); shapes: kubedirector#356 (raw), k8s#56891 (-T),
        // talos#289 (<6>), ARM devlib#376 (-x).
        let cases: &[(&[u8], RawTime, Level, &[u8])] = &[
            (
                b"[ 1573.878353] cp invoked oom-killer: gfp_mask=0x24000c0",
                RawTime::Monotonic(1_573_878_353),
                Level::Unknown,
                b"cp invoked oom-killer: gfp_mask=0x24000c0",
            ),
            (
                b"[5193605.506956] Memory cgroup out of memory: Kill process 62685 (bash) score 0 or sacrifice child",
                RawTime::Monotonic(5_193_605_506_956),
                Level::Unknown,
                b"Memory cgroup out of memory: Kill process 62685 (bash) score 0 or sacrifice child",
            ),
            (
                b"<6>[ 1205.517883] Task in /system/docker killed as a result of limit of /system/docker",
                RawTime::Monotonic(1_205_517_883),
                Level::Info,
                b"Task in /system/docker killed as a result of limit of /system/docker",
            ),
            (
                b"kern  :err   : [3618282.310743] nouveau 0000:01:00.0: fifo",
                RawTime::Monotonic(3_618_282_310_743),
                Level::Error,
                b"nouveau 0000:01:00.0: fifo",
            ),
        ];
        for &(line, time, level, msg) in cases {
            let h = header(line).unwrap();
            assert_eq!(h.time, time);
            assert_eq!(h.level, level);
            assert_eq!(&line[h.msg_start..], msg);
        }
        let h = header(b"[Thu Dec  7 00:05:15 2017] Memory cgroup out of memory").unwrap();
        match h.time {
            RawTime::Local(t) => assert_eq!((t.year, t.month, t.day), (Some(2017), 12, 7)),
            other => panic!("{other:?}"),
        }
        assert_eq!(h.time_text, b"[Thu Dec  7 00:05:15 2017]");
        assert!(header(b" continuation").is_none());
        assert!(header(b"Call Trace:").is_none());
        assert!(header(b"<6x").is_none());
    }

    #[test]
    fn kmsg() {
        // util-linux#2325.
        let line = b"14,1114,495317239,-; Test Message Facility 8 Loglevel 6";
        let h = kmsg_header(line).unwrap();
        assert_eq!(h.level, Level::Info);
        assert_eq!(h.time, RawTime::Monotonic(495_317_239));
        assert_eq!(&line[h.msg_start..], b" Test Message Facility 8 Loglevel 6");
        let line = b"6,339,5140900,-,caller=T1;usb 1-1: new device";
        assert_eq!(
            &line[kmsg_header(line).unwrap().msg_start..],
            b"usb 1-1: new device"
        );
        assert!(kmsg_header(b"6,1,x").is_none());
    }

    #[test]
    fn inner_printk_time() {
        // docker/for-linux#1001.
        let m = b"[  518.050606] Out of memory: Killed process 15784 (python3)";
        assert_eq!(kernel_mono(m), Some(518_050_606));
        assert_eq!(
            strip_kernel_mono(m),
            b"Out of memory: Killed process 15784 (python3)"
        );
        assert_eq!(kernel_mono(b"Out of memory"), None);
        // An OOM task-table row is not a printk time.
        assert_eq!(kernel_mono(b"[20357]     0 20357    70000"), None);
    }
}
