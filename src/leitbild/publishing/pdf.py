"""HTML to PDF with WeasyPrint, offline: every URL the document names must be one of our
static files (found through the staticfiles finders); anything else is refused, so
rendering never reaches the network."""

from __future__ import annotations

import mimetypes
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders

BASE_URL = "https://leitbild.invalid/"


class OfflineFetchError(ValueError):
    pass


def _static_file(url: str) -> tuple[bytes, str]:
    path = urlparse(url).path
    prefix = settings.STATIC_URL
    if not path.startswith(prefix):
        raise OfflineFetchError(f"not fetched while printing: {url}")
    found = finders.find(path[len(prefix) :])
    if not found:
        raise OfflineFetchError(f"no such static file: {path}")
    with open(found, "rb") as handle:
        return handle.read(), mimetypes.guess_type(found)[0] or "application/octet-stream"


def html_to_pdf(html: str) -> bytes:
    return html_layout(html).write_pdf()


def html_layout(html: str):
    """The laid-out WeasyPrint document: its ``pages`` are known before it is written
    (``.write_pdf()``), so a caller can record the page count without a PDF reader."""
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        """Static files only; a missing stylesheet is an error, not a plain brochure."""

        def fetch(self, url, headers=None):
            body, mime_type = _static_file(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})

    fetcher = StaticFetcher(fail_on_errors=True)
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
