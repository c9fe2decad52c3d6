"""Who may do what in a participation process — the one place these rules live.

Personal data of participants (names, e-mail addresses, needs, attendance) is for
the staff of the process only: the users named in ``Process.staff``, and superusers.
Being ``is_staff`` alone is not enough, so one city office cannot read another
process's registrations. The rules are tested as a matrix in
``tests/test_participation_permissions.py``.
"""


def is_process_staff(user, process) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    # Views often ask several times per request; cache the staff list on the process.
    ids = getattr(process, "_staff_ids", None)
    if ids is None:
        ids = set(process.staff.values_list("pk", flat=True))
        process._staff_ids = ids
    return user.pk in ids


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
