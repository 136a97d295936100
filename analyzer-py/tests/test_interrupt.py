"""Ctrl-C stops a long analysis; a timeout ends one with a partial report."""

import _thread
import signal
import threading
import time

import pytest

import nodemortem
from conftest import EndlessJournal


@pytest.fixture
def ctrl_c():
    """Python's own Ctrl-C handler, whatever the process inherited: started in the background
    (CI), SIGINT is ignored and `interrupt_main` would do nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_cancels_the_analysis(ctrl_c):
    """An endless upload: only the interrupt can end this analysis."""
    stream = EndlessJournal()
    timer = threading.Timer(0.5, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            nodemortem.analyze(stream, name="journalctl_--no-pager")
    finally:
        timer.cancel()
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 30
    # Interrupted, not run to the end of the stream (then the pending interrupt would also
    # raise, only later).
    assert 0 < stream.bytes_read < stream.limit
    # The analysis stopped with the call: nothing reads the stream any more.
    read = stream.bytes_read
    time.sleep(0.3)
    assert stream.bytes_read == read
    # And the module works on.
    assert nodemortem.analyze(b"", name="empty")["findings"] == []


def test_a_timeout_returns_a_partial_report():
    stream = EndlessJournal()
    report = nodemortem.analyze(stream, name="journalctl_--no-pager", timeout=0.5)
    assert report["stats"]["partial"] is True
    assert 0 < report["stats"]["bytes"] < stream.limit
    # Beside what was lost, the report says what it assumed: the lines state no year.
    [warning] = [w for w in report["warnings"] if w.get("kind") != "assumption"]
    [assumed] = [w for w in report["warnings"] if w.get("kind") == "assumption"]
    assert assumed["message"].startswith("year assumed: 2000 ")
    assert warning["path"] == "journalctl_--no-pager"
    assert warning["message"].startswith("time budget exhausted: ")
    assert report["stats"]["seconds"] < 30
