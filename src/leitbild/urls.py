from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from leitbild.api.api import api
from leitbild.ops.views import healthz
from leitbild.participation.views.contributions import goal_history

urlpatterns = [
    # Normally answered by ops.middleware.HealthCheckMiddleware before host checks.
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    # Before participation and monitoring, whose slug patterns would take its pages.
    path("", include("leitbild.publishing.urls")),
    path("beteiligung/", include("leitbild.participation.urls")),
    path("datenschutz/", include("leitbild.privacy.urls")),
    path("konto/", include("leitbild.core.urls")),
    path("organisationen/", include("leitbild.actors.urls")),
    path("monitoring/", include("leitbild.monitoring.urls")),
    path("umsetzung/", include("leitbild.implementation.urls")),
    path("arbeitsbereich/", include("leitbild.workspace.urls")),
    path("uebersetzungen/", include("leitbild.concept.translation_urls")),
    # Before the concept's goal pages, whose patterns would otherwise take it.
    path(
        "leitbild/<slug:edition>/<slug:field>/<slug:goal>/entstehung/",
        goal_history,
        name="goal_history",
    ),
    path("", include("leitbild.concept.urls")),
]
# Uploaded files (progress report attachments) in development; a web server serves
# MEDIA_ROOT in production (see docs/operations.md).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# An unexpected error: 503 with a page of its own while the database is unreachable.
handler500 = "leitbild.core.errors.server_error"
