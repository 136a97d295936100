//! What identifies a host and its size: `hostname`, `hostnamectl`, `uptime`, `/proc/uptime`,
//! `/proc/stat` (boot time), `lscpu`, `/proc/cpuinfo`, `/proc/meminfo` and `snap list`.
//!
//! Each function returns the value as it is written (a slice of the input) with the 1-based line
//! it was read from, so the report can cite the line; nothing is allocated.

use crate::parse::ps::{numbered_lines, words};

/// The host name of `hostname` / `etc/hostname`: the first non-blank, non-comment line, when it
/// is a single word.
pub fn hostname(data: &[u8]) -> Option<(&[u8], u32)> {
    let (n, l) = numbered_lines(data).find(|(_, l)| {
        let t = l.trim_ascii();
        !t.is_empty() && !t.starts_with(b"#")
    })?;
    let t = l.trim_ascii();
    let mut ws = words(t);
    let (_, first) = ws.next()?;
    (ws.next().is_none() && first.len() <= 253).then_some((first, n))
}

/// The value of `Key:` in `hostnamectl` (`Static hostname`, `Operating System`, `Kernel`) or
/// `lscpu` (`CPU(s)`, `Model name`) output, trimmed.
pub fn colon_field<'a>(data: &'a [u8], key: &[u8]) -> Option<(&'a [u8], u32)> {
    numbered_lines(data).find_map(|(n, l)| {
        let t = l.trim_ascii_start();
        let v = t.strip_prefix(key)?.strip_prefix(b":")?.trim_ascii();
        (!v.is_empty()).then_some((v, n))
    })
}

/// How long the host had been up, read from `uptime` or `/proc/uptime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uptime<'a> {
    /// The uptime as written (`25 min`, `3 days,  2:04`, `1234.56`).
    pub text: &'a [u8],
    /// The same in seconds (minutes precision for `uptime`).
    pub seconds: u64,
    /// 1-based line.
    pub line: u32,
}

/// Parses `uptime` output: ` 19:23:40 up 25 min,  1 user,  load average: 0.83, 0.73, 0.76`,
/// `up 3 days,  2:04,`, `up 12 days, 55 min,`, `up 1 day, 23:59,`, `up 2:04,`. `/proc/uptime`
/// (`1234.56 4321.00`) is read too.
pub fn uptime(data: &[u8]) -> Option<Uptime<'_>> {
    numbered_lines(data).find_map(|(n, l)| {
        if let Some(i) = memchr::memmem::find(l, b" up ") {
            return uptime_text(&l[i + 4..]).map(|(text, seconds)| Uptime {
                text,
                seconds,
                line: n,
            });
        }
        // `/proc/uptime`: two decimal numbers.
        let mut ws = words(l);
        let (_, a) = ws.next()?;
        let (_, b) = ws.next()?;
        if ws.next().is_some() || !is_decimal(a) || !is_decimal(b) {
            return None;
        }
        let whole = a.split(|&c| c == b'.').next()?;
        let seconds = parse_u64(whole)?;
        Some(Uptime {
            text: a,
            seconds,
            line: n,
        })
    })
}

/// A decimal `u64` making up all of `b`.
fn parse_u64(b: &[u8]) -> Option<u64> {
    let (v, n) = crate::base::time::digits_var(b)?;
    (n == b.len()).then_some(v)
}

fn is_decimal(w: &[u8]) -> bool {
    !w.is_empty()
        && w.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && w.iter().filter(|c| **c == b'.').count() <= 1
        && w[0].is_ascii_digit()
}

/// The part of an `uptime` line after ` up ` up to the user count or load average, with its
/// value in seconds.
fn uptime_text(rest: &[u8]) -> Option<(&[u8], u64)> {
    let end = [b"user".as_slice(), b"load average"]
        .iter()
        .filter_map(|k| memchr::memmem::find(rest, k))
        .min()
        .unwrap_or(rest.len());
    // Drop the user count (`1 user,`) before the keyword.
    let mut part = &rest[..end];
    if end < rest.len() {
        part = part.trim_ascii_end();
        let cut = part.iter().rposition(|&c| c == b',').map_or(0, |i| i + 1);
        // `…, 1 ` → keep up to the comma before the user count.
        if part[cut..].trim_ascii().iter().all(u8::is_ascii_digit) {
            part = &part[..cut];
        }
    }
    let part = part.trim_ascii();
    let part = part.strip_suffix(b",").unwrap_or(part).trim_ascii();
    let mut seconds = 0u64;
    let mut any = false;
    for piece in part.split(|&c| c == b',') {
        let mut ws = words(piece.trim_ascii());
        let Some((_, a)) = ws.next() else {
            continue;
        };
        let unit = ws.next().map(|(_, u)| u);
        if let Some(i) = memchr::memchr(b':', a) {
            let h = parse_u64(&a[..i])?;
            let m = parse_u64(&a[i + 1..])?;
            seconds += h * 3600 + m * 60;
            any = true;
            continue;
        }
        let v = parse_u64(a)?;
        let mul = match unit? {
            b"day" | b"days" => 86_400,
            b"hr" | b"hrs" | b"hour" | b"hours" => 3600,
            b"min" | b"mins" => 60,
            b"sec" | b"secs" => 1,
            _ => return None,
        };
        seconds += v * mul;
        any = true;
    }
    (any && !part.is_empty()).then_some((part, seconds))
}

/// The boot time of `/proc/stat` (`btime 1644605886`), in seconds since the epoch.
pub fn proc_stat_btime(data: &[u8]) -> Option<(i64, u32)> {
    numbered_lines(data).find_map(|(n, l)| {
        let v = l.strip_prefix(b"btime ")?.trim_ascii();
        let secs = parse_u64(v)?;
        Some((i64::try_from(secs).ok()?, n))
    })
}

/// CPUs of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpus<'a> {
    /// Logical CPUs.
    pub count: u32,
    /// The model name, when given.
    pub model: Option<&'a [u8]>,
    /// The line that gives the count (for `/proc/cpuinfo`, the last `processor` line).
    pub line: u32,
}

/// `lscpu`: `CPU(s):` and `Model name:`.
pub fn lscpu(data: &[u8]) -> Option<Cpus<'_>> {
    let (count, line) = colon_field(data, b"CPU(s)")?;
    let count = crate::parse::ps::parse_u32(count)?;
    Some(Cpus {
        count,
        model: colon_field(data, b"Model name").map(|(m, _)| m),
        line,
    })
}

/// `/proc/cpuinfo`: one `processor : N` line per logical CPU, `model name : …`.
pub fn cpuinfo(data: &[u8]) -> Option<Cpus<'_>> {
    let mut count = 0u32;
    let mut line = 0;
    let mut model = None;
    for (n, l) in numbered_lines(data) {
        let Some(i) = memchr::memchr(b':', l) else {
            continue;
        };
        let key = l[..i].trim_ascii();
        let value = l[i + 1..].trim_ascii();
        if key == b"processor" {
            count += 1;
            line = n;
        } else if key == b"model name" && model.is_none() && !value.is_empty() {
            model = Some(value);
        }
    }
    (count > 0).then_some(Cpus { count, model, line })
}

/// `MemTotal:` of `/proc/meminfo`, in bytes.
pub fn mem_total(data: &[u8]) -> Option<(u64, u32)> {
    let (v, n) = colon_field(data, b"MemTotal")?;
    let mut ws = words(v);
    let (_, num) = ws.next()?;
    let kib = parse_u64(num)?;
    let unit = ws.next().map(|(_, u)| u);
    let mul = match unit {
        Some(b"kB" | b"KB" | b"kb") => 1024,
        None => 1,
        _ => return None,
    };
    Some((kib.checked_mul(mul)?, n))
}

/// One row of `snap list`: name and version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snap<'a> {
    /// 1-based line.
    pub line: u32,
    /// Snap name (`kubelet`, `kube-proxy`).
    pub name: &'a [u8],
    /// Version (`1.23.3`).
    pub version: &'a [u8],
}

/// `snap list [--all]`: a `Name  Version  Rev  Tracking  Publisher  Notes` header, then rows.
pub fn snap_list(data: &[u8]) -> Vec<Snap<'_>> {
    let mut out = Vec::new();
    let mut header = false;
    for (n, l) in numbered_lines(data) {
        let mut ws = words(l);
        let (Some((_, name)), Some((_, version))) = (ws.next(), ws.next()) else {
            continue;
        };
        if !header {
            header = name == b"Name" && version == b"Version";
            continue;
        }
        out.push(Snap {
            line: n,
            name,
            version,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        // sos 4.x `sos_commands/host/hostname` and an `etc/hostname` with a comment.
        assert_eq!(
            hostname(b"juju-110cc2-k8stest-4\n"),
            Some((&b"juju-110cc2-k8stest-4"[..], 1))
        );
        assert_eq!(
            hostname(b"# set by cloud-init\n\nnode1.example.com\n"),
            Some((&b"node1.example.com"[..], 3))
        );
        assert_eq!(hostname(b"two words\n"), None);
        assert_eq!(hostname(b""), None);
        // `hostnamectl status` (systemd 245).
        let h = b"   Static hostname: juju-110cc2-k8stest-4\n         Icon name: computer-vm\n  Operating System: Ubuntu 20.04.3 LTS\n            Kernel: Linux 5.4.0-99-generic\n";
        assert_eq!(
            colon_field(h, b"Static hostname"),
            Some((&b"juju-110cc2-k8stest-4"[..], 1))
        );
        assert_eq!(
            colon_field(h, b"Operating System"),
            Some((&b"Ubuntu 20.04.3 LTS"[..], 3))
        );
        assert_eq!(colon_field(h, b"Chassis"), None);
    }

    #[test]
    fn uptimes() {
        // procps `uptime` in its shapes (minutes, hours, days with hours or minutes).
        let cases: &[(&[u8], &[u8], u64)] = &[
            (
                b" 19:23:40 up 25 min,  1 user,  load average: 0.83, 0.73, 0.76\n",
                b"25 min",
                1500,
            ),
            (
                b" 10:12:22 up 3 days,  2:04,  2 users,  load average: 4.10, 3.90, 3.70\n",
                b"3 days,  2:04",
                3 * 86_400 + 2 * 3600 + 4 * 60,
            ),
            (
                b" 08:00:01 up 12 days, 55 min,  0 users,  load average: 0.00, 0.01, 0.05\n",
                b"12 days, 55 min",
                12 * 86_400 + 55 * 60,
            ),
            (
                b" 08:00:01 up  2:04,  1 user,  load average: 0.00, 0.01, 0.05\n",
                b"2:04",
                2 * 3600 + 4 * 60,
            ),
            (
                b" 08:00:01 up 1 day, 23:59, load average: 0.00, 0.01, 0.05\n",
                b"1 day, 23:59",
                86_400 + 23 * 3600 + 59 * 60,
            ),
        ];
        for (input, text, secs) in cases {
            let u = uptime(input);
            assert_eq!(
                u.map(|u| (u.text, u.seconds, u.line)),
                Some((*text, *secs, 1)),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        // `/proc/uptime`.
        let u = uptime(b"1573.87 3020.11\n");
        assert_eq!(
            u.map(|u| (u.text, u.seconds)),
            Some((&b"1573.87"[..], 1573))
        );
        assert_eq!(uptime(b"up and running\n"), None);
        assert_eq!(uptime(b"1.2.3 4\n"), None);
    }

    #[test]
    fn boot_cpus_memory() {
        // `/proc/stat` of a 2-CPU guest.
        let stat = b"cpu  5470 0 2957 288431 2410 0 236 0 0 0\nintr 1\nctxt 2279516\nbtime 1644605886\nprocesses 7166\n";
        assert_eq!(proc_stat_btime(stat), Some((1_644_605_886, 4)));
        // util-linux `lscpu` (2.34).
        let l = b"Architecture:                    x86_64\nCPU op-mode(s):                  32-bit, 64-bit\nCPU(s):                          2\nOn-line CPU(s) list:             0,1\nModel name:                      Intel Core Processor (Haswell, no TSX, IBRS)\n";
        assert_eq!(
            lscpu(l),
            Some(Cpus {
                count: 2,
                model: Some(&b"Intel Core Processor (Haswell, no TSX, IBRS)"[..]),
                line: 3
            })
        );
        let c = b"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n";
        assert_eq!(
            cpuinfo(c),
            Some(Cpus {
                count: 2,
                model: Some(&b"Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"[..]),
                line: 5
            })
        );
        assert_eq!(cpuinfo(b"nothing here\n"), None);
        let m = b"MemTotal:        4026036 kB\nMemFree:          129248 kB\n";
        assert_eq!(mem_total(m), Some((4_026_036 * 1024, 1)));
        assert_eq!(mem_total(b"MemTotal: lots\n"), None);
    }

    #[test]
    fn snaps() {
        // `snap list --all` of a Charmed Kubernetes worker (snapd 2.54).
        let s = b"Name        Version    Rev    Tracking       Publisher   Notes\ncore20      20220114   1328   latest/stable  canonical*  base\nkubelet     1.23.3     2352   1.23/stable    canonical*  classic\n";
        let got: Vec<_> = snap_list(s)
            .iter()
            .map(|s| (s.name, s.version, s.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (&b"core20"[..], &b"20220114"[..], 2),
                (&b"kubelet"[..], &b"1.23.3"[..], 3)
            ]
        );
        assert!(snap_list(b"no header\nkubelet 1.0\n").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = hostname(&data);
            let _ = uptime(&data);
            let _ = proc_stat_btime(&data);
            let _ = lscpu(&data);
            let _ = cpuinfo(&data);
            let _ = mem_total(&data);
            let _ = snap_list(&data);
        }
    }
}
