"""Same answers as the command: every corpus bundle, analysed from Python and by the binary."""

import json

import pytest

import nodemortem
from conftest import corpus_bundles, comparable

BUNDLES = corpus_bundles()
SEVERITY = ["info", "low", "medium", "high", "critical"]


def flatten(findings):
    for f in findings:
        yield f
        yield from flatten(f["explains"])


def test_the_corpus_is_there():
    # corpus.rs holds the corpus to at least 19 bundles; an empty parametrisation would pass.
    assert len(BUNDLES) >= 19


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_report_equals_the_cli_report(bundle, cli_json):
    """The whole report, evidence lines and warnings included, equals ``analyze --format json``."""
    ours = nodemortem.analyze(bundle)
    theirs = cli_json("analyze", "--format", "json", bundle)
    assert comparable(ours) == comparable(theirs)


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_top_findings_match_expected(bundle):
    """The corpus expectations (as analyzer-cli/tests/corpus.rs checks them for the binary)."""
    expected = json.loads((bundle / "expected.json").read_text())
    report = nodemortem.analyze(str(bundle))
    assert report["schema_version"] == nodemortem.SCHEMA_VERSION == 3
    # A sosreport directory is one host; every finding and evidence line is its.
    assert [h["inputs"] for h in report["hosts"]] == [[0]]
    assert all(f["host"] == 0 and all(e["input"] == 0 for e in f["evidence"]) for f in flatten(report["findings"]))
    top = report["findings"][0]["rule"] if report["findings"] else None
    assert top == expected.get("top")
    fired = [f["rule"] for f in flatten(report["findings"])]
    for rule in expected.get("fire", []):
        assert rule in fired
    for rule in expected.get("not_fire", []):
        assert rule not in fired
    if expected.get("max_severity"):
        # What a reader acts on: a confirmed finding at its severity, a likely or possible one
        # at most low (as corpus.rs reads it).
        worst = max(
            SEVERITY.index(f["severity"])
            if f["confidence"] == "confirmed"
            else min(SEVERITY.index(f["severity"]), SEVERITY.index("low"))
            for f in flatten(report["findings"])
        )
        assert SEVERITY[worst] == expected["max_severity"]
    for want in expected.get("evidence", []):
        cited = {
            (e["path"], e["line"])
            for f in flatten(report["findings"])
            if f["rule"] == want["rule"]
            for e in f["evidence"]
        }
        assert (want["path"], want["line"]) in cited


def test_min_severity_equals_the_cli(cli_json):
    # dockerd-containerd-unreachable (critical) and frequent-daemon-restart (high): only the
    # first is kept.
    bundle = next(b for b in BUNDLES if b.name == "common-dockerd-containerd-unreachable")
    ours = nodemortem.analyze(bundle, min_severity="critical")
    theirs = cli_json("analyze", "--format", "json", "--min-severity", "critical", bundle)
    assert comparable(ours) == comparable(theirs)
    everything = nodemortem.analyze(bundle)
    assert [f["rule"] for f in ours["findings"]] == ["dockerd-containerd-unreachable"]
    assert [f["rule"] for f in everything["findings"]] == [
        "dockerd-containerd-unreachable",
        "frequent-daemon-restart",
    ]
    # A cause is kept when it or a consequence it explains reaches the threshold.
    assert ours["findings"]
    for f in ours["findings"]:
        assert max(SEVERITY.index(g["severity"]) for g in flatten([f])) == SEVERITY.index("critical")


def test_several_paths_equal_the_cli(cli_json):
    bundle = next(b for b in BUNDLES if b.name == "seed-003-volume-remove-lock")
    paths = [
        bundle / "sos_commands/logs/journalctl_--no-pager",
        bundle / "var/run/docker/goroutine-stacks-2020-07-15T101222Z.log",
    ]
    ours = nodemortem.analyze(paths)
    assert comparable(ours) == comparable(cli_json("analyze", "--format", "json", *paths))
    assert [i["kind"] for i in ours["inputs"]] == ["file", "file"]
    assert ours["findings"][0]["rule"] == "volume-remove-lock"
    assert nodemortem.analyze(tuple(str(p) for p in paths))["findings"] == ours["findings"]
