from django.conf import settings


def languages(request):
    code = getattr(request, "content_language", settings.CONTENT_SOURCE_LANGUAGE)
    return {
        "content_language": code,
        "content_language_meta": settings.CONTENT_LANGUAGES[code],
        "content_languages": settings.CONTENT_LANGUAGES,
    }
