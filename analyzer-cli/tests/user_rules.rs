//! The worked example of `docs/rule-authoring.md`, end to end: the rule file is read from the
//! guide itself, put in a `--rules` directory, and `analyze`, `rules` and `rules explain` use it.

use std::path::Path;
use std::process::Command;

fn guide_rule() -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rule-authoring.md"),
    )
    .unwrap();
    let start = doc
        .find("```toml\nid = \"pull-rate-limited\"")
        .expect("the worked example")
        + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nodemortem"))
        .args(args)
        .output()
        .unwrap()
}

/// kubelet pull failures as the kubelet 1.20 logs them (the `toomanyrequests` error text of
/// Docker Hub's rate limit, docs.docker.com/docker-hub/download-rate-limit).
fn journal(failures: usize) -> String {
    let mut s = String::from(
        "-- Logs begin at Thu 2020-11-19 08:00:00 UTC, end at Thu 2020-11-19 10:00:00 UTC. --\n",
    );
    for i in 0..failures {
        let m = 10 + i;
        s.push_str(&format!(
            "Nov 19 09:{m:02}:00 node-3 kubelet[1201]: E1119 09:{m:02}:00.123456    1201 remote_image.go:113] PullImage \"nginx:1.19\" from image service failed: rpc error: code = Unknown desc = Error response from daemon: toomanyrequests: You have reached your pull rate limit.\n"
        ));
        s.push_str(&format!(
            "Nov 19 09:{m:02}:00 node-3 kubelet[1201]: E1119 09:{m:02}:00.123999    1201 kuberuntime_manager.go:815] Failed to pull image \"nginx:1.19\": rpc error: code = Unknown desc = toomanyrequests: You have reached your pull rate limit.\n"
        ));
        s.push_str(&format!(
            "Nov 19 09:{m:02}:30 node-3 systemd[1]: Started Session {i} of user root.\n"
        ));
    }
    s
}

#[test]
fn the_guide_example_works_with_rules_dir() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("pull-rate-limited.toml"), guide_rule()).unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir_all(bundle.join("sos_commands/logs")).unwrap();
    std::fs::create_dir_all(bundle.join("sos_commands/date")).unwrap();
    std::fs::write(
        bundle.join("sos_commands/date/date"),
        "Thu Nov 19 10:00:02 UTC 2020\n",
    )
    .unwrap();
    let j = bundle.join("sos_commands/logs/journalctl_--no-pager");
    let (r, b) = (rules.to_str().unwrap(), bundle.to_str().unwrap());

    std::fs::write(&j, journal(1)).unwrap();
    let o = run(&["analyze", "--format", "json", "--rules", r, b]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "pull-rate-limited");
    assert_eq!(
        (
            f["score"].as_u64(),
            f["severity"].as_str(),
            f["confidence"].as_str()
        ),
        (Some(40), Some("medium"), Some("likely"))
    );

    std::fs::write(&j, journal(5)).unwrap();
    let o = run(&["analyze", "--format", "json", "--rules", r, b]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(
        (
            f["score"].as_u64(),
            f["severity"].as_str(),
            f["confidence"].as_str()
        ),
        (Some(100), Some("medium"), Some("confirmed"))
    );
    assert_eq!(
        f["summary"],
        "image pulls were rate limited 5 times from 2020-11-19T09:10:00Z to 2020-11-19T09:14:00Z (images: nginx:1.19)"
    );
    // Cited by path and line: the kubelet's `Failed to pull image` lines (3, 6, …, 15).
    let lines: Vec<u64> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 9, 15]);

    let o = run(&["rules", "--rules", r]);
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.starts_with("pull-rate-limited "))
    );
    let o = run(&["rules", "explain", "pull-rate-limited", "--rules", r]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("at least 5 rate-limited pulls within 30 minutes"),
        "{text}"
    );
}

#[test]
fn a_broken_user_rule_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let broken = guide_rule().replace("min_count = 5", "min_count = \"five\"");
    let line = 1 + broken
        .lines()
        .position(|l| l.starts_with("min_count"))
        .unwrap();
    std::fs::write(dir.path().join("pull.toml"), broken).unwrap();
    let o = run(&["rules", "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "pull.toml:{line}: evidence[1].min_count: invalid type"
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
