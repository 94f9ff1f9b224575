"""Splitting real policy texts into their numbered and headed sections."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomcities.models import Document, Section
from freedomcities.sentences import normalize_space
from freedomcities.split import split

MANUALS = ("lisle-il-pd-policy-manual-2020", "north-riverside-il-pd-policy-manual-2020")


def _corpus_text(shared_dir: Path, slug: str) -> str:
    """A corpus policy's text, without the SOURCE/JURISDICTION header block."""
    raw = (shared_dir / "corpus" / f"{slug}.txt").read_text(encoding="utf-8")
    return raw.split("\n---\n", 1)[1]


def _split_text(text: str) -> tuple[Section, ...]:
    return split(Document(source="test", text=text))


def _outline(sections: tuple[Section, ...]) -> list[tuple[str | None, str | None]]:
    return [(s.label, s.heading) for s in sections]


def _manual_document(path: Path) -> Document:
    """A whole manual as pypdfium2 extracts it, one page after another."""
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(path)
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for index in range(len(pdf)):
        page_text = pdf[index].get_textpage().get_text_range() + "\n"
        starts.append(offset)
        parts.append(page_text)
        offset += len(page_text)
    pdf.close()
    return Document(source=str(path), text="".join(parts), page_starts=tuple(starts))


@pytest.fixture(scope="module", params=MANUALS)
def manual(request: pytest.FixtureRequest, shared_dir: Path) -> tuple[str, Document]:
    slug = request.param
    return slug, _manual_document(shared_dir / "manuals" / f"{slug}.pdf")


# (corpus slug, [(label, heading), ...] expected in this order among the sections)
CORPUS_OUTLINES = [
    (
        "urbana-il-pd-immigration-violations-2015",
        [
            ("413", "Immigration Violations"),
            ("413.1", "PURPOSE AND SCOPE"),
            ("413.4.1", "CIVIL VS. CRIMINAL FEDERAL OFFENSES"),
            ("413.4.2", "IMMIGRATION CHECKS"),
            ("413.7.1", "IMMIGRATION HOLDS"),
            ("413.9", "TRAINING"),
        ],
    ),
    (
        "smith-county-tx-so-287g-task-force-moa-2025",
        [
            (None, "MEMORANDUM OF AGREEMENT"),
            ("I", "PURPOSE"),
            ("V", "DESIGNATION OF AUTHORIZED FUNCTIONS"),
            ("XIII", "RELEASE OF INFORMATION TO THIRD PARTIES"),
            ("XVIII", "EFFECTIVE DATE, SUSPENSION, AND TERMINATION OF THIS MOA"),
        ],
    ),
    ("east-haven-ct-pd-428-2", [("I", "PURPOSE"), ("II", "POLICY")]),
    (
        "decatur-al-pd-go-426",
        [(None, "POLICY"), (None, "DEFINITIONS"), (None, "PROCEDURES")],
    ),
    (
        "santa-ana-ca-sanctuary-resolution-2016",
        [
            (None, "WHEREAS"),
            (None, "WHEREAS"),
            (None, "NOW THEREFORE"),
            ("1", None),
            ("3", None),
            ("4", "The City of Santa Ana will take all of the following actions"),
        ],
    ),
    ("new-london-ct-proposed-resolution-2018", [(None, "WHEREAS"), (None, "NOW THEREFORE")]),
    (
        "or-ors-181a-2021",
        [
            ("181A.820", "Enforcement of federal immigration laws; civil action for violation"),
            ("181A.823", None),
            ("181A.829", None),
            (
                "180.805",
                "Prohibited involvement of public bodies in federal immigration law enforcement",
            ),
        ],
    ),
    ("or-ors-181a-820-pre2021", [("181A.820", "Enforcement of federal immigration laws")]),
    (
        "denver-drmc-28-250",
        [("28-250", "Use of city funds and resources limited; exceptions")],
    ),
    (
        "seattle-spd-manual-6-020",
        [
            ("6.020", "Interactions with Foreign Nationals"),
            ("6.020-POL 1", "General Policy Regarding Contacts with Foreign Nationals"),
        ],
    ),
    (
        "wa-rcw-10-93-160",
        [
            (
                "10.93.160",
                "Immigration and citizenship status\u2014Law enforcement agency restrictions",
            )
        ],
    ),
    (
        "rockford-il-pd-biased-free-policing-2020",
        [
            (None, "POLICY"),
            (None, "PURPOSE"),
            ("I", "DEFINITIONS"),
            ("II", "RACIAL PROFILING/DISCRIMINATORY PRACTICES"),
            ("VII", "ADMINISTRATIVE REVIEW"),
        ],
    ),
    ("texas-sb4-2017-detainer-provisions", [("2.251", "Texas Code of Criminal Procedure")]),
]


def _in_order(expected: list[tuple[str | None, str | None]], outline: list) -> bool:
    """True when ``expected`` is a subsequence of ``outline`` (headings may be wildcards)."""
    rest = iter(outline)
    for label, heading in expected:
        for got_label, got_heading in rest:
            if got_label == label and (heading is None or got_heading == heading):
                break
        else:
            return False
    return True


@pytest.mark.parametrize(("slug", "expected"), CORPUS_OUTLINES, ids=[c[0] for c in CORPUS_OUTLINES])
def test_corpus_outlines(shared_dir: Path, slug: str, expected: list) -> None:
    outline = _outline(_split_text(_corpus_text(shared_dir, slug)))
    assert _in_order(expected, outline), outline


@pytest.mark.parametrize(
    "slug",
    [
        "urbana-il-pd-immigration-violations-2015",
        "rockford-il-pd-biased-free-policing-2020",
        "smith-county-tx-so-287g-task-force-moa-2025",
        "or-ors-181a-2021",
    ],
)
def test_corpus_sections_tile_the_text(shared_dir: Path, slug: str) -> None:
    text = _corpus_text(shared_dir, slug)
    sections = _split_text(text)
    assert "".join(s.text for s in sections) == text
    assert all(s.text == text[s.start : s.end] for s in sections)


@pytest.mark.parametrize(
    "slug",
    [
        "sf-admin-code-12h-2",
        "gilbert-az-pd-go-1006-ice-contacts-2007",
        "virginia-code-19-2-11-02-2020",
        "denver-drmc-28-250",
        "or-ors-181a-820-pre2021",
    ],
)
def test_list_items_are_not_sections(shared_dir: Path, slug: str) -> None:
    """(a), (1), A. and 1. items stay inside the section they belong to."""
    sections = _split_text(_corpus_text(shared_dir, slug))
    assert len(sections) == 1


def test_urbana_list_items_and_page_footers_stay_inside(shared_dir: Path) -> None:
    """'(a) An admission ...', '1. Transfer ...' and 'Immigration Violations - 1' are body text."""
    sections = _split_text(_corpus_text(shared_dir, "urbana-il-pd-immigration-violations-2015"))
    by_label = {s.label: s for s in sections}
    assert "Immigration Violations - 1" in by_label["413.4.1"].text
    assert "(b) Reason to suspect" in by_label["413.4.1"].text
    assert "1. Transfer to federal authorities." in by_label["413.4.3"].text
    assert "(8 USC § 1325(a))" in by_label["413.4.1"].text


def test_rockford_contents_list_does_not_swallow_sections(shared_dir: Path) -> None:
    """The order's list of its own sections comes first; the real sections keep the labels."""
    sections = _split_text(_corpus_text(shared_dir, "rockford-il-pd-biased-free-policing-2020"))
    firsts = [s for s in sections if s.label == "I"]
    assert len(firsts) == 1
    assert firsts[0].text.startswith("I. DEFINITIONS:")
    assert "A. Detention: The act of stopping" in firsts[0].text
    assert [s.label for s in sections if s.label] == ["I", "II", "III", "IV", "V", "VI", "VII"]


def test_rockford_paragraph_in_capitals_is_not_a_heading(shared_dir: Path) -> None:
    sections = _split_text(_corpus_text(shared_dir, "rockford-il-pd-biased-free-policing-2020"))
    headings = [s.heading or "" for s in sections]
    assert not any(h.startswith("ANY MEMBER OF THE DEPARTMENT") for h in headings)


# Real heading lines from policies of each style, with the label and heading split must find.
HEADING_LINES = [
    (
        "413.4.1 CIVIL VS. CRIMINAL FEDERAL OFFENSES",
        "413.4.1",
        "CIVIL VS. CRIMINAL FEDERAL OFFENSES",
    ),
    ("415.7.1 IMMIGRATION DETAINERS", "415.7.1", "IMMIGRATION DETAINERS"),
    ("428.2 POLICY", "428.2", "POLICY"),
    ("4.48(C) IMMIGRATION STATUS", "4.48(C)", "IMMIGRATION STATUS"),
    ("SEC. 12H.2. USE OF CITY FUNDS PROHIBITED.", "12H.2", "USE OF CITY FUNDS PROHIBITED"),
    ("Sec. 12H.2.\nUse of City Funds Prohibited.", "12H.2", "Use of City Funds Prohibited"),
    ("Section 3: City of Santa Ana officials", "3", None),
    ("SECTION 3. DEFINITIONS.", "3", "DEFINITIONS"),
    ("§ 28-250. Use of city funds and resources limited; exceptions.", "28-250", None),
    ("ORS 181A.820\nEnforcement of federal immigration laws", "181A.820", None),
    ("19.2-81.6. Authority of law-enforcement officers to arrest", "19.2-81.6", None),
    ("10.93.160 - Immigration and citizenship status", "10.93.160", None),
    ("XIX. TERMINATION", "XIX", "TERMINATION"),
    ("I. PURPOSE", "I", "PURPOSE"),
    ("Chapter 4 - Patrol Operations", "Chapter 4", "Patrol Operations"),
]


@pytest.mark.parametrize(("line", "label", "heading"), HEADING_LINES)
def test_heading_styles(line: str, label: str, heading: str | None) -> None:
    body = "\nThe Department shall not use City funds to assist federal immigration enforcement.\n"
    text = "Preamble of the policy.\n" + line + body
    sections = _split_text(text)
    assert len(sections) == 2, _outline(sections)
    assert sections[1].label == label
    if heading is not None:
        assert sections[1].heading == heading
    assert sections[1].text.startswith(line.split("\n")[0])


# Lines in running text that start like headings but are not.
NOT_HEADINGS = [
    "2. Lawful arrest for a criminal offense or warrant.",
    "(a) Sending information to, or requesting or receiving such information from ICE",
    "A. No law-enforcement officer, as defined in § 9.1-101, shall inquire",
    "8 USC § 1325(a) makes illegal entry a misdemeanor.",
    "Immigration Violations - 1",
    "Adoption Date: 2015/12/30",
    "Section 287(g) Agreement: Partnership between ICE and a state or local law",
    "Section 287(g) of the Immigration and Nationality Act (INA), codified at 8 U.S.C.",
    "287.7 unless the person has been charged with a federal crime or the detainer is",
    "Telephonically to the ICE OPR at the toll-free number 1-833-4ICE-OPR; or",
    "12/01/18",
    "ICE",
    "Department",
    "(325\nILCS 5/5)",
    "LAW ENFORCEMENT AGENCIES MAY NOT, BY VIRTUE OF THIS ORDER,",
    "415 - Immigration Violations . . . . . . . . . . . . . . . . . . 289",
]


@pytest.mark.parametrize("line", NOT_HEADINGS)
def test_running_text_is_not_a_heading(line: str) -> None:
    text = (
        "An officer should notify a supervisor as soon as practicable.\n" + line + "\nand more.\n"
    )
    assert len(_split_text(text)) == 1


def test_table_of_contents_line_does_not_swallow_the_section() -> None:
    text = (
        "Table of Contents\n"
        "415.7 INFORMATION SHARING 291\n"
        "415.7.1 IMMIGRATION DETAINERS 291\n"
        "415.8 U VISA AND T VISA NONIMMIGRANT STATUS 291\n"
        "CHIEF'S PREFACE\nThe Department Policy Manual provides the framework.\n"
        "415.7.1 IMMIGRATION DETAINERS\n"
        "No individual should be held based solely on a federal immigration detainer.\n"
    )
    sections = _split_text(text)
    detainers = [s for s in sections if s.label == "415.7.1"]
    assert len(detainers) == 1
    assert "held based solely" in detainers[0].text
    assert all(s.label not in ("415.7", "415.8") for s in sections)


def test_running_page_header_in_capitals_is_not_a_section() -> None:
    """Lexipol prints the chapter title on each page; only the first one is a heading."""
    header = (
        "Village of Lisle Police Department\nLisle PD Policy Manual\nRANGE REGULATIONS\n"
        "Copyright Lexipol, LLC 2020/05/04, All Rights Reserved.\n"
    )
    text = (
        "Policy\n304\n" + header + "RANGE REGULATIONS - 45\nRANGE REGULATIONS\n"
        "304.1 PURPOSE AND SCOPE\nThe range is used for training.\n"
        + header
        + "RANGE REGULATIONS - 46\nMore text about the range.\n"
    )
    assert _outline(_split_text(text)) == [
        ("304", "RANGE REGULATIONS"),
        ("304.1", "PURPOSE AND SCOPE"),
    ]


def test_pages_and_offsets() -> None:
    text = "POLICY\nFirst page text.\n415.1 PURPOSE AND SCOPE\nSecond page text.\n"
    second = text.index("Second")
    doc = Document(source="t", text=text, page_starts=(0, second))
    sections = split(doc)
    assert [(s.page_start, s.page_end) for s in sections] == [(1, 1), (1, 2)]
    assert sections[1].start == text.index("415.1")
    assert sections[1].end == len(text)


def test_empty_document() -> None:
    assert split(Document(source="t", text="")) == ()


def test_text_before_first_heading_has_no_label() -> None:
    sections = _split_text("City of Example\nPolicy text.\nDEFINITIONS\nAlien means.\n")
    assert _outline(sections) == [(None, None), (None, "DEFINITIONS")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "415.7.1 IMMIGRATION DETAINERS",
                "Policy\n415\n",
                "Immigration Violations",
                "I. PURPOSE",
                "WHEREAS, the City",
                "Sec. 12H.2.",
                "(a) Item",
                "\n",
                "\r\n",
                " ",
                "POLICY",
                "2. Lawful arrest.",
                ". . . . 12",
            ]
        )
        | st.text(max_size=30),
        max_size=30,
    )
)
def test_sections_tile_any_text(parts: list[str]) -> None:
    text = "\n".join(parts)
    sections = _split_text(text)
    assert "".join(s.text for s in sections) == text
    position = 0
    for section in sections:
        assert section.start == position
        assert section.start < section.end
        assert section.text == text[section.start : section.end]
        position = section.end
    assert position == len(text)


@pytest.mark.slow
def test_manual_decisive_sections(manual: tuple[str, Document], shared_dir: Path) -> None:
    """Each rule's decisive section (from the labels) is found and holds the rule's quote."""
    slug, document = manual
    labels = json.loads((shared_dir / "manuals" / f"{slug}.json").read_text(encoding="utf-8"))
    sections = split(document)
    checked = 0
    for rule_id, rule in labels["rules"].items():
        if not rule["section"]:
            continue
        found = [s for s in sections if s.label == rule["section"]]
        assert len(found) == 1, (rule_id, rule["section"], len(found))
        assert normalize_space(rule["quote"]) in normalize_space(found[0].text), rule_id
        checked += 1
    assert checked >= 8


@pytest.mark.slow
def test_manual_structure(manual: tuple[str, Document]) -> None:
    slug, document = manual
    sections = split(document)
    assert "".join(s.text for s in sections) == document.text
    chapter = {"lisle-il-pd-policy-manual-2020": "415"}.get(slug, "414")
    immigration = [s for s in sections if s.label == chapter]
    assert len(immigration) == 1
    assert immigration[0].heading == "Immigration Violations"
    assert immigration[0].page_start in (288, 289)
    contents_end = next(s.page_start for s in sections if s.label == "Chapter 1")
    assert contents_end >= 8
    numbered = [s for s in sections if s.label]
    assert all(s.page_start >= contents_end for s in numbered), "no contents-page sections"
    assert 1500 < len(sections) < 2500
    headings = [s.heading for s in sections if s.label is None]
    assert "RANGE REGULATIONS" not in headings[headings.index("CHIEF'S PREFACE") :]


@pytest.mark.slow
def test_manual_split_is_fast(manual: tuple[str, Document]) -> None:
    """Well under a second on an idle machine; on a loaded one, a few line scans' worth."""
    _, document = manual
    elapsed = min(_timed(lambda: split(document)) for _ in range(3))
    line_scan = min(_timed(lambda: _LINES_RE.findall(document.text)) for _ in range(3))
    print(f"split: {elapsed:.3f}s, {elapsed / line_scan:.1f}x one line scan")
    assert elapsed < 1.0 or elapsed < 12 * line_scan


_LINES_RE = re.compile(r"(?m)^[^\r\n]*$")


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start
