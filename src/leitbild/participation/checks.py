"""System checks for running participation in production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Links in e-mails (confirm, cancel) need the site's public address."""
    url = getattr(settings, "SITE_URL", "")
    if url.startswith(("https://", "http://")):
        return []
    return [
        Warning(
            "SITE_URL is not set: links in e-mails (confirmation, cancellation) would not work.",
            hint="Set SITE_URL to the public address, e.g. https://leitbild.stadt-muenster.de",
            id="leitbild.W001",
        )
    ]
