//! `nodemortem` for Python: the extension module `nodemortem._nodemortem`, re-exported by the
//! `nodemortem` package (`python/nodemortem/__init__.py`).
//!
//! A thin layer over [`analyzer_core`]: it turns Python arguments into a
//! [`Bundle`](analyzer_core::Bundle) and [`Options`], runs the library detached from the
//! interpreter and hands back the library's JSON contracts as plain dicts and lists (serialised
//! by serde, read by Python's `json`), so that Python sees exactly what
//! `nodemortem … --format json` prints. The doc comments of the functions are their Python
//! docstrings.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use analyzer_core::report::jira::JiraOptions;
use analyzer_core::report::markdown::MarkdownOptions;
use analyzer_core::report::text::TextOptions;
use analyzer_core::report::{SCHEMA_VERSION, html, jira, markdown, text};
use analyzer_core::rules::Engine;
use analyzer_core::{CancelToken, Limits, Options, Report, Severity};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;

mod errors;
mod run;
mod source;

use errors::{Error, Failure, NothingReadError, RuleError};

/// The built-in rules, compiled once per process (tens of milliseconds) and shared by every
/// call that gives no `rules_dir`.
fn builtin_rules() -> Result<&'static Engine, analyzer_core::Error> {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    if let Some(engine) = ENGINE.get() {
        return Ok(engine);
    }
    let engine = analyzer_core::rules::load(&[])?;
    Ok(ENGINE.get_or_init(|| engine))
}

/// Calls `f` with the built-in rules, or the built-in rules plus those of `rules_dir`.
fn with_rules<T>(
    rules_dir: Option<&PathBuf>,
    f: impl FnOnce(&Engine) -> T,
) -> Result<T, analyzer_core::Error> {
    match rules_dir {
        None => Ok(f(builtin_rules()?)),
        Some(dir) => Ok(f(&analyzer_core::rules::load(&[dir.as_path()])?)),
    }
}

/// Python's `json.loads(text)`: the contract as plain dicts, lists, str, int, float, bool, None.
fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import(intern!(py, "json"))?
        .call_method1(intern!(py, "loads"), (text,))
}

/// `min_severity` as a [`Severity`].
fn severity(name: Option<&str>) -> PyResult<Severity> {
    match name {
        None => Ok(Severity::Info),
        Some(n) => Severity::from_name(&n.to_ascii_lowercase()).ok_or_else(|| {
            PyValueError::new_err(format!(
                "min_severity {n:?} is not one of info, low, medium, high, critical"
            ))
        }),
    }
}

/// `timeout` in seconds as a [`Duration`].
fn timeout(seconds: Option<f64>) -> PyResult<Option<Duration>> {
    seconds
        .map(|s| {
            Duration::try_from_secs_f64(s).map_err(|_| {
                PyValueError::new_err(format!("timeout must be a number of seconds >= 0, not {s}"))
            })
        })
        .transpose()
}

/// A contract that did not serialise (it always does; said rather than unwrapped).
fn json_error(e: serde_json::Error) -> PyErr {
    Error::new_err(format!("serialising the result: {e}"))
}

/// Analyse a bundle: ranked findings, root cause first, each with its evidence lines.
///
/// ``source`` is a sosreport archive or directory, a log file or a goroutine dump, given as a
/// path (``str`` or ``os.PathLike``), a list of paths, the content as ``bytes``/``bytearray``/
/// ``memoryview``, or a binary file object (``open(p, "rb")``, an HTTP upload) that is read in
/// chunks as the analysis goes and never held whole. Archives are streamed, never extracted.
///
/// ``rules_dir`` adds the ``*.toml`` rules of a directory to the built-in ones;
/// ``min_severity`` (``"info"`` … ``"critical"``) drops weaker findings; ``timeout`` (seconds)
/// stops reading and returns what was found, with ``report["stats"]["partial"]`` true; ``name``
/// names bytes and file objects in the report (default ``"bytes"``, the file's ``name`` or
/// ``"stream"``).
///
/// Returns the JSON report of ``nodemortem analyze --format json`` as plain dicts and lists
/// (``schema_version`` 3, documented in docs/json-schema.md). What could not be read is in
/// ``report["warnings"]``. Runs without the GIL; Ctrl-C stops it with ``KeyboardInterrupt``.
///
/// Raises ``NothingReadError`` when no input could be read, ``RuleError`` for a bad
/// ``rules_dir``; an exception raised by the file object's ``read()`` is raised as is.
///
/// >>> import nodemortem
/// >>> log = b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 988 (dockerd) total-vm:3012345kB, anon-rss:1900000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4100kB oom_score_adj:-999\n"
/// >>> report = nodemortem.analyze(log, name="messages")
/// >>> top = report["findings"][0]
/// >>> top["rule"], top["severity"]
/// ('oom-kill', 'high')
/// >>> ev = top["evidence"][0]
/// >>> ev["path"], ev["line"]
/// ('messages', 1)
#[pyfunction]
#[pyo3(signature = (source, *, rules_dir=None, min_severity=None, timeout=None, name=None))]
fn analyze<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    rules_dir: Option<PathBuf>,
    min_severity: Option<&str>,
    timeout: Option<f64>,
    name: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let cancel = CancelToken::new();
    let opts = Options {
        min_severity: severity(min_severity)?,
        timeout: self::timeout(timeout)?,
        cancel: Some(cancel.clone()),
        ..Options::default()
    };
    let source = source::bundle(source, name, Some(cancel.clone()))?;
    let bundle = &source.bundle;
    let result = run::interruptible(py, &cancel, || {
        let report = with_rules(rules_dir.as_ref(), |engine| {
            analyzer_core::analysis::analyze_with(bundle, &opts, engine)
        })
        .map_err(Failure::Rules)?
        .map_err(Failure::Input)?;
        Ok::<_, Failure>(serde_json::to_string(&report))
    })?;
    source.check()?;
    let json = result.map_err(|f| f.into_pyerr(py))?.map_err(json_error)?;
    loads(py, &json)
}

/// Analyse a goroutine dump: goroutines per state, the longest waits, contended locks with
/// their holders and waiters (root blockers first), deadlocks, and buckets of identical stacks.
///
/// ``source`` is the dump (plain or compressed), a bundle holding one, as a path or as ``bytes``/``bytearray``/
/// ``memoryview``. Buckets with fewer than ``min_count`` goroutines are left out.
///
/// Returns the JSON of ``nodemortem stacks --format json`` as plain dicts and lists. Input that
/// is not a dump gives ``goroutines == 0``. Raises ``NothingReadError`` when the path cannot be
/// read.
///
/// >>> import nodemortem
/// >>> dump = b'''goroutine 1 [running]:
/// ... main.main()
/// ... \t/go/src/app/main.go:12 +0x25
/// ... '''
/// >>> s = nodemortem.stacks(dump)
/// >>> s["goroutines"], s["states"]
/// (1, {'running': 1})
#[pyfunction]
#[pyo3(signature = (source, *, min_count=1))]
fn stacks<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    min_count: u64,
) -> PyResult<Bound<'py, PyAny>> {
    use analyzer_core::{Bundle, parse::goroutine, stacks};
    // Read as `nodemortem stacks` reads: the same walker and limits; the first dump found, or
    // the empty analysis when there is none.
    let analyse = move |bundle: Bundle, name: String| {
        let found = analyzer_core::analysis::dumps(&bundle, &analyzer_core::Options::default())
            .map_err(|e| format!("{name}: {e}"))?;
        let mut analysis = found
            .into_iter()
            .next()
            .map(|(_, a)| a)
            .unwrap_or_else(|| stacks::analyze(&goroutine::parse(b"")));
        analysis.buckets.retain(|b| b.count >= min_count);
        Ok::<_, String>(serde_json::to_string(&analysis))
    };
    let json = if let Some(bytes) = source::bytes_like(source)? {
        let bytes = bytes.to_vec();
        py.detach(|| analyse(Bundle::from_bytes("dump", bytes), "dump".to_string()))
    } else if let Ok(path) = source.extract::<PathBuf>() {
        py.detach(|| analyse(Bundle::from_path(&path), path.display().to_string()))
    } else {
        return Err(PyTypeError::new_err(format!(
            "source is {}, expected a path (str or os.PathLike) or bytes",
            source::type_name(source)
        )));
    };
    let json = json
        .map_err(NothingReadError::new_err)?
        .map_err(json_error)?;
    loads(py, &json)
}

/// List every member of a bundle: path, format, records, bytes, first and last time, plus the
/// warnings of what could not be read.
///
/// ``source`` and ``name`` are as for ``analyze``. Returns the JSON of
/// ``nodemortem inventory --format json`` as plain dicts and lists. Raises ``NothingReadError``
/// when no input could be read.
///
/// >>> import nodemortem
/// >>> inv = nodemortem.inventory(b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java)\n", name="messages")
/// >>> [(m["path"], m["format"], m["records"]) for m in inv["members"]]
/// [('messages', 'syslog', 1)]
#[pyfunction]
#[pyo3(signature = (source, *, name=None))]
fn inventory<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    name: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let source = source::bundle(source, name, None)?;
    let bundle = &source.bundle;
    let result = py.detach(|| {
        analyzer_core::inventory::inventory(bundle, &Limits::default())
            .map(|inv| serde_json::to_string(&inv))
    });
    source.check()?;
    let json = result
        .map_err(|e| Failure::Input(e).into_pyerr(py))?
        .map_err(json_error)?;
    loads(py, &json)
}

/// The rule library: one dict per rule with ``id``, ``severity``, ``title``, ``origin``, its
/// ``evidence`` items, the rules it ``explains`` and ``references`` — the JSON of
/// ``nodemortem rules --format json``. ``rules_dir`` adds the rules of a directory (and raises
/// ``RuleError`` when one is invalid).
///
/// >>> import nodemortem
/// >>> oom = next(r for r in nodemortem.rules() if r["id"] == "oom-kill")
/// >>> oom["severity"], oom["origin"]
/// ('high', 'builtin/oom-kill.toml')
#[pyfunction]
#[pyo3(signature = (*, rules_dir=None))]
fn rules(py: Python<'_>, rules_dir: Option<PathBuf>) -> PyResult<Bound<'_, PyAny>> {
    let json = py
        .detach(|| {
            with_rules(rules_dir.as_ref(), |engine| {
                serde_json::to_string(&analyzer_core::rules::catalog(engine))
            })
        })
        .map_err(|e| Failure::Rules(e).into_pyerr(py))?
        .map_err(json_error)?;
    loads(py, &json)
}

/// Render a report returned by ``analyze`` as ``"markdown"`` (a ticket comment), ``"jira"``
/// (a comment in Jira wiki markup), ``"html"`` (one self-contained page with the timeline of
/// evidence) or ``"text"`` (plain terminal text, ``width`` columns), as
/// ``nodemortem analyze --format …`` does; ``evidence`` is the number of evidence lines shown
/// per finding in text, Markdown and Jira. The HTML page of a report dict has no wait-for
/// graphs (those need the goroutine dumps, which the report does not carry).
///
/// Raises ``ValueError`` for an unknown format or a dict that is not a report of this schema
/// version.
///
/// >>> import nodemortem
/// >>> log = b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 988 (dockerd) total-vm:3012345kB, anon-rss:1900000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4100kB oom_score_adj:-999\n"
/// >>> report = nodemortem.analyze(log, name="messages")
/// >>> nodemortem.render(report, "markdown").splitlines()[0]
/// '## nodemortem: 1 finding(s), 1 root cause(s)'
#[pyfunction]
#[pyo3(signature = (report, format, *, evidence=5, width=100))]
fn render(
    py: Python<'_>,
    report: &Bound<'_, PyAny>,
    format: &str,
    evidence: usize,
    width: usize,
) -> PyResult<String> {
    let json: String = py
        .import(intern!(py, "json"))?
        .call_method1(intern!(py, "dumps"), (report,))?
        .extract()?;
    let report: Report = serde_json::from_str(&json)
        .map_err(|e| PyValueError::new_err(format!("not a nodemortem report: {e}")))?;
    if report.schema_version != SCHEMA_VERSION {
        return Err(PyValueError::new_err(format!(
            "the report has schema_version {}, this nodemortem renders {SCHEMA_VERSION}",
            report.schema_version
        )));
    }
    match format {
        "markdown" => Ok(py.detach(|| {
            markdown::render(
                &report,
                &MarkdownOptions {
                    evidence_lines: evidence,
                    ..MarkdownOptions::default()
                },
            )
        })),
        "html" => Ok(py.detach(|| html::render(&report, &html::Extras::default()))),
        "text" => Ok(py.detach(|| {
            text::render(
                &report,
                &TextOptions {
                    color: false,
                    evidence_lines: evidence,
                    width,
                    ..TextOptions::default()
                },
            )
        })),
        "jira" => Ok(py.detach(|| {
            jira::render(
                &report,
                &JiraOptions {
                    evidence_lines: evidence,
                    ..JiraOptions::default()
                },
            )
        })),
        other => Err(PyValueError::new_err(format!(
            "unknown format {other:?}: expected \"markdown\", \"jira\", \"html\" or \"text\""
        ))),
    }
}

/// The extension module, re-exported by the `nodemortem` package.
#[pymodule]
#[pyo3(name = "_nodemortem")]
fn nodemortem_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SCHEMA_VERSION", SCHEMA_VERSION)?;
    m.add("Error", py.get_type::<Error>())?;
    m.add("NothingReadError", py.get_type::<NothingReadError>())?;
    m.add("RuleError", py.get_type::<RuleError>())?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(stacks, m)?)?;
    m.add_function(wrap_pyfunction!(inventory, m)?)?;
    m.add_function(wrap_pyfunction!(rules, m)?)?;
    m.add_function(wrap_pyfunction!(render, m)?)?;
    Ok(())
}
