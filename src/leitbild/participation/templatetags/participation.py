"""Template tags other apps use to show participation without importing this app.

The organisation page (``actors``) renders ``{% organisation_participation org %}``;
so the Python dependencies keep pointing one way, from participation to actors.
"""

from django import template
from django.conf import settings

from .. import selectors

register = template.Library()


@register.inclusion_tag("participation/_organisation_participation.html")
def organisation_participation(organisation):
    """Per process: registrations per event and published contributions, as counts."""
    return {
        "participation": selectors.organisation_participation(organisation),
        "minimum": settings.STATS_MIN_COUNT,
    }
