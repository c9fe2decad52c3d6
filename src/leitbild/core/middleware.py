from django.conf import settings


class ContentLanguageMiddleware:
    """Pick the language in which content (not the interface) is shown.

    ``?lang=ar`` selects any configured content language, including ones the
    interface is not translated into; otherwise content follows the interface.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        requested = request.GET.get("lang", "")
        if requested in settings.CONTENT_LANGUAGES:
            request.content_language = requested
        else:
            ui = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
            request.content_language = (
                ui if ui in settings.CONTENT_LANGUAGES else settings.CONTENT_SOURCE_LANGUAGE
            )
        return self.get_response(request)
