//! The virtual tree of one input: normalised paths, top-directory stripping and symbolic links
//! resolved inside the bundle only.
//!
//! Paths are kept as `/`-separated relative strings (`sos_commands/kernel/dmesg`). Links are
//! resolved once the whole input has been read, because a link may come before its target in
//! an archive. A link never leaves the bundle: an absolute target is read against the bundle
//! root (a sosreport is a copy of the host's root), and a `..` above the root is an escape.

use std::collections::{HashMap, HashSet};

use crate::base::Format;

/// Why a path in an archive was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// The name starts with `/`.
    Absolute,
    /// The name contains a `..` component.
    DotDot,
    /// Nothing is left after normalisation (`./`, empty name).
    Empty,
}

impl PathProblem {
    /// The warning text.
    pub fn message(self) -> &'static str {
        match self {
            PathProblem::Absolute => "absolute path in archive; entry skipped",
            PathProblem::DotDot => "path with `..` in archive; entry skipped",
            PathProblem::Empty => "empty path in archive; entry skipped",
        }
    }
}

/// Normalises an archive entry name: strips `./`, collapses `//` and `.`, drops a trailing
/// `/`; refuses absolute names and `..` components.
pub fn normalize(raw: &str) -> Result<String, PathProblem> {
    if raw.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    let mut out = String::with_capacity(raw.len());
    for comp in raw.split('/') {
        match comp {
            "" | "." => {}
            ".." => return Err(PathProblem::DotDot),
            c => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(c);
            }
        }
    }
    if out.is_empty() {
        Err(PathProblem::Empty)
    } else {
        Ok(out)
    }
}

/// Joins a directory and a relative path (`""` is the root).
pub fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else if rel.is_empty() {
        dir.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

/// The directory part of a path (`""` for a top-level name).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Top-level names of a host root or a sosreport that are never stripped as "the single top
/// directory" of an archive: a tarball of `var/log/…` keeps its `var/`.
pub const ROOT_NAMES: &[&str] = &[
    "bin",
    "boot",
    "dev",
    "etc",
    "home",
    "lib",
    "lib64",
    "opt",
    "proc",
    "root",
    "run",
    "sbin",
    "sos_commands",
    "sos_logs",
    "sos_reports",
    "sos_strings",
    "srv",
    "sys",
    "tmp",
    "usr",
    "var",
];

/// How a link resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// To a file, with its format.
    File(String, Format),
    /// To a directory.
    Dir(String),
    /// To nothing in the bundle (a sos command that failed leaves such links).
    Dangling(String),
    /// Out of the bundle through `..`.
    Escape,
    /// Through more links than allowed (a loop).
    Loop,
}

/// Files, directories and links of one input.
#[derive(Debug, Default)]
pub struct Tree {
    files: HashMap<String, Format>,
    dirs: HashSet<String>,
    links: HashMap<String, String>,
    link_order: Vec<String>,
}

impl Tree {
    /// Records a file and its directories.
    pub fn add_file(&mut self, path: &str, format: Format) {
        self.add_parents(path);
        self.files.insert(path.to_string(), format);
    }

    /// Records a directory and its parents.
    pub fn add_dir(&mut self, path: &str) {
        self.add_parents(path);
        self.dirs.insert(path.to_string());
    }

    /// Records a symbolic link and its raw target.
    pub fn add_link(&mut self, path: &str, target: &str) {
        self.add_parents(path);
        if self
            .links
            .insert(path.to_string(), target.to_string())
            .is_none()
        {
            self.link_order.push(path.to_string());
        }
    }

    fn add_parents(&mut self, path: &str) {
        let mut p = parent(path);
        while !p.is_empty() && self.dirs.insert(p.to_string()) {
            p = parent(p);
        }
    }

    /// The format of a file, when it is one.
    pub fn file(&self, path: &str) -> Option<Format> {
        self.files.get(path).copied()
    }

    /// True when some path starts with `prefix/` or equals it as a directory.
    pub fn has_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }

    /// Links in the order they were recorded, with their raw targets.
    pub fn links(&self) -> impl Iterator<Item = (&str, &str)> {
        self.link_order
            .iter()
            .filter_map(|p| self.links.get(p).map(|t| (p.as_str(), t.as_str())))
    }

    /// Follows the link at `path` inside the tree, through at most `max_depth` links.
    pub fn resolve(&self, path: &str, max_depth: u32) -> Resolved {
        let Some(target) = self.links.get(path) else {
            return self.classify_final(path.to_string());
        };
        let mut owned: Vec<String> = parent(path)
            .split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        // The remaining components, in reverse order.
        let mut queue: Vec<String> = Vec::new();
        let mut depth = 1u32;
        if target.starts_with('/') {
            owned.clear();
        }
        queue.extend(target.split('/').rev().map(str::to_string));
        while let Some(comp) = queue.pop() {
            match comp.as_str() {
                "" | "." => {}
                ".." => {
                    if owned.pop().is_none() {
                        return Resolved::Escape;
                    }
                }
                name => {
                    owned.push(name.to_string());
                    let here = owned.join("/");
                    if let Some(t) = self.links.get(&here) {
                        depth += 1;
                        if depth > max_depth {
                            return Resolved::Loop;
                        }
                        owned.pop();
                        if t.starts_with('/') {
                            owned.clear();
                        }
                        for c in t.split('/').rev() {
                            queue.push(c.to_string());
                        }
                    }
                }
            }
        }
        self.classify_final(owned.join("/"))
    }

    fn classify_final(&self, path: String) -> Resolved {
        if let Some(f) = self.files.get(&path) {
            Resolved::File(path, *f)
        } else if path.is_empty() || self.dirs.contains(&path) {
            Resolved::Dir(path)
        } else {
            Resolved::Dangling(path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_names() {
        // Entry names as GNU tar and sos write them (`./`, `//`), and hostile ones.
        let table: &[(&str, Result<&str, PathProblem>)] = &[
            (
                "./sos_commands/kernel/dmesg",
                Ok("sos_commands/kernel/dmesg"),
            ),
            (
                "sos_commands//kernel/./dmesg",
                Ok("sos_commands/kernel/dmesg"),
            ),
            ("var/log/", Ok("var/log")),
            ("/etc/passwd", Err(PathProblem::Absolute)),
            ("a/../../etc/passwd", Err(PathProblem::DotDot)),
            ("./", Err(PathProblem::Empty)),
            ("", Err(PathProblem::Empty)),
        ];
        for (raw, want) in table {
            assert_eq!(normalize(raw).as_deref(), want.as_deref(), "{raw}");
        }
    }

    #[test]
    fn links_resolve_inside_the_tree() {
        // Link shapes from sosreport 4.2 (k8stest-4): root `ps -> sos_commands/process/ps_auxwwwm`,
        // `lib -> usr/lib`, `etc/localtime -> ../usr/share/zoneinfo/Etc/UTC` (target not collected).
        let mut t = Tree::default();
        t.add_file("sos_commands/process/ps_auxwwwm", Format::Ps);
        t.add_file("usr/lib/os-release", Format::OsRelease);
        t.add_link("ps", "sos_commands/process/ps_auxwwwm");
        t.add_link("lib", "usr/lib");
        t.add_link("osr", "lib/os-release");
        t.add_link("etc/localtime", "../usr/share/zoneinfo/Etc/UTC");
        t.add_link("abs", "/sos_commands/process/ps_auxwwwm");
        t.add_link("etc/escape", "../../etc/shadow");
        t.add_link("loop/a", "b");
        t.add_link("loop/b", "a");
        assert_eq!(
            t.resolve("ps", 32),
            Resolved::File("sos_commands/process/ps_auxwwwm".into(), Format::Ps)
        );
        assert_eq!(t.resolve("lib", 32), Resolved::Dir("usr/lib".into()));
        assert_eq!(
            t.resolve("osr", 32),
            Resolved::File("usr/lib/os-release".into(), Format::OsRelease)
        );
        assert_eq!(
            t.resolve("etc/localtime", 32),
            Resolved::Dangling("usr/share/zoneinfo/Etc/UTC".into())
        );
        assert_eq!(
            t.resolve("abs", 32),
            Resolved::File("sos_commands/process/ps_auxwwwm".into(), Format::Ps)
        );
        assert_eq!(t.resolve("etc/escape", 32), Resolved::Escape);
        assert_eq!(t.resolve("loop/a", 32), Resolved::Loop);
        let order: Vec<&str> = t.links().map(|(p, _)| p).collect();
        assert_eq!(order.len(), 8);
        assert_eq!(order[0], "ps");
    }
}
