//! Command-line flags for reading bundles — the inputs, the time budget and the ingestion
//! limits ([`analyzer_core::Limits`]) — shared by every command that reads them (`analyze`,
//! `timeline`, `inventory`, `stacks`; `#[command(flatten)]`), so that each flag means the same
//! everywhere. Every limit defaults to the library's safe default; docs/security.md says what
//! each limit does when hit.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use analyzer_core::{Bundle, Limits};

/// What to read and within which bounds: the same flags on every command that reads bundles.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// Bundles to read: sosreport archives or directories, log files, goroutine dumps
    /// (plain or .gz, .xz, .bz2, .zst), `-` for stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Stop reading after this many seconds and report what was found (marked partial).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Resource limits of ingestion.
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl ReadArgs {
    /// The inputs as a bundle.
    pub fn bundle(&self) -> Bundle {
        Bundle::from_paths(&self.paths)
    }

    /// The time budget as a duration.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout.map(Duration::from_secs)
    }

    /// The time budget as an instant, counted from now: one budget for every pass of a command.
    pub fn deadline(&self) -> Option<Instant> {
        self.timeout().map(|t| Instant::now() + t)
    }
}

/// Resource limits of ingestion, as flags. Sizes take a plain byte count or a `K`, `M`, `G`
/// suffix (powers of 1024).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// Largest decompressed size of one member; the rest of the member is cut with a warning.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_member_bytes: Option<u64>,
    /// Largest total of decompressed bytes over the bundle; reading stops there with a warning.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_total_bytes: Option<u64>,
    /// Largest decompressed/compressed ratio of a stream before it is stopped as a bomb.
    #[arg(long, value_name = "RATIO")]
    pub max_ratio: Option<u64>,
    /// Longest line a parser looks at; longer lines are cut for parsing.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_line_bytes: Option<u64>,
    /// Most members read from one input; the rest is not read, with a warning.
    #[arg(long, value_name = "N")]
    pub max_members: Option<u64>,
    /// Longest chain of symbolic links followed inside an archive.
    #[arg(long, value_name = "N")]
    pub max_link_depth: Option<u32>,
    /// Most events (OOM kills, crashes, restarts…) kept from one member; later ones are counted.
    #[arg(long, value_name = "N")]
    pub max_events_per_member: Option<u64>,
    /// Most events kept from the whole bundle; events past it are counted.
    #[arg(long, value_name = "N")]
    pub max_events_total: Option<u64>,
}

impl LimitArgs {
    /// The library defaults with every given flag applied.
    pub fn limits(&self) -> Limits {
        let mut l = Limits::default();
        if let Some(v) = self.max_member_bytes {
            l.max_member_bytes = v;
        }
        if let Some(v) = self.max_total_bytes {
            l.max_total_bytes = v;
        }
        if let Some(v) = self.max_ratio {
            l.max_ratio = v;
        }
        if let Some(v) = self.max_line_bytes {
            l.max_line_bytes = usize::try_from(v).unwrap_or(usize::MAX);
        }
        if let Some(v) = self.max_members {
            l.max_members = v;
        }
        if let Some(v) = self.max_link_depth {
            l.max_link_depth = v;
        }
        if let Some(v) = self.max_events_per_member {
            l.max_events_per_member = usize::try_from(v).unwrap_or(usize::MAX);
        }
        if let Some(v) = self.max_events_total {
            l.max_events_total = usize::try_from(v).unwrap_or(usize::MAX);
        }
        l
    }
}

/// Parses `1048576`, `64K`, `256M`, `4G` (powers of 1024; a trailing `B`/`iB` is accepted).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 10),
        Some('M' | 'm') => (&t[..t.len() - 1], 20),
        Some('G' | 'g') => (&t[..t.len() - 1], 30),
        Some('T' | 't') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size (examples: 1048576, 64K, 256M, 4G)"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let table = [
            ("0", Some(0)),
            ("1048576", Some(1 << 20)),
            ("64K", Some(64 << 10)),
            ("256M", Some(256 << 20)),
            ("4G", Some(4 << 30)),
            ("4GiB", Some(4 << 30)),
            ("1T", Some(1 << 40)),
            ("", None),
            ("M", None),
            ("-1", None),
            ("99999999999T", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_size(text).ok(), want, "{text}");
        }
    }

    #[test]
    fn flags_override_defaults_only_when_given() {
        let none = LimitArgs::default().limits();
        let def = Limits::default();
        assert_eq!(none.max_member_bytes, def.max_member_bytes);
        assert_eq!(none.max_members, def.max_members);
        let some = LimitArgs {
            max_member_bytes: Some(1 << 20),
            max_members: Some(10),
            max_events_per_member: Some(5),
            ..LimitArgs::default()
        }
        .limits();
        assert_eq!(some.max_member_bytes, 1 << 20);
        assert_eq!(some.max_members, 10);
        assert_eq!(some.max_events_per_member, 5);
        assert_eq!(some.max_total_bytes, def.max_total_bytes);
    }
}
