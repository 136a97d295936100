//! Container listings read beside a process table: `docker ps -a`, `nerdctl ps -a` and `podman
//! ps -a` rows pasted without their header (cut by `grep`), and the COMMAND cell that ties a
//! listed container to a process row.
//!
//! A headerless row is `ID IMAGE "COMMAND" CREATED STATUS [PORTS] NAMES`: the id is 12 or 64 hex
//! digits, the command is quoted (docker ≥ 1.8 prints it with Go's `strconv.Quote`, so an inner
//! `"` is `\"`), `CREATED` ends with `ago`, and the status runs to the next run of blanks
//! (`Exited (1) 3 minutes ago`, `Up 14 hours (healthy)`, nerdctl's bare `Exited`). Rows whose
//! command is not quoted (docker before 1.8) are read only under their header
//! ([`crate::parse::runtime::parse_docker_ps`]).
//!
//! The COMMAND cell is the container's argv joined by spaces, as `ps` prints a process's
//! arguments, cut to 20 characters unless `--no-trunc`: with `…` (docker 17.06+, nerdctl),
//! `...` (docker 1.13–17.03) or silently (docker before 1.13). [`command_matches`] reads it as a
//! prefix when it may be cut and as the whole command line otherwise.

use crate::parse::ps::words;
use crate::parse::runtime::{DockerPsRow, DockerState};

/// Width docker cuts the COMMAND cell to without `--no-trunc`.
const CUT: usize = 20;

/// The end (exclusive) of a quoted string starting at `s[0] == b'"'`: the index after the
/// closing quote, escapes skipped.
fn quoted_end(s: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of the field starting at `from`: the next run of two blanks (tabwriter pads columns
/// with at least two), a tab or the line's end.
fn field_end(s: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < s.len() {
        if s[i] == b'\t' || (s[i] == b' ' && s.get(i + 1) == Some(&b' ')) {
            return i;
        }
        i += 1;
    }
    s.len()
}

/// Reads one `docker ps` / `nerdctl ps` / `podman ps` row pasted without its header; `None`
/// when the line is not such a row (no hex id, no quoted command, no `… ago` then a status).
pub fn parse_row(n: u32, line: &[u8]) -> Option<DockerPsRow<'_>> {
    let mut ws = words(line);
    let (_, id) = ws.next()?;
    if id.len() < 12 || !id.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let (at, image) = ws.next()?;
    let rest_at = at + image.len();
    let q = rest_at
        + line[rest_at..]
            .iter()
            .position(|c| !c.is_ascii_whitespace())?;
    if line[q] != b'"' {
        return None;
    }
    let q_end = q + quoted_end(&line[q..])?;
    let after = &line[q_end..];
    // CREATED ends with `ago` (`3 minutes ago`, `About an hour ago`); the status follows it.
    let ago = memchr::memmem::find(after, b" ago")? + 4;
    let s = ago + after[ago..].iter().position(|c| !c.is_ascii_whitespace())?;
    let e = field_end(after, s);
    let status = &after[s..e];
    let state = DockerState::from_status(status);
    if state == DockerState::Unknown {
        return None;
    }
    let names = words(&after[e..]).last().map_or(&b""[..], |(_, w)| w);
    Some(DockerPsRow {
        line: n,
        id,
        image,
        command: &line[q..q_end],
        status,
        state,
        names,
    })
}

/// The COMMAND cell without its quotes and cut marker, and whether it may be cut: it ends with
/// `…` or `...`, or it is as long as docker's cut.
fn cell(printed: &[u8]) -> (&[u8], bool) {
    let p = printed.trim_ascii();
    let inner = if p.len() >= 2 && p[0] == b'"' && p[p.len() - 1] == b'"' {
        &p[1..p.len() - 1]
    } else {
        p
    };
    if let Some(s) = inner
        .strip_suffix("…".as_bytes())
        .or_else(|| inner.strip_suffix(b"..."))
    {
        return (s, true);
    }
    let chars = inner.iter().filter(|&&c| c & 0xC0 != 0x80).count();
    (inner, chars >= CUT)
}

/// Whether a process's arguments (`ps` COMMAND/CMD/args) are the command a listing's COMMAND
/// cell shows: a prefix of them when the cell may be cut, all of them otherwise. Escapes of a
/// quoted cell (`\"`, `\\`) are read as the characters they stand for; any other escape (a
/// control character) never matches.
pub fn command_matches(printed: &[u8], args: &[u8]) -> bool {
    let (cmd, cut) = cell(printed);
    let args = args.trim_ascii();
    if cmd.is_empty() {
        return false;
    }
    let mut i = 0;
    let mut k = 0;
    while i < cmd.len() {
        let c = match cmd[i] {
            b'\\' => match cmd.get(i + 1) {
                Some(&e @ (b'"' | b'\\')) => {
                    i += 1;
                    e
                }
                _ => return false,
            },
            c => c,
        };
        if args.get(k) != Some(&c) {
            return false;
        }
        i += 1;
        k += 1;
    }
    cut || k == args.len()
}

/// Programs whose bare name says nothing about which container runs them: shells, init
/// stand-ins, the pause container, idle loops.
const GENERIC: &[&[u8]] = &[
    b"ash",
    b"bash",
    b"cat",
    b"dash",
    b"dumb-init",
    b"init",
    b"ksh",
    b"pause",
    b"sh",
    b"sleep",
    b"tail",
    b"tini",
    b"true",
    b"zsh",
];

/// Whether a COMMAND cell names a process specifically enough to tie it to a process row: a
/// program that is not [`GENERIC`] with an argument, or an absolute path to one (`/run.sh`,
/// `/usr/local/bin/etcd`), or a shell running a command line (`/bin/sh -c …`). A bare `bash`,
/// `/pause` or `sleep 3600` runs in many containers and on the host too.
pub fn specific_command(printed: &[u8]) -> bool {
    let (cmd, _) = cell(printed);
    let mut ws = words(cmd).map(|(_, w)| w);
    let Some(first) = ws.next() else {
        return false;
    };
    let base = first.rsplit(|&c| c == b'/').next().unwrap_or(first);
    let args = ws.count();
    if !GENERIC.contains(&base) {
        return args > 0 || (first.len() > base.len() && base.len() >= 3);
    }
    matches!(base, b"sh" | b"bash" | b"ash" | b"dash" | b"zsh" | b"ksh") && args >= 2
}

/// Whether the command that printed a listing kept only some states: `-f status=exited`,
/// `--filter status=…`, or a `grep` for a state word (`grep Exited`, `grep -v Up`). Such a
/// listing hides the running containers, so a process it does not claim may be theirs.
pub fn filters_state(command: &[u8]) -> bool {
    let has = |n: &[u8]| memchr::memmem::find(command, n).is_some();
    if has(b"status=") || has(b"status ") {
        return true;
    }
    let Some(pipe) = memchr::memchr(b'|', command) else {
        return false;
    };
    let rest = &command[pipe..];
    let in_rest = |n: &[u8]| memchr::memmem::find(rest, n).is_some();
    in_rest(b"xited")
        || in_rest(b"Exit")
        || in_rest(b"Created")
        || in_rest(b"Dead")
        || in_rest(b" Up")
        || in_rest(b"\"Up")
        || in_rest(b"'Up")
}

/// Whether a shell command lists containers with a COMMAND column: `docker ps`, `docker
/// container ls`, `nerdctl [-n NS] ps`, `podman ps` (after `sudo`).
pub fn is_listing_command(command: &[u8]) -> bool {
    let mut ws = words(command).map(|(_, w)| w).peekable();
    if ws.peek() == Some(&&b"sudo"[..]) {
        ws.next();
    }
    let Some(first) = ws.next() else {
        return false;
    };
    let base = first.rsplit(|&c| c == b'/').next().unwrap_or(first);
    if !matches!(base, b"docker" | b"nerdctl" | b"podman") {
        return false;
    }
    let mut prev: &[u8] = b"";
    for w in ws {
        if w == b"|" || w.starts_with(b"|") {
            break;
        }
        if w == b"ps" || (prev == b"container" && (w == b"ls" || w == b"list")) {
            return true;
        }
        prev = w;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headerless_docker_rows() {
        // containerd issue 5959 (docker 18.09): `docker ps -a | grep kube-scheduler`.
        let exited = "e7dd23a3e2c9        d150df6c8d5f                                                                              \"kube-scheduler --bi…\"   3 minutes ago       Exited (1) 3 minutes ago                        k8s_kube-scheduler_kube-scheduler-192.192.0.167_kube-system_a14d87bece740aaf977103aa4c3e946a_148";
        let r = parse_row(2, exited.as_bytes()).expect("row");
        assert_eq!(r.id, b"e7dd23a3e2c9");
        assert_eq!(r.image, b"d150df6c8d5f");
        assert_eq!(r.command, "\"kube-scheduler --bi…\"".as_bytes());
        assert_eq!(r.status, b"Exited (1) 3 minutes ago");
        assert_eq!(r.state, DockerState::Exited(Some(1)));
        assert!(r.names.starts_with(b"k8s_kube-scheduler_"));
        let up = "43a9f5fdd8c5        maglev-registry.maglev-system.svc.cluster.local:5000/pause:3.1                            \"/pause\"                 14 hours ago        Up 14 hours                                     k8s_POD_kube-scheduler-192.192.0.167_kube-system_a14d87bece740aaf977103aa4c3e946a_1";
        let r = parse_row(3, up.as_bytes()).expect("row");
        assert_eq!(r.status, b"Up 14 hours");
        assert_eq!(r.state, DockerState::Up);
        // nerdctl 1.x (containerd issue 10025): bare `Exited`, the row cut after it.
        let n = "32d20bd3f3b4    swr-plat:2524/admin/image/op-psd-pconf:v7.24.10.06.17704944                                  \"/home/pconf/init.sh\"     6 hours ago     Exited   ";
        let r = parse_row(1, n.as_bytes()).expect("row");
        assert_eq!(r.state, DockerState::Exited(None));
        assert_eq!(r.names, b"");
        // Not rows: a process row, a crictl row (no quoted command), an id-less cut row.
        assert!(parse_row(1, b"root     20020 19977  0 Sep07 ?        00:01:47 kube-scheduler --bind-address=0.0.0.0").is_none());
        assert!(parse_row(1, b"32d20bd3f3b4f       2e00eadf86026       10 hours ago        Running             init-op-psd-pconf").is_none());
        assert!(
            parse_row(
                1,
                b"\"/usr/local/bin/etcd\"   6 seconds ago       Exited (1) 3 seconds ago"
            )
            .is_none()
        );
        assert!(parse_row(1, b"e7dd23a3e2c9 img \"unterminated").is_none());
    }

    #[test]
    fn command_cells_against_process_arguments() {
        let args =
            b"kube-scheduler --bind-address=0.0.0.0 --kubeconfig=/etc/kubernetes/scheduler.conf";
        assert!(command_matches("\"kube-scheduler --bi…\"".as_bytes(), args));
        // docker 1.13–17.03 `...`; docker before 1.13 cut without a marker.
        assert!(command_matches(b"\"kube-scheduler --...\"", args));
        assert!(command_matches(b"\"kube-scheduler --bin\"", args));
        assert!(!command_matches(
            "\"kube-apiserver --ad…\"".as_bytes(),
            args
        ));
        // A whole short command is the whole command line, not a prefix.
        assert!(command_matches(b"\"/run.sh\"", b"/run.sh"));
        assert!(!command_matches(b"\"/run.sh\"", b"/run.sh.bak"));
        assert!(!command_matches(b"\"sleep 3\"", b"sleep 30"));
        // Go's quoting: `\"` in the cell is `"` on the command line.
        assert!(command_matches(
            r#""sh -c \"exec ngin…""#.as_bytes(),
            br#"sh -c "exec nginx -g 'daemon off;'""#
        ));
        assert!(!command_matches(br#""a\tb""#, b"a\tb"));
        // `ps` cut the arguments shorter than the cell: no match.
        assert!(!command_matches(
            "\"kube-scheduler --bi…\"".as_bytes(),
            b"kube-sched"
        ));
        assert!(!command_matches(b"\"\"", b"x"));
    }

    #[test]
    fn specific_commands() {
        assert!(specific_command("\"kube-scheduler --bi…\"".as_bytes()));
        assert!(specific_command(b"\"/usr/local/bin/etcd\""));
        assert!(specific_command(b"/run.sh"));
        assert!(specific_command(b"\"/bin/sh -c 'while tr\""));
        assert!(!specific_command(b"\"/pause\""));
        assert!(!specific_command(b"\"bash\""));
        assert!(!specific_command(b"\"/bin/bash\""));
        assert!(!specific_command(b"\"sleep 3600\""));
        assert!(!specific_command(b"\"nginx\""));
        assert!(!specific_command(b"\"\""));
    }

    #[test]
    fn listing_commands_and_state_filters() {
        assert!(is_listing_command(b"docker ps -a | grep kube-scheduler"));
        assert!(is_listing_command(b"sudo docker container ls -a"));
        assert!(is_listing_command(
            b"nerdctl  -n k8s.io ps -a |grep 32d20bd3f3b4"
        ));
        assert!(is_listing_command(b"podman ps -a"));
        assert!(!is_listing_command(b"docker inspect x | grep ps"));
        assert!(!is_listing_command(b"crictl ps -a"));
        assert!(!filters_state(b"docker ps -a | grep kube-scheduler"));
        assert!(filters_state(b"docker ps -a | grep Exited"));
        assert!(filters_state(b"docker ps -a -f status=exited"));
        assert!(filters_state(b"docker ps -a --filter status exited"));
        assert!(filters_state(b"docker ps -a | grep -v Up"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse_row(1, &data);
            let _ = command_matches(&data, &data);
            let _ = specific_command(&data);
            let _ = filters_state(&data);
            let _ = is_listing_command(&data);
        }
    }
}
