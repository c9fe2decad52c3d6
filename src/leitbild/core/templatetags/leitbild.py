"""Template helpers for multilingual content."""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def tr(context, obj, field, safe_html=False):
    """Render ``obj.field`` in the page's content language.

    The result is wrapped with its own ``lang`` and ``dir`` when it differs from the
    page, so that screen readers pronounce it right and RTL text runs right to left.
    """
    wanted = context.get("content_language", settings.CONTENT_SOURCE_LANGUAGE)
    text, language = obj.translated(field, wanted)
    meta = settings.CONTENT_LANGUAGES[language]
    # Body HTML is sanitised when it is written (core.text.sanitize_html).
    body = mark_safe(text) if safe_html else text
    page_lang = context.get("LANGUAGE_CODE", settings.LANGUAGE_CODE)
    if meta["html_lang"] == page_lang and meta["dir"] == "ltr":
        return format_html("{}", body)
    tag = "div" if safe_html else "span"
    return format_html(
        '<{} lang="{}" dir="{}">{}</{}>', tag, meta["html_lang"], meta["dir"], body, tag
    )
