//! The embedded store: one SQLite database under `--data`, plus the kept bundles.
//!
//! ```text
//! DATA/nodemortem.sqlite3   analyses and their findings (WAL mode, schema in `user_version`)
//! DATA/bundles/ID           an upload's bytes as received (with --keep-bundles)
//! DATA/tmp/                 uploads being received; emptied at start
//! ```
//!
//! An analysis becomes a row in one transaction, only once it is complete: the report, the
//! rendered HTML page, one row per rule that fired (for "which other cases had this cause"),
//! and the rename of the kept bundle from its temporary name to its id. A crash at any point
//! leaves either the whole analysis or nothing: a temporary file, or a bundle renamed but not
//! committed, is removed at the next start ([`Store::open`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use analyzer_core::report::{Finding, Report};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};

/// File name of the database inside `--data`.
pub const DB_FILE: &str = "nodemortem.sqlite3";

/// Schema migrations; `user_version` is the number applied. Never edit one, append.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE analysis (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    host         TEXT COLLATE NOCASE,
    size         INTEGER NOT NULL,
    received     TEXT NOT NULL,
    received_ms  INTEGER NOT NULL,
    analyzed     TEXT NOT NULL,
    duration_us  INTEGER NOT NULL,
    tool_version TEXT NOT NULL,
    findings     INTEGER NOT NULL,
    warnings     INTEGER NOT NULL,
    partial      INTEGER NOT NULL,
    top_rule     TEXT,
    top_severity TEXT,
    top_score    INTEGER,
    top_title    TEXT,
    top_summary  TEXT,
    bundle       INTEGER NOT NULL,
    report       TEXT NOT NULL,
    html         TEXT NOT NULL
);
CREATE INDEX analysis_received ON analysis (received_ms, id);
CREATE INDEX analysis_host ON analysis (host, received_ms);
CREATE TABLE finding (
    analysis_id INTEGER NOT NULL REFERENCES analysis (id) ON DELETE CASCADE,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    score       INTEGER NOT NULL,
    cause       INTEGER NOT NULL,
    PRIMARY KEY (analysis_id, rule)
) WITHOUT ROWID;
CREATE INDEX finding_rule ON finding (rule, analysis_id);
"#];

/// The newest schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The database and the bundle directory of one `--data`.
///
/// Two connections: one for writes (inserts are serialised anyway) and one for reads, so a
/// page load does not wait behind the commit of a large report.
pub struct Store {
    path: PathBuf,
    bundles: PathBuf,
    tmp: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    temp_seq: AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The most telling finding of an analysis: its first root cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopFinding {
    /// Rule id.
    pub rule: String,
    /// Severity name (`critical`, …).
    pub severity: String,
    /// Score 0–100.
    pub score: u8,
    /// The rule's title.
    pub title: String,
    /// The finding's one-sentence summary.
    pub summary: String,
}

/// What is known of a stored analysis without its report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The analysis id, in the order analyses were stored.
    pub id: i64,
    /// The name given with the upload (or `upload`).
    pub name: String,
    /// The node, when given with the upload or read from a sosreport's file name.
    pub host: Option<String>,
    /// Bytes received (compressed, as uploaded).
    pub size: u64,
    /// When the upload began (RFC 3339, UTC).
    pub received: String,
    /// When the stored report was produced (later than `received` after a re-analysis).
    pub analyzed: String,
    /// Seconds from the first byte received to the analysis stored.
    pub duration_seconds: f64,
    /// Version of nodemortem that produced the report.
    pub tool_version: String,
    /// Findings, consequences included.
    pub findings: u32,
    /// Warnings of the report (what could not be read).
    pub warnings: u32,
    /// A limit (time budget, size) cut the analysis short.
    pub partial: bool,
    /// The first root cause, if any finding.
    pub top_finding: Option<TopFinding>,
    /// The upload's bytes are kept: it can be analysed again.
    pub bundle_kept: bool,
}

/// A stored analysis: its summary and its report as the JSON text it was stored as.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Metadata.
    pub summary: Summary,
    /// The report, `analyze --format json` as compact JSON.
    pub report: String,
}

/// A finished analysis to store.
#[derive(Debug)]
pub struct NewAnalysis<'a> {
    /// Display name (never a file name on this machine).
    pub name: &'a str,
    /// The node.
    pub host: Option<&'a str>,
    /// Bytes received.
    pub size: u64,
    /// When the upload began.
    pub received: jiff::Timestamp,
    /// First byte to analysis done.
    pub duration: Duration,
    /// The report.
    pub report: &'a Report,
    /// The rendered HTML page.
    pub html: &'a str,
    /// The upload's bytes under their temporary name, to be kept under the id.
    pub bundle: Option<&'a Path>,
}

/// Filters of [`Store::list`].
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Only analyses with a finding of this rule (root cause or consequence).
    pub rule: Option<String>,
    /// Only this node (case-insensitive).
    pub host: Option<String>,
    /// Only uploads received at or after this time.
    pub since: Option<jiff::Timestamp>,
    /// At most this many, newest first.
    pub limit: u32,
}

impl Store {
    /// Opens (creating if needed) the store of `dir`: creates the directories, migrates the
    /// schema, and removes what a crash may have left: upload temporaries and bundles whose
    /// analysis was never committed.
    pub fn open(dir: &Path) -> Result<Store> {
        let data_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Data { path, source }
        };
        let bundles = dir.join("bundles");
        let tmp = dir.join("tmp");
        for d in [dir, &bundles, &tmp] {
            std::fs::create_dir_all(d).map_err(data_err(d))?;
        }
        let path = dir.join(DB_FILE);
        let db_err = |source| Error::Database {
            path: path.clone(),
            source,
        };
        let writer = Connection::open(&path).map_err(db_err)?;
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
            )
            .map_err(db_err)?;
        migrate(&writer, &path)?;
        let reader = Connection::open(&path).map_err(db_err)?;
        reader
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
            .map_err(db_err)?;
        let store = Store {
            path: path.clone(),
            bundles,
            tmp,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            temp_seq: AtomicU64::new(0),
        };
        store.sweep()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn db_err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        |source| Error::Database {
            path: self.path.clone(),
            source,
        }
    }

    /// Removes upload temporaries and bundles without a committed analysis.
    fn sweep(&self) -> Result<()> {
        let data_err = |path: PathBuf| move |source| Error::Data { path, source };
        for e in std::fs::read_dir(&self.tmp).map_err(data_err(self.tmp.clone()))? {
            let p = e.map_err(data_err(self.tmp.clone()))?.path();
            tracing::info!(path = %p.display(), "removing an upload left unfinished");
            std::fs::remove_file(&p).map_err(data_err(p.clone()))?;
        }
        let kept: HashSet<i64> = {
            let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            let mut st = conn
                .prepare("SELECT id FROM analysis WHERE bundle = 1")
                .map_err(self.db_err())?;
            st.query_map([], |r| r.get(0))
                .map_err(self.db_err())?
                .collect::<rusqlite::Result<_>>()
                .map_err(self.db_err())?
        };
        for e in std::fs::read_dir(&self.bundles).map_err(data_err(self.bundles.clone()))? {
            let p = e.map_err(data_err(self.bundles.clone()))?.path();
            let id = p.file_name().and_then(|n| n.to_str()?.parse::<i64>().ok());
            if !id.is_some_and(|id| kept.contains(&id)) {
                tracing::info!(path = %p.display(), "removing a bundle without a stored analysis");
                std::fs::remove_file(&p).map_err(data_err(p.clone()))?;
            }
        }
        Ok(())
    }

    /// A fresh temporary path for an upload being received (under `DATA/tmp`).
    pub fn temp_path(&self) -> PathBuf {
        let n = self.temp_seq.fetch_add(1, Ordering::Relaxed);
        self.tmp
            .join(format!("upload-{}-{n}.part", std::process::id()))
    }

    /// Where the bundle of analysis `id` is kept.
    pub fn bundle_path(&self, id: i64) -> PathBuf {
        self.bundles.join(id.to_string())
    }

    /// Stores a complete analysis in one transaction and returns its id. The kept bundle is
    /// renamed to its id inside the transaction; if the commit fails it is removed.
    pub fn insert(&self, a: &NewAnalysis<'_>) -> Result<i64> {
        let report_json = serde_json::to_string(a.report).expect("a report always serialises");
        let received = millis(a.received);
        let now = jiff::Timestamp::now();
        let top = a.report.findings.first();
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction().map_err(self.db_err())?;
        tx.execute(
            "INSERT INTO analysis (name, host, size, received, received_ms, analyzed, duration_us, \
             tool_version, findings, warnings, partial, top_rule, top_severity, top_score, \
             top_title, top_summary, bundle, report, html) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                a.name,
                a.host,
                a.size as i64,
                rfc3339(received),
                received,
                rfc3339(millis(now)),
                a.duration.as_micros() as i64,
                a.report.tool.version,
                count(&a.report.findings),
                a.report.warnings.len() as i64,
                a.report.stats.partial,
                top.map(|f| &f.rule),
                top.map(|f| f.severity.name()),
                top.map(|f| f.score),
                top.map(|f| &f.title),
                top.map(|f| &f.summary),
                a.bundle.is_some(),
                report_json,
                a.html,
            ],
        )
        .map_err(self.db_err())?;
        let id = tx.last_insert_rowid();
        insert_findings(&tx, id, &a.report.findings).map_err(self.db_err())?;
        let kept = match a.bundle {
            Some(tmp) => {
                let dest = self.bundle_path(id);
                let moved = std::fs::rename(tmp, &dest).and_then(|()| sync_dir(&self.bundles));
                moved.map_err(|source| Error::Data {
                    path: dest.clone(),
                    source,
                })?;
                Some(dest)
            }
            None => None,
        };
        if let Err(e) = tx.commit() {
            if let Some(dest) = kept {
                let _ = std::fs::remove_file(dest);
            }
            return Err(self.db_err()(e));
        }
        Ok(id)
    }

    /// Replaces the report of analysis `id` (a re-analysis), in one transaction. False when
    /// there is no such analysis.
    pub fn replace_report(
        &self,
        id: i64,
        duration: Duration,
        report: &Report,
        html: &str,
    ) -> Result<bool> {
        let report_json = serde_json::to_string(report).expect("a report always serialises");
        let top = report.findings.first();
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction().map_err(self.db_err())?;
        let n = tx
            .execute(
                "UPDATE analysis SET analyzed = ?2, duration_us = ?3, tool_version = ?4, \
                 findings = ?5, warnings = ?6, partial = ?7, top_rule = ?8, top_severity = ?9, \
                 top_score = ?10, top_title = ?11, top_summary = ?12, report = ?13, html = ?14 \
                 WHERE id = ?1",
                params![
                    id,
                    rfc3339(millis(jiff::Timestamp::now())),
                    duration.as_micros() as i64,
                    report.tool.version,
                    count(&report.findings),
                    report.warnings.len() as i64,
                    report.stats.partial,
                    top.map(|f| &f.rule),
                    top.map(|f| f.severity.name()),
                    top.map(|f| f.score),
                    top.map(|f| &f.title),
                    top.map(|f| &f.summary),
                    report_json,
                    html,
                ],
            )
            .map_err(self.db_err())?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute("DELETE FROM finding WHERE analysis_id = ?1", [id])
            .map_err(self.db_err())?;
        insert_findings(&tx, id, &report.findings).map_err(self.db_err())?;
        tx.commit().map_err(self.db_err())?;
        Ok(true)
    }

    /// The summary and report of analysis `id`.
    pub fn get(&self, id: i64) -> Result<Option<Stored>> {
        let conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        conn.query_row(
            &format!("SELECT {SUMMARY_COLUMNS}, report FROM analysis WHERE id = ?1"),
            [id],
            |r| {
                Ok(Stored {
                    summary: summary(r)?,
                    report: r.get(SUMMARY_COUNT)?,
                })
            },
        )
        .optional()
        .map_err(self.db_err())
    }

    /// The summary of analysis `id`.
    pub fn summary(&self, id: i64) -> Result<Option<Summary>> {
        let conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        conn.query_row(
            &format!("SELECT {SUMMARY_COLUMNS} FROM analysis WHERE id = ?1"),
            [id],
            summary,
        )
        .optional()
        .map_err(self.db_err())
    }

    /// The stored HTML page of analysis `id`.
    pub fn html(&self, id: i64) -> Result<Option<String>> {
        let conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        conn.query_row("SELECT html FROM analysis WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .map_err(self.db_err())
    }

    /// Analyses matching `q`, newest first.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<Summary>> {
        let conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM analysis a \
                 WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM finding f WHERE f.rule = ?1 AND f.analysis_id = a.id)) \
                 AND (?2 IS NULL OR a.host = ?2) \
                 AND (?3 IS NULL OR a.received_ms >= ?3) \
                 ORDER BY a.received_ms DESC, a.id DESC LIMIT ?4"
            ))
            .map_err(self.db_err())?;
        let rows = st
            .query_map(
                params![q.rule, q.host, q.since.map(millis), q.limit],
                summary,
            )
            .map_err(self.db_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.db_err())
    }

    /// Number of stored analyses.
    pub fn count(&self) -> Result<u64> {
        let conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        conn.query_row("SELECT count(*) FROM analysis", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(self.db_err())
    }

    /// SQLite's `PRAGMA integrity_check` plus the store's own invariants (every finding row
    /// belongs to an analysis, every kept bundle is on disk): `["ok"]` when all hold, else
    /// one line per problem.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let mut problems: Vec<String> = conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut st| {
                st.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.db_err())?
            .into_iter()
            .filter(|l| l != "ok")
            .collect();
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM finding f WHERE NOT EXISTS (SELECT 1 FROM analysis a WHERE a.id = f.analysis_id)",
                [],
                |r| r.get(0),
            )
            .map_err(self.db_err())?;
        if orphans > 0 {
            problems.push(format!("{orphans} finding row(s) without an analysis"));
        }
        let mut st = conn
            .prepare("SELECT id FROM analysis WHERE bundle = 1")
            .map_err(self.db_err())?;
        let kept = st
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(self.db_err())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.db_err())?;
        for id in kept {
            if !self.bundle_path(id).is_file() {
                problems.push(format!("analysis {id}: kept bundle missing"));
            }
        }
        if problems.is_empty() {
            problems.push("ok".into());
        }
        Ok(problems)
    }
}

/// Applies the migrations not yet applied, each in its own transaction.
fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    let db_err = |source| Error::Database {
        path: path.to_path_buf(),
        source,
    };
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db_err)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))
        .map_err(db_err)?;
    }
    Ok(())
}

const SUMMARY_COLUMNS: &str = "id, name, host, size, received, analyzed, duration_us, tool_version, \
     findings, warnings, partial, top_rule, top_severity, top_score, top_title, top_summary, bundle";
const SUMMARY_COUNT: usize = 17;

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    let top_rule: Option<String> = r.get(11)?;
    Ok(Summary {
        id: r.get(0)?,
        name: r.get(1)?,
        host: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        received: r.get(4)?,
        analyzed: r.get(5)?,
        duration_seconds: r.get::<_, i64>(6)? as f64 / 1e6,
        tool_version: r.get(7)?,
        findings: r.get(8)?,
        warnings: r.get(9)?,
        partial: r.get(10)?,
        top_finding: match top_rule {
            Some(rule) => Some(TopFinding {
                rule,
                severity: r.get(12)?,
                score: r.get(13)?,
                title: r.get(14)?,
                summary: r.get(15)?,
            }),
            None => None,
        },
        bundle_kept: r.get(16)?,
    })
}

/// One `finding` row per rule that fired anywhere in the tree; a rule found both as a cause
/// and as a consequence is marked a cause with its highest score.
fn insert_findings(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    findings: &[Finding],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO finding (analysis_id, rule, severity, score, cause) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (analysis_id, rule) DO UPDATE SET cause = max(cause, excluded.cause), \
         score = max(score, excluded.score)",
    )?;
    fn walk(
        st: &mut rusqlite::CachedStatement<'_>,
        id: i64,
        fs: &[Finding],
        cause: bool,
    ) -> rusqlite::Result<()> {
        for f in fs {
            st.execute(params![id, f.rule, f.severity.name(), f.score, cause])?;
            walk(st, id, &f.explains, false)?;
        }
        Ok(())
    }
    walk(&mut st, id, findings, true)
}

fn count(fs: &[Finding]) -> i64 {
    fs.iter().map(|f| 1 + count(&f.explains)).sum()
}

fn millis(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Makes a rename in `dir` durable before the transaction that names it commits.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use analyzer_core::{Bundle, Options, analyze};

    const OOM: &[u8] = b"Aug 20 10:25:54 node1 kernel: Memory cgroup out of memory: Kill process 20357 (runc:[2:INIT]) score 970 or sacrifice child\n";

    fn report(log: &[u8]) -> Report {
        analyze(
            &Bundle::from_bytes("messages", log.to_vec()),
            &Options::default(),
        )
        .unwrap()
    }

    fn new<'a>(name: &'a str, host: Option<&'a str>, report: &'a Report) -> NewAnalysis<'a> {
        NewAnalysis {
            name,
            host,
            size: 123,
            received: jiff::Timestamp::from_second(1_700_000_000).unwrap(),
            duration: Duration::from_millis(1500),
            report,
            html: "<html></html>",
            bundle: None,
        }
    }

    #[test]
    fn insert_get_list_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let oom = report(OOM);
        let clean = report(
            b"Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.\n",
        );
        assert_eq!(oom.findings[0].rule, "oom-kill");
        {
            let s = Store::open(dir.path()).unwrap();
            assert_eq!(s.insert(&new("a.log", Some("node1"), &oom)).unwrap(), 1);
            assert_eq!(s.insert(&new("b.log", Some("Node2"), &clean)).unwrap(), 2);
            let got = s.get(1).unwrap().unwrap();
            assert_eq!(got.summary.name, "a.log");
            assert_eq!(got.summary.host.as_deref(), Some("node1"));
            assert_eq!(got.summary.size, 123);
            assert_eq!(got.summary.received, "2023-11-14T22:13:20Z");
            assert_eq!(got.summary.duration_seconds, 1.5);
            assert_eq!(got.summary.top_finding.as_ref().unwrap().rule, "oom-kill");
            let v: serde_json::Value = serde_json::from_str(&got.report).unwrap();
            assert_eq!(v, serde_json::to_value(&oom).unwrap());
            assert!(s.get(3).unwrap().is_none());
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.count().unwrap(), 2);
        let all = s
            .list(&ListQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), [2, 1]);
        let by_rule = s
            .list(&ListQuery {
                rule: Some("oom-kill".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(by_rule.iter().map(|a| a.id).collect::<Vec<_>>(), [1]);
        let by_host = s
            .list(&ListQuery {
                host: Some("NODE2".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(by_host.iter().map(|a| a.id).collect::<Vec<_>>(), [2]);
        let later = s
            .list(&ListQuery {
                since: Some(jiff::Timestamp::from_second(1_700_000_001).unwrap()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert!(later.is_empty());
        assert_eq!(s.integrity_check().unwrap(), ["ok"]);
    }

    #[test]
    fn kept_bundle_is_renamed_on_commit_and_strays_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let oom = report(OOM);
        let s = Store::open(dir.path()).unwrap();
        let tmp = s.temp_path();
        std::fs::write(&tmp, OOM).unwrap();
        let mut a = new("a.log", None, &oom);
        a.bundle = Some(&tmp);
        let id = s.insert(&a).unwrap();
        assert!(!tmp.exists());
        assert_eq!(std::fs::read(s.bundle_path(id)).unwrap(), OOM);
        assert!(s.summary(id).unwrap().unwrap().bundle_kept);
        // What a crash leaves: a temporary, and a bundle renamed but never committed.
        let stray_tmp = s.temp_path();
        std::fs::write(&stray_tmp, b"half").unwrap();
        std::fs::write(s.bundle_path(id + 1), b"uncommitted").unwrap();
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert!(!stray_tmp.exists());
        assert!(!s.bundle_path(id + 1).exists());
        assert!(s.bundle_path(id).exists());
        assert_eq!(s.integrity_check().unwrap(), ["ok"]);
    }

    #[test]
    fn reanalysis_replaces_report_and_findings() {
        let dir = tempfile::tempdir().unwrap();
        let oom = report(OOM);
        let clean = report(
            b"Aug 20 10:25:50 node1 systemd[1]: Started Docker Application Container Engine.\n",
        );
        let s = Store::open(dir.path()).unwrap();
        let id = s.insert(&new("a.log", None, &oom)).unwrap();
        assert!(
            s.replace_report(id, Duration::from_secs(2), &clean, "<p>")
                .unwrap()
        );
        assert!(
            !s.replace_report(id + 1, Duration::from_secs(2), &clean, "<p>")
                .unwrap()
        );
        let got = s.summary(id).unwrap().unwrap();
        assert_eq!(got.findings, 0);
        assert_eq!(got.top_finding, None);
        assert_eq!(s.html(id).unwrap().unwrap(), "<p>");
        let by_rule = s
            .list(&ListQuery {
                rule: Some("oom-kill".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert!(by_rule.is_empty());
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let c = Connection::open(dir.path().join(DB_FILE)).unwrap();
        c.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(c);
        let e = Store::open(dir.path()).unwrap_err();
        assert!(
            e.to_string().ends_with(&format!(
                "has schema version 99; this nodemortem knows up to {SCHEMA_VERSION}: upgrade nodemortem"
            )),
            "{e}"
        );
    }
}
