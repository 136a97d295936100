"""Shared fixtures: the corpus, the `nodemortem` binary to compare with, realistic generated logs.

The binary is the one ``NODEMORTEM_CLI`` names (``cargo test --workspace`` sets it to the build
of ``analyzer-cli``); without it, ``target/release/nodemortem`` or ``target/debug/nodemortem`` of
this repository. Tests that compare with the binary are skipped, saying so, when there is none.
"""

import copy
import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


def corpus_bundles():
    """Every bundle of corpus/ that has an expected.json, sorted."""
    return sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())


def _find_cli():
    named = os.environ.get("NODEMORTEM_CLI")
    if named:
        if not Path(named).is_file():
            raise RuntimeError(f"NODEMORTEM_CLI={named} does not exist")
        return Path(named)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("release", "debug"):
        candidate = target / profile / "nodemortem"
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def cli():
    """Runs the `nodemortem` binary: ``cli("analyze", "--format", "json", path)`` -> stdout."""
    binary = _find_cli()
    if binary is None:
        pytest.skip("no nodemortem binary: set NODEMORTEM_CLI or build analyzer-cli")

    def run(*args, ok=(0, 1)):
        out = subprocess.run(
            [str(binary), *map(str, args)], capture_output=True, check=False
        )
        assert out.returncode in ok, (
            f"nodemortem {' '.join(map(str, args))}: exit {out.returncode}: "
            f"{out.stderr.decode(errors='replace')}"
        )
        return out.stdout

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    """The `nodemortem` binary's JSON output, parsed."""
    return lambda *args: json.loads(cli(*args))


def comparable(report):
    """A report without what differs between two runs of the same analysis: the wall time."""
    report = copy.deepcopy(report)
    report["stats"].pop("seconds")
    return report


def without_input_names(report):
    """A comparable report with the input names dropped (they are the path or the given name)."""
    report = comparable(report)
    for i in report["inputs"]:
        i.pop("path")
    return report


def tar_gz(directory: Path, top: str) -> bytes:
    """A sosreport-style ``.tar.gz`` of ``directory``, its members under ``top/``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(directory, arcname=top)
    return buf.getvalue()


def journal_lines(start=0):
    """``journalctl --no-pager`` lines of a busy node, one second apart, without end.

    The shapes of a real journal: kubelet klog, dockerd logrus, containerd, kernel, systemd.
    """
    shapes = [
        'kubelet[1432]: I0715 {t}.{us:06d}    1432 kubelet.go:1932] SyncLoop (PLEG): "web-7d4b9c6f5-x2x9q_prod(5b2b4a06-8c47-4d2b-9a57-2f1d3f0c1e11)", event: &pleg.PodLifecycleEvent{{ID:"5b2b4a06-8c47-4d2b-9a57-2f1d3f0c1e11", Type:"ContainerStarted"}}',
        'dockerd[988]: time="2020-07-15T{t}.{us:06d}Z" level=info msg="ignoring event" container=3f1c2ab97e5d module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"',
        'containerd[871]: time="2020-07-15T{t}.{us:06d}Z" level=info msg="shim disconnected" id=3f1c2ab97e5d2c1f8a4e6b0d9c7a5e3f1b2d4c6a8e0f2a4c6e8b0d2f4a6c8e0f2',
        "kernel: IPv6: ADDRCONF(NETDEV_CHANGE): veth{n:07x}: link becomes ready",
        "systemd[1]: Started libcontainer container 3f1c2ab97e5d2c1f8a4e6b0d9c7a5e3f1b2d4c6a8e0f2a4c6e8b0d2f4a6c8e0f2.",
    ]
    n = start
    while True:
        s = n % 86400
        t = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
        shape = shapes[n % len(shapes)]
        yield f"Jul 15 {t} node1 " + shape.format(t=t, us=(n * 7919) % 1_000_000, n=n) + "\n"
        n += 1


class EndlessJournal(io.RawIOBase):
    """A binary stream of journal lines (one generated MiB, repeated) that ends only after
    `limit` bytes, several seconds of analysis: a regression fails instead of hanging. The
    default stays below the library's 4 GiB member limit, which would end the member first.
    Counts the bytes read."""

    def __init__(self, limit=3 << 30):
        self.limit = limit
        lines, block, size = journal_lines(), [], 0
        while size < 1 << 20:
            block.append(next(lines).encode())
            size += len(block[-1])
        self.block = b"".join(block)
        self.at = 0
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buf):
        want = min(len(buf), self.limit - self.bytes_read)
        done = 0
        while done < want:
            piece = self.block[self.at : self.at + want - done]
            buf[done : done + len(piece)] = piece
            done += len(piece)
            self.at = (self.at + len(piece)) % len(self.block)
        self.bytes_read += want
        return want
