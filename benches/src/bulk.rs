//! Large inputs for the whole-program benchmarks: multi-GB node logs with incidents sprinkled in,
//! and a sosreport-shaped tree packed as `.tar.gz` / `.tar.xz`.
//!
//! Everything is deterministic for a given size and seed. Background lines come from
//! [`crate::noise::lines`]; incident blocks (OOM kill, hung task, PLEG, runc init failure, pids
//! controller, leaked netns) are the lines of `/work/shared/docs/signatures.md` §1–§4.

use std::io::{self, Write};

use crate::noise::{self, Rng, Shape, Spec};

/// Background lines between two incident blocks.
pub const INCIDENT_EVERY: u64 = 25_000;

/// Counts of what a log writer produced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogsWritten {
    /// Lines written.
    pub lines: u64,
    /// Incident blocks injected.
    pub incidents: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// The spec of a bulk log of `shape`; the start is late in the year so that multi-GB journals
/// cross a new year (the year tracker is exercised).
pub fn spec(shape: Shape, seed: u64) -> Spec {
    Spec {
        host: "bench-node-7".into(),
        start: (2020, 11, 20, 9, 0, 0),
        utc_offset: 8 * 3600,
        lines: u64::MAX,
        mean_gap_ms: 400,
        seed,
        shape,
    }
}

/// The incident lines at `ms` after start, `(ident, pid, message)` for journal/syslog shapes.
/// Sources: OOM (apache/doris#3525, runc#1980), hung task (NPD kernel-monitor.json), PLEG
/// (kubernetes/kubernetes#45419), runc init (moby#42953), pids (seed-002), netns (moby#5618).
fn incident(
    n: u64,
    spec: &Spec,
    ms: u64,
    rng: &mut Rng,
) -> Vec<(&'static str, Option<u32>, String)> {
    let pid = 20_000 + rng.below(9_000) as u32;
    let cid = rng.hex(64);
    match n % 5 {
        0 => vec![
            (
                "kernel",
                None,
                "runc:[2:INIT] invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=998"
                    .to_string(),
            ),
            (
                "kernel",
                None,
                format!(
                    "Task in /kubepods/burstable/pod{}/{cid} killed as a result of limit of /kubepods/burstable/pod{}",
                    rng.uid(),
                    rng.uid()
                ),
            ),
            (
                "kernel",
                None,
                format!(
                    "Memory cgroup out of memory: Kill process {pid} (java) score 968 or sacrifice child"
                ),
            ),
            (
                "kernel",
                None,
                format!(
                    "Killed process {pid} (java) total-vm:7034778kB, anon-rss:4556357kB, file-rss:0kB, shmem-rss:0kB"
                ),
            ),
        ],
        1 => vec![
            (
                "kernel",
                None,
                "INFO: task dockerd:4085 blocked for more than 120 seconds.".to_string(),
            ),
            (
                "kernel",
                None,
                "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message."
                    .to_string(),
            ),
        ],
        2 => vec![(
            "kubelet",
            Some(12170),
            format!(
                "{}skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m{}.5s ago; threshold is 3m0s]",
                noise::klog_header(spec, ms, 'E', "kubelet.go:1845", rng),
                rng.below(60)
            ),
        )],
        3 => vec![(
            "dockerd",
            Some(4085),
            format!(
                "time=\"{}\" level=error msg=\"Handler for POST /v1.40/containers/{}/start returned error: OCI runtime create failed: container_linux.go:380: starting container process caused: process_linux.go:722: waiting for init preliminary setup caused: read init-p: connection reset by peer: unknown\"",
                noise::logrus_time(spec, ms, rng),
                &cid[..12]
            ),
        )],
        _ => vec![
            (
                "kernel",
                None,
                "unregister_netdevice: waiting for eth0 to become free. Usage count = 1"
                    .to_string(),
            ),
            (
                "kernel",
                None,
                format!(
                    "cgroup: fork rejected by pids controller in /kubepods/burstable/pod{}",
                    rng.uid()
                ),
            ),
        ],
    }
}

/// Writes `size` bytes (rounded up to a whole line) of journal/syslog `shape` text: background
/// traffic with an incident block every [`INCIDENT_EVERY`] lines.
pub fn write_logs(
    shape: Shape,
    size: u64,
    seed: u64,
    out: &mut dyn Write,
) -> io::Result<LogsWritten> {
    let spec = spec(shape, seed);
    let mut rng = Rng::new(seed ^ 0x1c1d);
    let mut w = LogsWritten::default();
    let mut buf = Vec::with_capacity(128 << 10);
    for line in noise::lines(&spec) {
        if w.bytes + buf.len() as u64 >= size {
            break;
        }
        w.lines += 1;
        if w.lines % INCIDENT_EVERY == 0 {
            for (ident, pid, msg) in incident(w.incidents, &spec, line.at_ms, &mut rng) {
                let text = match shape {
                    Shape::Journal | Shape::Syslog => {
                        format!("{} {msg}", noise::header(&spec, line.at_ms, ident, pid))
                    }
                    Shape::Klog | Shape::Logrus => msg,
                };
                buf.extend_from_slice(text.as_bytes());
                buf.push(b'\n');
                w.lines += 1;
            }
            w.incidents += 1;
        }
        buf.extend_from_slice(line.text.as_bytes());
        buf.push(b'\n');
        if buf.len() >= 120 << 10 {
            out.write_all(&buf)?;
            w.bytes += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    w.bytes += buf.len() as u64;
    Ok(w)
}

/// Writes `size` bytes of `dmesg` output (`[  12.345678] message`): kernel background with an
/// OOM and a hung-task block every [`INCIDENT_EVERY`] lines.
pub fn write_dmesg(size: u64, seed: u64, out: &mut dyn Write) -> io::Result<LogsWritten> {
    let spec = spec(Shape::Journal, seed);
    let mut rng = Rng::new(seed ^ 0xd3e5);
    let mut w = LogsWritten::default();
    let mut buf = Vec::with_capacity(128 << 10);
    let mut micros = 1_000_000u64;
    // Kernel messages of the journal background, without their header.
    for line in noise::lines(&spec) {
        if w.bytes + buf.len() as u64 >= size {
            break;
        }
        let Some((_, msg)) = line.text.split_once(" kernel: ") else {
            continue;
        };
        micros += 1 + rng.below(400_000);
        let put = |buf: &mut Vec<u8>, msg: &str, micros: u64| {
            let _ = writeln!(
                buf,
                "[{:>5}.{:06}] {msg}",
                micros / 1_000_000,
                micros % 1_000_000
            );
        };
        w.lines += 1;
        if w.lines % (INCIDENT_EVERY / 4) == 0 {
            for (ident, _, msg) in incident(w.incidents * 5, &spec, line.at_ms, &mut rng) {
                if ident == "kernel" {
                    put(&mut buf, &msg, micros);
                    w.lines += 1;
                }
            }
            w.incidents += 1;
        }
        put(&mut buf, msg, micros);
        if buf.len() >= 120 << 10 {
            out.write_all(&buf)?;
            w.bytes += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    w.bytes += buf.len() as u64;
    Ok(w)
}

/// Compression of a generated sosreport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compress {
    /// `.tar.gz`, deflate level 6 (gzip's default).
    Gz,
    /// `.tar.xz`, preset 1 (decompression speed hardly depends on the preset).
    Xz,
}

/// Host-state files of a small node, `(path, text)`, so that the non-log parsers run too.
/// Shapes follow the seed-004 corpus bundle (sos 3.x `sos_commands/…` names).
fn host_files(name: &str) -> Vec<(String, String)> {
    let mut ps = String::from(
        "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n\
root           1  0.0  0.0 191036  4096 ?        Ss   Nov20   0:12 /usr/lib/systemd/systemd --switched-root --system --deserialize 22\n\
root        1024  0.5  0.3 1348920 52340 ?       Ssl  Nov20   9:02 /usr/bin/containerd\n\
root        4085  2.1  1.2 2934120 198432 ?      Ssl  Nov20  41:17 /usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n\
root       12170  3.4  0.9 1985212 150112 ?      Ssl  Nov20  65:40 /usr/bin/kubelet --config=/var/lib/kubelet/config.yaml\n",
    );
    for i in 0..40u32 {
        ps.push_str(&format!(
            "root       {:>5}  0.0  0.0 108736  6012 ?        Sl   Nov20   0:03 containerd-shim -namespace moby -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/moby/{:064x} -address /run/containerd/containerd.sock -containerd-binary /usr/bin/containerd -runtime-root /var/run/docker/runtime-runc\n",
            30_000 + i * 7,
            0x5eed_0000_u64 + i as u64
        ));
    }
    vec![
        (format!("{name}/sos_commands/process/ps_auxwwwm"), ps),
        (
            format!("{name}/sos_commands/kernel/uname_-a"),
            "Linux bench-node-7 4.19.90-2107.6.0.0100.oe1.bclinux.x86_64 #1 SMP Wed Dec 1 19:59:49 CST 2021 x86_64 x86_64 x86_64 GNU/Linux\n".into(),
        ),
        (
            format!("{name}/sos_commands/date/date"),
            "Fri Jan 15 09:12:44 CST 2021\n".into(),
        ),
        (
            format!("{name}/etc/os-release"),
            "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n".into(),
        ),
        (
            format!("{name}/uptime"),
            " 09:12:44 up 55 days, 23:56,  1 user,  load average: 3.12, 2.85, 2.70\n".into(),
        ),
    ]
}

/// Writes a sosreport of about `size` uncompressed bytes as a compressed tar to `out`:
/// `sos_commands/logs/journalctl_--no-pager` (50 %), `var/log/messages` (25 %),
/// `var/log/kubelet.log` klog (10 %), `var/log/docker.log` logrus (8 %),
/// `sos_commands/kernel/dmesg` (4 %), a dockerd goroutine dump (3 %) and host-state files.
/// Each member is generated in memory, then streamed into the archive.
pub fn write_sosreport(
    size: u64,
    compress: Compress,
    seed: u64,
    out: &mut dyn Write,
) -> io::Result<u64> {
    let name = "sosreport-bench-node-7-2021-01-15-abcdef";
    let enc: Box<dyn Write + '_> = match compress {
        Compress::Gz => Box::new(flate2::write::GzEncoder::new(
            out,
            flate2::Compression::new(6),
        )),
        Compress::Xz => Box::new(liblzma::write::XzEncoder::new(out, 1)),
    };
    let mut tar = tar::Builder::new(enc);
    let mut total = 0u64;
    let mut put =
        |tar: &mut tar::Builder<Box<dyn Write + '_>>, path: &str, data: &[u8]| -> io::Result<()> {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_mtime(1_610_673_164);
            h.set_entry_type(tar::EntryType::Regular);
            h.set_cksum();
            total += data.len() as u64;
            tar.append_data(&mut h, path, data)
        };
    let pct = |p: u64| size / 100 * p;
    let mut data = Vec::new();
    write_logs(Shape::Journal, pct(50), seed, &mut data)?;
    put(
        &mut tar,
        &format!("{name}/sos_commands/logs/journalctl_--no-pager"),
        &data,
    )?;
    data.clear();
    write_logs(Shape::Syslog, pct(25), seed + 1, &mut data)?;
    put(&mut tar, &format!("{name}/var/log/messages"), &data)?;
    data.clear();
    write_logs(Shape::Klog, pct(10), seed + 2, &mut data)?;
    put(&mut tar, &format!("{name}/var/log/kubelet.log"), &data)?;
    data.clear();
    write_logs(Shape::Logrus, pct(8), seed + 3, &mut data)?;
    put(&mut tar, &format!("{name}/var/log/docker.log"), &data)?;
    data.clear();
    write_dmesg(pct(4), seed + 4, &mut data)?;
    put(
        &mut tar,
        &format!("{name}/sos_commands/kernel/dmesg"),
        &data,
    )?;
    data.clear();
    // About 1 KiB per goroutine.
    crate::dump::write((pct(3) / 1040).max(10), seed + 5, &mut data)?;
    put(
        &mut tar,
        &format!("{name}/var/run/docker/goroutine-stacks-2021-01-15T011244Z.log"),
        &data,
    )?;
    drop(data);
    for (path, text) in host_files(name) {
        put(&mut tar, &path, text.as_bytes())?;
    }
    let mut enc = tar.into_inner()?;
    enc.flush()?;
    drop(enc);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bulk log is deterministic, parses line for line and carries its incident blocks.
    #[test]
    fn logs_deterministic_with_incidents() {
        let mut a = Vec::new();
        let w = write_logs(Shape::Journal, 12 << 20, 3, &mut a).unwrap();
        let mut b = Vec::new();
        write_logs(Shape::Journal, 12 << 20, 3, &mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(w.bytes, a.len() as u64);
        assert_eq!(w.lines, a.iter().filter(|&&c| c == b'\n').count() as u64);
        assert!(w.incidents >= 2, "{w:?}");
        let fmt = analyzer_core::parse::sniff_log(&a).expect("recognised");
        assert_eq!(
            analyzer_core::parse::records(fmt, &a).count() as u64,
            w.lines
        );
        let oom = memchr::memmem::find_iter(&a, b"invoked oom-killer").count() as u64;
        assert_eq!(oom, w.incidents.div_ceil(5));
    }

    /// dmesg lines carry the kernel monotonic stamp and parse as dmesg.
    #[test]
    fn dmesg_parses() {
        let mut a = Vec::new();
        let w = write_dmesg(1 << 20, 1, &mut a).unwrap();
        assert!(
            a.starts_with(b"[    1."),
            "{:?}",
            String::from_utf8_lossy(&a[..40])
        );
        let fmt = analyzer_core::parse::sniff_log(&a).expect("recognised");
        assert_eq!(fmt, analyzer_core::base::Format::Dmesg);
        assert_eq!(
            analyzer_core::parse::records(fmt, &a).count() as u64,
            w.lines
        );
    }
}
