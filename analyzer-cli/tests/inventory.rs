//! `nodemortem inventory` end to end.

use assert_cmd::Command;

#[test]
fn json_of_a_small_directory() {
    // A folder of loose node files: dmesg as sos 4.2 collects it, `date` output, an unknown file.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("sos_commands/kernel")).unwrap();
    std::fs::create_dir_all(root.join("sos_commands/date")).unwrap();
    std::fs::write(
        root.join("sos_commands/kernel/dmesg"),
        "[    0.000000] Linux version 5.4.0-97-generic\n[    1.500000] eth0: link up\n",
    )
    .unwrap();
    std::fs::write(
        root.join("sos_commands/date/date"),
        "Fri Feb 11 19:23:39 UTC 2022\n",
    )
    .unwrap();
    std::fs::write(root.join("notes.bin"), [0u8, 1, 2, 3, 0, 0]).unwrap();

    let out = Command::cargo_bin("nodemortem")
        .unwrap()
        .args(["inventory", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["inputs"][0]["kind"], "sosreport");
    assert_eq!(v["inputs"][0]["path"], root.display().to_string());
    let members = v["members"].as_array().unwrap();
    let paths: Vec<&str> = members
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "notes.bin",
            "sos_commands/date/date",
            "sos_commands/kernel/dmesg"
        ]
    );
    let dmesg = &members[2];
    assert_eq!(dmesg["format"], "dmesg");
    assert_eq!(dmesg["records"], 2);
    assert_eq!(dmesg["bytes"], 75);
    assert_eq!(dmesg["sources"]["kernel"], 2);
    assert!(
        dmesg["first"].is_null(),
        "monotonic times without a boot time"
    );
    assert!(dmesg.get("link").is_none());
    assert_eq!(members[0]["format"], "unknown");
    assert_eq!(members[0]["bytes"], 6);
    assert_eq!(members[1]["format"], "date");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);
}

#[test]
fn missing_path_exits_2_with_one_line() {
    let out = Command::cargo_bin("nodemortem")
        .unwrap()
        .args(["inventory", "/nonexistent/sosreport.tar.xz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("nodemortem: no input could be read: /nonexistent/sosreport.tar.xz: "),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}
