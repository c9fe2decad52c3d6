from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("fortschreibung/<slug:edition>/", views.revision_start, name="revision_start"),
]
