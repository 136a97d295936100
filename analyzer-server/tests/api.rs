//! The API and pages end to end over loopback: upload, metadata and report, listing and search,
//! pages, token authentication, the webhook, metrics, restart, kept bundles and re-analysis,
//! and the concurrency limit.

use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn upload_then_read_list_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start(config(dir.path()));
    let sos = gzip(&sos_tar(|_| {}));
    let name = "sosreport-node1-2020-08-20-qwerty.tar.gz";
    let a = upload(&s, name, &sos);
    assert_eq!(a.status, 201, "{}", a.body);
    let created = a.json();
    assert_eq!(created["id"], 1);
    assert_eq!(created["url"], s.url("/analyses/1"));
    assert_eq!(created["api_url"], s.url("/api/v1/analyses/1"));
    assert_eq!(a.header("location"), Some("/api/v1/analyses/1"));

    // Metadata and the report: the same JSON as `analyze --format json`.
    let got = get(&s.url("/api/v1/analyses/1")).json();
    assert_eq!(got["id"], 1);
    assert_eq!(got["name"], name);
    assert_eq!(got["host"], "node1");
    assert_eq!(got["size"], sos.len() as u64);
    // The OOM kill, and runc's init killed inside `runc exec` (a likely exec-fifo hang).
    assert_eq!(got["findings"], 2);
    assert_eq!(got["partial"], false);
    assert_eq!(got["bundle_kept"], false);
    assert!(got["duration_seconds"].as_f64().unwrap() > 0.0);
    let received = got["received"].as_str().unwrap();
    assert!(received.parse::<jiff::Timestamp>().is_ok(), "{received}");
    assert_eq!(untimed(got["report"].clone()), cli_report(name, &sos));
    let top = &got["top_finding"];
    assert_eq!(top["rule"], "oom-kill");
    assert_eq!(top["severity"], "high");
    let ev = &got["report"]["findings"][0]["evidence"][0];
    assert_eq!(ev["path"], "sos_commands/logs/journalctl_--no-pager");
    assert_eq!(ev["line"], 2);

    // A second, clean upload with its node given.
    let clean = b"Aug 20 10:25:50 node2 systemd[1]: Started Docker Application Container Engine.\n";
    let a = post(&s.url("/api/v1/analyses?name=messages&host=node2"), clean);
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.json()["id"], 2);

    let ids = |q: &str| -> Vec<i64> {
        let a = get(&s.url(&format!("/api/v1/analyses{q}")));
        assert_eq!(a.status, 200, "{q}: {}", a.body);
        a.json()["analyses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(""), [2, 1], "newest first");
    assert_eq!(ids("?rule=oom-kill"), [1], "which cases had this cause");
    assert_eq!(ids("?rule=volume-remove-lock"), Vec::<i64>::new());
    assert_eq!(ids("?host=NODE2"), [2]);
    assert_eq!(ids("?limit=1"), [2]);
    assert_eq!(ids("?since=2000-01-01"), [2, 1]);
    assert_eq!(ids("?since=2999-01-01T00:00:00Z"), Vec::<i64>::new());
    let listed = get(&s.url("/api/v1/analyses?rule=oom-kill")).json();
    let first = &listed["analyses"][0];
    assert_eq!(first["top_finding"]["rule"], "oom-kill");
    assert_eq!(first["url"], s.url("/analyses/1"));
    assert!(first.get("report").is_none(), "listings carry no report");

    // Bad parameters and unknown ids.
    let bad = get(&s.url("/api/v1/analyses?limit=0"));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"], "limit \"0\": a number from 1 to 1000");
    let bad = post(&s.url("/api/v1/analyses?host=a%20b"), clean);
    assert_eq!(bad.status, 400);
    assert_eq!(get(&s.url("/api/v1/analyses/3")).status, 404);
    assert_eq!(
        get(&s.url("/api/v1/analyses/x")).json()["error"],
        "no analysis \"x\""
    );
    assert_eq!(get(&s.url("/nothing")).status, 404);

    // Pages.
    let index = get(&s.url("/"));
    assert_eq!(index.status, 200);
    assert!(
        index
            .header("content-security-policy")
            .unwrap()
            .starts_with("default-src 'none'")
    );
    assert!(index.body.contains("<input type=\"file\" id=\"file\""));
    assert!(index.body.contains("<progress id=\"progress\""));
    assert!(index.body.contains("<tr data-id=\"2\">"));
    assert!(index.body.contains("<tr data-id=\"1\">"));
    assert!(index.body.contains("<code>oom-kill</code>"));
    let search = get(&s.url("/?rule=oom-kill"));
    assert!(search.body.contains("<tr data-id=\"1\">"));
    assert!(!search.body.contains("<tr data-id=\"2\">"));
    let page = get(&s.url("/analyses/1"));
    assert_eq!(page.status, 200);
    assert!(page.body.starts_with("<!DOCTYPE html>"));
    assert!(
        page.body
            .contains("<a href=\"/api/v1/analyses/1\">JSON</a>")
    );
    assert_eq!(page.body.matches("<article class=\"finding\"").count(), 2);
    assert!(page.body.contains("runc:[2:INIT]"));
    assert_eq!(get(&s.url("/analyses/9")).status, 404);
    assert_eq!(get(&s.url("/healthz")).body, "ok\n");
    assert!(
        log_lines("analysis stored")
            .iter()
            .any(|l| l.contains("id=1") && l.contains(name))
    );
}

#[test]
fn token_guards_everything_but_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let token = "0123456789abcdef-token";
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let mut c = config(&dir.path().join("data"));
    c.token_file = Some(token_file);
    let s = TestServer::start(c);
    let bearer = format!("Bearer {token}");

    assert_eq!(get(&s.url("/healthz")).status, 200);
    for path in ["/api/v1/analyses", "/api/v1/analyses/1", "/metrics"] {
        let a = get(&s.url(path));
        assert_eq!(a.status, 401, "{path}");
        assert_eq!(
            a.header("www-authenticate"),
            Some("Bearer realm=\"nodemortem\"")
        );
        assert_eq!(
            a.json()["error"],
            "missing or wrong token: send Authorization: Bearer <token>"
        );
        let wrong = get_with(
            &s.url(path),
            ("authorization", "Bearer 0123456789abcdef-tokeN"),
        );
        assert_eq!(wrong.status, 401, "{path}");
    }
    let up = post(&s.url("/api/v1/analyses?name=messages"), JOURNAL.as_bytes());
    assert_eq!(up.status, 401);
    let up = post_with(
        &s.url("/api/v1/analyses?name=messages"),
        ("authorization", &bearer),
        JOURNAL.as_bytes(),
    );
    assert_eq!(up.status, 201, "{}", up.body);
    let list = get_with(&s.url("/api/v1/analyses"), ("authorization", &bearer));
    assert_eq!(list.json()["analyses"].as_array().unwrap().len(), 1);

    // Pages: the token form, then a cookie.
    let page = get(&s.url("/analyses/1"));
    assert_eq!(page.status, 401);
    assert!(
        page.body
            .contains("<form class=\"inline\" method=\"post\" action=\"/login\">")
    );
    assert!(page.body.contains("name=\"next\" value=\"/analyses/1\""));
    let no_redirects: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .build()
        .into();
    let form = |t: &str| {
        no_redirects
            .post(&s.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .send(format!("token={t}&next=%2Fanalyses%2F1").as_bytes())
            .unwrap()
    };
    assert_eq!(form("nope").status(), 401);
    let ok = form(token);
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/analyses/1");
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    assert_eq!(
        cookie,
        format!("nodemortem_token={token}; Path=/; HttpOnly; SameSite=Strict")
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page = get_with(&s.url("/analyses/1"), ("cookie", &cookie));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("runc:[2:INIT]"));
    assert_eq!(
        get_with(&s.url("/metrics"), ("cookie", &cookie)).status,
        200
    );
    assert!(!log_lines("401: missing or wrong token").is_empty());
}

#[test]
fn webhook_is_retried_and_never_blocks_uploads() {
    // A receiver on loopback that refuses twice, then records.
    let got: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let attempts = Arc::new(Mutex::new(0u32));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook_addr = listener.local_addr().unwrap();
    let (g, n) = (Arc::clone(&got), Arc::clone(&attempts));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().route(
                "/hook",
                axum::routing::post(move |body: String| {
                    let (g, n) = (Arc::clone(&g), Arc::clone(&n));
                    async move {
                        let mut k = n.lock().unwrap();
                        *k += 1;
                        if *k <= 2 {
                            return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                        }
                        g.lock().unwrap().push(serde_json::from_str(&body).unwrap());
                        axum::http::StatusCode::NO_CONTENT
                    }
                }),
            );
            let svc = app.into_make_service();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let svc = tower::Service::call(&mut svc.clone(), ()).await.unwrap();
                tokio::spawn(async move {
                    let svc = hyper_util::service::TowerToHyperService::new(svc);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
    });

    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.webhook = Some(format!("http://{hook_addr}/hook"));
    c.public_url = Some("https://nodemortem.example.com/".into());
    c.webhook_retry = analyzer_server::Retry {
        attempts: 4,
        first_delay: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
    };
    let s = TestServer::start(c);
    let id = upload_ok(&s, "sosreport-node1-2020-08-20-abc.tar", &sos_tar(|_| {}));
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(*attempts.lock().unwrap(), 3);
    let w = &got[0];
    assert_eq!(w["event"], "analysis.stored");
    assert_eq!(w["id"], id);
    assert_eq!(w["name"], "sosreport-node1-2020-08-20-abc.tar");
    assert_eq!(w["host"], "node1");
    assert_eq!(
        w["url"],
        format!("https://nodemortem.example.com/analyses/{id}")
    );
    assert_eq!(
        w["api_url"],
        format!("https://nodemortem.example.com/api/v1/analyses/{id}")
    );
    assert_eq!(w["findings"][0]["rule"], "oom-kill");
    assert_eq!(w["findings"][1]["rule"], "runc-exec-fifo-hang");
    assert_eq!(w["findings"].as_array().unwrap().len(), 2);
    assert_eq!(
        metric(
            &s,
            "nodemortem_webhook_deliveries_total{outcome=\"delivered\"}"
        ),
        Some(1.0)
    );
    assert_eq!(log_lines("webhook refused").len(), 2);
}

#[test]
fn unreachable_webhook_does_not_delay_the_upload() {
    // A port nothing listens on: every delivery fails.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.webhook = Some(format!("http://{dead}/hook"));
    c.webhook_retry = analyzer_server::Retry {
        attempts: 3,
        first_delay: Duration::from_millis(300),
        timeout: Duration::from_secs(2),
    };
    let s = TestServer::start(c);
    let started = Instant::now();
    upload_ok(&s, "messages", JOURNAL.as_bytes());
    // Three attempts with 300 + 600 ms between them: the upload does not wait for them.
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while metric(
        &s,
        "nodemortem_webhook_deliveries_total{outcome=\"failed\"}",
    )
    .is_none()
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        metric(
            &s,
            "nodemortem_webhook_deliveries_total{outcome=\"failed\"}"
        ),
        Some(1.0)
    );
    assert!(!log_lines("webhook not delivered; giving up").is_empty());
}

#[test]
fn metrics_count_uploads_bytes_and_failures() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_upload_bytes = 4096;
    let s = TestServer::start(c);
    upload_ok(&s, "messages", JOURNAL.as_bytes());
    assert_eq!(upload(&s, "big", &vec![b'x'; 8192]).status, 413);
    let random: Vec<u8> = (0..2048u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(upload(&s, "random.bin", &random).status, 422);
    let text = get(&s.url("/metrics"));
    assert_eq!(
        text.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    assert_eq!(
        metric(&s, "nodemortem_uploads_total{outcome=\"stored\"}"),
        Some(1.0)
    );
    assert_eq!(
        metric(&s, "nodemortem_uploads_total{outcome=\"too_large\"}"),
        Some(1.0)
    );
    assert_eq!(
        metric(&s, "nodemortem_uploads_total{outcome=\"unreadable\"}"),
        Some(1.0)
    );
    assert_eq!(
        metric(&s, "nodemortem_upload_bytes_total"),
        Some((JOURNAL.len() + 2048) as f64),
        "a 413 on its declared length reads nothing"
    );
    assert_eq!(
        metric(&s, "nodemortem_analysis_duration_seconds_count"),
        Some(1.0)
    );
    assert_eq!(metric(&s, "nodemortem_analyses_stored"), Some(1.0));
    assert_eq!(metric(&s, "nodemortem_analyses_running"), Some(0.0));
}

#[test]
fn restart_keeps_every_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let mut before = Vec::new();
    {
        let s = TestServer::start(config(dir.path()));
        for (name, bytes) in [
            ("messages", JOURNAL.as_bytes().to_vec()),
            (
                "sosreport-node1-2020-08-20-x.tar.gz",
                gzip(&sos_tar(|_| {})),
            ),
        ] {
            let id = upload_ok(&s, name, &bytes);
            before.push(get(&s.url(&format!("/api/v1/analyses/{id}"))).json());
        }
    }
    let s = TestServer::start(config(dir.path()));
    // The same answers but for the links, which name the new port.
    let unlinked = |mut v: serde_json::Value| {
        v["url"] = serde_json::Value::Null;
        v["api_url"] = serde_json::Value::Null;
        v
    };
    for b in &before {
        let id = b["id"].as_i64().unwrap();
        let now = get(&s.url(&format!("/api/v1/analyses/{id}"))).json();
        assert_eq!(now["url"], s.url(&format!("/analyses/{id}")));
        assert_eq!(unlinked(now), unlinked(b.clone()));
    }
    assert_eq!(
        get(&s.url("/api/v1/analyses")).json()["analyses"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(metric(&s, "nodemortem_analyses_stored"), Some(2.0));
    // Ids go on after the stored ones.
    assert_eq!(upload_ok(&s, "messages", JOURNAL.as_bytes()), 3);
    only_store_files(&s.data, &[]);
}

/// A user rule matching dockerd's start in the journal.
const DOCKER_STARTED: &str = r#"id = "docker-started"
title = "dockerd was started"
severity = "info"
summary = "dockerd was started"
explanation = "The journal records a start of the Docker engine."
remediation = "1. Nothing to do."

[[evidence]]
id = "start"
kind = "log"
role = "required"
describe = "dockerd's start in the journal"
pattern = "Started Docker Application Container Engine"
"#;

#[test]
fn kept_bundles_are_analysed_again_with_new_rules() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sos = gzip(&sos_tar(|_| {}));
    let mut c = config(&data);
    c.keep_bundles = true;
    let id = {
        let s = TestServer::start(c.clone());
        let id = upload_ok(&s, "sosreport-node1-2020-08-20-a.tar.gz", &sos);
        assert_eq!(
            std::fs::read(data.join(format!("bundles/{id}"))).unwrap(),
            sos
        );
        let meta = get(&s.url(&format!("/api/v1/analyses/{id}"))).json();
        assert_eq!(meta["bundle_kept"], true);
        assert_eq!(meta["findings"], 2);
        id
    };
    // The rules change: the server comes back with a rule directory.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("docker-started.toml"), DOCKER_STARTED).unwrap();
    c.rules = vec![rules];
    let s = TestServer::start(c);
    let before = get(&s.url(&format!("/api/v1/analyses/{id}"))).json();
    let a = post(&s.url(&format!("/api/v1/analyses/{id}/reanalyze")), b"");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["id"], id);
    assert_eq!(a.json()["findings"], 3);
    let after = get(&s.url(&format!("/api/v1/analyses/{id}"))).json();
    let rules_fired: Vec<&str> = after["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // The new rule is confirmed (its one item present) but of lower severity than the confirmed
    // OOM kill, and above the likely exec-fifo hang (ranking: confidence, severity, score).
    assert_eq!(
        rules_fired,
        ["oom-kill", "docker-started", "runc-exec-fifo-hang"]
    );
    assert_eq!(after["top_finding"]["rule"], "oom-kill");
    let still = get(&s.url("/api/v1/analyses?rule=oom-kill")).json();
    assert_eq!(still["analyses"][0]["id"], id);
    assert_eq!(after["received"], before["received"]);
    assert_eq!(after["size"], before["size"]);
    assert_eq!(after["report"]["inputs"], before["report"]["inputs"]);
    let found = get(&s.url("/api/v1/analyses?rule=docker-started")).json();
    assert_eq!(found["analyses"][0]["id"], id);
    assert_eq!(
        metric(&s, "nodemortem_reanalyses_total{outcome=\"stored\"}"),
        Some(1.0)
    );
    only_store_files(&data, &[id]);

    // Unknown ids, and analyses without a kept bundle.
    assert_eq!(
        post(&s.url("/api/v1/analyses/99/reanalyze"), b"").status,
        404
    );
    let mut plain = config(&dir.path().join("plain"));
    plain.keep_bundles = false;
    let p = TestServer::start(plain);
    let pid = upload_ok(&p, "messages", JOURNAL.as_bytes());
    let a = post(&p.url(&format!("/api/v1/analyses/{pid}/reanalyze")), b"");
    assert_eq!(a.status, 409);
    assert_eq!(
        a.json()["error"],
        format!("analysis {pid} has no kept bundle (the server ran without --keep-bundles)")
    );
}

#[test]
fn uploads_beyond_max_concurrent_get_503_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_concurrent = 1;
    let s = TestServer::start(c);
    // The first upload takes the only slot and holds it: its body is not finished.
    let mut first = TcpStream::connect(s.addr).unwrap();
    let head = format!(
        "POST /api/v1/analyses?name=messages HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr,
        JOURNAL.len()
    );
    first.write_all(head.as_bytes()).unwrap();
    first.write_all(&JOURNAL.as_bytes()[..40]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&s, "nodemortem_analyses_running") != Some(1.0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // A second one, with a body of 2 MiB: answered 503 (the body is read and dropped so the
    // client gets to read the answer).
    let busy = upload(&s, "messages", &vec![b'x'; 2 << 20]);
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.header("retry-after"), Some("10"));
    assert_eq!(
        busy.json()["error"],
        "1 analyses are running, the most allowed; retry in 10 s"
    );
    // The first finishes and is stored.
    first.write_all(&JOURNAL.as_bytes()[40..]).unwrap();
    let (answer, _) = read_until_closed(&mut first, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 201 Created"), "{answer}");
    assert_eq!(
        metric(&s, "nodemortem_uploads_total{outcome=\"busy\"}"),
        Some(1.0)
    );
    assert!(!log_lines("503: upload \"messages\"").is_empty());
    // The slot is free again.
    upload_ok(&s, "messages", JOURNAL.as_bytes());
}
