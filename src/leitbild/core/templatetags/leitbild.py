"""Template helpers for multilingual content."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

register = template.Library()


@dataclass(frozen=True)
class ContentText:
    """One content text as a page shows it, with the markup around it.

    ``open`` and ``close`` give the text its own ``lang`` and ``dir`` where they differ
    from the page's interface language (or the text is a fallback), so that screen
    readers pronounce it right and right-to-left text runs right to left. ``marker`` is
    the visible "(not translated)" note after a German text shown in place of a missing
    translation — in the interface language, since the visitor may not read German.
    """

    text: str
    language: str
    fallback: bool
    open: SafeString
    close: SafeString
    marker: SafeString

    @property
    def is_source(self) -> bool:
        return self.language == settings.CONTENT_SOURCE_LANGUAGE


def content_text_for(context, obj, field, *, block: bool = False, mark: bool = True) -> ContentText:
    wanted = context.get("content_language", settings.CONTENT_SOURCE_LANGUAGE)
    text, language = obj.translated(field, wanted)
    meta = settings.CONTENT_LANGUAGES[language]
    fallback = bool(text) and language != wanted
    page_lang = context.get("LANGUAGE_CODE", settings.LANGUAGE_CODE)
    # What the text stands in: the interface language on web pages; a document in one
    # content language (the brochure) says so with ``document_lang``/``document_dir``.
    around_lang = context.get("document_lang", page_lang)
    around_dir = context.get("document_dir", "ltr")
    empty = mark_safe("")
    opening, closing, marker = empty, empty, empty
    if fallback or meta["html_lang"] != around_lang or meta["dir"] != around_dir:
        tag = "div" if block else "span"
        opening = format_html('<{} lang="{}" dir="{}">', tag, meta["html_lang"], meta["dir"])
        closing = format_html("</{}>", tag)
    if fallback and mark:
        marker = format_html(
            ' <span class="untranslated" lang="{}" dir="{}">({})</span>',
            page_lang,
            "rtl" if get_language_bidi() else "ltr",
            _("not translated"),
        )
    return ContentText(text, language, fallback, opening, closing, marker)


@register.simple_tag(takes_context=True)
def content_text(context, obj, field, block=False):
    """``{% content_text goal "text" as t %}``: the text and its markup, for templates
    that render the text themselves (with footnote markers, truncated …):
    ``{{ t.open }}{{ t.text }}{{ t.close }}{{ t.marker }}``."""
    return content_text_for(context, obj, field, block=block)


@register.simple_tag(takes_context=True)
def tr(context, obj, field, safe_html=False, mark=True):
    """Render ``obj.field`` in the page's content language.

    The published translation, or else the German source, marked as not translated
    when another language was asked for (``mark=False`` leaves the mark out where the
    same text is marked nearby, as in a table of contents). The result is wrapped with
    its own ``lang`` and ``dir`` when it differs from the page.
    """
    shown = content_text_for(context, obj, field, block=safe_html, mark=mark)
    # Body HTML is sanitised when it is written (core.text.sanitize_html).
    body = mark_safe(shown.text) if safe_html else shown.text
    return format_html("{}{}{}{}", shown.open, body, shown.close, shown.marker)
