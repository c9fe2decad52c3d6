"""Reads for the translation workspace: every translatable text of an edition, and
how far each content language covers them.

Kept apart from ``selectors`` because only staff pages use it; writes go through
:func:`leitbild.core.services.translation_save`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Model
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from leitbild.core.models import TranslatableModel, Translation, source_digest

from .models import Chapter, Edition, FieldOfAction, Footnote, GlossaryEntry, Goal, GoalGroup
from .selectors import edition_fields_with_goals

# The kinds of text a translation workspace address names, and the edition each
# object belongs to (so that an address cannot reach another edition's texts).
TRANSLATABLE_KINDS: dict[str, tuple[type[TranslatableModel], str]] = {
    "edition": (Edition, "pk"),
    "chapter": (Chapter, "edition"),
    "field": (FieldOfAction, "edition"),
    "group": (GoalGroup, "field__edition"),
    "goal": (Goal, "edition"),
    "footnote": (Footnote, "edition"),
    "term": (GlossaryEntry, "edition"),
}

# Order of the states in tables and bars: from done to not begun.
STATES = ("published", "reviewed", "draft", "missing")


def translation_languages() -> list[str]:
    """The content languages that take translations (all but the source)."""
    return [code for code in settings.CONTENT_LANGUAGES if code != settings.CONTENT_SOURCE_LANGUAGE]


@dataclass
class TranslatableText:
    """One text of an edition that can carry translations, with those it has."""

    kind: str
    obj: TranslatableModel
    field: str
    section: str
    label: str
    url: str
    source: str
    translations: dict[str, Translation] = field(default_factory=dict)

    @cached_property
    def digest(self) -> str:
        return source_digest(self.source)

    @property
    def is_html(self) -> bool:
        return self.field in self.obj.translatable_html_fields

    @property
    def field_label(self) -> str:
        return capfirst(self.obj._meta.get_field(self.field).verbose_name)

    @property
    def anchor(self) -> str:
        return f"t-{self.kind}-{self.obj.pk}-{self.field}"

    def state(self, language: str) -> str:
        item = self.translations.get(language)
        return item.status if item else "missing"

    def stale(self, language: str) -> bool:
        """A translation exists, but the source changed after it was saved."""
        item = self.translations.get(language)
        return item is not None and item.source_digest != self.digest


def _by_language(obj: Model, field_name: str) -> dict[str, Translation]:
    # ``translations`` is prefetched by every caller: no query here.
    return {t.language: t for t in obj.translations.all() if t.field == field_name}


def translatable_describe(kind: str, obj: TranslatableModel) -> tuple[str, str, str]:
    """``(section, label, public address)`` of a translatable object, for lists and forms.

    Uses the related objects a goal, group, note or term points to: callers load them
    along (``select_related``), or a list costs a query per row."""
    if kind == "edition":
        return _("Edition"), str(obj), obj.get_absolute_url()
    if kind == "chapter":
        return _("Chapters"), str(obj), obj.get_absolute_url()
    if kind == "field":
        return str(obj), _("Field of action"), obj.get_absolute_url()
    if kind == "group":
        return str(obj.field), _("Group of goals: %s") % obj.title, obj.field.get_absolute_url()
    if kind == "goal":
        return str(obj.field), f"{obj.get_kind_display()} {obj.slug}", obj.get_absolute_url()
    if kind == "footnote":
        owner = obj.goal or obj.chapter or obj.field or obj.edition
        return _("Notes"), _("Note %s") % obj.number, owner.get_absolute_url()
    if kind == "term":
        url = reverse("concept:glossary", kwargs={"edition": obj.edition.slug})
        return _("Glossary"), obj.term, url
    raise ValueError(f"Unknown kind of text: {kind}")


def edition_translatable_texts(*, edition: Edition) -> list[TranslatableText]:
    """Every non-empty translatable text of ``edition`` in document order, each with its
    translations: edition title, chapters, fields of action with their groups and goals
    (nested goals after their parent), notes, glossary. A fixed number of queries."""
    texts: list[TranslatableText] = []

    def add(kind, obj):
        section, label, url = translatable_describe(kind, obj)
        for name in obj.translatable_fields:
            source = getattr(obj, name) or ""
            if source.strip():
                texts.append(
                    TranslatableText(
                        kind, obj, name, section, label, url, source, _by_language(obj, name)
                    )
                )

    edition = Edition.objects.prefetch_related("translations").get(pk=edition.pk)
    add("edition", edition)
    for chapter in edition.chapters.prefetch_related("translations").order_by("position"):
        add("chapter", chapter)
    for field_of_action in edition_fields_with_goals(edition):
        add("field", field_of_action)
        for group in field_of_action.groups.all():
            add("group", group)
        for goal in field_of_action.top_goals:
            for one in (goal, *goal.nested):
                add("goal", one)
    notes = edition.footnotes.select_related(
        "goal__field", "goal__edition", "chapter__edition", "field__edition"
    )
    for note in notes.prefetch_related("translations").order_by("number"):
        add("footnote", note)
    for entry in edition.glossary.prefetch_related("translations"):
        add("term", entry)
    return texts


def translatable_get(*, edition: Edition, kind: str, pk: int, field: str):
    """The object behind a workspace address, or ``None`` when it does not belong to
    ``edition`` or has no such translatable field."""
    if kind not in TRANSLATABLE_KINDS:
        return None
    model, edition_path = TRANSLATABLE_KINDS[kind]
    if field not in model.translatable_fields:
        return None
    # Two filters: for an edition itself the path *is* "pk", which one call cannot take twice.
    return model.objects.filter(pk=pk).filter(**{edition_path: edition.pk}).first()


@dataclass
class LanguageCoverage:
    """How far one content language covers an edition's texts."""

    code: str
    name: str
    total: int
    counts: dict[str, int]
    stale: int

    @property
    def translated_share(self) -> int:
        """Published share in whole percent (what visitors see in this language)."""
        return round(100 * self.counts["published"] / self.total) if self.total else 0

    @property
    def bar(self) -> list[tuple[str, int, float, float]]:
        """``(state, count, x, width)`` of the stacked bar, in percent of the texts."""
        parts, x = [], 0.0
        for state in STATES:
            width = 100 * self.counts[state] / self.total if self.total else 0.0
            if width:
                parts.append((state, self.counts[state], round(x, 3), round(width, 3)))
            x += width
        return parts


def edition_translation_coverage(
    *, edition: Edition, texts: list[TranslatableText] | None = None
) -> list[LanguageCoverage]:
    """Per content language: texts, published, reviewed, draft, missing, and how many
    translations went stale (the source changed after they were saved)."""
    texts = edition_translatable_texts(edition=edition) if texts is None else texts
    result = []
    for code in translation_languages():
        counts = dict.fromkeys(STATES, 0)
        stale = 0
        for text in texts:
            counts[text.state(code)] += 1
            stale += text.stale(code)
        meta = settings.CONTENT_LANGUAGES[code]
        result.append(LanguageCoverage(code, str(meta["name"]), len(texts), counts, stale))
    return result
