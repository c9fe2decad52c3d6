"""Documents for the public and the council, rendered from the same templates as the web."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from leitbild.concept.models import Edition

from . import selectors
from .pdf import html_to_pdf


def edition_print_html(*, edition: Edition, language: str = "de") -> str:
    with translation.override(language):
        return render_to_string("publishing/edition_print.html", selectors.edition_print(edition))


def edition_pdf(*, edition: Edition, language: str = "de") -> bytes:
    """The edition as a print-ready A4 brochure (PDF)."""
    return html_to_pdf(edition_print_html(edition=edition, language=language))


def edition_pdf_cached(*, edition: Edition, language: str = "de") -> bytes:
    """:func:`edition_pdf`, kept on disk under a hash of its HTML: laying out a brochure
    takes seconds, and the same text gives the same PDF."""
    import hashlib

    from django.conf import settings

    html = edition_print_html(edition=edition, language=language)
    key = hashlib.sha256(html.encode()).hexdigest()[:32]
    cache = settings.DATA_DIR / "cache" / "pdf"
    path = cache / f"edition-{edition.pk}-{language}-{key}.pdf"
    if path.exists():
        return path.read_bytes()
    data = html_to_pdf(html)
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(path)  # a reader never sees half a file
    for old in cache.glob(f"edition-{edition.pk}-{language}-*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return data
