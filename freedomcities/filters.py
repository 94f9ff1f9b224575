"""PDF stream filters decoded a piece at a time, to measure what a stream decodes to.

pdfium decodes each filter of a stream whole, so a stream that a chain such as
``[/ASCII85Decode /FlateDecode]`` or ``/LZWDecode`` expands to a gigabyte costs a
gigabyte. :func:`decoded_sizes` runs the same chain here, feeding each stage small
pieces and keeping nothing, so :mod:`freedomcities.limits` can stop such a file
before pdfium opens it. Every filter here ends itself (an end-of-data marker, or
zlib's end), so no stream length has to be trusted.

The registry :data:`DECODERS` maps each filter name (and its abbreviation) to its
decoder; image codecs (DCT, JPX, CCITT, JBIG2) and Crypt are not in it, and a chain
stops being measured at the first of them.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Final, Protocol

import numpy as np

PIECE: Final = 4096
"""Bytes fed to a stage at a time: an LZW piece of this size decodes to at most ~11 MB."""
_CHUNK: Final = 1 << 20


class FilterError(ValueError):
    """The data is not what the filter expects (pdfium decides what to make of it)."""


class Decoder(Protocol):
    """One filter: decoded bytes out of encoded pieces, until its end-of-data."""

    done: bool

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data``, yielding the output in bounded parts."""
        ...


class Flate:
    """``/FlateDecode``: zlib, a megabyte of output at a time."""

    def __init__(self) -> None:
        self.inflater = zlib.decompressobj()
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while data and not self.inflater.eof:
                yield self.inflater.decompress(data, _CHUNK)
                data = self.inflater.unconsumed_tail
        except zlib.error as exc:
            raise FilterError(str(exc)) from exc
        self.done = self.inflater.eof


class AsciiHex:
    """``/ASCIIHexDecode``: pairs of hex digits, whitespace ignored, ``>`` ends."""

    def __init__(self) -> None:
        self.odd = ""
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        text = data.decode("latin-1")
        end = text.find(">")
        if end >= 0:
            text, self.done = text[:end], True
        digits = self.odd + "".join(text.split())
        if self.done and len(digits) % 2:
            digits += "0"
        self.odd = digits[len(digits) - len(digits) % 2 :]
        try:
            yield bytes.fromhex(digits[: len(digits) - len(self.odd)])
        except ValueError as exc:
            raise FilterError("not hexadecimal") from exc


class Ascii85:
    """``/ASCII85Decode``: groups of five characters to four bytes, ``z`` for four zeros.

    Whole groups are decoded with numpy: reportlab and others write every page's
    content this way, and a loop over each character cost a 1,000-page manual a
    third of a second more than reading its text.
    """

    def __init__(self) -> None:
        self.pending = b""
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        end = data.find(b"~")  # the "~" of the closing "~>"
        if end >= 0:
            data = data[:end]
        data = data.translate(None, _ASCII85_SPACE)
        if data:
            _check_ascii85(data)
        out = []
        for number, part in enumerate(data.split(b"z")):
            if number:  # a "z" stands for a whole group, never inside one
                if self.pending:
                    raise FilterError("'z' is not ASCII85 inside a group")
                out.append(b"\0\0\0\0")
            out.append(self._groups(part))
        if end >= 0:
            out.append(self._last())
            self.done = True
        yield b"".join(out)

    def _groups(self, part: bytes) -> bytes:
        """The bytes of every whole group of the pending characters and ``part``."""
        text = self.pending + part
        whole = len(text) - len(text) % 5
        self.pending = text[whole:]
        if not whole:
            return b""
        digits = np.frombuffer(text[:whole], dtype=np.uint8).reshape(-1, 5) - np.uint8(33)
        values = digits.astype(np.uint64) @ _ASCII85_PLACES
        if (values > 0xFFFFFFFF).any():
            raise FilterError("an ASCII85 group out of range")
        return values.astype(">u4").tobytes()

    def _last(self) -> bytes:
        """A final partial group of n characters gives n - 1 bytes."""
        count = len(self.pending)
        text, self.pending = self.pending, b""
        if count < 2:
            return b""
        return self._groups(text + b"u" * (5 - count))[: count - 1]


_ASCII85_SPACE: Final = b" \t\r\n\f\0"
_ASCII85_PLACES: Final = np.array([85**4, 85**3, 85**2, 85, 1], dtype=np.uint64)


def _check_ascii85(data: bytes) -> None:
    """Raise FilterError naming the first character that is not ASCII85 (spaces are gone)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    wrong = (codes < 0x21) | ((codes > 0x75) & (codes != 0x7A))
    if wrong.any():
        raise FilterError(f"{chr(int(codes[int(np.argmax(wrong))]))!r} is not ASCII85")


class RunLength:
    """``/RunLengthDecode``: a length byte, then that many bytes or one byte repeated."""

    def __init__(self) -> None:
        self.pending = b""
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        data = self.pending + data
        out = bytearray()
        at = 0
        while at < len(data) and not self.done:
            length = data[at]
            if length == 128:
                self.done = True
            elif length < 128:
                if at + 1 + length + 1 > len(data):
                    break
                out += data[at + 1 : at + 2 + length]
                at += length + 2
                continue
            else:
                if at + 1 >= len(data):
                    break
                out += data[at + 1 : at + 2] * (257 - length)
                at += 2
                continue
            at += 1
        self.pending = b"" if self.done else data[at:]
        yield bytes(out)


class Lzw:
    """``/LZWDecode``: variable-width codes (9 to 12 bits), 256 clears, 257 ends.

    ``early`` is the stream's ``/EarlyChange`` (1 unless it says 0): the code width
    grows one code early, as the PDF specification describes.
    """

    def __init__(self, early: int = 1) -> None:
        self.early = early
        self.bits = 0
        self.count = 0
        self.done = False
        self._clear()

    def _clear(self) -> None:
        self.table: list[bytes] = [bytes([i]) for i in range(256)] + [b"", b""]
        self.width = 9
        self.previous: bytes | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = bytearray()
        for byte in data:
            self.bits = (self.bits << 8) | byte
            self.count += 8
            while self.count >= self.width and not self.done:
                self.count -= self.width
                code = (self.bits >> self.count) & ((1 << self.width) - 1)
                self.bits &= (1 << self.count) - 1
                out += self._code(code)
            if self.done:
                break
        yield bytes(out)

    def _code(self, code: int) -> bytes:
        """The bytes of one code, growing the table as the encoder did."""
        if code == 256:
            self._clear()
            return b""
        if code == 257:
            self.done = True
            return b""
        if code < len(self.table) and (code < 256 or code > 257):
            entry = self.table[code]
        elif code == len(self.table) and self.previous is not None:
            entry = self.previous + self.previous[:1]
        else:
            raise FilterError(f"LZW code {code} is not in the table")
        if self.previous is not None and len(self.table) < 4096:
            self.table.append(self.previous + entry[:1])
        self.previous = entry
        if len(self.table) + self.early >= (1 << self.width) and self.width < 12:
            self.width += 1
        return entry


DECODERS: Final[dict[str, Callable[[bytes], Decoder]]] = {
    "FlateDecode": lambda _header: Flate(),
    "Fl": lambda _header: Flate(),
    "ASCIIHexDecode": lambda _header: AsciiHex(),
    "AHx": lambda _header: AsciiHex(),
    "ASCII85Decode": lambda _header: Ascii85(),
    "A85": lambda _header: Ascii85(),
    "RunLengthDecode": lambda _header: RunLength(),
    "RL": lambda _header: RunLength(),
    "LZWDecode": lambda header: Lzw(0 if b"/EarlyChange 0" in header else 1),
    "LZW": lambda header: Lzw(0 if b"/EarlyChange 0" in header else 1),
}
"""Filter name -> a decoder for it, given the stream's dictionary (for its parameters)."""


def measurable(names: Iterable[str]) -> list[str]:
    """The chain's filters up to the first one not decoded here (an image codec)."""
    chain = []
    for name in names:
        if name not in DECODERS:
            break
        chain.append(name)
    return chain


def decoded_sizes(
    pieces: Iterable[bytes], names: list[str], header: bytes = b""
) -> Iterator[tuple[int, int]]:
    """(stage, bytes) for each part each stage of the chain decodes, keeping none of it.

    The last stage's parts are the stream's decoded bytes; the others' are what
    pdfium holds between filters. Stops when the first stage reaches its end.

    Raises:
        FilterError: a stage's input is not what its filter expects.
    """
    stages = [DECODERS[name](header) for name in names]
    for piece in pieces:
        yield from _push(stages, 0, piece)
        if stages[0].done:
            return


def _push(stages: list[Decoder], index: int, data: bytes) -> Iterator[tuple[int, int]]:
    """Feed ``data`` to stage ``index`` in small pieces, and its output on down the chain."""
    for start in range(0, len(data), PIECE):
        for out in stages[index].feed(data[start : start + PIECE]):
            if out:
                yield index, len(out)
                if index + 1 < len(stages):
                    yield from _push(stages, index + 1, out)
        if stages[index].done:
            return
