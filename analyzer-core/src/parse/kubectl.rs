//! `kubectl describe pod|node` and `kubectl get events` output pasted into a ticket, rewritten
//! so that rules read it as they read logs.
//!
//! An event row puts its columns side by side (`Warning  FailedKillPod  3m (x5 over 10m)
//! kubelet, node1  error killing pod: …`), a node condition is a table row (`Ready  False  …
//! KubeletNotReady  PLEG is not healthy: …`). [`normalize`] rewrites each such row as one
//! log-shaped line that the paste reader ([`crate::parse::paste`]) reads with its partial-header
//! grammar:
//!
//! * `<component>: <Reason>: <Message>[ (x14245 over 1d)]` for an event, the component from the
//!   `From`/`SOURCE` column: `kubelet` (`kubelet, node1`, `{kubelet node1}`), `kernel`
//!   (`kernel-monitor`), `systemd` (`systemd-monitor`), `dockerd` (`docker-monitor`),
//!   `kube-scheduler` (`default-scheduler`), `kube-controller-manager` (`*-controller`); no
//!   component (`<Reason>: <Message>`) when the column is absent or names another;
//! * `<component>: <Reason>: <Message> (<Type> <Status>)` for a node condition, `kubelet` for the
//!   kubelet's reasons (`KubeletNotReady`, `KubeletHasDiskPressure`), `kernel` for the kernel
//!   monitor's conditions (`KernelDeadlock`, `ReadonlyFilesystem`,
//!   `FrequentUnregisterNetDevice`).
//!
//! Every other line is kept as it is — the key-value lines of `kubectl describe pod`
//! (`Last State: Terminated`, `Reason: OOMKilled`, `Exit Code: 137`, `Message: The node was low
//! on resource: …`) are records as pasted, of undetermined source — and the line count never
//! changes, so evidence cites the line of the original paste. Relative ages (`18m`, `3s`) are no times: the records are
//! untimed. Event layouts read: `kubectl describe` since 1.10 (`Type Reason Age From Message`),
//! before it (`FirstSeen LastSeen Count From SubObjectPath Type Reason Message`, tab separated),
//! `kubectl get events` since 1.14 (`LAST SEEN TYPE REASON OBJECT MESSAGE`) and before it
//! (`LASTSEEN FIRSTSEEN COUNT NAME KIND SUBOBJECT TYPE REASON SOURCE MESSAGE`); rows pasted
//! without their header are read in the describe layouts.

use std::borrow::Cow;

use memchr::memmem;

/// Rewrites the kubectl rows and blocks of a paste (see the module documentation); borrows the
/// input when there are none.
pub fn normalize(data: &[u8]) -> Cow<'_, [u8]> {
    if !MARKERS.iter().any(|m| memmem::find(data, m).is_some()) {
        return Cow::Borrowed(data);
    }
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut out: Option<Vec<u8>> = None;
    let mut table = Table::None;
    let mut done = 0usize;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let new = rewrite_line(line, &mut table);
        if let Some(new) = new {
            let o = out.get_or_insert_with(|| Vec::with_capacity(data.len() + 256));
            // Copy the untouched lines before this one.
            let start = line_start(&lines, i);
            o.extend_from_slice(&data[done..start]);
            o.extend_from_slice(&new);
            done = start + line.len();
        }
    }
    match out {
        None => Cow::Borrowed(data),
        Some(mut o) => {
            o.extend_from_slice(&data[done..]);
            Cow::Owned(o)
        }
    }
}

/// Words whose absence means there is nothing to rewrite.
const MARKERS: &[&[u8]] = &[b"Normal ", b"Warning ", b"REASON", b"Heartbeat"];

fn line_start(lines: &[&[u8]], i: usize) -> usize {
    lines[..i].iter().map(|l| l.len() + 1).sum()
}

/// The table the lines being read belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Table {
    None,
    /// Event rows under a header; the column starts of the header (space-aligned layouts).
    Events(Vec<(Col, usize)>),
    /// Node conditions under their header.
    Conditions,
}

/// The columns of event tables that matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Type,
    Reason,
    Age,
    From,
    Count,
    Message,
    Other,
}

fn col(name: &[u8]) -> Col {
    match name.to_ascii_uppercase().as_slice() {
        b"TYPE" => Col::Type,
        b"REASON" => Col::Reason,
        b"AGE" | b"LAST SEEN" | b"LASTSEEN" => Col::Age,
        b"FROM" | b"SOURCE" => Col::From,
        b"COUNT" => Col::Count,
        b"MESSAGE" => Col::Message,
        _ => Col::Other,
    }
}

/// Cells of a row: runs of text separated by two or more blanks or by tabs, with their offsets.
fn cells(line: &[u8]) -> Vec<(usize, &[u8])> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = line.len();
    while i < n {
        while i < n && matches!(line[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        loop {
            while i < n && !matches!(line[i], b' ' | b'\t') {
                i += 1;
            }
            // One space inside a cell (`18m (x2 over 18m)`, `kubelet, node1`) continues it.
            if i + 1 < n && line[i] == b' ' && !matches!(line[i + 1], b' ' | b'\t') {
                i += 1;
                continue;
            }
            break;
        }
        out.push((start, &line[start..i]));
    }
    out
}

fn is_type(c: &[u8]) -> bool {
    c == b"Normal" || c == b"Warning"
}

fn is_reason(c: &[u8]) -> bool {
    !c.is_empty() && c[0].is_ascii_alphabetic() && c.iter().all(u8::is_ascii_alphanumeric)
}

/// The component of an event's `From`/`SOURCE` column.
fn component(from: &[u8]) -> Option<&'static str> {
    let f = from.trim_ascii();
    let f = f.strip_prefix(b"{").unwrap_or(f).trim_ascii();
    let end = f
        .iter()
        .position(|&c| c == b',' || c == b' ' || c == b'}')
        .unwrap_or(f.len());
    Some(match &f[..end] {
        b"kubelet" => "kubelet",
        b"kernel-monitor" => "kernel",
        b"systemd-monitor" => "systemd",
        b"docker-monitor" => "dockerd",
        b"default-scheduler" => "kube-scheduler",
        b"kube-proxy" => "kube-proxy",
        w if w.ends_with(b"-controller") || w == b"controllermanager" => "kube-controller-manager",
        _ => return None,
    })
}

/// The `(x14245 over 1d)` of an age cell.
fn repeat(age: &[u8]) -> Option<&[u8]> {
    let open = memchr::memchr(b'(', age)?;
    let inner = age[open..].strip_suffix(b")")?;
    inner[1..].starts_with(b"x").then_some(&age[open..])
}

fn event_line(
    component: Option<&str>,
    reason: &[u8],
    message: &[u8],
    repeat: Option<&[u8]>,
) -> Vec<u8> {
    let mut v = Vec::with_capacity(message.len() + 64);
    if let Some(c) = component {
        v.extend_from_slice(c.as_bytes());
        v.extend_from_slice(b": ");
    }
    v.extend_from_slice(reason);
    v.extend_from_slice(b": ");
    v.extend_from_slice(message.trim_ascii());
    if let Some(r) = repeat {
        v.push(b' ');
        v.extend_from_slice(r);
    }
    v
}

fn rewrite_line(line: &[u8], table: &mut Table) -> Option<Vec<u8>> {
    let t = line.trim_ascii();
    if t.is_empty() {
        *table = Table::None;
        return None;
    }
    let cs = cells(line);
    // Headers and separators.
    if let Some(t2) = event_header(line, &cs) {
        *table = t2;
        return None;
    }
    if cs.iter().map(|c| c.1).eq([
        &b"Type"[..],
        b"Status",
        b"LastHeartbeatTime",
        b"LastTransitionTime",
        b"Reason",
        b"Message",
    ]) {
        *table = Table::Conditions;
        return None;
    }
    if t.iter().all(|&c| matches!(c, b'-' | b' ' | b'\t')) {
        return None;
    }
    match table {
        Table::Conditions => {
            if let Some(new) = condition_row(&cs, line) {
                return Some(new);
            }
        }
        Table::Events(cols) => {
            if let Some(new) = event_row_by_header(cols, &cs, line) {
                return Some(new);
            }
        }
        Table::None => {}
    }
    event_row(&cs, line)
}

/// An events header: the layout, with column starts for space-aligned tables.
fn event_header(line: &[u8], cs: &[(usize, &[u8])]) -> Option<Table> {
    let names: Vec<Col> = cs.iter().map(|c| col(c.1)).collect();
    let has = |c: Col| names.contains(&c);
    if !(has(Col::Type) && has(Col::Reason) && has(Col::Message)) {
        return None;
    }
    // `Type Status … Reason Message` is the conditions table, not events.
    if cs.iter().any(|c| c.1 == b"Status") {
        return None;
    }
    let _ = line;
    Some(Table::Events(
        cs.iter().map(|&(at, name)| (col(name), at)).collect(),
    ))
}

/// An event row read by its header's columns: by the column starts when the row is aligned
/// with them (tabwriter output), else by its cells around the type.
fn event_row_by_header(
    cols: &[(Col, usize)],
    cs: &[(usize, &[u8])],
    line: &[u8],
) -> Option<Vec<u8>> {
    let aligned = cols
        .iter()
        .all(|&(_, at)| at == 0 || line.get(at.saturating_sub(1)).is_none_or(|&c| c == b' '))
        && cs.iter().all(|c| cols.iter().any(|&(_, at)| at == c.0));
    if aligned {
        let cell = |want: Col| -> Option<&[u8]> {
            let k = cols.iter().position(|&(c, _)| c == want)?;
            let start = cols[k].1;
            let end = if want == Col::Message {
                line.len()
            } else {
                cols.get(k + 1).map_or(line.len(), |&(_, e)| e)
            };
            Some(line.get(start..end.min(line.len()))?.trim_ascii())
        };
        let (ty, reason, message) = (cell(Col::Type)?, cell(Col::Reason)?, cell(Col::Message)?);
        if !is_type(ty) || !is_reason(reason) || message.is_empty() {
            return None;
        }
        let from = cell(Col::From).and_then(component);
        let rep = cell(Col::Age)
            .and_then(repeat)
            .map(<[u8]>::to_vec)
            .or_else(|| {
                cell(Col::Count)
                    .filter(|c| c.iter().all(u8::is_ascii_digit) && *c != b"1" && !c.is_empty())
                    .map(|c| [&b"(x"[..], c, b")"].concat())
            });
        return Some(event_line(from, reason, message, rep.as_deref()));
    }
    event_row(cs, line)
}

/// An event row without (or not aligned with) its header: the type cell, then the reason;
/// the describe layout since 1.10 has age, source and message after the reason; the older
/// layouts have the source before the type and the message after the reason.
fn event_row(cs: &[(usize, &[u8])], line: &[u8]) -> Option<Vec<u8>> {
    let k = cs.iter().position(|c| is_type(c.1))?;
    let reason = cs.get(k + 1)?.1;
    if !is_reason(reason) {
        return None;
    }
    if k == 0 {
        // Type Reason Age From Message
        let age = cs.get(k + 2)?.1;
        let from = cs.get(k + 3)?;
        let msg = cs.get(k + 4)?;
        let age_ok = age
            .first()
            .is_some_and(|c| c.is_ascii_digit() || *c == b'<');
        if !age_ok {
            return None;
        }
        return Some(event_line(
            component(from.1),
            reason,
            &line[msg.0..],
            repeat(age),
        ));
    }
    // FirstSeen LastSeen Count From [SubObjectPath] Type Reason Message
    let msg = cs.get(k + 2)?;
    let from = cs[..k].iter().rev().find_map(|c| component(c.1));
    Some(event_line(from, reason, &line[msg.0..], None))
}

/// Kernel monitor conditions of node-problem-detector.
const KERNEL_CONDITIONS: &[&[u8]] = &[
    b"KernelDeadlock",
    b"ReadonlyFilesystem",
    b"FrequentUnregisterNetDevice",
];

/// `Ready  False  <heartbeat>  <transition>  KubeletNotReady  PLEG is not healthy: …`
fn condition_row(cs: &[(usize, &[u8])], line: &[u8]) -> Option<Vec<u8>> {
    if cs.len() < 6 {
        return None;
    }
    let (ty, status, reason, msg) = (cs[0].1, cs[1].1, cs[4].1, &cs[5]);
    if !matches!(status, b"True" | b"False" | b"Unknown") || !is_reason(reason) {
        return None;
    }
    let comp = if reason.starts_with(b"Kubelet") {
        Some("kubelet")
    } else if KERNEL_CONDITIONS.contains(&ty) {
        Some("kernel")
    } else {
        None
    };
    let mut v = event_line(comp, reason, &line[msg.0..], None);
    v.extend_from_slice(b" (");
    v.extend_from_slice(ty);
    v.push(b' ');
    v.extend_from_slice(status);
    v.push(b')');
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        String::from_utf8(normalize(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn describe_events_with_header() {
        // kubernetes#91600 (kubectl describe pod, 1.18).
        let s = "Events:\n  Type     Reason          Age                From               Message\n  ----     ------          ----               ----               -------\n  Normal   Killing         18m (x2 over 18m)  kubelet, mgt04     Stopping container calico-node\n  Warning  Evicted         18m                kubelet, mgt04     The node was low on resource: ephemeral-storage. Container calico-node was using 92Ki, which exceeds its request of 0.\n";
        let got = norm(s);
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines.len(), s.lines().count());
        assert_eq!(lines[0], "Events:");
        assert_eq!(
            lines[3],
            "kubelet: Killing: Stopping container calico-node (x2 over 18m)"
        );
        assert_eq!(
            lines[4],
            "kubelet: Evicted: The node was low on resource: ephemeral-storage. Container calico-node was using 92Ki, which exceeds its request of 0."
        );
    }

    #[test]
    fn event_rows_without_header() {
        // kubernetes#20096 (NPD kernel monitor), foundation#1055 (1.2x kubelet only),
        // minikube#6820.
        let got = norm(
            "Warning  UnregisterNetDevice  3s (x14245 over 1d)  kernel-monitor, gke-c1-cpu8-mem52-e7a9e3b3-3w22  unregister_netdevice: waiting for eth0 to become free. Usage count = 21\n Warning  FreeDiskSpaceFailed   59m                  kubelet  failed to garbage collect required amount of images. Wanted to free 6808736563 bytes, but freed 0 bytes\n  Warning  EvictionThresholdMet     5m53s (x16 over 8m31s)  kubelet, cloud-code-minikube  Attempting to reclaim ephemeral-storage\n  Normal   Scheduled  <unknown>  default-scheduler  Successfully assigned default/web to node1\n",
        );
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(
            lines,
            vec![
                "kernel: UnregisterNetDevice: unregister_netdevice: waiting for eth0 to become free. Usage count = 21 (x14245 over 1d)",
                "kubelet: FreeDiskSpaceFailed: failed to garbage collect required amount of images. Wanted to free 6808736563 bytes, but freed 0 bytes",
                "kubelet: EvictionThresholdMet: Attempting to reclaim ephemeral-storage (x16 over 8m31s)",
                "kube-scheduler: Scheduled: Successfully assigned default/web to node1",
            ]
        );
    }

    #[test]
    fn old_and_get_events_layouts() {
        // kubectl 1.5 describe (tabs), kubectl 1.11 and 1.18 get events.
        let got = norm(
            "  FirstSeen\tLastSeen\tCount\tFrom\t\t\tSubObjectPath\tType\t\tReason\t\tMessage\n  ---------\t--------\t-----\t----\t\t\t-------------\t--------\t------\t\t-------\n  1m\t\t1m\t\t1\t{kubelet node1}\t\t\tWarning\t\tFailedSync\tError syncing pod, skipping: failed to \"KillContainer\" for \"web\"\n\nLAST SEEN   TYPE      REASON          OBJECT        MESSAGE\n3m          Warning   FailedKillPod   pod/web-0     error killing pod: failed to \"KillPodSandbox\" for \"5e2a\" with KillPodSandboxError: \"rpc error: code = DeadlineExceeded desc = context deadline exceeded\"\n\nLAST SEEN   FIRST SEEN   COUNT     NAME     KIND      SUBOBJECT   TYPE      REASON          SOURCE              MESSAGE\n1m          1h           17        web-0    Pod                   Warning   FailedKillPod   kubelet, node1      error killing pod: timeout\n",
        );
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(
            lines[2],
            "kubelet: FailedSync: Error syncing pod, skipping: failed to \"KillContainer\" for \"web\""
        );
        assert_eq!(
            lines[5],
            "FailedKillPod: error killing pod: failed to \"KillPodSandbox\" for \"5e2a\" with KillPodSandboxError: \"rpc error: code = DeadlineExceeded desc = context deadline exceeded\""
        );
        assert_eq!(
            lines[8],
            "kubelet: FailedKillPod: error killing pod: timeout (x17)"
        );
    }

    #[test]
    fn node_conditions() {
        // jupyter et#13 (kubectl describe nodes, 1.13).
        let got = norm(
            "  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message\n  ----             ------  -----------------                 ------------------                ------                       -------\n  MemoryPressure   False   Mon, 03 Jun 2019 13:54:18 +0000   Wed, 20 Mar 2019 22:00:39 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available\n  Ready            False   Mon, 03 Jun 2019 13:54:18 +0000   Sun, 02 Jun 2019 21:39:37 +0000   KubeletNotReady              PLEG is not healthy: pleg was last seen active 16h17m50.791825508s ago; threshold is 3m0s\n  ReadonlyFilesystem  True  Mon, 03 Jun 2019 13:54:18 +0000   Sun, 02 Jun 2019 21:39:37 +0000   FilesystemIsReadOnly   Filesystem is read-only\n",
        );
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(
            lines[3],
            "kubelet: KubeletNotReady: PLEG is not healthy: pleg was last seen active 16h17m50.791825508s ago; threshold is 3m0s (Ready False)"
        );
        assert_eq!(
            lines[4],
            "kernel: FilesystemIsReadOnly: Filesystem is read-only (ReadonlyFilesystem True)"
        );
    }

    #[test]
    fn other_lines_are_kept() {
        // gnomad-browser#1410: describe pod key-value lines stay as pasted.
        let s = "Containers:\n  api:\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n";
        assert!(matches!(normalize(s.as_bytes()), Cow::Borrowed(_)));
        assert!(matches!(
            normalize(b"Aug 20 10:25:54 node1 kubelet[1]: Warning: x\n"),
            Cow::Borrowed(_)
        ));
    }
}
