"""Documents for the public and the council, rendered from the same templates as the web."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from leitbild.concept.models import Edition
from leitbild.core.context_processors import content_language_context

from . import selectors
from .pdf import html_to_pdf


def edition_print_html(*, edition: Edition, language: str = "de") -> str:
    """The brochure as HTML, its texts in content language ``language``: published
    translations, else the German source marked "not translated", right to left for
    Arabic and Persian. Headings such as "Contents" are in that language when the
    interface has it, otherwise in the interface's default (German)."""
    if language not in settings.CONTENT_LANGUAGES:
        known = ", ".join(settings.CONTENT_LANGUAGES)
        raise ValueError(f"Unknown content language {language!r}; known: {known}.")
    interface = _interface_language(language)
    with translation.override(interface):
        context = {
            **selectors.edition_print(edition, language=language),
            # No request, so no context processors: what they would give the templates.
            **content_language_context(language),
            "LANGUAGE_CODE": interface,
            "LANGUAGE_BIDI": translation.get_language_bidi(),
            # The whole document is in the content language (<html lang dir>).
            "document_lang": settings.CONTENT_LANGUAGES[language]["html_lang"],
            "document_dir": settings.CONTENT_LANGUAGES[language]["dir"],
        }
        return render_to_string("publishing/edition_print.html", context)


def _interface_language(content_language: str) -> str:
    interface = {code for code, _name in settings.LANGUAGES}
    if content_language in interface:
        return content_language
    html_lang = settings.CONTENT_LANGUAGES[content_language]["html_lang"]  # de-easy → de
    return html_lang if html_lang in interface else settings.LANGUAGE_CODE


def edition_pdf(*, edition: Edition, language: str = "de") -> bytes:
    """The edition as a print-ready A4 brochure (PDF) in content language ``language``."""
    return html_to_pdf(edition_print_html(edition=edition, language=language))


def edition_pdf_cached(*, edition: Edition, language: str = "de") -> bytes:
    """:func:`edition_pdf`, kept on disk under a hash of its HTML: laying out a brochure
    takes seconds, and the same text gives the same PDF.

    Requests that arrive while a brochure is being laid out wait for it (a lock file per
    edition and language, shared by every process on the machine) instead of laying it
    out again each: a burst of first requests after a text change costs one layout, not
    one per request and worker."""
    import fcntl
    import hashlib

    html = edition_print_html(edition=edition, language=language)
    key = hashlib.sha256(html.encode()).hexdigest()[:32]
    cache = settings.DATA_DIR / "cache" / "pdf"
    # A dot before the hash: "de-*" would also match (and delete) the "de-easy" files.
    path = cache / f"edition-{edition.pk}-{language}.{key}.pdf"
    if path.exists():
        return path.read_bytes()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"edition-{edition.pk}-{language}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():  # laid out by whoever held the lock before us
            return path.read_bytes()
        data = html_to_pdf(html)
        partial = path.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a file
        for old in cache.glob(f"edition-{edition.pk}-{language}.*.pdf"):
            if old != path:
                old.unlink(missing_ok=True)
    return data
