"""A path, bytes, a file object: the same bundle gives the same report, whatever carries it."""

import io
import os
from pathlib import Path

import pytest

import nodemortem
from conftest import CORPUS, comparable, tar_gz, without_input_names
from test_errors import OOM


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """seed-003 packed as a sosreport .tar.gz, on disk."""
    path = tmp_path_factory.mktemp("archive") / "sosreport-node1-2020-07-15.tar.gz"
    path.write_bytes(tar_gz(CORPUS / "seed-003-volume-remove-lock", "sosreport-node1-2020-07-15"))
    return path


@pytest.fixture(scope="module")
def by_path(archive):
    return nodemortem.analyze(str(archive))


def test_the_archive_is_read_as_a_sosreport(by_path, archive):
    assert by_path["inputs"] == [{"path": str(archive), "kind": "sosreport"}]
    assert by_path["findings"][0]["rule"] == "volume-remove-lock"
    assert by_path["stats"]["members"] == 8
    # The archive gives what the directory gives (input names aside).
    directory = nodemortem.analyze(CORPUS / "seed-003-volume-remove-lock")
    assert without_input_names(by_path)["findings"] == directory["findings"]


def test_pathlike_equals_str(archive, by_path):
    assert comparable(nodemortem.analyze(Path(archive))) == comparable(by_path)


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bytes_equal_path(kind, archive, by_path):
    data = kind(archive.read_bytes())
    report = nodemortem.analyze(data, name=archive.name)
    assert report["inputs"] == [{"path": archive.name, "kind": "sosreport"}]
    assert without_input_names(report) == without_input_names(by_path)


def test_bytes_are_named_bytes_by_default():
    report = nodemortem.analyze(OOM)
    assert report["inputs"] == [{"path": "bytes", "kind": "file"}]
    assert report["findings"][0]["evidence"][0]["path"] == "bytes"


def test_file_object_equals_path(archive, by_path):
    with open(archive, "rb") as f:
        report = nodemortem.analyze(f)
    # A file object is named by its `name`, the path it was opened with.
    assert report["inputs"] == [{"path": str(archive), "kind": "sosreport"}]
    assert comparable(report) == comparable(by_path)


def test_bytesio_equals_path(archive, by_path):
    report = nodemortem.analyze(io.BytesIO(archive.read_bytes()))
    assert report["inputs"] == [{"path": "stream", "kind": "sosreport"}]
    assert without_input_names(report) == without_input_names(by_path)


class Recording(io.RawIOBase):
    """A file object that records the size of every read() asked of it."""

    def __init__(self, data):
        self.inner = io.BytesIO(data)
        self.asked = []

    def readable(self):
        return True

    def readinto(self, buf):
        self.asked.append(len(buf))
        return self.inner.readinto(buf)


def test_a_file_object_is_read_in_chunks():
    """A large upload is read piece by piece as the analysis goes, never asked for whole."""
    journal = CORPUS / "seed-003-volume-remove-lock/sos_commands/logs/journalctl_--no-pager"
    # Enough copies of a real journal to make 40 MiB.
    text = journal.read_bytes()
    data = text * (40 * 1024 * 1024 // len(text) + 1)
    stream = Recording(data)
    report = nodemortem.analyze(stream, name="journalctl_--no-pager")
    assert report["stats"]["bytes"] == len(data)
    assert max(stream.asked) <= 16 * 1024 * 1024
    assert len(stream.asked) >= len(data) // (16 * 1024 * 1024)
    assert stream.inner.tell() == len(data)
    assert comparable(report) == comparable(nodemortem.analyze(data, name="journalctl_--no-pager"))


def test_a_text_file_is_refused(archive, tmp_path):
    log = tmp_path / "messages"
    log.write_text("Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java)\n")
    with open(log, "r") as f, pytest.raises(TypeError, match=r"binary mode \('rb'\)"):
        nodemortem.analyze(f)


class Failing(io.RawIOBase):
    """Gives `good` bytes, then fails as a dropped connection does."""

    def __init__(self, good):
        self.good = io.BytesIO(good)

    def readable(self):
        return True

    def readinto(self, buf):
        n = self.good.readinto(buf)
        if n:
            return n
        raise ConnectionResetError(104, "Connection reset by peer")


def test_the_file_objects_exception_is_raised(archive):
    data = archive.read_bytes()
    with pytest.raises(ConnectionResetError, match="Connection reset by peer"):
        nodemortem.analyze(Failing(data[: len(data) // 2]))


class Texty:
    """Not a binary stream: read() returns str."""

    def read(self, n=-1):
        return "Jul 15 10:12:22 node1 kernel: oops\n"


def test_a_stream_returning_str_raises_type_error():
    with pytest.raises(TypeError, match=r"read\(\) returned str, expected bytes"):
        nodemortem.analyze(Texty())


def test_a_spent_file_object_reads_nothing(archive):
    """As `nodemortem analyze - </dev/null`: no finding, a warning that nothing was recognised."""
    with open(archive, "rb") as f:
        nodemortem.analyze(f)
        again = nodemortem.analyze(f)
    assert again["findings"] == []
    assert again["warnings"] == [
        {
            "path": str(archive),
            "message": "nothing was recognised as a log, goroutine dump or host-state file (1 member(s), 0 bytes skipped)",
        }
    ]


@pytest.mark.parametrize("source", [42, 4.2, None, {"path": "x"}])
def test_other_types_raise_type_error(source):
    with pytest.raises(TypeError, match="expected a path"):
        nodemortem.analyze(source)


def test_a_bad_path_in_a_list_is_named():
    with pytest.raises(TypeError, match=r"source\[1\] is int"):
        nodemortem.analyze(["messages", 7])


def test_name_applies_to_the_evidence_of_a_loose_file():
    report = nodemortem.analyze(io.BytesIO(OOM), name="var/log/messages")
    assert report["inputs"] == [{"path": "var/log/messages", "kind": "file"}]
    assert report["findings"][0]["evidence"][0]["path"] == "messages"
    assert report["findings"][0]["evidence"][0]["line"] == 1


def test_inventory_of_a_file_object_equals_the_path(archive):
    by_path = nodemortem.inventory(archive)
    with open(archive, "rb") as f:
        streamed = nodemortem.inventory(f)
    assert streamed == by_path
    assert by_path["inputs"] == [{"path": str(archive), "kind": "sosreport"}]
    # The 13 files of seed-003, 3 of them of no known format (README.md, expected.json and
    # etc/localtime, a dangling link).
    formats = [m["format"] for m in by_path["members"]]
    assert (len(formats), formats.count("unknown")) == (13, 3)
    assert ("var/run/docker/goroutine-stacks-2020-07-15T101222Z.log", "goroutine-dump") in [
        (m["path"], m["format"]) for m in by_path["members"]
    ]
