//! Reading a bundle once: directories, archives, compressed files, bytes, stdin.
//!
//! [`walk`] runs on the calling thread (decoding is serial) and hands every member to a
//! [`Sink`] as soon as it is complete, so the caller can parse members in parallel while
//! decoding continues. A sink that forwards to a bounded channel gives back-pressure:
//!
//! ```no_run
//! use std::sync::mpsc;
//! use analyzer_core::input::walk::{walk, LinkEntry, Sink, SkippedEntry};
//! use analyzer_core::input::{Bundle, Limits, Member, Warning};
//! use analyzer_core::parse::SNIFFERS;
//!
//! struct Forward(mpsc::SyncSender<Member>);
//! impl Sink for Forward {
//!     fn member(&mut self, m: Member) {
//!         let _ = self.0.send(m); // blocks while the parsers are busy
//!     }
//!     fn skipped(&mut self, _: SkippedEntry) {}
//!     fn link(&mut self, _: LinkEntry) {}
//!     fn warning(&mut self, w: Warning) {
//!         eprintln!("{w}");
//!     }
//! }
//!
//! let (tx, rx) = mpsc::sync_channel::<Member>(8);
//! let parsers = std::thread::spawn(move || rx.iter().map(|m| m.data.len()).sum::<usize>());
//! let bundle = Bundle::from_path("sosreport.tar.xz");
//! let _inputs = walk(&bundle, &Limits::default(), SNIFFERS, &mut Forward(tx));
//! let _bytes = parsers.join();
//! ```
//!
//! Members no parser wants are counted and skipped without being buffered: only their first
//! 4 KiB (after decompression) is read to classify them. Links are resolved at the end of each
//! input, inside the input's virtual tree ([`super::vfs`]).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::decode::{self, Compression, Counting, Guard, LineCut, Metered, Totals};
use super::sniff::{Classifier, Manifest, Sniffers};
use super::vfs::{self, PathProblem, Resolved, Tree};
use super::{Bundle, Data, Input, InputInfo, InputKind, Limits, Member, Patience, Warning};
use crate::base::Format;
use crate::error::Error;

/// How many bytes of a member are read to classify it.
pub const HEAD_BYTES: usize = 4096;

/// Receives what a walk finds, in stream order.
pub trait Sink {
    /// A member some parser wants, complete.
    fn member(&mut self, member: Member);
    /// A member no parser wants (its bytes counted, not kept), or one that could not be read.
    fn skipped(&mut self, entry: SkippedEntry);
    /// A symbolic or hard link, resolved inside its input.
    fn link(&mut self, link: LinkEntry);
    /// A problem; the walk goes on.
    fn warning(&mut self, warning: Warning);
    /// The size of the pieces in which the sink wants a member of `format` read from a stream
    /// (a decompressed or archived log), instead of the whole member at once; `None`, the
    /// default, for whole members. Pieces bound what one large member holds in memory and let
    /// its analysis start while the rest is still being decompressed.
    fn piece_size(&self, _format: Format) -> Option<usize> {
        None
    }
    /// The next piece of a member read in pieces, in order; called only for formats
    /// [`piece_size`](Sink::piece_size) asked for. A member that fits in one piece arrives as
    /// one piece with [`Piece::last`] set.
    fn piece(&mut self, _piece: Piece) {}
    /// An empty buffer for the next piece: a sink that recycles the buffers of analysed pieces
    /// spares the walker fresh (page-faulting) allocations.
    fn piece_buffer(&mut self) -> Vec<u8> {
        Vec::new()
    }
    /// Input `input` of the bundle is a container (a directory or an archive) whose members
    /// are about to follow; called before its first member. An input never named here is a
    /// loose file. Analysis makes every container one host and the loose files together one.
    fn container(&mut self, _input: usize) {}
    /// True when the sink wants no more: the walk stops reading (a spent time budget).
    fn halted(&self) -> bool {
        false
    }
    /// How long to wait for input that is slow to come (standard input, a pipe, a FIFO); the
    /// default waits for ever.
    fn patience(&self) -> Patience {
        Patience::default()
    }
}

/// A consecutive part of a member read in pieces (see [`Sink::piece_size`]).
#[derive(Debug)]
pub struct Piece {
    /// Normalised path of the member.
    pub path: String,
    /// Index of the input in the bundle.
    pub input: usize,
    /// The member's format.
    pub format: Format,
    /// Offset of the piece's first byte in the member.
    pub offset: u64,
    /// The bytes, cut anywhere (not at a line end).
    pub data: Vec<u8>,
    /// Set on the member's final piece.
    pub last: bool,
    /// Set on the final piece when the member was cut (limit hit, truncated stream); a
    /// warning says why.
    pub truncated: bool,
    /// The member's modification time ([`Member::mtime`]), on every piece.
    pub mtime: Option<i64>,
}

/// A member that was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedEntry {
    /// Normalised path.
    pub path: String,
    /// Index of the input in the bundle.
    pub input: usize,
    /// Decompressed bytes counted.
    pub bytes: u64,
    /// The format it was classified as (`Unknown` when no parser wants it).
    pub format: Format,
    /// Why it was skipped.
    pub reason: SkipReason,
    /// Set when counting stopped early (limit, corrupt stream).
    pub truncated: bool,
    /// The member's modification time ([`Member::mtime`]): a skipped member was written when
    /// the others were, and tells the collection time as well.
    pub mtime: Option<i64>,
}

/// Why a member was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// No parser wants the format.
    NotWanted,
    /// An archive nested deeper than [`Limits::max_nesting`].
    NestingLimit,
}

/// A link entry of an input, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkEntry {
    /// Normalised path of the link.
    pub path: String,
    /// Index of the input in the bundle.
    pub input: usize,
    /// The resolved target path inside the input (for dangling links: where it points).
    pub target: String,
    /// The target's format (`Unknown` for directories and unresolved links).
    pub format: Format,
    /// Symbolic or hard.
    pub kind: LinkKind,
    /// Whether the target exists in the bundle.
    pub resolved: bool,
}

/// The kind of a link entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A symbolic link.
    Symbolic,
    /// A hard link to an earlier archive member.
    Hard,
}

/// Reads every input of `bundle` once, handing members, skipped entries, links and warnings to
/// `sink`. Members are classified by the sos manifest, the path table and the content sniffers
/// `sniff` (the parsers', `crate::parse::SNIFFERS`). Returns what each readable input turned
/// out to be.
///
/// Fails with [`Error::NothingReadable`] only when no input could be opened at all; an input
/// that fails among readable ones becomes a warning.
pub fn walk(
    bundle: &Bundle,
    limits: &Limits,
    sniff: Sniffers,
    sink: &mut dyn Sink,
) -> Result<Vec<InputInfo>, Error> {
    let mut w = Walker {
        limits,
        sink,
        classifier: Classifier::new(sniff),
        total: 0,
        stop: false,
        input: 0,
        tree: Tree::default(),
        members: 0,
        scratch: Vec::new(),
        totals: Totals::default(),
        patience: Patience::default(),
        mtime: None,
    };
    w.patience = w.sink.patience();
    let mut infos = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (i, input) in bundle.inputs().iter().enumerate() {
        if w.stop || w.sink.halted() {
            break;
        }
        w.input = i;
        w.mtime = None;
        w.tree = Tree::default();
        w.members = 0;
        match w.input(input) {
            Ok(info) => {
                w.resolve_links();
                infos.push(info);
            }
            Err(reason) => {
                w.sink
                    .warning(Warning::new(input_name(input), reason.clone()));
                failures.push(format!("{}: {reason}", input_name(input)));
            }
        }
    }
    if infos.is_empty() {
        let reason = if failures.is_empty() {
            "no inputs given".to_string()
        } else {
            failures.join("; ")
        };
        return Err(Error::NothingReadable { reason });
    }
    Ok(infos)
}

fn input_name(input: &Input) -> String {
    match input {
        Input::Path(p) => p.display().to_string(),
        Input::Bytes { name, .. } => name.clone(),
        Input::Stdin => "-".to_string(),
        Input::Reader { name, .. } => name.clone(),
    }
}

struct Walker<'a> {
    limits: &'a Limits,
    sink: &'a mut dyn Sink,
    classifier: Classifier,
    total: u64,
    stop: bool,
    input: usize,
    tree: Tree,
    members: u64,
    /// A reusable buffer for counting members nobody wants.
    scratch: Vec<u8>,
    /// Bytes read from the inputs and decoded, for the bundle's ratio guard.
    totals: Totals,
    /// How long to wait for slow input.
    patience: Patience,
    /// The modification time of the archive entry being read, given to what it yields.
    mtime: Option<i64>,
}

/// The outcome of reading one member's bytes.
struct Read_ {
    bytes: u64,
    truncated: bool,
    /// The error came from the stream beneath the member: the enclosing archive is broken.
    broken: bool,
}

impl Walker<'_> {
    fn input(&mut self, input: &Input) -> Result<InputInfo, String> {
        let name = input_name(input);
        let kind = match input {
            Input::Path(p) => {
                let meta = std::fs::metadata(p).map_err(|e| e.to_string())?;
                if meta.is_dir() {
                    self.sink.container(self.input);
                    self.directory(p)?;
                    InputKind::Directory
                } else {
                    let file = open_input(p).map_err(|e| e.to_string())?;
                    let base = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| name.clone());
                    // Checked on the opened file: a pipe (`/dev/stdin`, `<(…)`), a FIFO or a
                    // device has no size and is read as a stream, as standard input is.
                    let regular = file.metadata().map_err(|e| e.to_string())?.is_file();
                    let archive = if regular {
                        self.file(&base, &file, true)?
                    } else {
                        let patience = self.patience.clone();
                        let read = std::rc::Rc::clone(&self.totals.read);
                        let mut r = Counting::adding_to(Waiting::new(&file, patience), read);
                        self.stream(&base, &mut r, 0, true).0
                    };
                    if archive {
                        InputKind::Archive
                    } else {
                        InputKind::File
                    }
                }
            }
            Input::Bytes { name, bytes } => {
                let base = name.rsplit('/').next().unwrap_or(name).to_string();
                if self.bytes(&base, bytes, true) {
                    InputKind::Archive
                } else {
                    InputKind::File
                }
            }
            Input::Stdin => {
                let stdin = io::stdin();
                let read = std::rc::Rc::clone(&self.totals.read);
                let mut r =
                    Counting::adding_to(Waiting::new(stdin.lock(), self.patience.clone()), read);
                if self.stream("stdin", &mut r, 0, true).0 {
                    InputKind::Archive
                } else {
                    InputKind::File
                }
            }
            Input::Reader { name, reader } => {
                let Some(mut reader) = reader.take() else {
                    return Err("this stream was already read by an earlier analysis".into());
                };
                let base = name.rsplit('/').next().unwrap_or(name).to_string();
                let read = std::rc::Rc::clone(&self.totals.read);
                let mut r = Counting::adding_to(&mut reader, read);
                if self.stream(&base, &mut r, 0, true).0 {
                    InputKind::Archive
                } else {
                    InputKind::File
                }
            }
        };
        let kind = if kind != InputKind::File && self.tree.has_dir("sos_commands") {
            InputKind::Sosreport
        } else {
            kind
        };
        Ok(InputInfo {
            path: name,
            kind,
            bundle_index: self.input,
        })
    }

    fn warn(&mut self, w: Warning) {
        self.sink.warning(w);
    }

    /// Counts a member against the bundle limits; false when the walk must stop.
    fn admit(&mut self, path: &str) -> bool {
        if self.stop || self.sink.halted() {
            return false;
        }
        self.members += 1;
        if self.members > self.limits.max_members {
            self.warn(Warning::new(
                path,
                format!(
                    "more than {} members in one input; the rest is not read",
                    self.limits.max_members
                ),
            ));
            self.stop = true;
            return false;
        }
        true
    }

    fn account(&mut self, path: &str, bytes: u64) {
        self.total = self.total.saturating_add(bytes);
        if self.total > self.limits.max_total_bytes && !self.stop {
            self.warn(Warning::new(
                path,
                format!(
                    "total decompressed bytes above {}; the rest of the bundle is not read",
                    self.limits.max_total_bytes
                ),
            ));
            self.stop = true;
        }
    }

    fn directory(&mut self, dir: &Path) -> Result<(), String> {
        let mut root = dir.to_path_buf();
        // An extraction directory holding just the sosreport's top directory is that
        // directory, as in an archive.
        if let Ok(rd) = std::fs::read_dir(&root) {
            let entries: Vec<_> = rd.filter_map(Result::ok).collect();
            if let [only] = entries.as_slice() {
                let name = only.file_name().to_string_lossy().into_owned();
                if only.file_type().is_ok_and(|t| t.is_dir()) && !vfs::ROOT_NAMES.contains(&&*name)
                {
                    root = only.path();
                }
            }
        } else {
            std::fs::read_dir(&root).map_err(|e| e.to_string())?;
        }
        let mut hard_links = HardLinks::default();
        // Files are opened through the root's descriptor, never by a path: what the listing
        // saw may be swapped for a link before it is opened.
        let beneath = Beneath::new(&root).map_err(|e| e.to_string())?;
        for entry in walkdir::WalkDir::new(&root)
            .follow_links(false)
            .sort_by_file_name()
        {
            if self.stop || self.sink.halted() {
                break;
            }
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let p = e
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    self.warn(Warning::new(p, format!("cannot read: {e}")));
                    continue;
                }
            };
            let Ok(rel_path) = entry.path().strip_prefix(&root) else {
                continue;
            };
            let rel = rel_path
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if rel.is_empty() {
                continue;
            }
            let ft = entry.file_type();
            if ft.is_dir() {
                self.tree.add_dir(&rel);
            } else if ft.is_symlink() {
                match std::fs::read_link(entry.path()) {
                    Ok(t) => self.tree.add_link(&rel, &t.to_string_lossy()),
                    Err(e) => self.warn(Warning::new(rel, format!("cannot read link: {e}"))),
                }
            } else if ft.is_file() {
                if !self.admit(&rel) {
                    break;
                }
                let file = match beneath.open(rel_path) {
                    Ok(f) => f,
                    Err(e) => {
                        self.warn(Warning::new(rel, format!("cannot open: {e}")));
                        continue;
                    }
                };
                if let Some(first) = hard_links.seen(&file, &rel) {
                    match self.tree.file(&first) {
                        Some(f) => self.sink.link(LinkEntry {
                            path: rel.clone(),
                            input: self.input,
                            target: first,
                            format: f,
                            kind: LinkKind::Hard,
                            resolved: true,
                        }),
                        None => self.warn(Warning::new(rel, "hard link to an unreadable file")),
                    }
                    continue;
                }
                if let Err(e) = self.file(&rel, &file, false) {
                    self.warn(Warning::new(rel, format!("cannot read: {e}")));
                }
            } else {
                self.warn(Warning::note(
                    rel,
                    "device, fifo or socket; skipped".to_string(),
                ));
            }
        }
        Ok(())
    }

    /// A loose file: mapped, then handled as bytes. Returns whether it was an archive.
    fn file(&mut self, path: &str, file: &File, top: bool) -> Result<bool, String> {
        let len = file.metadata().map_err(|e| e.to_string())?.len();
        if len == 0 {
            // Empty, or a file that states no size (`/proc`, `/sys`): read as a stream.
            let read = std::rc::Rc::clone(&self.totals.read);
            let mut r = Counting::adding_to(file, read);
            return Ok(self.stream(path, &mut r, 0, top).0);
        }
        // SAFETY: the map is read-only; a file changed by another process while mapped can
        // only change the bytes read, which every parser tolerates (no byte is trusted).
        let map = unsafe { memmap2::Mmap::map(file) }.map_err(|e| e.to_string())?;
        if Compression::detect(&map).is_some() || decode::is_tar(&map) {
            let read = std::rc::Rc::clone(&self.totals.read);
            let mut r = Counting::adding_to(&map[..], read);
            return Ok(self.stream(path, &mut r, 0, top).0);
        }
        let head = map.get(..map.len().min(HEAD_BYTES)).unwrap_or_default();
        let format = self.classifier.classify(path, head);
        self.whole(path, Data::Mapped(map), format);
        Ok(false)
    }

    /// An in-memory input. Returns whether it was an archive.
    fn bytes(&mut self, path: &str, bytes: &std::sync::Arc<[u8]>, top: bool) -> bool {
        if Compression::detect(bytes).is_some() || decode::is_tar(bytes) {
            let read = std::rc::Rc::clone(&self.totals.read);
            let mut r = Counting::adding_to(&bytes[..], read);
            return self.stream(path, &mut r, 0, top).0;
        }
        let head = bytes.get(..bytes.len().min(HEAD_BYTES)).unwrap_or_default();
        let format = self.classifier.classify(path, head);
        self.whole(path, Data::Shared(std::sync::Arc::clone(bytes)), format);
        false
    }

    /// A member whose bytes are all available: delivered (cut to the member limit) or counted.
    fn whole(&mut self, path: &str, data: Data, format: Format) {
        let len = data.len() as u64;
        // Read as stored: ratio 1 for the bundle's guard.
        self.totals.read.set(self.totals.read.get() + len);
        self.totals.decoded.set(self.totals.decoded.get() + len);
        if format == Format::Unknown {
            self.tree.add_file(path, format);
            self.account(path, len);
            self.sink.skipped(SkippedEntry {
                path: path.to_string(),
                input: self.input,
                bytes: len,
                format,
                reason: SkipReason::NotWanted,
                truncated: false,
                mtime: self.mtime,
            });
            return;
        }
        if len > self.limits.max_member_bytes {
            let cut = data
                .get(..self.limits.max_member_bytes as usize)
                .unwrap_or_default()
                .to_vec();
            self.warn(
                Warning::new(
                    path,
                    format!(
                        "member larger than {} bytes; cut there",
                        self.limits.max_member_bytes
                    ),
                )
                .at(self.limits.max_member_bytes),
            );
            self.deliver(path, Data::Owned(cut), format, true);
        } else {
            self.deliver(path, data, format, false);
        }
    }

    fn deliver(&mut self, path: &str, data: Data, format: Format, truncated: bool) {
        self.tree.add_file(path, format);
        self.account(path, data.len() as u64);
        if format == Format::SosManifest && !self.classifier.has_manifest() {
            if let Some(m) = Manifest::parse(&data) {
                self.classifier.set_manifest(m);
            }
        }
        self.sink.member(Member {
            path: path.to_string(),
            input: self.input,
            data,
            format,
            truncated,
            mtime: self.mtime,
        });
    }

    /// A stream (a top-level input, a tar entry): decompressed when compressed, expanded when
    /// a tar, else one member at `path`. `depth` is the number of enclosing archives. Returns
    /// (was an archive, the stream beneath broke).
    fn stream(&mut self, path: &str, raw: &mut dyn Read, depth: u32, top: bool) -> (bool, bool) {
        let (head, err) = decode::read_head(raw, HEAD_BYTES);
        if let Some(e) = err {
            self.stream_error(path, head.len() as u64, &e);
            let format = self.classifier.classify(path, &head);
            self.finish_partial(path, head, format);
            return (false, true);
        }
        match Compression::detect(&head) {
            Some(c) => {
                let (counting, input) = Counting::new(io::Cursor::new(head).chain(raw));
                let decoder = c.decoder(counting);
                let mut guarded = Guard::new(
                    decoder,
                    input,
                    self.limits.max_ratio,
                    self.limits.ratio_check_bytes,
                );
                let (is_archive, _) = self.decoded(path, &mut guarded, depth, top, true);
                // An error inside a compressed member is the member's own: the enclosing
                // archive goes on.
                (is_archive, false)
            }
            None => self.decoded(
                path,
                &mut io::Cursor::new(head).chain(raw),
                depth,
                top,
                false,
            ),
        }
    }

    /// The decoded bytes of a stream.
    fn decoded(
        &mut self,
        path: &str,
        r: &mut dyn Read,
        depth: u32,
        top: bool,
        compressed: bool,
    ) -> (bool, bool) {
        let (head, err) = decode::read_head(r, HEAD_BYTES);
        if let Some(e) = err {
            self.stream_error(path, head.len() as u64, &e);
            // A small archive whose stream fails at its very end (a gzip CRC error, a cut xz
            // index): its entries are all in the head and still read.
            if decode::is_tar(&head) && depth <= self.limits.max_nesting {
                if top {
                    self.sink.container(self.input);
                }
                let base = if top { "" } else { vfs::parent(path) }.to_string();
                self.archive(path, &mut io::Cursor::new(head), &base, depth + 1, top);
                return (true, !compressed);
            }
            let format = self.classifier.classify(path, &head);
            self.finish_partial(path, head, format);
            return (false, !compressed);
        }
        if decode::is_tar(&head) {
            if top {
                self.sink.container(self.input);
            }
            if depth > self.limits.max_nesting {
                self.warn(Warning::new(
                    path,
                    format!(
                        "archive nested deeper than {}; not expanded",
                        self.limits.max_nesting
                    ),
                ));
                let got = self.count(path, head, r);
                self.account(path, got.bytes);
                self.tree.add_file(path, Format::Unknown);
                self.sink.skipped(SkippedEntry {
                    path: path.to_string(),
                    input: self.input,
                    bytes: got.bytes,
                    format: Format::Unknown,
                    reason: SkipReason::NestingLimit,
                    truncated: got.truncated,
                    mtime: self.mtime,
                });
                return (false, got.broken && !compressed);
            }
            let base = if top { "" } else { vfs::parent(path) };
            let base = base.to_string();
            let broken = self.archive(
                path,
                &mut io::Cursor::new(head).chain(r),
                &base,
                depth + 1,
                top,
            );
            return (true, broken && !compressed);
        }
        let format = self.classifier.classify(path, &head);
        // The bundle's ratio is checked past twice the threshold of one stream's: a single
        // bomb is stopped by its own stream's guard and the rest of the bundle is read; many
        // members each below that check add up to this one.
        let totals = self.totals.clone();
        let mut r = Metered::new(
            io::Cursor::new(head).chain(r),
            &totals,
            self.limits.max_ratio,
            self.limits.ratio_check_bytes.saturating_mul(2),
        );
        if format == Format::Unknown {
            let got = self.count(path, Vec::new(), &mut r);
            self.tree.add_file(path, format);
            self.account(path, got.bytes);
            self.sink.skipped(SkippedEntry {
                path: path.to_string(),
                input: self.input,
                bytes: got.bytes,
                format,
                reason: SkipReason::NotWanted,
                truncated: got.truncated,
                mtime: self.mtime,
            });
            return (false, got.broken && !compressed);
        }
        // Lines are cut while reading (but a sos manifest is JSON of any line length, and
        // is read whole).
        let max_line = if format == Format::SosManifest {
            usize::MAX
        } else {
            self.limits.max_line_bytes
        };
        let mut r = LineCut::new(
            &mut r as &mut dyn Read,
            max_line,
            self.limits.max_member_bytes,
        );
        if let Some(size) = self.sink.piece_size(format) {
            let broken = self.pieces(path, &mut r, format, size);
            return (false, broken && !compressed);
        }
        let mut buf = Vec::new();
        let got = self.fill(path, &mut buf, &mut r);
        self.deliver(path, Data::Owned(buf), format, got.truncated);
        (false, got.broken && !compressed)
    }

    /// Reads a wanted member in pieces of `size` bytes up to the member limit, handing each to
    /// the sink as soon as it is known whether more follows. Returns whether the stream beneath
    /// broke.
    fn pieces(
        &mut self,
        path: &str,
        r: &mut LineCut<&mut dyn Read>,
        format: Format,
        size: usize,
    ) -> bool {
        self.tree.add_file(path, format);
        let size = size.max(HEAD_BYTES);
        let mut offset = 0u64;
        let mut cur = self.sink.piece_buffer();
        cur.clear();
        loop {
            let room = size.saturating_sub(cur.len()) as u64;
            let res = (&mut *r).take(room).read_to_end(&mut cur);
            let mut next = Vec::new();
            let (truncated, broken) = match res {
                Err(e) => {
                    self.stream_error(path, r.offset(), &e);
                    (true, breaks(&e))
                }
                Ok(_) if cur.len() < size || self.sink.halted() => (false, false),
                Ok(_) => {
                    // A full piece: read ahead to learn whether it is the last.
                    next = self.sink.piece_buffer();
                    next.clear();
                    next.reserve(size);
                    match (&mut *r).take(HEAD_BYTES as u64).read_to_end(&mut next) {
                        Ok(_) => (false, false),
                        Err(e) => {
                            self.stream_error(path, r.offset(), &e);
                            // What was read ahead before the error is kept.
                            cur.append(&mut next);
                            (true, breaks(&e))
                        }
                    }
                }
            };
            let last = next.is_empty();
            if last {
                self.member_end(path, r);
            }
            let len = cur.len() as u64;
            self.account(path, len);
            self.sink.piece(Piece {
                path: path.to_string(),
                input: self.input,
                format,
                offset,
                data: std::mem::take(&mut cur),
                last,
                truncated: last && (truncated || r.over_limit()),
                mtime: self.mtime,
            });
            if last {
                return broken;
            }
            offset += len;
            cur = next;
        }
    }

    /// The warnings of a member read through a [`LineCut`]: lines cut, the member limit.
    fn member_end<R: Read>(&mut self, path: &str, r: &LineCut<R>) {
        if let Some((at, lines, dropped)) = r.cut() {
            self.warn(
                Warning::new(
                    path,
                    format!(
                        "lines longer than {} bytes; cut there for analysis ({lines} line(s), {dropped} bytes not read)",
                        self.limits.max_line_bytes
                    ),
                )
                .at(at),
            );
        }
        if r.over_limit() {
            self.cut_warning(path, self.limits.max_member_bytes);
        }
    }

    fn finish_partial(&mut self, path: &str, head: Vec<u8>, format: Format) {
        if format == Format::Unknown {
            self.tree.add_file(path, format);
            self.account(path, head.len() as u64);
            self.sink.skipped(SkippedEntry {
                path: path.to_string(),
                input: self.input,
                bytes: head.len() as u64,
                format,
                reason: SkipReason::NotWanted,
                truncated: true,
                mtime: self.mtime,
            });
        } else {
            self.deliver(path, Data::Owned(head), format, true);
        }
    }

    fn stream_error(&mut self, path: &str, offset: u64, e: &io::Error) {
        let w = if let Some(b) = decode::as_bomb(e) {
            Warning::new(path, format!("{b}; member cut")).at(b.output)
        } else if let Some(b) = decode::as_bundle_bomb(e) {
            self.stop = true;
            Warning::new(path, b.to_string()).at(b.offset)
        } else if let Some(w) = as_wait_stopped(e) {
            self.stop = true;
            Warning::new(path, format!("{w}; member cut")).at(offset)
        } else {
            Warning::new(path, format!("read error: {e}; member cut")).at(offset)
        };
        self.warn(w);
    }

    /// Reads a wanted member into `buf`, up to the member limit.
    fn fill(&mut self, path: &str, buf: &mut Vec<u8>, r: &mut LineCut<&mut dyn Read>) -> Read_ {
        let res = r.read_to_end(buf);
        let (truncated, broken) = match res {
            Err(e) => {
                self.stream_error(path, r.offset(), &e);
                (true, breaks(&e))
            }
            Ok(_) => (r.over_limit(), false),
        };
        self.member_end(path, r);
        Read_ {
            bytes: buf.len() as u64,
            truncated,
            broken,
        }
    }

    fn cut_warning(&mut self, path: &str, limit: u64) {
        self.warn(
            Warning::new(path, format!("member larger than {limit} bytes; cut there")).at(limit),
        );
    }

    /// Counts the rest of an unwanted member without keeping it (through one reused buffer:
    /// a sosreport has thousands of such members).
    fn count(&mut self, path: &str, head: Vec<u8>, r: &mut dyn Read) -> Read_ {
        let mut chunk = std::mem::take(&mut self.scratch);
        if chunk.is_empty() {
            chunk = vec![0u8; 64 * 1024];
        }
        let got = self.count_with(path, head.len() as u64, r, &mut chunk);
        self.scratch = chunk;
        got
    }

    fn count_with(&mut self, path: &str, mut n: u64, r: &mut dyn Read, chunk: &mut [u8]) -> Read_ {
        let limit = self.limits.max_member_bytes;
        loop {
            if n >= limit {
                self.cut_warning(path, limit);
                return Read_ {
                    bytes: n,
                    truncated: true,
                    broken: false,
                };
            }
            match r.read(chunk) {
                Ok(0) => break,
                Ok(k) => n += k as u64,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.stream_error(path, n, &e);
                    return Read_ {
                        bytes: n,
                        truncated: true,
                        broken: breaks(&e),
                    };
                }
            }
        }
        Read_ {
            bytes: n,
            truncated: false,
            broken: false,
        }
    }

    /// Streams the entries of a tar. `base` is the directory the entries are placed in;
    /// `top` strips a single top directory. Returns whether the stream broke.
    fn archive(&mut self, path: &str, r: &mut dyn Read, base: &str, depth: u32, top: bool) -> bool {
        let (counting, pos) = Counting::new(r);
        let mut ar = tar::Archive::new(Skipping::new(counting));
        ar.set_ignore_zeros(true);
        let entries = match ar.entries_with_seek() {
            Ok(e) => e,
            Err(e) => {
                self.warn(Warning::new(path, format!("not a readable archive: {e}")).at(0));
                return true;
            }
        };
        let mut top_dir: Option<Option<String>> = if top { None } else { Some(None) };
        for item in entries {
            if self.stop || self.sink.halted() {
                break;
            }
            let mut entry = match item {
                Ok(e) => e,
                Err(e) => {
                    self.warn(
                        Warning::new(
                            path,
                            format!("archive read error: {e}; the rest of the archive is lost"),
                        )
                        .at(pos.get()),
                    );
                    return true;
                }
            };
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let etype = entry.header().entry_type();
            let norm = match vfs::normalize(&raw) {
                Ok(p) => p,
                Err(PathProblem::Empty) => continue,
                Err(p) => {
                    self.warn(Warning::new(raw, p.message()));
                    continue;
                }
            };
            let top_name = top_dir.get_or_insert_with(|| {
                let first = norm.split('/').next().unwrap_or_default();
                let multi = norm.contains('/');
                ((etype.is_dir() || multi) && !vfs::ROOT_NAMES.contains(&first))
                    .then(|| first.to_string())
            });
            let rel = strip_top(&norm, top_name.as_deref());
            if rel.is_empty() {
                continue;
            }
            let member = vfs::join(base, rel);
            if etype.is_dir() {
                self.tree.add_dir(&member);
            } else if etype.is_symlink() {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                if target.is_empty() {
                    self.warn(Warning::note(member, "symbolic link without target"));
                } else {
                    self.tree.add_link(&member, &target);
                }
            } else if etype.is_hard_link() {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                self.hard_link(&member, &target, base, top_name.as_deref());
            } else if etype.is_character_special() || etype.is_block_special() || etype.is_fifo() {
                self.warn(Warning::note(member, "device or fifo entry; skipped"));
            } else if etype.is_file() || etype.is_contiguous() || etype.is_gnu_sparse() {
                if !self.admit(&member) {
                    break;
                }
                let size = entry.size();
                let outer = self.mtime;
                self.mtime = entry
                    .header()
                    .mtime()
                    .ok()
                    .map(|secs| i64::try_from(secs).unwrap_or(i64::MAX));
                let mut counted = CountingRef {
                    inner: &mut entry,
                    n: 0,
                };
                let (_, broken) = self.stream(&member, &mut counted, depth, false);
                self.mtime = outer;
                if broken {
                    return true;
                }
                if self.stop {
                    break;
                }
                // Whatever the member reader left (a cut member, a stopped decoder) is read
                // past here, so that an archive ending inside this entry is noticed.
                if let Err(e) = io::copy(&mut counted, &mut io::sink()) {
                    self.warn(
                        Warning::new(
                            path,
                            format!("archive read error in {member}: {e}; the rest of the archive is lost"),
                        )
                        .at(pos.get()),
                    );
                    return true;
                }
                if counted.n < size {
                    self.warn(
                        Warning::new(
                            path,
                            format!(
                                "archive ends inside {member} ({} of {size} bytes); the rest of the archive is lost",
                                counted.n
                            ),
                        )
                        .at(pos.get()),
                    );
                    return true;
                }
            }
        }
        false
    }

    fn hard_link(&mut self, member: &str, target: &str, base: &str, top: Option<&str>) {
        let resolved = vfs::normalize(target)
            .ok()
            .map(|n| vfs::join(base, strip_top(&n, top)));
        match resolved
            .as_deref()
            .and_then(|t| self.tree.file(t).map(|f| (t, f)))
        {
            Some((t, f)) => {
                let t = t.to_string();
                self.tree.add_file(member, f);
                self.sink.link(LinkEntry {
                    path: member.to_string(),
                    input: self.input,
                    target: t,
                    format: f,
                    kind: LinkKind::Hard,
                    resolved: true,
                });
            }
            None => self.warn(Warning::new(
                member,
                format!("hard link to {target}, which is not an earlier member; skipped"),
            )),
        }
    }

    /// Resolves the links of the current input and reports them.
    fn resolve_links(&mut self) {
        let links: Vec<(String, String)> = self
            .tree
            .links()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        for (path, raw_target) in links {
            let (target, format, resolved) =
                match self.tree.resolve(&path, self.limits.max_link_depth) {
                    Resolved::File(t, f) => (t, f, true),
                    Resolved::Dir(t) => (t, Format::Unknown, true),
                    Resolved::Dangling(t) => {
                        self.warn(Warning::note(
                            path.as_str(),
                            format!("dangling link to {raw_target}"),
                        ));
                        (t, Format::Unknown, false)
                    }
                    Resolved::Escape => {
                        self.warn(Warning::note(
                            path.as_str(),
                            format!("link to {raw_target} leaves the bundle; not followed"),
                        ));
                        (raw_target.clone(), Format::Unknown, false)
                    }
                    Resolved::Loop => {
                        self.warn(Warning::new(
                            path.as_str(),
                            format!(
                                "link loop or chain longer than {} links at {raw_target}",
                                self.limits.max_link_depth
                            ),
                        ));
                        (raw_target.clone(), Format::Unknown, false)
                    }
                };
            self.sink.link(LinkEntry {
                path,
                input: self.input,
                target,
                format,
                kind: LinkKind::Symbolic,
                resolved,
            });
        }
    }
}

/// Files seen with more than one name, by device and inode: later names are hard links to the
/// first, as in an archive.
#[derive(Default)]
struct HardLinks {
    #[cfg(unix)]
    seen: std::collections::HashMap<(u64, u64), String>,
}

impl HardLinks {
    /// The first path of the same file when the opened `file` is a further name of it.
    #[cfg(unix)]
    fn seen(&mut self, file: &File, rel: &str) -> Option<String> {
        use std::os::unix::fs::MetadataExt;
        let meta = file.metadata().ok()?;
        if meta.nlink() < 2 {
            return None;
        }
        match self.seen.entry((meta.dev(), meta.ino())) {
            std::collections::hash_map::Entry::Occupied(o) => Some(o.get().clone()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(rel.to_string());
                None
            }
        }
    }

    /// Hard links are not told apart on this platform.
    #[cfg(not(unix))]
    fn seen(&mut self, _file: &File, _rel: &str) -> Option<String> {
        None
    }
}

fn strip_top<'p>(norm: &'p str, top: Option<&str>) -> &'p str {
    match top {
        Some(t) if norm == t => "",
        Some(t) => norm
            .strip_prefix(t)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(norm),
        None => norm,
    }
}

/// A forward-only [`Seek`](io::Seek) over a stream: `SeekFrom::Current(n)` reads and drops `n`
/// bytes through one reused buffer. The tar reader skips entry padding and unread entry data
/// by seeking when it can; otherwise it zeroes a fresh 32 KiB buffer for every entry.
struct Skipping<R> {
    inner: R,
    buf: Vec<u8>,
    pos: u64,
}

impl<R: Read> Skipping<R> {
    fn new(inner: R) -> Skipping<R> {
        Skipping {
            inner,
            buf: vec![0u8; 32 * 1024],
            pos: 0,
        }
    }
}

impl<R: Read> Read for Skipping<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.pos += k as u64;
        Ok(k)
    }
}

impl<R: Read> io::Seek for Skipping<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let io::SeekFrom::Current(n) = pos else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a stream only skips forward",
            ));
        };
        let mut left = u64::try_from(n).map_err(|_| {
            io::Error::new(io::ErrorKind::Unsupported, "a stream only skips forward")
        })?;
        while left > 0 {
            let want = left.min(self.buf.len() as u64) as usize;
            match self.inner.read(&mut self.buf[..want]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "unexpected EOF during skip",
                    ));
                }
                Ok(k) => {
                    left -= k as u64;
                    self.pos += k as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.pos)
    }
}

/// Counts the bytes read from a tar entry (to notice an archive that ends inside it).
struct CountingRef<'r, R: Read> {
    inner: &'r mut R,
    n: u64,
}

impl<R: Read> Read for CountingRef<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// Reading stopped while waiting for slow input: the walk's [`Patience`] ran out (a spent
/// time budget, a cancelled analysis).
#[derive(Debug, thiserror::Error)]
#[error("no more waiting for input (time budget spent or analysis cancelled)")]
pub struct WaitStopped;

fn as_wait_stopped(e: &io::Error) -> Option<&WaitStopped> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<WaitStopped>())
}

/// True when an error reading a member means the stream beneath it is broken (not a guard that
/// stopped it on purpose).
fn breaks(e: &io::Error) -> bool {
    decode::as_bomb(e).is_none()
        && decode::as_bundle_bomb(e).is_none()
        && as_wait_stopped(e).is_none()
}

/// A directory input held open: the files under it are opened relative to its descriptor
/// without following any link, and checked on the opened descriptor. The listing (walkdir)
/// only names candidates; a file swapped for a symlink, or a directory on its path swapped for
/// one, between the listing and the open is refused, never followed out of the bundle.
///
/// `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS` (Linux 5.6+)
/// resolves the whole path in one call; where the kernel (or a seccomp filter) refuses it, each
/// component is opened with `openat(…, O_NOFOLLOW)` from the descriptor of the one before.
#[cfg(unix)]
struct Beneath {
    root: rustix::fd::OwnedFd,
    /// `openat2` answered (`false` once it said ENOSYS or EPERM: the per-component walk).
    openat2: std::cell::Cell<bool>,
}

#[cfg(unix)]
impl Beneath {
    fn new(root: &Path) -> io::Result<Beneath> {
        use rustix::fs::{Mode, OFlags};
        let root = rustix::fs::open(
            root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Beneath {
            root,
            openat2: std::cell::Cell::new(true),
        })
    }

    /// Opens `rel` (a path relative to the root, of plain components) for reading without
    /// following links and without blocking, then requires a regular file of the descriptor.
    fn open(&self, rel: &Path) -> io::Result<File> {
        use rustix::fs::{Mode, OFlags, ResolveFlags};
        use rustix::io::Errno;
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NOCTTY | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = if self.openat2.get() {
            match rustix::fs::openat2(
                &self.root,
                rel,
                flags,
                Mode::empty(),
                ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
            ) {
                Err(Errno::NOSYS | Errno::PERM) => {
                    self.openat2.set(false);
                    self.open_each(rel, flags)?
                }
                r => r.map_err(link_refused)?,
            }
        } else {
            self.open_each(rel, flags)?
        };
        let fl = rustix::fs::fcntl_getfl(&fd)?;
        rustix::fs::fcntl_setfl(&fd, fl - OFlags::NONBLOCK)?;
        let file = File::from(fd);
        if !file.metadata()?.is_file() {
            return Err(io::Error::other(
                "not a regular file once opened (replaced after it was listed); skipped",
            ));
        }
        Ok(file)
    }

    /// The fallback: one `openat(…, O_NOFOLLOW)` per component, each from the directory
    /// descriptor of the one before; `..`, `.` and absolute parts are refused.
    fn open_each(&self, rel: &Path, flags: rustix::fs::OFlags) -> io::Result<rustix::fd::OwnedFd> {
        use rustix::fd::AsFd;
        use rustix::fs::{Mode, OFlags};
        use std::path::Component;
        let parts: Vec<&std::ffi::OsStr> = rel
            .components()
            .map(|c| match c {
                Component::Normal(n) => Ok(n),
                _ => Err(io::Error::other("not a plain relative path")),
            })
            .collect::<io::Result<_>>()?;
        let Some((last, dirs)) = parts.split_last() else {
            return Err(io::Error::other("empty path"));
        };
        let mut dir: Option<rustix::fd::OwnedFd> = None;
        for d in dirs {
            let at = dir.as_ref().map_or(self.root.as_fd(), |f| f.as_fd());
            let next = rustix::fs::openat(
                at,
                *d,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(link_refused)?;
            dir = Some(next);
        }
        let at = dir.as_ref().map_or(self.root.as_fd(), |f| f.as_fd());
        rustix::fs::openat(at, *last, flags, Mode::empty()).map_err(link_refused)
    }
}

/// The errors of a link met where none may be: said as such.
#[cfg(unix)]
fn link_refused(e: rustix::io::Errno) -> io::Error {
    use rustix::io::Errno;
    match e {
        Errno::LOOP | Errno::XDEV => io::Error::other(format!(
            "became a link while the bundle was read; not followed ({e})"
        )),
        e => e.into(),
    }
}

/// Without descriptor-relative opens: by path, the file type checked on the opened file.
#[cfg(not(unix))]
struct Beneath {
    root: std::path::PathBuf,
}

#[cfg(not(unix))]
impl Beneath {
    fn new(root: &Path) -> io::Result<Beneath> {
        Ok(Beneath {
            root: root.to_path_buf(),
        })
    }

    fn open(&self, rel: &Path) -> io::Result<File> {
        let file = File::open(self.root.join(rel))?;
        if !file.metadata()?.is_file() {
            return Err(io::Error::other("not a regular file once opened; skipped"));
        }
        Ok(file)
    }
}

/// Opens an input path without blocking: a FIFO with no writer opens at once (reads then wait
/// for one, within the walk's [`Patience`]); the file is put back in blocking mode.
#[cfg(unix)]
pub(crate) fn open_input(path: &Path) -> io::Result<File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    let flags = rustix::fs::fcntl_getfl(&file)?;
    rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
    Ok(file)
}

#[cfg(not(unix))]
pub(crate) fn open_input(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// A stream that may keep a reader waiting (standard input, a pipe, a FIFO): every read first
/// waits for data with `poll`, at most as long as the [`Patience`] allows, and fails with
/// [`WaitStopped`] once it is spent.
struct Waiting<R> {
    inner: R,
    patience: Patience,
}

impl<R> Waiting<R> {
    fn new(inner: R, patience: Patience) -> Waiting<R> {
        Waiting { inner, patience }
    }
}

#[cfg(unix)]
impl<R: Read + std::os::fd::AsFd> Read for Waiting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        loop {
            if self.patience.spent() {
                return Err(io::Error::new(io::ErrorKind::TimedOut, WaitStopped));
            }
            let slice = self.patience.slice().map(|d| Timespec {
                tv_sec: d.as_secs().try_into().unwrap_or(i64::MAX),
                tv_nsec: d.subsec_nanos().into(),
            });
            let mut fds = [PollFd::new(&self.inner, PollFlags::IN)];
            match poll(&mut fds, slice.as_ref()) {
                // Data, end of stream (the writer left) or an error: the read says which.
                Ok(n) if n > 0 => return self.inner.read(buf),
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(not(unix))]
impl<R: Read> Read for Waiting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.patience.spent() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, WaitStopped));
        }
        self.inner.read(buf)
    }
}

#[cfg(all(test, unix))]
mod beneath_tests {
    use super::Beneath;
    use std::io::Read;
    use std::path::Path;

    /// Both ways of opening beneath the root — `openat2` and the per-component `openat`
    /// fallback — read a regular file and refuse a link as the file, a link as a directory on
    /// the path, and a FIFO (skipped unread, without blocking).
    #[test]
    fn opens_beneath_the_root_without_following_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir_all(root.join("var/log")).unwrap();
        std::fs::write(root.join("var/log/messages"), "inside\n").unwrap();
        std::fs::write(tmp.path().join("outside"), "outside\n").unwrap();
        std::fs::create_dir_all(tmp.path().join("outdir/log")).unwrap();
        std::fs::write(tmp.path().join("outdir/log/messages"), "outside\n").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outside"), root.join("var/log/link")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outdir"), root.join("usr")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            root.join("var/log/fifo"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        for fallback in [false, true] {
            let b = Beneath::new(&root).unwrap();
            if fallback {
                b.openat2.set(false);
            }
            let mut text = String::new();
            b.open(Path::new("var/log/messages"))
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, "inside\n", "fallback {fallback}");
            for refused in [
                "var/log/link",
                "usr/log/messages",
                "var/log/fifo",
                "../outside",
            ] {
                assert!(
                    b.open(Path::new(refused)).is_err(),
                    "fallback {fallback}: {refused} was opened"
                );
            }
            let e = b.open(Path::new("var/log/link")).unwrap_err().to_string();
            assert!(e.contains("became a link"), "fallback {fallback}: {e}");
        }
    }
}
