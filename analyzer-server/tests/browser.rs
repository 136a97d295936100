//! The pages in a real browser: headless Chromium, driven through chromedriver (WebDriver),
//! types the token into the token form, uploads a sosreport through the page's file input
//! (the page's script sends it with a progress bar and opens the report), drops a second file on
//! the drop zone (a synthetic drag with a real `DataTransfer`), and the report page
//! runs its own `#selftest` (an evidence toggle clicked and seen open). Screenshots go to
//! `target/serve-index.png` and `target/serve-report.png`.
//!
//! Skips (with a message) when `chromium` or `chromedriver` is not on PATH; CI installs both
//! (Debian packages `chromium` and `chromium-driver`, `.ci/run`).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use fantoccini::{ClientBuilder, Locator};

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(bin: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn upload_through_the_page_and_open_the_report() {
    let (Some(chromium), Some(chromedriver)) = (
        on_path(&["chromium", "chromium-browser"]),
        on_path(&["chromedriver"]),
    ) else {
        println!(
            "SKIPPED: chromium and chromedriver are not both on PATH (Debian packages `chromium`, `chromium-driver`)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = "browser-test-token-0123456789";
    std::fs::write(dir.path().join("token"), token).unwrap();
    let mut c = config(&dir.path().join("data"));
    c.token_file = Some(dir.path().join("token"));
    let server = TestServer::start(c);
    let bundle = dir.path().join("sosreport-node1-2020-08-20-browser.tar.gz");
    std::fs::write(&bundle, gzip(&sos_tar(|_| {}))).unwrap();
    let profile = dir.path().join("profile");
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let _ = std::fs::create_dir_all(&target);

    let driver = Driver::start(&chromedriver);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1200,1600",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let b = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .expect("a WebDriver session");

        // The token form, then the upload page.
        b.goto(&server.url("/")).await.unwrap();
        b.find(Locator::Id("token"))
            .await
            .unwrap()
            .send_keys(token)
            .await
            .unwrap();
        b.find(Locator::Id("login"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let file = b
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Id("file"))
            .await
            .expect("the upload page after the token");

        // Choosing the file uploads it; the page opens the report when it is stored.
        file.send_keys(bundle.to_str().unwrap()).await.unwrap();
        b.wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css("article.finding"))
            .await
            .expect("the report page opened after the upload");
        assert_eq!(
            b.current_url().await.unwrap().as_str(),
            server.url("/analyses/1")
        );
        let findings = b.find_all(Locator::Css("article.finding")).await.unwrap();
        assert_eq!(findings.len(), 2);
        let summary = b
            .find(Locator::Css("article.finding .summary"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(summary.contains("runc:[2:INIT]"), "{summary}");
        let nav = b
            .find(Locator::Css("nav"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(nav, "← all analyses · analysis 1 · JSON");
        let shot = b.screenshot().await.unwrap();
        std::fs::write(target.join("serve-report.png"), shot).unwrap();

        // Back on the front page, the analysis is listed with its cause.
        b.goto(&server.url("/")).await.unwrap();
        let row = b
            .find(Locator::Css("tr[data-id=\"1\"]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            row.contains("sosreport-node1-2020-08-20-browser.tar.gz"),
            "{row}"
        );
        assert!(row.contains("node1"), "{row}");
        assert!(row.contains("oom-kill"), "{row}");
        let shot = b.screenshot().await.unwrap();
        std::fs::write(target.join("serve-index.png"), shot).unwrap();

        // Dropping a file on the drop zone uploads it too: a journal dragged in from the desktop
        // (a DataTransfer with one File, as the browser builds it for a real drag).
        let over = b
            .execute(
                "const [name, text] = arguments;
                 const dt = new DataTransfer();
                 dt.items.add(new File([text], name, {type: 'text/plain'}));
                 const zone = document.getElementById('drop');
                 const ev = (t) => new DragEvent(t, {dataTransfer: dt, bubbles: true, cancelable: true});
                 zone.dispatchEvent(ev('dragover'));
                 const over = zone.classList.contains('over');
                 zone.dispatchEvent(ev('drop'));
                 return [over, zone.classList.contains('over')];",
                vec![
                    serde_json::json!("node1-journal.log"),
                    serde_json::json!(JOURNAL),
                ],
            )
            .await
            .unwrap();
        assert_eq!(over, serde_json::json!([true, false]), "the zone lights up while dragged over");
        let deadline = Instant::now() + Duration::from_secs(60);
        while b.current_url().await.unwrap().as_str() != server.url("/analyses/2") {
            assert!(
                Instant::now() < deadline,
                "the report of the dropped file did not open"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let dropped = b
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("article.finding"))
            .await
            .expect("the dropped file's findings");
        let first = dropped.find(Locator::Css(".summary")).await.unwrap().text().await.unwrap();
        assert!(first.contains("runc:[2:INIT]"), "{first}");
        assert_eq!(b.find_all(Locator::Css("article.finding")).await.unwrap().len(), 2);
        // The report's own check: an evidence toggle clicked and seen open.
        b.goto(&server.url("/analyses/1#selftest")).await.unwrap();
        b.wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("body[data-selftest]"))
            .await
            .unwrap();
        let body = b.find(Locator::Css("body")).await.unwrap();
        assert_eq!(
            body.attr("data-selftest").await.unwrap().as_deref(),
            Some("evidence-visible")
        );
        assert_eq!(
            body.attr("data-findings").await.unwrap().as_deref(),
            Some("2")
        );

        b.close().await.unwrap();
    });
    drop(driver);
    // The page sent the name and the node came from it.
    let got = get_with(
        &server.url("/api/v1/analyses/1"),
        ("authorization", &format!("Bearer {token}")),
    )
    .json();
    assert_eq!(got["name"], "sosreport-node1-2020-08-20-browser.tar.gz");
    assert_eq!(got["host"], "node1");
    assert_eq!(got["size"], std::fs::metadata(&bundle).unwrap().len());
    let dropped = get_with(
        &server.url("/api/v1/analyses/2"),
        ("authorization", &format!("Bearer {token}")),
    )
    .json();
    assert_eq!(dropped["name"], "node1-journal.log");
    assert_eq!(dropped["size"], JOURNAL.len());
    assert_eq!(dropped["report"]["findings"][0]["rule"], "oom-kill");
}
