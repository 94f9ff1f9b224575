"""Build hostile files: small on disk, enormous once read.

Each builder writes a real file that a PDF viewer or Word would try to open:
decompression bombs, pages with too many characters, XML nested too deep,
zips with odd compression or encryption flags, text in mixed encodings. The
bombs are compressed a megabyte at a time, so making one never costs the
memory reading it would.
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

from tests.documents import make_docx

_MB = 1_000_000
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def write_pdf(
    path: Path,
    contents: list[bytes],
    extra: list[bytes] | None = None,
    filters: list[bytes] | None = None,
) -> Path:
    """A PDF with one page per content stream (already encoded), plus extra objects.

    The streams are Flate-compressed unless ``filters`` names their chain. Extra
    objects are numbered after the pages; each page may draw ``/Im1``, the first.
    """
    chain = b"/Filter [%s]" % b" ".join(b"/" + name for name in filters) if filters else b""
    extra = extra or []
    count = len(contents)
    first_extra = 4 + 2 * count
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
        _FONT,
    ]
    image = b"/XObject << /Im1 %d 0 R >>" % first_extra if extra else b""
    for index, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> %s >> >>" % (5 + 2 * index, image)
        )
        objects.append(_stream(chain or b"/Filter /FlateDecode", content))
    objects.extend(extra)
    return _raw_pdf(path, objects, version=b"1.4")


def _text_op(text: str = "Officers shall not ask about immigration status.") -> bytes:
    return b"BT /F1 12 Tf 72 700 Td (" + text.encode() + b") Tj ET\n"


def pdf_stream_bomb(path: Path, inflated: int = 300 * _MB) -> Path:
    """One page whose content stream inflates to ``inflated`` bytes (mostly spaces)."""
    return write_pdf(path, [_one_stream(_text_op(), b" ", inflated)])


def _one_stream(head: bytes, piece: bytes, total: int) -> bytes:
    """zlib data for ``head`` then ``piece`` repeated to ``total`` bytes."""
    compressor = zlib.compressobj(1)
    parts = [compressor.compress(head)]
    block = piece * max(1, _MB // len(piece))
    written = 0
    while written < total:
        parts.append(compressor.compress(block))
        written += len(block)
    parts.append(compressor.flush())
    return b"".join(parts)


def pdf_picture_bomb(path: Path, inflated: int = 300 * _MB) -> Path:
    """A page that draws a grey picture whose pixels inflate to ``inflated`` bytes."""
    side = int(inflated**0.5)
    pixels = _one_stream(b"", b"\x80", side * side)
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side),
        pixels,
    )
    content = zlib.compress(_text_op() + b"q 612 0 0 792 0 0 cm /Im1 Do Q\n")
    return write_pdf(path, [content], [image])


def pdf_many_streams(path: Path, pages: int, inflated_each: int) -> Path:
    """Many pages, each stream just under the per-stream limit: the per-file limit catches them."""
    content = _one_stream(_text_op(), b" ", inflated_each)
    return write_pdf(path, [content] * pages)


def pdf_crowded_page(path: Path, lines: int) -> Path:
    """One page with ``lines`` lines of 100 distinct characters at tiny size: text beyond reason."""
    row = b"(" + bytes(range(0x41, 0x5B)) * 3 + b"0123456789abcdefghijkl) Tj 0 -0.2 Td\n"
    content = _one_stream(b"BT /F1 0.2 Tf 1 790 Td 0.1 TL\n", row, lines * len(row))
    return write_pdf(path, [content])


def pdf_with_broken_streams(path: Path) -> Path:
    """A PDF whose only content stream is not valid zlib: damaged, not blank."""
    return write_pdf(path, [b"x\x9c" + bytes(range(256)) * 4])


def docx_xml_bomb(path: Path, inflated: int = 100 * _MB) -> Path:
    """A Word file whose document.xml inflates to ``inflated`` bytes of paragraphs."""
    paragraph = b"<w:p><w:r><w:t>Officers shall not ask.</w:t></w:r></w:p>"
    return _docx_with_document_xml(path, paragraph, inflated)


def docx_deep_xml(path: Path, depth: int = 100_000) -> Path:
    """A Word file whose body nests ``depth`` elements inside each other."""
    xml = b"<w:sdt>" * depth + b"<w:p><w:r><w:t>Deep</w:t></w:r></w:p>" + b"</w:sdt>" * depth
    return _docx_with_document_xml(path, xml, len(xml))


def _docx_with_document_xml(path: Path, piece: bytes, size: int) -> Path:
    """A real Word file whose body is ``piece`` repeated to ``size`` bytes, deflated as it goes."""
    template = make_docx("Placeholder.", path.with_suffix(".template.docx"))
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
        b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    tail = b"</w:body></w:document>"
    raw, total, crc = _raw_deflate(head, piece, size, tail)
    return _replace_member(template, path, "word/document.xml", raw, total, crc)


def _raw_deflate(head: bytes, piece: bytes, size: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head, piece repeated to ``size`` bytes, and tail; with length and CRC."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    block = piece * max(1, _MB // len(piece))
    parts, total, crc = [], 0, 0
    for chunk in _repeat(head, block, size, tail):
        parts.append(compressor.compress(chunk))
        total, crc = total + len(chunk), zlib.crc32(chunk, crc)
    parts.append(compressor.flush())
    return b"".join(parts), total, crc


def _repeat(head: bytes, block: bytes, size: int, tail: bytes) -> Iterator[bytes]:
    yield head
    written = 0
    while written < size:
        yield block
        written += len(block)
    yield tail


def _replace_member(template: Path, path: Path, name: str, raw: bytes, size: int, crc: int) -> Path:
    """Copy a zip, writing one member from already-deflated bytes (so it is never inflated here)."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
    _append_raw_member(path, name, raw, size, crc)
    template.unlink()
    return path


def _append_raw_member(path: Path, name: str, raw: bytes, size: int, crc: int) -> None:
    """Add a member whose deflated bytes are given, rewriting the central directory."""
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size, info.compress_size, info.CRC = size, len(raw), crc
        assert archive.fp is not None
        archive.fp.seek(archive.start_dir)
        info.header_offset = archive.fp.tell()
        archive.fp.write(info.FileHeader(zip64=size > 0xFFFFFFFF))
        archive.fp.write(raw)
        archive.start_dir = archive.fp.tell()
        archive.filelist.append(info)
        archive.NameToInfo[name] = info
        archive._didModify = True


def docx_picture_bomb(path: Path, inflated: int = 300 * _MB) -> Path:
    """A Word file carrying a 'picture' part of ``inflated`` zero bytes."""
    make_docx("Officers shall not ask about immigration status.", path)
    raw, size, crc = _raw_deflate(b"", bytes(_MB), inflated, b"")
    _append_raw_member(path, "word/media/image1.png", raw, size, crc)
    return path


def docx_with_compression(path: Path, method: int) -> Path:
    """A real Word file whose parts claim a zip compression method (9: Deflate64, unsupported)."""
    data = bytearray(make_docx("Officers shall not ask.", path).read_bytes())
    _patch_zip_headers(data, method_at=(8, 10), value=struct.pack("<H", method))
    path.write_bytes(bytes(data))
    return path


def docx_zip_encrypted(path: Path) -> Path:
    """A real Word file whose parts carry the zip 'encrypted' flag."""
    data = bytearray(make_docx("Officers shall not ask.", path).read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= 1
            start += 4
    path.write_bytes(bytes(data))
    return path


def _patch_zip_headers(data: bytearray, method_at: tuple[int, int], value: bytes) -> None:
    """Set the compression method field of every local and central header."""
    for signature, offset in zip((b"PK\x03\x04", b"PK\x01\x02"), method_at, strict=True):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset : start + offset + 2] = value
            start += 4


def docx_password(path: Path, password: str = "secret") -> Path:
    """A Word file protected by a password, as Word saves it (an encrypted OLE package)."""
    plain = make_docx("Officers shall not ask.", path.with_suffix(".plain.docx"))
    encrypted = io.BytesIO()
    with plain.open("rb") as source:
        office = OOXMLFile(source)
        office.encrypt(password, encrypted)
    path.write_bytes(encrypted.getvalue())
    plain.unlink()
    return path


def docx_pictures_only(path: Path, picture: Path) -> Path:
    """A Word file holding one picture of a page and no text."""
    import docx

    document = docx.Document()
    document.add_picture(str(picture))
    document.save(str(path))
    return path


def mixed_encodings(path: Path) -> Path:
    """Text pasted together from a UTF-8 file and a Windows-1252 file."""
    lines = [
        "Política de inmigración: “los oficiales” no preguntarán.".encode(),
        "Officers shall not ask about a person\u2019s status — résumé of § 4.".encode("cp1252"),
        "Señor García está protegido por la sección 5.".encode(),
        "Caf\xe9 and na\xefve, from an old office file.".encode("cp1252"),
    ]
    path.write_bytes(b"\n".join(lines))
    return path


# Streams behind other filters: each encoder writes what the PDF filter of the same name
# decodes. Filters are listed in decoding order, so they are applied here in reverse.


def ascii85(data: bytes) -> bytes:
    """``/ASCII85Decode`` data, with its ``~>`` end."""
    return base64.a85encode(data, wrapcol=76) + b"~>"


def ascii_hex(data: bytes) -> bytes:
    """``/ASCIIHexDecode`` data, with its ``>`` end."""
    return data.hex().encode() + b">"


def run_length(data: bytes) -> bytes:
    """``/RunLengthDecode`` data: runs of one byte as repeats, the rest as literals."""
    out = bytearray()
    at = 0
    while at < len(data):
        run = 1
        while at + run < len(data) and run < 128 and data[at + run] == data[at]:
            run += 1
        if run > 1:
            out += bytes([257 - run, data[at]])
        else:
            out += bytes([0, data[at]])
        at += run
    return bytes(out + b"\x80")


def lzw(data: bytes) -> bytes:
    """``/LZWDecode`` data (EarlyChange 1), cleared before the code table fills."""
    codes = [256]
    table = {bytes([i]): i for i in range(256)}
    word = b""
    for value in data:
        longer = word + bytes([value])
        if longer in table:
            word = longer
            continue
        codes.append(table[word])
        table[longer] = len(table) + 2
        word = bytes([value])
        if len(table) + 2 >= 4000:
            codes.append(table[word])
            codes.append(256)
            table = {bytes([i]): i for i in range(256)}
            word = b""
    if word:
        codes.append(table[word])
    return lzw_pack([*codes, 257])


def lzw_repeated(byte: int, size: int) -> bytes:
    """``/LZWDecode`` data of ``byte`` repeated about ``size`` times: each code one longer."""
    codes = []
    cycle = 3800  # codes after the first, before clearing, so the table never fills
    written = 0
    while written < size:
        codes += [256, byte, *range(258, 258 + cycle)]
        written += (cycle + 1) * (cycle + 2) // 2
    return lzw_pack([*codes, 257])


def lzw_pack(codes: list[int]) -> bytes:
    """Pack LZW codes at the widths a reader uses: 9 bits, growing as its table grows."""
    out = bytearray()
    bits = count = 0
    width, size, first = 9, 258, True
    for code in codes:
        bits, count = (bits << width) | code, count + width
        while count >= 8:
            count -= 8
            out.append((bits >> count) & 0xFF)
            bits &= (1 << count) - 1
        if code == 256:
            width, size, first = 9, 258, True
            continue
        if not first and size < 4096:
            size += 1
        first = False
        if size + 1 >= 1 << width and width < 12:
            width += 1
    if count:
        out.append((bits << (8 - count)) & 0xFF)
    return bytes(out)


def pdf_filtered_page(path: Path, filters: list[bytes], content: bytes) -> Path:
    """One page whose content stream is ``content`` behind ``filters`` (decoding order)."""
    return write_pdf(path, [_filtered(filters, content)], filters=filters)


def _filtered(filters: list[bytes], data: bytes) -> bytes:
    """``data`` encoded so that the filters, in order, decode it."""
    encoders = {
        b"FlateDecode": zlib.compress,
        b"ASCII85Decode": ascii85,
        b"ASCIIHexDecode": ascii_hex,
        b"RunLengthDecode": run_length,
        b"LZWDecode": lzw,
    }
    for name in reversed(filters):
        data = encoders[name](data)
    return data


def pdf_chain_bomb(path: Path, filters: list[bytes], inflated: int = 300 * _MB) -> Path:
    """A page stream of ``inflated`` bytes behind a chain ending in Flate, e.g. ASCII85 then
    Flate: the Flate bomb is made a megabyte at a time, the outer filters encode it whole."""
    assert filters[-1] == b"FlateDecode"
    data = _one_stream(_text_op(), b" ", inflated)
    for name in reversed(filters[:-1]):
        data = _filtered([name], data)
    return write_pdf(path, [data], filters=filters)


def pdf_run_length_bomb(path: Path, inflated: int = 300 * _MB) -> Path:
    """``[/FlateDecode /RunLengthDecode]``: Flate-compressed runs of 128 spaces."""
    runs = _one_stream(b"", b"\x81 ", inflated // 128 * 2)
    return write_pdf(path, [runs], filters=[b"FlateDecode", b"RunLengthDecode"])


def pdf_lzw_picture_bomb(path: Path, inflated: int = 300 * _MB) -> Path:
    """A grey picture whose pixels are ``/LZWDecode`` codes, each one byte longer than the last."""
    side = int(inflated**0.5)
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /LZWDecode" % (side, side),
        lzw_repeated(0x80, side * side),
    )
    content = zlib.compress(_text_op() + b"q 612 0 0 792 0 0 cm /Im1 Do Q\n")
    return write_pdf(path, [content], [image])


def _raw_pdf(path: Path, objects: list[bytes], version: bytes = b"1.7") -> Path:
    """A PDF of these objects, numbered from 1, the first the catalog, with a correct xref."""
    out, offsets = b"%PDF-" + version + b"\n", []
    for number, item in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, item)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(out)
    return path


def pdf_page_tree_loop(path: Path) -> Path:
    """A PDF whose page tree contains itself: a reader that follows it never ends."""
    return _raw_pdf(
        path,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
        ],
    )


def pdf_many_pages(path: Path, pages: int) -> Path:
    """A PDF of ``pages`` pages, all one blank page object: a few bytes each."""
    kids = b" ".join([b"3 0 R"] * pages)
    return _raw_pdf(
        path,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ],
    )
