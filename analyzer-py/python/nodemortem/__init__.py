"""Offline forensics for broken Docker/Kubernetes nodes.

nodemortem reads what a support engineer receives with a ticket -- a sosreport tarball, loose
logs, a goroutine dump of hundreds of megabytes -- and answers with ranked findings: the root
cause first, each with the evidence lines (file, line, time) that prove it, what is missing,
the remediation and the upstream references.

>>> import nodemortem
>>> report = nodemortem.analyze(b"Jul 15 10:12:22 node1 kernel: Out of memory: Killed process 4021 (java)\\n", name="messages")
>>> [(f["rule"], f["evidence"][0]["line"]) for f in report["findings"]]
[('oom-kill', 1)]

Every function returns plain dicts and lists: the JSON contracts of the ``nodemortem`` command
(``schema_version`` 1). ``analyze`` takes a path, a list of paths, ``bytes`` or a binary file
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
