from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "leitbild.monitoring"
    verbose_name = _("Integration monitoring")
    default_auto_field = "django.db.models.BigAutoField"
