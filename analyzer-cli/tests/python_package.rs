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
