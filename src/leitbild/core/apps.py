from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "leitbild.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .auth import on_logged_in, on_login_failed

        # Count failed logins wherever authenticate() is called with a request.
        user_login_failed.connect(on_login_failed, dispatch_uid="leitbild-login-failed")
        user_logged_in.connect(on_logged_in, dispatch_uid="leitbild-logged-in")
