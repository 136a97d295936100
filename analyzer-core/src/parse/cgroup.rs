//! cgroup control files and `/proc/<pid>/cgroup`.
//!
//! A control file's meaning comes from its member path: `sys/fs/cgroup/pids/kubepods/…/pids.max`
//! is the v1 `pids` hierarchy, cgroup `/kubepods/…`, file `pids.max`; without a hierarchy
//! directory (`sys/fs/cgroup/kubepods.slice/…/memory.max`) it is the v2 unified tree. Values are
//! a number, the literal `max`, or `key value` lines (`pids.events`, `memory.events`,
//! `memory.oom_control`). Container ids and pod uids are read from cgroup paths in every
//! driver's spelling.

use crate::parse::ps::{numbered_lines, parse_u32, words};

/// Where a control file sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgroupFilePath<'a> {
    /// The v1 hierarchy directory (`pids`, `memory`, `cpu,cpuacct`), `None` on v2.
    pub hierarchy: Option<&'a str>,
    /// The cgroup path, starting with `/` (`/kubepods/burstable/pod…/…`).
    pub cgroup: &'a str,
    /// The file name (`pids.max`).
    pub file: &'a str,
}

const V1_HIERARCHIES: &[&str] = &[
    "pids",
    "memory",
    "cpu",
    "cpuacct",
    "cpu,cpuacct",
    "cpuacct,cpu",
    "cpuset",
    "blkio",
    "devices",
    "freezer",
    "hugetlb",
    "net_cls",
    "net_prio",
    "net_cls,net_prio",
    "net_prio,net_cls",
    "perf_event",
    "rdma",
    "misc",
    "systemd",
    "unified",
];

/// Splits a member path under `sys/fs/cgroup/` into hierarchy, cgroup path and file name.
pub fn file_path(path: &str) -> Option<CgroupFilePath<'_>> {
    let i = path.find("sys/fs/cgroup/")?;
    let rest = &path[i + "sys/fs/cgroup/".len()..];
    let (dir, file) = match rest.rfind('/') {
        Some(j) => (&rest[..j], &rest[j + 1..]),
        None => ("", rest),
    };
    let first = dir.split('/').next().unwrap_or("");
    let (hierarchy, cg) = if V1_HIERARCHIES.contains(&first) {
        (Some(first), &dir[first.len()..])
    } else {
        (None, &rest[..dir.len()])
    };
    // `cg` is either empty (root) or `/a/b` (v1) or `a/b` (v2); present it with a leading `/`
    // by borrowing one byte back where possible.
    let cgroup = if cg.is_empty() {
        "/"
    } else if cg.starts_with('/') {
        cg
    } else {
        // v2: the byte before `rest` is the `/` of `sys/fs/cgroup/`.
        let start = i + "sys/fs/cgroup".len();
        &path[start..start + 1 + cg.len()]
    };
    Some(CgroupFilePath {
        hierarchy,
        cgroup,
        file,
    })
}

/// A single-value control file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// A number.
    Value(u64),
    /// The literal `max` (no limit).
    Max,
}

/// Reads a single-value file (`10000`, `max`).
pub fn parse_limit(data: &[u8]) -> Option<Limit> {
    let t = data.trim_ascii();
    if t == b"max" {
        return Some(Limit::Max);
    }
    let (v, n) = crate::base::time::digits_var(t)?;
    (n == t.len()).then_some(Limit::Value(v))
}

/// Reads a `key value` file (`pids.events`, `memory.events`, `memory.oom_control`): the keys, their
/// values and lines.
pub fn parse_keyed(data: &[u8]) -> Vec<(u32, &[u8], u64)> {
    numbered_lines(data)
        .filter_map(|(n, line)| {
            let mut ws = words(line);
            let (_, k) = ws.next()?;
            let (_, v) = ws.next()?;
            let (v, len) = crate::base::time::digits_var(v)?;
            (len > 0).then_some((n, k, v))
        })
        .collect()
}

/// One line of `/proc/<pid>/cgroup`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcCgroup<'a> {
    /// 1-based line.
    pub line: u32,
    /// Hierarchy id (`0` for the unified hierarchy).
    pub hierarchy: u32,
    /// Controllers (`pids`, `cpu,cpuacct`, `name=systemd`, empty on v2).
    pub controllers: &'a [u8],
    /// The cgroup path.
    pub path: &'a [u8],
}

/// Parses `/proc/<pid>/cgroup` (`hierarchy:controllers:path` per line); also accepts the
/// comma-joined form of `ps -o cgroup`, where paths never contain commas followed by a digit and
/// a colon.
pub fn parse_proc_cgroup(data: &[u8]) -> Vec<ProcCgroup<'_>> {
    let mut out = Vec::new();
    for (n, line) in numbered_lines(data) {
        let mut rest = line.trim_ascii();
        while !rest.is_empty() {
            // Each entry ends at a `,` followed by `<digits>:`, or at the end.
            let mut end = rest.len();
            let mut i = 0;
            while let Some(j) = memchr::memchr(b',', &rest[i..]) {
                let k = i + j + 1;
                let d = rest[k..].iter().take_while(|c| c.is_ascii_digit()).count();
                if d > 0 && rest.get(k + d) == Some(&b':') {
                    end = i + j;
                    break;
                }
                i = k;
            }
            let entry = &rest[..end];
            let mut parts = entry.splitn(3, |&b| b == b':');
            if let (Some(h), Some(c), Some(p)) = (parts.next(), parts.next(), parts.next())
                && let Some(h) = parse_u32(h)
            {
                out.push(ProcCgroup {
                    line: n,
                    hierarchy: h,
                    controllers: c,
                    path: p,
                });
            }
            rest = rest.get(end + 1..).unwrap_or(b"");
        }
    }
    out
}

/// What a cgroup path says about its container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerRef<'a> {
    /// The container id (64 hex, or as long as the path gives).
    pub container_id: Option<&'a [u8]>,
    /// The pod uid as written in the path (systemd driver paths use `_` for `-`).
    pub pod_uid: Option<&'a [u8]>,
}

impl ContainerRef<'_> {
    /// The pod uid with dashes (`4d6c…-…`), as Kubernetes prints it.
    pub fn pod_uid_string(&self) -> Option<String> {
        self.pod_uid
            .map(|u| String::from_utf8_lossy(u).replace('_', "-"))
    }
}

fn is_hex_id(b: &[u8]) -> bool {
    b.len() >= 12 && b.iter().all(u8::is_ascii_hexdigit)
}

/// Finds the container id and pod uid in a cgroup path: `/kubepods/burstable/pod<uid>/<cid>`,
/// `…/kubepods-burstable-pod<uid_with_underscores>.slice/docker-<cid>.scope`,
/// `cri-containerd-<cid>.scope`, `crio-<cid>.scope`, `/docker/<cid>`, `/system.slice/docker-<cid>.scope`.
pub fn container_ref(path: &[u8]) -> ContainerRef<'_> {
    let mut r = ContainerRef::default();
    for seg in path.split(|&b| b == b'/') {
        let s = seg.strip_suffix(b".slice").unwrap_or(seg);
        if let Some(i) = memchr::memmem::rfind(s, b"pod") {
            let uid = &s[i + 3..];
            if uid.len() >= 32
                && uid
                    .iter()
                    .all(|c| c.is_ascii_hexdigit() || *c == b'-' || *c == b'_')
            {
                r.pod_uid = Some(uid);
                continue;
            }
        }
        let s = seg.strip_suffix(b".scope").unwrap_or(seg);
        let id = [&b"cri-containerd-"[..], b"docker-", b"crio-", b"libpod-"]
            .iter()
            .find_map(|p| s.strip_prefix(*p))
            .unwrap_or(s);
        if is_hex_id(id) {
            r.container_id = Some(id);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths() {
        // sos copies `/sys/fs/cgroup` (Ubuntu 20.04 sos 4.x: `sys/fs/cgroup/pids/system.slice/…`).
        let p = "sos/sys/fs/cgroup/pids/kubepods/burstable/pod0f3a/abc/pids.max";
        let f = file_path(p).unwrap();
        assert_eq!(f.hierarchy, Some("pids"));
        assert_eq!(f.cgroup, "/kubepods/burstable/pod0f3a/abc");
        assert_eq!(f.file, "pids.max");
        let f = file_path("sys/fs/cgroup/kubepods.slice/memory.max").unwrap();
        assert_eq!(
            (f.hierarchy, f.cgroup, f.file),
            (None, "/kubepods.slice", "memory.max")
        );
        let f = file_path("sys/fs/cgroup/pids/pids.max").unwrap();
        assert_eq!(f.cgroup, "/");
        let f = file_path("sys/fs/cgroup/memory.max").unwrap();
        assert_eq!((f.hierarchy, f.cgroup), (None, "/"));
        assert_eq!(file_path("proc/1/cgroup"), None);
    }

    #[test]
    fn values() {
        // Kernel Documentation/admin-guide/cgroup-v1/pids.rst and cgroup-v2.rst file formats.
        assert_eq!(parse_limit(b"10000\n"), Some(Limit::Value(10000)));
        assert_eq!(parse_limit(b"max\n"), Some(Limit::Max));
        assert_eq!(parse_limit(b"ten"), None);
        let k = parse_keyed(b"low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
        assert_eq!(k.len(), 5);
        assert_eq!(k[2], (3, &b"max"[..], 12));
        let k = parse_keyed(b"oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        assert_eq!(k[2], (3, &b"oom_kill"[..], 3));
    }

    #[test]
    fn proc_cgroup_and_ps_column() {
        // proc(5) `/proc/<pid>/cgroup`, and the comma-joined `ps -o cgroup` column of sos 4.x.
        let d = b"11:pids:/kubepods/burstable/pod4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f/ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e
4:cpu,cpuacct:/kubepods/burstable/pod4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f/ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e
1:name=systemd:/system.slice/docker.service
0::/
";
        let r = parse_proc_cgroup(d);
        assert_eq!(r.len(), 4);
        assert_eq!(r[1].controllers, b"cpu,cpuacct");
        assert_eq!(r[3].hierarchy, 0);
        assert_eq!(r[3].path, b"/");
        let r = parse_proc_cgroup(b"8:pids:/init.scope,3:cpu,cpuacct:/init.scope,0::/init.scope");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].controllers, b"cpu,cpuacct");
        assert_eq!(r[2].path, b"/init.scope");
    }

    #[test]
    fn container_refs() {
        // cgroupfs driver (kubelet ≤1.18 default), systemd driver, containerd CRI scopes.
        let r = container_ref(b"/kubepods/burstable/pod4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f/ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e");
        assert_eq!(
            r.pod_uid,
            Some(&b"4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f"[..])
        );
        assert_eq!(r.container_id.map(<[u8]>::len), Some(64));
        let r = container_ref(b"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod4d6c1a2e_9b7f_4c1e_8a55_0d1b2c3d4e5f.slice/docker-ff329173246bdc6e0c4db8fa0b3d4902380412664f74331b70197c6999f33d4e.scope");
        assert_eq!(
            r.pod_uid_string().as_deref(),
            Some("4d6c1a2e-9b7f-4c1e-8a55-0d1b2c3d4e5f")
        );
        assert!(r.container_id.unwrap().starts_with(b"ff3291"));
        let r = container_ref(
            b"/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:abc",
        );
        assert_eq!(r.container_id, None);
        let r = container_ref(b"/kubepods.slice/cri-containerd-0123456789abcdef0123.scope");
        assert_eq!(r.container_id, Some(&b"0123456789abcdef0123"[..]));
        assert_eq!(
            container_ref(b"/system.slice/docker.service"),
            ContainerRef::default()
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300), path in "[a-z/._-]{0,60}") {
            let _ = parse_proc_cgroup(&data);
            let _ = parse_keyed(&data);
            let _ = parse_limit(&data);
            let _ = container_ref(&data);
            let _ = file_path(&format!("sys/fs/cgroup/{path}"));
        }
    }
}
