//! `lsns`, `ip netns`, `ip addr` and `nsenter … ip addr` output.
//!
//! * `lsns` (util-linux): `NS TYPE NPROCS PID USER COMMAND`, with `-t net` on newer versions
//!   `NS TYPE NPROCS PID USER NETNSID NSFS COMMAND` where `NSFS` may be blank: a word is the
//!   `NSFS` path only when it starts left of the `COMMAND` header.
//! * `ip netns`: `name (id: N)` or `name`.
//! * `ip addr` / `ip -d address show`: `N: ifname: <FLAGS> …` blocks with `link/ether MAC` and
//!   `inet|inet6 ADDR/PREFIX …` lines; `ip -o addr`: one `N: ifname    inet ADDR/PREFIX …` line
//!   per address.
//! * A loose file of `nsenter -t PID -n ip addr` outputs, each preceded by the command as
//!   `xargs -t` echoes it, becomes one address list per target.

use std::net::IpAddr;

use crate::parse::ps::{numbered_lines, parse_u32, words};

/// Parses an IPv4 or IPv6 address (no prefix); `None` for anything else. Allocates nothing.
pub fn parse_ip(b: &[u8]) -> Option<IpAddr> {
    if b.len() > 45 {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Whether an address can be a pod's or a container's own: not loopback, link-local,
/// unspecified or multicast (those are in every namespace, or in none).
pub fn counts_as_pod_ip(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            !(v.is_loopback() || v.is_link_local() || v.is_unspecified() || v.is_multicast())
        }
        IpAddr::V6(v) => {
            !(v.is_loopback()
                || v.is_unspecified()
                || v.is_multicast()
                || (v.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// One `lsns` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LsnsRow<'a> {
    /// 1-based line.
    pub line: u32,
    /// Namespace inode (`4026532285`).
    pub ns: u64,
    /// Type (`net`, `mnt`, `pid`, …).
    pub kind: &'a [u8],
    /// Number of processes in it.
    pub nprocs: u32,
    /// Lowest pid in it.
    pub pid: u32,
    /// Owner.
    pub user: &'a [u8],
    /// `NETNSID` (`unassigned`, `0`), when the column exists.
    pub netnsid: Option<&'a [u8]>,
    /// `NSFS` (`/run/docker/netns/1a2b3c4d5e6f`), when present and not blank.
    pub nsfs: Option<&'a [u8]>,
    /// Command of the lowest pid.
    pub command: &'a [u8],
}

/// Parses `lsns` output (any column set containing `NS TYPE NPROCS PID USER … COMMAND`).
pub fn parse_lsns(data: &[u8]) -> Vec<LsnsRow<'_>> {
    let mut out = Vec::new();
    let mut cmd_col = None;
    let mut has_netnsid = false;
    let mut has_nsfs = false;
    for (n, line) in numbered_lines(data) {
        let ws: Vec<(usize, &[u8])> = words(line).collect();
        if ws.first().map(|w| w.1) == Some(b"NS") && ws.get(1).map(|w| w.1) == Some(b"TYPE") {
            cmd_col = ws.iter().find(|w| w.1 == b"COMMAND").map(|w| w.0);
            has_netnsid = ws.iter().any(|w| w.1 == b"NETNSID");
            has_nsfs = ws.iter().any(|w| w.1 == b"NSFS");
            continue;
        }
        let Some(cmd_col) = cmd_col else { continue };
        if ws.len() < 6 {
            continue;
        }
        let (Some(ns), Some(nprocs), Some(pid)) = (
            crate::base::time::digits_var(ws[0].1).filter(|(_, k)| *k == ws[0].1.len()),
            parse_u32(ws[2].1),
            parse_u32(ws[3].1),
        ) else {
            continue;
        };
        let mut i = 5;
        let mut netnsid = None;
        let mut nsfs = None;
        if has_netnsid && i < ws.len() && ws[i].0 < cmd_col {
            netnsid = Some(ws[i].1);
            i += 1;
        }
        if has_nsfs && i < ws.len() && ws[i].0 < cmd_col && ws[i].1.starts_with(b"/") {
            nsfs = Some(ws[i].1);
            i += 1;
        }
        let Some(&(cs, _)) = ws.get(i) else { continue };
        out.push(LsnsRow {
            line: n,
            ns: ns.0,
            kind: ws[1].1,
            nprocs,
            pid,
            user: ws[4].1,
            netnsid,
            nsfs,
            command: line[cs..].trim_ascii_end(),
        });
    }
    out
}

/// One `ip netns` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetnsEntry<'a> {
    /// 1-based line.
    pub line: u32,
    /// Namespace name (`cni-1a2b…`, `qrouter-…`).
    pub name: &'a [u8],
    /// The `(id: N)` when printed.
    pub id: Option<u32>,
}

/// Parses `ip netns` (`ip netns list`) output.
pub fn parse_ip_netns(data: &[u8]) -> Vec<NetnsEntry<'_>> {
    numbered_lines(data)
        .filter_map(|(n, line)| {
            let mut ws = words(line);
            let (_, name) = ws.next()?;
            let id = match (ws.next(), ws.next()) {
                (Some((_, b"(id:")), Some((_, v))) => parse_u32(v.strip_suffix(b")").unwrap_or(v)),
                _ => None,
            };
            Some(NetnsEntry { line: n, name, id })
        })
        .collect()
}

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// `inet`.
    V4,
    /// `inet6`.
    V6,
}

/// One address of an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpAddress<'a> {
    /// 1-based line of the `inet` line.
    pub line: u32,
    /// Family.
    pub family: Family,
    /// The address without prefix (`10.233.14.137`, `fe80::42:aff:fee9:e89`).
    pub addr: &'a [u8],
    /// Prefix length.
    pub prefix: Option<u8>,
    /// `scope` value (`global`, `host`, `link`).
    pub scope: &'a [u8],
}

/// One interface of an `ip addr` listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface<'a> {
    /// 1-based line of the header (`4: eth0@if5: <…>`).
    pub line: u32,
    /// Interface index.
    pub index: u32,
    /// Name without the `@ifN` peer suffix.
    pub name: &'a [u8],
    /// `link/ether` address.
    pub mac: Option<&'a [u8]>,
    /// Addresses.
    pub addrs: Vec<IpAddress<'a>>,
}

/// Parses `ip addr`, `ip -d address show` or `ip -o addr` lines.
pub fn parse_ip_addr(data: &[u8]) -> Vec<Interface<'_>> {
    let mut out = Vec::new();
    for (n, line) in numbered_lines(data) {
        feed_ip_addr(&mut out, n, line);
    }
    out
}

/// Feeds one line of `ip addr` output; used by [`parse_ip_addr`] and [`parse_nsenter`].
fn feed_ip_addr<'a>(out: &mut Vec<Interface<'a>>, n: u32, line: &'a [u8]) {
    let mut ws = words(line).peekable();
    let Some((_, first)) = ws.peek().copied() else {
        return;
    };
    if let Some(idx) = first.strip_suffix(b":").and_then(parse_u32) {
        // `N: name: <FLAGS>` or `N: name    inet …` (`-o`).
        ws.next();
        let Some((_, name)) = ws.next() else { return };
        let name = name.strip_suffix(b":").unwrap_or(name);
        let name = match memchr::memchr(b'@', name) {
            Some(i) => &name[..i],
            None => name,
        };
        if out
            .last()
            .is_none_or(|i: &Interface| i.index != idx || i.name != name)
        {
            out.push(Interface {
                line: n,
                index: idx,
                name,
                mac: None,
                addrs: Vec::new(),
            });
        }
    }
    let Some(iface) = out.last_mut() else { return };
    while let Some((_, w)) = ws.next() {
        match w {
            b"link/ether" => iface.mac = ws.next().map(|(_, m)| m),
            b"inet" | b"inet6" => {
                let Some((_, a)) = ws.next() else { return };
                let (addr, prefix) = match memchr::memchr(b'/', a) {
                    Some(i) => (
                        &a[..i],
                        parse_u32(&a[i + 1..]).and_then(|p| u8::try_from(p).ok()),
                    ),
                    None => (a, None),
                };
                let mut scope: &[u8] = b"";
                while let Some((_, k)) = ws.next() {
                    if k == b"scope" {
                        scope = ws.next().map_or(&b""[..], |(_, s)| s);
                        break;
                    }
                }
                iface.addrs.push(IpAddress {
                    line: n,
                    family: if w == b"inet" { Family::V4 } else { Family::V6 },
                    addr,
                    prefix,
                    scope,
                });
                return;
            }
            _ => {}
        }
    }
}

/// One block of an address-listing loop: the output of `nsenter … ip addr`, `ip netns exec NS
/// ip addr`, `ip -n NS addr` or of `ip -all netns exec ip addr` under its `netns: NS` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsenterBlock<'a> {
    /// 1-based line of the command (or of the `netns:` line).
    pub line: u32,
    /// The target pid (`-t PID` / `--target PID`).
    pub pid: Option<u32>,
    /// The namespace file (`--net=/var/run/docker/netns/421bdb2accf1`).
    pub net_path: Option<&'a [u8]>,
    /// The named namespace (`ip netns exec cni-1a2b… ip a`, `netns: cni-1a2b…`).
    pub name: Option<&'a [u8]>,
    /// The interfaces listed in the namespace.
    pub interfaces: Vec<Interface<'a>>,
}

/// True when `line` is an echoed `nsenter` command.
pub fn is_nsenter_line(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    let t = t.strip_prefix(b"$ ").unwrap_or(t);
    t.starts_with(b"nsenter ")
}

/// Words of `ip` that list addresses (`ip a`, `ip addr show`, `ip -4 -o address`).
fn lists_addresses(ws: &[&[u8]]) -> bool {
    ws.first() == Some(&&b"ip"[..])
        && ws[1..]
            .iter()
            .find(|w| !w.starts_with(b"-"))
            .is_some_and(|w| matches!(*w, b"a" | b"ad" | b"addr" | b"address"))
}

/// The block line `n` opens, without interfaces yet. Paste prefixes (prompts, quote markers)
/// and `sudo` are taken off first.
fn block_header(n: u32, line: &[u8]) -> Option<NsenterBlock<'_>> {
    let block = |pid, net_path, name| NsenterBlock {
        line: n,
        pid,
        net_path,
        name,
        interfaces: Vec::new(),
    };
    let (at, _) = crate::parse::paste::strip_prefix(line);
    let t = line[at..].trim_ascii();
    if let Some(name) = t.strip_prefix(b"netns: ") {
        let name = name.trim_ascii();
        return (!name.is_empty() && !name.contains(&b' ')).then(|| block(None, None, Some(name)));
    }
    let mut buf: [&[u8]; 16] = [b""; 16];
    let mut len = 0;
    for (_, w) in words(t) {
        if len == buf.len() {
            break;
        }
        buf[len] = w;
        len += 1;
    }
    let mut ws = &buf[..len];
    if ws.first() == Some(&&b"sudo"[..]) {
        ws = &ws[1..];
    }
    match ws {
        [b"nsenter", rest @ ..] => {
            let mut pid = None;
            let mut net_path = None;
            let mut it = rest.iter();
            while let Some(w) = it.next() {
                if *w == b"-t" || *w == b"--target" {
                    pid = it.next().and_then(|p| parse_u32(p));
                } else if let Some(p) = w.strip_prefix(b"--target=") {
                    pid = parse_u32(p);
                } else if let Some(p) = w.strip_prefix(b"--net=") {
                    net_path = Some(p);
                }
            }
            Some(block(pid, net_path, None))
        }
        [b"ip", b"netns", b"exec", name, rest @ ..] if lists_addresses(rest) => {
            Some(block(None, None, Some(*name)))
        }
        [b"ip", b"-n" | b"-netns", name, rest @ ..] => {
            let mut v: [&[u8]; 16] = [b""; 16];
            v[0] = b"ip";
            let k = rest.len().min(15);
            v[1..=k].copy_from_slice(&rest[..k]);
            lists_addresses(&v[..=k]).then(|| block(None, None, Some(*name)))
        }
        _ => None,
    }
}

/// Parses a file or paste of address-listing loops (see [`NsenterBlock`]). Lines before the
/// first block are ignored; a block ends at the next block, or at a prompt with another command.
pub fn parse_nsenter(data: &[u8]) -> Vec<NsenterBlock<'_>> {
    let mut out: Vec<NsenterBlock> = Vec::new();
    let mut open = false;
    for (n, line) in numbered_lines(data) {
        if let Some(b) = block_header(n, line) {
            out.push(b);
            open = true;
        } else if crate::parse::paste::strip_prefix(line).1 {
            open = false;
        } else if open && let Some(b) = out.last_mut() {
            feed_ip_addr(&mut b.interfaces, n, line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsns_default_and_net_columns() {
        // util-linux lsns(8) default columns, as run in the seed 004 write-up (CentOS 7.4).
        let d = b"        NS TYPE  NPROCS   PID USER   COMMAND
4026531956 net      412     1 root   /usr/lib/systemd/systemd --switched-root --system --deserialize 21
4026532503 net        2  4021 root   java -jar /app/app.jar
";
        let r = parse_lsns(d);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[1].ns, r[1].pid, r[1].nprocs, r[1].line),
            (4026532503, 4021, 2, 3)
        );
        assert_eq!(r[1].command, b"java -jar /app/app.jar");
        assert_eq!(r[1].nsfs, None);
        // util-linux 2.34 `lsns -t net` (NETNSID, NSFS; NSFS blank when not bind-mounted).
        let d =
            b"        NS TYPE NPROCS   PID USER     NETNSID NSFS                           COMMAND
4026531992 net     226     1 root  unassigned                                /sbin/init
4026532285 net       2  3465 root           0 /run/docker/netns/1a2b3c4d5e6f /pause
";
        let r = parse_lsns(d);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].netnsid, Some(&b"unassigned"[..]));
        assert_eq!(r[0].nsfs, None);
        assert_eq!(r[0].command, b"/sbin/init");
        assert_eq!(r[1].nsfs, Some(&b"/run/docker/netns/1a2b3c4d5e6f"[..]));
        assert_eq!(r[1].command, b"/pause");
    }

    #[test]
    fn ip_netns_listing() {
        // iproute2 `ip netns` with and without ids (sos `sos_commands/networking/ip_netns`).
        let r = parse_ip_netns(b"cni-5d8a1f3e-7b1c-4b55-9e54-2f2b8a1c0d11 (id: 0)\nqdhcp-1\n");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].id, Some(0));
        assert_eq!(r[1].name, b"qdhcp-1");
        assert_eq!(r[1].id, None);
    }

    #[test]
    fn ip_d_address_and_o_addr() {
        // sos 4.x `ip_-d_address` (Ubuntu 20.04) and a veth with a peer suffix.
        let d = b"1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0 minmtu 0 maxmtu 0
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
3: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default
    link/ether 02:42:0a:e9:0e:89 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 10.233.14.137/24 brd 10.233.14.255 scope global eth0
       valid_lft forever preferred_lft forever
    inet6 fe80::42:aff:fee9:e89/64 scope link
       valid_lft forever preferred_lft forever
";
        let r = parse_ip_addr(d);
        assert_eq!(r.len(), 2);
        assert_eq!((r[1].index, r[1].name, r[1].line), (3, &b"eth0"[..], 5));
        assert_eq!(r[1].mac, Some(&b"02:42:0a:e9:0e:89"[..]));
        assert_eq!(r[1].addrs.len(), 2);
        assert_eq!(r[1].addrs[0].addr, b"10.233.14.137");
        assert_eq!(r[1].addrs[0].prefix, Some(24));
        assert_eq!(r[1].addrs[0].line, 7);
        assert_eq!(r[1].addrs[1].family, Family::V6);
        assert_eq!(r[1].addrs[1].scope, b"link");
        // sos 4.x `ip_-o_addr`.
        let d = b"1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: ens3    inet 10.6.3.201/16 brd 10.6.255.255 scope global dynamic ens3\\       valid_lft 84872sec preferred_lft 84872sec
2: ens3    inet6 fe80::f816:3eff:fe1f:96bd/64 scope link \\       valid_lft forever preferred_lft forever
";
        let r = parse_ip_addr(d);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].addrs.len(), 2);
        assert_eq!(r[1].addrs[0].addr, b"10.6.3.201");
        assert_eq!(r[1].addrs[0].scope, b"global");
    }

    #[test]
    fn nsenter_blocks() {
        // `lsns -t net | awk '{print $4}' | xargs -t -I {} nsenter -t {} -n ip addr` from the
        // seed 004 write-up: xargs -t echoes each command before its output.
        let d = b"nsenter -t 1 -n ip addr
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1
    inet 127.0.0.1/8 scope host lo
nsenter -t 4021 -n ip addr
3: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP
    link/ether 02:42:0a:e9:0e:89 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 10.233.14.137/24 scope global eth0
nsenter --net=/var/run/docker/netns/421bdb2accf1 ip addr
";
        let b = parse_nsenter(d);
        assert_eq!(b.len(), 3);
        assert_eq!(b[1].pid, Some(4021));
        assert_eq!(b[1].line, 4);
        assert_eq!(b[1].interfaces[0].addrs[0].addr, b"10.233.14.137");
        assert_eq!(b[1].interfaces[0].addrs[0].line, 7);
        assert_eq!(b[2].pid, None);
        assert_eq!(b[2].name, None);
        assert_eq!(
            b[2].net_path,
            Some(&b"/var/run/docker/netns/421bdb2accf1"[..])
        );
    }

    #[test]
    fn ip_netns_exec_loops_at_a_prompt() {
        // cniguru issue 2 (flannel, 2018): `ip netns exec <ns> ip addr show` at a root prompt,
        // twice; each namespace has its own loopback.
        let d = b"[root@kh1 ~]# ip netns exec c249290d4af6 ip addr show
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    inet 127.0.0.1/8 scope host lo
3: eth0@if126: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    inet 10.244.0.7/24 scope global eth0
[root@kh1 ~]# ip route
10.244.0.0/24 dev cni0 proto kernel scope link src 10.244.0.1
netns: cni-5d8a
2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450
    inet 10.244.0.9/24 scope global eth0
$ sudo ip -n qrouter-1 -4 a
$ ip netns exec x ip route
";
        let b = parse_nsenter(d);
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].name, b[0].line), (Some(&b"c249290d4af6"[..]), 1));
        assert_eq!(b[0].interfaces.len(), 2);
        assert_eq!(b[0].interfaces[1].addrs[0].addr, b"10.244.0.7");
        assert_eq!(b[0].interfaces[1].addrs[0].line, 5);
        // `ip route` at the next prompt ends the block: its lines are no addresses.
        assert_eq!(b[1].name, Some(&b"cni-5d8a"[..]));
        assert_eq!(b[1].interfaces[0].addrs[0].line, 10);
        assert_eq!(b[2].name, Some(&b"qrouter-1"[..]));
        assert!(b[2].interfaces.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let mut d = b"        NS TYPE NPROCS   PID USER     NETNSID NSFS COMMAND\n".to_vec();
            d.extend_from_slice(&data);
            let _ = parse_lsns(&d);
            let _ = parse_ip_addr(&data);
            let _ = parse_ip_netns(&data);
            let mut n = b"nsenter -t 1 -n ip addr\n".to_vec();
            n.extend_from_slice(&data);
            let _ = parse_nsenter(&n);
        }
    }
}
