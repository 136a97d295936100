//! End to end in a real browser: the HTML report of a corpus bundle opened in headless
//! Chromium. The page's own `#selftest` script clicks the first evidence toggle and records
//! the result on `<body>`; the test reads the serialised DOM, then takes a screenshot
//! (`target/report.png`).
//!
//! Skips (with a message) when `chromium` is not on PATH; CI installs it (`.ci/run`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

fn headless(bin: &Path, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn html_report_works_in_headless_chromium() {
    let Some(bin) = chromium() else {
        println!("SKIPPED: chromium is not on PATH (install the Debian `chromium` package)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = root.join("target");
    let _ = std::fs::create_dir_all(&target);
    let report = target.join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["analyze", "--format", "html", "-o"])
        .arg(&report)
        .arg(root.join("corpus/seed-003-volume-remove-lock"))
        .output()
        .expect("run nodemortem");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&report).expect("report written");
    let expected_findings = html.matches("<article class=\"finding\"").count();
    assert!(
        expected_findings >= 2,
        "the bundle has a cause and a consequence"
    );

    let profile = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "file://{}#selftest",
        report.canonicalize().expect("path").display()
    );
    let dom = headless(&bin, profile.path())
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(&url)
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-selftest=\"evidence-visible\""),
        "evidence not visible after the click; body: {}",
        dom.lines()
            .find(|l| l.contains("<body"))
            .unwrap_or("(no body)")
    );
    assert!(
        dom.contains(&format!("data-findings=\"{expected_findings}\"")),
        "findings count"
    );
    // The drawings made it into the DOM.
    assert!(dom.contains("class=\"waitfor\""));
    // Filter and search, counted from the JSON report of the same bundle: a finding is shown
    // when it matches or one it explains does.
    let json = Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["analyze", "--format", "json"])
        .arg(root.join("corpus/seed-003-volume-remove-lock"))
        .output()
        .expect("run nodemortem");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    fn shown(f: &serde_json::Value, matches: &dyn Fn(&serde_json::Value) -> bool) -> usize {
        let kids: usize = f["explains"]
            .as_array()
            .map_or(0, |k| k.iter().map(|c| shown(c, matches)).sum());
        kids + usize::from(matches(f) || kids > 0)
    }
    let count = |m: &dyn Fn(&serde_json::Value) -> bool| -> usize {
        v["findings"]
            .as_array()
            .map_or(0, |fs| fs.iter().map(|f| shown(f, m)).sum())
    };
    let critical = count(&|f| f["severity"] == "critical");
    let search = count(&|f| {
        let own = serde_json::json!([f["rule"], f["title"], f["summary"], f["evidence"]]);
        own.to_string().to_lowercase().contains("stopcontainer")
    });
    assert!(critical > 0 && critical < expected_findings, "{critical}");
    assert!(search > 0 && search < expected_findings, "{search}");
    let attr = |name: &str| {
        let key = format!("{name}=\"");
        dom.find(&key)
            .and_then(|i| dom[i + key.len()..].split('"').next())
            .map(str::to_string)
    };
    assert_eq!(attr("data-filter-critical"), Some(critical.to_string()));
    assert_eq!(attr("data-search-stopcontainer"), Some(search.to_string()));
    assert_eq!(
        attr("data-filter-reset"),
        Some(expected_findings.to_string())
    );

    let shot = target.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let status = headless(&bin, profile.path())
        .args(["--virtual-time-budget=3000", "--window-size=1200,2000"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("run chromium");
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&status.stderr)));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert!(png.len() > 10_000, "a blank page is smaller");
    println!("screenshot: {}", shot.display());
}
