from django.urls import path

from .views import contributions, events, polls, processes

app_name = "participation"

urlpatterns = [
    path("", processes.process_list, name="process_list"),
    path(
        "bestaetigen/<str:token>/",
        contributions.contribution_confirm,
        name="contribution_confirm",
    ),
    path("abstimmung/bestaetigen/<str:token>/", polls.ballot_confirm, name="ballot_confirm"),
    path(
        "anmeldung/<str:token>/absagen/",
        events.registration_cancel,
        name="registration_cancel",
    ),
    path("<slug:process>/", processes.process_detail, name="process"),
    path("<slug:process>/kalender.ics", events.process_ical, name="process_ical"),
    path("<slug:process>/termine/", events.calendar, name="calendar"),
    path("<slug:process>/termine/<int:event>/", events.event_detail, name="event"),
    path("<slug:process>/termine/<int:event>/termin.ics", events.event_ical, name="event_ical"),
    path(
        "<slug:process>/termine/<int:event>/anmeldungen/",
        events.registration_list,
        name="registrations",
    ),
    path(
        "<slug:process>/termine/<int:event>/anmeldungen.<str:fmt>",
        events.registration_export,
        name="registrations_export",
    ),
    path(
        "<slug:process>/termine/<int:event>/beitrag/",
        contributions.contribution_enter,
        name="contribution_enter",
    ),
    path(
        "<slug:process>/termine/<int:event>/beteiligte/",
        processes.event_stats,
        name="event_stats",
    ),
    path("<slug:process>/beitraege/", contributions.contribution_list, name="contributions"),
    path(
        "<slug:process>/beitraege/<int:pk>/",
        contributions.contribution_detail,
        name="contribution",
    ),
    path(
        "<slug:process>/beitraege/<int:pk>/<str:action>/",
        contributions.contribution_action,
        name="contribution_action",
    ),
    path("<slug:process>/entwurf/", contributions.draft_overview, name="draft"),
    path(
        "<slug:process>/entwurf/<slug:field>/<slug:goal>/",
        contributions.goal_discussion,
        name="goal",
    ),
    path("<slug:process>/abwaegung/", contributions.consideration_table, name="consideration"),
    path(
        "<slug:process>/abwaegung.<str:fmt>",
        contributions.consideration_export,
        name="consideration_export",
    ),
    path("<slug:process>/beteiligte/", processes.process_stats, name="process_stats"),
    path("<slug:process>/abstimmung/<slug:poll>/", polls.poll_detail, name="poll"),
]
