from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("auskunft/", views.request_form, name="request"),
    path("auskunft/<str:token>/", views.request_detail, name="request_detail"),
    path("auskunft/<str:token>/daten.json", views.request_download, name="request_download"),
]
