//! The inventory at a glance: what a bundle holds, summed up rather than listed.
//!
//! A real sosreport has some 20 000 members, most of them kernel state no parser reads; the
//! full listing (`inventory --all`) is for searching, this summary for reading: members per
//! format with their records and sources, what was not recognised (by top directory), links,
//! members cut short, and the warnings grouped by cause.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::base::Format;
use crate::inventory::Inventory;
use crate::report::text::human_bytes;

/// Directories listed under "not recognised".
const TOP_DIRS: usize = 8;
/// Sources named per format.
const TOP_SOURCES: usize = 4;
/// Examples named per warning cause.
const EXAMPLES: usize = 2;

/// What a warning is about, without the parts that differ from one member to the next
/// (paths, numbers, quoted text): `dangling link to N`, `line N longer than N bytes`.
pub fn cause(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted: Option<char> = None;
    let mut last_digit = false;
    for c in message.chars() {
        if let Some(q) = quoted {
            if c == q {
                quoted = None;
                out.push('…');
                out.push(c);
            }
            continue;
        }
        match c {
            '"' | '`' => {
                quoted = Some(c);
                out.push(c);
            }
            '0'..='9' => {
                if !last_digit {
                    out.push('N');
                }
                last_digit = true;
                continue;
            }
            c => out.push(c),
        }
        last_digit = false;
    }
    // A path after the last `: ` or ` to ` differs per member: cut it.
    for sep in [" -> ", " to ", ": "] {
        if let Some(i) = out.rfind(sep) {
            let tail = &out[i + sep.len()..];
            if tail.contains('/') && !tail.contains(' ') {
                out.truncate(i + sep.len());
                out.push('…');
                break;
            }
        }
    }
    out
}

/// Members, records, bytes and records per source of one format.
type FormatSum<'a> = (u64, u64, u64, BTreeMap<&'a str, u64>);

/// Renders the summary of an inventory as text.
pub fn render(inv: &Inventory) -> String {
    let mut out = String::new();
    for input in &inv.inputs {
        let _ = writeln!(out, "input: {} ({:?})", input.path, input.kind);
    }
    let mut formats: BTreeMap<&'static str, FormatSum> = BTreeMap::new();
    let mut unknown: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut links, mut cut, mut bytes) = (0u64, 0u64, 0u64);
    for m in &inv.members {
        bytes += m.bytes;
        if m.truncated {
            cut += 1;
        }
        if m.link.is_some() {
            links += 1;
            continue;
        }
        if m.format == Format::Unknown {
            let top = match m.path.split_once('/') {
                Some((d, _)) => format!("{d}/"),
                None => "(top level)".to_string(),
            };
            let e = unknown.entry(top).or_default();
            e.0 += 1;
            e.1 += m.bytes;
            continue;
        }
        let e = formats.entry(m.format.name()).or_default();
        e.0 += 1;
        e.1 += m.records;
        e.2 += m.bytes;
        for (s, n) in &m.sources {
            *e.3.entry(s.as_str()).or_default() += n;
        }
    }
    let recognised: u64 = formats.values().map(|f| f.0).sum();
    let not: u64 = unknown.values().map(|u| u.0).sum();
    let _ = writeln!(
        out,
        "{} member(s), {}: {recognised} recognised in {} format(s), {not} not recognised, {links} link(s){}",
        inv.members.len(),
        human_bytes(bytes),
        formats.len(),
        if cut > 0 {
            format!(", {cut} cut short (see warnings)")
        } else {
            String::new()
        }
    );
    if !formats.is_empty() {
        let _ = writeln!(out, "\nrecognised, by format:");
        let w = formats.keys().map(|k| k.len()).max().unwrap_or(6).max(6);
        let _ = writeln!(
            out,
            "  {:<w$}  {:>7}  {:>9}  {:>10}  SOURCES (records)",
            "FORMAT", "MEMBERS", "RECORDS", "BYTES"
        );
        for (name, (n, records, b, sources)) in &formats {
            let mut top: Vec<(&&str, &u64)> = sources.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let mut named: Vec<String> = top
                .iter()
                .take(TOP_SOURCES)
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            if top.len() > TOP_SOURCES {
                named.push(format!("+{} more", top.len() - TOP_SOURCES));
            }
            let _ = writeln!(
                out,
                "  {name:<w$}  {n:>7}  {records:>9}  {:>10}  {}",
                human_bytes(*b),
                if named.is_empty() {
                    "-".to_string()
                } else {
                    named.join(", ")
                }
            );
        }
    }
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "\nnot recognised (listed, not parsed: no parser reads them), by top directory:"
        );
        let mut dirs: Vec<(&String, &(u64, u64))> = unknown.iter().collect();
        dirs.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        let w = dirs
            .iter()
            .take(TOP_DIRS)
            .map(|d| d.0.chars().count())
            .max()
            .unwrap_or(4);
        for (d, (n, b)) in dirs.iter().take(TOP_DIRS) {
            let _ = writeln!(out, "  {d:<w$}  {n:>7} member(s)  {:>10}", human_bytes(*b));
        }
        if dirs.len() > TOP_DIRS {
            let rest: u64 = dirs[TOP_DIRS..].iter().map(|d| d.1.0).sum();
            let _ = writeln!(
                out,
                "  … {rest} member(s) in {} more director(ies)",
                dirs.len() - TOP_DIRS
            );
        }
    }
    if !inv.warnings.is_empty() {
        let mut causes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for w in &inv.warnings {
            causes.entry(cause(&w.message)).or_default().push(&w.path);
        }
        let mut causes: Vec<(String, Vec<&str>)> = causes.into_iter().collect();
        causes.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let _ = writeln!(out, "\n{} warning(s), by cause:", inv.warnings.len());
        for (c, paths) in &causes {
            let mut eg: Vec<&str> = paths.iter().take(EXAMPLES).copied().collect();
            if paths.len() > EXAMPLES {
                eg.push("…");
            }
            let _ = writeln!(out, "  {:>5} × {c} (e.g. {})", paths.len(), eg.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "\nevery member: nodemortem inventory --all; as JSON: --format json"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputInfo, InputKind};
    use crate::inventory::{InventoryWarning, MemberInfo, SCHEMA_VERSION};

    fn member(path: &str, format: Format, records: u64, bytes: u64) -> MemberInfo {
        MemberInfo {
            path: path.into(),
            format,
            records,
            bytes,
            first: None,
            last: None,
            sources: BTreeMap::new(),
            link: None,
            truncated: false,
        }
    }

    #[test]
    fn causes_drop_what_differs_per_member() {
        assert_eq!(
            cause("dangling link to sys/devices/virtual/net/lo"),
            "dangling link to …"
        );
        assert_eq!(
            cause("line 12 longer than 1048576 bytes: cut for parsing"),
            "line N longer than N bytes: cut for parsing"
        );
        assert_eq!(cause("unknown member \"a b\""), "unknown member \"…\"");
    }

    // The shape of a sos 4.2 report: journals, ps, kernel state no parser reads, links.
    #[test]
    fn summary_groups_members_and_warnings() {
        let mut journal = member(
            "sos_commands/logs/journalctl_--no-pager",
            Format::JournalShort,
            1500,
            200_000,
        );
        journal.sources = BTreeMap::from([
            ("kernel".to_string(), 900),
            ("kubelet".to_string(), 400),
            ("systemd".to_string(), 150),
            ("containerd".to_string(), 40),
            ("snapd".to_string(), 10),
        ]);
        let mut link = member("hostname", Format::Hostname, 0, 0);
        link.link = Some("sos_commands/host/hostname".into());
        let inv = Inventory {
            schema_version: SCHEMA_VERSION,
            inputs: vec![InputInfo {
                path: "sosreport-node1".into(),
                kind: InputKind::Sosreport,
                bundle_index: 0,
            }],
            members: vec![
                journal,
                member("sos_commands/process/ps_auxwwwm", Format::Ps, 0, 30_000),
                member(
                    "sys/kernel/mm/transparent_hugepage/enabled",
                    Format::Unknown,
                    0,
                    40,
                ),
                member("sys/fs/cgroup/unified/cgroup.stat", Format::Unknown, 0, 30),
                member("proc/buddyinfo", Format::Unknown, 0, 400),
                link,
            ],
            warnings: vec![
                InventoryWarning {
                    path: "sys/class/net/eth0".into(),
                    message: "dangling link to sys/devices/virtual/net/eth0".into(),
                },
                InventoryWarning {
                    path: "sys/class/net/lo".into(),
                    message: "dangling link to sys/devices/virtual/net/lo".into(),
                },
                InventoryWarning {
                    path: "sys/class/net/ens3".into(),
                    message: "dangling link to sys/devices/pci0000:00/ens3".into(),
                },
            ],
        };
        let want = "\
input: sosreport-node1 (Sosreport)
6 member(s), 225.1 KiB: 2 recognised in 2 format(s), 3 not recognised, 1 link(s)

recognised, by format:
  FORMAT         MEMBERS    RECORDS       BYTES  SOURCES (records)
  journal-short        1       1500   195.3 KiB  kernel 900, kubelet 400, systemd 150, containerd 40, +1 more
  ps                   1          0    29.3 KiB  -

not recognised (listed, not parsed: no parser reads them), by top directory:
  sys/         2 member(s)        70 B
  proc/        1 member(s)       400 B

3 warning(s), by cause:
      3 × dangling link to … (e.g. sys/class/net/eth0, sys/class/net/lo, …)

every member: nodemortem inventory --all; as JSON: --format json
";
        assert_eq!(render(&inv), want);
    }
}
