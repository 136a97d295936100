//! The cgroup tree `systemctl status` prints: under `CGroup: /system.slice/docker.service` (or
//! for the whole machine with no unit named), one node a line behind tree glyphs, a cgroup
//! (`├─docker-<id>.scope`, `└─kubepods-besteffort.slice`) or a process (`└─345003 runc init`,
//! `├─ 1619 /usr/bin/dockerd`). The glyphs are `├─ └─ │` in a UTF-8 locale and `|- `- |` in
//! others; a node's depth is the column its glyph starts at, so a fragment cut from the middle
//! of a tree or re-indented by a paste still reads, each node under the nearest shallower one.
//!
//! [`init_only_scopes`] keeps the container scopes whose only processes are runc's init stub
//! (`runc init`, `runc:[2:INIT]`): a container whose init never exec'd its process. One such
//! scope is what any node shows for the instant a container starts; several at once, or one
//! that stays, is init blocked on its exec fifo.

use crate::parse::ps::{numbered_lines, parse_u32};

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeNode<'a> {
    /// 1-based line.
    pub line: u32,
    /// Byte column of the node's glyph (its depth).
    pub depth: usize,
    /// The process id, for a process node.
    pub pid: Option<u32>,
    /// A cgroup's name, or a process's command line.
    pub text: &'a [u8],
}

/// Branch glyphs and what follows them: `├─`, `└─` (UTF-8) and `|-`, `` `- `` (ASCII).
const GLYPHS: &[&[u8]] = &["├─".as_bytes(), "└─".as_bytes(), b"|-", b"`-"];

/// Reads one tree line: the glyph's column and the node after it.
fn node(n: u32, line: &[u8]) -> Option<TreeNode<'_>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // The root: `CGroup: /system.slice/docker-<id>.scope`, named by its last component.
    let t = line.trim_ascii_start();
    if let Some(path) = t.strip_prefix(b"CGroup: ") {
        let path = path.trim_ascii();
        return Some(TreeNode {
            line: n,
            depth: line.len() - t.len(),
            pid: None,
            text: path.rsplit(|&c| c == b'/').next().unwrap_or(path),
        });
    }
    let (at, g) = GLYPHS
        .iter()
        .filter_map(|g| memchr::memmem::find(line, g).map(|i| (i, g.len())))
        .min()?;
    // Only glyphs, vertical bars and blanks before the branch.
    let lead = &line[..at];
    let mut rest = lead;
    while let Some(c) = rest.first() {
        if c.is_ascii_whitespace() || *c == b'|' {
            rest = &rest[1..];
        } else if let Some(r) = rest.strip_prefix("│".as_bytes()) {
            rest = r;
        } else {
            return None;
        }
    }
    let body = line[at + g..].trim_ascii();
    if body.is_empty() {
        return None;
    }
    let end = body
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let pid = if end > 0 && body.get(end) == Some(&b' ') {
        parse_u32(&body[..end])
    } else {
        None
    };
    let text = if pid.is_some() {
        body[end..].trim_ascii()
    } else {
        body
    };
    Some(TreeNode {
        line: n,
        depth: at,
        pid,
        text,
    })
}

/// Parses every tree line of `data`: lines that are not tree nodes are skipped.
pub fn parse_tree(data: &[u8]) -> Vec<TreeNode<'_>> {
    numbered_lines(data)
        .filter_map(|(n, l)| node(n, l))
        .collect()
}

/// Whether a cgroup name is one container's: `docker-<id>.scope`, `cri-containerd-<id>.scope`,
/// `crio-<id>.scope`, `libpod-<id>.scope` (systemd driver) or a bare 64-hex directory
/// (cgroupfs driver). `crio-conmon-<id>.scope` holds CRI-O's monitor, not the container.
pub fn is_container_scope(name: &[u8]) -> bool {
    let hex = |s: &[u8]| s.len() >= 32 && s.iter().all(u8::is_ascii_hexdigit);
    if let Some(s) = name.strip_suffix(b".scope") {
        return [&b"docker-"[..], b"cri-containerd-", b"crio-", b"libpod-"]
            .iter()
            .any(|p| s.strip_prefix(*p).is_some_and(hex));
    }
    name.len() == 64 && hex(name)
}

/// Whether a process's command line is runc's init stub: `runc init`, `/usr/bin/runc init`,
/// `runc:[2:INIT]` (the comm it takes while it waits on the exec fifo), `runc:[1:CHILD]`.
pub fn is_runc_init(cmd: &[u8]) -> bool {
    if cmd.starts_with(b"runc:[") {
        return true;
    }
    let mut ws = cmd.split(|&c| c == b' ').filter(|w| !w.is_empty());
    let Some(first) = ws.next() else {
        return false;
    };
    let base = first.rsplit(|&c| c == b'/').next().unwrap_or(first);
    matches!(base, b"runc" | b"docker-runc") && ws.next() == Some(&b"init"[..])
}

/// A container scope whose only processes are runc's init stub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitScope<'a> {
    /// The scope node.
    pub scope: &'a TreeNode<'a>,
    /// Its processes (all `runc init`).
    pub inits: Vec<&'a TreeNode<'a>>,
}

/// The container scopes of `nodes` that hold processes, all of them runc's init stub. A
/// process belongs to the nearest node above it that is shallower and is a cgroup.
pub fn init_only_scopes<'a>(nodes: &'a [TreeNode<'a>]) -> Vec<InitScope<'a>> {
    let mut out = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if n.pid.is_some() || !is_container_scope(n.text) {
            continue;
        }
        let mut procs = Vec::new();
        for m in &nodes[i + 1..] {
            if m.depth <= n.depth {
                break;
            }
            if m.pid.is_some() {
                procs.push(m);
            }
        }
        if !procs.is_empty() && procs.iter().all(|p| is_runc_init(p.text)) {
            out.push(InitScope {
                scope: n,
                inits: procs,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_holding_only_runc_init() {
        // runc issue 2828 (docker 19.03.15, runc 1.0.0-rc93): a fragment of `systemctl status`
        // re-indented by the paste; the first process's scope is cut off.
        let d = "systemctl status
   │ │ └─555906 runc init
           │ ├─docker-8f98bb94a6345097f91845e90e15827d8656753e1282ad1cd66ebc4b9a3f5009.scope
           │ │ └─345003 runc init
           │ ├─docker-42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517.scope
           │ │ └─49695 runc init
           │ ├─docker-4f87550b15443da4ea91f94c04ffa1985dcd0c936424a61c82c4856a5502f59b.scope
           │ │ └─602496 runc init
";
        let nodes = parse_tree(d.as_bytes());
        assert_eq!(nodes.len(), 7);
        assert_eq!(nodes[0].pid, Some(555906));
        assert_eq!(nodes[0].text, b"runc init");
        assert_eq!(nodes[1].pid, None);
        let s = init_only_scopes(&nodes);
        assert_eq!(s.len(), 3);
        assert_eq!(
            s.iter().map(|x| x.scope.line).collect::<Vec<_>>(),
            [3, 5, 7]
        );
        assert_eq!(s[0].inits[0].pid, Some(345003));
        assert_eq!(s[2].inits[0].line, 8);
    }

    #[test]
    fn running_containers_and_service_trees_do_not_count() {
        // coreos bugs 114: a scope with its container's process; moby 32893-like docker.service
        // tree with shims; a scope during `docker exec` holds the process and runc init.
        let d = "   CGroup: /system.slice/docker-88c2b299dfecdb8f89ffa889af8c72cbb25bf7d203c12883b08960ad469a92fc.scope
           └─19749 /bin/sleep 3000
   CGroup: /system.slice/docker.service
           ├─ 1619 /usr/bin/dockerd
           ├─ 1676 docker-containerd --config /var/run/docker/containerd/containerd.toml
           ├─ 2762 docker-containerd-shim -namespace moby -workdir /var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/fe967a435417f5aa0aa1ee8ce69005fb408b83f140eda0f98b...
           │ ├─docker-4f87550b15443da4ea91f94c04ffa1985dcd0c936424a61c82c4856a5502f59b.scope
           │ │ ├─602496 nginx: master process nginx -g daemon off;
           │ │ └─602497 runc init
";
        let nodes = parse_tree(d.as_bytes());
        assert_eq!(
            nodes[0].text,
            b"docker-88c2b299dfecdb8f89ffa889af8c72cbb25bf7d203c12883b08960ad469a92fc.scope"
        );
        assert_eq!(nodes[3].pid, Some(1619));
        assert_eq!(nodes[3].text, b"/usr/bin/dockerd");
        assert!(init_only_scopes(&nodes).is_empty());
        // `systemctl status docker-<id>.scope` of a container whose init never exec'd.
        let d = "   CGroup: /system.slice/docker-42b905837f766877e6c0df0f72f46c622600e369806a66868a7bd390fd01c517.scope
           └─49695 runc init
";
        let nodes = parse_tree(d.as_bytes());
        let s = init_only_scopes(&nodes);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].scope.line, s[0].inits[0].line), (1, 2));
        // ASCII glyphs (a C locale): one scope caught while its container starts.
        let d = "  |-kubepods.slice
  | `-cri-containerd-4f87550b15443da4ea91f94c04ffa1985dcd0c936424a61c82c4856a5502f59b.scope
  |   `-1234 /usr/bin/runc init
";
        let nodes = parse_tree(d.as_bytes());
        let s = init_only_scopes(&nodes);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].inits[0].pid, Some(1234));
    }

    #[test]
    fn names_and_commands() {
        assert!(is_container_scope(
            b"crio-4f87550b15443da4ea91f94c04ffa1985dcd0c936424a61c82c4856a5502f59b.scope"
        ));
        assert!(!is_container_scope(
            b"crio-conmon-4f87550b15443da4ea91f94c04ffa1985dcd0c936424a61c82c4856a5502f59b.scope"
        ));
        assert!(!is_container_scope(b"session-1.scope"));
        assert!(is_runc_init(b"runc:[2:INIT]"));
        assert!(is_runc_init(b"/usr/bin/runc init"));
        assert!(!is_runc_init(b"runc --root /run/runc exec x"));
        assert!(!is_runc_init(b"initd"));
        // A line of prose with a glyph later on is no node.
        assert!(parse_tree("see the tree: └─1 x".as_bytes()).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let nodes = parse_tree(&data);
            let _ = init_only_scopes(&nodes);
        }
    }
}
