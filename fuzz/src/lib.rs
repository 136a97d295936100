//! Shared drivers of the fuzz targets: each drives one parser over arbitrary bytes and checks
//! the invariants every parser promises (no panic, records inside the input, in order).

use analyzer_core::model::host::HostBuilder;
use analyzer_core::parse::{self, Format};

/// Every log format, in a fixed order so a leading selector byte picks one.
pub const LOG_FORMATS: &[Format] = &[
    Format::JournalShort,
    Format::JournalShortPrecise,
    Format::JournalShortIso,
    Format::JournalShortIsoPrecise,
    Format::JournalShortMonotonic,
    Format::JournalShortUnix,
    Format::JournalJson,
    Format::JournalExport,
    Format::JournalVerbose,
    Format::Syslog,
    Format::Dmesg,
    Format::Kmsg,
    Format::Klog,
    Format::KlogJson,
    Format::Logrus,
];

/// The journal output formats.
pub const JOURNAL_FORMATS: &[Format] = &[
    Format::JournalShort,
    Format::JournalShortPrecise,
    Format::JournalShortIso,
    Format::JournalShortIsoPrecise,
    Format::JournalShortMonotonic,
    Format::JournalShortUnix,
    Format::JournalJson,
    Format::JournalExport,
    Format::JournalVerbose,
];

/// Splits `data` into a format picked by its first byte among `formats` and the rest.
pub fn pick<'a>(formats: &[Format], data: &'a [u8]) -> Option<(Format, &'a [u8])> {
    let (&sel, rest) = data.split_first()?;
    let f = *formats.get(usize::from(sel) % formats.len())?;
    Some((f, rest))
}

/// Iterates every record of `data` as `format`, checking that each borrows from `data`, lies
/// inside it and comes after the one before. Returns the record count.
pub fn drain_records(format: Format, data: &[u8]) -> usize {
    let base = data.as_ptr() as usize;
    let end = base + data.len();
    let mut n = 0usize;
    let mut last_line = 0u32;
    for rec in parse::records(format, data) {
        n += 1;
        for part in [rec.raw, rec.message, rec.time_text, rec.host, rec.ident] {
            if part.is_empty() {
                continue;
            }
            let p = part.as_ptr() as usize;
            assert!(
                p >= base && p + part.len() <= end,
                "{format:?}: a record field does not borrow from the member"
            );
        }
        assert!(
            rec.offset <= data.len() as u64,
            "{format:?}: record offset {} past the end ({})",
            rec.offset,
            data.len()
        );
        assert!(
            rec.line >= last_line,
            "{format:?}: record line {} after line {}",
            rec.line,
            last_line
        );
        last_line = rec.line;
        std::hint::black_box((&rec.time, rec.level, rec.source, rec.pid, rec.line_count()));
        let _ = parse::inner_level(rec.message);
    }
    // A record needs at least one byte of its own.
    assert!(n <= data.len() + 1, "{format:?}: {n} records from {} bytes", data.len());
    n
}

/// Feeds `data` to the host-state builder as each of `formats` under `path`, then finishes it.
pub fn host(path: &str, formats: &[Format], data: &[u8]) {
    let mut b = HostBuilder::new();
    for &f in formats {
        b.add(path, f, data);
    }
    std::hint::black_box(b.finish());
}
