//! Deterministic generator of the ordinary log traffic of a busy Kubernetes node.
//!
//! Incidents never happen in silence: the evidence lines of a real bundle sit among thousands of
//! kubelet sync loops, probe results, dockerd/containerd event chatter, veth churn in the kernel
//! log and systemd session lines. This module produces that background — same shapes as real
//! nodes (journal `short`, RFC 3164 syslog, plain klog, logrus text) — so that corpus bundles and
//! benchmark inputs exercise the parsers and the prefilter with realistic density. Incident lines
//! are merged in by time with [`merge`].
//!
//! Output is a pure function of the [`Spec`]: the same seed gives the same bytes.

use std::io::{self, Write};

/// A tiny xorshift64* generator: deterministic, fast, good enough for shuffling log shapes.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is remapped).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(n);
        s
    }

    /// A pod uid (`8-4-4-4-12` hex).
    pub fn uid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
}

/// The file shape to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `journalctl` default output (`Aug 20 10:25:54 host ident[pid]: msg`, zero-padded day).
    Journal,
    /// `/var/log/messages` (RFC 3164, space-padded day).
    Syslog,
    /// A plain kubelet log file (klog lines only).
    Klog,
    /// A plain dockerd log file (logrus text lines only).
    Logrus,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Host name in syslog/journal headers.
    pub host: String,
    /// Start time, civil, in the host's zone: (year, month, day, hour, minute, second).
    pub start: (i32, u8, u8, u8, u8, u8),
    /// UTC offset of the host zone in seconds (for logrus `time=` fields).
    pub utc_offset: i32,
    /// Number of lines.
    pub lines: u64,
    /// Mean gap between lines in milliseconds.
    pub mean_gap_ms: u64,
    /// Seed.
    pub seed: u64,
    /// Output shape.
    pub shape: Shape,
}

/// A generated or injected line with its time (milliseconds since the spec's start).
#[derive(Clone, Debug)]
pub struct Timed {
    /// Milliseconds since start.
    pub at_ms: u64,
    /// The full line, without newline.
    pub text: String,
}

/// Process ids of the node's daemons (fixed, like a real boot).
const PIDS: [(&str, u32); 6] = [
    ("kubelet", 12170),
    ("dockerd", 4085),
    ("containerd", 1024),
    ("kube-proxy", 2231),
    ("systemd", 1),
    ("crond", 733),
];

fn pid(name: &str) -> u32 {
    PIDS.iter()
        .find(|(n, _)| *n == name)
        .map_or(1000, |(_, p)| *p)
}

/// A small fixed population of pods and containers so that ids repeat like on a real node.
#[derive(Clone, Debug)]
pub struct Population {
    pods: Vec<(String, String, String)>, // (namespace/name, uid, container id)
    veths: Vec<String>,
}

impl Population {
    /// A population of `n` pods.
    pub fn new(rng: &mut Rng, n: usize) -> Population {
        const APPS: [&str; 8] = [
            "nginx-web",
            "redis-cache",
            "order-api",
            "payment-svc",
            "fluentd",
            "coredns",
            "metrics-agent",
            "user-api",
        ];
        const NS: [&str; 3] = ["default", "kube-system", "prod"];
        let pods = (0..n)
            .map(|i| {
                let name = format!(
                    "{}/{}-{}-{}",
                    NS[i % NS.len()],
                    APPS[i % APPS.len()],
                    &rng.hex(10)[..9],
                    &rng.hex(5)
                );
                (name, rng.uid(), rng.hex(64))
            })
            .collect();
        let veths = (0..n).map(|_| format!("veth{}", rng.hex(7))).collect();
        Population { pods, veths }
    }
}

/// Civil time arithmetic for the generator (no zone rules: offsets are fixed).
fn civil(start: (i32, u8, u8, u8, u8, u8), ms: u64) -> (i32, u8, u8, u8, u8, u8, u32) {
    let (y, mo, d, h, mi, s) = start;
    let days0 = days_from_civil(y, mo, d);
    let total_ms = (h as u64 * 3600 + mi as u64 * 60 + s as u64) * 1000 + ms;
    let days = days0 + (total_ms / 86_400_000) as i64;
    let rem = total_ms % 86_400_000;
    let (y, mo, d) = civil_from_days(days);
    let secs = rem / 1000;
    (
        y,
        mo,
        d,
        (secs / 3600) as u8,
        (secs / 60 % 60) as u8,
        (secs % 60) as u8,
        (rem % 1000) as u32,
    )
}

fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The pieces of one generated line, before the shape's header is put on.
struct Body {
    ident: &'static str,
    pid: u32,
    msg: String,
}

/// Formats a syslog/journal header for `ms` after start.
pub fn header(spec: &Spec, ms: u64, ident: &str, pid: Option<u32>) -> String {
    let (_, mo, d, h, mi, s, _) = civil(spec.start, ms);
    let day = match spec.shape {
        Shape::Syslog => format!("{d:>2}"),
        _ => format!("{d:02}"),
    };
    let tag = match pid {
        Some(p) => format!("{ident}[{p}]"),
        None => ident.to_string(),
    };
    format!(
        "{} {day} {h:02}:{mi:02}:{s:02} {} {tag}:",
        MONTHS[(mo - 1) as usize],
        spec.host
    )
}

/// A klog header (`I0820 10:25:54.561334   12170 file.go:123] `) for `ms` after start.
pub fn klog_header(spec: &Spec, ms: u64, level: char, file: &str, rng: &mut Rng) -> String {
    let (_, mo, d, h, mi, s, milli) = civil(spec.start, ms);
    let micros = milli * 1000 + rng.below(1000) as u32;
    format!(
        "{level}{mo:02}{d:02} {h:02}:{mi:02}:{s:02}.{micros:06} {:>7} {file}] ",
        pid("kubelet")
    )
}

/// A logrus `time="…"` value (RFC 3339 nano with the host offset) for `ms` after start.
pub fn logrus_time(spec: &Spec, ms: u64, rng: &mut Rng) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(spec.start, ms);
    let nanos = milli as u64 * 1_000_000 + rng.below(1_000_000);
    let off = spec.utc_offset;
    let sign = if off < 0 { '-' } else { '+' };
    let off = off.unsigned_abs();
    let zone = if off == 0 {
        "Z".to_string()
    } else {
        format!("{sign}{:02}:{:02}", off / 3600, off / 60 % 60)
    };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{nanos:09}{zone}")
}

fn kubelet(spec: &Spec, ms: u64, rng: &mut Rng, pop: &Population) -> Body {
    let (pod, uid, cid) = &pop.pods[rng.below(pop.pods.len() as u64) as usize];
    let (ns, name) = pod.split_once('/').unwrap_or(("default", pod));
    let msg = match rng.below(9) {
        0 => format!(
            "{}SyncLoop (PLEG): \"{name}_{ns}({uid})\", event: &pleg.PodLifecycleEvent{{ID:\"{uid}\", Type:\"ContainerStarted\", Data:\"{}\"}}",
            klog_header(spec, ms, 'I', "kubelet.go:1903", rng),
            &cid[..64]
        ),
        1 => format!(
            "{}\"Probe succeeded\" probeType=\"Readiness\" pod=\"{ns}/{name}\" podUID={uid} containerName=\"app\"",
            klog_header(spec, ms, 'I', "prober.go:116", rng)
        ),
        2 => format!(
            "{}operationExecutor.VerifyControllerAttachedVolume started for volume \"default-token-{}\" (UniqueName: \"kubernetes.io/secret/{uid}-default-token\") pod \"{name}\" (UID: \"{uid}\")",
            klog_header(spec, ms, 'I', "reconciler.go:224", rng),
            rng.hex(5)
        ),
        3 => format!(
            "{}Failed to get system container stats for \"/system.slice/docker.service\": failed to get cgroup stats for \"/system.slice/docker.service\": failed to get container info for \"/system.slice/docker.service\": unknown container \"/system.slice/docker.service\"",
            klog_header(spec, ms, 'E', "summary_sys_containers.go:47", rng)
        ),
        4 => format!(
            "{}\"SyncLoop UPDATE\" source=\"api\" pods=[{ns}/{name}]",
            klog_header(spec, ms, 'I', "kubelet.go:2115", rng)
        ),
        5 => format!(
            "{}Setting volume ownership for /var/lib/kubelet/pods/{uid}/volumes/kubernetes.io~configmap/config and fsGroup set. If the volume has a lot of files then setting volume ownership could be slow, see https://github.com/kubernetes/kubernetes/issues/69699",
            klog_header(spec, ms, 'W', "volume_linux.go:49", rng)
        ),
        6 => format!(
            "{}\"Pod status updated\" pod=\"{ns}/{name}\" status=\"ready\"",
            klog_header(spec, ms, 'I', "status_manager.go:611", rng)
        ),
        7 => format!(
            "{}RemoveContainer containerID=\"{}\"",
            klog_header(spec, ms, 'I', "scope.go:111", rng),
            &cid[..64]
        ),
        _ => format!(
            "{}GET /healthz: (23.478µs) 200 [[Go-http-client/1.1] 127.0.0.1:45678]",
            klog_header(spec, ms, 'I', "server.go:779", rng)
        ),
    };
    Body {
        ident: "kubelet",
        pid: pid("kubelet"),
        msg,
    }
}

fn dockerd(spec: &Spec, ms: u64, rng: &mut Rng, pop: &Population) -> Body {
    let (_, _, cid) = &pop.pods[rng.below(pop.pods.len() as u64) as usize];
    let t = logrus_time(spec, ms, rng);
    let msg = match rng.below(6) {
        0 => format!(
            "time=\"{t}\" level=info msg=\"ignoring event\" container={cid} module=libcontainerd namespace=moby topic=/tasks/delete type=\"*events.TaskDelete\""
        ),
        1 => format!(
            "time=\"{t}\" level=info msg=\"Container {} failed to exit within 10 seconds of signal 15 - using the force\"",
            &cid[..64]
        ),
        2 => format!(
            "time=\"{t}\" level=warning msg=\"Published ports are discarded when using host network mode\""
        ),
        3 => format!(
            "time=\"{t}\" level=info msg=\"shim reaped\" id={cid} module=\"containerd/tasks\""
        ),
        4 => format!(
            "time=\"{t}\" level=info msg=\"Layer sha256:{} cleaned up\"",
            rng.hex(64)
        ),
        _ => format!(
            "time=\"{t}\" level=info msg=\"Attempting next endpoint for pull after error: manifest unknown: manifest unknown\""
        ),
    };
    Body {
        ident: "dockerd",
        pid: pid("dockerd"),
        msg,
    }
}

fn containerd(spec: &Spec, ms: u64, rng: &mut Rng, pop: &Population) -> Body {
    let (_, _, cid) = &pop.pods[rng.below(pop.pods.len() as u64) as usize];
    let t = logrus_time(spec, ms, rng);
    let msg = match rng.below(4) {
        0 => format!("time=\"{t}\" level=info msg=\"shim disconnected\" id={cid}"),
        1 => format!(
            "time=\"{t}\" level=info msg=\"starting signal loop\" namespace=moby path=/run/containerd/io.containerd.runtime.v2.task/moby/{cid} pid={}",
            20000 + rng.below(40000)
        ),
        2 => format!("time=\"{t}\" level=info msg=\"cleaning up dead shim\""),
        _ => format!(
            "time=\"{t}\" level=warning msg=\"cleanup warnings time=\\\"{t}\\\" level=info msg=\\\"starting signal loop\\\" namespace=moby pid={}\\n\"",
            20000 + rng.below(40000)
        ),
    };
    Body {
        ident: "containerd",
        pid: pid("containerd"),
        msg,
    }
}

fn kernel(rng: &mut Rng, pop: &Population) -> Body {
    let veth = &pop.veths[rng.below(pop.veths.len() as u64) as usize];
    let port = 1 + rng.below(40);
    let msg = match rng.below(6) {
        0 => format!("IPv6: ADDRCONF(NETDEV_CHANGE): {veth}: link becomes ready"),
        1 => format!("docker0: port {port}({veth}) entered blocking state"),
        2 => format!("docker0: port {port}({veth}) entered forwarding state"),
        3 => format!("device {veth} entered promiscuous mode"),
        4 => format!("eth0: renamed from veth{}", rng.hex(7)),
        _ => format!("docker0: port {port}({veth}) entered disabled state"),
    };
    Body {
        ident: "kernel",
        pid: 0,
        msg,
    }
}

fn systemd(rng: &mut Rng, pop: &Population) -> Body {
    let (_, uid, cid) = &pop.pods[rng.below(pop.pods.len() as u64) as usize];
    let msg = match rng.below(5) {
        0 => format!("Started Session {} of user root.", 1000 + rng.below(9000)),
        1 => "Started Kubernetes systemd probe.".to_string(),
        2 => format!(
            "Created slice libcontainer container kubepods-burstable-pod{}.slice.",
            uid.replace('-', "_")
        ),
        3 => format!("Started libcontainer container {cid}."),
        _ => "Starting Cleanup of Temporary Directories...".to_string(),
    };
    Body {
        ident: "systemd",
        pid: 1,
        msg,
    }
}

fn misc(spec: &Spec, ms: u64, rng: &mut Rng) -> Body {
    match rng.below(3) {
        0 => Body {
            ident: "CROND",
            pid: pid("crond") + rng.below(300) as u32,
            msg: "(root) CMD (/usr/lib64/sa/sa1 1 1)".into(),
        },
        1 => Body {
            ident: "kube-proxy",
            pid: pid("kube-proxy"),
            msg: format!(
                "{}syncProxyRules took {}.{}ms",
                klog_header(spec, ms, 'I', "proxier.go:826", rng).replacen("  12170", "   2231", 1),
                rng.below(90),
                rng.below(10)
            ),
        },
        _ => Body {
            ident: "sshd",
            pid: 30000 + rng.below(2000) as u32,
            msg: "pam_unix(sshd:session): session closed for user root".into(),
        },
    }
}

/// Generates the background lines of `spec` (in time order, without newline).
pub fn lines(spec: &Spec) -> impl Iterator<Item = Timed> + '_ {
    let mut rng = Rng::new(spec.seed);
    let pop = Population::new(&mut rng, 24);
    let mut at = 0u64;
    (0..spec.lines).map(move |_| {
        at += rng.below(spec.mean_gap_ms.max(1) * 2);
        let text = match spec.shape {
            Shape::Klog => kubelet(spec, at, &mut rng, &pop).msg,
            Shape::Logrus => dockerd(spec, at, &mut rng, &pop).msg,
            Shape::Journal | Shape::Syslog => {
                let body = match rng.below(20) {
                    0..=7 => kubelet(spec, at, &mut rng, &pop),
                    8..=10 => dockerd(spec, at, &mut rng, &pop),
                    11..=12 => containerd(spec, at, &mut rng, &pop),
                    13..=15 => kernel(&mut rng, &pop),
                    16..=17 => systemd(&mut rng, &pop),
                    _ => misc(spec, at, &mut rng),
                };
                let pid = (body.ident != "kernel").then_some(body.pid);
                format!("{} {}", header(spec, at, body.ident, pid), body.msg)
            }
        };
        Timed { at_ms: at, text }
    })
}

/// Writes the background merged with `inject` (lines with their times, in any order); an
/// injected line goes right after the background lines of the same or earlier time.
pub fn merge(spec: &Spec, inject: &[Timed], out: &mut dyn Write) -> io::Result<()> {
    let mut inject: Vec<&Timed> = inject.iter().collect();
    inject.sort_by_key(|t| t.at_ms);
    let mut next = 0;
    for line in lines(spec) {
        while next < inject.len() && inject[next].at_ms < line.at_ms {
            writeln!(out, "{}", inject[next].text)?;
            next += 1;
        }
        writeln!(out, "{}", line.text)?;
    }
    for t in &inject[next..] {
        writeln!(out, "{}", t.text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(shape: Shape) -> Spec {
        Spec {
            host: "tke-node".into(),
            start: (2020, 8, 20, 9, 0, 0),
            utc_offset: 8 * 3600,
            lines: 500,
            mean_gap_ms: 1500,
            seed: 7,
            shape,
        }
    }

    #[test]
    fn deterministic_and_parsable() {
        for shape in [Shape::Journal, Shape::Syslog, Shape::Klog, Shape::Logrus] {
            let a: Vec<String> = lines(&spec(shape)).map(|t| t.text).collect();
            let b: Vec<String> = lines(&spec(shape)).map(|t| t.text).collect();
            assert_eq!(a, b);
            assert_eq!(a.len(), 500);
            let text = a.join("\n");
            let fmt = analyzer_core::parse::sniff_log(text.as_bytes()).expect("recognised");
            let n = analyzer_core::parse::records(fmt, text.as_bytes()).count();
            assert_eq!(n, 500, "{shape:?} parsed as {fmt:?}");
        }
    }

    #[test]
    fn headers_follow_the_shapes() {
        let s = spec(Shape::Syslog);
        assert_eq!(
            header(&s, 0, "kubelet", Some(12170)),
            "Aug 20 09:00:00 tke-node kubelet[12170]:"
        );
        let mut s2 = spec(Shape::Syslog);
        s2.start = (2020, 8, 7, 23, 59, 59);
        assert_eq!(
            header(&s2, 2000, "kernel", None),
            "Aug  8 00:00:01 tke-node kernel:"
        );
        let mut rng = Rng::new(1);
        assert!(logrus_time(&s, 61_500, &mut rng).starts_with("2020-08-20T09:01:01.5"));
        assert!(logrus_time(&s, 0, &mut rng).ends_with("+08:00"));
    }

    #[test]
    fn injected_lines_are_placed_by_time() {
        let mut s = spec(Shape::Journal);
        s.lines = 20;
        let inject = vec![
            Timed {
                at_ms: 0,
                text: "FIRST".into(),
            },
            Timed {
                at_ms: u64::MAX,
                text: "LAST".into(),
            },
        ];
        let mut out = Vec::new();
        merge(&s, &inject, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 22);
        assert_eq!(lines[21], "LAST");
        assert!(lines.iter().position(|l| *l == "FIRST").unwrap() <= 1);
    }
}
