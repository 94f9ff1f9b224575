"""Cutting real policy text into sentence-like spans."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freedomcities.sentences import normalize_space, sentence_spans


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def _corpus_text(shared_dir: Path, slug: str) -> str:
    raw = (shared_dir / "corpus" / f"{slug}.txt").read_text(encoding="utf-8")
    return raw.split("\n---\n", 1)[1]


# (real policy text, the spans expected), from the corpus and the manuals.
CASES = [
    # hard line breaks inside a sentence join; a sentence end with a citation splits
    (
        "If the violation is a criminal\r\nviolation, the officer may continue to detain the "
        "person for a reasonable period of time if requested\r\nby federal immigration officials "
        "(8 USC § 1357(g)(10)). No individual who is otherwise ready to\r\nbe released should "
        "continue to be detained only because questions about the individual\u2019s status\r\nare "
        "unresolved.",
        [
            "If the violation is a criminal\r\nviolation, the officer may continue to detain the "
            "person for a reasonable period of time if requested\r\nby federal immigration "
            "officials (8 USC § 1357(g)(10)).",
            "No individual who is otherwise ready to\r\nbe released should continue to be detained "
            "only because questions about the individual\u2019s status\r\nare unresolved.",
        ],
    ),
    # a list lead-in keeps its colon; each (a) item is its own span
    (
        "No member of this department will prohibit, or in any way restrict, any other member "
        "from doing any of the following regarding the citizenship or immigration status, lawful "
        "or unlawful, of any individual (8 USC § 1373):\n(a) Sending information to, or "
        "requesting or receiving such information from ICE\n(b) Maintaining such information in "
        "department records",
        [
            "No member of this department will prohibit, or in any way restrict, any other member "
            "from doing any of the following regarding the citizenship or immigration status, "
            "lawful or unlawful, of any individual (8 USC § 1373):",
            "(a) Sending information to, or requesting or receiving such information from ICE",
            "(b) Maintaining such information in department records",
        ],
    ),
    # 8 C.F.R. and a dotted regulation number do not end a sentence
    (
        "The power and authority to issue immigration detainers (8 C.F.R. § 287.7) and I-213, "
        "Record of Deportable/Inadmissible Alien. ICE will certify in writing.",
        [
            "The power and authority to issue immigration detainers (8 C.F.R. § 287.7) and I-213, "
            "Record of Deportable/Inadmissible Alien.",
            "ICE will certify in writing.",
        ],
    ),
    # U.S. and U.S.C. in the middle of a sentence
    (
        "Section 287(g) agreements under 8 U.S.C. 1357 are voluntary agreements which require "
        "local consent. DPD will refrain from entering into these agreements.",
        [
            "Section 287(g) agreements under 8 U.S.C. 1357 are voluntary agreements which require "
            "local consent.",
            "DPD will refrain from entering into these agreements.",
        ],
    ),
    (
        "Immigration and Customs Enforcement or Customs and Border Protection of the U.S. "
        "Department of Homeland Security. The City shall follow the Freedom of information Act.",
        [
            "Immigration and Customs Enforcement or Customs and Border Protection of the U.S. "
            "Department of Homeland Security.",
            "The City shall follow the Freedom of information Act.",
        ],
    ),
    # e.g., i.e., No., Sec., v. and initials
    (
        "The demographics (e.g. race, income) are different. Replace the officer(s) (i.e., "
        "the focus). See General Order No. 426.0 and Sec. 12H.2 of the code. "
        "Signed by J. Smith for the Dept. of Police. State v. Smith applies.",
        [
            "The demographics (e.g. race, income) are different.",
            "Replace the officer(s) (i.e., the focus).",
            "See General Order No. 426.0 and Sec. 12H.2 of the code.",
            "Signed by J. Smith for the Dept. of Police.",
            "State v. Smith applies.",
        ],
    ),
    # section numbers and decimals inside a sentence
    (
        "Officers follow 415.7.1 at all times. The rate is 2.5 hours. Then stop.",
        ["Officers follow 415.7.1 at all times.", "The rate is 2.5 hours.", "Then stop."],
    ),
    # headings in capitals, numbered headings and blank lines
    (
        "POLICY\n\nIt is the policy of the Decatur Police Department to comply with local, state "
        "or federal laws while\nprotecting the rights of all citizens.\n\nDEFINITIONS\n\n"
        "Section 287(g) Agreement: Partnership between ICE and a state.",
        [
            "POLICY",
            "It is the policy of the Decatur Police Department to comply with local, state or "
            "federal laws while\nprotecting the rights of all citizens.",
            "DEFINITIONS",
            "Section 287(g) Agreement: Partnership between ICE and a state.",
        ],
    ),
    (
        "415.7.1 IMMIGRATION DETAINERS\nNo individual should be held based solely on a federal "
        "immigration detainer under 8 CFR 287.7 or\nany other hold request.",
        [
            "415.7.1 IMMIGRATION DETAINERS",
            "No individual should be held based solely on a federal immigration detainer under 8 "
            "CFR 287.7 or\nany other hold request.",
        ],
    ),
    # numbered and lettered items, bullets, blank-line items without punctuation
    (
        "Take any additional steps necessary that may include, but are not limited to:\n"
        "1. Transfer to federal authorities.\n2. Lawful arrest for a criminal offense or warrant.",
        [
            "Take any additional steps necessary that may include, but are not limited to:",
            "1. Transfer to federal authorities.",
            "2. Lawful arrest for a criminal offense or warrant.",
        ],
    ),
    (
        "A. No law-enforcement officer shall inquire.\nB. Nothing in this section shall prohibit "
        "a law-enforcement officer from inquiring.",
        [
            "A. No law-enforcement officer shall inquire.",
            "B. Nothing in this section shall prohibit a law-enforcement officer from inquiring.",
        ],
    ),
    (
        'These hits may include some or all of the following language:\n\n- "Administrative '
        'Warrant of Removal from the United States"\n\n- "Outstanding Warrant for Deportation"',
        [
            "These hits may include some or all of the following language:",
            '- "Administrative Warrant of Removal from the United States"',
            '- "Outstanding Warrant for Deportation"',
        ],
    ),
    (
        "They are victims and/or witnesses of a crime\n\nWhen contacted during family "
        "disturbances\n\nThe enforcement of minor traffic offenses",
        [
            "They are victims and/or witnesses of a crime",
            "When contacted during family disturbances",
            "The enforcement of minor traffic offenses",
        ],
    ),
    # an inline lettered list after a colon
    (
        "circumstances indicate involvement with: a) Criminal activity b) Gang activity",
        ["circumstances indicate involvement with:", "a) Criminal activity b) Gang activity"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentences(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_offsets_are_absolute_and_bounded() -> None:
    text = "Preamble.\n413.2 POLICY\nIt is the policy. All members commit. Tail text."
    start = text.index("413.2")
    end = text.index(" Tail")
    spans = sentence_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == [
        "413.2 POLICY",
        "It is the policy.",
        "All members commit.",
    ]
    assert spans[0][0] == start
    assert spans[-1][1] <= end


def test_long_sentence_is_cut_at_a_semicolon_near_the_middle() -> None:
    clause = "officers shall not inquire into the immigration status of any person"
    text = "; ".join([clause] * 12) + "."
    spans = sentence_spans(text)
    assert len(spans) >= 2
    assert all(text[e - 1] == ";" for _, e in spans[:-1])
    assert (
        "".join(normalize_space(text[s:e]) for s, e in spans).replace(";", "; ").count("officers")
        == 12
    )


def test_long_sentence_without_a_boundary_is_kept() -> None:
    text = "word " * 200
    assert sentence_spans(text) == [(0, len(text) - 1)]


def test_urbana_chapter(shared_dir: Path) -> None:
    text = _corpus_text(shared_dir, "urbana-il-pd-immigration-violations-2015")
    sentences = [normalize_space(s) for s in _sentences(text)]
    assert "413.7.1 IMMIGRATION HOLDS" in sentences
    assert (
        "No individual should be held based solely on a federal immigration detainer under "
        "8 CFR 287.7 unless the person has been charged with a federal crime or the detainer "
        "is accompanied by a warrant, affidavit of probable cause, or removal order."
    ) in sentences
    assert "(b) Immigration and Customs Enforcement (ICE)" in sentences
    assert (
        "An individual who enters into the United States illegally has committed a "
        "misdemeanor (8 USC § 1325(a))."
    ) in sentences


def test_normalize_space() -> None:
    assert normalize_space(" If the violation\r\nis a  criminal\tviolation ") == (
        "If the violation is a criminal violation"
    )
    assert normalize_space("") == ""


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["U.S.", "No.", ". ", "\n", "\r\n", "\n\n", "(a) ", "1. ", "POLICY", ":", ";", " "]
        )
        | st.text(max_size=20),
        max_size=40,
    ),
    st.integers(min_value=-5, max_value=400),
    st.integers(min_value=0, max_value=400) | st.none(),
)
def test_spans_are_ordered_and_inside(parts: list[str], start: int, end: int | None) -> None:
    text = "".join(parts)
    spans = sentence_spans(text, start, end)
    low = max(0, start)
    high = len(text) if end is None else min(end, len(text))
    previous = low
    for s, e in spans:
        assert previous <= s < e <= high
        assert text[s:e] == text[s:e].strip()
        previous = e


@pytest.mark.slow
def test_manual_sentences_are_fast(shared_dir: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(shared_dir / "manuals" / "lisle-il-pd-policy-manual-2020.pdf")
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    best = min(_timed(lambda: sentence_spans(text)) for _ in range(3))
    line_scan = min(_timed(lambda: re.findall(r"(?m)^[^\r\n]*$", text)) for _ in range(3))
    print(f"sentence_spans: {best:.3f}s, {best / line_scan:.1f}x one line scan")
    assert best < 1.0 or best < 12 * line_scan
    assert len(sentence_spans(text)) > 10_000


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start
