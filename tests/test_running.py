"""Running headers and footers are dropped when reading, so they never sit inside a quote."""

from __future__ import annotations

from pathlib import Path

import pytest

from freedomcities import read
from freedomcities.running import strip_running_lines
from tests.documents import make_pdf

HEADER = "Mesa Police Department\nMesa PD Policy Manual"
BODY = [
    "415.1 PURPOSE AND SCOPE\nThis policy provides guidance on immigration matters.",
    "415.2 POLICY\nOfficers shall not ask about immigration status. Members shall\n"
    "not hold a person on an immigration detainer.",
    "415.3 DETAINERS\nThe jail shall not give release dates to federal immigration agents.",
    "416.1 PURPOSE AND SCOPE\nThis policy covers public recording of officers.",
]


def _footer(page: int, chapter: str) -> str:
    return (
        f"Copyright Lexipol, LLC 2023/01/{page:02d}, All Rights Reserved.\n"
        f"Published with permission by Mesa Police Department\n{chapter} - {page + 288}"
    )


def _manual() -> list[str]:
    chapters = ["Immigration Violations"] * 3 + ["Public Recording"]
    return [
        f"{HEADER}\n{body}\n{_footer(number, chapters[number - 1])}"
        for number, body in enumerate(BODY, start=1)
    ]


def test_lines_on_most_pages_are_dropped_and_the_policy_kept() -> None:
    pages = strip_running_lines(_manual())
    assert pages == BODY


@pytest.mark.parametrize(
    ("pages", "kept"),
    [
        # Two pages cannot tell a header from a coincidence.
        (
            ["Policy Manual\nOne.", "Policy Manual\nTwo."],
            ["Policy Manual\nOne.", "Policy Manual\nTwo."],
        ),
        # A line on only half the pages is the policy's own.
        (
            ["Officers shall not.\nA", "Officers shall not.\nB", "C", "D"],
            ["Officers shall not.\nA", "Officers shall not.\nB", "C", "D"],
        ),
        # A sentence that begins with the header's words is the policy's own.
        (
            [
                "Mesa Police Department\nMesa Police Department members shall not ask.",
                "Mesa Police Department\nB",
                "Mesa Police Department\nC",
            ],
            ["Mesa Police Department members shall not ask.", "B", "C"],
        ),
        # A page number at the foot of every page goes; blank lines are never "repeated".
        (["A\n\nB\n1", "C\n\nD\n2", "E\n\nF\n3"], ["A\n\nB", "C\n\nD", "E\n\nF"]),
    ],
)
def test_only_what_repeats_on_most_pages_goes(pages: list[str], kept: list[str]) -> None:
    assert strip_running_lines(pages) == kept


def test_a_pdf_is_read_without_its_running_lines(tmp_path: Path) -> None:
    document = read(make_pdf("", tmp_path / "manual.pdf", pages_text=_manual()))
    assert "Copyright" not in document.text
    assert "Published with permission" not in document.text
    assert "Mesa PD Policy Manual" not in document.text
    assert "Officers shall not ask about immigration status." in document.text
    assert document.pages == 4
    assert document.page_text(3).startswith("415.3 DETAINERS")
