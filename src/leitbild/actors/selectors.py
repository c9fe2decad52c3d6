"""Reads of the organisations directory: the list with its filters and counts, and an
organisation's participation as aggregates.

Every read here runs a fixed number of queries, however many organisations, fields
of action or events there are. Nothing here returns people's names or addresses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from leitbild.concept.models import City, Edition, FieldOfAction

from .models import Organisation

MAX_QUERY = 200


@dataclass
class Directory:
    """Where the directory looks: the city and the edition whose fields of action apply."""

    city: City | None
    edition: Edition | None


def directory_resolve() -> Directory:
    """The city of the current adopted edition (as the home page shows it), and that edition.

    Without an adopted edition: the first city that has organisations, without fields.
    """
    edition = Edition.objects.adopted().select_related("city").order_by("city__name", "-year")
    edition = edition.first()
    if edition is not None:
        return Directory(city=edition.city, edition=edition)
    city = City.objects.filter(organisations__isnull=False).order_by("name").first()
    return Directory(city=city, edition=None)


def field_key(field_of_action: FieldOfAction) -> str:
    """What ``?handlungsfeld=`` takes: the field's number (its slug when it has none)."""
    return field_of_action.number or field_of_action.slug


def _fields_queryset(edition: Edition | None):
    if edition is None:
        return FieldOfAction.objects.none()
    return (
        FieldOfAction.objects.filter(edition=edition)
        .select_related("edition")
        .prefetch_related("translations")
        .order_by("position")
    )


def directory_fields(directory: Directory) -> list[FieldOfAction]:
    """The current edition's fields of action, for the filter (one or two queries)."""
    return list(_fields_queryset(directory.edition))


@dataclass
class CategoryCount:
    code: str
    label: str
    total: int  # organisations of the city in this category
    shown: int  # of these, the ones matching the other filters (text, field of action)
    percent: int = 0  # bar length: ``shown`` relative to the largest category, in steps of 5


@dataclass
class DirectoryPage:
    organisations: list[Organisation]
    groups: list[tuple[CategoryCount, list[Organisation]]]
    categories: list[CategoryCount]
    fields: list[FieldOfAction]  # with ``organisation_count`` under the other filters
    total: int  # all organisations of the city
    matching: int  # of these, the ones matching the text and field filters (any category)
    query: str = ""
    category: str = ""
    field: FieldOfAction | None = None
    filtered: bool = dataclasses.field(init=False)  # any filter
    narrowed: bool = dataclasses.field(init=False)  # a filter the category counts follow

    def __post_init__(self):
        self.narrowed = bool(self.query or self.field)
        self.filtered = bool(self.narrowed or self.category)


def _bar_percent(value: int, largest: int) -> int:
    if not value or not largest:
        return 0
    return max(5, round(value * 20 / largest) * 5)


def organisation_directory(
    directory: Directory, *, query: str = "", category: str = "", field_number: str = ""
) -> DirectoryPage:
    """The organisations of the directory's city matching the filters, grouped by category.

    Unknown categories and field numbers are ignored. Counts per category follow the
    text and field filters (not the category filter), counts per field follow the text
    and category filters, so every count says what choosing it would show.
    """
    query = " ".join(query.split())[:MAX_QUERY]
    if category not in Organisation.Category.values:
        category = ""
    fields = list(_fields_queryset(directory.edition))
    chosen = next((f for f in fields if field_number and field_key(f) == field_number), None)

    base = Organisation.objects.filter(city=directory.city)
    text_q = Q(name__icontains=query) | Q(description__icontains=query) if query else Q()
    field_q = (
        Q(
            pk__in=Organisation.fields.through.objects.filter(fieldofaction_id=chosen.pk).values(
                "organisation_id"
            )
        )
        if chosen
        else Q()
    )
    category_q = Q(category=category) if category else Q()

    organisations = list(
        base.filter(text_q & field_q & category_q)
        .prefetch_related(Prefetch("fields", queryset=_fields_queryset(directory.edition)))
        .order_by("name")
    )

    other_q = text_q & field_q
    counts = {
        row["category"]: row
        for row in base.order_by()
        .values("category")
        .annotate(total=Count("pk"), shown=Count("pk", filter=other_q or None))
    }
    categories = [
        CategoryCount(
            code=code,
            label=str(label),
            total=counts[code]["total"],
            shown=counts[code]["shown"],
        )
        for code, label in Organisation.Category.choices
        if code in counts
    ]
    largest = max((c.shown for c in categories), default=0)
    for item in categories:
        item.percent = _bar_percent(item.shown, largest)

    if fields:
        organisation_q = Q(organisations__city=directory.city)
        if query:
            organisation_q &= Q(organisations__name__icontains=query) | Q(
                organisations__description__icontains=query
            )
        if category:
            organisation_q &= Q(organisations__category=category)
        per_field = dict(
            FieldOfAction.objects.filter(pk__in=[f.pk for f in fields])
            .annotate(n=Count("organisations", filter=organisation_q))
            .values_list("pk", "n")
        )
        for f in fields:
            f.organisation_count = per_field.get(f.pk, 0)

    by_category: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        by_category.setdefault(organisation.category, []).append(organisation)
    groups = [(c, by_category[c.code]) for c in categories if c.code in by_category]

    return DirectoryPage(
        organisations=organisations,
        groups=groups,
        categories=categories,
        fields=fields,
        total=sum(c.total for c in categories),
        matching=sum(c.shown for c in categories),
        query=query,
        category=category,
        field=chosen,
    )


def organisation_get(directory: Directory, slug: str) -> Organisation | None:
    """One organisation of the directory's city, with its fields in the current edition."""
    return (
        Organisation.objects.filter(city=directory.city, slug=slug)
        .select_related("city")
        .prefetch_related(Prefetch("fields", queryset=_fields_queryset(directory.edition)))
        .first()
    )
