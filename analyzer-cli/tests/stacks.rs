//! `nodemortem stacks` on the seed-003 dockerd dump (incidents.md §5).

use assert_cmd::Command;

const DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/seed-003-volume-remove-lock/var/run/docker/goroutine-stacks-2020-07-15T101222Z.log"
);

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("nodemortem")
        .expect("binary")
        .arg("stacks")
        .arg(DUMP)
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn json_names_the_holder() {
    let v: serde_json::Value = serde_json::from_str(&run(&["--format", "json"])).expect("json");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["goroutines"], 1321);
    assert_eq!(v["states"]["semacquire"], 217);
    let lock = &v["locks"][0];
    assert_eq!(lock["address"], "0xc000aee820");
    assert_eq!(lock["holder"], 2211);
    assert_eq!(lock["waiters_total"], 217);
    assert_eq!(lock["transitive_waiters"], 217);
    assert_eq!(lock["holder_activity"], "filesystem");
    assert_eq!(lock["holder_top"][1], "syscall.unlinkat");
    assert_eq!(v["locks"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["deadlocks"].as_array().map(Vec::len), Some(0));
    let b = &v["buckets"][0];
    assert_eq!(b["count"], 501);
    assert_eq!(b["state"], "IO wait");
    assert_eq!(b["frames"][0]["func"], "internal/poll.runtime_pollWait");
    assert_eq!(b["frames"][0]["line"], 173);
}

#[test]
fn json_min_count_filters_buckets() {
    let v: serde_json::Value =
        serde_json::from_str(&run(&["--format", "json", "--min-count", "150"])).expect("json");
    let counts: Vec<u64> = v["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .filter_map(|b| b["count"].as_u64())
        .collect();
    assert_eq!(counts, vec![501, 242, 239, 180]);
}

#[test]
fn text_puts_root_blocker_first() {
    let t = run(&["--min-count", "100"]);
    let blocker = t.find("root blockers:").expect("root blockers");
    let buckets = t
        .find("buckets: 5 of 10 (min count 100)")
        .expect("buckets header");
    assert!(blocker < buckets);
    assert!(t.contains("lock 0xc000aee820 (mutex in github.com/docker/docker/volume/local.(*Root)): 217 waiting directly, 217 transitively, longest 82 minutes"));
    assert!(
        t.contains("holder: goroutine 2211 [syscall, 83 minutes] (line 10609) doing filesystem")
    );
    assert!(t.starts_with("goroutines: 1321 (dumps: 1)\n"));
}

#[test]
fn dot_collapses_waiters_by_bucket() {
    let d = run(&["--format", "dot"]);
    assert!(d.starts_with("digraph waitfor {"));
    assert!(d.contains(
        "lock0_b3 [label=\"180 x [semacquire]\\ngithub.com/docker/docker/volume/local.(*Root).Get\"];"
    ));
    assert!(d.contains("lock0_b5 [label=\"37 x [semacquire]"));
    assert!(d.contains("lock0 -> g2211 [label=\"held by\"];"));
    // The holder box says what it does (the first frame outside the runtime) and where it
    // took the lock, not `syscall.Syscall`.
    assert!(d.contains(
        "g2211 [label=\"goroutine 2211 [syscall, 83 minutes]\\nfilesystem\\nin os.Remove\\nholds it in github.com/docker/docker/volume/local.(*Root).Remove\", style=filled, fillcolor=\"#ffb3b3\"];"
    ), "{d}");
    assert_eq!(d.matches(" -> lock0 ").count(), 2);
    unique_declarations(&d);
}

/// Every node is declared once (Graphviz merges repeated ids into one box).
fn unique_declarations(d: &str) {
    let mut ids: Vec<&str> = d
        .lines()
        .filter(|l| l.contains(" [") && !l.contains(" -> ") && l.starts_with("  "))
        .filter_map(|l| l.trim().split(' ').next())
        .filter(|id| *id != "node")
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "{d}");
}

/// The two-goroutine deadlock of corpus/common-goroutine-deadlock (libnetwork's controller and
/// network locks): 372 holds the controller lock and waits on the network lock 95812 holds,
/// which waits on the controller lock. The graph draws that cycle.
#[test]
fn dot_draws_a_deadlock_as_a_cycle() {
    let dump = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/common-goroutine-deadlock/var/run/docker/goroutine-stacks-2021-12-09T154207+0800.log");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(["stacks", "--format", "dot"])
        .arg(&dump)
        .output()
        .expect("run");
    let d = String::from_utf8_lossy(&o.stdout);
    for edge in [
        "g372 -> lock2 [label=\"waits\", color=\"#b3001b\"];",
        "lock2 -> g95812 [label=\"held by\"];",
        "g95812 -> lock1 [label=\"waits\", color=\"#b3001b\"];",
        "lock1 -> g372 [label=\"held by\"];",
    ] {
        assert!(d.contains(edge), "{edge}\n{d}");
    }
    // The waiters of lock 2 are the other holder only: no bucket box for it.
    assert!(!d.contains("lock2_b"), "{d}");
    unique_declarations(&d);
}

fn run_on(args: &[&str], stdin: Option<Vec<u8>>) -> std::process::Output {
    let mut c = Command::cargo_bin("nodemortem").expect("binary");
    c.arg("stacks").args(args);
    if let Some(bytes) = stdin {
        c.write_stdin(bytes);
    }
    c.output().expect("run")
}

/// `stacks` reads what `analyze` reads: the bundle directory, a `.tar.gz` of it, a `.bz2` dump,
/// standard input; the dump is found inside and analysed the same each time.
#[test]
fn bundles_archives_compressed_files_and_stdin() {
    let bundle = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corpus/seed-003-volume-remove-lock"
    );
    let text = std::fs::read(DUMP).expect("dump");
    let dir = tempfile::tempdir().expect("tempdir");
    // A tar.gz of the bundle.
    let tgz = dir.path().join("sosreport-node1.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&tgz).expect("create"),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        tar.follow_symlinks(false);
        tar.append_dir_all("sosreport-node1", bundle).expect("tar");
        tar.into_inner().expect("tar").finish().expect("gz");
    }
    let bz2 = dir.path().join("goroutines.log.bz2");
    {
        use std::io::Write as _;
        let mut e = bzip2::write::BzEncoder::new(
            std::fs::File::create(&bz2).expect("create"),
            bzip2::Compression::fast(),
        );
        e.write_all(&text).expect("bz2");
        e.finish().expect("bz2");
    }
    let want = run(&["--format", "json"]);
    for (what, args, stdin) in [
        ("directory", vec![bundle], None),
        ("tar.gz", vec![tgz.to_str().unwrap()], None),
        ("bz2", vec![bz2.to_str().unwrap()], None),
        ("stdin", vec!["-"], Some(text.clone())),
    ] {
        let mut a = args.clone();
        a.extend(["--format", "json"]);
        let o = run_on(&a, stdin);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&o.stdout), want, "{what}");
    }
}

/// Two dumps: each under its member path (text), an array with `path` (JSON), one graph each
/// (DOT). No dump at all: exit 1 with the reason; nothing readable: exit 2.
#[test]
fn several_dumps_none_and_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.log");
    std::fs::copy(DUMP, &a).expect("copy");
    std::fs::write(
        &b,
        "goroutine 1 [running]:\nmain.main()\n\t/go/src/app/main.go:12 +0x25\n",
    )
    .expect("write");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = run_on(&[a, b], None);
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0));
    assert!(
        t.starts_with("== a.log ==\ngoroutines: 1321 (dumps: 1)\n"),
        "{t}"
    );
    assert!(
        t.contains("\n\n== b.log ==\ngoroutines: 1 (dumps: 1)\n"),
        "{t}"
    );
    let o = run_on(&[a, b, "-f", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let got: Vec<(&str, u64)> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap(),
                d["goroutines"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("a.log", 1321), ("b.log", 1)]);
    let o = run_on(&[a, b, "-f", "dot"], None);
    let d = String::from_utf8_lossy(&o.stdout);
    assert!(
        d.starts_with("digraph waitfor_1 {\n  label=\"a.log\";\n"),
        "{d}"
    );
    assert!(
        d.contains("}\ndigraph waitfor_2 {\n  label=\"b.log\";\n"),
        "{d}"
    );

    let log = dir.path().join("messages");
    std::fs::write(
        &log,
        "Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java)\n",
    )
    .expect("write");
    let o = run_on(&[log.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!("nodemortem: no goroutine dump found in {}\n", log.display())
    );
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "dear diary\n").expect("write");
    let o = run_on(&[junk.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
}
