"""Cut policy text into sentence-like spans for judging, one compiled scan per call.

Policy text mostly comes from PDFs, where a line break is where the page ran
out of room, not where a thought ended. So a single newline joins; what ends a
span is a sentence end (``.``, ``!``, ``?``), a blank line, a list item or a
section number at the start of a line, or a heading line in capitals. A list's
lead-in ("... under the following conditions:") stays its own span, because it
often carries the rule ("Officers will not notify ICE ...") that its items
only qualify.

Legal text is full of periods that end nothing: ``U.S.C.``, ``8 C.F.R. 287.7``,
``No. 426``, ``Sec. 12H.2``, ``e.g.``, initials. Those are checked on the few
characters before each candidate break, not by a second pass over the text.
"""

from __future__ import annotations

import re

_LIST_MARK = (
    r"(?:\(\w{1,4}\)|\d{1,3}[.)]|[A-Za-z][.)]|[ivx]{1,5}[.)]|[•·▪●◦■□➢✓*\u2013-]|x(?=[ \t]+[A-Z]))"
)
_CAPS_LINE = r"[A-Z][A-Z0-9 ,;&/'\u2019()\-\u2013\u2014:.§]*[A-Z):]"
_HEAD_LINE = rf"(?:\d{{1,4}}[A-Z]?(?:\.\d{{1,4}}[A-Z]?)+[ \t]+[A-Z][^\r\n]{{0,150}}|{_CAPS_LINE})"

# Each match is a break: either a gap (whitespace) between two spans, or a
# heading line, which is a span of its own with breaks on both sides.
_BREAK_RE = re.compile(
    rf"(?P<head>^[ \t]*{_HEAD_LINE}[ \t]*\r?$)"
    rf"|(?P<gap>\r?\n[ \t]*(?:(?:\r?\n[ \t]*)+|(?={_LIST_MARK}[ \t])))"
    r"|(?P<stop>[.!?][\"\u201d\u2019')\]]*(?:[ \t]*\r?\n[ \t]*|[ \t]+)"
    r"(?=[\"\u201c\u2018(\[A-Z0-9•§]))"
    r"|(?P<lead>:[ \t]+(?=\(?[a-z0-9]{1,3}\)[ \t]))",
    re.M,
)
_TOKEN_BEFORE_RE = re.compile(r"(\S*)[.!?][\"\u201d\u2019')\]]*$")
# Words whose period does not end a sentence (compared lower-case, period dropped).
_ABBREVIATION_WORDS = """u.s us u.s.c usc u.s.a c.f.r cfr e.g i.e no nos sec secs inc dept v vs etc
st mr mrs ms dr jr sr co corp ltd art ch para pp p fig al approx gen gov rev stat ord res ilcs rcw
ors subd subsec cl cal ill ariz tex wash ore mun ann amend id cf est jan feb mar apr jun jul aug
sep sept oct nov dec"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_INLINE_MARK_RE = re.compile(r"\b[a-z]+[ \t]+[a-h]\.\Z")
_LIST_NUMBER_RE = re.compile(r"\d{1,3}|[a-z]|[ivxl]{1,5}")
_SPACE_RE = re.compile(r"\s+")
_LONG = 600
_CUT_RE = re.compile(r";[ \t\r\n]+|,[ \t\r\n]+and[ \t\r\n]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentence-like spans with absolute offsets.

    Spans are stripped of surrounding whitespace, in order, non-empty and do
    not overlap, so a judge can quote ``text[s:e]`` and cite its offset.

    Args:
        text: The whole document text (offsets stay document-wide).
        start: Where to begin, e.g. a section's start.
        end: Where to stop (defaults to the end of ``text``).

    Returns:
        ``(start, end)`` pairs; spans over 600 characters are cut at a ``;``
        or ``, and`` near their middle when there is one.
    """
    stop = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _BREAK_RE.finditer(text, start, stop):
        kind = m.lastgroup
        if kind == "stop" and _after_abbreviation(text, m.start() + 1):
            continue
        if kind == "head":
            _add(text, spans, pos, m.start())
        # a sentence end or lead-in keeps its punctuation; the whitespace is the gap
        cut = m.start() + len(m.group().rstrip()) if kind in ("stop", "lead", "head") else m.start()
        _add(text, spans, m.start() if kind == "head" else pos, cut)
        pos = m.end()
    _add(text, spans, pos, stop)
    return spans


def normalize_space(s: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends.

    PDF quotes span line breaks and page layouts differ, so quotes are
    compared in this form.
    """
    return _SPACE_RE.sub(" ", s).strip()


def _after_abbreviation(text: str, pos: int) -> bool:
    """True when the period before ``pos`` ends an abbreviation, initial or citation."""
    m = _TOKEN_BEFORE_RE.search(text, max(0, pos - 16), pos)
    if m is None:
        return False
    token = m[1].lstrip("(\"\u201c\u2018'[").lower()
    if _LIST_NUMBER_RE.fullmatch(token) and _at_line_start(text, m.start()):
        return True  # "1. Transfer ..." is a list number, not a sentence
    if token in _ABBREVIATIONS or token.endswith("§"):
        return True
    if len(token) == 1 and token.isalpha() and text[pos - 2 : pos - 1].isupper():
        return True  # an initial: "J. Smith", "a. Detaining" is handled as a list mark
    if len(token) == 1 and token in "abcdefgh" and _INLINE_MARK_RE.search(text, 0, pos):
        return True  # "a judicial warrant prior to a. Detaining ...": a list inside a sentence
    return bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", token))


def _at_line_start(text: str, pos: int) -> bool:
    """True when only spaces lie between the previous newline (or the start) and ``pos``."""
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip(" \t(")


def _add(text: str, spans: list[tuple[int, int]], lo: int, hi: int) -> None:
    """Append the stripped span ``text[lo:hi]`` (cut when very long) if non-empty."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    if lo >= hi:
        return
    if hi - lo > _LONG:
        cut = _middle_cut(text, lo, hi)
        if cut is not None:
            _add(text, spans, lo, cut[0])
            _add(text, spans, cut[1], hi)
            return
    spans.append((lo, hi))


def _middle_cut(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The ``;`` or ``, and`` boundary nearest the middle of a long span, as (end, next)."""
    middle = (lo + hi) // 2
    best: tuple[int, int] | None = None
    for m in _CUT_RE.finditer(text, lo + 40, hi - 40):
        left = m.start() + 1
        right = m.end() if m.group().startswith(";") else m.end() - 4
        if best is None or abs(left - middle) < abs(best[0] - middle):
            best = (left, right)
    return best
