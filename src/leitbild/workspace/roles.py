"""The roles of leitbild, and the model permissions each holds — the one place they are
declared. ``roles_setup()`` (``leitbild setup-roles``, also run by ``load-demo``) makes
the groups hold exactly these permissions.

- *visitor* — anyone, without an account: public pages and forms.
- *participant* — a logged-in account with no other role: the same as a visitor.
- *organisation representative* — ``actors.OrganisationMember`` with the role
  "representative": edits that organisation's public profile (``actors/permissions.py``).
- *department reporter* — ``actors.OrganisationMember`` with the role "reporter":
  reports progress on that organisation's measures and action goals
  (``implementation/permissions.py``).
- *moderator* — named in ``Process.staff``, per process: that process's personal data,
  moderation, dispositions, events (``participation/permissions.py``).
- *coordinator* — member of the group ``COORDINATORS``: the model permissions
  ``COORDINATOR_PERMISSIONS`` below, and staff of every process.
- *administrator* — superuser: everything, and alone decides who holds a role.

Representatives, reporters and moderators hold no model permissions: their rights
are object-level (this organisation, this process) and live in each app's
``permissions.py``. Representatives and reporters sign in at ``/konto/anmelden/`` and
need no staff account; moderators have one to use the admin. ``is_staff`` alone grants
nothing. Who holds a role
is decided by administrators: group membership, ``Process.staff`` and organisation
membership are edited by superusers only. Every role × every write action is tested
in ``tests/test_permission_matrix.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q

#: The coordination office (in Münster the Kommunales Integrationszentrum).
COORDINATORS = "Koordination"


def _model(label: str, *actions: str) -> set[str]:
    """``_model("concept.edition", "add")`` → ``{"concept.add_edition"}``"""
    app_label, model = label.split(".")
    return {f"{app_label}.{action}_{model}" for action in actions}


# Coordinators run the concept between and during revisions: editions and their texts,
# goal lineage, translations, organisations, processes and events, monitoring data and
# reports, action goals, measures and progress, the council paper. They delete little:
# removing content that others link to or that the record needs is for administrators.
COORDINATOR_PERMISSIONS: frozenset[str] = frozenset(
    # The concept and its translations; districts carry the map boundaries.
    _model("concept.city", "view")
    | _model("concept.edition", "add", "change", "view")
    | _model("concept.chapter", "add", "change", "view")
    | _model("concept.glossaryentry", "add", "change", "delete", "view")
    | _model("concept.fieldofaction", "add", "change", "view")
    | _model("concept.goalgroup", "add", "change", "view")
    | _model("concept.goal", "add", "change", "view")  # change_goal: lineage too
    | _model("concept.footnote", "add", "change", "delete", "view")
    | _model("concept.goalrevision", "view")
    | _model("concept.district", "add", "change", "view")
    | _model("core.translation", "add", "change", "view")
    # The directory; who acts for an organisation stays with administrators.
    | _model("actors.organisation", "add", "change", "view")
    # Processes: add_process starts a revision; staff_of_every_process makes them
    # staff of every process (participation/permissions.py).
    | _model("participation.process", "add", "change", "view")
    | {"participation.staff_of_every_process"}
    | _model("participation.phase", "add", "change", "delete", "view")
    | _model("participation.event", "add", "change", "view")
    | _model("participation.poll", "add", "change", "view")
    | _model("participation.registration", "view")
    | _model("participation.contribution", "change", "view")
    # Monitoring: data upload, indicators, register extracts and their aggregates.
    | _model("monitoring.indicator", "add", "change", "view")
    | _model("monitoring.observation", "add", "change", "view")
    | _model("monitoring.registerrun", "add", "view")
    # Implementation: action goals, measures, and progress on any of them.
    | _model("implementation.actiongoal", "add", "change", "view")
    | _model("implementation.measure", "add", "change", "view")
    | _model("implementation.progressreport", "add", "change", "delete", "view")
    # Publishing: the council paper (edit, release) and monitoring reports.
    | _model("publishing.councilpaper", "add", "change", "view")
    | _model("publishing.monitoringreport", "add", "view")
)

#: Group name → the permissions it holds, exactly.
GROUPS: dict[str, frozenset[str]] = {COORDINATORS: COORDINATOR_PERMISSIONS}


@dataclass(frozen=True)
class GroupChange:
    name: str
    created: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]
    total: int


def _permission_rows(names: frozenset[str]) -> list[Permission]:
    query = Q()
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    rows = list(Permission.objects.filter(query).select_related("content_type"))
    found = {f"{p.content_type.app_label}.{p.codename}" for p in rows}
    missing = sorted(names - found)
    if missing:
        # Permissions are created by ``migrate``; a name here that never appears is a typo.
        raise ImproperlyConfigured(
            f"Unknown permissions (run migrate first?): {', '.join(missing)}"
        )
    return rows


@transaction.atomic
def roles_setup() -> list[GroupChange]:
    """Create the groups and give each exactly its declared permissions (idempotent).

    Permissions added to a group by hand are removed again: the declaration above is
    what the matrix test checks, so it is the only source. Members are left alone.
    """
    changes = []
    for name, names in GROUPS.items():
        rows = _permission_rows(names)
        group, created = Group.objects.get_or_create(name=name)
        before = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        group.permissions.set(rows)
        changes.append(
            GroupChange(
                name=name,
                created=created,
                added=tuple(sorted(names - before)),
                removed=tuple(sorted(before - names)),
                total=len(rows),
            )
        )
    return changes
