"""Who may do what in the implementation app — the one place these rules live.

Progress is reported by the organisations that carry the work: a *department
reporter* (``actors.OrganisationMember`` with the role "reporter") writes progress
reports on the measures their organisation leads or joins as a partner, and on the
action goals it is named responsible for — on nothing else. Coordinators
(``workspace/roles.py``) report on every measure and action goal through the model
permission. Action goals and measures themselves (text, target, who is responsible,
which a reporter could otherwise set to their own organisation) are changed only with
the model permissions the editor views ask for. Tested in
``tests/test_permission_matrix.py``.
"""

from leitbild.actors.permissions import Role, member_organisation_ids

REPORT_PERMISSION = "implementation.add_progressreport"


def _coordinates(user, permission: str) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.is_staff
    ) and user.has_perm(permission)


def _reports_for_any(user, organisations) -> bool:
    """Whether ``user`` reports for one of ``organisations`` (an iterable of rows, so a
    prefetched relation costs no query)."""
    ids = member_organisation_ids(user, Role.REPORTER)
    return bool(ids) and any(o.pk in ids for o in organisations)


def can_report_on_measure(user, measure) -> bool:
    """Reporters of its lead or partner organisations, and coordinators."""
    if _coordinates(user, REPORT_PERMISSION):
        return True
    return _reports_for_any(user, [*measure.lead.all(), *measure.partners.all()])


def can_report_on_action_goal(user, action_goal) -> bool:
    """Reporters of the organisations responsible for it, and coordinators."""
    if _coordinates(user, REPORT_PERMISSION):
        return True
    return _reports_for_any(user, action_goal.responsible.all())
