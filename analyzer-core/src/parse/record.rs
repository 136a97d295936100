//! One log record, borrowed from the bytes of the member it was read from.

use crate::base::log::{Level, Source};
use crate::base::time::RawTime;

/// A log record: one line, or one line plus its continuation lines (journal indentation, klog
/// `key=<` blocks). Every slice borrows from the member's bytes; nothing is copied.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Record<'a> {
    /// Byte offset of the first byte of the record in the member.
    pub offset: u64,
    /// 1-based line number of the record's first line.
    pub line: u32,
    /// The whole record, all its lines, without the final newline.
    pub raw: &'a [u8],
    /// The time the record states.
    pub time: RawTime,
    /// The original time text (`Aug 20 10:25:54`), empty when none.
    pub time_text: &'a [u8],
    /// Host name, empty when the format has none.
    pub host: &'a [u8],
    /// Syslog identifier / tag / journal `SYSLOG_IDENTIFIER` (`kubelet`, `dockerd`, `kernel`).
    pub ident: &'a [u8],
    /// Process id, when stated.
    pub pid: Option<u32>,
    /// The program that wrote the record, canonicalised from `ident` or the file name.
    pub source: Source,
    /// Severity, from the format (klog letter, logrus `level=`, syslog/kmsg priority).
    pub level: Level,
    /// The message: everything after the header. For multi-line records it runs to the end of
    /// the last continuation line. A sub-slice of `raw`.
    pub message: &'a [u8],
}

impl<'a> Record<'a> {
    /// A record with only its position and text set; parsers fill in the rest.
    pub fn bare(offset: u64, line: u32, raw: &'a [u8]) -> Record<'a> {
        Record {
            offset,
            line,
            raw,
            time: RawTime::None,
            time_text: &[],
            host: &[],
            ident: &[],
            pid: None,
            source: Source::Other,
            level: Level::Unknown,
            message: raw,
        }
    }

    /// Number of physical lines of the record.
    pub fn line_count(&self) -> u32 {
        1 + memchr::memchr_iter(b'\n', self.raw).count() as u32
    }

    /// A structured field of the record, decoded: a journal/klog JSON member of the raw line,
    /// a logrus `key=value` of the message, or a klog structured field after the quoted
    /// message. Borrows when the value needs no decoding; `None` when the record has no such
    /// field.
    pub fn field(&self, key: &[u8]) -> Option<std::borrow::Cow<'a, [u8]>> {
        use crate::parse::{journal, klog, logrus};
        if self.raw.first() == Some(&b'{') {
            return journal::json_get(self.raw, key).and_then(|v| v.decode());
        }
        let msg = self.message;
        if logrus::is_logrus(msg) {
            return logrus::field(msg, key).map(|v| v.decode());
        }
        if let Some(h) = klog::header(msg) {
            let inner = msg.get(h.msg_start..).unwrap_or(&[]);
            return klog::fields(inner)
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.decode());
        }
        if msg.first() == Some(&b'"') {
            return klog::fields(msg)
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.decode());
        }
        None
    }

    /// The source's report name: the canonical name, or the identifier for unknown programs.
    pub fn source_name(&self) -> std::borrow::Cow<'a, str> {
        match self.source {
            Source::Other if !self.ident.is_empty() => String::from_utf8_lossy(self.ident),
            s => std::borrow::Cow::Borrowed(s.name()),
        }
    }
}
