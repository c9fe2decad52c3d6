from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("leitbild/<slug:edition>/leitbild.pdf", views.edition_pdf, name="edition_pdf"),
    path("beteiligung/<slug:process>/ratsvorlage/", views.council_paper, name="council_paper"),
    path(
        "beteiligung/<slug:process>/ratsvorlage.<str:fmt>",
        views.council_paper_download,
        name="council_paper_download",
    ),
    path("monitoring/berichte/", views.report_list, name="reports"),
    path("monitoring/berichte/neu/", views.report_create, name="report_create"),
    path("monitoring/berichte/<int:pk>/", views.report_detail, name="report"),
    path("monitoring/berichte/<int:pk>/stand.json", views.report_status, name="report_status"),
    path("monitoring/berichte/<int:pk>/bericht.pdf", views.report_file, name="report_file"),
]
