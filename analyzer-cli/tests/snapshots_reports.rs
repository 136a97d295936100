//! Snapshot tests of every report format for three corpus bundles: text (no colour), Markdown,
//! JSON (`stats.seconds` and `tool.version` redacted) and the HTML page's textual content.
//!
//! Snapshots are plain files under `tests/snapshots/`; when a bundle grows, review and accept
//! the new output with `cargo insta review` (or `INSTA_UPDATE=always`).

use std::path::{Path, PathBuf};
use std::process::Command;

const BUNDLES: [&str; 3] = [
    "seed-001-state-mismatch",
    "seed-003-volume-remove-lock",
    "seed-004-leaked-netns",
];

fn bundle(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(name)
}

fn render(name: &str, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args([
            "analyze", "--color", "never", "--width", "100", "--format", format,
        ])
        .env_remove("COLUMNS")
        .arg(bundle(name))
        .output()
        .expect("run nodemortem");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // Inputs are named by the path as given, which depends on the checkout location.
    let root = bundle(name).display().to_string();
    text.replace(&root, &format!("corpus/{name}"))
}

/// Replaces the run duration (`in 0.12 s`) which changes from run to run.
fn without_timing(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        match line.find(" in ").filter(|_| line.ends_with(" s")) {
            Some(i) => out.push_str(&format!("{} in [seconds]", &line[..i])),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// The visible text of an HTML page: tags dropped (SVG, style and script content too), entities
/// decoded, blank runs collapsed.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let skip_to = ["<style", "<script", "<svg"]
            .iter()
            .find(|t| rest.starts_with(**t))
            .map(|t| format!("</{}>", &t[1..]));
        let end = match skip_to {
            Some(close) => rest.find(&close).map(|j| j + close.len()),
            None => rest.find('>').map(|j| j + 1),
        };
        match end {
            Some(j) => {
                let tag = &rest[..j];
                if tag.starts_with("<tr")
                    || tag.starts_with("<p")
                    || tag.starts_with("<h")
                    || tag.starts_with("<li")
                    || tag.starts_with("<article")
                    || tag.starts_with("<pre")
                    || tag.starts_with("<details")
                    || tag.starts_with("<svg")
                {
                    out.push('\n');
                } else if tag.starts_with("<td") || tag.starts_with("<th") {
                    out.push_str(" | ");
                }
                rest = &rest[j..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn text_snapshots() {
    for name in BUNDLES {
        let text = without_timing(&render(name, "text"));
        settings().bind(|| insta::assert_snapshot!(format!("text-{name}"), text));
    }
}

#[test]
fn markdown_snapshots() {
    for name in BUNDLES {
        let md = without_timing(&render(name, "markdown"));
        settings().bind(|| insta::assert_snapshot!(format!("markdown-{name}"), md));
    }
}

#[test]
fn json_snapshots() {
    for name in BUNDLES {
        let mut v: serde_json::Value =
            serde_json::from_str(&render(name, "json")).expect("valid JSON");
        // Redactions: the run duration and the tool version change between runs and releases.
        v["stats"]["seconds"] = "[seconds]".into();
        v["tool"]["version"] = "[version]".into();
        settings().bind(|| insta::assert_json_snapshot!(format!("json-{name}"), v));
    }
}

#[test]
fn html_text_snapshots() {
    for name in BUNDLES {
        let html = render(name, "html");
        let version = env!("CARGO_PKG_VERSION");
        let text =
            html_text(&html).replace(&format!("nodemortem {version}"), "nodemortem [version]");
        settings().bind(|| insta::assert_snapshot!(format!("html-{name}"), text));
    }
}
