"""Writes of shared content: translations.

A translation goes draft → reviewed → published. Only published translations are shown
to the public; publishing is a step of its own, taken on a reviewed text that has not
changed since it was reviewed, so that no text reaches the public unreviewed. Every
save records the digest of the German source it was made from, which is how a later
change of the source shows up as "source changed" (:meth:`Translation.is_stale`).

Errors a translator can fix are raised as :class:`ValidationError` keyed by form field.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import TranslatableModel, Translation, source_digest
from .text import sanitize_html


def translation_save(
    *,
    obj: TranslatableModel,
    field: str,
    language: str,
    text: str,
    status: str,
    user=None,
) -> Translation:
    """Create or change the translation of ``obj.field`` into ``language``.

    Draft and reviewed may be set at any time (setting them on a published translation
    takes it off the public pages). Published is only allowed on a translation that is
    already reviewed (or published), with the same text, and reviewed against the
    current source text.
    """
    if field not in obj.translatable_fields:
        raise ValueError(f"{type(obj).__name__}.{field} is not translatable.")
    if language not in settings.CONTENT_LANGUAGES:
        raise ValidationError({"language": _("Unknown content language.")})
    if language == settings.CONTENT_SOURCE_LANGUAGE:
        raise ValidationError({"language": _("The source language needs no translation.")})
    if status not in Translation.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    # The textarea sends CRLF line ends; keep texts comparable with what is stored.
    text = text.replace("\r\n", "\n").strip()
    if field in obj.translatable_html_fields:
        text = sanitize_html(text)
    if not text:
        raise ValidationError({"text": _("Enter the translated text.")})

    model = type(obj)
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        # The source as stored now, not as the caller last read it: the digest is the
        # promise that this translation matches that text.
        source = model._default_manager.values_list(field, flat=True).get(pk=obj.pk)
        digest = source_digest(source)
        # Locked, so that two people saving at once cannot both publish from "reviewed".
        current = (
            Translation.objects.select_for_update()
            .filter(content_type=content_type, object_id=obj.pk, field=field, language=language)
            .first()
        )
        if status == Translation.Status.PUBLISHED:
            _check_publishable(current, text=text, digest=digest)
        if current is None:
            return Translation.objects.create(
                content_type=content_type,
                object_id=obj.pk,
                field=field,
                language=language,
                text=text,
                status=status,
                source_digest=digest,
                updated_by=user,
            )
        if (current.text, current.status, current.source_digest) == (text, status, digest):
            return current  # nothing changed: keep who changed it last, and when
        current.text = text
        current.status = status
        current.source_digest = digest
        current.updated_by = user
        current.save(update_fields=["text", "status", "source_digest", "updated_by", "updated_at"])
        return current


def _check_publishable(current: Translation | None, *, text: str, digest: str) -> None:
    reviewed = (Translation.Status.REVIEWED, Translation.Status.PUBLISHED)
    if current is None or current.status not in reviewed:
        raise ValidationError(
            {"status": _("Only a reviewed translation can be published. Mark it reviewed first.")}
        )
    if current.text != text:
        raise ValidationError(
            {
                "status": _(
                    "The text was changed, so it is no longer the reviewed text. "
                    "Save it as reviewed (or draft) first, then publish."
                )
            }
        )
    if current.source_digest != digest:
        raise ValidationError(
            {
                "status": _(
                    "The German source changed after this translation was reviewed. "
                    "Check it against the new source and mark it reviewed again."
                )
            }
        )
