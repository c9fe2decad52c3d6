from django.apps import AppConfig


class OpsConfig(AppConfig):
    # No models and no admin: the name never reaches the interface, so no translation.
    name = "leitbild.ops"
    label = "ops"
