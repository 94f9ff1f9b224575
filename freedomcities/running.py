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
from collections.abc import Callable, Sequence

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
    most = len(pages) // 2 + 1
    shapes = _repeated(split, _shape, most)
    endings = _repeated(split, _numbered_ending, most)
    return [
        "\n".join(
            line
            for index, line in enumerate(lines)
            if not _running(line, _at_edge(lines, index), shapes, endings)
        ).strip()
        for lines in split
    ]


def _repeated(pages: list[list[str]], key: Callable[[str], str], most: int) -> set[str]:
    """The keys of lines near a page's edges found on at least ``most`` pages (each once)."""
    seen: Counter[str] = Counter()
    for lines in pages:
        keys = {key(line) for index, line in enumerate(lines) if _at_edge(lines, index)}
        seen.update(keys - {""})
    return {found for found, count in seen.items() if count >= most}


def _running(line: str, edge: bool, shapes: set[str], endings: set[str]) -> bool:
    """Whether a line is a running header or footer."""
    shape = _shape(line)
    if not shape:
        return False
    if shape in shapes and edge:
        return True
    return edge and _numbered_ending(line) in endings


def _at_edge(lines: list[str], index: int) -> bool:
    """Whether a line is among the first or last :data:`EDGE_LINES` of its page."""
    return index < EDGE_LINES or index >= len(lines) - EDGE_LINES


def _shape(line: str) -> str:
    """A line with digits blurred, spaces folded and case ignored: what repeats page to page."""
    return _SPACE.sub(" ", _DIGITS.sub("#", line)).strip().casefold()


def _numbered_ending(line: str) -> str:
    """How a line ends when it ends in a page number after some words ("... - #")."""
    words = _shape(line).split(" ")
    if len(words) < 3 or words[-1] != "#":
        return ""
    return "... " + " ".join(words[-2:])
