//! Findings: a rule that fired, how bad and how sure, and the lines of evidence that prove it.
//! The rules engine makes them, the report carries and renders them.

use serde::{Deserialize, Serialize};

use crate::base::time::Timestamp;

/// One diagnosis: a rule that fired, how sure it is, and the lines that prove it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// The rule id (`volume-remove-lock`).
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// How bad the diagnosed condition is (the rule's severity, whatever the evidence).
    pub severity: Severity,
    /// How much of the rule's evidence is present, 0–100 (the weights of the items found over
    /// the weights of all, see docs/rule-authoring.md).
    pub score: u8,
    /// How sure the diagnosis is: [`Confidence::of`] the score.
    pub confidence: Confidence,
    /// One sentence with the concrete numbers: who, what, how many, since when.
    pub summary: String,
    /// The lines that made the rule fire, most telling first.
    pub evidence: Vec<Evidence>,
    /// What the rule looked for and did not find.
    pub missing: Vec<String>,
    /// What to do.
    pub remediation: String,
    /// Upstream issues, pull requests, fixed versions.
    pub references: Vec<String>,
    /// Findings this one explains (consequences of this cause).
    pub explains: Vec<Finding>,
    /// Index of the host in [`Report::hosts`](crate::report::Report::hosts) whose evidence
    /// made the finding: findings never combine evidence of two hosts.
    #[serde(default)]
    pub host: usize,
}

/// One line of evidence.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Evidence {
    /// Path of the member inside the bundle.
    pub path: String,
    /// 1-based line number in the member (0 when the evidence is not a line, e.g. a derived fact).
    pub line: u32,
    /// Time of the line, normalised to UTC, when known.
    pub time: Option<Timestamp>,
    /// The line, trimmed (long lines shortened in the middle).
    pub text: String,
    /// Byte range of the matched part within `text`, for highlighting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<(usize, usize)>,
    /// The evidence item of the rule this line satisfies (`oom-victim`, `holder`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Index of the input the member belongs to in [`Report::inputs`](crate::report::Report::inputs):
    /// with several inputs, member paths alone may repeat (two sosreports' `var/log/messages`).
    #[serde(default)]
    pub input: usize,
}

/// Severity of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Worth knowing.
    Low,
    /// Degrades the node.
    Medium,
    /// Breaks workloads.
    High,
    /// Breaks the node.
    Critical,
}

impl Severity {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a lowercase name.
    pub fn from_name(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

/// How sure a finding is, in words a reader acts on: a rule's score against its confirmation
/// score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Some of the evidence: the cause may be this; look at what is missing.
    Possible,
    /// Most of the evidence short of confirmation.
    Likely,
    /// The evidence the rule needs to call it.
    Confirmed,
}

impl Confidence {
    /// The word for `score` against a rule's confirmation score `confirm`: confirmed at or above
    /// it, likely at or above three fifths of it, possible below. With the default of 50:
    /// confirmed from 50, likely from 30.
    pub fn of(score: u8, confirm: u8) -> Confidence {
        let likely = (u32::from(confirm) * 3).div_ceil(5);
        if score >= confirm {
            Confidence::Confirmed
        } else if u32::from(score) >= likely {
            Confidence::Likely
        } else {
            Confidence::Possible
        }
    }

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Possible => "possible",
            Confidence::Likely => "likely",
            Confidence::Confirmed => "confirmed",
        }
    }
}

impl Finding {
    /// Highest severity among this finding and the ones it explains.
    pub fn max_severity(&self) -> Severity {
        self.explains
            .iter()
            .map(Finding::max_severity)
            .fold(self.severity, Severity::max)
    }

    /// Highest severity among this finding and the ones it explains that are at least as sure
    /// as `min`; `None` when none is. `analyze --fail-on` looks at likely and confirmed
    /// findings: a possible one names a condition to check, not an incident.
    pub fn max_severity_at(&self, min: Confidence) -> Option<Severity> {
        let own = (self.confidence >= min).then_some(self.severity);
        self.explains
            .iter()
            .filter_map(|f| f.max_severity_at(min))
            .fold(own, |a, b| Some(a.map_or(b, |a| a.max(b))))
    }
}
