//! The host header of a report: which node, what it runs, when the bundle was collected.
//!
//! Every fact names the member (and line) it was read from, so a reader can check it; a fact
//! no member gave is absent (`null` in JSON) and the renderers print `unknown`.

use serde::{Deserialize, Serialize};

use crate::base::{Evidence, Timestamp};
use crate::model::host::HostState;
use crate::model::time::Clock;
use crate::report::text::human_bytes;

/// One fact of the host header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostFact {
    /// The value as shown (`Ubuntu 20.04.3 LTS`, `2 × Intel Xeon…`, `3.8 GiB`).
    pub value: String,
    /// Where it was read: `path:line`, a member path, or how it was derived.
    pub source: String,
}

/// Which node, what it runs, when it was collected: what a support engineer reads first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// Host name.
    pub hostname: Option<HostFact>,
    /// OS release (`PRETTY_NAME` of os-release).
    pub os: Option<HostFact>,
    /// Kernel release.
    pub kernel: Option<HostFact>,
    /// Uptime at collection.
    pub uptime: Option<HostFact>,
    /// Boot time (UTC).
    pub boot_time: Option<HostFact>,
    /// Logical CPUs and model.
    pub cpus: Option<HostFact>,
    /// Total memory.
    pub memory: Option<HostFact>,
    /// Cgroup version: `v1`, `v2` or `hybrid`.
    pub cgroup: Option<HostFact>,
    /// Docker Engine version.
    pub docker: Option<HostFact>,
    /// containerd version.
    pub containerd: Option<HostFact>,
    /// runc version.
    pub runc: Option<HostFact>,
    /// kubelet version.
    pub kubelet: Option<HostFact>,
    /// CRI-O version.
    pub cri_o: Option<HostFact>,
    /// Collection time (UTC).
    pub collected: Option<HostFact>,
}

/// `path:line`, or the path when the fact is about a whole member.
fn cite(e: &Evidence) -> String {
    if e.line > 0 {
        format!("{}:{}", e.path, e.line)
    } else {
        e.path.clone()
    }
}

fn fact(value: String, e: &Evidence) -> Option<HostFact> {
    Some(HostFact {
        value,
        source: cite(e),
    })
}

impl Host {
    /// The header from the host state and the bundle clock.
    pub fn from_state(state: &HostState, clock: &Clock) -> Host {
        let id = &state.identity;
        let version = |c: &str| {
            state
                .versions
                .get(c)
                .and_then(|v| fact(v.version.clone(), &v.evidence))
        };
        let collected = clock.anchor.map(|t| HostFact {
            value: t.to_string(),
            source: clock
                .anchor_source
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        });
        let boot_time = match (&id.boot, clock.boot, &id.uptime, clock.anchor) {
            (Some(b), ..) => fact(
                Timestamp::from_secs_micros(b.value, 0).to_string(),
                &b.evidence,
            ),
            (None, _, Some(u), Some(at)) if clock.anchor_source.is_some() => {
                // Collection time minus uptime: precise to the minute `uptime` prints.
                let secs = at.0.div_euclid(1_000_000) - i64::try_from(u.value.1).unwrap_or(0);
                let secs = secs - secs.rem_euclid(60);
                Some(HostFact {
                    value: format!("{} (about)", Timestamp::from_secs_micros(secs, 0)),
                    source: format!(
                        "{} minus uptime {}",
                        clock.anchor_source.as_deref().unwrap_or("collection time"),
                        cite(&u.evidence)
                    ),
                })
            }
            (None, Some(b), ..) => Some(HostFact {
                value: b.to_string(),
                source: "kernel monotonic times in the logs".into(),
            }),
            _ => None,
        };
        Host {
            hostname: id
                .hostname
                .as_ref()
                .and_then(|h| fact(h.value.clone(), &h.evidence)),
            os: version("os").or_else(|| {
                id.os
                    .as_ref()
                    .and_then(|o| fact(o.value.clone(), &o.evidence))
            }),
            kernel: version("kernel").or_else(|| {
                id.kernel
                    .as_ref()
                    .and_then(|k| fact(k.value.clone(), &k.evidence))
            }),
            uptime: id
                .uptime
                .as_ref()
                .and_then(|u| fact(u.value.0.clone(), &u.evidence)),
            boot_time,
            cpus: id.cpus.as_ref().and_then(|c| {
                let (n, model) = &c.value;
                let v = match model {
                    Some(m) => format!("{n} × {m}"),
                    None => n.to_string(),
                };
                fact(v, &c.evidence)
            }),
            memory: id
                .memory
                .as_ref()
                .and_then(|m| fact(human_bytes(m.value), &m.evidence)),
            cgroup: id
                .cgroup
                .as_ref()
                .and_then(|c| fact(c.value.clone(), &c.evidence)),
            docker: version("docker"),
            containerd: version("containerd"),
            runc: version("runc"),
            kubelet: version("kubelet"),
            cri_o: version("cri-o"),
            collected,
        }
    }

    /// The facts in display order, each with its label.
    pub fn rows(&self) -> [(&'static str, Option<&HostFact>); 14] {
        [
            ("Hostname", self.hostname.as_ref()),
            ("OS", self.os.as_ref()),
            ("Kernel", self.kernel.as_ref()),
            ("Uptime", self.uptime.as_ref()),
            ("Boot time", self.boot_time.as_ref()),
            ("CPUs", self.cpus.as_ref()),
            ("Memory", self.memory.as_ref()),
            ("Cgroup", self.cgroup.as_ref()),
            ("Docker", self.docker.as_ref()),
            ("containerd", self.containerd.as_ref()),
            ("runc", self.runc.as_ref()),
            ("kubelet", self.kubelet.as_ref()),
            ("CRI-O", self.cri_o.as_ref()),
            ("Collected", self.collected.as_ref()),
        ]
    }

    /// True when no member gave any fact (loose logs, a lone dump).
    pub fn is_empty(&self) -> bool {
        self.rows().iter().all(|(_, f)| f.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::host::HostBuilder;
    use crate::model::time::ClockBuilder;

    // The shapes of a sos 4.2 report of an Ubuntu 20.04 Kubernetes node.
    fn build() -> (HostState, Clock) {
        use crate::base::Format;
        let mut b = HostBuilder::new();
        b.add(
            "sos_commands/host/hostname",
            Format::Hostname,
            b"juju-110cc2-k8stest-4\n",
        );
        b.add(
            "sos_commands/kernel/uname_-a",
            Format::Uname,
            b"Linux other-name 5.4.0-99-generic #112-Ubuntu SMP Thu Feb 3 13:50:55 UTC 2022 x86_64 x86_64 x86_64 GNU/Linux\n",
        );
        b.add(
            "etc/os-release",
            Format::OsRelease,
            b"NAME=\"Ubuntu\"\nPRETTY_NAME=\"Ubuntu 20.04.3 LTS\"\n",
        );
        b.add(
            "sos_commands/host/uptime",
            Format::Uptime,
            b" 19:23:40 up 25 min,  1 user,  load average: 0.83, 0.73, 0.76\n",
        );
        b.add(
            "sos_commands/processor/lscpu",
            Format::Lscpu,
            b"Architecture:  x86_64\nCPU(s):        2\nModel name:    Intel Core Processor (Haswell, no TSX, IBRS)\n",
        );
        b.add(
            "proc/cpuinfo",
            Format::Cpuinfo,
            b"processor\t: 0\nprocessor\t: 1\nprocessor\t: 2\n",
        );
        b.add(
            "proc/meminfo",
            Format::Meminfo,
            b"MemTotal:        4026036 kB\nMemFree:          129248 kB\n",
        );
        b.add(
            "sos_commands/dpkg/dpkg_-l",
            Format::Packages,
            b"ii  containerd  1.5.5-0ubuntu3~20.04.1  amd64  daemon to control runC\nii  runc  1.0.1-0ubuntu2~20.04.1  amd64  Open Container Project - runtime\n",
        );
        b.add(
            "sys/fs/cgroup/pids/system.slice/containerd.service/pids.max",
            Format::Cgroup,
            b"max\n",
        );
        b.add(
            "sys/fs/cgroup/unified/system.slice/containerd.service/cgroup.stat",
            Format::Unknown,
            b"nr_descendants 0\n",
        );
        let mut c = ClockBuilder::new();
        c.add_date("sos_commands/date/date", b"Fri Feb 11 19:23:39 UTC 2022\n");
        (b.finish(), c.finish())
    }

    #[test]
    fn every_fact_cites_its_member() {
        let (state, clock) = build();
        let h = Host::from_state(&state, &clock);
        let rows: Vec<(&str, String)> = h
            .rows()
            .iter()
            .map(|(k, f)| {
                (
                    *k,
                    f.map_or("unknown".to_string(), |f| {
                        format!("{} [{}]", f.value, f.source)
                    }),
                )
            })
            .collect();
        let want = [
            (
                "Hostname",
                "juju-110cc2-k8stest-4 [sos_commands/host/hostname:1]",
            ),
            ("OS", "Ubuntu 20.04.3 LTS [etc/os-release:2]"),
            (
                "Kernel",
                "5.4.0-99-generic [sos_commands/kernel/uname_-a:1]",
            ),
            ("Uptime", "25 min [sos_commands/host/uptime:1]"),
            (
                "Boot time",
                "2022-02-11T18:58:00Z (about) [sos_commands/date/date minus uptime sos_commands/host/uptime:1]",
            ),
            (
                "CPUs",
                "2 × Intel Core Processor (Haswell, no TSX, IBRS) [sos_commands/processor/lscpu:2]",
            ),
            ("Memory", "3.8 GiB [proc/meminfo:1]"),
            (
                "Cgroup",
                "hybrid [sys/fs/cgroup/unified/system.slice/containerd.service/cgroup.stat]",
            ),
            ("Docker", "unknown"),
            (
                "containerd",
                "1.5.5-0ubuntu3~20.04.1 [sos_commands/dpkg/dpkg_-l:1]",
            ),
            (
                "runc",
                "1.0.1-0ubuntu2~20.04.1 [sos_commands/dpkg/dpkg_-l:2]",
            ),
            ("kubelet", "unknown"),
            ("CRI-O", "unknown"),
            ("Collected", "2022-02-11T19:23:39Z [sos_commands/date/date]"),
        ];
        let want: Vec<(&str, String)> = want.iter().map(|(k, v)| (*k, v.to_string())).collect();
        assert_eq!(rows, want);
        assert!(!h.is_empty());
        assert!(Host::from_state(&HostState::default(), &Clock::default()).is_empty());
    }

    #[test]
    fn boot_time_from_proc_stat_and_cgroup_v2() {
        use crate::base::Format;
        let mut b = HostBuilder::new();
        b.add(
            "proc/stat",
            Format::ProcStat,
            b"cpu  1 2 3\nbtime 1644605886\n",
        );
        b.add("proc/1/cgroup", Format::ProcCgroup, b"0::/init.scope\n");
        b.add(
            "sos_commands/host/hostnamectl_status",
            Format::Hostnamectl,
            b"   Static hostname: node7\n  Operating System: Fedora Linux 39\n            Kernel: Linux 6.5.6-300.fc39.x86_64\n",
        );
        let h = Host::from_state(&b.finish(), &Clock::default());
        let v = |f: &Option<HostFact>| f.as_ref().map(|f| (f.value.clone(), f.source.clone()));
        assert_eq!(
            v(&h.boot_time),
            Some(("2022-02-11T18:58:06Z".into(), "proc/stat:2".into()))
        );
        assert_eq!(v(&h.cgroup), Some(("v2".into(), "proc/1/cgroup:1".into())));
        assert_eq!(
            v(&h.hostname),
            Some((
                "node7".into(),
                "sos_commands/host/hostnamectl_status:1".into()
            ))
        );
        assert_eq!(v(&h.os).map(|x| x.0), Some("Fedora Linux 39".to_string()));
        assert_eq!(
            v(&h.kernel).map(|x| x.0),
            Some("6.5.6-300.fc39.x86_64".to_string())
        );
        assert_eq!(h.collected, None);
    }
}
