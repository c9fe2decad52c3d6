"""The printed concept: a brochure PDF whose table of contents names the right pages."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.fixture(scope="module")
def brochure(django_db_setup, django_db_blocker, tmp_path_factory):
    """The 2019 edition's PDF, made once by ``leitbild export-pdf``."""
    out = tmp_path_factory.mktemp("pdf") / "leitbild-2019.pdf"
    with django_db_blocker.unblock():
        call_command("export_pdf", "--edition", "2019", "--out", str(out), stdout=io.StringIO())
    return out


def pages_text(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def squash(text: str) -> str:
    # Undo hyphenation at line ends (WeasyPrint sets U+2010) and collapse whitespace.
    text = re.sub(r"[-\u2010\u00ad]\s*\n\s*(?=[a-zäöüß])", "", text)
    return re.sub(r"\s+", " ", text).strip()


def toc_entries(text: str) -> list[tuple[str, int]]:
    """(title, page) for each entry; an entry may wrap over several lines before its
    leader dots and page number."""
    entries, pending = [], []
    for line in text.splitlines()[1:]:  # the first line is the heading "Inhalt"
        match = re.match(r"^(.*?)[\s.]*\.{3,}\s*(\d+)\s*$", line)
        if match:
            pending.append(match.group(1))
            entries.append((squash("\n".join(pending)), int(match.group(2))))
            pending = []
        elif line.strip():
            pending.append(line.strip())
    return entries


def test_every_contents_entry_names_the_page_its_heading_is_on(brochure):
    pages = pages_text(brochure)
    assert len(pages) > 20
    toc_index = next(i for i, text in enumerate(pages) if text.lstrip().startswith("Inhalt"))
    entries = toc_entries(pages[toc_index])
    assert len(entries) >= 15, entries
    assert any(title.startswith("6.2") for title, _page in entries)
    squashed = [squash(text) for text in pages]
    for title, page in entries:
        # The heading's page: the first page after the contents that carries the title.
        found = next(
            (n + 1 for n in range(toc_index + 1, len(pages)) if title in squashed[n]), None
        )
        if found is None and toc_index and title in " ".join(squashed[:toc_index]):
            found = next(n + 1 for n in range(toc_index) if title in squashed[n])
        assert found == page, f"{title!r}: contents say page {page}, heading is on {found}"


def test_the_brochure_has_cover_imprint_page_numbers_and_footnotes(brochure):
    pages = pages_text(brochure)
    assert "Leitbild Migration und Integration Münster" in squash(pages[0])
    assert "3. Fassung 2019" in squash(pages[0])
    assert "Herausgeber" in pages[1]  # the imprint
    # A page number at the foot of a body page, and a running header.
    assert re.search(r"\b16\s*$", pages[15].strip())
    assert "6.2 Rechtliche Beratung und Integrationsbegleitung" in squash(pages[15])
    # Notes stand at the end of the chapter or field that calls them: footnote 5 (called
    # in field 6.1) under 6.1's running header, before field 6.2 begins.
    index = next(i for i, p in enumerate(pages) if "Vielfalt wird hier verstanden" in p)
    assert "6.1 Übergeordnete Leitziele" in squash(pages[index])
    toc = next(i for i, text in enumerate(pages) if text.lstrip().startswith("Inhalt"))
    start_62 = next(
        i for i, p in enumerate(pages) if i > toc and "6.2 Rechtliche Beratung" in squash(p)
    )
    assert index < start_62
    assert "anmerkungen" in pages[index].lower()


def test_the_edition_page_offers_the_pdf(client, demo):
    page = client.get(reverse("concept:edition", kwargs={"edition": "2019"})).content.decode()
    url = reverse("publishing:edition_pdf", kwargs={"edition": "2019"})
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_burst_of_first_requests_lays_the_brochure_out_once(
    demo, settings, tmp_path, monkeypatch
):
    """Eight requests at once for a brochure not yet in the cache: one layout, and
    every request gets the same PDF."""
    import threading
    import time

    from django.db import connections

    from leitbild.concept.models import Edition
    from leitbild.publishing import services

    settings.DATA_DIR = tmp_path
    layouts = []

    def slow_layout(html):
        layouts.append(html)
        time.sleep(0.5)  # long enough for every request to arrive meanwhile
        return b"%PDF-1.7 stand-in " + str(len(layouts)).encode()

    monkeypatch.setattr(services, "html_to_pdf", slow_layout)
    edition = Edition.objects.get(year=2019)
    html = services.edition_print_html(edition=edition, language="de")
    monkeypatch.setattr(services, "edition_print_html", lambda **kwargs: html)
    answers = []

    def request():
        answers.append(services.edition_pdf_cached(edition=edition, language="de"))
        connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(layouts) == 1
    assert answers == [b"%PDF-1.7 stand-in 1"] * 8
    assert len(list((tmp_path / "cache" / "pdf").glob("*.pdf"))) == 1
