from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.indicator_list, name="indicators"),
    path("hochladen/", views.observations_upload, name="upload"),
    path("gebiete/", views.boundaries_upload, name="boundaries"),
    path("<slug:code>/", views.indicator_detail, name="indicator"),
    path("<slug:code>/diagramm.<str:fmt>", views.indicator_chart, name="indicator_chart"),
    path("<slug:code>/karte.<str:fmt>", views.indicator_map, name="indicator_map"),
    path("<slug:code>.<str:fmt>", views.indicator_download, name="indicator_download"),
]
