"""Who may do what in a participation process — the one place these rules live.

Personal data of participants (names, e-mail addresses, needs, attendance) is for
the staff of the process only: the users named in ``Process.staff`` (moderators),
the coordination office, and superusers. Being ``is_staff`` alone is not enough, so
one city office cannot read another process's registrations.

The coordination office (the group of ``workspace/roles.py``) runs every revision, so
its members hold ``participation.staff_of_every_process`` and count as staff of every
process — a grant an administrator gives by adding someone to that group, just as
naming them in ``Process.staff`` — rather than having to be added to each new one.
Reads that filter by staff go through ``processes_staffed_by`` so that the admin and
the API agree with the pages. The rules are tested as a matrix in
``tests/test_participation_permissions.py`` and ``tests/test_permission_matrix.py``.
"""

from .models import Process

EVERY_PROCESS = "participation.staff_of_every_process"


def _is_active_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_staff_of_every_process(user) -> bool:
    """Superusers and coordinators: staff of every process, present and future."""
    return _is_active_staff(user) and (user.is_superuser or user.has_perm(EVERY_PROCESS))


def is_process_staff(user, process) -> bool:
    if not _is_active_staff(user):
        return False
    if is_staff_of_every_process(user):
        return True
    # Views often ask several times per request; cache the staff list on the process.
    ids = getattr(process, "_staff_ids", None)
    if ids is None:
        ids = set(process.staff.values_list("pk", flat=True))
        process._staff_ids = ids
    return user.pk in ids


def processes_staffed_by(user):
    """The processes ``user`` is staff of, as a queryset (for admin lists and the API)."""
    if not _is_active_staff(user):
        return Process.objects.none()
    if is_staff_of_every_process(user):
        return Process.objects.all()
    return Process.objects.filter(staff=user)


def can_view_registrations(user, process) -> bool:
    return is_process_staff(user, process)


def can_moderate(user, process) -> bool:
    """Hide and unhide contributions, enter what was said at events."""
    return is_process_staff(user, process)


def can_dispose(user, process) -> bool:
    """Weigh contributions and reword draft goals."""
    return is_process_staff(user, process)


def can_edit_events(user, process) -> bool:
    return is_process_staff(user, process)
