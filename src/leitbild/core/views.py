"""The site's own login, logout and passwords (every account; the admin keeps its
staff-only login).

The login is throttled like the admin's (:mod:`.auth`); asking for a new password and
using its link are rate limited per client. Refusals are answered with 429.
"""

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from . import ratelimit
from .auth import ThrottledLoginForm
from .forms import PasswordResetRequestForm
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


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and sends the link if an active account has it — and
    says the same whether or not one does, so the page tells nobody who has an account."""

    template_name = "core/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("account:password_reset_done")

    def form_valid(self, form):
        if ratelimit.rate_limited(self.request, "password-reset"):
            ratelimit.form_refuse(
                form, _("Too many requests from your connection. Try again later.")
            )
            return self.render_to_response(
                self.get_context_data(form=form), status=ratelimit.form_status(form)
            )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("account:password_reset_complete")

    def post(self, request, *args, **kwargs):
        # The link's token is long and random; the limit stops trying them by the thousand.
        if ratelimit.rate_limited(request, "email-link"):
            return ratelimit.too_many_requests(
                request, _("Too many requests from your connection. Try again later.")
            )
        return super().post(request, *args, **kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("account:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "core/password_change_done.html"
