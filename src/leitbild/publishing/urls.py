from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("leitbild/<slug:edition>/leitbild.pdf", views.edition_pdf, name="edition_pdf"),
]
