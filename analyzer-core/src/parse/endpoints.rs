//! Container addresses in `docker inspect` and `docker network inspect` output, whole or as
//! people paste it: a `"Networks": {…}` fragment per container, or the lines `grep IPAddress`
//! leaves.
//!
//! The text is read line by line as `"Key": "value"` pairs, not as a JSON document, so that a
//! fragment or a grep of one reads the same as the whole. Each address is owned by the latest
//! holder seen before it:
//!
//! * an endpoint: `"EndpointID": "<hex>"` (`docker inspect` since 1.9, the `Containers` map of
//!   `docker network inspect`);
//! * else a container: `"Id": "<hex>"`, the `"<hex>": {` key of a `Containers` map entry, or
//!   `"Hostname": "…"` (what `grep -e IPAddress -e Hostname` keeps). A new container forgets
//!   the endpoint of the previous one.
//!
//! Addresses: `"IPAddress"` and `"GlobalIPv6Address"` (bare), `"IPv4Address"` and
//! `"IPv6Address"` of a network's `Containers` map (with a `/prefix`; the bare `IPv4Address` of
//! `IPAMConfig` is a requested address, not a configured one, and is left out). Empty values
//! (stopped containers, `--network host`, `--network container:…`) are no addresses.
//! `"NetworkID"` names the network of the addresses after it.

use std::net::IpAddr;

use crate::parse::netns::{counts_as_pod_ip, parse_ip};
use crate::parse::ps::numbered_lines;

/// One address and who holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointIp<'a> {
    /// 1-based line of the address.
    pub line: u32,
    /// The endpoint id, container id or hostname that holds it.
    pub holder: &'a [u8],
    /// Whether `holder` is an endpoint id (else a container id or hostname).
    pub endpoint: bool,
    /// The address as printed, without prefix.
    pub ip_text: &'a [u8],
    /// The parsed address.
    pub ip: IpAddr,
    /// The `NetworkID` the address belongs to, when printed before it.
    pub network: Option<&'a [u8]>,
}

/// `"Key": "value"` or `"Key": {` on one line: (key, value), value `None` for an object.
fn pair(line: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let t = line.trim_ascii_start().strip_prefix(b"\"")?;
    let k = memchr::memchr(b'"', t)?;
    let (key, rest) = (&t[..k], t[k + 1..].trim_ascii_start());
    let rest = rest.strip_prefix(b":")?.trim_ascii_start();
    if rest.starts_with(b"{") {
        return Some((key, None));
    }
    let v = rest.strip_prefix(b"\"")?;
    let e = memchr::memchr(b'"', v)?;
    Some((key, Some(&v[..e])))
}

fn is_hex_id(b: &[u8]) -> bool {
    b.len() >= 12 && b.iter().all(u8::is_ascii_hexdigit)
}

/// Reads the container addresses of `data` (see the module documentation).
pub fn parse_endpoint_ips(data: &[u8]) -> Vec<EndpointIp<'_>> {
    let mut out = Vec::new();
    let mut container: Option<&[u8]> = None;
    let mut endpoint: Option<&[u8]> = None;
    let mut network: Option<&[u8]> = None;
    for (n, line) in numbered_lines(data) {
        let Some((key, value)) = pair(line) else {
            continue;
        };
        let Some(v) = value else {
            // `"<container id>": {` of a network's `Containers` map.
            if is_hex_id(key) {
                container = Some(key);
                endpoint = None;
                network = None;
            }
            continue;
        };
        let addr = match key {
            b"Id" if is_hex_id(v) => {
                container = Some(v);
                endpoint = None;
                network = None;
                continue;
            }
            b"Hostname" if !v.is_empty() => {
                container = Some(v);
                endpoint = None;
                network = None;
                continue;
            }
            b"EndpointID" if is_hex_id(v) => {
                endpoint = Some(v);
                continue;
            }
            b"NetworkID" if is_hex_id(v) => {
                network = Some(v);
                continue;
            }
            b"IPAddress" | b"GlobalIPv6Address" => v,
            b"IPv4Address" | b"IPv6Address" => match memchr::memchr(b'/', v) {
                Some(i) => &v[..i],
                None => continue,
            },
            _ => continue,
        };
        let Some(ip) = parse_ip(addr) else { continue };
        let (holder, is_endpoint) = match (endpoint, container) {
            (Some(e), _) => (e, true),
            (None, Some(c)) => (c, false),
            (None, None) => continue,
        };
        out.push(EndpointIp {
            line: n,
            holder,
            endpoint: is_endpoint,
            ip_text: addr,
            ip,
            network,
        });
    }
    out
}

/// The addresses held by more than one holder of one network: groups (each with at least two
/// holders, in line order) per address. Loopback and link-local addresses never count, nor
/// one address in two networks (two hosts' bridges, or networks of different hosts).
pub fn conflicts<'r, 'a>(ips: &'r [EndpointIp<'a>]) -> Vec<Vec<&'r EndpointIp<'a>>> {
    let mut out: Vec<Vec<&EndpointIp>> = Vec::new();
    for (i, e) in ips.iter().enumerate() {
        if !counts_as_pod_ip(&e.ip) || ips[..i].iter().any(|o| o.ip == e.ip) {
            continue;
        }
        let group: Vec<&EndpointIp> = ips[i..].iter().filter(|o| o.ip == e.ip).collect();
        let mut holders: Vec<&[u8]> = group.iter().map(|o| o.holder).collect();
        holders.sort_unstable();
        holders.dedup();
        let mut networks: Vec<&[u8]> = group.iter().filter_map(|o| o.network).collect();
        networks.sort_unstable();
        networks.dedup();
        if holders.len() < 2 || networks.len() > 1 {
            continue;
        }
        out.push(group);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_fragments_of_two_containers() {
        // moby issue 19086 (docker 1.9): the `Networks` of two containers, one address.
        let d = br#"Container 1:

"Networks": {
            "bridge": {
                "EndpointID": "16b37d1ca29d14b7e790a70098c700d3cd809a96d0d2ad98447243bf0cbd548e",
                "Gateway": "172.17.0.1",
                "IPAddress": "172.17.0.115",
                "MacAddress": "02:42:ac:11:00:73"
            }
        }

Container 2:

"Networks": {
            "bridge": {
                "EndpointID": "dec22518804cf773477f8e1c68342b6977b8b57f1cc9fbbcd33b573adadd3a7f",
                "Gateway": "172.17.0.1",
                "IPAddress": "172.17.0.115",
"#;
        let r = parse_endpoint_ips(d);
        assert_eq!(r.len(), 2);
        assert!(r[0].endpoint);
        assert_eq!(r[0].line, 7);
        assert_eq!(r[0].ip_text, b"172.17.0.115");
        assert_eq!(r[1].line, 18);
        let c = conflicts(&r);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), 2);
    }

    #[test]
    fn grep_of_ipaddress_and_hostname() {
        // moby issue 19441 (docker 1.9.1): `inspect … | grep -e "IPAddress -e Hostname"`, the
        // top-level and the network's address of each container.
        let d = br#"        "Hostname": "selfoss",
        "IPAddress": "172.16.173.129",
                "IPAddress": "172.16.173.129",
        "Hostname": "mysql",
        "IPAddress": "172.16.173.128",
                "IPAddress": "172.16.173.128",
        "Hostname": "65337c3d1c71",
        "IPAddress": "172.16.173.128",
                "IPAddress": "172.16.173.128",
"#;
        let r = parse_endpoint_ips(d);
        assert_eq!(r.len(), 6);
        assert_eq!(r[0].holder, b"selfoss");
        assert!(!r[0].endpoint);
        let c = conflicts(&r);
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].iter().map(|e| e.line).collect::<Vec<_>>(),
            [5, 6, 8, 9]
        );
    }

    #[test]
    fn network_inspect_containers_map() {
        // `docker network inspect bridge` (moby issue 32484, docker 17.03): prefixed addresses
        // keyed by container id; distinct addresses are no conflict.
        let d = br#"        "Containers": {
            "3d3ae6c10685950cdfd71083ebfa1d7283df4cbb04ac1f5e43ce8d46b709dc15": {
                "Name": "k8s_POD.6252306b_gogs-git-2579599822-0en4b_kube-system_e87db476-10be-11e7-9f92-0050568955b5_74fb1ab0",
                "EndpointID": "f3e6414733b944b0ea22596bb8bf481f061f1268edcc9e11278568c08e08c46b",
                "MacAddress": "02:42:ac:11:0c:e2",
                "IPv4Address": "172.17.12.226/28",
                "IPv6Address": ""
            },
"#;
        let r = parse_endpoint_ips(d);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].ip_text, b"172.17.12.226");
        assert_eq!(&r[0].holder[..8], b"f3e64147");
        assert!(conflicts(&r).is_empty());
    }

    #[test]
    fn what_never_counts() {
        // One container's top-level and network address under one endpoint.
        let d = br#"    "Id": "e991512c9e33c8c2151e1bb40f11f05d3df5f5ab33c4663924ad788006a9495b",
        "EndpointID": "a2dc14eb484c6dc6f29c7e6488edf5a639259857f32e3ca72366a950f626f6cf",
        "IPAddress": "192.168.0.6",
            "bridge": {
                "EndpointID": "a2dc14eb484c6dc6f29c7e6488edf5a639259857f32e3ca72366a950f626f6cf",
                "IPAddress": "192.168.0.6",
"#;
        assert!(conflicts(&parse_endpoint_ips(d)).is_empty());
        // A requested address (IPAMConfig) and empty addresses are not configured ones.
        let d = br#"    "Id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    "IPAMConfig": {
                        "IPv4Address": "172.10.0.9"
                    },
            "IPAddress": "",
    "Id": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "IPAddress": "172.10.0.9",
"#;
        let r = parse_endpoint_ips(d);
        assert_eq!(r.len(), 1);
        assert!(conflicts(&r).is_empty());
        // One address in two networks (two hosts' default bridges).
        let d = br#"    "Id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "NetworkID": "1111111111111111111111111111111111111111111111111111111111111111",
                "IPAddress": "172.17.0.2",
    "Id": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                "NetworkID": "2222222222222222222222222222222222222222222222222222222222222222",
                "IPAddress": "172.17.0.2",
"#;
        let r = parse_endpoint_ips(d);
        assert_eq!(r.len(), 2);
        assert!(conflicts(&r).is_empty());
        // Loopback.
        let d = br#""Hostname": "a",
"IPAddress": "127.0.0.1",
"Hostname": "b",
"IPAddress": "127.0.0.1",
"#;
        assert!(conflicts(&parse_endpoint_ips(d)).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let r = parse_endpoint_ips(&data);
            let _ = conflicts(&r);
        }
    }
}
