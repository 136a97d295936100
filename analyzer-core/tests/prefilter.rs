//! The literal prefilter is an optimisation only: on every corpus bundle and every real-text
//! excerpt of `corpus/real/`, the findings with and without it are identical.

use std::path::{Path, PathBuf};

use analyzer_core::analysis::{Options, analyze_with};
use analyzer_core::{Bundle, rules};

/// The corpus bundles, then the excerpts of `corpus/real/`, sorted.
fn inputs() -> Vec<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let sorted_dir = |dir: &Path| {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        v.sort();
        v
    };
    let mut out: Vec<PathBuf> = sorted_dir(&corpus)
        .into_iter()
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "build" && n != "real"))
        .collect();
    for group in sorted_dir(&corpus.join("real"))
        .into_iter()
        .filter(|p| p.is_dir())
    {
        out.extend(
            sorted_dir(&group)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "txt")),
        );
    }
    out
}

#[test]
fn prefilter_changes_no_finding_on_the_corpus() {
    let inputs = inputs();
    assert!(inputs.len() > 200, "{} inputs", inputs.len());
    let with = rules::load(&[]).unwrap();
    let mut without = rules::load(&[]).unwrap();
    without.set_prefilter(false);
    let mut total = 0;
    for d in &inputs {
        let bundle = Bundle::from_path(d);
        let a = analyze_with(&bundle, &Options::default(), &with).unwrap();
        let b = analyze_with(&bundle, &Options::default(), &without).unwrap();
        let ja = serde_json::to_value(&a.findings).unwrap();
        let jb = serde_json::to_value(&b.findings).unwrap();
        assert_eq!(
            ja,
            jb,
            "{}: findings differ with and without the prefilter",
            d.display()
        );
        total += a.findings.len();
    }
    assert!(total > 0, "the corpus produced no finding at all");
}
