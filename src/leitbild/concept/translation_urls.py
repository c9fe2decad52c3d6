from django.urls import path

from . import translation_views as views

app_name = "translations"

urlpatterns = [
    path("", views.translation_index, name="index"),
    path("<slug:edition>/", views.translation_status, name="status"),
    path("<slug:edition>/<slug:language>/", views.translation_list, name="list"),
    path(
        "<slug:edition>/<slug:language>/<slug:kind>/<int:pk>/<slug:field>/",
        views.translation_edit,
        name="edit",
    ),
]
