"""How many files the server may have open: the soft limit raised to the hard one at start.

Every connection holds a descriptor. Many systems start a process with a soft
limit of 1,024 open files and a hard limit far above it, which an
unprivileged process may raise its soft limit to; xserver does so first thing,
so that a crowd of connections runs it out of descriptors as late as the
system allows. Where there is no such limit (no `resource` module) nothing
changes.
"""

from __future__ import annotations

try:
    import resource
except ImportError:  # not on this system (Windows)
    resource = None  # type: ignore[assignment]


def raise_open_file_limit() -> int | None:
    """Raise the soft limit on open files to the hard limit; the soft limit now (None: no such limit here)."""
    if resource is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    unlimited = resource.RLIM_INFINITY
    # Highest first; macOS refuses an unlimited soft limit but takes a finite one.
    for wanted in (hard, 1 << 20, 1 << 16):
        if soft == unlimited or (wanted != unlimited and wanted <= soft):
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            continue
        return wanted
    return soft
