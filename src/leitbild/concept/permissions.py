"""Who may do what in the concept app — the one place these rules live."""


def can_correct_lineage(user) -> bool:
    """Staff who edit goals may correct which earlier goal a goal descends from."""
    return user.is_authenticated and user.is_staff and user.has_perm("concept.change_goal")


def can_translate(user) -> bool:
    """Staff — or commissioned translators, given a staff account with just this
    permission — write, review and publish translations of the concept's texts."""
    return user.is_authenticated and user.is_staff and user.has_perm("core.change_translation")


def can_view_translation_status(user) -> bool:
    """Staff who may see translations may see how far each language got."""
    return (
        user.is_authenticated
        and user.is_staff
        and (user.has_perm("core.view_translation") or user.has_perm("core.change_translation"))
    )
