from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from leitbild.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("", include("leitbild.concept.urls")),
]
