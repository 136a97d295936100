//! The inventory of a bundle: every member with its format, record count, bytes, time span and
//! sources, plus the warnings of the walk.
//!
//! Members are counted in parallel (rayon) while the walk keeps decoding. Times are resolved
//! once everything has been read, because what resolves them — the collection time
//! (`sos_commands/date/date`, `date_--utc`, `timedatectl`) and the zone (`etc/localtime`,
//! `timedatectl`) — may come after the logs in an archive.

use std::collections::BTreeMap;
use std::sync::Mutex;

pub mod summary;

use serde::Serialize;

use crate::base::time::{RawTime, Timestamp};
use crate::base::{Format, Source};
use crate::error::Error;
use crate::input::{
    Bundle, Data, InputInfo, Limits, LinkEntry, Member, Piece, Sink, SkippedEntry, Warning, walk,
};
use std::time::Instant;

use crate::model::time::{BootHint, Clock, ClockBuilder, YearSummary, YearTracker};
use crate::parse::boundary;

/// Version of the JSON shape of [`Inventory`].
pub const SCHEMA_VERSION: u32 = 1;

/// What a bundle holds.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inventory {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The inputs and what they turned out to be.
    pub inputs: Vec<InputInfo>,
    /// Every member, link and unknown file, sorted by path.
    pub members: Vec<MemberInfo>,
    /// Problems met while reading, in order.
    pub warnings: Vec<InventoryWarning>,
}

/// One line of the inventory.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberInfo {
    /// Normalised path in its input.
    pub path: String,
    /// The format it was classified as (for links: the target's).
    pub format: Format,
    /// Log records (0 for host-state files, goroutine dumps, links and unknown files).
    pub records: u64,
    /// Decompressed bytes (0 for links).
    pub bytes: u64,
    /// Time of the first record that states one, resolved with the bundle clock.
    pub first: Option<Timestamp>,
    /// Time of the last record that states one.
    pub last: Option<Timestamp>,
    /// Records per source (`kernel`, `kubelet`, identifiers of other programs).
    pub sources: BTreeMap<String, u64>,
    /// For a link: the resolved target path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Set when the member was cut (a warning says why).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// A warning as the inventory shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct InventoryWarning {
    /// The member or input path.
    pub path: String,
    /// What happened, with the byte offset when known.
    pub message: String,
}

impl From<Warning> for InventoryWarning {
    fn from(w: Warning) -> Self {
        let message = match w.offset {
            Some(o) => format!("{} (offset {o})", w.message),
            None => w.message,
        };
        InventoryWarning {
            path: w.path,
            message,
        }
    }
}

/// Reads `bundle` and lists what it holds.
///
/// Fails only when no input could be read ([`Error::NothingReadable`]).
pub fn inventory(bundle: &Bundle, limits: &Limits) -> Result<Inventory, Error> {
    inventory_pieces(bundle, limits, Some(PIECE), None)
}

/// [`inventory`] within a time budget: once `deadline` passes, no member is read or waited
/// for, and a warning says the listing is partial.
pub fn inventory_within(
    bundle: &Bundle,
    limits: &Limits,
    deadline: Option<Instant>,
) -> Result<Inventory, Error> {
    inventory_pieces(bundle, limits, Some(PIECE), deadline)
}

/// [`inventory`] with streamed logs read in pieces of `piece` bytes (`None`: whole).
fn inventory_pieces(
    bundle: &Bundle,
    limits: &Limits,
    piece: Option<usize>,
    deadline: Option<Instant>,
) -> Result<Inventory, Error> {
    let shared = Mutex::new(Collected::default());
    let mut warnings = Vec::new();
    let inputs = rayon::in_place_scope(|scope| {
        let mut sink = Collector {
            scope,
            shared: &shared,
            warnings: &mut warnings,
            open: None,
            piece,
            deadline,
            hit: false,
        };
        let inputs = walk(bundle, limits, crate::parse::SNIFFERS, &mut sink);
        if sink.hit {
            let first = inputs
                .as_ref()
                .ok()
                .and_then(|i| i.first())
                .map(|i| i.path.clone())
                .unwrap_or_default();
            sink.warnings.push(Warning::new(
                first,
                "time budget exhausted: later members are not listed (results are partial)",
            ));
        }
        inputs
    })?;
    let collected = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut facts = collected.facts;
    if let Some(n) = collected.newest {
        facts.observe_absolute(n);
    }
    let clock = facts.finish();
    let mut members: Vec<(usize, MemberInfo)> = collected
        .pending
        .into_iter()
        .map(|p| (p.input, p.resolve(&clock)))
        .collect();
    members.sort_by(|a, b| a.1.path.cmp(&b.1.path).then(a.0.cmp(&b.0)));
    Ok(Inventory {
        schema_version: SCHEMA_VERSION,
        inputs,
        members: members.into_iter().map(|(_, m)| m).collect(),
        warnings: warnings.into_iter().map(InventoryWarning::from).collect(),
    })
}

#[derive(Default)]
struct Collected {
    pending: Vec<Pending>,
    facts: ClockBuilder,
    newest: Option<Timestamp>,
}

struct Collector<'s, 'scope, 'w> {
    scope: &'s rayon::Scope<'scope>,
    shared: &'scope Mutex<Collected>,
    warnings: &'w mut Vec<Warning>,
    /// A log read in pieces: its summary so far and the bytes after its last record start.
    open: Option<(LogSummary, Vec<u8>)>,
    /// Size of the pieces logs are read in; `None` for whole members.
    piece: Option<usize>,
    /// When to stop reading.
    deadline: Option<Instant>,
    /// Set once a member was left out because the deadline passed.
    hit: bool,
}

impl Collector<'_, '_, '_> {
    /// True (and remembered) once the deadline has passed.
    fn late(&mut self) -> bool {
        let late = self.deadline.is_some_and(|d| Instant::now() >= d);
        self.hit |= late;
        late
    }
}

/// Pieces of streamed logs: a large decoded log is summarised as it arrives, never held whole.
const PIECE: usize = 16 << 20;

impl Collected {
    fn add(&mut self, pending: Pending, facts: ClockBuilder) {
        if let Some(t) = pending.newest_utc {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
        self.facts.merge(facts);
        self.pending.push(pending);
    }
}

impl Sink for Collector<'_, '_, '_> {
    fn member(&mut self, member: Member) {
        if self.late() {
            return;
        }
        let shared = self.shared;
        self.scope.spawn(move |_| {
            let (pending, facts) = summarise(&member);
            let mut c = shared.lock().unwrap_or_else(|e| e.into_inner());
            c.add(pending, facts);
        });
    }

    fn piece_size(&self, format: Format) -> Option<usize> {
        self.piece.filter(|_| boundary::chunkable(format))
    }

    fn halted(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn patience(&self) -> crate::input::Patience {
        crate::input::Patience::until(self.deadline)
    }

    /// Pieces are summarised in order on the reading thread: the year tracker runs on from one
    /// to the next, and each is cut at its last record start (the rest waits for the next).
    fn piece(&mut self, p: Piece) {
        if p.offset == 0 {
            self.open = None;
            if p.last {
                return self.member(Member {
                    path: p.path,
                    input: p.input,
                    data: Data::Owned(p.data),
                    format: p.format,
                    truncated: p.truncated,
                    mtime: p.mtime,
                });
            }
            if let Some(t) = p.mtime {
                let mut c = self.shared.lock().unwrap_or_else(|e| e.into_inner());
                c.facts.add_mtime(&p.path, t);
            }
            let pending = Pending::plain(p.path.clone(), p.input, p.format, 0, false);
            self.open = Some((LogSummary::new(pending), Vec::new()));
        }
        let Some((mut sum, mut held)) = self.open.take() else {
            return;
        };
        sum.p.bytes += p.data.len() as u64;
        if held.is_empty() {
            held = p.data;
        } else {
            held.extend_from_slice(&p.data);
        }
        let cut = if p.last {
            held.len()
        } else {
            // No cut yet: wait for more.
            let force_after = 4 * PIECE.max(self.piece.unwrap_or(0));
            boundary::last_cut(p.format, &held, force_after).unwrap_or(0)
        };
        sum.feed(p.format, &held[..cut]);
        if p.last {
            sum.p.truncated = p.truncated;
            let (pending, facts) = sum.finish();
            let mut c = self.shared.lock().unwrap_or_else(|e| e.into_inner());
            c.add(pending, facts);
        } else {
            let rest = held[cut..].to_vec();
            self.open = Some((sum, rest));
        }
    }

    fn skipped(&mut self, entry: SkippedEntry) {
        let mut c = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = entry.mtime {
            c.facts.add_mtime(&entry.path, t);
        }
        c.pending.push(Pending::plain(
            entry.path,
            entry.input,
            entry.format,
            entry.bytes,
            entry.truncated,
        ));
    }

    fn link(&mut self, link: LinkEntry) {
        let mut c = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        if link.path == "etc/localtime" {
            if let Some(name) = link.target.split_once("zoneinfo/").map(|(_, n)| n) {
                c.facts.add_zone_name(name);
            }
        }
        let mut p = Pending::plain(link.path, link.input, link.format, 0, false);
        p.link = Some(link.target);
        c.pending.push(p);
    }

    fn warning(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }
}

/// A member counted, its times not yet resolved.
struct Pending {
    path: String,
    input: usize,
    format: Format,
    records: u64,
    bytes: u64,
    first: Option<(RawTime, u16)>,
    last: Option<(RawTime, u16)>,
    summary: YearSummary,
    sources: BTreeMap<String, u64>,
    link: Option<String>,
    truncated: bool,
    newest_utc: Option<Timestamp>,
}

impl Pending {
    fn plain(path: String, input: usize, format: Format, bytes: u64, truncated: bool) -> Pending {
        Pending {
            path,
            input,
            format,
            records: 0,
            bytes,
            first: None,
            last: None,
            summary: YearSummary::default(),
            sources: BTreeMap::new(),
            link: None,
            truncated,
            newest_utc: None,
        }
    }

    fn resolve(self, clock: &Clock) -> MemberInfo {
        let r = |t: Option<(RawTime, u16)>| {
            t.and_then(|(raw, epoch)| clock.resolve(&raw, epoch, &self.summary))
        };
        MemberInfo {
            first: r(self.first),
            last: r(self.last),
            path: self.path,
            format: self.format,
            records: self.records,
            bytes: self.bytes,
            sources: self.sources,
            link: self.link,
            truncated: self.truncated,
        }
    }
}

/// Counts the records of a member and reads the clock facts it holds.
fn summarise(member: &Member) -> (Pending, ClockBuilder) {
    let data: &[u8] = &member.data;
    let pending = Pending::plain(
        member.path.clone(),
        member.input,
        member.format,
        data.len() as u64,
        member.truncated,
    );
    let mut sum = LogSummary::new(pending);
    if let Some(t) = member.mtime {
        sum.facts.add_mtime(&member.path, t);
    }
    match member.format {
        Format::Date => sum.facts.add_date(&member.path, data),
        Format::Timedatectl => sum.facts.add_timedatectl(&member.path, data),
        Format::Localtime => sum.facts.add_localtime(data),
        _ => {}
    }
    if let Some(f) = crate::input::sniff::record_format(member.format, &member.path) {
        sum.feed(f, data);
    }
    sum.finish()
}

/// A member's summary built as its records are read, whole or piece by piece.
struct LogSummary {
    p: Pending,
    facts: ClockBuilder,
    tracker: YearTracker,
    /// Kernel lines with a wall time and the inner `[  518.050606]` stamp give the boot time.
    boot: Vec<(RawTime, u16, u64)>,
}

impl LogSummary {
    fn new(p: Pending) -> LogSummary {
        LogSummary {
            p,
            facts: ClockBuilder::new(),
            tracker: YearTracker::new(),
            boot: Vec::new(),
        }
    }

    /// Counts the records of `data`, the next bytes of the member, which start at a record.
    fn feed(&mut self, format: Format, data: &[u8]) {
        let p = &mut self.p;
        for rec in crate::parse::records(format, data) {
            p.records += 1;
            let name = rec.source_name();
            match p.sources.get_mut(name.as_ref()) {
                Some(n) => *n += 1,
                None => {
                    p.sources.insert(name.into_owned(), 1);
                }
            }
            if rec.time != RawTime::None {
                let epoch = self.tracker.observe(&rec.time);
                if p.first.is_none() {
                    p.first = Some((rec.time, epoch));
                }
                p.last = Some((rec.time, epoch));
                if let RawTime::Utc(t) = rec.time {
                    p.newest_utc = Some(p.newest_utc.map_or(t, |n| n.max(t)));
                }
                if rec.source == Source::Kernel
                    && self.boot.len() < 8
                    && !matches!(rec.time, RawTime::Monotonic(_))
                {
                    if let Some(mono) = crate::parse::dmesg::kernel_mono(rec.message) {
                        self.boot.push((rec.time, epoch, mono));
                    }
                }
            }
        }
    }

    fn finish(mut self) -> (Pending, ClockBuilder) {
        if self.p.format.is_log() {
            self.p.summary = self.tracker.finish();
        }
        for (wall, epoch, mono) in self.boot {
            self.facts.add_boot_hint(BootHint {
                wall,
                epoch,
                years: self.p.summary,
                mono,
            });
        }
        (self.p, self.facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_members_are_counted_by_source() {
        // journalctl(1) default output as in sos 4.2 `sos_commands/logs/journalctl_--no-pager`:
        // a `-- Logs begin at` header, then short lines; `-- No entries --` when a unit is empty.
        let data = b"-- Logs begin at Mon 2022-01-31 08:12:02 UTC, end at Fri 2022-02-11 19:23:58 UTC. --\n\
Feb 11 19:20:01 k8stest-4 kernel: [1.0] eth0: link up\n\
Feb 11 19:20:02 k8stest-4 systemd[1]: Started Session 12 of user ubuntu.\n\
Feb 11 19:20:03 k8stest-4 kubelet.daemon[1234]: E0211 19:20:03.000001 1234 kubelet.go:2291] x\n";
        let member = |bytes: &[u8]| Member {
            path: "sos_commands/logs/journalctl_--no-pager".into(),
            input: 0,
            data: Data::Owned(bytes.to_vec()),
            format: Format::JournalShort,
            truncated: false,
            mtime: None,
        };
        let (p, _) = summarise(&member(data));
        assert_eq!(p.records, 3);
        assert_eq!(
            p.sources.into_iter().collect::<Vec<_>>(),
            vec![
                ("kernel".to_string(), 1),
                ("kubelet".to_string(), 1),
                ("systemd".to_string(), 1)
            ]
        );
        let (empty, _) = summarise(&member(b"-- No entries --\n"));
        assert_eq!(empty.records, 0);
        assert!(empty.first.is_none());
    }

    #[test]
    fn clock_files_set_the_anchor() {
        // sos 4.2 `sos_commands/date/date_--utc` (k8stest-4).
        let m = Member {
            path: "sos_commands/date/date_--utc".into(),
            input: 0,
            data: Data::Owned(b"Fri Feb 11 19:23:39 UTC 2022\n".to_vec()),
            format: Format::Date,
            truncated: false,
            mtime: None,
        };
        let (_, clock) = summarise(&m);
        assert_eq!(
            clock.finish().anchor.unwrap().to_rfc3339(),
            "2022-02-11T19:23:39Z"
        );
    }

    /// A gzip-compressed syslog crossing a new year, with indented continuation lines, listed
    /// from pieces of 5 000 bytes (cut at record starts, the year tracker running on) is the
    /// same inventory as from the whole member: records, sources, first and last times.
    #[test]
    fn streamed_logs_are_listed_as_whole() {
        use std::io::Write;
        let mut text = String::new();
        for i in 0..3000 {
            let stamp = if i < 1500 {
                format!("Dec 31 23:{:02}:{:02}", i / 60 % 60, i % 60)
            } else {
                format!("Jan  1 00:{:02}:{:02}", i / 60 % 60, i % 60)
            };
            text.push_str(&format!(
                "{stamp} node-1 dockerd[4085]: time=\"2021-01-01T00:00:00Z\" level=info msg=\"tick {i}\"\n"
            ));
            if i % 7 == 0 {
                text.push_str(&format!(
                    "{stamp} node-1 kernel: [ {i}.000001] eth0: link up\n"
                ));
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let bundle = Bundle::from_bytes("messages.gz", gz.finish().unwrap());
        let limits = Limits::default();
        let whole = inventory_pieces(&bundle, &limits, None, None).unwrap();
        let pieces = inventory_pieces(&bundle, &limits, Some(5000), None).unwrap();
        assert_eq!(whole.members.len(), 1);
        assert_eq!(whole.members[0].records, 3429);
        assert_eq!(whole.members[0].bytes, text.len() as u64);
        assert_eq!(
            serde_json::to_value(&pieces).unwrap(),
            serde_json::to_value(&whole).unwrap()
        );
        assert_ne!(whole.members[0].first, None);
    }
}
