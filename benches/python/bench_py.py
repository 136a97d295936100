#!/usr/bin/env python3
"""The Python package against the binary on the real sosreport: same report, same speed.

    cargo build --release -p analyzer-cli
    python3 -m venv target/bench-venv && target/bench-venv/bin/pip install ./analyzer-py
    target/bench-venv/bin/python benches/python/bench_py.py            # 7 rounds
    target/bench-venv/bin/python benches/python/bench_py.py --runs 11

First checks that ``nodemortem.analyze(path)`` gives the report of
``nodemortem analyze --format json path`` (the wall time aside). Then times, in alternating
rounds on a warm page cache, each round in a shuffled order:

* ``cli``: ``nodemortem analyze --format json PATH`` as a process (start, rules, analysis,
  JSON to a pipe), wall time and peak RSS;
* ``call``: ``nodemortem.analyze(PATH)`` in this process, rules already compiled (what a ticket
  bot or service pays per bundle), JSON turned into dicts included;
* ``process``: ``python -c "import nodemortem; nodemortem.analyze(PATH)"`` as a process
  (interpreter start, import, rules, analysis), wall time and peak RSS;
* ``fileobj``: ``nodemortem.analyze(open(PATH, "rb"))`` in this process: the archive streamed
  through the file object's ``read()``.

Prints the medians and each one's ratio to ``cli``.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nodemortem

ROOT = Path(__file__).resolve().parents[2]
REAL_NAME = "sosreport-k8stest-4-2022-02-11-abcdef.tar.xz"


def default_sosreport():
    # Beside the workspace (shared/), or one level up from a git worktree (wt/NAME).
    for up in (ROOT.parent, ROOT.parent.parent):
        candidate = up / "shared" / "corpus-external" / REAL_NAME
        if candidate.is_file():
            return candidate
    return ROOT.parent / "shared" / "corpus-external" / REAL_NAME


def timed_process(argv):
    """Runs argv with stdout to a pipe that is drained; returns (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"{argv}: exit {proc.returncode}: {err.decode(errors='replace')}")
    del out
    return wall, usage.ru_maxrss / 1024


def comparable(report):
    report = json.loads(json.dumps(report))
    report["stats"].pop("seconds")
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    ap.add_argument("--sosreport", type=Path, default=default_sosreport())
    ap.add_argument("--cli", type=Path, default=Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "nodemortem")
    args = ap.parse_args()
    path, cli = args.sosreport, args.cli
    for f in (path, cli):
        if not f.is_file():
            sys.exit(f"missing {f}")

    # Same answer first.
    theirs = json.loads(subprocess.run([cli, "analyze", "--format", "json", path], capture_output=True).stdout)
    ours = nodemortem.analyze(path)
    if comparable(ours) != comparable(theirs):
        sys.exit("the Python report differs from the binary's")
    with open(path, "rb") as f:
        if comparable(nodemortem.analyze(f))["findings"] != comparable(theirs)["findings"]:
            sys.exit("the file-object report differs from the binary's")
    stats = ours["stats"]
    print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MiB, {stats['members']} members, "
          f"{stats['bytes'] / 2**20:.1f} MiB decompressed, {stats['records']} records; "
          f"findings {[f['rule'] for f in ours['findings']]}; same report from Python and the binary")
    print(f"nodemortem {nodemortem.__version__}, {cli}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, {args.runs} rounds\n")

    def call():
        start = time.perf_counter()
        nodemortem.analyze(path)
        return time.perf_counter() - start, None

    def fileobj():
        start = time.perf_counter()
        with open(path, "rb") as f:
            nodemortem.analyze(f)
        return time.perf_counter() - start, None

    contenders = {
        "cli": lambda: timed_process([str(cli), "analyze", "--format", "json", str(path)]),
        "call": call,
        "process": lambda: timed_process([sys.executable, "-c", "import nodemortem, sys; nodemortem.analyze(sys.argv[1])", str(path)]),
        "fileobj": fileobj,
    }
    for run in contenders.values():  # warm-up: page cache, rules compiled in this process
        run()
    times = {k: [] for k in contenders}
    rss = {k: [] for k in contenders}
    rng = random.Random(19)
    for _ in range(args.runs):
        order = list(contenders)
        rng.shuffle(order)
        for name in order:
            wall, peak = contenders[name]()
            times[name].append(wall)
            if peak is not None:
                rss[name].append(peak)
    base = statistics.median(times["cli"])
    print(f"{'':8} {'median':>9} {'min':>9} {'max':>9} {'ratio':>7} {'peak RSS':>9}")
    for name in contenders:
        t = times[name]
        med = statistics.median(t)
        peak = f"{statistics.median(rss[name]):.0f} MiB" if rss[name] else "-"
        print(f"{name:8} {med:8.3f}s {min(t):8.3f}s {max(t):8.3f}s {med / base:6.3f}x {peak:>9}")
    # Paired: each round's call against the same round's binary run.
    paired = [c / b for c, b in zip(times["call"], times["cli"])]
    print(f"\ncall / cli, per round: {', '.join(f'{r:.3f}' for r in paired)}; median {statistics.median(paired):.3f}")


if __name__ == "__main__":
    main()
