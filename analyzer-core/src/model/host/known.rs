//! Known-affected component versions, each with the upstream reference that establishes it.

use std::cmp::Ordering;

use serde::Serialize;

use crate::parse::versions::compare;

/// A known problem of a component version range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KnownIssue {
    /// Short id (`runc-exec-fifo-race`).
    pub id: &'static str,
    /// The component (`runc`, `docker`, `containerd`, `kernel`, `docker-storage-driver`).
    pub component: &'static str,
    /// First affected version (inclusive); empty for "any".
    pub from: &'static str,
    /// First fixed version (exclusive bound); empty for "not fixed by version".
    pub fixed: &'static str,
    /// What goes wrong.
    pub summary: &'static str,
    /// Upstream reference.
    pub reference: &'static str,
}

/// The table. Small on purpose: only ranges with an upstream reference.
pub const KNOWN_ISSUES: &[KnownIssue] = &[
    KnownIssue {
        id: "runc-exec-fifo-race",
        component: "runc",
        from: "",
        fixed: "1.0.0-rc5",
        summary: "runc blocks forever opening exec.fifo when the init stub dies (e.g. OOM-killed) during start",
        reference: "https://github.com/opencontainers/runc/pull/1698",
    },
    KnownIssue {
        id: "docker-bundled-runc-fifo-race",
        component: "docker",
        from: "17.03",
        fixed: "18.03",
        summary: "Docker CE before 18.03 bundles a runc without the exec.fifo race fix",
        reference: "https://github.com/moby/moby/pull/36097",
    },
    KnownIssue {
        id: "containerd-runc-fifo-hang",
        component: "containerd",
        from: "1.0.0",
        fixed: "1.0.2",
        summary: "containerd before 1.0.2 pairs with a runc that can hang on the exec FIFO race",
        reference: "https://github.com/containerd/containerd/pull/2074",
    },
    KnownIssue {
        id: "kernel-unregister-netdevice",
        component: "kernel",
        from: "3.0",
        fixed: "4.0",
        summary: "3.x kernels leak network device references: `unregister_netdevice: waiting for lo to become free`",
        reference: "https://github.com/moby/moby/issues/5618",
    },
    KnownIssue {
        id: "devicemapper-deprecated",
        component: "docker-storage-driver",
        from: "devicemapper",
        fixed: "",
        summary: "the devicemapper storage driver is deprecated (Docker 18.09) and removed in Docker 25",
        reference: "https://docs.docker.com/engine/deprecated/#device-mapper-storage-driver",
    },
];

/// True when `v` reads as a version (a digit, or `v` and a digit, and a dot), not a commit hash.
pub fn looks_like_version(v: &str) -> bool {
    let t = v.strip_prefix('v').unwrap_or(v);
    t.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && t.contains('.')
        && t.bytes().take_while(|c| c.is_ascii_alphanumeric()).count() < 7
}

/// The issues affecting `component` at `version`.
pub fn affected(component: &str, version: &str) -> Vec<KnownIssue> {
    KNOWN_ISSUES
        .iter()
        .filter(|k| k.component == component)
        .filter(|k| {
            if k.component == "docker-storage-driver" {
                return version == k.from;
            }
            if !looks_like_version(version) {
                return false;
            }
            let v = version.as_bytes();
            (k.from.is_empty() || compare(v, k.from.as_bytes()) != Ordering::Less)
                && (k.fixed.is_empty() || compare(v, k.fixed.as_bytes()) == Ordering::Less)
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let ids = |c, v| affected(c, v).iter().map(|k| k.id).collect::<Vec<_>>();
        assert_eq!(ids("runc", "1.0.0-rc4"), vec!["runc-exec-fifo-race"]);
        assert!(ids("runc", "1.0.0-rc5").is_empty());
        assert!(ids("runc", "1.0.1-0ubuntu2~20.04.1").is_empty());
        assert!(ids("runc", "3f2f8b84a77f73d38244dd690525642a72156c64").is_empty());
        assert_eq!(
            ids("docker", "17.09.0-ce"),
            vec!["docker-bundled-runc-fifo-race"]
        );
        assert!(ids("docker", "18.09.9").is_empty());
        assert_eq!(
            ids("containerd", "1.0.1"),
            vec!["containerd-runc-fifo-hang"]
        );
        assert!(ids("containerd", "1.5.5-0ubuntu3~20.04.1").is_empty());
        assert_eq!(
            ids("kernel", "3.10.0-693.el7.x86_64"),
            vec!["kernel-unregister-netdevice"]
        );
        assert!(ids("kernel", "5.4.0-99-generic").is_empty());
        assert_eq!(
            ids("docker-storage-driver", "devicemapper"),
            vec!["devicemapper-deprecated"]
        );
    }
}
