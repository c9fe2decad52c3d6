from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActorsConfig(AppConfig):
    name = "leitbild.actors"
    verbose_name = _("Organisations")
    default_auto_field = "django.db.models.BigAutoField"
