//! `ps` output in every sos shape.
//!
//! The header names the columns; a row is split on runs of blanks, each header column taking one
//! word except `STARTED` (`lstart`, five words: `Fri Feb 11 18:58:06 2022`). The command column
//! (`CMD`, `COMMAND`, `ARGS`) takes the rest of the line, spaces included — unless a column
//! follows it (`ps axo …,comm,cgroup`), then the command is every word up to the trailing ones.
//! Thread rows (`ps auxwwwm` rows whose PID is `-`, `ps -elfL` rows whose LWP differs from the
//! PID) are marked [`PsRow::thread`]. Rows that do not fit the header are skipped and counted.

use memchr::memchr;
use nom::Parser;
use nom::bytes::complete::{take_till1, take_while};
use nom::sequence::preceded;

use crate::parse::grammar::{PResult, run, used, whole_uint};

/// Iterates the lines of `data` with their 1-based numbers, without the line ending (`\n` or
/// `\r\n`).
pub(crate) fn numbered_lines(data: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let mut rest = data;
    let mut n = 0u32;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        n = n.saturating_add(1);
        let (line, next) = match memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        Some((n, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

/// Splits on runs of ASCII blanks, yielding each word with its byte offset in `line`.
pub(crate) fn words(line: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut rest = line;
    std::iter::from_fn(move || {
        let (after, w) = run(blank_word, rest)?;
        rest = after;
        Some((used(line, after) - w.len(), w))
    })
}

/// Blanks, then a word: the bytes up to the next ASCII blank (or the end).
#[inline]
fn blank_word(i: &[u8]) -> PResult<'_, &[u8]> {
    preceded(
        take_while(|c: u8| c.is_ascii_whitespace()),
        take_till1(|c: u8| c.is_ascii_whitespace()),
    )
    .parse(i)
}

/// Trims ASCII blanks on both sides.
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Parses a decimal `u32`; `None` for anything else.
pub(crate) fn parse_u32(b: &[u8]) -> Option<u32> {
    whole_uint(b).and_then(|v| u32::try_from(v).ok())
}

/// The meaning of one `ps` header column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Pid,
    Ppid,
    User,
    State,
    Start,
    LStart,
    Lwp,
    Comm,
    Args,
    Cgroup,
    Other,
}

fn col_of(name: &[u8]) -> Col {
    match name {
        b"PID" => Col::Pid,
        b"PPID" => Col::Ppid,
        b"USER" | b"UID" => Col::User,
        b"S" | b"STAT" => Col::State,
        b"START" | b"STIME" => Col::Start,
        b"STARTED" => Col::LStart,
        b"LWP" | b"SPID" | b"TID" => Col::Lwp,
        b"COMMAND" | b"CMD" | b"ARGS" => Col::Args,
        b"COMM" | b"UCOMM" => Col::Comm,
        b"CGROUP" => Col::Cgroup,
        _ => Col::Other,
    }
}

/// True when `line` looks like a `ps` header: it names `PID` and a command column.
pub fn is_header(line: &[u8]) -> bool {
    let mut pid = false;
    let mut cmd = false;
    for (i, (_, w)) in words(line).enumerate() {
        // Tables that merely have a PID column: lsof (`COMMAND PID … FD TYPE … NAME`),
        // lslocks (`COMMAND PID TYPE SIZE MODE …`), systemd-inhibit (`WHO UID USER PID COMM WHAT`).
        if matches!(
            w,
            b"FD" | b"TYPE" | b"NAME" | b"WHAT" | b"WHY" | b"MODE" | b"NODE" | b"WHO"
        ) {
            return false;
        }
        match col_of(w) {
            Col::Pid => pid = true,
            // ps never starts with the command column; lsof and lslocks do.
            Col::Args | Col::Comm if i == 0 => return false,
            Col::Args | Col::Comm => cmd = true,
            _ => {}
        }
    }
    pid && cmd
}

/// One row of a `ps` table, borrowing from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsRow<'a> {
    /// 1-based line number.
    pub line: u32,
    /// Process id; `None` on `ps auxwwwm` thread rows (PID `-`).
    pub pid: Option<u32>,
    /// Parent process id, when the shape has it.
    pub ppid: Option<u32>,
    /// Thread id (`LWP`), when the shape has it.
    pub lwp: Option<u32>,
    /// True for a thread row (not the process itself).
    pub thread: bool,
    /// `USER` / `UID` as printed (a name or a number).
    pub user: &'a [u8],
    /// State (`S`, `Ssl`, `Z`, `D<`); for `ps auxwwwm` the first thread's state.
    pub state: &'a [u8],
    /// Start time as printed (`18:58`, `Feb11`, `Fri Feb 11 18:58:06 2022`); empty if absent.
    pub start: &'a [u8],
    /// The command line (`/usr/bin/dockerd -H fd://`, `[kthreadd]`, `[java] <defunct>`).
    pub args: &'a [u8],
    /// The `CGROUP` column (`8:pids:/kubepods/…,7:devices:…`), when present.
    pub cgroup: Option<&'a [u8]>,
}

impl<'a> PsRow<'a> {
    /// The program name: basename of the first word of the command (`dockerd`,
    /// `docker-containerd-shim`, `[kthreadd]`, `runc:[2:INIT]`).
    pub fn name(&self) -> &'a [u8] {
        program_name(self.args)
    }

    /// True for a zombie (`Z` state or `<defunct>` in the command).
    pub fn is_zombie(&self) -> bool {
        self.state.first() == Some(&b'Z') || self.args.ends_with(b"<defunct>")
    }
}

/// Basename of the first word of a command line (after a forest's tree art, `| \\_ `); kernel
/// threads (`[kthreadd]`) whole.
pub fn program_name(args: &[u8]) -> &[u8] {
    let args = strip_forest(trim(args));
    let first = words(args).next().map(|(_, w)| w).unwrap_or(args);
    if first.first() == Some(&b'[') {
        return first;
    }
    match memchr::memrchr(b'/', first) {
        Some(i) if i + 1 < first.len() => &first[i + 1..],
        _ => first,
    }
}

/// A parsed `ps` table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PsTable<'a> {
    /// Rows in file order (processes and threads).
    pub rows: Vec<PsRow<'a>>,
    /// True when the shape has a `PPID` column.
    pub has_ppid: bool,
    /// Lines that did not fit the header (skipped).
    pub skipped: u32,
}

impl<'a> PsTable<'a> {
    /// The process rows (threads left out).
    pub fn processes(&self) -> impl Iterator<Item = &PsRow<'a>> {
        self.rows.iter().filter(|r| !r.thread)
    }
}

/// Parses any `ps` shape. Lines before the header are skipped; a repeated header restarts the
/// column layout.
pub fn parse(data: &[u8]) -> PsTable<'_> {
    let mut table = PsTable::default();
    let mut cols: Vec<Col> = Vec::new();
    for (n, line) in numbered_lines(data) {
        if trim(line).is_empty() {
            continue;
        }
        if is_header(line) {
            cols = words(line).map(|(_, w)| col_of(w)).collect();
            table.has_ppid |= cols.contains(&Col::Ppid);
            continue;
        }
        if cols.is_empty() {
            table.skipped += 1;
            continue;
        }
        match parse_row(&cols, n, line) {
            Some(row) => {
                if row.thread && row.pid.is_none() {
                    // `ps m`: the process row has state `-`; its first thread row has it.
                    if let Some(prev) = table.rows.iter_mut().rev().find(|r| r.pid.is_some())
                        && prev.state == b"-"
                    {
                        prev.state = row.state;
                    }
                }
                table.rows.push(row);
            }
            None => table.skipped += 1,
        }
    }
    table
}

fn parse_row<'a>(cols: &[Col], n: u32, line: &'a [u8]) -> Option<PsRow<'a>> {
    let ws: Vec<(usize, &[u8])> = words(line).collect();
    let cmd_idx = cols
        .iter()
        .position(|c| matches!(c, Col::Args | Col::Comm))?;
    // Words taken by the columns before the command, and by those after it.
    let width = |c: &Col| if *c == Col::LStart { 5 } else { 1 };
    let before: usize = cols[..cmd_idx].iter().map(width).sum();
    let after: usize = cols[cmd_idx + 1..].iter().map(width).sum();
    if ws.len() < before + after + 1 {
        // A thread row of `ps m` may end in `-` for the command; anything shorter is broken.
        return None;
    }
    let mut row = PsRow {
        line: n,
        pid: None,
        ppid: None,
        lwp: None,
        thread: false,
        user: b"",
        state: b"",
        start: b"",
        args: b"",
        cgroup: None,
    };
    let mut wi = 0;
    let mut pid_dash = false;
    let mut assign = |row: &mut PsRow<'a>, col: Col, first: usize, count: usize| {
        let (s, _) = ws[first];
        let (ls, lw) = ws[first + count - 1];
        let text = &line[s..ls + lw.len()];
        match col {
            Col::Pid => {
                row.pid = parse_u32(text);
                pid_dash = text == b"-";
            }
            Col::Ppid => row.ppid = parse_u32(text),
            Col::Lwp => row.lwp = parse_u32(text),
            Col::User => row.user = text,
            Col::State => row.state = text,
            Col::Start | Col::LStart => row.start = text,
            Col::Args | Col::Comm => row.args = text,
            Col::Cgroup => row.cgroup = (text != b"-").then_some(text),
            Col::Other => {}
        }
    };
    for &c in &cols[..cmd_idx] {
        let w = width(&c);
        assign(&mut row, c, wi, w);
        wi += w;
    }
    let cmd_words = ws.len() - before - after;
    if after == 0 {
        let (s, _) = ws[wi];
        row.args = &line[s..];
        row.args = row.args.trim_ascii_end();
    } else {
        assign(&mut row, cols[cmd_idx], wi, cmd_words);
    }
    wi += cmd_words;
    for &c in &cols[cmd_idx + 1..] {
        let w = width(&c);
        assign(&mut row, c, wi, w);
        wi += w;
    }
    if row.pid.is_none() && !pid_dash {
        return None;
    }
    row.thread = pid_dash || matches!((row.pid, row.lwp), (Some(p), Some(l)) if p != l);
    Some(row)
}

/// The column layouts of `ps` outputs people paste without their header (after `| grep`):
/// each column is checked against the row's words ([`parse_headerless`]).
const LAYOUTS: &[(&str, &[u8])] = &[
    // `ps -ef`
    ("-ef", b"UID PID PPID C STIME TTY TIME CMD"),
    // `ps -elf`
    (
        "-elf",
        b"F S UID PID PPID C PRI NI ADDR SZ WCHAN STIME TTY TIME CMD",
    ),
    // `ps aux`
    (
        "aux",
        b"USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND",
    ),
    // `ps axjf`
    ("axjf", b"PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND"),
    // `ps ax`
    ("ax", b"PID TTY STAT TIME COMMAND"),
    // `ps -eo user,pid,stat,start,time,args` and the like
    ("-eo", b"USER PID STAT START TIME COMMAND"),
    // `ps -eo pid,ppid,stat,args`
    ("-eo", b"PID PPID STAT COMMAND"),
];

/// True when `w` can be the value of header column `name`.
fn fits(name: &[u8], w: &[u8]) -> bool {
    let digits = |w: &[u8]| !w.is_empty() && w.iter().all(u8::is_ascii_digit);
    match name {
        b"PID" | b"PPID" | b"PGID" | b"SID" | b"VSZ" | b"RSS" | b"SZ" | b"C" => digits(w),
        b"TPGID" => digits(w) || w == b"-1",
        b"PRI" | b"NI" => digits(w) || w == b"-" || (w.starts_with(b"-") && digits(&w[1..])),
        b"F" => digits(w),
        b"%CPU" | b"%MEM" => {
            w.iter().all(|c| c.is_ascii_digit() || *c == b'.') && w.contains(&b'.')
        }
        b"TTY" => {
            w == b"?"
                || w.starts_with(b"pts/")
                || w.starts_with(b"tty")
                || w.starts_with(b"console")
        }
        b"S" | b"STAT" => {
            w.first().is_some_and(|c| b"RSDZTtWXIKP".contains(c))
                && w[1..].iter().all(|c| b"<NLsl+".contains(c))
        }
        b"TIME" => {
            let t = w.rsplit(|&c| c == b'-').next().unwrap_or(w);
            t.contains(&b':') && t.iter().all(|c| c.is_ascii_digit() || *c == b':')
        }
        b"STIME" | b"START" => {
            // `14:38`, `Aug03`, `Sep20`, `2019`, `Jan 5` is not printed by ps.
            w.contains(&b':') && w.iter().all(|c| c.is_ascii_digit() || *c == b':')
                || (w.len() == 5 && crate::parse::time::month_abbr(w).is_some() && digits(&w[3..]))
                || (w.len() == 4 && digits(w))
        }
        b"ADDR" | b"WCHAN" => !w.is_empty(),
        b"UID" | b"USER" => {
            !w.is_empty()
                && w.iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"_-.+".contains(c))
        }
        _ => false,
    }
}

/// The layout of [`LAYOUTS`] that a headerless row fits (the columns before the command each
/// fit their word), preferring the one a `ps` command line names (`ps -ef | grep shim`).
pub fn headerless_layout(row: &[u8], command: Option<&[u8]>) -> Option<&'static [u8]> {
    let ws: Vec<&[u8]> = words(row).map(|(_, w)| w).take(16).collect();
    let flags = command.and_then(|c| {
        let mut it = words(c).map(|(_, w)| w);
        it.find(|w| *w == b"ps")?;
        it.next()
    });
    let ok = |header: &[u8]| {
        let cols: Vec<&[u8]> = words(header).map(|(_, w)| w).collect();
        let before = cols.len() - 1;
        ws.len() > before && cols[..before].iter().zip(&ws).all(|(c, w)| fits(c, w))
    };
    let named = flags.and_then(|f| {
        LAYOUTS.iter().find(|(name, h)| {
            f.trim_ascii().strip_prefix(b"-").unwrap_or(f)
                == name.trim_start_matches('-').as_bytes()
                && ok(h)
        })
    });
    named
        .or_else(|| LAYOUTS.iter().find(|(_, h)| ok(h)))
        .map(|(_, h)| *h)
}

/// Parses `ps` rows pasted without their header, all in the `header` layout (one of
/// [`headerless_layout`]). Line numbers are those of `data`.
pub fn parse_headerless<'a>(header: &[u8], data: &'a [u8]) -> PsTable<'a> {
    let cols: Vec<Col> = words(header).map(|(_, w)| col_of(w)).collect();
    let mut table = PsTable {
        has_ppid: cols.contains(&Col::Ppid),
        ..PsTable::default()
    };
    for (n, line) in numbered_lines(data) {
        if trim(line).is_empty() {
            continue;
        }
        match parse_row(&cols, n, line) {
            Some(row) => table.rows.push(row),
            None => table.skipped += 1,
        }
    }
    table
}

/// The depth of a process in a `ps f` / `ps axjf` forest: where its command starts after the
/// tree art (`|`, `\_`) relative to the command column; 0 outside a forest.
pub fn forest_depth(args: &[u8]) -> usize {
    match memchr::memmem::find(args, b"\\_ ") {
        Some(i) if args[..i].iter().all(|c| matches!(c, b' ' | b'|')) => i / 2 + 1,
        _ => 0,
    }
}

/// The command line of a forest row without its tree art.
pub fn strip_forest(args: &[u8]) -> &[u8] {
    match memchr::memmem::find(args, b"\\_ ") {
        Some(i) if args[..i].iter().all(|c| matches!(c, b' ' | b'|')) => &args[i + 3..],
        _ => args,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shapes from sos 4.x `sos_commands/process/*` on Ubuntu 20.04 (sosreport-k8stest-4,
    // 2022-02-11) and the `ps -elf` shim line quoted in docker/for-linux#779.
    const AUXWWWM: &[u8] = b"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root           1  1.4  0.3 105868 13604 ?        -    18:58   0:22 /sbin/init
root           -  1.4    -      -     - -        Ss   18:58   0:22 -
root        3990  0.0  0.0 107896  4096 ?        -    Mar12   0:03 docker-containerd-shim -namespace moby -workdir /var/lib/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/4f1c2b6a9d7e -address /var/run/docker/containerd/docker-containerd.sock
root           -  0.0    -      -     - -        Sl   Mar12   0:01 -
root           -  0.0    -      -     - -        Sl   Mar12   0:01 -
";

    #[test]
    fn auxwwwm_threads_and_state() {
        let t = parse(AUXWWWM);
        assert_eq!(t.rows.len(), 5);
        assert_eq!(t.skipped, 0);
        assert!(!t.has_ppid);
        let procs: Vec<_> = t.processes().collect();
        assert_eq!(procs.len(), 2);
        assert_eq!(procs[0].pid, Some(1));
        assert_eq!(procs[0].state, b"Ss");
        assert_eq!(procs[0].args, b"/sbin/init");
        assert_eq!(procs[1].pid, Some(3990));
        assert_eq!(procs[1].line, 4);
        assert_eq!(procs[1].state, b"Sl");
        assert_eq!(procs[1].start, b"Mar12");
        assert_eq!(procs[1].name(), b"docker-containerd-shim");
        assert!(procs[1].args.ends_with(b"docker-containerd.sock"));
        assert!(t.rows[4].thread);
    }

    #[test]
    fn elfl_threads_by_lwp() {
        // sos 4.x `ps_-elfL`, Ubuntu 20.04.
        let d = b"F S UID          PID    PPID     LWP  C NLWP PRI  NI ADDR SZ WCHAN  STIME TTY          TIME CMD
0 S root       35149       1   35149  0   13  80   0 - 28173 futex_ 19:07 ?        00:00:00 /usr/bin/containerd-shim-runc-v2 -namespace default -id calico-node -address /run/containerd/containerd.sock
1 S root       35149       1   35150  0   13  80   0 - 28173 futex_ 19:07 ?        00:00:00 /usr/bin/containerd-shim-runc-v2 -namespace default -id calico-node -address /run/containerd/containerd.sock
";
        let t = parse(d);
        assert_eq!(t.rows.len(), 2);
        assert!(t.has_ppid);
        let p = &t.rows[0];
        assert_eq!(
            (p.pid, p.ppid, p.lwp, p.thread),
            (Some(35149), Some(1), Some(35149), false)
        );
        assert_eq!(p.name(), b"containerd-shim-runc-v2");
        assert_eq!(p.start, b"19:07");
        assert!(t.rows[1].thread);
    }

    #[test]
    fn axo_lstart_and_cgroup_shapes() {
        // sos 4.x `ps_axo_flags_state_uid_pid_ppid_pgid_sid_cls_pri_addr_sz_wchan_20_lstart_tty_time_cmd`.
        let d = b"F S   UID     PID    PPID    PGID     SID CLS PRI ADDR    SZ WCHAN                                 STARTED TT           TIME CMD
4 S     0       1       0       1       1  TS  19    - 26467 ep_poll              Fri Feb 11 18:58:06 2022 ?        00:00:22 /sbin/init splash
4 Z     0    4242    4100    4242    4242  TS  19    -     0 -                    Fri Feb 11 19:00:00 2022 ?        00:00:00 [runc:[2:INIT]] <defunct>
";
        let t = parse(d);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].start, b"Fri Feb 11 18:58:06 2022");
        assert_eq!(t.rows[0].args, b"/sbin/init splash");
        assert_eq!(t.rows[1].ppid, Some(4100));
        assert!(t.rows[1].is_zombie());
        assert_eq!(t.rows[1].name(), b"[runc:[2:INIT]]");
        // sos 4.x `ps_axo_pid_ppid_user_group_lwp_nlwp_start_time_comm_cgroup`.
        let d = b"    PID    PPID USER     GROUP        LWP NLWP START COMMAND         CGROUP
      1       0 root     root           1    1 18:58 systemd         8:pids:/init.scope,0::/init.scope
      2       0 root     root           2    1 18:58 kthreadd        -
";
        let t = parse(d);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].args, b"systemd");
        assert_eq!(
            t.rows[0].cgroup,
            Some(&b"8:pids:/init.scope,0::/init.scope"[..])
        );
        assert_eq!(t.rows[1].cgroup, None);
    }

    #[test]
    fn alx_and_ef_and_junk() {
        // sos 4.x `ps_alxwww`, and procps `ps -ef` (CentOS 7).
        let d = b"F   UID     PID    PPID PRI  NI    VSZ   RSS WCHAN  STAT TTY        TIME COMMAND
4     0       1       0  20   0 105868 13604 ep_pol Ss   ?          0:22 /sbin/init
garbage line
";
        let t = parse(d);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.skipped, 1);
        assert_eq!(t.rows[0].user, b"0");
        let d = b"UID        PID  PPID  C STIME TTY          TIME CMD
root      4021  3990  2 Mar12 ?        01:02:03 java -Xmx2g -jar /app/app.jar
";
        let t = parse(d);
        assert_eq!(t.rows[0].pid, Some(4021));
        assert_eq!(t.rows[0].ppid, Some(3990));
        assert_eq!(t.rows[0].args, b"java -Xmx2g -jar /app/app.jar");
        assert_eq!(t.rows[0].name(), b"java");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let mut d = b"USER PID PPID STARTED COMMAND CGROUP\n".to_vec();
            d.extend_from_slice(&data);
            let _ = parse(&d);
        }
    }
}
