//! Inputs: from what a support engineer received to a stream of classified members.
//!
//! A [`Bundle`] names the inputs (paths, in-memory bytes, stdin). [`walk`](walk()) reads them once:
//! directories are walked, archives (`.tar`, `.tar.gz`, `.tar.xz`, `.tar.bz2`) are streamed and
//! never extracted to disk, compressed members are decoded transparently, nested archives are
//! expanded in place. Every member is classified by [`sniff`] from its path and first bytes;
//! members no parser wants are skipped without buffering. Problems become [`Warning`]s naming
//! the member and byte offset; the rest of the bundle is still read.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::base::Format;

pub mod decode;
pub mod sniff;
pub mod vfs;
pub mod walk;

pub use walk::{LinkEntry, LinkKind, Piece, Sink, SkipReason, SkippedEntry, WaitStopped, walk};

/// The inputs of one analysis.
#[derive(Clone, Debug, Default)]
pub struct Bundle {
    inputs: Vec<Input>,
}

/// One input of a bundle.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Input {
    /// A directory (extracted sosreport, folder of logs), an archive or a single file.
    Path(PathBuf),
    /// Bytes already in memory (an attachment in ticket tooling), with a display name.
    Bytes {
        /// Name used in paths and messages (`attachment.tar.xz`).
        name: String,
        /// The content, possibly compressed or an archive.
        bytes: Arc<[u8]>,
    },
    /// Standard input (`-` on the command line).
    Stdin,
    /// A stream handed over by the caller (an HTTP upload, a pipe, a Python file object), read
    /// once, in order, as stdin is: never buffered whole.
    Reader {
        /// Name used in paths and messages (`upload.tar.gz`); its suffix may tell the format.
        name: String,
        /// The stream; taken by the first walk of the bundle.
        reader: SharedReader,
    },
}

/// A stream that can be read once by whichever walk gets to it first. A [`Bundle`] is
/// `Clone` so that it can be analysed again; a stream cannot be, so a second walk of the same
/// bundle finds it taken and says so in a warning instead of reading nothing silently.
#[derive(Clone)]
pub struct SharedReader(Arc<Mutex<Option<Box<dyn Read + Send>>>>);

impl SharedReader {
    /// Wraps a stream.
    pub fn new(reader: impl Read + Send + 'static) -> SharedReader {
        SharedReader(Arc::new(Mutex::new(Some(Box::new(reader)))))
    }

    /// Takes the stream; `None` once a walk has taken it.
    pub(crate) fn take(&self) -> Option<Box<dyn Read + Send>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl std::fmt::Debug for SharedReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedReader(..)")
    }
}

impl Bundle {
    /// An empty bundle.
    pub fn new() -> Bundle {
        Bundle::default()
    }

    /// A bundle of one path (directory, archive or file). Nothing is read until analysis.
    pub fn from_path(path: impl AsRef<Path>) -> Bundle {
        let mut b = Bundle::new();
        b.push_path(path);
        b
    }

    /// A bundle of several paths; `-` means standard input.
    pub fn from_paths<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Bundle {
        let mut b = Bundle::new();
        for p in paths {
            b.push_path(p);
        }
        b
    }

    /// A bundle of bytes in memory, e.g. a ticket attachment. `name` is used in paths.
    pub fn from_bytes(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Bundle {
        let mut b = Bundle::new();
        b.inputs.push(Input::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        });
        b
    }

    /// A bundle of one stream (an upload arriving over the network, a pipe), read once as it
    /// arrives: archives are decoded and analysed while the rest is still coming, nothing is
    /// held whole and nothing is written to disk. `name` is used in paths and messages.
    ///
    /// ```
    /// use analyzer_core::{Bundle, Options, analyze};
    ///
    /// let upload = std::io::Cursor::new(
    ///     b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java) total-vm:9600000kB, anon-rss:4190000kB, file-rss:0kB, shmem-rss:0kB\n".to_vec(),
    /// );
    /// let report = analyze(&Bundle::from_reader("messages", upload), &Options::default())?;
    /// assert_eq!(report.findings[0].rule, "oom-kill");
    /// # Ok::<(), analyzer_core::Error>(())
    /// ```
    pub fn from_reader(name: impl Into<String>, reader: impl Read + Send + 'static) -> Bundle {
        let mut b = Bundle::new();
        b.inputs.push(Input::Reader {
            name: name.into(),
            reader: SharedReader::new(reader),
        });
        b
    }

    /// Adds a path; `-` is standard input.
    pub fn push_path(&mut self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        if path == Path::new("-") {
            self.inputs.push(Input::Stdin);
        } else {
            self.inputs.push(Input::Path(path.to_path_buf()));
        }
    }

    /// Adds any input.
    pub fn push(&mut self, input: Input) {
        self.inputs.push(input);
    }

    /// The inputs in order.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }
}

/// How long a walk waits for input that is slow to come (a pipe, a FIFO, a terminal): until a
/// deadline, or until a check says stop (a cancelled analysis). The default waits as long as
/// the writer takes. A read that waited too long fails with [`WaitStopped`]: the member is cut
/// there with a warning and the walk stops.
#[derive(Clone, Default)]
pub struct Patience {
    until: Option<Instant>,
    stop: Option<Arc<dyn Fn() -> bool + Send + Sync>>,
}

impl Patience {
    /// Waits until `at` (for ever when `None`).
    pub fn until(at: Option<Instant>) -> Patience {
        Patience {
            until: at,
            stop: None,
        }
    }

    /// Also stops waiting once `stop` returns true (checked every 100 ms while waiting).
    pub fn or_when(mut self, stop: impl Fn() -> bool + Send + Sync + 'static) -> Patience {
        self.stop = Some(Arc::new(stop));
        self
    }

    /// True once the deadline passed or the check says stop.
    pub fn spent(&self) -> bool {
        self.until.is_some_and(|at| Instant::now() >= at) || self.stop.as_ref().is_some_and(|f| f())
    }

    /// How long the next wait may last: `None` for ever.
    pub(crate) fn slice(&self) -> Option<Duration> {
        const CHECK: Duration = Duration::from_millis(100);
        let left = self
            .until
            .map(|at| at.saturating_duration_since(Instant::now()));
        match (left, &self.stop) {
            (Some(l), Some(_)) => Some(l.min(CHECK)),
            (Some(l), None) => Some(l),
            (None, Some(_)) => Some(CHECK),
            (None, None) => None,
        }
    }
}

impl std::fmt::Debug for Patience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Patience")
            .field("until", &self.until)
            .field("stop", &self.stop.is_some())
            .finish()
    }
}

/// What an input turned out to be, for reports.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputInfo {
    /// The path (or name) as given.
    pub path: String,
    /// What it is.
    pub kind: InputKind,
    /// Its index among the bundle's inputs (those that could not be opened have no
    /// `InputInfo`, so it may differ from the index in the list of infos).
    #[serde(skip)]
    pub(crate) bundle_index: usize,
}

/// The kind of an input.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// A sosreport (archive or directory with `sos_commands/`).
    Sosreport,
    /// A plain directory.
    Directory,
    /// A tar archive (possibly compressed).
    Archive,
    /// A single file (possibly compressed).
    File,
}

/// Something that could not be read, or was read only in part.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// The member (or input) path.
    pub path: String,
    /// Byte offset of the fault within the member or stream, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// What happened.
    pub message: String,
    /// Whether content was lost ([`WarningKind::Unread`], the default, not serialised) or the
    /// warning only notes the bundle's structure ([`WarningKind::Note`]: a dangling link, a
    /// device entry), with nothing of the node's logs or state left unread.
    #[serde(default, skip_serializing_if = "WarningKind::is_unread")]
    pub kind: WarningKind,
}

/// What a [`Warning`] means for the report.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WarningKind {
    /// Input not read, or read in part: the report may miss what it held.
    #[default]
    Unread,
    /// A remark on the bundle's structure; nothing was lost.
    Note,
    /// Something the input does not state was assumed (the year of yearless times): the
    /// report holds, but its times rest on the assumption. Renderers say so at the top.
    Assumption,
}

impl WarningKind {
    fn is_unread(&self) -> bool {
        *self == WarningKind::Unread
    }
}

impl Warning {
    /// A warning about `path`: something in it was not read.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            path: path.into(),
            offset: None,
            message: message.into(),
            kind: WarningKind::Unread,
        }
    }

    /// An assumption the report rests on (`year assumed: 2000`), said at the top of reports.
    pub fn assumption(path: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            kind: WarningKind::Assumption,
            ..Warning::new(path, message)
        }
    }

    /// A note about `path`'s place in the bundle (a link, a device entry) that loses nothing.
    pub fn note(path: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            kind: WarningKind::Note,
            ..Warning::new(path, message)
        }
    }

    /// Sets the byte offset.
    pub fn at(mut self, offset: u64) -> Warning {
        self.offset = Some(offset);
        self
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{} (offset {}): {}", self.path, o, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Resource limits. Defaults are safe for hostile input; users raise them knowingly.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Limits {
    /// Largest decompressed size of one member; the rest is cut with a warning.
    pub max_member_bytes: u64,
    /// Largest total of decompressed bytes over the bundle.
    pub max_total_bytes: u64,
    /// Largest decompressed/compressed ratio of a stream before it is treated as a bomb
    /// (checked once the output exceeds [`ratio_check_bytes`](Limits::ratio_check_bytes)).
    pub max_ratio: u64,
    /// Output size of a stream from which its ratio is checked (64 MiB by default: small
    /// files of zeros compress far beyond any sane ratio and are harmless).
    pub ratio_check_bytes: u64,
    /// Longest line a parser looks at; longer records are cut to this many bytes before the
    /// rules and the event assembler see them (one warning per member, with the offset).
    pub max_line_bytes: usize,
    /// Most members read from one input.
    pub max_members: u64,
    /// Longest chain of symbolic links followed inside an archive.
    pub max_link_depth: u32,
    /// Deepest nesting of archives within archives.
    pub max_nesting: u32,
    /// Most events (OOM kills, crashes, restarts…) kept from one log member; later events are
    /// dropped with one warning naming the member and the offset of the first one dropped.
    /// Rule hits are bounded separately by the engine (a fixed number of times and texts per
    /// rule and member), so this bounds what a member of identical lines can hold.
    #[serde(default = "default_max_events")]
    pub max_events_per_member: usize,
    /// Most events kept from the whole bundle (many members each under their own limit);
    /// events of a member past it are not kept, with one warning naming the member and how
    /// many.
    #[serde(default = "default_max_events_total")]
    pub max_events_total: usize,
}

fn default_max_events() -> usize {
    10_000
}

fn default_max_events_total() -> usize {
    100_000
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_member_bytes: 4 << 30,
            max_total_bytes: 64 << 30,
            max_ratio: 200,
            ratio_check_bytes: 64 << 20,
            max_line_bytes: 1 << 20,
            max_members: 1_000_000,
            max_link_depth: 32,
            max_nesting: 4,
            max_events_per_member: default_max_events(),
            max_events_total: default_max_events_total(),
        }
    }
}

/// The bytes of a member: owned (decompressed), mapped (a loose file) or shared (in-memory input).
#[derive(Debug)]
pub enum Data {
    /// Decompressed or read into memory.
    Owned(Vec<u8>),
    /// A memory-mapped loose file.
    Mapped(memmap2::Mmap),
    /// A slice of an in-memory input.
    Shared(Arc<[u8]>),
}

impl std::ops::Deref for Data {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Data::Owned(v) => v,
            Data::Mapped(m) => m,
            Data::Shared(a) => a,
        }
    }
}

/// One classified member, ready for its parser.
#[derive(Debug)]
pub struct Member {
    /// Normalised path inside the bundle (`sos_commands/kernel/dmesg`); for a loose file, its
    /// file name; with several inputs, prefixed by nothing (paths are per input).
    pub path: String,
    /// Index of the input in the bundle.
    pub input: usize,
    /// The decoded bytes.
    pub data: Data,
    /// The format [`sniff`] chose.
    pub format: Format,
    /// Set when the member was cut (limit hit, truncated stream); a warning says why.
    pub truncated: bool,
    /// When the member was last written, in seconds since the Unix epoch, as its archive entry
    /// states it (a tar header's `mtime`; 0 when the archiver wrote none). A sosreport's
    /// command outputs are written while it is collected, so the newest of its members' times
    /// is the collection time (see [`ClockBuilder::add_mtime`](crate::model::time::ClockBuilder::add_mtime)).
    /// `None` outside archives: the time of a file in a directory, of a loose file or of a
    /// stream is set by whoever last copied it (a download, `cp -r`, a checkout) and would date
    /// the node's logs by the copy.
    pub mtime: Option<i64>,
}
