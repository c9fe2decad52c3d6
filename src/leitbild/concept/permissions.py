"""Who may do what in the concept app — the one place these rules live."""


def can_correct_lineage(user) -> bool:
    """Staff who edit goals may correct which earlier goal a goal descends from."""
    return user.is_authenticated and user.is_staff and user.has_perm("concept.change_goal")
