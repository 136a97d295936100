//! `pstree` output (`-lp`, `-p`, plain), ASCII or Unicode box drawing.
//!
//! A line is a chain of nodes joined by three-character connectors (`---`, `-+-`, `───`,
//! `─┬─`). A line that does not start at column 0 begins with a branch (`|-`, `` `- ``, `├─`,
//! `└─`) whose column is the column of the middle character of the connector after its parent,
//! so columns (counted in characters, not bytes) rebuild the tree. `N*[…]` groups give a node a
//! count, `{name}` nodes are threads, `name(pid)` carries the pid (`-p`), and without `-l` names
//! are cut to 15 characters (`docker-containe`).

use crate::parse::ps::{numbered_lines, parse_u32};

/// One node of a `pstree` drawing, borrowing its name from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeNode<'a> {
    /// 1-based line where the node is drawn.
    pub line: u32,
    /// The name (`dockerd`, `docker-containe`, `java`); for threads without braces.
    pub name: &'a [u8],
    /// The pid (`-p`), `None` for plain `pstree` and grouped nodes.
    pub pid: Option<u32>,
    /// Index of the parent node in [`PsTree::nodes`].
    pub parent: Option<usize>,
    /// How many identical subtrees this node stands for (`3*[…]`), 1 otherwise.
    pub count: u32,
    /// True for a thread (`{name}`).
    pub thread: bool,
}

/// A parsed `pstree` drawing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PsTree<'a> {
    /// Nodes in drawing order.
    pub nodes: Vec<TreeNode<'a>>,
    /// Lines whose branch column matched no open node (skipped).
    pub skipped: u32,
}

impl<'a> PsTree<'a> {
    /// Parent pid → child pid edges between process nodes (threads left out), with the line of
    /// the child.
    pub fn pid_edges(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        self.nodes.iter().filter(|n| !n.thread).filter_map(|n| {
            let p = &self.nodes[n.parent?];
            Some((p.pid?, n.pid?, n.line))
        })
    }

    /// The children of node `i`.
    pub fn children(&self, i: usize) -> impl Iterator<Item = &TreeNode<'a>> {
        self.nodes.iter().filter(move |n| n.parent == Some(i))
    }
}

/// A character cursor tracking the display column.
#[derive(Clone, Copy)]
struct Cur {
    pos: usize,
    col: usize,
}

fn char_len(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

const H: &[u8] = "─".as_bytes();
const T: &[u8] = "┬".as_bytes();
const V: &[u8] = "│".as_bytes();
const BR: &[u8] = "├".as_bytes();
const BL: &[u8] = "└".as_bytes();

/// The char starting at `pos`.
fn ch(line: &[u8], pos: usize) -> &[u8] {
    let n = line.get(pos).map_or(0, |&b| char_len(b));
    line.get(pos..pos + n).unwrap_or(b"")
}

fn step(line: &[u8], c: Cur) -> Cur {
    let n = line.get(c.pos).map_or(1, |&b| char_len(b));
    Cur {
        pos: (c.pos + n).min(line.len()),
        col: c.col + 1,
    }
}

/// If a connector (`---`, `-+-`, `───`, `─┬─`) starts at `c`, the cursor of its middle char and
/// the cursor after it.
fn connector(line: &[u8], c: Cur) -> Option<(Cur, Cur)> {
    let a = ch(line, c.pos);
    let m = step(line, c);
    let b = ch(line, m.pos);
    let e = step(line, m);
    let z = ch(line, e.pos);
    let ok = (a == b"-" && (b == b"-" || b == b"+") && z == b"-")
        || (a == H && (b == H || b == T) && z == H);
    ok.then(|| (m, step(line, e)))
}

/// Parses a `pstree` drawing.
pub fn parse(data: &[u8]) -> PsTree<'_> {
    let mut tree = PsTree::default();
    // Open branch points: (column of the connector's middle char, node index).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for (n, line) in numbered_lines(data) {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let mut c = Cur { pos: 0, col: 0 };
        let mut parent = None;
        if line.first() != Some(&b' ') && !starts_branch(line, c) {
            stack.clear();
        } else {
            // Skip blanks and vertical bars up to the branch.
            while c.pos < line.len() && !starts_branch(line, c) {
                let x = ch(line, c.pos);
                if x != b" " && x != b"|" && x != V {
                    break;
                }
                c = step(line, c);
            }
            if !starts_branch(line, c) {
                tree.skipped += 1;
                continue;
            }
            match stack.iter().rposition(|&(col, _)| col == c.col) {
                Some(i) => {
                    parent = Some(stack[i].1);
                    stack.truncate(i + 1);
                }
                None => {
                    tree.skipped += 1;
                    continue;
                }
            }
            c = step(line, step(line, c));
        }
        // The chain of nodes on this line.
        loop {
            let start = c;
            let mut end = c;
            let mut next = None;
            while end.pos < line.len() {
                if let Some((mid, after)) = connector(line, end) {
                    next = Some((mid, after));
                    break;
                }
                end = step(line, end);
            }
            let label = &line[start.pos..end.pos];
            let idx = tree.nodes.len();
            tree.nodes.push(node(n, label.trim_ascii(), parent));
            match next {
                Some((mid, after)) => {
                    stack.push((mid.col, idx));
                    parent = Some(idx);
                    c = after;
                }
                None => break,
            }
        }
    }
    tree
}

fn starts_branch(line: &[u8], c: Cur) -> bool {
    let a = ch(line, c.pos);
    let b = ch(line, step(line, c).pos);
    ((a == b"|" || a == b"`") && b == b"-") || ((a == BR || a == BL) && b == H)
}

fn node<'a>(line: u32, label: &'a [u8], parent: Option<usize>) -> TreeNode<'a> {
    let mut l = label;
    let mut count = 1;
    if let Some(star) = memchr::memchr(b'*', l)
        && l.get(star + 1) == Some(&b'[')
        && let Some(k) = parse_u32(&l[..star])
    {
        count = k;
        l = &l[star + 2..];
    }
    while let Some(rest) = l.strip_suffix(b"]") {
        // Only strip closing brackets that close a group, not a name like `[kthreadd]`.
        if rest.contains(&b'[') && !rest.starts_with(b"[") || rest.starts_with(b"[") {
            break;
        }
        l = rest;
    }
    let mut pid = None;
    if l.ends_with(b")")
        && let Some(open) = memchr::memrchr(b'(', l)
    {
        let inner = &l[open + 1..l.len() - 1];
        let num = inner.split(|&b| b == b',').next().unwrap_or(inner);
        if let Some(p) = parse_u32(num) {
            pid = Some(p);
            l = &l[..open];
        }
    }
    let mut thread = false;
    if let Some(inner) = l.strip_prefix(b"{").and_then(|x| x.strip_suffix(b"}")) {
        thread = true;
        l = inner;
    }
    TreeNode {
        line,
        name: l,
        pid,
        parent,
        count,
        thread,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_lp_from_sos() {
        // Shape of sos 4.x `sos_commands/process/pstree_-lp` (Ubuntu 20.04, 2022).
        let d = b"systemd(1)-+-accounts-daemon(678)-+-{accounts-daemon}(691)
           |                      `-{accounts-daemon}(755)
           |-agetty(738)
           |-bash(8796)---jujud(8800)-+-{jujud}(8801)
           |                          `-{jujud}(9334)
           |-containerd-shim(35149)-+-runsvdir(35171)---runsv(35419)---svlogd(35420)
           |                        `-{containerd-shim}(35150)
           `-(sd-pam)(95642)
";
        let t = parse(d);
        assert_eq!(t.skipped, 0);
        assert_eq!(t.nodes.len(), 15);
        let edges: Vec<_> = t.pid_edges().collect();
        assert_eq!(
            edges,
            vec![
                (1, 678, 1),
                (1, 738, 3),
                (1, 8796, 4),
                (8796, 8800, 4),
                (1, 35149, 6),
                (35149, 35171, 6),
                (35171, 35419, 6),
                (35419, 35420, 6),
                (1, 95642, 8),
            ]
        );
        let th = &t.nodes[3];
        assert!(th.thread);
        assert_eq!((th.name, th.pid), (&b"accounts-daemon"[..], Some(755)));
        assert_eq!(t.nodes[14].name, b"(sd-pam)");
    }

    #[test]
    fn unicode_groups_and_truncated_names() {
        // The drawing quoted in the seed 004 write-up (CoolShell, 2018; Docker 17.09, CentOS 7.4).
        let d = "systemd───dockerd─┬─docker-containe─┬─3*[docker-containe─┬─sleep]
                  │                 │                    └─9*[{docker-containe}]]
                  │                 ├─docker-containe─┬─sleep
                  │                 │                 └─10*[{docker-containe}]
                  │                 └─14*[{docker-containe}]
                  └─17*[{dockerd}]
";
        let t = parse(d.as_bytes());
        assert_eq!(t.skipped, 0);
        let names: Vec<_> = t
            .nodes
            .iter()
            .map(|n| {
                (
                    String::from_utf8_lossy(n.name).into_owned(),
                    n.parent,
                    n.count,
                    n.thread,
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("systemd".into(), None, 1, false),
                ("dockerd".into(), Some(0), 1, false),
                ("docker-containe".into(), Some(1), 1, false),
                ("docker-containe".into(), Some(2), 3, false),
                ("sleep".into(), Some(3), 1, false),
                ("docker-containe".into(), Some(3), 9, true),
                ("docker-containe".into(), Some(2), 1, false),
                ("sleep".into(), Some(6), 1, false),
                ("docker-containe".into(), Some(6), 10, true),
                ("docker-containe".into(), Some(2), 14, true),
                ("dockerd".into(), Some(1), 17, true),
            ]
        );
    }

    #[test]
    fn orphan_shims_under_pid1_with_pids() {
        // pstree -p of the seed 004 host: shims reparented to systemd.
        let d = "systemd(1)─┬─docker-containe(3990)─┬─java(4021)─┬─{java}(4022)
           │                       │            └─{java}(4023)
           │                       └─{docker-containe}(3991)
           └─dockerd(1201)───docker-containe(1250)
";
        let t = parse(d.as_bytes());
        let edges: Vec<_> = t.pid_edges().collect();
        assert_eq!(
            edges,
            vec![(1, 3990, 1), (3990, 4021, 1), (1, 1201, 4), (1201, 1250, 4)]
        );
        assert_eq!(t.nodes.iter().filter(|n| n.thread).count(), 3);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[ a-z0-9()\\[\\]{}*|`+─┬│├└-]{0,200}(\n[ a-z0-9()|`+─┬│├└-]{0,80}){0,6}") {
            let _ = parse(s.as_bytes());
        }
    }
}
