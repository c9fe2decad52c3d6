"""Helpers shared by the participation views."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError


def deny(request):
    """Staff pages: log in first if anonymous; otherwise 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's field errors next to the form's fields."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
