"""Reading an untrusted file in a child process with a memory limit and a deadline.

The limits in :mod:`freedomcities.limits` stop the hostile files we know how
to recognise while they are read; this module bounds everything else. The
file is read in a child process whose address space is capped
(``RLIMIT_AS``) and which is killed at the deadline, so a file that makes a
parser allocate without end, or loop, costs one child and never the worker,
the web app or the other files of a folder.

Children come from a fork server (a small clean process started once, with
the readers imported), so each file starts in a few milliseconds without the
memory, threads or database connections of the process that asked.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import spawn
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, TypeVar

from freedomcities.errors import CorruptDocument, DocumentError
from freedomcities.limits import Limits, too_large
from freedomcities.models import Document
from freedomcities.ocr import DEFAULT_OCR, OCREngine
from freedomcities.ocrshare import SharedOCR
from freedomcities.read import read

Progress = Callable[[int, int], None]
Item = TypeVar("Item")
Result = TypeVar("Result")

log = logging.getLogger(__name__)

_POLL_SECONDS: Final = 0.05
_MEMORY_SHARE: Final = 0.5
"""A child that died after using this share of its memory budget is taken to have run out."""


@dataclass(frozen=True)
class ChildReading:
    """A document read in a child, or why not, with what the reading cost."""

    document: Document | None
    error: DocumentError | None
    seconds: float
    peak_bytes: int
    """The child's largest resident memory, or its largest address space if it was stopped."""


def read_isolated(
    path: str | Path,
    *,
    ocr: OCREngine | None = DEFAULT_OCR,
    limits: Limits | None = None,
    progress: Progress | None = None,
    share: SharedOCR | None = None,
) -> Document:
    """Read a document like :func:`freedomcities.read.read`, in a child with memory and time limits.

    Raises:
        DocumentTooLarge: over a limit, including memory (``FREEDOMCITIES_MAX_MEMORY_MB``)
            and time (``FREEDOMCITIES_MAX_SECONDS``); the message names it.
        DocumentError: anything else :func:`~freedomcities.read.read` raises, or a reader
            that crashed on a damaged file.
    """
    outcome = read_measured(path, ocr=ocr, limits=limits, progress=progress, share=share)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.document is not None
    return outcome.document


def read_measured(
    path: str | Path,
    *,
    ocr: OCREngine | None = DEFAULT_OCR,
    limits: Limits | None = None,
    progress: Progress | None = None,
    share: SharedOCR | None = None,
) -> ChildReading:
    """Read in a child like :func:`read_isolated`, returning the error rather than raising it.

    Also says how long reading took and how much memory it used, for tests and benchmarks.
    """
    limits = Limits.from_env() if limits is None else limits
    path = Path(path)
    receiver, sender = clean_context().Pipe(duplex=False)
    child = clean_context().Process(
        target=_child_main, args=(sender, path, ocr, limits, share), name="freedomcities-read"
    )
    started = time.monotonic()
    with main_left_alone():
        child.start()
    sender.close()
    try:
        return _supervise(child, receiver, path, limits, progress, started)
    finally:
        _kill(child)
        receiver.close()


def _supervise(
    child: Any,
    receiver: Connection,
    path: Path,
    limits: Limits,
    progress: Progress | None,
    started: float,
) -> ChildReading:
    """Relay the child's progress until it answers, dies, or runs out of time."""
    base, peak = 0, 0
    deadline = started + limits.max_seconds

    def stopped(error: DocumentError, peak_bytes: int) -> ChildReading:
        return ChildReading(None, error, time.monotonic() - started, peak_bytes)

    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            late = too_large(
                path.name, "took longer to read than", "max_seconds", limits.max_seconds
            )
            return stopped(late, peak)
        if not receiver.poll(min(_POLL_SECONDS, remaining)):
            peak = max(peak, _address_space(child.pid))
            continue
        try:
            kind, *values = receiver.recv()
        except (EOFError, OSError):  # the child died without a word
            child.join(5)
            return stopped(_died(path, child.exitcode, peak - base, limits), peak)
        if kind == "started":
            base = peak = values[0]
        elif kind == "progress" and progress is not None:
            progress(*values)
        elif kind == "error":
            return stopped(values[0], values[1])
        elif kind == "done":
            return ChildReading(values[0], None, time.monotonic() - started, values[1])


def _died(path: Path, exitcode: int | None, used: int, limits: Limits) -> DocumentError:
    """Why a child stopped without answering: most often memory, else a crashed reader."""
    log.warning("reading %s: child stopped with exit code %s", path, exitcode)
    if used >= _MEMORY_SHARE * limits.max_memory_bytes or exitcode == -signal.SIGKILL:
        return _out_of_memory(path, limits)
    return CorruptDocument(
        f"{path.name} made the document reader stop unexpectedly (exit code {exitcode}), "
        "which usually means the file is damaged. Open it and save or print a new copy, "
        "then try again."
    )


def _out_of_memory(path: Path, limits: Limits) -> DocumentError:
    """The error for a file that needed more memory than the limit."""
    return too_large(
        path.name, "needs more memory to read than", "max_memory_bytes", limits.max_memory_bytes
    )


def _child_main(
    sender: Connection,
    path: Path,
    ocr: OCREngine | None,
    limits: Limits,
    share: SharedOCR | None = None,
) -> None:
    """In the child: cap memory, read, and send back the document or the error."""
    os.setpgrp()  # the parent kills the whole group: OCR's tesseract processes too
    base = _address_space(os.getpid())
    _cap_memory(base + limits.max_memory_bytes)
    sender.send(("started", base))

    def report(done: int, total: int) -> None:
        sender.send(("progress", done, total))

    try:
        document = read(path, ocr=ocr, limits=limits, progress=report, share=share)
        sender.send(("done", document, _peak_resident()))
    except MemoryError:
        sender.send(("error", _out_of_memory(path, limits), _peak_resident()))
    except DocumentError as exc:
        sender.send(("error", exc, _peak_resident()))
    finally:
        sender.close()


BATCH: Final = 100
"""Most items one child of :func:`map_isolated` takes, so a parser's leak cannot add up."""


def map_isolated(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    limits: Limits,
    seconds_each: float,
) -> list[Result | None]:
    """``function(item)`` for each item, in children with a memory limit and a deadline per item.

    For quick work on many untrusted files (estimating a sweep's work): one
    child takes up to :data:`BATCH` items in turn, so each item costs no fork.
    An item that raises, or whose child runs out of memory
    (``limits.max_memory_bytes``) or of time (``seconds_each``), gets ``None``; a
    new child goes on with the next item. Never raises for an item. The
    function must be importable by name (defined at a module's top level).
    """
    results: list[Result | None] = [None] * len(items)
    start = 0
    while start < len(items):
        chunk = items[start : start + BATCH]
        try:
            answered = _run_batch(function, chunk, limits, seconds_each)
        except Exception:  # no child could start (no processes left, say): the rest are unknown
            log.exception("could not start a child to run %s", function.__name__)
            return results
        results[start : start + len(answered)] = answered
        start += min(len(answered) + 1, len(chunk))  # the item a child stopped on keeps None
    return results


def _run_batch(
    function: Callable[[Item], Result], chunk: Sequence[Item], limits: Limits, seconds: float
) -> list[Result | None]:
    """The answers of one child, in order, up to the first item it could not finish."""
    receiver, sender = clean_context().Pipe(duplex=False)
    child = clean_context().Process(
        target=_batch_main, args=(sender, function, list(chunk), limits), name="freedomcities-map"
    )
    with main_left_alone():
        child.start()
    sender.close()
    answers: list[Result | None] = []
    try:
        while len(answers) < len(chunk):
            if not receiver.poll(seconds):
                log.warning("%s took longer than %s seconds on an item", function.__name__, seconds)
                break
            answers.append(receiver.recv())
    except (EOFError, OSError):  # the child died: out of memory, or a parser crashed
        child.join(5)
        log.warning("%s stopped its child (exit code %s)", function.__name__, child.exitcode)
    finally:
        _kill(child)
        receiver.close()
    return answers


def _batch_main(
    sender: Connection, function: Callable[[Any], Any], items: list[Any], limits: Limits
) -> None:
    """In the child: cap memory, then send back each item's result (``None`` if it raised)."""
    os.setpgrp()
    _cap_memory(_address_space(os.getpid()) + limits.max_memory_bytes)
    for item in items:
        try:
            result = function(item)
        except Exception:  # MemoryError included: the item is unknown, the next may be fine
            result = None
        sender.send(result)
    sender.close()


def _cap_memory(limit: int) -> None:
    """Limit this process's address space, where the system allows it."""
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # not enforced on this system (e.g. macOS)
        log.warning("could not limit the memory of the document reader")


def _address_space(pid: int | None) -> int:
    """A process's virtual memory size in bytes, or 0 where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _peak_resident() -> int:
    """This process's largest resident memory so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _kill(child: Any) -> None:
    """Stop the child and whatever it started, if it is still there."""
    if child.exitcode is None and child.pid is not None:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            child.kill()
    child.join(5)


def _forget_fork_server() -> None:
    """In a forked child (a process pool's worker): the parent's fork server is not ours to use.

    multiprocessing keeps one fork server per process in module state that a
    fork copies; the copy would wait on a process that is not the child's, so
    the child starts its own on first use instead.
    """
    server = multiprocessing.forkserver._forkserver
    for name in ("_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid"):
        if hasattr(server, name):
            setattr(server, name, None)


if hasattr(os, "register_at_fork") and "forkserver" in multiprocessing.get_all_start_methods():
    import multiprocessing.forkserver

    os.register_at_fork(after_in_child=_forget_fork_server)


@contextmanager
def main_left_alone() -> Iterator[None]:
    """Start a child that does not run the caller's main script again.

    multiprocessing has a new child import the parent's ``__main__`` so that
    functions defined there can be its target. Ours needs only freedomcities,
    and importing a plain script again would run its top level, which calls
    :func:`read_isolated` again before the child is ready, and fails. So the
    child is prepared without it.
    """
    original = spawn.get_preparation_data

    def without_main(name: str) -> dict[str, Any]:
        data: dict[str, Any] = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    with _STARTING:
        spawn.get_preparation_data = without_main
        try:
            yield
        finally:
            spawn.get_preparation_data = original


_STARTING = threading.RLock()


def clean_context() -> Any:
    """The fork server where the system has one (Linux, macOS), else fresh interpreters."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["freedomcities.read"])
    return context
