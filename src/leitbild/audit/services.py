from .models import AuditEvent


def audit_record(
    *, request=None, user=None, action: str, subject: str, people: int = 0
) -> AuditEvent:
    """Write one audit row; ``request`` supplies the user and the address when given."""
    if request is not None:
        user = user or request.user
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        subject=subject[:300],
        people=people,
        path=request.get_full_path()[:500] if request is not None else "",
    )
