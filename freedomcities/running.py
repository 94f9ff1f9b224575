"""Running headers and footers: text that repeats on most pages of a document is not a quote.

Published manuals print the agency's name at the top of every page and a publisher's
line at the bottom ("Copyright Lexipol, LLC 2023/01/05, All Rights Reserved. Published
with permission by ..."). Read as text, those lines sit between the sentences of a
policy, so a quote that crosses a page break carried them into scorecards and packets.

Only lines near a page's edges (:data:`EDGE_LINES`), where running text sits, are
looked at. Such a line is dropped when, with its digits blurred (dates and page numbers
change from page to page), it appears near the edges of more than half of the pages,
or when it ends in a page number the way a line on most pages does: a footer that names
the current chapter ("Immigration Violations - 289") changes with the chapter but keeps
that ending.

Lines are never dropped for sharing their first words with a header: in real manuals the
policy's own sentences often begin with the agency's name ("Village of Lisle Police
Department employees may not ..."), the very words of the running header.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

MIN_PAGES = 3
"""Shorter documents keep every line: two pages cannot tell a header from a coincidence."""
EDGE_LINES = 8
"""How many lines at the top and at the bottom of a page may be running text."""

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def strip_running_lines(pages: Sequence[str]) -> list[str]:
    """The pages without the lines that repeat on most of them (headers, footers, page numbers).

    Args:
        pages: the text of each page, in order.

    Returns:
        The same pages, each without its running lines; a page is otherwise untouched.
    """
    if len(pages) < MIN_PAGES:
        return list(pages)
    split = [page.split("\n") for page in pages]
    edges = [_edge_shapes(lines) for lines in split]  # index -> shape, edge lines only
    most = len(pages) // 2 + 1
    shapes = _repeated((set(found.values()) for found in edges), most)
    endings = _repeated(({_numbered_ending(s) for s in found.values()} for found in edges), most)
    return [
        "\n".join(
            line
            for index, line in enumerate(lines)
            if not _running(found.get(index, ""), shapes, endings)
        ).strip()
        for lines, found in zip(split, edges, strict=True)
    ]


def _edge_shapes(lines: list[str]) -> dict[int, str]:
    """The shape of each line near the page's edges (the body is never running text)."""
    count = len(lines)
    near = sorted({*range(min(EDGE_LINES, count)), *range(max(0, count - EDGE_LINES), count)})
    return {index: _shape(lines[index]) for index in near}


def _repeated(keys_per_page: Iterable[set[str]], most: int) -> set[str]:
    """The keys found on at least ``most`` pages (each page counted once)."""
    seen: Counter[str] = Counter()
    for keys in keys_per_page:
        seen.update(keys - {""})
    return {found for found, count in seen.items() if count >= most}


def _running(shape: str, shapes: set[str], endings: set[str]) -> bool:
    """Whether an edge line (given by its shape; "" for the body) is a header or footer."""
    if not shape:
        return False
    return shape in shapes or _numbered_ending(shape) in endings


def _shape(line: str) -> str:
    """A line with digits blurred, spaces folded and case ignored: what repeats page to page."""
    return _SPACE.sub(" ", _DIGITS.sub("#", line)).strip().casefold()


def _numbered_ending(shape: str) -> str:
    """How a line's shape ends when it ends in a page number after some words ("... - #")."""
    words = shape.split(" ")
    if len(words) < 3 or words[-1] != "#":
        return ""
    return "... " + " ".join(words[-2:])
