"""The admin app, with our site (its own module: app configs load before models)."""

from django.contrib.admin.apps import AdminConfig


class LeitbildAdminConfig(AdminConfig):
    default_site = "leitbild.core.admin_site.LeitbildAdminSite"
