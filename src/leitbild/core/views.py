"""The site's own login and logout (every account; the admin keeps its staff-only login).

Throttled like the admin's (:mod:`.auth`): a refused attempt is answered with 429.
"""

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS

from .auth import ThrottledLoginForm
from .ratelimit import TOO_MANY_REQUESTS


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = TOO_MANY_REQUESTS
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot log anyone out behind their back."""
