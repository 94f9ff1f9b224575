"""Writing a rendered output to a file, with one clear error when the system refuses."""

from __future__ import annotations

from pathlib import Path

from freedomcities.errors import ReportError


def write_file(data: str | bytes, path: Path) -> Path:
    """Write a rendered output (text as UTF-8), turning an OS failure into a ReportError."""
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise cannot_write(path, exc) from None
    return path


def cannot_write(path: Path, exc: OSError) -> ReportError:
    """The error for a report file that the system refused to write."""
    return ReportError(
        f"Cannot write {str(path)!r}: {exc.strerror or exc}. "
        "Check that the folder exists and is writable."
    )
