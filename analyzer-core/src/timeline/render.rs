//! Rendering: times in a chosen zone, the text form of the timeline.

use super::{Timeline, TimelineError};
use crate::base::Timestamp;
use crate::input::{self, Warning};

/// Formats a time in `zone` (an IANA name; `UTC` when `None`) as `2020-07-15 10:12:22.123456`;
/// a time on the second (a record that gives no fraction) has no fraction, padded with blanks
/// so that columns stay aligned: `2020-07-15 10:12:22       `.
pub fn format_time(t: Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let z = t.to_jiff().to_zoned(zone.clone());
    if t.0.rem_euclid(1_000_000) == 0 {
        format!("{}       ", z.strftime("%Y-%m-%d %H:%M:%S"))
    } else {
        z.strftime("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}

/// Looks up a time zone by IANA name (`UTC`, `Europe/Berlin`).
pub fn zone(name: Option<&str>) -> Result<jiff::tz::TimeZone, TimelineError> {
    match name {
        None => Ok(jiff::tz::TimeZone::UTC),
        Some(n) if n.eq_ignore_ascii_case("utc") => Ok(jiff::tz::TimeZone::UTC),
        Some(n) => jiff::tz::TimeZone::get(n).map_err(|_| TimelineError::UnknownZone(n.into())),
    }
}

/// Renders the timeline as text: `TIME SOURCE MARK PATH:LINE MESSAGE`, one entry per line,
/// with a header naming the zone and a footer counting what was left out. When the inputs are
/// of several hosts, a host column follows the time (`TIME HOST SOURCE …`) and the header names
/// each host with its inputs.
pub fn render_text(t: &Timeline, zone: &jiff::tz::TimeZone) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let name = zone.iana_name().unwrap_or("UTC");
    // What was not read comes first, as in the report.
    let unread: Vec<&Warning> = t
        .warnings
        .iter()
        .filter(|w| w.kind == input::WarningKind::Unread)
        .collect();
    if t.partial || !unread.is_empty() {
        let _ = writeln!(
            out,
            "# {}",
            if t.partial {
                "PARTIAL: a limit cut the timeline short; not read in full:"
            } else {
                "INCOMPLETE: part of the input was not read:"
            }
        );
        for w in unread.iter().take(crate::report::text::UNREAD_LISTED) {
            let _ = writeln!(
                out,
                "#   - {}",
                crate::report::text::visible(&crate::report::text::unread_line(w))
            );
        }
    }
    let several = t.hosts.len() > 1;
    let _ = writeln!(
        out,
        "# {} entries, times in {name}{}",
        t.entries.len(),
        t.center
            .map(|c| format!(", around {}", format_time(c, zone).trim_end()))
            .unwrap_or_default()
    );
    let width = if several {
        t.hosts
            .iter()
            .map(|h| h.name.chars().count())
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    if several {
        for h in &t.hosts {
            let inputs: Vec<&str> = h
                .inputs
                .iter()
                .filter_map(|&i| t.inputs.get(i).map(String::as_str))
                .collect();
            let _ = writeln!(out, "# host {}: {}", h.name, inputs.join(", "));
        }
    }
    for e in &t.entries {
        let host = match t.hosts.get(e.host) {
            Some(h) if several => format!("{:<width$} ", h.name),
            _ => String::new(),
        };
        let mark = if e.rules.is_empty() {
            String::new()
        } else {
            format!("<< {} ", e.rules.join(","))
        };
        let copies = match e.copies.len() {
            0 => String::new(),
            1 => " (+1 copy)".to_string(),
            n => format!(" (+{n} copies)"),
        };
        let _ = writeln!(
            out,
            "{} {host}{:<12} {mark}{}:{}{copies} {}",
            format_time(e.time, zone),
            e.source,
            e.path,
            e.line,
            e.text
        );
    }
    if t.dropped > 0 {
        let _ = writeln!(
            out,
            "# {} more records not shown, copies included (raise --limit or narrow with --around/--window/--sources)",
            t.dropped
        );
    }
    if t.untimed > 0 {
        let _ = writeln!(
            out,
            "# {} records without a usable time left out",
            t.untimed
        );
    }
    if t.copies > 0 {
        let _ = writeln!(
            out,
            "# {} copies of records shown once (the same record in several members)",
            t.copies
        );
    }
    out
}
