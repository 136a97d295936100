"""Offline forensics for broken Docker/Kubernetes nodes.

nodemortem reads what a support engineer receives with a ticket -- a sosreport tarball, loose
logs, a goroutine dump of hundreds of megabytes -- and answers with ranked findings: the root
cause first, each with the evidence lines (file, line, time) that prove it, what is missing,
the remediation and the upstream references.

>>> import nodemortem
>>> log = b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 988 (dockerd) total-vm:3012345kB, anon-rss:1900000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4100kB oom_score_adj:-999\\n"
>>> report = nodemortem.analyze(log, name="messages")
>>> [(f["rule"], f["severity"], f["evidence"][0]["line"]) for f in report["findings"]]
[('oom-kill', 'high', 1)]

Every function returns plain dicts and lists: the JSON contracts of the ``nodemortem`` command
(``schema_version`` 3). ``analyze`` takes a path, a list of paths, ``bytes`` or a binary file
object; it runs without the GIL and Ctrl-C interrupts it.
"""

from ._nodemortem import (
    SCHEMA_VERSION,
    Error,
    NothingReadError,
    RuleError,
    __version__,
    analyze,
    inventory,
    render,
    rules,
    stacks,
)

__all__ = [
    "SCHEMA_VERSION",
    "Error",
    "NothingReadError",
    "RuleError",
    "__version__",
    "analyze",
    "inventory",
    "render",
    "rules",
    "stacks",
]
