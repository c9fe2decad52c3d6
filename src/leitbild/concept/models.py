"""The integration concept as data: city → edition → chapters, fields of action, goals.

Texts are the German source; translations hang off :class:`core.Translation`.
Writes go through :mod:`leitbild.concept.services`, reads through ``selectors``.
"""

import calendar
import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leitbild.core.models import TranslatableModel


class City(TranslatableModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    translatable_fields = ("name",)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]

    def __str__(self):
        return self.name


# The council revises the concept every five years (seeds 002 and 004); an edition whose
# end of validity was not entered is taken to be valid for one such cycle from adoption.
REVISION_CYCLE_YEARS = 5


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the last day of the month.

    31 January plus one month is 28 (or 29) February: the way people count "twelve
    months before" a date.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


class EditionQuerySet(models.QuerySet):
    """Status and time logic for editions. ``today`` defaults to the current date in Berlin."""

    def adopted(self):
        """Editions with the status "adopted": the one currently adopted by the council.

        Superseded editions carry the status "archived".
        """
        return self.filter(status=Edition.Status.ADOPTED)

    def public(self):
        """Editions shown to visitors: everything but unpublished drafts."""
        return self.exclude(status=Edition.Status.DRAFT, published=False)

    def in_force(self, today: dt.date | None = None):
        """Adopted editions valid on ``today``: adopted on or before it (or on an unknown
        day) and valid until ``today`` or later.

        Without a ``valid_until`` an edition counts as valid for
        :data:`REVISION_CYCLE_YEARS` from its adoption (see
        :attr:`Edition.effective_valid_until`); one with neither date is not counted,
        since nothing says it is still valid.
        """
        today = today or timezone.localdate()
        # adopted_on + 5 years >= today  ⇔  adopted_on >= the earliest such adoption day.
        earliest = add_months(today, -12 * REVISION_CYCLE_YEARS)
        if add_months(earliest, 12 * REVISION_CYCLE_YEARS) < today:  # today is 29 February
            earliest += dt.timedelta(days=1)
        return (
            self.adopted()
            .filter(models.Q(adopted_on__lte=today) | models.Q(adopted_on__isnull=True))
            .filter(
                models.Q(valid_until__gte=today)
                | models.Q(valid_until__isnull=True, adopted_on__gte=earliest)
            )
        )


class Edition(TranslatableModel):
    """One edition (Auflage/Fassung) of a city's concept, e.g. the 2019 one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        ARCHIVED = "archived", _("Archived")

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="editions"
    )
    year = models.PositiveIntegerField(_("year"))
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Used in addresses: the year, or city-year when another city has that year."),
    )
    number = models.PositiveSmallIntegerField(_("edition number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published = models.BooleanField(
        _("published"), default=True, help_text=_("Drafts are only public when published.")
    )
    adopted_on = models.DateField(_("adoption date"), null=True, blank=True)
    council_paper = models.CharField(
        _("council paper"), max_length=40, blank=True, help_text=_("e.g. V/0203/2019")
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The concept is revised every five years; NRW law requires a valid one."),
    )
    imprint = models.TextField(_("cover and imprint"), blank=True)
    is_partial = models.BooleanField(
        _("partial"), default=False, help_text=_("Only part of this edition's text is held.")
    )
    source_name = models.CharField(_("imported from"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    translatable_fields = ("title",)
    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["city__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="edition_unique_city_year")
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def get_absolute_url(self):
        return reverse("concept:edition", kwargs={"edition": self.slug})

    @property
    def valid_until_derived(self) -> bool:
        """True when the end of validity is not recorded but follows from the adoption date."""
        return self.valid_until is None and self.adopted_on is not None

    @property
    def effective_valid_until(self) -> dt.date | None:
        """``valid_until``, or adoption + :data:`REVISION_CYCLE_YEARS` when it is empty."""
        if self.valid_until is not None:
            return self.valid_until
        if self.adopted_on is not None:
            return add_months(self.adopted_on, 12 * REVISION_CYCLE_YEARS)
        return None


class Chapter(TranslatableModel):
    """A chapter or front-matter section with its (sanitised HTML) body."""

    class Kind(models.TextChoices):
        FOREWORD = "foreword", _("Foreword")
        INTRO = "intro", _("Introduction")
        CHAPTER = "chapter", _("Chapter")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="chapters"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=10, blank=True)
    position = models.PositiveIntegerField(_("position"))
    slug = models.SlugField(_("slug"), max_length=120)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text (HTML)"), blank=True)
    plain_text = models.TextField(_("plain text"), blank=True, editable=False)
    search_index = models.TextField(editable=False, blank=True)

    translatable_fields = ("title", "body")
    translatable_html_fields = ("body",)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="chapter_unique_slug")
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self):
        return reverse(
            "concept:chapter", kwargs={"edition": self.edition.slug, "chapter": self.slug}
        )


class GlossaryEntry(TranslatableModel):
    """A defined term of the concept, e.g. who counts as a person with migration background."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="glossary"
    )
    term = models.CharField(_("term"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    definition = models.TextField(_("definition"))
    position = models.PositiveIntegerField(_("position"), default=0)
    chapter = models.ForeignKey(
        Chapter,
        verbose_name=_("defined in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="definitions",
    )

    translatable_fields = ("term", "definition")

    class Meta:
        verbose_name = _("glossary entry")
        verbose_name_plural = _("glossary entries")
        ordering = ["edition", "position", "term"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="glossary_unique_slug")
        ]

    def __str__(self):
        return self.term


class FieldOfAction(TranslatableModel):
    """A field of action (Handlungsfeld); the cross-cutting one holds overarching goals."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="fields"
    )
    chapter = models.ForeignKey(
        Chapter,
        verbose_name=_("chapter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fields",
    )
    number = models.CharField(_("number"), max_length=10, blank=True, help_text=_("e.g. 6.2"))
    slug = models.SlugField(_("slug"), max_length=60)
    title = models.CharField(_("title"), max_length=400)
    cross_cutting = models.BooleanField(
        _("cross-cutting"),
        default=False,
        help_text=_("Overarching goals that apply to every field of action."),
    )
    intro = models.TextField(_("introduction"), blank=True)
    position = models.PositiveIntegerField(_("position"))

    translatable_fields = ("title", "intro")

    class Meta:
        verbose_name = _("field of action")
        verbose_name_plural = _("fields of action")
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="field_unique_slug")
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("concept:field", kwargs={"edition": self.edition.slug, "field": self.slug})


class GoalGroup(TranslatableModel):
    """A heading that groups sub-goals within a field, e.g. "Teilziele Arbeit"."""

    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        related_name="groups",
    )
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"))

    translatable_fields = ("title",)

    class Meta:
        verbose_name = _("goal group")
        verbose_name_plural = _("goal groups")
        ordering = ["field", "position"]

    def __str__(self):
        return self.title


class GoalQuerySet(models.QuerySet):
    def guiding(self):
        return self.filter(kind=Goal.Kind.GUIDING)

    def sub(self):
        return self.filter(kind=Goal.Kind.SUB)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def for_display(self):
        """Everything a goal list renders, in a constant number of queries."""
        return self.select_related("field", "group", "parent", "edition").prefetch_related(
            "footnotes", "translations"
        )


class Goal(TranslatableModel):
    """A guiding goal (Leitziel) or sub-goal (Teilziel), possibly nested under another."""

    class Kind(models.TextChoices):
        GUIDING = "guiding", _("Guiding goal")
        SUB = "sub", _("Sub-goal")

    class Lineage(models.TextChoices):
        NONE = "", _("not linked")
        AUTO = "auto", _("matched by text similarity")
        MANUAL = "manual", _("set by staff")
        CARRIED = "carried", _("carried over into a draft")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="goals"
    )
    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    group = models.ForeignKey(
        GoalGroup,
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent goal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), help_text=_("Order within the field."))
    slug = models.SlugField(
        _("permalink name"),
        max_length=60,
        help_text=_("e.g. teilziel-4; kept when the edition is imported again."),
    )
    text = models.TextField(_("text"))
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("predecessor in the previous edition"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
    )
    lineage = models.CharField(
        _("lineage"), max_length=10, choices=Lineage.choices, default=Lineage.NONE, blank=True
    )
    lineage_score = models.FloatField(_("similarity to predecessor"), null=True, blank=True)
    search_index = models.TextField(editable=False, blank=True)

    translatable_fields = ("text",)
    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["edition", "field__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["field", "slug"], name="goal_unique_slug_per_field")
        ]

    def __str__(self):
        return f"{self.field.number} {self.get_kind_display()} {self.slug}: {self.text[:60]}"

    def get_absolute_url(self):
        return reverse(
            "concept:goal",
            kwargs={"edition": self.edition.slug, "field": self.field.slug, "goal": self.slug},
        )

    @property
    def permalink(self) -> str:
        return self.get_absolute_url()


class Footnote(TranslatableModel):
    """A footnote, anchored at a character offset of the text its marker stood in."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="footnotes"
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footnotes",
    )
    chapter = models.ForeignKey(
        Chapter,
        verbose_name=_("chapter"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footnotes",
    )
    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footnotes",
    )
    offset = models.PositiveIntegerField(
        _("anchor offset"), default=0, help_text=_("Where the marker stands in the goal text.")
    )

    translatable_fields = ("text",)

    class Meta:
        verbose_name = _("footnote")
        verbose_name_plural = _("footnotes")
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="footnote_unique_number")
        ]

    def __str__(self):
        return f"{self.number} {self.text[:60]}"


class GoalRevision(models.Model):
    """One change to a goal's text, so its history can be shown with diffs.

    Imports do not write revisions; they are the edits staff make to a draft, e.g.
    when they accept an amendment. Which contributions led to a revision is recorded
    by the participation app (``Contribution.revisions``).
    """

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="revisions"
    )
    text_before = models.TextField(_("text before"))
    text_after = models.TextField(_("text after"))
    note = models.TextField(_("reason for the change"), blank=True)
    created_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("goal revision")
        verbose_name_plural = _("goal revisions")
        ordering = ["goal", "created_at", "pk"]

    def __str__(self):
        return f"{self.goal.slug} @ {self.created_at:%Y-%m-%d %H:%M}"


class District(models.Model):
    """An area of the city that people and data are assigned to.

    Areas form a hierarchy: the whole city → boroughs (Stadtbezirke) → statistical
    districts (Stadtteile). ``number`` is the official code. Monitoring observations
    always name an area — the city-level one for city-wide figures.
    """

    class Level(models.TextChoices):
        CITY = "city", _("Whole city")
        BOROUGH = "borough", _("Borough (Stadtbezirk)")
        DISTRICT = "district", _("District (Stadtteil)")

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.CASCADE, related_name="districts"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    number = models.CharField(_("number"), max_length=10, blank=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    geometry = models.JSONField(
        _("boundary (GeoJSON geometry)"),
        null=True,
        blank=True,
        help_text=_("Uploaded by staff; the project ships no official boundaries."),
    )
    tile_row = models.PositiveSmallIntegerField(_("tile map row"), null=True, blank=True)
    tile_col = models.PositiveSmallIntegerField(_("tile map column"), null=True, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["city", "level", "number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "level", "name"], name="district_unique_name")
        ]

    def __str__(self):
        return self.name
