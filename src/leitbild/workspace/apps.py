from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The staff dashboard. It reads every other app and no app depends on it."""

    name = "leitbild.workspace"
    verbose_name = _("Workspace")
