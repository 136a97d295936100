"""Analyses run without the GIL: Python threads go on meanwhile and analyses run in parallel."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import nodemortem
from conftest import CORPUS, comparable, corpus_bundles
from test_sources import Recording

SEED3 = CORPUS / "seed-003-volume-remove-lock"
JOURNAL = SEED3 / "sos_commands/logs/journalctl_--no-pager"


class Gated(Recording):
    """A stream whose first read() waits until the other analysis has started reading too."""

    def __init__(self, data, barrier):
        super().__init__(data)
        self.barrier = barrier

    def readinto(self, buf):
        if not self.asked:
            self.barrier.wait()
        return super().readinto(buf)


def test_two_analyses_are_in_flight_at_once():
    """Each stream blocks until both analyses are reading: serialised calls would break the
    barrier (its timeout) and raise BrokenBarrierError out of analyze."""
    barrier = threading.Barrier(2, timeout=30)
    inputs = {
        "journal": JOURNAL.read_bytes(),
        "dump": (SEED3 / "var/run/docker/goroutine-stacks-2020-07-15T101222Z.log").read_bytes(),
    }
    results, errors = {}, []

    def run(key):
        try:
            results[key] = nodemortem.analyze(Gated(inputs[key], barrier), name=key)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    for key, data in inputs.items():
        assert comparable(results[key]) == comparable(nodemortem.analyze(data, name=key))
    assert results["dump"]["findings"][0]["rule"] == "volume-remove-lock"


def test_python_runs_while_an_analysis_runs():
    """The main thread keeps ticking through the middle of another thread's analysis of bytes
    (no Python code in it): with the GIL held, no tick could fall inside the call."""
    data = JOURNAL.read_bytes() * (200 * 1024 * 1024 // JOURNAL.stat().st_size)
    window = {}

    def run():
        window["start"] = time.perf_counter()
        window["report"] = nodemortem.analyze(data, name="journalctl_--no-pager")
        window["end"] = time.perf_counter()

    worker = threading.Thread(target=run)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
    worker.join()
    start, end = window["start"], window["end"]
    assert window["report"]["stats"]["bytes"] == len(data)
    assert end - start > 0.05, "the analysis was too short to tell"
    middle = [t for t in ticks if start + (end - start) / 4 < t < end - (end - start) / 4]
    assert len(middle) > 1000


def test_threads_give_the_serial_results():
    bundles = corpus_bundles()[:10]
    serial = [comparable(nodemortem.analyze(b)) for b in bundles]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = [comparable(r) for r in pool.map(nodemortem.analyze, bundles)]
    assert parallel == serial
