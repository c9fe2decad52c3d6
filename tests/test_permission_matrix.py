"""Every role × every write action: the rules of the apps' ``permissions.py`` and of
``workspace/roles.py``, tested as one matrix.

``ACTIONS`` lists every write the site offers — each form posted on a page, each
download of data that is not public, each API write — with the roles allowed to do it.
Every (role, action) pair is its own test, named like
``reporter-other-org x progress_report_create -> refused``:

- allowed: the request is not refused and its effect shows in the database (or the
  download carries the protected data);
- refused: 403, a redirect to the login, or 401 for the API (404 where an action is
  marked ``concealed``), and nothing changed, nothing shown.

``test_every_url_is_in_the_matrix_or_read_only`` and ``test_every_api_write_is_in_the_
matrix`` fail when a URL pattern or API operation is neither in ``ACTIONS`` nor in
``READ_ONLY`` / ``API_NOT_WRITES`` with a reason, so a new form cannot go unchecked.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from leitbild.actors.models import Organisation, OrganisationMember
from leitbild.concept.models import District, Edition, Goal
from leitbild.core.models import Translation
from leitbild.implementation.models import ActionGoal, Measure, ProgressReport
from leitbild.monitoring.models import Indicator, Observation, RegisterRun
from leitbild.participation import services as participation
from leitbild.participation.models import (
    Contribution,
    Event,
    PollBallot,
    Process,
    Registration,
)
from leitbild.privacy.models import PrivacyRequest
from leitbild.privacy.services import privacy_request_create
from leitbild.publishing.models import CouncilPaper, MonitoringReport
from leitbild.workspace.roles import COORDINATORS

# Roles ------------------------------------------------------------------------------------

ROLES = [
    "visitor",  # anonymous
    "participant",  # a logged-in account with no role
    "staff-no-role",  # a staff account with no role: is_staff alone grants nothing
    "representative",  # of organisation A
    "representative-other-org",  # of organisation B
    "reporter",  # of organisation A
    "reporter-other-org",  # of organisation B
    "moderator",  # staff of the process P
    "moderator-other-process",  # staff of another process Q
    "coordinator",  # the group "Koordination"
    "administrator",  # superuser
]
EVERYONE = frozenset(ROLES)
ADMINISTRATORS = frozenset({"administrator"})
COORDINATION = ADMINISTRATORS | {"coordinator"}
PROCESS_STAFF = COORDINATION | {"moderator"}
REPORTERS = COORDINATION | {"reporter"}
REPRESENTATIVES = COORDINATION | {"representative"}

JSON = "application/json"


# The world the actions act on (each object made only when an action needs it) ------------


class World:
    def __init__(self, *, demo, process, make_event, user_model):
        self.demo, self._process, self._make_event, self._users = (
            demo,
            process,
            make_event,
            user_model,
        )

    @cached_property
    def process(self) -> Process:
        """P: the demo's revision, open for contributions on its published draft."""
        Process.objects.filter(pk=self._process.pk).update(contributions_open=True)
        Edition.objects.filter(pk=self._process.draft_edition_id).update(published=True)
        return Process.objects.select_related("base_edition", "draft_edition").get(
            pk=self._process.pk
        )

    @cached_property
    def other_process(self) -> Process:
        """Q: a second process, whose moderator must not act on P."""
        return Process.objects.create(
            title="Andere Beteiligung (Matrix)",
            slug="andere-beteiligung-matrix",
            base_edition=self.demo[2014],
            starts_on=dt.date(2026, 1, 1),
        )

    def _organisation(self, name, slug) -> Organisation:
        return Organisation.objects.create(
            city=self.demo[2019].city,
            name=name,
            slug=slug,
            category=Organisation.Category.CITY_OFFICE,
            description="Vorher.",
        )

    @cached_property
    def org_a(self) -> Organisation:
        return self._organisation("Amt A (Matrix)", "amt-a-matrix")

    @cached_property
    def org_b(self) -> Organisation:
        return self._organisation("Amt B (Matrix)", "amt-b-matrix")

    @cached_property
    def measure(self) -> Measure:
        """Led by organisation A."""
        measure = Measure.objects.create(title="(Matrix) Maßnahme unter Leitung von A")
        measure.lead.add(self.org_a)
        return measure

    @cached_property
    def partner_measure(self) -> Measure:
        """Organisation A is a partner (and no one else is named)."""
        measure = Measure.objects.create(title="(Matrix) Maßnahme mit A als Partner")
        measure.partners.add(self.org_a)
        return measure

    @cached_property
    def goal_2019(self) -> Goal:
        return self.demo[2019].goals.get(field__number="6.2", slug="teilziel-1")

    @cached_property
    def action_goal(self) -> ActionGoal:
        """Organisation A is responsible."""
        item = ActionGoal.objects.create(goal=self.goal_2019, text="(Matrix) Handlungsziel")
        item.responsible.add(self.org_a)
        return item

    @cached_property
    def event(self) -> Event:
        self.process  # noqa: B018 — opens P first
        return self._make_event(title="Matrix-Werkstatt")

    @cached_property
    def invitation_event(self) -> Event:
        self.process  # noqa: B018
        return self._make_event(title="Geschlossene Runde", visibility="invitation")

    @cached_property
    def registration(self) -> Registration:
        return participation.registration_create(
            event=self.event, name="Privat Person", email="privat@example.org", consent=True
        )

    @cached_property
    def draft_goal(self) -> Goal:
        return self.process.draft_edition.goals.get(field__number="6.2", slug="teilziel-1")

    @cached_property
    def contribution(self) -> Contribution:
        return participation.contribution_submit(
            process=self.process,
            kind="amendment",
            goal=self.draft_goal,
            body="Vorschlag",
            proposed_text=self.draft_goal.text + " Neu.",
            email="autor@example.org",
            email_confirmed=True,
        )

    @cached_property
    def hidden_contribution(self) -> Contribution:
        item = participation.contribution_submit(
            process=self.process,
            kind="comment",
            goal=self.draft_goal,
            body="Ausgeblendet",
            email="verborgen@example.org",
            email_confirmed=True,
        )
        return participation.contribution_hide(contribution=item, reason="Test")

    @cached_property
    def pending_contribution(self) -> Contribution:
        return participation.contribution_submit(
            process=self.process,
            kind="comment",
            goal=self.draft_goal,
            body="Noch nicht bestätigt",
            email="unbestaetigt@example.org",
            email_confirmed=False,
        )

    @cached_property
    def poll(self):
        poll = self.process.polls.get(slug="priorisierung")
        now = timezone.now()
        poll.opens_at, poll.closes_at = now - dt.timedelta(days=1), now + dt.timedelta(days=7)
        poll.save(update_fields=["opens_at", "closes_at"])
        return poll

    def allocation(self) -> dict[str, int]:
        first, second = list(self.poll.options.all())[:2]
        return {f"option_{first.pk}": 5, f"option_{second.pk}": 5}

    @cached_property
    def pending_ballot(self) -> PollBallot:
        return participation.ballot_submit(
            poll=self.poll,
            email="stimme@example.org",
            allocation={int(k.split("_")[1]): v for k, v in self.allocation().items()},
        )

    @cached_property
    def privacy_request(self) -> PrivacyRequest:
        participation.registration_create(
            event=self.event, name="Löschen Bitte", email="loeschen@example.org", consent=True
        )
        return privacy_request_create(email="loeschen@example.org")

    @cached_property
    def indicator(self) -> Indicator:
        return Indicator.objects.get(code="integrationsrat-wahlbeteiligung")

    @cached_property
    def register_run(self) -> RegisterRun:
        run = RegisterRun.objects.create(
            city=self.demo[2019].city,
            year=2020,
            extract_name="auszug-matrix.parquet",
            status=RegisterRun.Status.DONE,
        )
        run.aggregates.save("aggregate-matrix.csv", ContentFile(b"district,count\n11,matrix-7\n"))
        return run

    @cached_property
    def queued_report(self) -> MonitoringReport:
        return MonitoringReport.objects.create(edition=self.demo[2019], language="de")

    @cached_property
    def lineage_goal(self) -> Goal:
        return self.demo[2019].goals.exclude(predecessor__isnull=True).first()

    @cached_property
    def other_2014_goal(self) -> Goal:
        return self.demo[2014].goals.exclude(pk=self.lineage_goal.predecessor_id).first()

    @cached_property
    def candidate(self):
        """An account an administrator might make a reporter."""
        return self._users.objects.create_user("kandidat")


def make_user(role: str, world: World, user_model):
    if role == "visitor":
        return None
    if role == "administrator":
        return user_model.objects.create_superuser("matrix-admin", password=None)
    user = user_model.objects.create_user(
        f"matrix-{role}", password=None, is_staff=role != "participant"
    )
    memberships = {
        "representative": (world.org_a, OrganisationMember.Role.REPRESENTATIVE),
        "representative-other-org": (world.org_b, OrganisationMember.Role.REPRESENTATIVE),
        "reporter": (world.org_a, OrganisationMember.Role.REPORTER),
        "reporter-other-org": (world.org_b, OrganisationMember.Role.REPORTER),
    }
    if role in memberships:
        organisation, member_role = memberships[role]
        OrganisationMember.objects.create(organisation=organisation, user=user, role=member_role)
    elif role == "moderator":
        world.process.staff.add(user)
    elif role == "moderator-other-process":
        world.other_process.staff.add(user)
    elif role == "coordinator":
        user.groups.add(Group.objects.get(name=COORDINATORS))
    return user


# The actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    url_name: str  # the URL pattern (or API operation) it exercises
    allowed: frozenset[str]
    send: Callable  # (client, world, token) → response
    # What the write changes, read before and after the request: must change when
    # allowed, must not when refused.
    effect: Callable | None = None  # (world) → value
    # For downloads and staff pages: does the answer carry the protected data?
    reveals: Callable | None = None  # (world, response) → bool
    prepare: Callable | None = None  # (world) → None, before the "before" snapshot
    concealed: bool = False  # refused with 404: the object's existence is not revealed
    api: bool = False


def _post(url_of, data_of=None, **kwargs):
    def send(client, w, token):
        data = data_of(w) if data_of else {}
        return client.post(url_of(w), data, **kwargs)

    return send


def _get(url_of):
    return lambda client, w, token: client.get(url_of(w))


def _api(method, url_of, body_of, *, multipart=False):
    def send(client, w, token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if multipart:
            return client.post(url_of(w), body_of(w), headers=headers)
        return getattr(client, method)(
            url_of(w), json.dumps(body_of(w)), content_type=JSON, headers=headers
        )

    return send


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _contains(text_of):
    return lambda w, response: text_of(w) in _body(response).decode("utf-8-sig", "replace")


def _xlsx_contains(text_of):
    def reveals(w, response):
        from openpyxl import load_workbook

        body = _body(response)
        if not body.startswith(b"PK"):
            return False
        book = load_workbook(io.BytesIO(body), read_only=True)
        cells = (c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
        return text_of(w) in {str(c) for c in cells if c is not None}

    return reveals


def _action_url(action):
    return lambda w, item="contribution": reverse(
        "participation:contribution_action",
        kwargs={"process": w.process.slug, "pk": getattr(w, item).pk, "action": action},
    )


def _event_url(name, **extra):
    return lambda w: reverse(name, kwargs={"process": w.process.slug, "event": w.event.pk, **extra})


def _goal_url(w):
    return reverse(
        "participation:goal",
        kwargs={
            "process": w.process.slug,
            "field": w.draft_goal.field.slug,
            "goal": w.draft_goal.slug,
        },
    )


def _person(email):
    return {"name": "Erika Muster", "email": email, "consent": "on"}


def _adopt_2025(w):
    """The council adopted the draft 2025, so that its next revision may start."""
    Edition.objects.filter(pk=w.demo[2019].pk).update(status=Edition.Status.ARCHIVED)
    Edition.objects.filter(pk=w.process.draft_edition_id).update(
        status=Edition.Status.ADOPTED, adopted_on=dt.date(2025, 3, 27)
    )


COUNCIL_FORM = {
    "reference": "V/0999/2025",
    "title": "Fortschreibung des Migrationsleitbildes",
    "date": "2025-03-01",
    "overview": "Kurz.",
    "goals": "Ziele.",
    "product_group": "0116",
    "product_group_name": "Migration und Integration",
    "affects_results_plan": "no",
    "affects_financial_plan": "no",
    "budget_year": "2025",
    "in_adopted_budget": "no",
    "in_draft_budget": "no",
    "future_burden": "no",
    "already_budgeted": "no",
    "obligation": "mainly_voluntary",
    "topics": ["inclusion"],
    "action": "save",
}
REPORT = {"reported_on": "2026-11-01", "text": "Zwei Sitzungen.", "percent": "40"}
OBSERVATIONS = "indicator,period,area,value\nintegrationsrat-wahlbeteiligung,{year},,21.5\n"
BOUNDARY = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"Nr": "990", "Name": "Matrixviertel"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[7.60, 51.90], [7.61, 51.90], [7.61, 51.91], [7.60, 51.90]]],
            },
        }
    ],
}


def _register_extract():
    from leitbild.monitoring.derivation import synth

    frame = synth.synthesize(300, seed=5, districts=["11", "12"], year=2020)
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def _council_url(w, name="publishing:council_paper", **extra):
    return reverse(name, kwargs={"process": w.process.slug, **extra})


def _paper(w):
    return CouncilPaper.objects.filter(process=w.process).values_list("reference", "released_at")[0]


ACTIONS = [
    # Participation: public forms (anyone), and the buttons behind e-mailed links.
    Action(
        "event_register",
        "participation:event",
        EVERYONE,
        _post(lambda w: w.event.get_absolute_url(), lambda w: _person("neu@example.org")),
        effect=lambda w: w.event.registrations.count(),
    ),
    Action(
        "registration_cancel",
        "participation:registration_cancel",
        EVERYONE,  # the link's token is the permission
        _post(lambda w: w.registration.get_cancel_url()),
        effect=lambda w: Registration.objects.get(pk=w.registration.pk).status,
    ),
    Action(
        "goal_comment",
        "participation:goal",
        EVERYONE,
        _post(
            _goal_url,
            lambda w: {"kind": "comment", "body": "Guter Punkt.", "email": "c@example.org"},
        ),
        effect=lambda w: w.process.contributions.filter(goal=w.draft_goal).count(),
    ),
    Action(
        "idea_submit",
        "participation:contributions",
        EVERYONE,
        _post(
            lambda w: reverse("participation:contributions", args=[w.process.slug]),
            lambda w: {
                "field": w.process.draft_edition.fields.order_by("position")[0].pk,
                "body": "Eine Idee.",
                "email": "idee@example.org",
            },
        ),
        effect=lambda w: w.process.contributions.filter(kind="idea").count(),
    ),
    Action(
        "contribution_reply",
        "participation:contribution",
        EVERYONE,
        _post(
            lambda w: w.contribution.get_absolute_url(),
            lambda w: {"body": "Antwort.", "email": "antwort@example.org"},
        ),
        effect=lambda w: Contribution.objects.filter(parent=w.contribution).count(),
    ),
    Action(
        "contribution_report",
        "participation:contribution_action",
        EVERYONE,
        _post(_action_url("melden"), lambda w: {"report-reason": "Test"}),
        effect=lambda w: Contribution.objects.get(pk=w.contribution.pk).report_count,
    ),
    Action(
        "contribution_confirm",
        "participation:contribution_confirm",
        EVERYONE,  # the link's token is the permission
        _post(
            lambda w: reverse(
                "participation:contribution_confirm", args=[w.pending_contribution.token]
            )
        ),
        effect=lambda w: Contribution.objects.get(pk=w.pending_contribution.pk).status,
    ),
    Action(
        "poll_vote",
        "participation:poll",
        EVERYONE,
        _post(
            lambda w: w.poll.get_absolute_url(),
            lambda w: {"email": "waehlerin@example.org", **w.allocation()},
        ),
        effect=lambda w: w.poll.ballots.count(),
    ),
    Action(
        "ballot_confirm",
        "participation:ballot_confirm",
        EVERYONE,  # the link's token is the permission
        _post(lambda w: reverse("participation:ballot_confirm", args=[w.pending_ballot.token])),
        effect=lambda w: PollBallot.objects.get(pk=w.pending_ballot.pk).confirmed_at is not None,
    ),
    # Participation: the process's staff — moderators of P, coordinators, administrators.
    Action(
        "registration_list",
        "participation:registrations",
        PROCESS_STAFF,
        _get(_event_url("participation:registrations")),
        reveals=_contains(lambda w: "privat@example.org"),
        prepare=lambda w: w.registration,
    ),
    Action(
        "registration_attendance",
        "participation:registrations",
        PROCESS_STAFF,
        _post(
            _event_url("participation:registrations"),
            lambda w: {f"attended-{w.registration.pk}": "yes"},
        ),
        effect=lambda w: Registration.objects.get(pk=w.registration.pk).attended,
    ),
    Action(
        "registrations_export_csv",
        "participation:registrations_export",
        PROCESS_STAFF,
        _get(_event_url("participation:registrations_export", fmt="csv")),
        reveals=_contains(lambda w: "privat@example.org"),
        prepare=lambda w: w.registration,
    ),
    Action(
        "registrations_export_xlsx",
        "participation:registrations_export",
        PROCESS_STAFF,
        _get(_event_url("participation:registrations_export", fmt="xlsx")),
        reveals=_xlsx_contains(lambda w: "privat@example.org"),
        prepare=lambda w: w.registration,
    ),
    Action(
        "contribution_enter",
        "participation:contribution_enter",
        PROCESS_STAFF,
        _post(
            _event_url("participation:contribution_enter"),
            lambda w: {"kind": "comment", "goal": w.draft_goal.pk, "body": "Gesagt."},
        ),
        effect=lambda w: w.event.contributions.count(),
    ),
    Action(
        "contribution_hide",
        "participation:contribution_action",
        PROCESS_STAFF,
        _post(_action_url("ausblenden"), lambda w: {"hide-reason": "Test"}),
        effect=lambda w: Contribution.objects.get(pk=w.contribution.pk).status,
    ),
    Action(
        "contribution_unhide",
        "participation:contribution_action",
        PROCESS_STAFF,
        _post(lambda w: _action_url("einblenden")(w, "hidden_contribution")),
        effect=lambda w: Contribution.objects.get(pk=w.hidden_contribution.pk).status,
    ),
    Action(
        "contribution_dispose",
        "participation:contribution_action",
        PROCESS_STAFF,
        _post(
            _action_url("abwaegen"),
            lambda w: {"dispose-disposition": "not_taken_up", "dispose-reason": "Test"},
        ),
        effect=lambda w: Contribution.objects.get(pk=w.contribution.pk).disposition,
    ),
    Action(
        "amendment_accept",
        "participation:contribution_action",
        PROCESS_STAFF,
        _post(
            _action_url("uebernehmen"),
            lambda w: {"accept-text": "Neuer Text.", "accept-reason": "Test"},
        ),
        effect=lambda w: Goal.objects.get(pk=w.draft_goal.pk).text,
    ),
    Action(
        "goal_revise",
        "participation:goal",
        PROCESS_STAFF,
        _post(_goal_url, lambda w: {"form": "revise", "text": "Umformuliert.", "note": "Test"}),
        effect=lambda w: Goal.objects.get(pk=w.draft_goal.pk).text,
    ),
    # Privacy: a person's own data, by the link's token.
    Action(
        "privacy_request",
        "privacy:request",
        EVERYONE,
        _post(lambda w: reverse("privacy:request"), lambda w: {"email": "frage@example.org"}),
        effect=lambda w: PrivacyRequest.objects.count(),
    ),
    Action(
        "privacy_erase",
        "privacy:request_detail",
        EVERYONE,  # the link's token is the permission
        _post(lambda w: w.privacy_request.get_absolute_url(), lambda w: {"confirm": "on"}),
        effect=lambda w: Registration.objects.filter(email="loeschen@example.org").count(),
        prepare=lambda w: w.privacy_request,
    ),
    # Organisations: their representatives keep the public profile.
    Action(
        "organisation_profile_edit",
        "actors:edit",
        REPRESENTATIVES,
        _post(
            lambda w: reverse("actors:edit", kwargs={"slug": w.org_a.slug}),
            lambda w: {"description": "Nachher.", "website": "https://a.example.org/"},
        ),
        effect=lambda w: Organisation.objects.get(pk=w.org_a.pk).description,
    ),
    # Implementation: reporters of the responsible organisation, and coordinators.
    Action(
        "progress_report_create",
        "implementation:measure",
        REPORTERS,
        _post(lambda w: w.measure.get_absolute_url(), lambda w: REPORT),
        effect=lambda w: ProgressReport.objects.filter(measure=w.measure).count(),
    ),
    Action(
        "progress_report_as_partner",
        "implementation:measure",
        REPORTERS,
        _post(lambda w: w.partner_measure.get_absolute_url(), lambda w: REPORT),
        effect=lambda w: ProgressReport.objects.filter(measure=w.partner_measure).count(),
    ),
    Action(
        "action_goal_progress",
        "implementation:action_goal",
        REPORTERS,
        _post(lambda w: w.action_goal.get_absolute_url(), lambda w: REPORT),
        effect=lambda w: ProgressReport.objects.filter(action_goal=w.action_goal).count(),
    ),
    Action(
        "action_goal_create",
        "implementation:action_goal_new",
        COORDINATION,
        _post(
            lambda w: reverse("implementation:action_goal_new"),
            lambda w: {
                "goal": w.goal_2019.pk,
                "text": "(Matrix) Neu: 50 Plätze bis 2030.",
                "direction": "increase",
            },
        ),
        effect=lambda w: ActionGoal.objects.filter(text__startswith="(Matrix) Neu").count(),
    ),
    Action(
        "action_goal_edit",
        "implementation:action_goal_edit",
        COORDINATION,
        _post(
            lambda w: reverse("implementation:action_goal_edit", args=[w.action_goal.pk]),
            lambda w: {
                "goal": w.goal_2019.pk,
                "text": "(Matrix) Geändert.",
                "direction": "increase",
                "responsible": [w.org_a.pk],
            },
        ),
        effect=lambda w: ActionGoal.objects.get(pk=w.action_goal.pk).text,
    ),
    Action(
        "smart_check",
        "implementation:smart_check",
        COORDINATION,
        _post(lambda w: reverse("implementation:smart_check"), lambda w: {"text": "Mehr."}),
        reveals=_contains(lambda w: '"problems"'),
    ),
    # Monitoring: coordinators.
    Action(
        "observations_upload",
        "monitoring:upload",
        COORDINATION,
        _post(
            lambda w: reverse("monitoring:upload"),
            lambda w: {
                "fmt": "auto",
                "file": SimpleUploadedFile("werte.csv", OBSERVATIONS.format(year=2031).encode()),
            },
        ),
        effect=lambda w: Observation.objects.filter(indicator=w.indicator, period=2031).count(),
    ),
    Action(
        "boundaries_upload",
        "monitoring:boundaries",
        COORDINATION,
        _post(
            lambda w: reverse("monitoring:boundaries"),
            lambda w: {
                "level": "district",
                "file": SimpleUploadedFile("gebiete.geojson", json.dumps(BOUNDARY).encode()),
            },
        ),
        effect=lambda w: District.objects.filter(number="990", geometry__isnull=False).count(),
    ),
    Action(
        "register_run_upload",
        "monitoring:register_runs",
        COORDINATION,
        _post(
            lambda w: reverse("monitoring:register_runs"),
            lambda w: {
                "file": SimpleUploadedFile("auszug.parquet", _register_extract()),
                "definition": "muenster",
                "year": 2020,
            },
        ),
        effect=lambda w: RegisterRun.objects.count(),
    ),
    Action(
        "register_run_page",
        "monitoring:register_run",
        COORDINATION,
        _get(lambda w: w.register_run.get_absolute_url()),
        reveals=_contains(lambda w: "auszug-matrix.parquet"),
    ),
    Action(
        "register_run_status",
        "monitoring:register_run_status",
        COORDINATION,
        _get(lambda w: reverse("monitoring:register_run_status", args=[w.register_run.pk])),
        reveals=_contains(lambda w: '"status"'),
    ),
    Action(
        "register_run_aggregates",
        "monitoring:register_run_aggregates",
        COORDINATION,  # unsuppressed counts
        _get(lambda w: reverse("monitoring:register_run_aggregates", args=[w.register_run.pk])),
        reveals=_contains(lambda w: "matrix-7"),
    ),
    # Publishing: coordinators.
    Action(
        "council_paper_page",
        "publishing:council_paper",
        COORDINATION,
        _get(_council_url),
        reveals=_contains(lambda w: "V/0056/2025"),
    ),
    Action(
        "council_paper_save",
        "publishing:council_paper",
        COORDINATION,
        _post(_council_url, lambda w: COUNCIL_FORM),
        effect=_paper,
    ),
    Action(
        "council_paper_release",
        "publishing:council_paper",
        COORDINATION,
        _post(_council_url, lambda w: {"action": "release"}),
        effect=_paper,
    ),
    Action(
        "council_paper_before_release",
        "publishing:council_paper_download",
        COORDINATION,  # public once released
        _get(lambda w: _council_url(w, "publishing:council_paper_download", fmt="json")),
        reveals=_contains(lambda w: "V/0056/2025"),
    ),
    Action(
        "monitoring_report_create",
        "publishing:report_create",
        COORDINATION,
        _post(
            lambda w: reverse("publishing:report_create"),
            lambda w: {"edition": w.demo[2019].slug, "language": "de"},
        ),
        effect=lambda w: MonitoringReport.objects.count(),
    ),
    Action(
        "monitoring_report_unfinished",
        "publishing:report",
        COORDINATION,
        _get(lambda w: w.queued_report.get_absolute_url()),
        concealed=True,  # a report still being made does not exist for the public
    ),
    Action(
        "monitoring_report_progress",
        "publishing:report_status",
        COORDINATION,
        _get(lambda w: reverse("publishing:report_status", args=[w.queued_report.pk])),
        reveals=_contains(lambda w: '"progress"'),
        concealed=True,
    ),
    # The concept: coordinators.
    Action(
        "lineage_correct",
        "concept:lineage_edit",
        COORDINATION,
        _post(
            lambda w: reverse(
                "concept:lineage_edit",
                kwargs={"old": "2014", "new": "2019", "goal_id": w.lineage_goal.pk},
            ),
            lambda w: {"predecessor": w.other_2014_goal.pk},
        ),
        effect=lambda w: Goal.objects.get(pk=w.lineage_goal.pk).predecessor_id,
    ),
    Action(
        "translation_save",
        "translations:edit",
        COORDINATION,
        _post(
            lambda w: reverse(
                "translations:edit",
                kwargs={
                    "edition": "2019",
                    "language": "tr",
                    "kind": "goal",
                    "pk": w.goal_2019.pk,
                    "field": "text",
                },
            ),
            lambda w: {"text": "Danışmanlığı iyileştiriyoruz.", "status": "draft"},
        ),
        effect=lambda w: Translation.objects.filter(
            object_id=w.goal_2019.pk, language="tr", field="text"
        ).count(),
    ),
    # Workspace: coordinators start the next revision.
    Action(
        "revision_start",
        "workspace:revision_start",
        COORDINATION,
        _post(
            lambda w: reverse("workspace:revision_start", args=["2025"]),
            lambda w: {
                "title": "Fortschreibung (Matrix)",
                "slug": "fortschreibung-matrix",
                "starts_on": "2028-05-01",
                "draft_year": "2031",
            },
        ),
        effect=lambda w: Process.objects.filter(slug="fortschreibung-matrix").count(),
        prepare=_adopt_2025,
    ),
    # The admin: what only administrators decide, and one coordinator tool.
    Action(
        "admin_member_add",
        "admin:actors_organisationmember_add",
        ADMINISTRATORS,  # membership grants rights
        _post(
            lambda w: reverse("admin:actors_organisationmember_add"),
            lambda w: {"organisation": w.org_b.pk, "user": w.candidate.pk, "role": "reporter"},
        ),
        effect=lambda w: OrganisationMember.objects.filter(user=w.candidate).count(),
    ),
    Action(
        "admin_hide_as_spam",
        "admin:participation_contribution_changelist",
        COORDINATION,
        _post(
            lambda w: reverse("admin:participation_contribution_changelist"),
            lambda w: {
                "action": "hide_for_spam",
                "_selected_action": [w.contribution.pk],
                "index": 0,
            },
        ),
        effect=lambda w: Contribution.objects.get(pk=w.contribution.pk).status,
    ),
    Action(
        "admin_audit_log",
        "admin:audit_auditevent_changelist",
        ADMINISTRATORS,
        _get(lambda w: reverse("admin:audit_auditevent_changelist")),
    ),
    # The API: writes take a staff token; the registration is public.
    Action(
        "api_event_create",
        "api-1:event_create",
        PROCESS_STAFF,
        _api(
            "post",
            lambda w: "/api/v1/events/",
            lambda w: {
                "process": w.process.slug,
                "title": "API-Termin (Matrix)",
                "starts_at": (timezone.now() + dt.timedelta(days=40)).isoformat(),
                "ends_at": (timezone.now() + dt.timedelta(days=40, hours=2)).isoformat(),
            },
        ),
        effect=lambda w: w.process.events.filter(title="API-Termin (Matrix)").count(),
        api=True,
    ),
    Action(
        "api_event_update",
        "api-1:event_update",
        PROCESS_STAFF,
        _api(
            "patch",
            lambda w: f"/api/v1/events/{w.invitation_event.pk}/",
            lambda w: {"title": "Umbenannt (Matrix)"},
        ),
        effect=lambda w: Event.objects.get(pk=w.invitation_event.pk).title,
        api=True,
    ),
    Action(
        "api_observation_import",
        "api-1:observation_import",
        COORDINATION,
        _api(
            "post",
            lambda w: "/api/v1/observations/import",
            lambda w: {
                "file": SimpleUploadedFile(
                    "werte.csv", OBSERVATIONS.format(year=2032).encode(), content_type="text/csv"
                )
            },
            multipart=True,
        ),
        effect=lambda w: Observation.objects.filter(indicator=w.indicator, period=2032).count(),
        api=True,
    ),
    Action(
        "api_event_register",
        "api-1:event_register",
        EVERYONE,
        _api(
            "post",
            lambda w: f"/api/v1/events/{w.event.pk}/registrations",
            lambda w: {"name": "Api Person", "email": "api@example.org", "consent": True},
        ),
        effect=lambda w: w.event.registrations.count(),
        api=True,
    ),
    Action(
        "api_event_register_slash",
        "api-1:event_register_slash",
        EVERYONE,
        _api(
            "post",
            lambda w: f"/api/v1/events/{w.event.pk}/registrations/",
            lambda w: {"name": "Api Person", "email": "api2@example.org", "consent": True},
        ),
        effect=lambda w: w.event.registrations.count(),
        api=True,
    ),
]

# Every other URL pattern, and why it is not in the matrix.
READ_ONLY = {
    "healthz": "public: health check",
    "set_language": "public POST: sets the interface-language cookie, nothing stored",
    "account:login": "public: the login form (throttled; tests/test_roles.py)",
    "account:logout": "POST: ends one's own session, nothing else",
    "account:password_reset": "public: asks for a link by e-mail (rate limited; test_accounts)",
    "account:password_reset_done": "public: a notice",
    "account:password_reset_confirm": "the e-mailed link's owner (token; test_accounts.py)",
    "account:password_reset_complete": "public: a notice",
    "account:password_change": "one's own password, old one required (test_accounts.py)",
    "account:password_change_done": "a notice",
    "concept:home": "public",
    "concept:search": "public",
    "concept:compare_choose": "public",
    "concept:compare": "public (the lineage form is concept:lineage_edit)",
    "concept:history": "public",
    "concept:edition": "public",
    "concept:glossary": "public",
    "concept:chapter": "public",
    "concept:field": "public",
    "concept:goal": "public",
    "goal_history": "public",
    "translations:index": "staff read: translation coverage, no personal data",
    "translations:status": "staff read: translation coverage, no personal data",
    "translations:list": "staff read: texts beside their translations, no personal data",
    "participation:process_list": "public",
    "participation:process": "public",
    "participation:process_ical": "public calendar feed",
    "participation:calendar": "public",
    "participation:event_ical": "public (invitation-only events: staff, as the page)",
    "participation:event_stats": "public aggregates",
    "participation:draft": "public once the draft is published",
    "participation:consideration": "public",
    "participation:consideration_export": "public (CSV/XLSX of the consideration table)",
    "participation:process_stats": "public aggregates",
    "privacy:notice": "public",
    "privacy:request_download": "the person's own data, by the link's token",
    "actors:list": "public",
    "actors:detail": "public",
    "monitoring:indicators": "public",
    "monitoring:indicator": "public",
    "monitoring:indicator_chart": "public",
    "monitoring:indicator_map": "public",
    "monitoring:indicator_download": "public (suppressed values stay suppressed)",
    "implementation:overview": "public",
    "implementation:status": "public",
    "implementation:smart_failures": "staff read: action goals failing the SMART check",
    "publishing:edition_pdf": "public",
    "publishing:reports": "public list (the request form is publishing:report_create)",
    "publishing:report_file": "public: finished reports only",
    "workspace:dashboard": "staff read: validity, the running revision, one's own tasks",
}
# API operations that accept more than GET but write nothing.
API_NOT_WRITES = {
    "api-1:root": "catch-all: answers 404 (JSON) to any method",
    "api-1:unmatched": "catch-all: answers 404 (JSON) to any method",
}

CELLS = [(role, action) for action in ACTIONS for role in ROLES]


def _cell_id(cell) -> str:
    role, action = cell
    return f"{role} x {action.name} -> {'allowed' if role in action.allowed else 'refused'}"


# The matrix -------------------------------------------------------------------------------


@pytest.fixture
def world(demo, process, make_event, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    return World(demo=demo, process=process, make_event=make_event, user_model=django_user_model)


def _refusal(response, action: Action) -> str | None:
    """How the response refused the request, or None if it did not."""
    status = response.status_code
    if status == 403:
        return "403"
    if status == 401 and action.api:
        return "401"
    # The site's login, or the admin's for admin pages.
    logins = (resolve_url(settings.LOGIN_URL), resolve_url("admin:login"))
    if status == 302 and response["Location"].startswith(logins):
        return "login"
    if status == 404 and action.concealed:
        return "404"
    return None


def _answer(response) -> str:
    if response.status_code in (301, 302, 303):
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


@pytest.mark.parametrize("cell", CELLS, ids=[_cell_id(c) for c in CELLS])
def test_matrix(cell, world, client, django_user_model):
    role, action = cell
    allowed = role in action.allowed
    cell_name = _cell_id(cell)
    user = make_user(role, world, django_user_model)
    token = None
    if user is not None:
        if action.api:
            if user.is_staff:
                token = participation.api_token_create(user=user)
        else:
            client.force_login(user)
    if action.prepare:
        action.prepare(world)
    before = action.effect(world) if action.effect else None

    response = action.send(client, world, token)

    after = action.effect(world) if action.effect else None
    refusal = _refusal(response, action)
    revealed = action.reveals(world, response) if action.reveals else None
    if allowed:
        assert refusal is None, f"{cell_name}: refused ({_answer(response)})"
        assert response.status_code < 400, f"{cell_name}: answered {_answer(response)}"
        if action.effect:
            assert after != before, (
                f"{cell_name}: answered {_answer(response)}, but nothing changed (still {before!r})"
            )
        if action.reveals:
            assert revealed, f"{cell_name}: answered {_answer(response)} without the data"
    else:
        problems = []
        if refusal is None:
            problems.append(f"answered {_answer(response)} instead of 403, login or 401")
        if action.effect and after != before:
            problems.append(f"the write happened: {before!r} → {after!r}")
        if revealed:
            problems.append("the protected data was in the answer")
        assert not problems, f"{cell_name}: " + "; ".join(problems)


# The matrix is complete -------------------------------------------------------------------


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_is_in_the_matrix_or_read_only():
    """A new URL pattern needs a place: an action here, or a reason in ``READ_ONLY``.

    The admin checks model permissions itself (and ``ProcessStaffAdmin`` the process);
    the matrix holds the admin actions that only administrators or coordinators take.
    The API is checked operation by operation below.
    """
    names = {
        n for n in _url_names(get_resolver().url_patterns) if not n.startswith(("admin:", "api-"))
    }
    in_matrix = {a.url_name for a in ACTIONS}
    missing = sorted(names - in_matrix - set(READ_ONLY))
    assert not missing, f"add these URL names to ACTIONS or READ_ONLY: {missing}"
    stale = sorted(
        (set(READ_ONLY) | {n for n in in_matrix if not n.startswith(("admin:", "api-"))}) - names
    )
    assert not stale, f"no longer URL names: {stale}"
    assert not set(READ_ONLY) & in_matrix, "a URL name is both an action and read-only"


def test_every_api_write_is_in_the_matrix():
    from leitbild.api.api import api

    namespace = api.urls_namespace
    writes = {
        f"{namespace}:{operation.url_name}"
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if set(operation.methods) - {"GET", "HEAD", "OPTIONS"}
    }
    in_matrix = {a.url_name for a in ACTIONS if a.api}
    missing = sorted(writes - in_matrix - set(API_NOT_WRITES))
    assert not missing, f"add these API operations to ACTIONS or API_NOT_WRITES: {missing}"
    assert not (in_matrix | set(API_NOT_WRITES)) - writes, "stale API names in the matrix"


def test_actions_name_known_roles_and_administrators_may_do_everything():
    for action in ACTIONS:
        assert action.allowed <= EVERYONE, action.name
        assert "administrator" in action.allowed, action.name
    assert len({a.name for a in ACTIONS}) == len(ACTIONS), "action names repeat"
