from django.urls import path

from . import views

app_name = "concept"

urlpatterns = [
    path("", views.home, name="home"),
    path("suche/", views.search_view, name="search"),
    path("vergleich/", views.compare_choose, name="compare_choose"),
    path("vergleich/<slug:old>/<slug:new>/", views.compare, name="compare"),
    path(
        "vergleich/<slug:old>/<slug:new>/ziel/<int:goal_id>/",
        views.lineage_edit,
        name="lineage_edit",
    ),
    # Before the edition pages, whose pattern would take "chronik" for an edition.
    path("leitbild/chronik/", views.edition_history, name="history"),
    path("leitbild/<slug:edition>/", views.edition_detail, name="edition"),
    path("leitbild/<slug:edition>/begriffe/", views.glossary, name="glossary"),
    path("leitbild/<slug:edition>/kapitel/<slug:chapter>/", views.chapter_detail, name="chapter"),
    path("leitbild/<slug:edition>/<slug:field>/", views.field_detail, name="field"),
    path("leitbild/<slug:edition>/<slug:field>/<slug:goal>/", views.goal_detail, name="goal"),
]
