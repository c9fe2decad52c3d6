"""What an uploaded file really is, judged by its content, never by its name.

A name is whatever the uploader typed; a page renamed ``bericht.pdf`` is still HTML,
and a web server that serves ``/media/`` picks the ``Content-Type`` from the name. So
every upload is refused unless its bytes are one of the kinds its form accepts
(:func:`upload_check`), and — where the file is served again, as progress report
attachments are — unless its name also fits what it is.

The checks read magic bytes and, for the zip-based office formats, the archive's table
of contents: enough to tell a workbook from a document or any other zip. Whether the
content is *valid* (a table with the right columns, GeoJSON with polygons) is then for
the reader of that format to say.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEAD_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    name: str  # pdf, png, jpeg, xlsx, docx, odt, ods, zip, ole, parquet, html, json, text, binary
    description: str  # for messages: "a PNG image"
    extensions: tuple[str, ...] = ()  # names this kind may carry when it is served again


KINDS = {
    kind.name: kind
    for kind in (
        Kind("pdf", _("a PDF document"), ("pdf",)),
        Kind("png", _("a PNG image"), ("png",)),
        Kind("jpeg", _("a JPEG image"), ("jpg", "jpeg")),
        Kind("xlsx", _("an Excel workbook (XLSX)"), ("xlsx", "xlsm")),
        Kind("docx", _("a Word document (DOCX)"), ("docx",)),
        Kind("odt", _("an OpenDocument text (ODT)"), ("odt",)),
        Kind("ods", _("an OpenDocument spreadsheet (ODS)"), ("ods",)),
        Kind("zip", _("a ZIP archive"), ("zip",)),
        Kind("ole", _("an old Office file (XLS or DOC)"), ("xls", "doc")),
        Kind("parquet", _("a Parquet file"), ("parquet",)),
        Kind("html", _("an HTML, SVG or XML document"), ("html", "htm", "svg", "xml")),
        Kind("json", _("JSON text"), ("json", "geojson")),
        Kind("text", _("plain text"), ("csv", "txt")),
        Kind("binary", _("binary data of an unknown kind"), ()),
    )
}

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"PAR1", "parquet"),
)
_MARKUP = (b"<!doctype", b"<html", b"<?xml", b"<svg", b"<script", b"<head", b"<body", b"<!--")


def _zip_kind(file) -> str:
    """Tell the zip-based formats apart by what the archive holds."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip()
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "odt"
                if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return "binary"  # starts like a zip but is none
    if "[Content_Types].xml" in names:
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    return "zip"


def _text_kind(head: bytes) -> str:
    if b"\x00" in head:
        return "binary"
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if start.startswith(_MARKUP):
        return "html"
    if start[:1] in (b"{", b"["):
        return "json"
    # Text in any 8-bit encoding passes: the format's reader names a wrong encoding
    # precisely (line and byte), which is more useful than "not text".
    return "text"


def detect(source) -> Kind:
    """The kind of a file (a seekable binary file object) or of ``bytes``."""
    file = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    try:
        for magic, name in _MAGIC:
            if head.startswith(magic):
                return KINDS[name]
        if head.startswith(b"PK\x03\x04"):
            return KINDS[_zip_kind(file)]
        return KINDS[_text_kind(head)]
    finally:
        file.seek(0)


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _size(number: int) -> str:
    return f"{number / 1024**2:.0f} MB" if number >= 1024**2 else f"{number // 1024} KB"


def upload_check(upload, *, kinds: set[str], max_bytes: int, name_must_fit: bool = False):
    """Refuse ``upload`` (a Django ``UploadedFile``) unless it is small enough and its
    content is one of ``kinds``; with ``name_must_fit``, unless its name's extension
    also fits the content (for files served again under their name). Returns the
    upload; raises :class:`ValidationError` naming the problem."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; at most %(limit)s are accepted."),
            code="too_large",
            params={"size": _size(upload.size), "limit": _size(max_bytes)},
        )
    kind = detect(upload)
    accepted = [KINDS[k] for k in sorted(kinds)]
    if kind.name not in kinds:
        raise ValidationError(
            _("The file '%(name)s' is %(kind)s; accepted are: %(accepted)s."),
            code="wrong_kind",
            params={
                "name": upload.name,
                "kind": kind.description,
                "accepted": ", ".join(str(k.description) for k in accepted),
            },
        )
    if name_must_fit and _extension(upload.name) not in kind.extensions:
        raise ValidationError(
            _(
                "The file '%(name)s' is %(kind)s, but its name says otherwise; "
                "name it .%(extension)s."
            ),
            code="wrong_name",
            params={"name": upload.name, "kind": kind.description, "extension": kind.extensions[0]},
        )
    return upload
