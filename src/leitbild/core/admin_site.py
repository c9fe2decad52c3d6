"""Django's admin site with a throttled login (see :mod:`leitbild.core.auth`).

``leitbild.core.admin_apps.LeitbildAdminConfig`` stands in ``INSTALLED_APPS`` in place of
``django.contrib.admin`` and names this site as the default, so every
``admin.site.register`` and ``admin.site.urls`` keeps working and reaches it.
"""

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS

from .auth import ThrottledAuthenticationForm
from .ratelimit import TOO_MANY_REQUESTS


class LeitbildAdminSite(admin.AdminSite):
    login_form = ThrottledAuthenticationForm

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        # The page shows the form's message; the status tells scripts and monitoring
        # that this was a refusal for too many attempts, not a wrong password.
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = TOO_MANY_REQUESTS
        return response
