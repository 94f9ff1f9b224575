"""Hostile files end quickly, within the memory limit, with a message naming the limit.

Each file is built by the test (see ``tests/hostile.py``), small on disk and
enormous once read, and read the way the CLI and the web app read: in a child
process with memory and time limits (:func:`freedomcities.isolate.read_measured`).
Every row must end in under 60 seconds, below 1 GB, with a plain message.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from freedomcities.errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    SettingError,
    UnsupportedFormat,
)
from freedomcities.isolate import ChildReading, read_measured
from freedomcities.limits import MB, Limits, limits_table
from freedomcities.read import read
from tests import hostile
from tests.documents import png_bytes

SECONDS = 60
MEMORY = 1_000_000_000

Build = Callable[[Path], Path]

HOSTILE: list[tuple[str, Build, Limits, type[DocumentError], str]] = [
    (
        "pdf stream bomb",
        lambda tmp: hostile.pdf_stream_bomb(tmp / "bomb.pdf"),
        Limits(),
        DocumentTooLarge,
        r"page stream that inflates to more than the limit of 32 MB.*FREEDOMCITIES_MAX_STREAM_MB",
    ),
    (
        "pdf picture bomb",
        lambda tmp: hostile.pdf_picture_bomb(tmp / "picture.pdf"),
        Limits(),
        DocumentTooLarge,
        r"picture that inflates to more than the limit of 256 MB.*FREEDOMCITIES_MAX_PICTURE_MB",
    ),
    (
        "pdf many streams",
        lambda tmp: hostile.pdf_many_streams(tmp / "many.pdf", pages=40, inflated_each=30 * MB),
        Limits(max_inflated_bytes=500 * MB),
        DocumentTooLarge,
        r"inflates to more bytes than the limit of 500 MB.*FREEDOMCITIES_MAX_INFLATED_MB",
    ),
    (
        "pdf crowded page",
        lambda tmp: hostile.pdf_crowded_page(tmp / "crowded.pdf", lines=3000),
        Limits(),
        DocumentTooLarge,
        r"page \(page 1\) with more characters than the limit of 200,000 characters"
        r".*FREEDOMCITIES_MAX_PAGE_CHARS",
    ),
    (
        "pdf page that needs more memory than allowed",
        lambda tmp: hostile.pdf_crowded_page(tmp / "memory.pdf", lines=400_000),
        Limits(max_stream_bytes=200 * MB, max_memory_bytes=300 * MB),
        DocumentTooLarge,
        r"needs more memory to read than the limit of 300 MB.*FREEDOMCITIES_MAX_MEMORY_MB",
    ),
    (
        "pdf page slower than allowed",
        lambda tmp: hostile.pdf_crowded_page(tmp / "slow.pdf", lines=150_000),
        Limits(max_stream_bytes=200 * MB, max_seconds=1),
        DocumentTooLarge,
        r"took longer to read than the limit of 1 seconds.*FREEDOMCITIES_MAX_SECONDS",
    ),
    (
        "pdf with broken streams",
        lambda tmp: hostile.pdf_with_broken_streams(tmp / "broken.pdf"),
        Limits(),
        CorruptDocument,
        r"damaged or incomplete PDF",
    ),
    (
        "docx xml bomb",
        lambda tmp: hostile.docx_xml_bomb(tmp / "bomb.docx"),
        Limits(),
        DocumentTooLarge,
        r"XML part that inflates to more than the limit of 64 MB.*FREEDOMCITIES_MAX_XML_MB",
    ),
    (
        "docx deep xml",
        lambda tmp: hostile.docx_deep_xml(tmp / "deep.docx"),
        Limits(),
        DocumentTooLarge,
        r"has XML nested deeper than 256 levels, the most the XML reader accepts",
    ),
    (
        "docx picture bomb",
        lambda tmp: hostile.docx_picture_bomb(tmp / "picture.docx"),
        Limits(),
        DocumentTooLarge,
        r"part that inflates to more than the limit of 256 MB",
    ),
    (
        "docx with an unsupported zip compression",
        lambda tmp: hostile.docx_with_compression(tmp / "deflate64.docx", 9),
        Limits(),
        UnsupportedFormat,
        r"kind of zip compression \(method 9\) that cannot be read.*save it again",
    ),
    (
        "docx with zip-encrypted parts",
        lambda tmp: hostile.docx_zip_encrypted(tmp / "zipcrypt.docx"),
        Limits(),
        EncryptedDocument,
        r"protected by a password",
    ),
    (
        "docx protected by a password",
        lambda tmp: hostile.docx_password(tmp / "locked.docx"),
        Limits(),
        EncryptedDocument,
        r"Word document protected by a password",
    ),
    (
        "docx of pictures only",
        lambda tmp: hostile.docx_pictures_only(tmp / "scan.docx", _page_picture(tmp)),
        Limits(),
        EmptyDocument,
        r"holds only pictures, no text.*PDF",
    ),
    (
        "huge text",
        lambda tmp: _huge_text(tmp / "huge.txt", 90 * MB),
        Limits(),
        DocumentTooLarge,
        r"more characters than the limit of 20,000,000 characters.*FREEDOMCITIES_MAX_CHARS",
    ),
    (
        "long text past a lower limit",
        lambda tmp: _huge_text(tmp / "long.txt", 3 * MB),
        Limits(max_chars=1_000_000),
        DocumentTooLarge,
        r"more characters than the limit of 1,000,000 characters",
    ),
]


def _page_picture(tmp: Path) -> Path:
    path = tmp / "page.png"
    path.write_bytes(png_bytes(Image.new("L", (400, 500), 255)))
    return path


def _huge_text(path: Path, size: int) -> Path:
    line = b"Officers shall not ask about immigration status. " * 2 + b"\n"
    with path.open("wb") as file:
        for _ in range(size // (len(line) * 10_000) + 1):
            file.write(line * 10_000)
    return path


@pytest.mark.parametrize(
    ("build", "limits", "error", "message"),
    [row[1:] for row in HOSTILE],
    ids=[row[0] for row in HOSTILE],
)
def test_hostile_file_ends_quickly_below_the_memory_limit_with_a_clear_message(
    tmp_path: Path, build: Build, limits: Limits, error: type[DocumentError], message: str
) -> None:
    path = build(tmp_path)
    if path.suffix != ".txt":  # small on disk: the cost is all in the reading
        assert path.stat().st_size < 20 * MB

    outcome = read_measured(path, ocr=None, limits=limits)

    assert isinstance(outcome.error, error), outcome
    assert outcome.error is not None
    assert str(outcome.error).startswith(path.name)
    assert re.search(message, str(outcome.error), re.DOTALL)
    assert outcome.seconds < SECONDS
    assert outcome.peak_bytes < MEMORY


def test_mixed_encodings_are_decoded_line_by_line(tmp_path: Path) -> None:
    document = read(hostile.mixed_encodings(tmp_path / "mixed.txt"), ocr=None)
    assert document.text.splitlines() == [
        "Política de inmigración: “los oficiales” no preguntarán.",
        "Officers shall not ask about a person\u2019s status — résumé of § 4.",
        "Señor García está protegido por la sección 5.",
        "Café and naïve, from an old office file.",
    ]


def test_a_bomb_is_refused_by_read_alone_too(tmp_path: Path) -> None:
    """The limits are checked while reading, not only by the child's memory cap."""
    with pytest.raises(DocumentTooLarge, match="FREEDOMCITIES_MAX_STREAM_MB"):
        read(hostile.pdf_stream_bomb(tmp_path / "bomb.pdf"), ocr=None)


def test_an_ordinary_file_reads_the_same_in_the_child(tmp_path: Path) -> None:
    text = "Officers shall not ask about immigration status.\nThey shall not detain anyone."
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    outcome: ChildReading = read_measured(tmp_path / "plain.txt", ocr=None)
    assert outcome.error is None and outcome.document is not None
    assert outcome.document == read(tmp_path / "plain.txt", ocr=None)


def test_a_plain_script_without_a_main_guard_can_analyze(tmp_path: Path) -> None:
    """The child reads the file without running the caller's script a second time."""
    policy = tmp_path / "policy.txt"
    policy.write_text("Officers shall not ask any person about immigration status.\n")
    script = tmp_path / "script.py"
    script.write_text(
        "from freedomcities import analyze\n"
        "print('top level')\n"
        f"card = analyze({str(policy)!r})\n"
        "print(dict((r.rule_id, r.status) for r in card.results)['5'])\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert (done.returncode, done.stdout.split()) == (0, ["top", "level", "meets"]), done.stderr


def test_a_pool_after_the_model_has_run_analyses_every_file(tmp_path: Path) -> None:
    """Pool workers start clean: a fork would inherit the model without its threads, and hang."""
    policies = []
    for name in ("a", "b"):
        policy = tmp_path / f"{name}.txt"
        policy.write_text("Officers shall not ask any person about immigration status.\n")
        policies.append(str(policy))
    script = tmp_path / "script.py"
    script.write_text(
        "from freedomcities import analyze, analyze_many\n"
        f"analyze({policies[0]!r})\n"
        f"for path, card in analyze_many({policies!r}, workers=2):\n"
        "    print(dict((r.rule_id, r.status) for r in card.results)['5'])\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert (done.returncode, done.stdout.split()) == (0, ["meets", "meets"]), done.stderr


def test_progress_comes_back_from_the_child(tmp_path: Path) -> None:
    from tests.documents import make_pdf

    path = make_pdf("", tmp_path / "p.pdf", pages_text=["One.", "Two.", "Three."])
    seen: list[tuple[int, int]] = []
    read_measured(path, ocr=None, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)


def test_limits_come_from_the_environment() -> None:
    limits = Limits.from_env({"FREEDOMCITIES_MAX_PAGES": "12", "FREEDOMCITIES_MAX_XML_MB": "5"})
    assert limits == dataclasses.replace(Limits(), max_pages=12, max_xml_bytes=5 * MB)
    with pytest.raises(SettingError, match="FREEDOMCITIES_MAX_CHARS must be a positive whole"):
        Limits.from_env({"FREEDOMCITIES_MAX_CHARS": "lots"})


def test_the_docs_list_every_limit() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert limits_table() in docs
