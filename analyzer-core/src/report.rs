//! Findings and the report: what analysis produces and every renderer reads.
//!
//! The JSON shape of [`Report`] is a stable contract for ticket tooling (see
//! `docs/json-schema.md`); renderers for the terminal, Markdown and HTML live in submodules.

pub mod host;
pub mod html;
pub mod jira;
pub mod markdown;
pub mod sanitize;
pub mod svg;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::base::Timestamp;

// Findings are made by the rules engine below this layer; they are the report's contents.
#[doc(no_inline)]
pub use crate::base::{Confidence, Evidence, Finding, Severity};
use crate::input::{InputInfo, Warning};

/// Version of the JSON contract. Bumped only on incompatible changes.
pub const SCHEMA_VERSION: u32 = 3;

/// The result of `analyze`: ranked findings with their evidence, warnings and statistics.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Which tool and version produced the report.
    pub tool: Tool,
    /// The inputs as given.
    pub inputs: Vec<InputInfo>,
    /// Which node and what it runs: host name, OS, kernel, uptime, CPUs, memory, cgroup
    /// version, runtime versions, collection time; each fact with the member it came from.
    /// The header of the single host; empty when the report has several
    /// [`hosts`](Report::hosts), each with its own header.
    #[serde(default)]
    pub host: host::Host,
    /// The hosts the inputs make: every sosreport, directory or archive is one host, the loose
    /// files given together are one. Each is analysed on its own (its clock, its model, its
    /// findings); [`Finding::host`] and [`Evidence::input`] index into these lists.
    #[serde(default)]
    pub hosts: Vec<HostEntry>,
    /// Root causes first; findings they explain are nested in [`Finding::explains`].
    pub findings: Vec<Finding>,
    /// What could not be read or was cut short.
    pub warnings: Vec<Warning>,
    /// Volume and time.
    pub stats: Stats,
}

/// One host of a report.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct HostEntry {
    /// What renderers call it: the host name its facts state, else the path of its first
    /// input.
    pub name: String,
    /// Its inputs: indices in [`Report::inputs`].
    pub inputs: Vec<usize>,
    /// Its header (host name, OS, kernel, versions, collection time).
    #[serde(default)]
    pub host: host::Host,
}

impl HostEntry {
    /// A host named by its header's host name, else by `fallback` (an input path).
    pub fn new(inputs: Vec<usize>, host: host::Host, fallback: &str) -> HostEntry {
        let name = host
            .hostname
            .as_ref()
            .map(|f| f.value.clone())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_string());
        HostEntry { name, inputs, host }
    }
}

/// The producing tool.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tool {
    /// Always `nodemortem`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "nodemortem".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Volume and timing of a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Stats {
    /// Members read (parsed, not skipped).
    pub members: u64,
    /// Log records parsed.
    pub records: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Earliest record time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Timestamp>,
    /// Latest record time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    /// Set when a limit (time budget, size) cut the analysis short: results are partial.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Set when nothing in the input was recognised (no log line, goroutine, host-state table
    /// or clock file) and no rule matched: the report says nothing about the node, and the
    /// warnings say why. Front ends treat it as a failure to read (the CLI exits 2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nothing_recognised: bool,
    /// Findings left out because they are below the minimum severity asked for
    /// ([`Options::min_severity`](crate::analysis::Options::min_severity)), counted with the
    /// findings they explain.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hidden: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Report {
    /// True when the report covers several hosts: renderers then group findings by host.
    pub fn multi_host(&self) -> bool {
        self.hosts.len() > 1
    }

    /// The findings of host `h`, in rank order.
    pub fn host_findings(&self, h: usize) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.host == h)
    }

    /// True when a member path alone may not say which input an evidence line comes from: the
    /// report has several hosts, or two of its inputs have the same file name (`a/messages` and
    /// `b/messages` given together are one host whose members are both `messages`).
    pub fn names_inputs(&self) -> bool {
        if self.multi_host() {
            return true;
        }
        let base = |p: &str| {
            let p = p.trim_end_matches('/');
            p.rsplit('/').next().unwrap_or(p).to_string()
        };
        let mut names: Vec<String> = self.inputs.iter().map(|i| base(&i.path)).collect();
        names.sort_unstable();
        names.windows(2).any(|w| w[0] == w[1])
    }

    /// Where an evidence line comes from, naming its input when the member path alone may not
    /// say it ([`names_inputs`](Report::names_inputs)): `sosreport-b/var/log/messages`, a loose
    /// file by its path as given; the member path alone otherwise.
    pub fn evidence_path(&self, e: &Evidence) -> String {
        if !self.names_inputs() {
            return e.path.clone();
        }
        let Some(input) = self.inputs.get(e.input) else {
            return e.path.clone();
        };
        let given = input.path.trim_end_matches('/');
        let base = given.rsplit('/').next().unwrap_or(given);
        let loose = input.kind == crate::input::InputKind::File;
        if e.path.is_empty() || (loose && base.starts_with(e.path.as_str())) {
            given.to_string()
        } else {
            format!("{given}/{}", e.path)
        }
    }

    /// The report with every evidence path naming its input
    /// ([`evidence_path`](Report::evidence_path)) when it has several hosts or inputs of the
    /// same file name; unchanged otherwise. Renderers show this form.
    pub fn qualified(&self) -> Report {
        fn qualify(r: &Report, f: &mut Finding) {
            for e in &mut f.evidence {
                e.path = r.evidence_path(e);
            }
            for x in &mut f.explains {
                qualify(r, x);
            }
        }
        let mut out = self.clone();
        if self.names_inputs() {
            for f in &mut out.findings {
                qualify(self, f);
            }
        }
        out
    }

    /// One report per host, for renderers that group findings by host: each has that host's
    /// header and findings (in rank order); inputs, warnings and statistics are the whole
    /// run's. Paired with the number of findings of the hosts before it, so that findings are
    /// numbered through the whole report.
    pub fn per_host(&self) -> Vec<(usize, Report)> {
        let mut before = 0;
        self.hosts
            .iter()
            .enumerate()
            .map(|(h, entry)| {
                let findings: Vec<Finding> = self.host_findings(h).cloned().collect();
                let at = before;
                before += findings.len();
                let sub = Report {
                    schema_version: self.schema_version,
                    tool: self.tool.clone(),
                    inputs: self.inputs.clone(),
                    host: entry.host.clone(),
                    hosts: vec![entry.clone()],
                    findings,
                    warnings: self.warnings.clone(),
                    stats: self.stats.clone(),
                };
                (at, sub)
            })
            .collect()
    }

    /// The heading of host `h` of a multi-host report: `Host 1 of 2: node-a (inputs)`.
    pub fn host_heading(&self, h: usize) -> String {
        let Some(entry) = self.hosts.get(h) else {
            return String::new();
        };
        let inputs: Vec<&str> = entry.inputs.iter().map(|&i| self.input_path(i)).collect();
        format!(
            "Host {} of {}: {} ({})",
            h + 1,
            self.hosts.len(),
            entry.name,
            inputs.join(", ")
        )
    }

    /// The path of input `i` as given (empty when out of range).
    pub fn input_path(&self, i: usize) -> &str {
        self.inputs.get(i).map_or("", |x| x.path.as_str())
    }

    /// True when the input was read only in part: a limit or the time budget cut the analysis
    /// short, or a warning says something was not read (a truncated or damaged archive, a cut
    /// member, a skipped dump). Renderers say so in their first lines.
    pub fn incomplete(&self) -> bool {
        self.stats.partial || self.unread().next().is_some()
    }

    /// The assumptions the report rests on (`year assumed: 2000`), said at its top.
    pub fn assumptions(&self) -> impl Iterator<Item = &Warning> {
        self.warnings
            .iter()
            .filter(|w| w.kind == crate::input::WarningKind::Assumption)
    }

    /// The warnings that say something was not read (not the notes on the bundle's structure).
    pub fn unread(&self) -> impl Iterator<Item = &Warning> {
        self.warnings
            .iter()
            .filter(|w| w.kind == crate::input::WarningKind::Unread)
    }
}
