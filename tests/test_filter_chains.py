"""PDF streams behind filters other than Flate are measured too, before pdfium decodes them.

Each decoder of :mod:`freedomcities.filters` reads what an independent encoder wrote
(Python's base64 and hex for ASCII85 and ASCIIHex, zlib for Flate, the builders of
``tests/hostile.py`` for RunLength and LZW, whose LZW pdfium reads back as text), and
real crafted PDFs whose chains decode to hundreds of megabytes stop at the limit.
"""

from __future__ import annotations

import base64
import random
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from freedomcities import read
from freedomcities.errors import DocumentTooLarge
from freedomcities.filters import DECODERS, FilterError, Lzw, decoded_sizes
from freedomcities.limits import Limits, check_pdf_streams
from tests import hostile

TEXT = b"".join(
    b"Officers shall not ask about immigration status, rule %d of %d. " % (n, n * 7)
    for n in range(60)
)


def _decode(names: list[str], data: bytes) -> bytes:
    """The chain's output, kept (for small test data only)."""
    stages = [DECODERS[name](b"") for name in names]
    out = [data]
    for stage in stages:
        out = [part for piece in out for part in stage.feed(piece)]
    return b"".join(out)


SAMPLES = [b"", b"a", TEXT, bytes(range(256)) * 9, b"\0" * 1000, random.Random(1).randbytes(5000)]


@pytest.mark.parametrize("data", SAMPLES, ids=["empty", "one", "text", "bytes", "zeros", "noise"])
@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("ASCII85Decode", hostile.ascii85),
        ("ASCIIHexDecode", hostile.ascii_hex),
        ("RunLengthDecode", hostile.run_length),
        ("LZWDecode", hostile.lzw),
        ("FlateDecode", zlib.compress),
    ],
)
def test_each_filter_reads_what_its_encoder_wrote(
    name: str, encode: Callable[[bytes], bytes], data: bytes
) -> None:
    assert _decode([name], encode(data)) == data


def test_sizes_add_up_per_stage_and_in_small_pieces() -> None:
    encoded = hostile.ascii85(zlib.compress(TEXT))
    pieces = (encoded[i : i + 7] for i in range(0, len(encoded), 7))
    sizes = [0, 0]
    for stage, count in decoded_sizes(pieces, ["ASCII85Decode", "FlateDecode"]):
        sizes[stage] += count
    assert sizes == [len(zlib.compress(TEXT)), len(TEXT)]


@pytest.mark.parametrize("size", [1, 3, 4, 5, 7, 4096])
def test_ascii85_reads_zs_spaces_and_a_short_last_group_in_any_pieces(size: int) -> None:
    data = TEXT + b"\0" * 8 + bytes(range(256)) + b"\0" * 4 + b"end"
    encoded = base64.a85encode(data, foldspaces=False, wrapcol=13) + b"~>"
    assert b"z" in encoded and b"\n" in encoded
    decoder = DECODERS["ASCII85Decode"](b"")
    pieces = [encoded[i : i + size] for i in range(0, len(encoded), size)]
    assert b"".join(part for piece in pieces for part in decoder.feed(piece)) == data
    assert decoder.done


def test_data_that_is_not_the_filters_raises_filter_error() -> None:
    with pytest.raises(FilterError):
        list(decoded_sizes([b"not hex at all>"], ["ASCIIHexDecode"]))
    # not ASCII85; a "z" inside a group; a group past 2**32 - 1; a character past "u"
    for wrong in (b"{{{{~>", b"!!z!!!~>", b's8W-"~>', b"!!!!!v~>"):
        with pytest.raises(FilterError):
            list(decoded_sizes([wrong], ["ASCII85Decode"]))


@pytest.mark.parametrize(
    "chain",
    [[b"LZWDecode"], [b"ASCII85Decode", b"FlateDecode"], [b"ASCIIHexDecode", b"LZWDecode"]],
)
def test_pdfium_reads_the_crafted_chains_as_text(tmp_path: Path, chain: list[bytes]) -> None:
    """The builders write what PDF readers read: the page's text comes back."""
    lines = [line for line in TEXT.split(b". ") if line]  # 4 KB: LZW codes reach 12 bits
    content = b"BT /F1 6 Tf 20 780 Td 9 TL " + b"".join(b"(%s) '\n" % x for x in lines) + b"ET"
    codes = Lzw()
    list(codes.feed(hostile.lzw(content)))
    assert codes.width >= 11  # the widths past 9 bits are read as pdfium reads them
    path = hostile.pdf_filtered_page(tmp_path / "page.pdf", chain, content)
    assert check_pdf_streams(path, Limits()) == 0  # nothing broken, nothing too large
    text = read(path, ocr=None).text
    assert "immigration status, rule 1 of 7" in text and "rule 59 of 413" in text


BOMBS = [
    (
        "ascii85 over flate",
        lambda tmp: hostile.pdf_chain_bomb(tmp / "a85.pdf", [b"ASCII85Decode", b"FlateDecode"]),
        r"page stream that decodes to more than the limit of 32 MB.*FREEDOMCITIES_MAX_STREAM_MB",
    ),
    (
        "hex over flate",
        lambda tmp: hostile.pdf_chain_bomb(tmp / "hex.pdf", [b"ASCIIHexDecode", b"FlateDecode"]),
        r"page stream that decodes to more than the limit of 32 MB",
    ),
    (
        "flate then run length",
        lambda tmp: hostile.pdf_run_length_bomb(tmp / "rl.pdf"),
        r"page stream that decodes to more than the limit of 32 MB",
    ),
    (
        "lzw picture",
        lambda tmp: hostile.pdf_lzw_picture_bomb(tmp / "lzw.pdf"),
        r"picture that decodes to more than the limit of 256 MB.*FREEDOMCITIES_MAX_PICTURE_MB",
    ),
]


@pytest.mark.parametrize(("build", "message"), [b[1:] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_a_chain_bomb_stops_at_its_limit_before_pdfium(
    tmp_path: Path, build: Callable[[Path], Path], message: str
) -> None:
    path = build(tmp_path)
    assert path.stat().st_size < 3_000_000  # small on disk, 300 MB once decoded
    started = time.perf_counter()
    with pytest.raises(DocumentTooLarge, match=message):
        read(path, ocr=None)
    assert time.perf_counter() - started < 60
