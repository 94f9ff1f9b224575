"""What the command line shows besides its reports: progress on stderr, and files written.

Shared by the analysis commands (:mod:`freedomcities.cli`) and the web app's
(:mod:`freedomcities.web.launch`). Progress is drawn only when a person watches
stderr, so scripts and pipes get the output alone.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from freedomcities.render import labels

PROGRESS_MIN_PAGES = 20  # shorter documents read too fast for a bar to help


def since(started: float) -> str:
    """Seconds since a time.monotonic() reading, for a person."""
    return f"{time.monotonic() - started:.1f} s"


def emit(text: str, output: Path | None) -> None:
    """Write text to a file, or to stdout when no file is given."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(
            f"Cannot write {str(output)!r}: {exc.strerror}. "
            "Check that the folder exists and is writable."
        ) from None


def slugs(values: Sequence[str]) -> list[str]:
    """Slugs given as repeated options and/or separated by commas, blanks dropped."""
    return [s.strip() for value in values for s in value.split(",") if s.strip()]


def stderr_is_terminal() -> bool:
    """Whether a person watches stderr (progress bars are drawn only then)."""
    return sys.stderr.isatty()


class Bar:
    """A rich progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._progress: Progress | None = None
        self._task: Any = None

    def _update(self, done: int, total: int) -> None:
        """Start the bar on first use, then move it."""
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=total, count="")
        self._progress.update(self._task, completed=done, total=total, count=f"{done}/{total}")

    def _pulse(self, description: str) -> None:
        """Swap the bar for a pulsing one: work of unknown length goes on."""
        if self._progress is not None:
            self._progress.remove_task(self._task)
            self._task = self._progress.add_task(description, total=None, count="")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


class PageProgress(Bar):
    """Pages read of one long document."""

    def __call__(self, done: int, total: int) -> None:
        if total >= PROGRESS_MIN_PAGES and stderr_is_terminal():
            self._update(done, total)
            if done >= total:
                self._pulse(labels()["judging"])


class StatusLine:
    """One line on stderr saying what a long job is doing now (only when a person watches)."""

    def __init__(self, first: str) -> None:
        self._console = Console(stderr=True)
        self._status: Any = None
        self._first = first

    def __call__(self, message: str) -> None:
        if self._status is not None:
            self._status.update(f"{self._first}: {message}")

    def __enter__(self) -> Self:
        if stderr_is_terminal():
            self._status = self._console.status(self._first)
            self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()


class CountProgress(Bar):
    """Documents done of several."""

    def __call__(self, done: int, total: int) -> None:
        if total > 1 and stderr_is_terminal():
            self._update(done, total)
