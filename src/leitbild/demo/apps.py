from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data set across all apps (``leitbild load-demo``); no models."""

    name = "leitbild.demo"
    verbose_name = _("Demo data")
