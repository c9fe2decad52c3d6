from django.conf import settings


class ContentLanguageMiddleware:
    """Pick the language in which content (not the interface) is shown.

    ``?lang=ar`` selects any configured content language, including ones the
    interface is not translated into, and is remembered in a cookie so that it stays
    while the visitor reads on; otherwise content follows the interface.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        requested = request.GET.get("lang", "")
        remembered = request.COOKIES.get(settings.CONTENT_LANGUAGE_COOKIE_NAME, "")
        if requested in settings.CONTENT_LANGUAGES:
            request.content_language = requested
        elif remembered in settings.CONTENT_LANGUAGES:
            request.content_language = remembered
        else:
            ui = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
            request.content_language = (
                ui if ui in settings.CONTENT_LANGUAGES else settings.CONTENT_SOURCE_LANGUAGE
            )
        response = self.get_response(request)
        if requested in settings.CONTENT_LANGUAGES and requested != remembered:
            response.set_cookie(
                settings.CONTENT_LANGUAGE_COOKIE_NAME,
                requested,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
        return response


class InterfaceLanguageMiddleware:
    """German interface unless the visitor chose another language.

    Unlike Django's ``LocaleMiddleware`` this ignores the browser's Accept-Language:
    a city's portal is German by default, and a visitor switches with the language
    form (which sets the language cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
