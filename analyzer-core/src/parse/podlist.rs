//! `kubectl get pods -o wide` rows: which pod holds which IP on which node.
//!
//! The table is pasted with its header (`NAME READY STATUS RESTARTS AGE IP NODE [NOMINATED NODE
//! READINESS GATES]`, with a leading `NAMESPACE` under `-A`/`--all-namespaces`) or without it,
//! cut by `grep`. Columns are read by word, not by offset: people paste the table re-aligned,
//! and `RESTARTS` is `1 (4h25m ago)` since kubectl 1.22. A row is `[NAMESPACE] NAME N/M STATUS
//! RESTARTS … IP NODE`: the `N/M` of `READY` anchors it, the IP is the first word after
//! `RESTARTS` that is an address (or `<none>`), the node the word after it.
//!
//! [`conflicts`] keeps the rows that show one pod IP held by several live pods of one node,
//! leaving out what is legitimately shared: the node's own address (host-network pods), pods
//! whose sandbox is gone (`Completed`, `Evicted`, …), loopback and link-local addresses, and
//! one IP on different nodes (separate hosts).

use std::net::IpAddr;

use crate::parse::netns::{counts_as_pod_ip, parse_ip};
use crate::parse::ps::{numbered_lines, parse_u32, words};

/// Most words of a row looked at (the wide layout has 10 columns, 12 with the restart age).
const MAX_WORDS: usize = 16;

/// One `kubectl get pods -o wide` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodRow<'a> {
    /// 1-based line.
    pub line: u32,
    /// `NAMESPACE` column, when printed.
    pub namespace: Option<&'a [u8]>,
    /// Pod name.
    pub name: &'a [u8],
    /// `STATUS` (`Running`, `CrashLoopBackOff`, `Completed`, …).
    pub status: &'a [u8],
    /// The `IP` column as printed (`10.1.22.18`); `<none>` rows are not kept.
    pub ip_text: &'a [u8],
    /// The parsed address.
    pub ip: IpAddr,
    /// `NODE` column.
    pub node: &'a [u8],
}

/// `N/M` of the `READY` column.
fn is_ready(w: &[u8]) -> bool {
    let Some(i) = memchr::memchr(b'/', w) else {
        return false;
    };
    parse_u32(&w[..i]).is_some() && parse_u32(&w[i + 1..]).is_some()
}

/// Whether a line is the table's header: `NAME`, `READY`, `STATUS`, `IP` and `NODE` among its
/// words. Returns whether `NAMESPACE` leads it.
fn header(line: &[u8]) -> Option<bool> {
    let mut seen = 0u8;
    let mut first = None;
    for (_, w) in words(line) {
        first.get_or_insert(w);
        seen |= match w {
            b"NAME" => 1,
            b"READY" => 2,
            b"STATUS" => 4,
            b"IP" => 8,
            b"NODE" => 16,
            _ => 0,
        };
    }
    (seen == 31).then(|| first == Some(&b"NAMESPACE"[..]))
}

/// Reads one row; `namespaced` is what the header said (`None` without a header: the `READY`
/// cell tells).
fn row(n: u32, line: &[u8], namespaced: Option<bool>) -> Option<PodRow<'_>> {
    // Cheap test first: a row has a `N/M` cell.
    let ready_cell = memchr::memchr_iter(b'/', line).any(|i| {
        i > 0 && line[i - 1].is_ascii_digit() && line.get(i + 1).is_some_and(u8::is_ascii_digit)
    });
    if !ready_cell {
        return None;
    }
    let mut ws: [&[u8]; MAX_WORDS] = [b""; MAX_WORDS];
    let mut len = 0;
    for (_, w) in words(line) {
        if len == MAX_WORDS {
            break;
        }
        ws[len] = w;
        len += 1;
    }
    let ready = match namespaced {
        Some(true) => 2,
        Some(false) => 1,
        None if len > 2 && is_ready(ws[2]) && !is_ready(ws[1]) => 2,
        None => 1,
    };
    if len < ready + 5 || !is_ready(ws[ready]) || parse_u32(ws[ready + 2]).is_none() {
        return None;
    }
    let (namespace, name) = if ready == 2 {
        (Some(ws[0]), ws[1])
    } else {
        (None, ws[0])
    };
    // The IP: the first address (or `<none>`) after RESTARTS; the node follows it.
    let at = (ready + 3..len - 1).find(|&i| ws[i] == b"<none>" || parse_ip(ws[i]).is_some())?;
    let ip = parse_ip(ws[at])?;
    Some(PodRow {
        line: n,
        namespace,
        name,
        status: ws[ready + 1],
        ip_text: ws[at],
        ip,
        node: ws[at + 1],
    })
}

/// Parses the `kubectl get pods -o wide` rows of `data`, under their header or pasted without
/// it. Rows whose IP is `<none>` are left out.
pub fn parse_pod_list(data: &[u8]) -> Vec<PodRow<'_>> {
    let mut out = Vec::new();
    let mut namespaced = None;
    for (n, line) in numbered_lines(data) {
        if let Some(ns) = header(line) {
            namespaced = Some(ns);
            continue;
        }
        if line.trim_ascii().is_empty() {
            namespaced = None;
            continue;
        }
        if let Some(r) = row(n, line, namespaced) {
            out.push(r);
        }
    }
    out
}

/// Statuses of a pod whose sandbox (and network namespace) is gone: its IP stays in the listing
/// and may be handed to a new pod.
fn sandbox_gone(status: &[u8]) -> bool {
    matches!(
        status,
        b"Completed"
            | b"Succeeded"
            | b"Failed"
            | b"Error"
            | b"Evicted"
            | b"OOMKilled"
            | b"ContainerStatusUnknown"
            | b"Shutdown"
            | b"NodeShutdown"
            | b"Terminated"
            | b"DeadlineExceeded"
            | b"NodeAffinity"
            | b"OutOfcpu"
            | b"OutOfmemory"
    )
}

/// DaemonSets that run in the host network namespace: their pods carry the node's address.
const HOST_NETWORK_PODS: &[&[u8]] = &[
    b"kube-proxy-",
    b"calico-node-",
    b"canal-",
    b"kube-flannel-",
    b"kube-router-",
    b"aws-node-",
    b"cilium-",
    b"weave-net-",
    b"antrea-agent-",
    b"ip-masq-agent-",
    b"node-exporter-",
    b"node-local-dns-",
    b"nvidia-driver-daemonset-",
    b"ovnkube-node-",
    b"multus-",
];

/// `ip-10-0-135-147…` (EC2 private DNS names) → `10.0.135.147`.
fn ip_in_node_name(node: &[u8]) -> Option<IpAddr> {
    let rest = node.strip_prefix(b"ip-")?;
    let mut oct = [0u8; 4];
    let mut it = rest.split(|&c| c == b'-' || c == b'.');
    for o in &mut oct {
        *o = u8::try_from(parse_u32(it.next()?)?).ok()?;
    }
    Some(IpAddr::from(oct))
}

/// Whether `ip` is the node's own address as the table shows it: the `NODE` column is that
/// address or names it, a static pod of the node (`kube-proxy-<node>`, `etcd-<node>`) or a
/// host-network DaemonSet pod on it holds it.
fn node_address(rows: &[PodRow], node: &[u8], ip: IpAddr) -> bool {
    if parse_ip(node) == Some(ip) || ip_in_node_name(node) == Some(ip) {
        return true;
    }
    rows.iter()
        .filter(|r| r.node == node && r.ip == ip)
        .any(|r| {
            let static_pod = r.name.len() > node.len() + 1
                && r.name.ends_with(node)
                && r.name[r.name.len() - node.len() - 1] == b'-';
            static_pod || HOST_NETWORK_PODS.iter().any(|p| r.name.starts_with(p))
        })
}

/// The rows that show one IP held by several live pods of one node: groups (each of at least
/// two rows, in line order) per node and address. Loopback, link-local, the node's own address
/// and pods whose sandbox is gone never count.
pub fn conflicts<'r, 'a>(rows: &'r [PodRow<'a>]) -> Vec<Vec<&'r PodRow<'a>>> {
    let mut out: Vec<Vec<&PodRow>> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if !counts_as_pod_ip(&r.ip) || sandbox_gone(r.status) {
            continue;
        }
        // Each group is opened at its first row.
        let first = rows[..i]
            .iter()
            .any(|o| o.node == r.node && o.ip == r.ip && !sandbox_gone(o.status));
        if first {
            continue;
        }
        let group: Vec<&PodRow> = rows[i..]
            .iter()
            .filter(|o| o.node == r.node && o.ip == r.ip && !sandbox_gone(o.status))
            .collect();
        let mut names: Vec<(&[u8], Option<&[u8]>)> =
            group.iter().map(|o| (o.name, o.namespace)).collect();
        names.sort_unstable();
        names.dedup();
        if names.len() < 2 || node_address(rows, r.node, r.ip) {
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
    fn wide_table_with_header() {
        // calicoctl issue 1295 (kubectl 1.4, calico): two replicas on one node, one IP.
        let d = b"NAME                        READY     STATUS    RESTARTS   AGE       IP              NODE
my-nginx-3080244901-o1wk7   1/1       Running   0          3m        192.168.186.4   ip-172-20-92-241.us-west-1.compute.internal
my-nginx-3080244901-wffqp   1/1       Running   0          3m        192.168.186.4   ip-172-20-92-241.us-west-1.compute.internal
";
        let r = parse_pod_list(d);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].name, b"my-nginx-3080244901-o1wk7");
        assert_eq!(r[0].namespace, None);
        assert_eq!(r[0].ip_text, b"192.168.186.4");
        assert_eq!(r[1].node, b"ip-172-20-92-241.us-west-1.compute.internal");
        assert_eq!((r[0].line, r[1].line), (2, 3));
        let c = conflicts(&r);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn namespaced_rows_without_header_and_new_restarts_cell() {
        // kubernetes issue 43910 (1.5): `get pod -o wide --all-namespaces` cut with `...`.
        let d = b"$ ./kubectl get pod -o wide --all-namespaces
default         busybox-3674381263-1xm2c                   1/1       Running            0          4m        10.1.22.18      10.169.1.136
...
kube-system     kubernetes-dashboard-2668982082-tbtt9      0/1       CrashLoopBackOff   6          4h        10.1.22.18      10.169.1.136
";
        let r = parse_pod_list(d);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].namespace, Some(&b"kube-system"[..]));
        assert_eq!(r[1].status, b"CrashLoopBackOff");
        let c = conflicts(&r);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4]);
        // kubectl 1.24 `get pods -A -o wide` (calico issue 6243): `1 (4h25m ago)` restarts; one
        // IP on two nodes is two hosts, not a conflict.
        let d = b"NAMESPACE     NAME                                       READY   STATUS    RESTARTS        AGE     IP             NODE       NOMINATED NODE   READINESS GATES
default       nginx2-7cc8cd4598-w2bhd                    1/1     Running   0               8s      172.17.0.3     kworker1   <none>           <none>
kube-system   calico-kube-controllers-56cdb7c587-r5nt2   1/1     Running   1               4h44m   172.17.0.3     kworker2   <none>           <none>
kube-system   calico-node-j79sh                          1/1     Running   1 (4h25m ago)   4h44m   192.168.1.23   kworker1   <none>           <none>
";
        let r = parse_pod_list(d);
        assert_eq!(r.len(), 3);
        assert_eq!(r[2].ip_text, b"192.168.1.23");
        assert_eq!(r[2].node, b"kworker1");
        assert!(conflicts(&r).is_empty());
    }

    #[test]
    fn host_network_and_finished_pods_never_count() {
        // aws-vpc-cni issue 677: aws-node and kube-proxy share the node's address.
        let d = b"kube-system   aws-node-mrdfk                 1/1     Running   0          15d     10.0.135.147   ip-10-0-135-147.us-west-2.compute.internal   <none>           <none>
kube-system   kube-proxy-fvg6t               1/1     Running   0          15d     10.0.135.147   ip-10-0-135-147.us-west-2.compute.internal   <none>           <none>
";
        let r = parse_pod_list(d);
        assert_eq!(r.len(), 2);
        assert!(conflicts(&r).is_empty());
        // kubernetes issue 72186 (GKE): the static kube-proxy pod names the node.
        let d = b"kube-system     ip-masq-agent-wsqn5                                         1/1       Running     0          15h       172.20.1.10    gke-plr-web-prd-05-web-00-531bb1cd-2djt         <none>
kube-system     kube-proxy-gke-plr-web-prd-05-web-00-531bb1cd-2djt          1/1       Running     0          15h       172.20.1.10    gke-plr-web-prd-05-web-00-531bb1cd-2djt         <none>
monitoring      node-exporter-mz76k                                         1/1       Running     0          15h       172.20.1.10    gke-plr-web-prd-05-web-00-531bb1cd-2djt         <none>
";
        assert!(conflicts(&parse_pod_list(d)).is_empty());
        // A job's pod keeps its IP in the listing after its sandbox is gone.
        let d = b"NAME         READY   STATUS      RESTARTS   AGE   IP           NODE
job-x-1abcd  0/1     Completed   0          2h    10.244.1.7   node1
web-7d9f-2x  1/1     Running     0          5m    10.244.1.7   node1
";
        assert!(conflicts(&parse_pod_list(d)).is_empty());
        let d = b"NAME   READY   STATUS    RESTARTS   AGE   IP          NODE
a-1    1/1     Running   0          2h    127.0.0.1   node1
a-2    1/1     Running   0          5m    127.0.0.1   node1
";
        assert!(conflicts(&parse_pod_list(d)).is_empty());
    }

    #[test]
    fn node_names_and_rows_that_are_not_pods() {
        assert_eq!(
            ip_in_node_name(b"ip-10-0-135-147.us-west-2.compute.internal"),
            Some(IpAddr::from([10, 0, 135, 147]))
        );
        assert_eq!(ip_in_node_name(b"ip-masq"), None);
        assert!(parse_pod_list(b"1/1 Running 0 3m 10.0.0.1 node\n").is_empty());
        assert!(parse_pod_list(b"tcp 0/0 LISTEN x y 10.0.0.1 node\n").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let mut d = b"NAME READY STATUS RESTARTS AGE IP NODE\n".to_vec();
            d.extend_from_slice(&data);
            let r = parse_pod_list(&d);
            let _ = conflicts(&r);
            let _ = conflicts(&parse_pod_list(&data));
        }
    }
}
