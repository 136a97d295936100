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
pub const SCHEMA_VERSION: u32 = 2;

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
    #[serde(default)]
    pub host: host::Host,
    /// Root causes first; findings they explain are nested in [`Finding::explains`].
    pub findings: Vec<Finding>,
    /// What could not be read or was cut short.
    pub warnings: Vec<Warning>,
    /// Volume and time.
    pub stats: Stats,
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
}
