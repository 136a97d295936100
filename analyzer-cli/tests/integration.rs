//! The integration tests of `analyzer-cli`, one test binary for all: the `nodemortem` binary
//! end to end (reports, corpus bundles, hostile inputs at size, the server as a process, the
//! Python package).
//!
//! One binary links the crate once instead of once per file, which is most of the time a
//! fresh `cargo test` takes. Each file beside this one is a module here; `every_file_is_a_module`
//! fails when one is not, so no test file is left out unseen.

mod browser;
mod cli;
mod corpus;
mod hostile_cli;
mod hosts;
mod inventory;
mod python_package;
mod serve;
mod serve_load;
mod serve_support;
mod snapshots_reports;
mod stacks;
mod timeline;
mod unread;
mod user_rules;

/// Every `.rs` file and every directory with a `mod.rs` beside this file is declared above, so
/// none is silently left out of the run (`autotests = false` in Cargo.toml).
#[test]
fn every_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let this = include_str!("integration.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let module = if path.is_dir() {
            path.join("mod.rs").is_file()
        } else {
            path.extension().is_some_and(|e| e == "rs") && name != "integration"
        };
        if module && !this.lines().any(|l| l == format!("mod {name};")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "not declared in tests/integration.rs: {missing:?}"
    );
}
