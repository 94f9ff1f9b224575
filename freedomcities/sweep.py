"""A sweep's input and output: the manifest of agencies, and the JSON Lines file of results.

A national sweep analyses one policy file per agency (about 18,000 of them).
The manifest is a CSV with one agency per line: its name, the Open Civic Data
id of its jurisdiction, and the path of its policy file (a path every worker
machine can read), plus, optionally, the policy's date. The web app queues one
job per line (:mod:`freedomcities.web.scorecards.sweep`) and researchers get
one JSON object per analysed file in a JSON Lines file, written here.

This module is plain Python: no Django, no queue.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from freedomcities.errors import ManifestError

COLUMNS: Final = ("name", "ocd_id", "path")
"""The columns every manifest has, in this order when there is no header line."""

OPTIONAL_COLUMNS: Final = ("date",)
"""Columns a manifest with a header may add: ``date`` is the policy's date, YYYY-MM-DD."""

_EXAMPLE = "name,ocd_id,path"


@dataclass(frozen=True)
class ManifestRow:
    """One agency's file to analyse."""

    line: int
    name: str
    ocd_id: str
    path: Path
    date: datetime.date | None = None


def read_manifest(path: str | Path) -> list[ManifestRow]:
    """Read a sweep manifest.

    A header line is optional; without one the columns are ``name, ocd_id,
    path``. Relative paths are relative to the manifest's folder. Whether each
    file exists is not checked here: a missing file is that line's error, listed
    at the end of the sweep, and never stops the others.

    Raises:
        ManifestError: the manifest is missing, not a CSV of these columns, or empty.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ManifestError(f"There is no manifest at {path}. Check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(
            f"The manifest {path} cannot be read as UTF-8 text ({exc}). Save it as CSV, UTF-8."
        ) from None
    lines = list(csv.reader(text.splitlines()))
    columns, first = _header(lines, path)
    rows = [
        _row(cells, number, columns, path.parent)
        for number, cells in enumerate(lines[first:], start=first + 1)
        if any(cell.strip() for cell in cells)
    ]
    if not rows:
        raise ManifestError(f"The manifest {path} lists no agencies. Put one per line: {_EXAMPLE}.")
    return rows


def _header(lines: list[list[str]], path: Path) -> tuple[list[str], int]:
    """The manifest's columns and the index of its first data line."""
    first = next((cells for cells in lines if any(c.strip() for c in cells)), None)
    if first is None:
        return list(COLUMNS), 0
    named = [cell.strip().lower() for cell in first]
    if not set(named) & {*COLUMNS, *OPTIONAL_COLUMNS}:
        return list(COLUMNS), 0
    missing = [column for column in COLUMNS if column not in named]
    if missing:
        raise ManifestError(
            f"The manifest {path} has a header line without the column(s) "
            f"{', '.join(missing)}. The header must name {', '.join(COLUMNS)} "
            f"(and may add {', '.join(OPTIONAL_COLUMNS)})."
        )
    return named, lines.index(first) + 1


def _row(cells: list[str], number: int, columns: list[str], folder: Path) -> ManifestRow:
    """One data line as a row, or a ManifestError naming the line."""
    values = dict(zip(columns, (cell.strip() for cell in cells), strict=False))
    empty = [column for column in COLUMNS if not values.get(column)]
    if empty:
        raise ManifestError(
            f"Line {number} of the manifest has no {' or '.join(empty)}. "
            f"Each line needs {', '.join(COLUMNS)}."
        )
    if not values["ocd_id"].startswith("ocd-division/"):
        raise ManifestError(
            f"Line {number} of the manifest gives {values['ocd_id']!r} as the OCD id; it should "
            "look like ocd-division/country:us/state:az/place:mesa."
        )
    return ManifestRow(
        line=number,
        name=values["name"],
        ocd_id=values["ocd_id"],
        path=(folder / values["path"]).resolve(),
        date=_date(values.get("date", ""), number),
    )


def _date(text: str, number: int) -> datetime.date | None:
    """A policy date, or None when the column is blank."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ManifestError(
            f"Line {number} of the manifest has the date {text!r}; write it as YYYY-MM-DD."
        ) from None


class JsonLines:
    """The researchers' file: one JSON object per analysed file, appended as results arrive.

    Lines already in the file (from an earlier run of the same sweep) are not
    written again, so a resumed sweep leaves each result once.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._seen = set(self._keys())

    def _keys(self) -> Iterator[tuple[str, str, str]]:
        try:
            with self.path.open(encoding="utf-8") as file:
                for line in file:
                    try:
                        yield _key(json.loads(line))
                    except (ValueError, KeyError, TypeError):
                        continue  # a line cut short when a run was stopped
        except FileNotFoundError:
            return

    def write(self, records: Iterable[dict[str, Any]]) -> int:
        """Append the records not yet in the file; return how many were written."""
        fresh = [record for record in records if _key(record) not in self._seen]
        if not fresh:
            return 0
        with self.path.open("a", encoding="utf-8") as file:
            if file.tell() and not self._ends_with_newline():
                file.write("\n")  # after a line cut short when a run was stopped
            for record in fresh:
                file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                self._seen.add(_key(record))
        return len(fresh)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as file:
            file.seek(-1, 2)
            return file.read(1) == b"\n"


def _key(record: dict[str, Any]) -> tuple[str, str, str]:
    """What makes a result the same: the agency, the file's content and the judge."""
    return (str(record["ocd_id"]) + "|" + str(record["agency"]), record["sha256"], record["judge"])
