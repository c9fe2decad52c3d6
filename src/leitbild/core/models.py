"""Content translations shared by every app.

Every user-facing text of the content model (titles, goal texts, chapter bodies …)
is written once in the source language (German) on its own model. Translations into
other content languages — including right-to-left scripts and easy-to-read German —
live here, one row per (object, field, language), so that adding a language never
changes a schema and a translation can know that its source text changed since.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


def source_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def content_language_choices():
    return [(code, meta["name"]) for code, meta in settings.CONTENT_LANGUAGES.items()]


class Translation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed")
        PUBLISHED = "published", _("Published")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=50)
    language = models.CharField(_("language"), max_length=10, choices=content_language_choices)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source_digest = models.CharField(
        _("digest of the source text"),
        max_length=16,
        help_text=_("Tells whether the source text changed after this translation was made."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="translation_unique_per_field_language",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.content_type.model}#{self.object_id}.{self.field} [{self.language}]"

    def is_stale(self, source_text: str) -> bool:
        """The source text changed since this translation was last saved."""
        return self.source_digest != source_digest(source_text)


class TranslatableModel(models.Model):
    """Abstract base for models whose ``translatable_fields`` carry translations.

    Read a text in a content language with :meth:`translated`; views prefetch
    ``translations`` so that a page costs one extra query, whatever its size.
    """

    translatable_fields: tuple[str, ...] = ()
    # Those of ``translatable_fields`` that hold (sanitised) HTML rather than plain text.
    translatable_html_fields: tuple[str, ...] = ()

    translations = GenericRelation(Translation)

    class Meta:
        abstract = True

    def translated(self, field: str, language: str | None) -> tuple[str, str]:
        """Return ``(text, language)``: the published translation, else the source."""
        source = getattr(self, field)
        if language and language != settings.CONTENT_SOURCE_LANGUAGE:
            for item in self.translations.all():
                if (
                    item.field == field
                    and item.language == language
                    and item.status == Translation.Status.PUBLISHED
                ):
                    return item.text, language
        return source, settings.CONTENT_SOURCE_LANGUAGE


class RateLimitCounter(models.Model):
    """Requests per client and action in one time window, counted in the database.

    The database, not process memory, so that every web worker sees the same count.
    The key holds a salted hash of the client address, never the address itself.
    """

    key = models.CharField(max_length=128, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate limit counter")
        verbose_name_plural = _("rate limit counters")

    def __str__(self):
        return f"{self.key}: {self.count}"
