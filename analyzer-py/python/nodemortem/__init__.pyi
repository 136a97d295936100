"""Offline forensics for broken Docker/Kubernetes nodes (type stubs).

The dict shapes below are the JSON contracts of the ``nodemortem`` command
(docs/json-schema.md, ``schema_version`` 3). New keys may be added at any time: read the keys
you need and ignore the others.
"""

import os
from typing import IO, Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, TypedDict, Union

__version__: str
SCHEMA_VERSION: int

StrPath = Union[str, "os.PathLike[str]"]
"""A path: ``str`` or ``os.PathLike``."""

BytesLike = Union[bytes, bytearray, memoryview]
"""Content in memory: an attachment, an upload already read."""

Source = Union[StrPath, Sequence[StrPath], BytesLike, IO[bytes]]
"""What ``analyze`` and ``inventory`` read: a path, a list of paths, bytes or a binary file object."""

Severity = Literal["info", "low", "medium", "high", "critical"]
Format = Literal["markdown", "html", "text", "jira"]

class Tool(TypedDict):
    name: str
    version: str

class Input(TypedDict):
    path: str
    kind: Literal["sosreport", "directory", "archive", "file"]

class _EvidenceBase(TypedDict):
    path: str
    line: int
    time: Optional[str]
    text: str
    input: int
    """Index in ``Report["inputs"]`` of the input the member belongs to."""

class Evidence(_EvidenceBase, total=False):
    """One line that made a rule fire: member path, 1-based line, RFC 3339 UTC time or None."""

    highlight: Tuple[int, int]
    label: str

class Finding(TypedDict):
    """One diagnosis; ``explains`` holds its consequences, same shape."""

    rule: str
    title: str
    severity: Severity
    score: int
    summary: str
    evidence: List[Evidence]
    missing: List[str]
    remediation: str
    references: List[str]
    explains: List["Finding"]
    host: int
    """Index in ``Report["hosts"]`` of the host whose evidence made the finding."""

class HostEntry(TypedDict):
    """One host: every sosreport, directory or archive is one; the loose files together are one."""

    name: str
    inputs: List[int]
    host: Dict[str, Optional[Dict[str, str]]]

class _WarningBase(TypedDict):
    path: str
    message: str

class Warning(_WarningBase, total=False):
    """Something that could not be read, or was read only in part."""

    offset: int

class _StatsBase(TypedDict):
    members: int
    records: int
    bytes: int
    seconds: float

class Stats(_StatsBase, total=False):
    first: str
    last: str
    partial: bool

class Report(TypedDict):
    """The result of ``analyze``: ranked findings, root causes first."""

    schema_version: int
    tool: Tool
    inputs: List[Input]
    host: Dict[str, Optional[Dict[str, str]]]
    hosts: List[HostEntry]
    findings: List[Finding]
    warnings: List[Warning]
    stats: Stats

class RuleEvidence(TypedDict):
    describe: str
    id: str
    kind: Literal["log", "event", "stacks", "fact", "version"]
    role: Literal["required", "supporting", "against"]
    weight: int

class Rule(TypedDict):
    """One rule of the library, as ``nodemortem rules --format json`` lists it."""

    evidence: List[RuleEvidence]
    explains: List[str]
    id: str
    origin: str
    references: List[str]
    severity: Severity
    title: str

class Error(Exception):
    """Base class of every error nodemortem raises."""

class NothingReadError(Error):
    """No input could be read at all; the message names the path."""

class RuleError(Error):
    """A rule directory could not be read or a rule file in it is invalid."""

    file: Optional[str]
    """The rule file (or the directory) at fault."""
    line: Optional[int]
    """1-based line of the fault, 0 when unknown, None for an unreadable directory."""

def analyze(
    source: Source,
    *,
    rules_dir: Optional[StrPath] = None,
    min_severity: Optional[Severity] = None,
    timeout: Optional[float] = None,
    name: Optional[str] = None,
) -> Report:
    """Analyse a bundle: ranked findings, root cause first, each with its evidence lines.

    >>> report = analyze("sosreport-node1.tar.xz")  # doctest: +SKIP
    >>> report["findings"][0]["rule"]  # doctest: +SKIP
    'volume-remove-lock'
    """

def stacks(source: Union[StrPath, BytesLike], *, min_count: int = 1) -> Dict[str, Any]:
    """Analyse a goroutine dump: states, longest waits, locks and holders, deadlocks, buckets."""

def inventory(source: Source, *, name: Optional[str] = None) -> Dict[str, Any]:
    """List every member of a bundle: path, format, records, bytes, time span; warnings."""

def rules(*, rules_dir: Optional[StrPath] = None) -> List[Rule]:
    """The rule library: id, severity, title, origin, evidence, explains, references."""

def render(
    report: Mapping[str, Any], format: Format, *, evidence: int = 5, width: int = 100
) -> str:
    """Render a report as a Markdown or Jira ticket comment, a self-contained HTML page or
    plain text of ``width`` columns."""
