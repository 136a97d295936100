"""Errors are exceptions of the right class; problems with evidence stay warnings."""

import re

import pytest

import nodemortem
from conftest import ROOT

# The kernel OOM killer taking dockerd (a global OOM): `oom-kill`, high.
OOM = b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 988 (dockerd) total-vm:3012345kB, anon-rss:1900000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4100kB oom_score_adj:-999\n"


def guide_rule():
    """The worked example of docs/rule-authoring.md (`pull-rate-limited`)."""
    doc = (ROOT / "docs/rule-authoring.md").read_text()
    start = doc.index('```toml\nid = "pull-rate-limited"') + len("```toml\n")
    return doc[start : doc.index("```", start)]


def pull_journal(failures):
    """kubelet 1.20 pull failures against Docker Hub's rate limit, as the journal has them."""
    lines = ["-- Logs begin at Thu 2020-11-19 08:00:00 UTC, end at Thu 2020-11-19 10:00:00 UTC. --"]
    for i in range(failures):
        m = 10 + i
        lines.append(
            f'Nov 19 09:{m:02}:00 node-3 kubelet[1201]: E1119 09:{m:02}:00.123456    1201 remote_image.go:113] PullImage "nginx:1.19" from image service failed: rpc error: code = Unknown desc = Error response from daemon: toomanyrequests: You have reached your pull rate limit.'
        )
        lines.append(
            f'Nov 19 09:{m:02}:00 node-3 kubelet[1201]: E1119 09:{m:02}:00.123999    1201 kuberuntime_manager.go:815] Failed to pull image "nginx:1.19": rpc error: code = Unknown desc = toomanyrequests: You have reached your pull rate limit.'
        )
        lines.append(f"Nov 19 09:{m:02}:30 node-3 systemd[1]: Started Session {i} of user root.")
    return ("\n".join(lines) + "\n").encode()


def test_the_exception_classes():
    assert issubclass(nodemortem.NothingReadError, nodemortem.Error)
    assert issubclass(nodemortem.RuleError, nodemortem.Error)
    assert issubclass(nodemortem.Error, Exception)
    assert nodemortem.Error.__module__ == "nodemortem"


def test_a_missing_path_raises_nothing_read(tmp_path):
    missing = tmp_path / "sosreport-gone.tar.xz"
    with pytest.raises(nodemortem.NothingReadError, match=re.escape(str(missing))):
        nodemortem.analyze(missing)


def test_an_empty_list_raises_nothing_read():
    with pytest.raises(nodemortem.NothingReadError, match="no input could be read: no inputs given"):
        nodemortem.analyze([])


def test_a_truncated_log_is_a_warning_not_an_error():
    """A .gz log cut short: what was read is analysed, the cut is a warning naming the file."""
    import gzip

    journal = (ROOT / "corpus/seed-003-volume-remove-lock/sos_commands/logs/journalctl_--no-pager").read_bytes()
    packed = gzip.compress(OOM + journal)
    report = nodemortem.analyze(packed[: len(packed) // 2], name="messages.gz")
    assert report["findings"][0]["rule"] == "oom-kill"
    # Beside what was lost, the report says what it assumed: the lines state no year.
    [warning] = [w for w in report["warnings"] if w.get("kind") != "assumption"]
    [assumed] = [w for w in report["warnings"] if w.get("kind") == "assumption"]
    assert assumed["message"].startswith("year assumed: 2000 ")
    assert warning["path"] == "messages.gz"
    assert "member cut" in warning["message"]
    assert 0 < warning["offset"] < len(OOM + journal)


def test_a_user_rule_fires_with_rules_dir(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "pull-rate-limited.toml").write_text(guide_rule())
    report = nodemortem.analyze(pull_journal(5), name="journalctl_--no-pager", rules_dir=rules)
    top = report["findings"][0]
    assert (top["rule"], top["score"], top["severity"]) == ("pull-rate-limited", 100, "medium")
    assert [e["line"] for e in top["evidence"]] == [3, 9, 15]
    listed = {r["id"]: r for r in nodemortem.rules(rules_dir=str(rules))}
    assert listed["pull-rate-limited"]["origin"] == str(rules / "pull-rate-limited.toml")
    assert len(listed) == len(nodemortem.rules()) + 1
    # Without the directory the rule does not exist.
    assert "pull-rate-limited" not in [
        f["rule"] for f in nodemortem.analyze(pull_journal(5), name="journalctl_--no-pager")["findings"]
    ]


def test_a_broken_rule_raises_rule_error_with_file_and_line(tmp_path):
    broken = guide_rule().replace("min_count = 5", 'min_count = "five"')
    line = 1 + [l.startswith("min_count") for l in broken.splitlines()].index(True)
    (tmp_path / "pull.toml").write_text(broken)
    for call in (
        lambda: nodemortem.analyze(OOM, rules_dir=tmp_path),
        lambda: nodemortem.rules(rules_dir=tmp_path),
    ):
        with pytest.raises(nodemortem.RuleError) as err:
            call()
        assert err.value.file == str(tmp_path / "pull.toml")
        assert err.value.line == line
        assert f"pull.toml:{line}: evidence[1].min_count: invalid type" in str(err.value)


def test_a_missing_rules_dir_raises_rule_error(tmp_path):
    with pytest.raises(nodemortem.RuleError) as err:
        nodemortem.analyze(OOM, rules_dir=tmp_path / "no-such-rules")
    assert err.value.file == str(tmp_path / "no-such-rules")
    assert err.value.line is None
    assert "No such file or directory" in str(err.value)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_severity": "severe"}, "min_severity \"severe\" is not one of info, low, medium, high, critical"),
        ({"timeout": -1.0}, "timeout must be a number of seconds >= 0"),
        ({"timeout": float("nan")}, "timeout must be a number of seconds >= 0"),
    ],
)
def test_bad_options_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        nodemortem.analyze(OOM, **kwargs)


def test_min_severity_is_case_insensitive():
    assert nodemortem.analyze(OOM, min_severity="HIGH")["findings"][0]["rule"] == "oom-kill"
    assert nodemortem.analyze(OOM, min_severity="High")["findings"][0]["severity"] == "high"
    assert nodemortem.analyze(OOM, min_severity="critical")["findings"] == []


def test_render_refuses_what_it_cannot_render():
    report = nodemortem.analyze(OOM, name="messages")
    with pytest.raises(ValueError, match='unknown format "pdf"'):
        nodemortem.render(report, "pdf")
    with pytest.raises(ValueError, match="not a nodemortem report: missing field `tool`"):
        nodemortem.render({"schema_version": 1}, "text")
    with pytest.raises(ValueError, match="schema_version 1, this nodemortem renders 3"):
        nodemortem.render(dict(report, schema_version=1), "text")


def test_stacks_of_a_missing_path_raises_nothing_read(tmp_path):
    with pytest.raises(nodemortem.NothingReadError, match="goroutines.log"):
        nodemortem.stacks(tmp_path / "goroutines.log")


def test_inventory_of_a_missing_path_raises_nothing_read(tmp_path):
    with pytest.raises(nodemortem.NothingReadError, match="sos.tar.xz"):
        nodemortem.inventory(tmp_path / "sos.tar.xz")
