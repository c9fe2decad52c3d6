from django.conf import settings


def languages(request):
    code = getattr(request, "content_language", settings.CONTENT_SOURCE_LANGUAGE)
    return content_language_context(code)


def content_language_context(code: str) -> dict:
    """What templates need to know about the content language; also for documents
    rendered without a request (the printed brochure)."""
    return {
        "content_language": code,
        "content_language_meta": settings.CONTENT_LANGUAGES[code],
        "content_languages": settings.CONTENT_LANGUAGES,
        "content_source_language": settings.CONTENT_SOURCE_LANGUAGE,
    }
