"""stacks, inventory, rules and render give what the command gives; the package is documented."""

import ast
import doctest
import gzip
import inspect
import re
from pathlib import Path

import pytest

import nodemortem
from conftest import CORPUS, ROOT

SEED3 = CORPUS / "seed-003-volume-remove-lock"
DUMP = SEED3 / "var/run/docker/goroutine-stacks-2020-07-15T101222Z.log"


def no_timing(text):
    """Rendered text without the run's wall time (`… 478.3 KiB in 0.02 s`)."""
    return re.sub(r" in \d+\.\d+ s$", "", text, flags=re.M)


def test_stacks_equals_the_cli(cli_json):
    theirs = cli_json("stacks", "--format", "json", DUMP)
    ours = nodemortem.stacks(DUMP)
    assert ours == theirs
    assert (ours["goroutines"], ours["locks"][0]["address"], ours["locks"][0]["holder"]) == (
        1321,
        "0xc000aee820",
        2211,
    )
    assert nodemortem.stacks(DUMP.read_bytes()) == theirs
    assert nodemortem.stacks(gzip.compress(DUMP.read_bytes())) == theirs


def test_stacks_min_count_equals_the_cli(cli_json):
    ours = nodemortem.stacks(str(DUMP), min_count=100)
    assert ours == cli_json("stacks", "--format", "json", "--min-count", "100", DUMP)
    assert ours["buckets"] and all(b["count"] >= 100 for b in ours["buckets"])
    assert len(ours["buckets"]) < len(nodemortem.stacks(DUMP)["buckets"])


def test_stacks_of_text_that_is_no_dump():
    s = nodemortem.stacks(b"Jul 15 10:12:22 node1 kernel: hello\n")
    assert (s["goroutines"], s["buckets"], s["locks"]) == (0, [], [])


def test_stacks_refuses_file_objects():
    with open(DUMP, "rb") as f, pytest.raises(TypeError, match="expected a path .* or bytes"):
        nodemortem.stacks(f)


@pytest.mark.parametrize("bundle", ["seed-003-volume-remove-lock", "common-oom-kill"])
def test_inventory_equals_the_cli(bundle, cli_json):
    ours = nodemortem.inventory(CORPUS / bundle)
    assert ours == cli_json("inventory", "--format", "json", CORPUS / bundle)
    assert ours["schema_version"] == 1


def test_inventory_of_bytes():
    inv = nodemortem.inventory(DUMP.read_bytes(), name=DUMP.name)
    assert [(m["path"], m["format"]) for m in inv["members"]] == [(DUMP.name, "goroutine-dump")]


def test_rules_equal_the_cli(cli_json):
    ours = nodemortem.rules()
    assert ours == cli_json("rules", "--format", "json")
    by_id = {r["id"]: r for r in ours}
    assert by_id["volume-remove-lock"]["severity"] == "critical"
    assert by_id["volume-remove-lock"]["explains"] == [
        "pod-terminating-runtime-timeout",
        "lock-convoy",
        "container-runtime-down",
        "pleg-unhealthy",
    ]
    assert by_id["volume-remove-lock"]["origin"] == "builtin/volume-remove-lock.toml"


@pytest.mark.parametrize("bundle", ["seed-003-volume-remove-lock", "common-oom-kill", "healthy-node"])
@pytest.mark.parametrize("fmt", ["markdown", "jira", "text"])
def test_render_equals_the_cli(bundle, fmt, cli, cli_json):
    report = cli_json("analyze", "--format", "json", CORPUS / bundle)
    theirs = cli(
        "analyze", "--format", fmt, "--color", "never", "--width", "100", CORPUS / bundle
    ).decode()
    assert no_timing(nodemortem.render(report, fmt)) == no_timing(theirs)


def test_render_evidence_lines(cli):
    report = nodemortem.analyze(SEED3)
    theirs = cli("analyze", "--format", "markdown", "--evidence", "2", SEED3).decode()
    assert no_timing(nodemortem.render(report, "markdown", evidence=2)) == no_timing(theirs)


def test_render_jira_markup():
    report = nodemortem.analyze(SEED3)
    page = nodemortem.render(report, "jira", evidence=1)
    lines = page.splitlines()
    assert lines[0].startswith("h2. nodemortem: ")
    assert "||Host||Value||Source||" in lines
    assert "||#||Rule||Severity||Score||Summary||" in lines
    assert "h3. {anchor:f-1}1. volume-remove-lock" in lines
    # Evidence in {noformat} blocks, opened and closed in pairs.
    assert page.count("{noformat}") % 2 == 0 and page.count("{noformat}") >= 2
    assert "* [https://github.com/moby/moby/issues/31801]" in lines


def test_render_html():
    report = nodemortem.analyze(SEED3)
    page = nodemortem.render(report, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    # One <article> per finding, nested consequences included.
    def count(fs):
        return sum(1 + count(f["explains"]) for f in fs)

    assert page.count('<article class="finding"') == count(report["findings"]) == 3
    assert "var/run/docker/goroutine-stacks-2020-07-15T101222Z.log" in page


def test_version_equals_the_cli(cli):
    assert cli("--version").decode().split() == ["nodemortem", nodemortem.__version__]


def test_docstring_examples():
    """The examples in the docstrings run and give what they show."""
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    objects = [nodemortem] + [getattr(nodemortem, n) for n in ("analyze", "stacks", "inventory", "rules", "render")]
    examples = 0
    for obj in objects:
        for test in finder.find(obj, obj.__name__, globs={}):
            examples += len(test.examples)
            runner.run(test)
    assert examples >= 15
    assert runner.failures == 0


def test_every_function_has_a_docstring_and_a_stub():
    stub = Path(nodemortem.__file__).with_name("__init__.pyi")
    assert stub.is_file() and stub.with_name("py.typed").is_file()
    tree = ast.parse(stub.read_text())
    stubs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for name in ("analyze", "stacks", "inventory", "rules", "render"):
        fn = getattr(nodemortem, name)
        assert len(fn.__doc__) > 200, name
        # The stub's parameters are the function's, in order, with the same kinds.
        sig = inspect.signature(fn)
        args = stubs[name].args
        want = [(a.arg, "POSITIONAL_OR_KEYWORD") for a in args.args] + [
            (a.arg, "KEYWORD_ONLY") for a in args.kwonlyargs
        ]
        assert [(p.name, p.kind.name) for p in sig.parameters.values()] == want, name
    for cls in ("Error", "NothingReadError", "RuleError"):
        assert any(isinstance(n, ast.ClassDef) and n.name == cls for n in tree.body)
    assert set(nodemortem.__all__) <= {n for n in dir(nodemortem)}
