//! The literal prefilter is an optimisation only: on every corpus bundle, the findings with and
//! without it are identical.

use std::path::Path;

use analyzer_core::analysis::{Options, analyze_with};
use analyzer_core::{Bundle, rules};

#[test]
fn prefilter_changes_no_finding_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut dirs: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "build"))
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let with = rules::load(&[]).unwrap();
    let mut without = rules::load(&[]).unwrap();
    without.set_prefilter(false);
    let mut total = 0;
    for d in &dirs {
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
