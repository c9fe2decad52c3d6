"""Who may do what with an organisation — the one place these rules live.

The people who act for an organisation are named in ``OrganisationMember`` rows, each
with a role: *representatives* keep its public profile up to date; *reporters* (a
city department, or any organisation that carries out measures) write progress
reports on the measures and action goals it is responsible for — that rule is
``implementation/permissions.py``, which asks ``member_organisation_ids`` here.
Membership grants rights, so only administrators (superusers) give it, in the admin.
Coordinators (``workspace/roles.py``) edit every profile through their model
permission. Tested in ``tests/test_permission_matrix.py``.
"""

from .models import OrganisationMember

Role = OrganisationMember.Role


def member_organisation_ids(user, role: str) -> frozenset[int]:
    """The organisations ``user`` acts for in ``role`` (cached on the user for the request)."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    cache = getattr(user, "_organisation_ids", None)
    if cache is None:
        cache = {}
        for organisation_id, member_role in OrganisationMember.objects.filter(
            user=user
        ).values_list("organisation_id", "role"):
            cache.setdefault(member_role, set()).add(organisation_id)
        cache = {key: frozenset(ids) for key, ids in cache.items()}
        user._organisation_ids = cache
    return cache.get(role, frozenset())


def can_edit_profile(user, organisation) -> bool:
    """An organisation's representatives edit its public profile; coordinators any."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff and user.has_perm("actors.change_organisation"):
        return True
    return organisation.pk in member_organisation_ids(user, Role.REPRESENTATIVE)


def can_manage_members(user) -> bool:
    """Who acts for an organisation is for administrators to decide: it grants rights."""
    return bool(user and user.is_active and user.is_superuser)
