//! The Python package (`analyzer-py/`), end to end: installed as its README says
//! (`python3 -m venv v && v/bin/pip install ./analyzer-py`) into a fresh virtual environment,
//! then its pytest suite (`analyzer-py/tests/`) runs against this build of `nodemortem`, whose
//! answers it must give for every corpus bundle.
//!
//! Needs `python3` with `venv` and pip, PyPI (pip fetches maturin and pytest) and cargo, which
//! maturin runs to build the extension into this workspace's target directory. The test builds it
//! with the `dev` profile (`MATURIN_PEP517_ARGS=--profile dev`), which the workspace keeps equal to
//! the `test` profile: the package is checked, not its optimisation, and the build reuses the
//! dependencies `cargo test` compiled instead of a second, thin-LTO build of the whole tree. A
//! plain `pip install ./analyzer-py` builds the optimised wheel (release profile).
//! `.ci/run` installs Debian's `python3-venv` where `venv` is missing. Leave it out of a run
//! with `cargo test --workspace -- --skip python_package`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// Runs `cmd`, panicking with its output when it cannot start or fails.
fn run(what: &str, cmd: &mut Command) -> Output {
    let started = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{text}",
        out.status
    );
    println!(
        "{what}: {:.1} s\n{}",
        started.elapsed().as_secs_f64(),
        text.trim_end()
    );
    out
}

#[test]
fn python_package_passes_its_tests() {
    let python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let venv = dir.path().join("v");
    run(
        "python3 -m venv (Debian: apt-get install python3-venv)",
        Command::new(&python).arg("-m").arg("venv").arg(&venv),
    );
    let package = root().join("analyzer-py");
    run(
        "pip install ./analyzer-py[test]",
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("{}[test]", package.display()))
            .env("MATURIN_PEP517_ARGS", "--profile dev")
            // maturin's cargo builds into the workspace's target directory, beside this build.
            .current_dir(root()),
    );
    let out = run(
        "pytest analyzer-py/tests",
        Command::new(venv.join("bin/python"))
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
            .arg(package.join("tests"))
            .env("NODEMORTEM_CLI", env!("CARGO_BIN_EXE_nodemortem"))
            // No __pycache__ left in the source tree.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .current_dir(dir.path()),
    );
    // Every test ran: the suite compares with the binary, none may be skipped for want of it.
    let summary = String::from_utf8_lossy(&out.stdout);
    let last = summary.lines().last().unwrap_or_default();
    assert!(
        last.contains(" passed") && !last.contains("skipped") && !last.contains("failed"),
        "pytest summary: {last}"
    );
}

/// The features cargo resolves for each package of `cargo tree` with `args`, as printed
/// (`name vX.Y.Z [(path)] [(proc-macro)]` to the comma-separated features of each build of it:
/// a package built for the target and for the host may have two sets).
fn resolved_features(args: &[&str]) -> std::collections::BTreeMap<String, Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = run(
        "cargo tree",
        Command::new(cargo)
            .arg("tree")
            .args(args)
            .args(["--format", "{p} [{f}]", "--prefix", "none"])
            .current_dir(root()),
    );
    let mut packages = std::collections::BTreeMap::<String, Vec<String>>::new();
    // One tree per workspace member, separated by empty lines.
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let line = line.trim_end_matches(" (*)");
        if line.is_empty() {
            continue;
        }
        let (package, features) = line
            .rsplit_once(" [")
            .and_then(|(p, f)| Some((p, f.strip_suffix(']')?)))
            .unwrap_or_else(|| panic!("cargo tree line not `package [features]`: {line:?}"));
        let builds = packages.entry(package.to_owned()).or_default();
        if !builds.iter().any(|b| b == features) {
            builds.push(features.to_owned());
        }
    }
    packages
}

/// maturin builds analyzer-py alone (`cargo rustc -p analyzer-py`); it reuses the compiled
/// dependencies of `cargo test --workspace` only where cargo resolves their features alike in
/// both builds, or it compiles analyzer-core and everything between again. workspace-hack (a
/// dependency of analyzer-py) turns on what differs: every package of analyzer-py's tree must be
/// built with a feature set the workspace build also has.
#[test]
fn extension_features_match_the_workspace() {
    let workspace = resolved_features(&["--workspace", "--edges", "normal,build,dev"]);
    let extension = resolved_features(&["--package", "analyzer-py", "--edges", "normal,build"]);
    for (tree, members) in [
        (&workspace, ["analyzer-cli ", "analyzer-core ", "pyo3 "]),
        (&extension, ["analyzer-py ", "analyzer-core ", "pyo3 "]),
    ] {
        for member in members {
            assert!(
                tree.keys().any(|p| p.starts_with(member)),
                "no {member}in the tree: {:?}",
                tree.keys()
            );
        }
    }
    let mut differ = Vec::new();
    for (package, builds) in &extension {
        let Some(in_workspace) = workspace.get(package) else {
            // Only analyzer-py uses it (pyo3 and its own dependencies): compiled once either way.
            continue;
        };
        for features in builds {
            if !in_workspace.contains(features) {
                differ.push(format!(
                    "{package}: analyzer-py alone [{features}], the workspace {in_workspace:?}"
                ));
            }
        }
    }
    assert!(
        differ.is_empty(),
        "features differ; enable the workspace's in workspace-hack/Cargo.toml:\n{}",
        differ.join("\n")
    );
}
