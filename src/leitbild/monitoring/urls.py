from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.indicator_list, name="indicators"),
    path("hochladen/", views.observations_upload, name="upload"),
    path("gebiete/", views.boundaries_upload, name="boundaries"),
    path("melderegister/", views.register_runs, name="register_runs"),
    path("melderegister/<int:pk>/", views.register_run, name="register_run"),
    path(
        "melderegister/<int:pk>/stand.json", views.register_run_status, name="register_run_status"
    ),
    path(
        "melderegister/<int:pk>/aggregate.csv",
        views.register_run_aggregates,
        name="register_run_aggregates",
    ),
    path("<slug:code>/", views.indicator_detail, name="indicator"),
    path("<slug:code>/diagramm.<str:fmt>", views.indicator_chart, name="indicator_chart"),
    path("<slug:code>/karte.<str:fmt>", views.indicator_map, name="indicator_map"),
    path("<slug:code>.<str:fmt>", views.indicator_download, name="indicator_download"),
]
