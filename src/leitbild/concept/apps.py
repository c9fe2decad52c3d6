from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConceptConfig(AppConfig):
    name = "leitbild.concept"
    label = "concept"
    verbose_name = _("Integration concept")
