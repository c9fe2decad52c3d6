"""Writes of the actors app."""

import logging

from django.db import transaction

from .models import Organisation

log = logging.getLogger(__name__)

PROFILE_FIELDS = ("description", "website", "contact")


@transaction.atomic
def organisation_update_profile(*, organisation: Organisation, user, **values) -> Organisation:
    """Change an organisation's public profile: only the fields its representatives keep.

    Name, category and fields of action stay with the coordinators (the admin), since
    the directory's filters and statistics group by them.
    """
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not part of the profile: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=[*values])
    log.info("Profile of organisation %s changed by %s", organisation.slug, user)
    return organisation
