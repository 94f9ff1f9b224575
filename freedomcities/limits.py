"""Limits on what one document may cost to read, checked while it is read.

Volunteers upload files from anywhere, and a file can be made to cost far more
than its size: a 1 MB PDF whose stream inflates to a gigabyte, a Word file
whose few hundred kilobytes hold 200 MB of XML, a page with millions of
characters. Each limit here stops such a file early, while its bytes are being
inflated or its characters counted, with a message that names the limit and
the setting that raises it. Memory and time are bounded too, by reading in a
child process (:mod:`freedomcities.isolate`).

Every limit is an environment variable (the table :data:`LIMIT_SETTINGS`,
from which the docs are generated), so the command line and the web app obey
the same numbers and a trusted, unusually large file can be let through.
"""

from __future__ import annotations

import contextlib
import dataclasses
import mmap
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from freedomcities import filters
from freedomcities.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EncryptedDocument,
    SettingError,
    UnsupportedFormat,
)

MB: Final = 1_000_000


@dataclass(frozen=True)
class LimitSetting:
    """One limit: its field on :class:`Limits`, its environment variable, default and help."""

    field: str
    name: str
    default: int
    unit: str
    help: str


LIMIT_SETTINGS: Final = (
    LimitSetting("max_bytes", "FREEDOMCITIES_MAX_FILE_MB", 200, "MB", "The largest file read."),
    LimitSetting("max_pages", "FREEDOMCITIES_MAX_PAGES", 5000, "pages", "The most pages read."),
    LimitSetting(
        "max_stream_bytes",
        "FREEDOMCITIES_MAX_STREAM_MB",
        32,
        "MB",
        "The largest PDF page-content stream once inflated (each MB costs pdfium about 14 MB "
        "of memory).",
    ),
    LimitSetting(
        "max_picture_bytes",
        "FREEDOMCITIES_MAX_PICTURE_MB",
        256,
        "MB",
        "The largest picture or other part of a PDF or Word file once inflated.",
    ),
    LimitSetting(
        "max_xml_bytes",
        "FREEDOMCITIES_MAX_XML_MB",
        64,
        "MB",
        "The largest XML part of a Word file once inflated.",
    ),
    LimitSetting(
        "max_inflated_bytes",
        "FREEDOMCITIES_MAX_INFLATED_MB",
        2000,
        "MB",
        "All the inflated streams or parts of one PDF or Word file together.",
    ),
    LimitSetting(
        "max_page_chars",
        "FREEDOMCITIES_MAX_PAGE_CHARS",
        200_000,
        "characters",
        "The most characters on one PDF page (a dense printed page has about 5,000).",
    ),
    LimitSetting(
        "max_chars",
        "FREEDOMCITIES_MAX_CHARS",
        20_000_000,
        "characters",
        "The most characters in one document (a 600-page manual has about 3 million).",
    ),
    LimitSetting(
        "max_seconds",
        "FREEDOMCITIES_MAX_SECONDS",
        1800,
        "seconds",
        "The longest one document may take to read, OCR included.",
    ),
    LimitSetting(
        "max_memory_bytes",
        "FREEDOMCITIES_MAX_MEMORY_MB",
        1024,
        "MB",
        "The most memory reading one document may use.",
    ),
)
"""Every limit, in the order the docs list them."""

_BY_FIELD: Final = {item.field: item for item in LIMIT_SETTINGS}


@dataclass(frozen=True)
class Limits:
    """What reading one document may cost; the defaults fit any real policy manual.

    Byte limits are in bytes here (their settings are in megabytes).
    """

    max_bytes: int = 200 * MB
    max_pages: int = 5000
    max_stream_bytes: int = 32 * MB
    max_picture_bytes: int = 256 * MB
    max_xml_bytes: int = 64 * MB
    max_inflated_bytes: int = 2000 * MB
    max_page_chars: int = 200_000
    max_chars: int = 20_000_000
    max_seconds: float = 1800.0
    max_memory_bytes: int = 1024 * MB

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """The limits set in the environment, the defaults for the rest.

        Raises:
            SettingError: a setting is not a positive whole number; the message names it.
        """
        env = os.environ if environ is None else environ
        values: dict[str, float] = {}
        for item in LIMIT_SETTINGS:
            raw = env.get(item.name, "").strip()
            if not raw:
                continue
            if not raw.isdigit() or int(raw) < 1:
                raise SettingError(
                    f"{item.name} must be a positive whole number of {item.unit}, not {raw!r}. "
                    "Correct it or unset it to use the default."
                )
            values[item.field] = int(raw) * (MB if item.unit == "MB" else 1)
        return dataclasses.replace(cls(), **values)  # type: ignore[arg-type]


def too_large(name: str, what: str, field: str, limit: float) -> DocumentTooLarge:
    """The error for a document over one limit: what, the limit, and the setting that raises it.

    Args:
        name: the file's name, as the person knows it.
        what: what was found, ending in a comparison: "has a page with more characters than".
        field: the :class:`Limits` field that was exceeded.
        limit: that field's value.
    """
    setting = _BY_FIELD[field]
    if setting.unit == "MB" and limit % MB == 0:
        shown = f"{limit // MB:,.0f} MB"
    else:
        shown = f"{limit:,.0f} {'bytes' if setting.unit == 'MB' else setting.unit}"
    return DocumentTooLarge(
        f"{name} {what} the limit of {shown}, so reading it stopped. "
        f"If you trust the file, raise the limit with the setting {setting.name} "
        "(see the docs on limits); otherwise split it into smaller files."
    )


def limits_table() -> str:
    """The limits as a Markdown table for the docs (a test keeps the docs equal to it)."""
    lines = ["| Variable | Default | What it limits |", "|---|---|---|"]
    for item in LIMIT_SETTINGS:
        lines.append(f"| `{item.name}` | {item.default:,} {item.unit} | {item.help} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- inflated bytes

_CHUNK: Final = 1 << 20  # inflated bytes produced at a time
_READ: Final = 1 << 16  # compressed bytes fed at a time: most streams are small
_STREAM_KEYWORD: Final = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_DICT_BEFORE: Final = 2048  # bytes before "stream" searched for the stream's dictionary


class _Budget:
    """Inflated bytes counted so far in one file, against the per-file limit."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.total = 0

    def add(self, count: int) -> None:
        self.total += count
        if self.total > self.limits.max_inflated_bytes:
            raise too_large(
                self.name,
                "inflates to more bytes than",
                "max_inflated_bytes",
                self.limits.max_inflated_bytes,
            )


def check_pdf_streams(path: Path, limits: Limits) -> int:
    """Inflate each Flate stream of a PDF, counting bytes and keeping none, before pdfium does.

    pdfium inflates a stream whole, so a stream of a gigabyte of spaces costs
    gigabytes; here each stream is inflated a megabyte at a time and stops at
    its limit. Chains of other filters (``[/ASCII85Decode /FlateDecode]``,
    ``/LZWDecode``, ``/RunLengthDecode``...) are decoded the same way, a piece
    at a time (:mod:`freedomcities.filters`). Page contents get
    :attr:`Limits.max_stream_bytes`, pictures :attr:`Limits.max_picture_bytes`.
    Streams that do not decode (damaged, encrypted, image codecs) are left to pdfium.

    Returns:
        How many filtered streams are broken (do not decode), in a PDF that is
        not encrypted: a PDF with no text and broken streams is damaged, not blank.

    Raises:
        DocumentTooLarge: a stream, or all of them together, inflate past a limit.
    """
    budget = _Budget(path.name, limits)
    broken = 0
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        position = 0
        encrypted = data.find(b"/Encrypt") >= 0
        while match := _STREAM_KEYWORD.search(data, position):
            header = bytes(data[max(0, match.start() - _DICT_BEFORE) : match.start()])
            header = header[header.rfind(b"obj") + 1 :]
            position = match.end()
            chain = filters.measurable(_filter_names(header))
            if not chain or encrypted:
                continue  # no filter, image codecs only, or encrypted: left to pdfium
            field = "max_picture_bytes" if _IMAGE.search(header) else "max_stream_bytes"
            if chain in (["FlateDecode"], ["Fl"]):
                whole = _inflate_counting(data, position, budget, field)
            else:
                whole = _decode_counting(data, position, budget, field, (chain, header))
            broken += not whole
    return broken


_IMAGE: Final = re.compile(rb"/Subtype\s*/Image")
_FILTER: Final = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")


def _filter_names(header: bytes) -> list[str]:
    """The stream's filters in order, from its dictionary (none when it has none)."""
    found = _FILTER.search(header)
    if found is None:
        return []
    return [name.decode("ascii") for name in re.findall(rb"/([A-Za-z0-9]+)", found.group(1))]


def _decode_counting(
    data: mmap.mmap, start: int, budget: _Budget, field: str, chain: tuple[list[str], bytes]
) -> bool:
    """Run a chain of filters (``[/ASCII85Decode /FlateDecode]``, ``/LZWDecode``...) from
    ``start``, counting every stage's output against the stream limit (pdfium holds each
    stage whole) and the last stage's against the file's. Returns whether it decoded."""
    names, header = chain
    limit = getattr(budget.limits, field)
    sizes = [0] * len(names)
    pieces = (data[offset : offset + _READ] for offset in range(start, len(data), _READ))
    try:
        for stage, count in filters.decoded_sizes(pieces, names, header):
            sizes[stage] += count
            if stage == len(names) - 1:
                budget.add(count)
            if sizes[stage] > limit:
                what = "a picture" if field == "max_picture_bytes" else "a page stream"
                raise too_large(budget.name, f"has {what} that decodes to more than", field, limit)
    except filters.FilterError:
        return False
    return True


def _inflate_counting(data: mmap.mmap, start: int, budget: _Budget, field: str) -> bool:
    """Inflate one zlib stream from ``start`` to its end, counting its bytes against the limits.

    Returns whether it inflated without error.
    """
    limit = getattr(budget.limits, field)
    inflater = zlib.decompressobj()
    size, offset = 0, start
    try:
        while not inflater.eof and offset < len(data):
            chunk = data[offset : offset + _READ]
            offset += len(chunk)
            while chunk and not inflater.eof:
                out = inflater.decompress(chunk, _CHUNK)
                size += len(out)
                budget.add(len(out))
                if size > limit:
                    what = "a picture" if field == "max_picture_bytes" else "a page stream"
                    raise too_large(
                        budget.name, f"has {what} that inflates to more than", field, limit
                    )
                chunk = inflater.unconsumed_tail
    except zlib.error:
        return False  # not a whole zlib stream: pdfium decides what it is
    return True


def check_zip_parts(path: Path, archive: zipfile.ZipFile, limits: Limits) -> None:
    """Read every part of a Word file's zip, counting inflated bytes and XML depth as it goes.

    A zip's own record of each part's size can lie, so the parts are inflated
    (a megabyte at a time, keeping nothing) and counted. (XML nesting is
    bounded by the XML parser itself: see ``read``.)

    Raises:
        DocumentTooLarge: a part, or all of them together, is over a limit.
        CorruptDocument: a part is damaged.
        UnsupportedFormat: a part uses a zip compression that cannot be read.
        EncryptedDocument: the parts are protected by a password.
    """
    budget = _Budget(path.name, limits)
    for info in archive.infolist():
        if info.is_dir():
            continue
        is_xml = info.filename.endswith((".xml", ".rels"))
        field = "max_xml_bytes" if is_xml else "max_picture_bytes"
        with _open_part(path, archive, info) as part:
            _count(part, budget, field, "an XML part" if is_xml else "a part")


@contextlib.contextmanager
def _open_part(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
    """Open one zip part, turning zipfile's many failures into plain messages."""
    try:
        with archive.open(info) as part:
            yield part
    except NotImplementedError as exc:  # zipfile's word for an unknown compression method
        raise UnsupportedFormat(
            f"{path.name} is a Word file packed with a kind of zip compression (method "
            f"{info.compress_type}) that cannot be read. Open it in Word or LibreOffice and "
            "save it again as a .docx, or save it as a PDF."
        ) from exc
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        raise EncryptedDocument(
            f"{path.name} is protected by a password, so its text cannot be read. "
            "Open it with the password and save an unprotected copy."
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise CorruptDocument(
            f"{path.name} is a damaged Word (.docx) document: part {info.filename} could not "
            "be read. Open it in Word or LibreOffice and save it again, or save it as a PDF."
        ) from exc


def _count(part: IO[bytes], budget: _Budget, field: str, what: str) -> None:
    """Read a part to its end a megabyte at a time, refusing it past its limit."""
    limit = getattr(budget.limits, field)
    size = 0
    while chunk := part.read(_CHUNK):
        size += len(chunk)
        budget.add(len(chunk))
        if size > limit:
            raise too_large(budget.name, f"has {what} that inflates to more than", field, limit)
