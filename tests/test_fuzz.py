"""Fuzzing the readers with damaged real files: every answer is a document or a DocumentError.

``test_read.py`` fuzzes with random bytes and small generated files; here the
inputs are real files from ``shared/`` (a 287(g) agreement as published) and
real Word files whose zip structure is damaged where zip readers are weakest:
the headers' compression methods, flags, sizes and offsets. A handful also go
through the child process, as the CLI and the web app read them.
"""

from __future__ import annotations

import random
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freedomcities.errors import DocumentError
from freedomcities.isolate import read_measured
from freedomcities.limits import Limits
from freedomcities.models import Document
from freedomcities.read import read
from tests.documents import make_docx

_LIMITS = Limits(max_seconds=30, max_memory_bytes=500_000_000)
_HEADER_FIELDS = {  # (signature, offsets of 2-byte fields: flags, method; 4-byte: sizes)
    b"PK\x03\x04": ((6, 8), (18, 22)),
    b"PK\x01\x02": ((8, 10), (20, 24, 42)),
}


def _read(data: bytes, suffix: str) -> Document | DocumentError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            return read(path, ocr=None, limits=_LIMITS)
        except DocumentError as error:
            assert str(error).startswith("input")  # names the file, plain words
            return error


@pytest.fixture(scope="module")
def real_pdf(shared_dir: Path) -> bytes:
    """The smallest published 287(g) agreement in shared/moa/."""
    files = sorted((shared_dir / "moa").glob("*.pdf"), key=lambda p: p.stat().st_size)
    return files[0].read_bytes()


@pytest.fixture(scope="module")
def real_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("docx")
    text = "Officers shall not ask about immigration status.\n" * 40
    return make_docx(text, folder / "policy.docx").read_bytes()


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 40), cut=st.floats(0.05, 1))
def test_mutated_real_pdf_gives_a_document_or_a_document_error(
    real_pdf: bytes, seed: int, flips: int, cut: float
) -> None:
    rng = random.Random(seed)
    data = bytearray(real_pdf[: max(16, int(len(real_pdf) * cut))])
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    _read(bytes(data), ".pdf")


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), changes=st.integers(1, 6))
def test_word_file_with_damaged_zip_headers_gives_a_document_or_a_document_error(
    real_docx: bytes, seed: int, changes: int
) -> None:
    rng = random.Random(seed)
    data = bytearray(real_docx)
    headers = [
        (start, fields)
        for signature, fields in _HEADER_FIELDS.items()
        for start in _find_all(data, signature)
    ]
    for _ in range(changes):
        start, (short, long) = rng.choice(headers)
        if rng.random() < 0.5:
            offset = start + rng.choice(short)
            value = rng.choice([0, 1, 8, 9, 12, 14, 93, 99, rng.randrange(65536)])
            data[offset : offset + 2] = struct.pack("<H", value)
        else:
            offset = start + rng.choice(long)
            value = rng.choice([0, 1, 0xFFFFFFFF, rng.randrange(2**32)])
            data[offset : offset + 4] = struct.pack("<I", value)
    _read(bytes(data), ".docx")


def _find_all(data: bytearray, signature: bytes) -> list[int]:
    found, start = [], 0
    while (start := data.find(signature, start)) >= 0:
        found.append(start)
        start += 4
    return found


@pytest.mark.parametrize("seed", range(8))
def test_damaged_files_read_in_the_child_end_in_a_document_or_a_document_error(
    real_pdf: bytes, real_docx: bytes, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    source, suffix = (real_pdf, ".pdf") if seed % 2 else (real_docx, ".docx")
    data = bytearray(source)
    for _ in range(20):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(bytes(data))
    outcome = read_measured(path, ocr=None, limits=_LIMITS)
    assert (outcome.document is None) != (outcome.error is None)
    assert outcome.error is None or str(outcome.error).startswith("damaged")
    assert outcome.seconds < 60
