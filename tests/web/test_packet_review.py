"""The meeting packet of a reviewed scorecard speaks for the reviewers, not the machine.

A Lexipol-style manual (agency header and publisher's footer on every page) is
uploaded, analysed, reviewed by staff (one rule changed, the rest confirmed) and
published; its packet, as a web page and as a PDF, must read "Reviewed by ... on
...", carry the agency's name, show no confidence and no "made by a computer", and
quote none of the lines that repeat on most pages of the source.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.test import Client
from documents import make_pdf

from freedomcities import read
from freedomcities.running import _shape
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards.models import JobState, PolicyVersion

SAMPLE = Path(__file__).resolve().parents[2] / "freedomcities" / "samples"
SAMPLE_PDF = SAMPLE / "sample-city-pd-immigration-policy.pdf"
HEADER = "Sample Police Department\nSample PD Policy Manual"
FOOTER = "Copyright Lexipol, LLC 2024/03/01, All Rights Reserved.\nImmigration Violations - {page}"

pytestmark = pytest.mark.django_db(transaction=True)


def _manual(folder: Path) -> Path:
    """The sample policy laid out as a published manual, running lines on every page."""
    policy = read(SAMPLE_PDF).text.split("\n\n")
    per_page = max(1, len(policy) // 4)
    pages = [
        "\n\n".join(policy[start : start + per_page]) for start in range(0, len(policy), per_page)
    ]
    return make_pdf(
        "",
        folder / "policy-manual-export(3).pdf",
        pages_text=[
            f"{HEADER}\n{text}\n{FOOTER.format(page=number + 300)}"
            for number, text in enumerate(pages, start=1)
        ],
    )


def _running_lines(path: Path) -> set[str]:
    """The lines of the source PDF that repeat on most of its pages, read without stripping."""
    pdf = pdfium.PdfDocument(path)
    pages = [
        {_shape(line) for line in page.get_textpage().get_text_range().splitlines()} for page in pdf
    ]
    counts: dict[str, int] = {}
    for lines in pages:
        for line in lines - {""}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, count in counts.items() if count > len(pages) / 2}


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def test_a_reviewed_packet_says_who_reviewed_and_quotes_only_the_policy(
    tmp_path: Path, volunteer_client: Client, staff_client: Client, mesa_police: Agency
) -> None:
    source = _manual(tmp_path)
    running = _running_lines(source)
    assert any("copyright lexipol" in line for line in running)  # the test has teeth
    with source.open("rb") as handle:
        volunteer_client.post(
            f"/agencies/{mesa_police.pk}/upload/",
            {"obtained": "website", "policy_date": "2024-03-01", "file": handle},
        )
    version = PolicyVersion.objects.get()
    assert version.job_state == JobState.DONE, version.error
    rule = version.rule_results.get(rule_id="6")
    changed = "conflicts" if rule.status != "conflicts" else "silent"
    staff_client.post(
        f"/versions/{version.pk}/review/",
        {"rule": "6", "revision": 0, "status": changed, "reason": "Checked with the chief."},
    )
    version.refresh_from_db()
    staff_client.post(f"/versions/{version.pk}/confirm/", {"revision": version.revision})
    assert version.reviews.count() == version.rule_results.count()

    html = volunteer_client.get(f"/versions/{version.pk}/report/packet.html").content.decode()
    pdf = _pdf_text(volunteer_client.get(f"/versions/{version.pk}/report/packet.pdf").content)
    today = datetime.date.today().isoformat()
    for text in (html, " ".join(pdf.split())):
        assert f"Reviewed by affiliate staff on {today}" in text
        assert "Confidence" not in text
        assert "made by a computer" not in text
        assert "Sample police department (demo): " in text  # the agency, not the file name
        assert "policy-manual-export" not in text
    packet_lines = {_shape(line) for line in pdf.splitlines()}
    assert not running & packet_lines, running & packet_lines
    assert "Copyright Lexipol" not in html and "Copyright Lexipol" not in pdf


def test_an_unreviewed_packet_still_says_a_computer_made_it(
    volunteer_client: Client, mesa_police: Agency
) -> None:
    with SAMPLE_PDF.open("rb") as handle:
        volunteer_client.post(
            f"/agencies/{mesa_police.pk}/upload/",
            {"obtained": "website", "policy_date": "2024-03-01", "file": handle},
        )
    version = PolicyVersion.objects.get()
    html = volunteer_client.get(f"/versions/{version.pk}/report/packet.html").content.decode()
    assert "made by a computer" in html and "Confidence" in html
    assert "Reviewed by" not in html
