"""Split a policy document into the numbered and headed sections it is organised by.

Policy texts announce their structure in a handful of ways, and this module
recognises each with one compiled, multiline regular expression run over the
whole text (a 630-page manual is one string of about 1.5 M characters):

- dotted section numbers in manuals, orders and statutes: ``415.7.1 IMMIGRATION
  DETAINERS``, ``6.020 - Interactions with Foreign Nationals``, ``4.48(C) ...``;
- prefixed numbers: ``Section 3:``, ``Sec. 12H.2.``, ``§ 28-250.``, ``Chapter 4 -
  Patrol Operations``;
- citation lines with the title on the next line: ``ORS 181A.820`` /
  ``Enforcement of federal immigration laws``;
- roman numerals with a capitalised title: ``I. PURPOSE``, ``XIX. ...``;
- Lexipol chapter openings, ``Policy`` / ``415`` followed by the chapter title;
- resolution clauses: ``WHEREAS``, ``NOW THEREFORE``, ``RESOLVED``;
- headings in capitals on a line of their own: ``POLICY``, ``DEFINITIONS``.

List items such as ``(a)``, ``1.`` or ``A.`` stay inside their section: in a
manual they are the steps of one rule, and splitting them apart would cut a
rule from its lead-in. Table-of-contents lines (dot leaders, or an earlier copy
of a heading with a page number and no body) are not sections, so a contents
page cannot swallow the chapter it points to.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from freedomcities.models import Document, Section

_EOL = r"[ \t]*\r?$"
# A dotted section number: 415.7.1, 181A.820, 12H.2, 19.2-81.6, 4.48(C), 6.020-POL 1.
_DOTTED = (
    r"\d{1,4}[A-Z]{0,2}(?:\.\d{1,4}[A-Z]{0,2}){1,4}(?:[-\u2013]\d{1,4}(?:\.\d{1,4})*)?"
    r"(?:\([A-Za-z0-9]{1,4}\)){0,3}(?:-[A-Z]{2,5}[- ]\d{1,3})?"
)
# Any section number after an explicit "Section"/"Sec."/"§": 3, 28-250, 12H.2, 287(g).
_NUMBER = r"\d{1,4}[A-Z]{0,2}(?:[-.]\d{1,4}[A-Z]{0,2}){0,4}(?:\([A-Za-z0-9]{1,4}\)){0,3}"
_ROMAN = r"[IVXL]{1,7}"
_CAPS = r"[A-Z][A-Z0-9 ,;&/'\u2019()\-\u2013\u2014:.§]*[A-Z):]"
_CAPS_ANY_END = r"[A-Z][A-Z0-9 ,;&/'\u2019()\-\u2013\u2014:.§]*[A-Z):.,;]"

_DOTTED_RE = re.compile(
    rf"^[ \t]*(?P<label>{_DOTTED})\.?(?:[ \t]*[-\u2013\u2014:][ \t]*|[ \t]+)"
    rf"(?P<title>[A-Z][^\r\n]*?){_EOL}",
    re.M,
)
_PREFIXED_RE = re.compile(
    r"^[ \t]*(?P<prefix>Section|SECTION|Sec\.|SEC\.|§§?|Article|ARTICLE|Chapter|CHAPTER"
    rf"|Part|PART|Rule|RULE)[ \t]*(?P<label>{_NUMBER}|{_ROMAN})\.?"
    rf"(?:[ \t]*[.:\-\u2013\u2014][ \t]*(?P<title>[^\r\n]*?))?{_EOL}",
    re.M,
)
_CITATION_RE = re.compile(
    r"^[ \t]*(?P<prefix>(?:\d{4}[ \t]+)?[A-Z][\w.]*(?:[ \t]+(?:[A-Z][\w.]*|of|and|the)){0,4})"
    rf"[ \t]+(?P<label>{_DOTTED})(?:,|[ \t]*[-\u2013\u2014:][ \t]*(?P<title>[^\r\n]+?))?{_EOL}",
    re.M,
)
_ROMAN_RE = re.compile(
    rf"^[ \t]*(?P<label>{_ROMAN})\.(?:[ \t]+|[ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]*)"
    rf"(?P<title>{_CAPS}){_EOL}",
    re.M,
)
_CHAPTER_RE = re.compile(rf"^(?:Policy[ \t]*\r?\n)?[ \t]*(?P<label>\d{{1,4}}){_EOL}", re.M)
# A capitals line, unless the next line shows it is the first half of a wrapped
# page footer ("... - 430") or of a contents entry ("... . . . 439").
_CAPS_RE = re.compile(
    rf"^[ \t]*(?P<title>{_CAPS_ANY_END}){_EOL}"
    r"(?!\n[^\r\n]*?(?:[ \t][-\u2013][ \t]\d{1,4}|(?:\.[ \t]?){4,}[ \t]*\d*)[ \t]*\r?$)",
    re.M,
)
_CLAUSE_RE = re.compile(
    r"(?P<title>(?:NOW,? )?THEREFORE,? BE IT (?:FURTHER )?RESOLVED|NOW,? THEREFORE"
    r"|BE IT (?:FURTHER )?RESOLVED|FURTHER RESOLVED|RESOLVED|WHEREAS)\b"
)
_CLAUSE_LEAD_RE = re.compile(r"(?:\n|[.;:]|[A-Z]{2})[ \t]*\r?\n?[ \t]*$")
_DOT_LEADER_RE = re.compile(r"(?:\.[ \t]?){4,}[ \t]*\d*$|…")
_PAGE_NUMBER_RE = re.compile(r"[ \t]\d{1,4}$")
_LIST_ITEM_RE = re.compile(r"(?:\(?[A-Za-z0-9]{1,3}[.)]|[•·▪\-\u2013])[ \t]")
_BLANK_RE = re.compile(r"[ \t]*\r?\n[ \t]*")
_SPACE_RE = re.compile(r"\s+")

_MAX_TITLE = 150
_MAX_CAPS_LINES = 3
_TOC_BODY = 60


@dataclass(frozen=True)
class _Candidate:
    """A heading found in the text, before the table-of-contents and run checks."""

    start: int
    end: int
    label: str | None
    heading: str | None
    kind: str
    lines: int = 1
    page_like: bool = False
    open_end: bool = False


def split(document: Document) -> tuple[Section, ...]:
    """Split a document into its sections, in order, covering the whole text.

    Text before the first heading becomes a section with label ``None``. Each
    section keeps its offsets and pages so a finding inside it can be cited by
    section number and page.

    Args:
        document: The document to split.

    Returns:
        Sections in document order; their texts concatenate to ``document.text``.
    """
    text = document.text
    if not text:
        return ()
    heads = _select(text, _candidates(text))
    return tuple(_sections(document, heads))


def _candidates(text: str) -> list[_Candidate]:
    """Every heading any pattern finds, ordered by start then by pattern priority."""
    found: list[_Candidate] = []
    found += _clause_candidates(text)
    found += _numbered_candidates(text, _PREFIXED_RE, "prefixed")
    found += _numbered_candidates(text, _CITATION_RE, "citation")
    found += _numbered_candidates(text, _ROMAN_RE, "roman")
    dotted = _numbered_candidates(text, _DOTTED_RE, "dotted")
    found += dotted
    found += _chapter_candidates(text, dotted)
    found += _caps_candidates(text)
    order = {kind: i for i, kind in enumerate(_PRIORITY)}
    found.sort(key=lambda c: (c.start, order[c.kind]))
    return found


_PRIORITY = ("clause", "prefixed", "citation", "roman", "chapter", "dotted", "caps")


def _clause_candidates(text: str) -> Iterator[_Candidate]:
    """Resolution clauses (WHEREAS, NOW THEREFORE, RESOLVED) that open a sentence."""
    if "WHEREAS" not in text and "RESOLVED" not in text and "THEREFORE" not in text:
        return  # a manual, not a resolution: skip the slow unanchored scan
    for m in _CLAUSE_RE.finditer(text):
        lead = text[max(0, m.start() - 6) : m.start()]
        if m.start() == 0 or (not lead[-1].isalnum() and _CLAUSE_LEAD_RE.search(lead)):
            yield _Candidate(m.start(), m.end(), None, m["title"], "clause")


def _numbered_candidates(text: str, pattern: re.Pattern[str], kind: str) -> list[_Candidate]:
    """Numbered headings; a missing title is taken from a title-like next line."""
    found = []
    for m in pattern.finditer(text):
        title = _clean(m["title"])
        if _DOT_LEADER_RE.search(m.group(0)):
            continue
        if not _plausible_title(text, m.end(), title):
            if kind != "prefixed":
                continue
            title = None  # "Section 1: The City ..." opens a section with running text
        end = m.end()
        if title is None and kind in ("prefixed", "citation"):
            title, end = _next_line_title(text, m.end())
            if title is None and kind == "citation":
                title = _clean(m["prefix"]) if " " in m["prefix"].strip() else None
        label = _label(m, kind)
        page_like = bool(title and _PAGE_NUMBER_RE.search(title))
        found.append(_Candidate(m.start(), end, label, title, kind, page_like=page_like))
    return found


def _label(m: re.Match[str], kind: str) -> str:
    """The section label as printed, with "Chapter"/"Article"/"Part" kept as context."""
    label = m["label"]
    if kind == "prefixed" and m["prefix"][0] in "CcAaPp":
        return f"{m['prefix'].strip().title()} {label}"
    return label


def _plausible_title(text: str, end: int, title: str | None) -> bool:
    """False when a "title" is really running text that wraps onto the next line."""
    if title is None or title.upper() == title:
        return True
    if len(title) > _MAX_TITLE or title.endswith(","):
        return False
    following = text[end : end + 3].lstrip("\r\n \t")
    return not following[:1].islower()


def _next_line_title(text: str, pos: int) -> tuple[str | None, int]:
    """The next non-blank line as a title when it reads like one (short, no list marker)."""
    m = re.compile(r"(?:[ \t]*\r?\n)+[ \t]*([^\r\n]{1,120}?)[ \t]*\r?(?=\n|$)").match(text, pos)
    if m is None:
        return None, pos
    line = m[1]
    if (
        not line[:1].isupper()
        or _LIST_ITEM_RE.match(line)
        or line.endswith(":")
        or ": " in line
        or not _plausible_title(text, m.end(), line)
    ):
        return None, pos
    return _clean(line), m.end()


def _chapter_candidates(text: str, dotted: list[_Candidate]) -> Iterator[_Candidate]:
    """Lexipol chapter openings: a bare number whose first subsection is ``<number>.1``.

    The chapter title is the last line before that first subsection (after the
    page header Lexipol prints there).
    """
    starts = [c.start for c in dotted]
    for m in _CHAPTER_RE.finditer(text):
        i = bisect.bisect_left(starts, m.end())
        if i == len(dotted) or not (dotted[i].label or "").startswith(m["label"] + "."):
            continue
        if dotted[i].start - m.end() > 2000:
            continue
        _, title = _last_line(text, m.end(), dotted[i].start)
        yield _Candidate(
            m.start(), dotted[i].start if title else m.end(), m["label"], title, "chapter"
        )


def _last_line(text: str, lo: int, hi: int) -> tuple[int, str | None]:
    """The last non-blank line in ``text[lo:hi]`` and where it starts."""
    block = text[lo:hi].rstrip()
    cut = max(block.rfind("\n"), -1) + 1
    line = block[cut:].strip()
    return lo + cut, (_clean(line) if line else None)


def _caps_candidates(text: str) -> Iterator[_Candidate]:
    """Lines in capitals with at least four letters (runs ending like a sentence go later)."""
    for m in _CAPS_RE.finditer(text):
        title = m["title"]
        if sum(ch.isalpha() for ch in title) >= 4 and title.count("(") == title.count(")"):
            open_end = title[-1] in ".,;"
            yield _Candidate(m.start(), m.end(), None, _clean(title), "caps", open_end=open_end)


def _clean(title: str | None) -> str | None:
    """Collapse whitespace and drop trailing separators; ``None`` when nothing is left."""
    if title is None:
        return None
    cleaned = _SPACE_RE.sub(" ", title).strip().rstrip(".:,;\u2013\u2014- ").strip()
    return cleaned or None


def _select(text: str, found: list[_Candidate]) -> list[_Candidate]:
    """Drop nested finds, join wrapped capital lines, drop running headers and TOC entries."""
    kept: list[_Candidate] = []
    for cand in found:
        if kept and cand.start < kept[-1].end:
            continue
        if kept and cand.kind == "caps" and _continues(text, kept[-1], cand):
            prev = kept[-1]
            heading = f"{prev.heading} {cand.heading}" if prev.heading else cand.heading
            lines = prev.lines + 1
            kept[-1] = replace(
                prev, end=cand.end, heading=heading, lines=lines, open_end=cand.open_end
            )
            continue
        kept.append(cand)
    return _drop_contents_entries(text, _drop_running_headers(kept))


def _drop_running_headers(found: list[_Candidate]) -> list[_Candidate]:
    """Drop capital headings that repeat a title already seen in the same chapter.

    Manuals print the chapter title at the top of every page; only its first
    appearance is a heading. Runs of more than three capital lines are prose.
    """
    kept: list[_Candidate] = []
    seen: set[str] = set()
    for cand in found:
        key = (cand.heading or "").upper()
        if cand.kind == "chapter":
            seen = {key}
        elif cand.kind == "caps":
            if key in seen or cand.lines > _MAX_CAPS_LINES or cand.open_end:
                continue
            seen.add(key)
        kept.append(cand)
    return kept


def _continues(text: str, prev: _Candidate, cand: _Candidate) -> bool:
    """True when a capitals line directly continues the heading on the line above."""
    if prev.heading is None or prev.heading.upper() != prev.heading:
        return False
    if prev.kind in ("clause", "chapter") or prev.heading.endswith(":"):
        return False
    if prev.kind != "caps" and prev.lines >= 2:
        return False
    return _BLANK_RE.fullmatch(text, prev.end, cand.start) is not None


def _drop_contents_entries(text: str, kept: list[_Candidate]) -> list[_Candidate]:
    """Drop contents entries: a bare heading ending in a page number, or an earlier copy.

    An earlier copy of a label is a contents entry when it has no body or ends
    in a page number; the later copy is the real section.
    """
    last_index: dict[str, int] = {}
    for i, cand in enumerate(kept):
        if cand.label is not None:
            last_index[cand.label] = i
    result = []
    for i, cand in enumerate(kept):
        if cand.label is None:
            result.append(cand)
            continue
        nxt = kept[i + 1].start if i + 1 < len(kept) else len(text)
        body = text[cand.end : min(nxt, cand.end + 20 * _TOC_BODY)]
        bare = len("".join(body.split())) < _TOC_BODY
        copied = last_index[cand.label] > i
        if (copied and (cand.page_like or bare)) or (cand.page_like and bare):
            continue
        result.append(cand)
    return result


def _sections(document: Document, heads: list[_Candidate]) -> Iterator[Section]:
    """Turn heading positions into sections that tile the text."""
    text = document.text
    starts = [h.start for h in heads]
    if not heads or starts[0] > 0:
        if heads and not text[: starts[0]].strip():
            starts[0] = 0
        else:
            yield _section(document, None, None, 0, starts[0] if heads else len(text))
    for i, head in enumerate(heads):
        end = starts[i + 1] if i + 1 < len(heads) else len(text)
        yield _section(document, head.label, head.heading, starts[i], end)


def _section(
    document: Document, label: str | None, heading: str | None, start: int, end: int
) -> Section:
    """One section with its page span."""
    return Section(
        label=label,
        heading=heading,
        start=start,
        end=end,
        page_start=document.page_at(start),
        page_end=document.page_at(max(start, end - 1)),
        text=document.text[start:end],
    )
