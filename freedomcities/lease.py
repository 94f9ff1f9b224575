"""Who holds a piece of shared work, and when that holder is taken to be gone.

Work shared between worker processes, on one machine or several, is claimed
first: a sweep's manifest line (:mod:`freedomcities.web.scorecards.sweep`), a
run of a file's scanned pages (:mod:`freedomcities.ocrcache`). A claim names
its holder, ``host:pid``. A worker that is killed cannot give its claims back,
so the others decide: a holder on this machine whose process is gone has lost
its claim at once; a holder on another machine, whose process cannot be seen
from here, once its claim is older than a lease.

This module is plain Python: no Django.
"""

from __future__ import annotations

import datetime
import os
import socket


def holder(pid: int | None = None) -> str:
    """A claim's holder: this machine and the process, unique while it runs."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def is_lost(
    claimed_by: str, claimed_at: datetime.datetime | None, expired_before: datetime.datetime
) -> bool:
    """Whether a claim's holder is gone: its process has ended on this machine, or the claim
    is older than ``expired_before`` (when a holder on another machine is taken as lost)."""
    host, _, pid = claimed_by.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not alive(int(pid))
    return claimed_at is None or claimed_at < expired_before


def alive(pid: int) -> bool:
    """Whether a process of this machine still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
