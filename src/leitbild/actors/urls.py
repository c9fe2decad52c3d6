from django.urls import path

from . import views

app_name = "actors"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path("<slug:slug>/bearbeiten/", views.organisation_edit, name="edit"),
]
