"""Migration background from a resident-register extract (plain Python + Polars, no Django).

One row per resident in, one category per resident out, by vectorised Polars
expressions — no Python loop over rows. The rules and their sources are documented in
``docs/migration-background.md``; every rule and every precedence conflict has a test
on a hand-made register (``tests/test_register.py``).

Definition ``muenster`` (seed 003, chapter 2), first matching rule wins:

1. ``foreign`` — ``nationality_1`` is not ``DE`` (stateless ``XX`` and unknown ``ZZ``
   included).
2. personal migration history (Germans):
   ``resettler`` — ``german_by`` is ``resettler``, or ``german_by`` is empty and the
   birth country is a resettler country and ``immigration_year`` ≥ 1950;
   ``naturalised`` — ``german_by`` is ``naturalisation``;
   ``born_abroad`` — a birth country other than ``DE`` (expellees born before 1950
   count unless ``include_expellees=False``).
3. inherited migration history (Germans, none of the above):
   ``parent`` — a linked parent is foreign or has personal migration history (second
   generation only: never through a parent whose own history is only inherited);
   ``second_nationality`` — ``nationality_2`` is set and not ``DE``, or ``german_by`` is
   ``declaration``.
4. ``none``.

Definition ``einwanderungsgeschichte`` (Destatis since 2023): the person immigrated in
1950 or later (``immigration_year`` ≥ 1950, or — with no year recorded — born abroad in
1950 or later), or both linked parents did; a single immigrant parent is "one-sided".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl
import polars.selectors as cs

REQUIRED = ("person_id", "sex", "birth_year", "district", "nationality_1")
OPTIONAL = (
    "nationality_2",
    "birth_country",
    "immigration_year",
    "german_by",
    "mother_id",
    "father_id",
    "household_id",
)
SEXES = ("m", "w", "d", "x")
GERMAN_BY = ("birth", "naturalisation", "resettler", "declaration")
RESETTLER_COUNTRIES = (
    # former Soviet Union
    *("RU", "UA", "BY", "MD", "EE", "LV", "LT", "KZ", "KG", "TJ", "TM", "UZ", "AM", "AZ", "GE"),
    # Poland, Romania, Czechia, Slovakia, Hungary
    *("PL", "RO", "CZ", "SK", "HU"),
    # former Yugoslavia
    *("SI", "HR", "BA", "RS", "ME", "MK", "XK"),
    # historical codes: Soviet Union, Yugoslavia, Czechoslovakia
    *("SU", "YU", "CS"),
)
DEFINITIONS = ("muenster", "einwanderungsgeschichte")


@dataclass
class Finding:
    """A problem with the extract: how many rows, and a few examples."""

    code: str
    message: str
    count: int
    examples: list[str] = field(default_factory=list)

    def __str__(self):
        sample = f" (e.g. {', '.join(self.examples)})" if self.examples else ""
        return f"{self.message}: {self.count} row(s){sample}"


@dataclass
class Validation:
    errors: list[Finding] = field(default_factory=list)  # stop the run
    warnings: list[Finding] = field(default_factory=list)  # reported, run continues

    @property
    def ok(self) -> bool:
        return not self.errors


def _examples(frame: pl.DataFrame, column: str = "person_id", n: int = 3) -> list[str]:
    return [str(v) for v in frame.get_column(column).head(n).to_list()]


ID_COLUMNS = ("person_id", "mother_id", "father_id", "household_id")
# Low-cardinality code columns: cleaned on their distinct values, not row by row, so that a
# clean extract of millions of rows costs one pass per column.
CODE_COLUMNS = {
    "sex": str.lower,
    "district": lambda v: v,
    "nationality_1": str.upper,
    "nationality_2": str.upper,
    "birth_country": str.upper,
    "german_by": str.lower,
}
YEAR_COLUMNS = ("birth_year", "immigration_year")
# Large extracts are processed by Polars' streaming engine: in batches, on every core,
# without holding intermediate copies of the whole extract.
ENGINE = "streaming"

Frame = pl.DataFrame | pl.LazyFrame


def _summary_engine(frame: Frame) -> str:
    """The engine for the summary of an extract (distinct values, counts per column).

    On an extract already in memory the in-memory engine computes these column by column
    in parallel, twice as fast as the streaming engine (docs/performance.md); an extract
    still on disk is streamed, so that it is never held in memory whole.
    """
    return "in-memory" if isinstance(frame, pl.DataFrame) else ENGINE


def _is_integer(dtype) -> bool:
    return dtype.is_integer() or dtype == pl.Null


def _fold(fold, value: str) -> str | None:
    return fold(value.strip()) or None


def _with_optional(frame: Frame) -> pl.LazyFrame:
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    types = {c: pl.Int32 for c in YEAR_COLUMNS} | {c: schema["person_id"] for c in ID_COLUMNS}
    missing = [
        pl.lit(None, dtype=types.get(c, pl.Utf8)).alias(c) for c in OPTIONAL if c not in schema
    ]
    return lazy.with_columns(missing) if missing else lazy


# Columns that in any German register are dominated by one value — German, born in
# Germany, no second nationality, German by birth: their distinct values are looked for
# among the values of their runs (of equal neighbours), a tenth of the rows or fewer,
# rather than among all rows.
SKEWED = ("nationality_1", "nationality_2", "birth_country", "german_by")


def _runs(column: str) -> pl.Expr:
    values = pl.col(column).cast(pl.Utf8)
    return values.rle().struct.field("value").alias(column) if column in SKEWED else values


def _distinct_expressions(schema, *, counted: tuple[str, ...] = ()) -> list[pl.Expr]:
    """What normalising needs to know: the distinct values of code and text year columns
    (but the ``counted`` ones: see :func:`_counts`), and how many identifiers are
    blank."""
    text_years = [c for c in YEAR_COLUMNS if not _is_integer(schema[c])]
    text_ids = [c for c in ID_COLUMNS if c in schema and not _is_integer(schema[c])]
    return [
        *[
            _runs(c).unique().drop_nulls().implode()
            for c in (*CODE_COLUMNS, *text_years)
            if c not in counted
        ],
        *[(pl.col(c).cast(pl.Utf8) == "").sum().alias(f"{c}:blank") for c in text_ids],
    ]


def _counts(lazy: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """Rows per distinct raw value of ``column`` (``value``, ``count``), summed over its
    runs."""
    runs = lazy.select(pl.col(column).cast(pl.Utf8).rle().alias("runs")).unnest("runs")
    return runs.group_by("value").agg(pl.col("len").sum().alias("count"))


def _normalise_from(lazy: pl.LazyFrame, distinct: dict) -> tuple[pl.LazyFrame, dict[str, list]]:
    """The normalisation of ``lazy`` given the distinct raw values of its code (and text
    year) columns; and the distinct normalised values (and, under
    ``<column>:unreadable``, the raw year values that are not numbers)."""
    schema = lazy.collect_schema()
    ids = [c for c in ID_COLUMNS if c in schema]
    if all(_is_integer(schema[c]) for c in ids):
        id_type = schema["person_id"] if schema["person_id"] != pl.Null else pl.Int64
        exprs = [pl.col(c).cast(id_type) for c in ids]
    else:
        # Blank identifiers become null; a column without blanks is passed through as is,
        # rather than copied row by row.
        exprs = [
            pl.when(pl.col(c).cast(pl.Utf8) != "").then(pl.col(c).cast(pl.Utf8)).alias(c)
            if distinct.get(f"{c}:blank", 1)
            else pl.col(c).cast(pl.Utf8)
            for c in ids
        ]
    uniques = {}
    for column, fold in CODE_COLUMNS.items():
        mapping = {v: _fold(fold, v) for v in distinct[column]}
        uniques[column] = sorted({v for v in mapping.values() if v is not None})
        uniques[f"{column}:blank"] = [v for v, clean in mapping.items() if clean is None]
        dirty = {v: clean for v, clean in mapping.items() if clean != v}
        expr = pl.col(column).cast(pl.Utf8)
        exprs.append((expr.replace(dirty) if dirty else expr).alias(column))
    for column in YEAR_COLUMNS:
        if column not in distinct:
            exprs.append(pl.col(column).cast(pl.Int32))
            continue
        years = {
            v: int(v.strip()) if re.fullmatch(r"\s*[+-]?\d{1,6}\s*", v) else None
            for v in distinct[column]
        }
        uniques[f"{column}:unreadable"] = [v for v, y in years.items() if y is None and v.strip()]
        uniques[f"{column}:blank"] = [v for v, y in years.items() if y is None]
        exprs.append(
            pl.col(column)
            .cast(pl.Utf8)
            .replace_strict(years, default=None, return_dtype=pl.Int32)
            .alias(column)
        )
    return lazy.select(exprs), uniques


def _normalised(frame: Frame) -> tuple[pl.LazyFrame, dict[str, list]]:
    lazy = _with_optional(frame)
    distinct = (
        lazy.select(_distinct_expressions(lazy.collect_schema()))
        .collect(engine=ENGINE)
        .row(0, named=True)
    )
    return _normalise_from(lazy, distinct)


def normalise(frame: Frame) -> pl.DataFrame:
    """Add missing optional columns as nulls; codes trimmed and case-folded, blanks → null,
    years as integers (anything else → null). Identifiers keep their type when all are
    integers, else become text; they are compared exactly (an empty one is null)."""
    return _normalised(frame)[0].collect(engine=ENGINE)


def validate(frame: Frame) -> Validation:
    """Structural errors stop the run; data-quality findings are warnings."""
    return prepare(frame)[1]


def prepare(frame: Frame) -> tuple[pl.LazyFrame | None, Validation]:
    """The normalised extract (lazy) and what is wrong with it (``None`` when columns are
    missing)."""
    checked = _Checked.of(frame)
    if checked.lazy is not None:
        checked.complete()
    return checked.lazy, checked.validation


@dataclass
class _Checked:
    """The checks of an extract, done with as few passes over its rows as possible.

    :meth:`of` makes one pass for a summary — distinct codes, null counts, distinct parent
    ids — and checks codes and required values from it. The checks that need a pass over
    every id (unique ids, parents that exist) are :meth:`deferred` expressions: :func:`run`
    evaluates them in its final pass with the derivation, :func:`prepare` on their own.
    Rows are scanned again only for the examples of a problem found.
    """

    validation: Validation
    lazy: pl.LazyFrame | None = None
    raw: pl.LazyFrame | None = None
    summary: dict = field(default_factory=dict)
    # The distinct ids in mother_id and father_id; ``probes``: those checked for existence.
    parents: dict = field(default_factory=dict)
    probes: dict = field(default_factory=dict)
    # Residents per (normalised) first nationality.
    nationalities: dict = field(default_factory=dict)

    @classmethod
    def of(cls, frame: Frame, *, full: bool = True) -> _Checked:
        checked = cls(Validation())
        columns = frame.lazy().collect_schema().names()
        if missing := [c for c in REQUIRED if c not in columns]:
            checked.validation.errors.append(
                Finding("missing_column", f"required column(s) missing: {', '.join(missing)}", 0)
            )
            return checked
        checked.raw = raw = _with_optional(frame)
        schema = raw.collect_schema()
        text_ids = not all(_is_integer(schema[c]) for c in ID_COLUMNS if c in schema)

        def parents(column: str) -> pl.Expr:
            values = pl.col(column).drop_nulls()
            if text_ids:
                values = values.cast(pl.Utf8).filter(values.cast(pl.Utf8) != "")
            return values.unique().implode().alias(f"{column}:parents")

        result, nationalities = pl.collect_all(
            [
                raw.select(
                    pl.len().alias("rows"),
                    *[pl.col(c).null_count().alias(f"{c}:nulls") for c in REQUIRED],
                    *_distinct_expressions(schema, counted=("nationality_1",)),
                    parents("mother_id"),
                    parents("father_id"),
                ),
                _counts(raw, "nationality_1"),
            ],
            engine=_summary_engine(frame),
        )
        # The parent ids stay a Series: tens of thousands of them need not become Python.
        checked.parents = {
            c: ids
            for c in ("mother_id", "father_id")
            if (ids := result.get_column(f"{c}:parents").explode().drop_nulls()).len()
        }
        checked.summary = summary = result.drop(cs.ends_with(":parents")).row(0, named=True)
        counts = dict(nationalities.drop_nulls().iter_rows())
        summary["nationality_1"] = list(counts)
        for value, count in counts.items():
            if (code := _fold(CODE_COLUMNS["nationality_1"], value)) is not None:
                checked.nationalities[code] = checked.nationalities.get(code, 0) + count
        checked.lazy, uniques = _normalise_from(raw, summary)
        if full:
            checked.probes = checked.parents
        checked._codes(uniques)
        return checked

    def parent_ids(self) -> dict[str, pl.Series]:
        """The distinct ids named in each parent column that names anyone, in the type of
        the normalised ids."""
        dtype = self.lazy.collect_schema()["person_id"]
        return {column: ids.cast(dtype) for column, ids in self.parents.items()}

    def _rows(self, condition: pl.Expr) -> pl.DataFrame:
        return self.lazy.filter(condition).collect(engine=ENGINE)

    def _codes(self, uniques: dict) -> None:
        errors, summary = self.validation.errors, self.summary
        iso = re.compile(r"[A-Z]{2}")
        checks = [
            (
                "sex",
                SEXES.__contains__,
                "bad_sex",
                f"unknown sex code (allowed: {', '.join(SEXES)})",
            ),
            (
                "german_by",
                GERMAN_BY.__contains__,
                "bad_german_by",
                f"unknown german_by code (allowed: {', '.join(GERMAN_BY)})",
            ),
            *[
                (c, iso.fullmatch, f"bad_{c}", f"{c} is not a two-letter country code")
                for c in ("nationality_1", "nationality_2", "birth_country")
            ],
        ]
        for column, good, code, message in checks:
            if bad_values := [v for v in uniques[column] if not good(v)]:
                bad = self._rows(_one_of(column, bad_values))
                errors.append(Finding(code, message, bad.height, _examples(bad)))
        for required, code, message in (
            (
                ("person_id", "nationality_1", "district"),
                "empty_required",
                "person_id, nationality_1 or district is empty",
            ),
            (("birth_year",), "bad_birth_year", "birth_year is missing or not a number"),
        ):
            suspect = any(
                summary.get(f"{c}:nulls") or summary.get(f"{c}:blank") or uniques.get(f"{c}:blank")
                for c in required
            )
            if suspect:
                empty = self._rows(pl.any_horizontal(pl.col(required).is_null()))
                if empty.height:
                    errors.append(Finding(code, message, empty.height, _examples(empty)))
        if unreadable := uniques.get("immigration_year:unreadable"):
            bad = self.raw.filter(_one_of("immigration_year", unreadable)).collect(engine=ENGINE)
            self.validation.warnings.append(
                Finding(
                    "bad_immigration_year",
                    "immigration_year is not a number (treated as none recorded)",
                    bad.height,
                    _examples(bad),
                )
            )

    def deferred(self) -> list[pl.Expr]:
        return [
            # Distinct 64-bit hashes prove distinct ids; a collision needs the exact check.
            pl.col("person_id").hash(seed=1).n_unique().alias("_hashes"),
            # Probe all ids with the fewer distinct parents, not the parents with all ids.
            *[
                pl.col("person_id").is_in(ids.implode()).sum().alias(f"_found_{c}")
                for c, ids in self.probes.items()
            ],
        ]

    def complete(self) -> None:
        """Run the deferred checks in a pass of their own."""
        values = self.lazy.select(self.deferred()).collect(engine=ENGINE)
        self.finish(values.row(0, named=True))

    def finish(self, values: dict) -> None:
        rows = self.summary["rows"]
        if values["_hashes"] != rows:
            distinct = self.lazy.select(pl.col("person_id").n_unique()).collect(engine=ENGINE)
            if distinct.item() != rows:
                duplicates = self._rows(pl.col("person_id").is_duplicated())
                self.validation.errors.append(
                    Finding(
                        "duplicate_id",
                        "person_id is not unique",
                        duplicates.height,
                        _examples(duplicates.unique("person_id", maintain_order=True)),
                    )
                )
        for column, parents in self.probes.items():
            if values[f"_found_{column}"] == parents.len():
                continue
            ids = self.lazy.select("person_id").collect(engine=ENGINE).get_column("person_id")
            dangling = self._rows(
                pl.col(column).is_not_null() & ~pl.col(column).is_in(ids.implode())
            )
            self.validation.warnings.append(
                Finding(
                    f"dangling_{column}",
                    f"{column} points to no person in the extract",
                    dangling.height,
                    _examples(dangling),
                )
            )


# Categories and subcategories of both definitions, as one enumeration: comparisons and
# groupings on it work on small integers, not on text.
LABELS = pl.Enum(
    [
        "foreign",
        "personal",
        "inherited",
        "resettler",
        "naturalised",
        "born_abroad",
        "parent",
        "second_nationality",
        "immigrated",
        "both_parents",
        "one_parent",
        "none",
    ]
)


# The category of each subcategory, and the subcategories without migration background,
# under either definition (their subcategories do not overlap but in ``none``). The
# aggregation groups by subcategory alone and puts these in afterwards; a test checks that
# :func:`classify` agrees with them.
CATEGORY_OF = {
    "foreign": "foreign",
    "resettler": "personal",
    "naturalised": "personal",
    "born_abroad": "personal",
    "parent": "inherited",
    "second_nationality": "inherited",
    "immigrated": "immigrated",
    "both_parents": "both_parents",
    "one_parent": "one_parent",
    "none": "none",
}
WITHOUT_BACKGROUND = ("one_parent", "none")


def _label(name: str) -> pl.Expr:
    return pl.lit(name, dtype=LABELS)


def _one_of(column: str, values) -> pl.Expr:
    # A membership test against an imploded Series is many times faster than a list.
    return pl.col(column).is_in(pl.Series(list(values), dtype=pl.Utf8).implode())


def _personal(include_expellees: bool, resettler_countries) -> pl.Expr:
    """The personal-history subcategory of a German (null if none), in rule order."""
    german_by = pl.col("german_by")
    born_abroad = pl.col("birth_country").is_not_null() & (pl.col("birth_country") != "DE")
    resettler = (german_by == "resettler").fill_null(False) | (
        german_by.is_null()
        & _one_of("birth_country", resettler_countries).fill_null(False)
        & (pl.col("immigration_year") >= 1950).fill_null(False)
    )
    naturalised = (german_by == "naturalisation").fill_null(False)
    abroad = born_abroad.fill_null(False)
    if not include_expellees:
        abroad = abroad & (pl.col("birth_year") >= 1950).fill_null(False)
    return (
        pl.when(resettler)
        .then(_label("resettler"))
        .when(naturalised)
        .then(_label("naturalised"))
        .when(abroad)
        .then(_label("born_abroad"))
        .otherwise(None)
    )


def _linked_to(flagged: pl.Series, column: str, parents: dict | None) -> pl.Expr:
    """Whether the parent in ``column`` is one of the ``flagged`` person ids (false if none).

    A membership test against the flagged ids rather than a join of the whole extract with
    itself: no copy of the extract, and the result stays in input order. A column known
    to name nobody (not in ``parents``) is not looked at.
    """
    if parents is not None and column not in parents:
        return pl.lit(False)
    return pl.col(column).is_in(flagged.implode()).fill_null(False)


def derive(
    frame: pl.DataFrame,
    *,
    definition: str = "muenster",
    include_expellees: bool = True,
    resettler_countries=RESETTLER_COUNTRIES,
) -> pl.DataFrame:
    """Per person: ``person_id``, ``category``, ``subcategory``, ``migration_background``.

    ``category`` is foreign / personal / inherited / none for ``muenster``; for
    ``einwanderungsgeschichte`` it is immigrated / both_parents / one_parent / none, and
    ``migration_background`` is true for the first two (one-sided is reported apart).
    """
    classified = classify(
        _normalised(frame)[0],
        definition=definition,
        include_expellees=include_expellees,
        resettler_countries=resettler_countries,
    )
    return classified.select(OUTPUT).collect(engine=ENGINE)


OUTPUT = ("person_id", "category", "subcategory", "migration_background")


def classify(
    frame: Frame,
    *,
    definition: str = "muenster",
    include_expellees: bool = True,
    resettler_countries=RESETTLER_COUNTRIES,
    parents: dict[str, pl.Series] | None = None,
) -> Frame:
    """The normalised extract (see :func:`normalise`) with ``category``, ``subcategory`` and
    ``migration_background`` added, rows in input order; lazy in, lazy out.

    ``parents``, the distinct ids named in ``mother_id`` and in ``father_id`` (if known;
    a column naming nobody left out), makes the parent lookup cheaper; the result is the
    same without it."""
    if definition not in DEFINITIONS:
        raise ValueError(f"unknown definition {definition!r}: use one of {DEFINITIONS}")
    lazy = frame.lazy()
    if definition == "einwanderungsgeschichte":
        out = _einwanderung(lazy, parents)
    else:
        out = _muenster(lazy, include_expellees, resettler_countries, parents)
    return out if isinstance(frame, pl.LazyFrame) else out.collect(engine=ENGINE)


def _flagged(lazy: pl.LazyFrame, flag: pl.Expr, parents: dict | None) -> pl.Series:
    """The ids of the persons with ``flag``: the parents that pass something on.

    Narrowed to the ids that are someone's parent when these are known: the lookup of
    every row's parents then builds a set of those (a few per cent of the extract) rather
    than of every foreigner and immigrant — the most expensive step of a run otherwise.
    The narrowing compares 64-bit hashes, not the ids: a collision lets an id through
    that is nobody's parent, which changes no lookup, and no parent can be left out.
    """
    if parents is not None:
        named = pl.concat([pl.Series(dtype=lazy.collect_schema()["person_id"]), *parents.values()])
        hashed = named.hash(seed=HASH_SEED).implode()
        flag = flag & pl.col("person_id").hash(seed=HASH_SEED).is_in(hashed)
    return lazy.filter(flag).select("person_id").collect(engine=ENGINE).get_column("person_id")


HASH_SEED = 1950


def _muenster(lazy: pl.LazyFrame, include_expellees: bool, resettler_countries, parents):
    own = (
        pl.when(pl.col("nationality_1") != "DE")
        .then(_label("foreign"))
        .otherwise(_personal(include_expellees, resettler_countries))
    )
    # A parent passes on only their own (foreign or personal) history: second generation.
    flagged = _flagged(lazy, own.is_not_null(), parents)
    second = (pl.col("nationality_2").is_not_null() & (pl.col("nationality_2") != "DE")).fill_null(
        False
    ) | (pl.col("german_by") == "declaration").fill_null(False)
    flags = lazy.with_columns(
        own.alias("_own"),
        (
            _linked_to(flagged, "mother_id", parents) | _linked_to(flagged, "father_id", parents)
        ).alias("_parent"),
        second.alias("_second"),
    )
    own, parent, second = pl.col("_own").is_not_null(), pl.col("_parent"), pl.col("_second")
    return flags.select(
        pl.exclude("_own", "_parent", "_second"),
        pl.when(own)
        .then(pl.col("_own"))
        .when(parent)
        .then(_label("parent"))
        .when(second)
        .then(_label("second_nationality"))
        .otherwise(_label("none"))
        .alias("subcategory"),
        pl.when(pl.col("_own") == "foreign")
        .then(_label("foreign"))
        .when(own)
        .then(_label("personal"))
        .when(parent | second)
        .then(_label("inherited"))
        .otherwise(_label("none"))
        .alias("category"),
        (own | parent | second).alias("migration_background"),
    )


def _einwanderung(lazy: pl.LazyFrame, parents) -> pl.LazyFrame:
    born_abroad = pl.col("birth_country").is_not_null() & (pl.col("birth_country") != "DE")
    immigrated = (
        pl.when(pl.col("immigration_year").is_not_null())
        .then(pl.col("immigration_year") >= 1950)
        .otherwise(born_abroad & (pl.col("birth_year") >= 1950))
        .fill_null(False)
    )
    flagged = _flagged(lazy, immigrated, parents)
    own = lazy.with_columns(
        immigrated.alias("_immigrated"),
        _linked_to(flagged, "mother_id", parents).alias("_mother"),
        _linked_to(flagged, "father_id", parents).alias("_father"),
    )
    mother, father = pl.col("_mother"), pl.col("_father")
    category = (
        pl.when(pl.col("_immigrated"))
        .then(_label("immigrated"))
        .when(mother & father)
        .then(_label("both_parents"))
        .when(mother | father)
        .then(_label("one_parent"))
        .otherwise(_label("none"))
    )
    return own.select(
        pl.exclude("_immigrated", "_mother", "_father"),
        category.alias("category"),
        category.alias("subcategory"),
        (pl.col("_immigrated") | (mother & father)).alias("migration_background"),
    )


# Aggregation -----------------------------------------------------------------------------

DEFAULT_AGE_GROUPS = (
    (0, 5, "0-5"),
    (6, 17, "6-17"),
    (18, 24, "18-24"),
    (25, 44, "25-44"),
    (45, 64, "45-64"),
    (65, 200, "65+"),
)


def _age_group(year: int, groups) -> pl.Expr:
    """The index of the age group in ``groups`` (``len(groups)``: unknown) — a small
    integer to group by; the labels are put in on the aggregated table."""
    age = pl.lit(year) - pl.col("birth_year")
    unknown = pl.lit(len(groups), dtype=pl.UInt8)
    expr = pl.when(age < 0).then(unknown)
    for index, (low, high, _label) in enumerate(groups):
        expr = expr.when((age >= low) & (age <= high)).then(pl.lit(index, dtype=pl.UInt8))
    return expr.otherwise(unknown)


AGGREGATE_KEYS = (
    "district",
    "sex",
    "age_group",
    "category",
    "subcategory",
    "nationality_group",
    "migration_background",
)


def _top(counts: dict[str, int], n: int) -> list[str]:
    """The ``n`` most frequent foreign first nationalities (ties: alphabetical)."""
    foreign = sorted(((-c, code) for code, c in counts.items() if code != "DE"))
    return [code for _count, code in foreign[:n]]


def _counted(classified: Frame, *, year: int, age_groups, top: list[str]) -> pl.LazyFrame:
    """The counts of the output of :func:`classify` by district, sex, age group (its index),
    subcategory and nationality group, grouped in one pass straight by age and
    nationality group: the table grouped is as small as the result, not one row per birth
    year and nationality. Category and migration background follow from the subcategory
    and are put in by :func:`_labelled`."""
    nationality = pl.col("nationality_1")
    group = pl.Enum(["DE", *top, "other"])
    return (
        classified.lazy()
        .group_by(
            "district",
            "sex",
            _age_group(year, age_groups).alias("age_group"),
            "subcategory",
            pl.when(nationality == "DE")
            .then(pl.lit("DE", dtype=group))
            .when(nationality.is_in(pl.Series(top, dtype=pl.Utf8).implode()))
            .then(nationality.cast(group))
            .otherwise(pl.lit("other", dtype=group))
            .alias("nationality_group"),
        )
        .len("count")
    )


def _labelled(counted: pl.DataFrame, *, age_groups) -> pl.DataFrame:
    """The counted table for people: labels in, and in reading order — by district and
    sex, then age groups youngest first, categories and subcategories in the order of the
    rules, the nationality groups with Germans first and ``other`` last."""
    labels = pl.Series([label for _low, _high, label in age_groups] + ["unknown"])
    return (
        counted.sort("district", "sex", "age_group", "subcategory", "nationality_group")
        .with_columns(
            pl.col("age_group").replace_strict(range(labels.len()), labels),
            pl.col("district", "sex", "subcategory", "nationality_group").cast(pl.Utf8),
            pl.col("count").cast(pl.Int64),
        )
        .with_columns(
            pl.col("subcategory").replace_strict(CATEGORY_OF).alias("category"),
            ~pl.col("subcategory").is_in(WITHOUT_BACKGROUND).alias("migration_background"),
        )
        .select(*AGGREGATE_KEYS, "count")
    )


def aggregate(
    classified: Frame,
    *,
    year: int,
    age_groups=DEFAULT_AGE_GROUPS,
    top_nationalities: int = 10,
) -> pl.DataFrame:
    """Counts by district × sex × age group × category × subcategory × nationality group,
    from the output of :func:`classify`.

    The nationality group is one of the ``top_nationalities`` most frequent first
    nationalities, else ``other``; Germans are ``DE``. Columns: ``district``, ``sex``,
    ``age_group``, ``category``, ``subcategory``, ``nationality_group``,
    ``migration_background``, ``count``.
    """
    counts = classified.lazy().group_by("nationality_1").len().collect(engine=ENGINE)
    top = _top(dict(counts.drop_nulls().iter_rows()), top_nationalities)
    counted = _counted(classified, year=year, age_groups=age_groups, top=top)
    return _labelled(counted.collect(engine=ENGINE), age_groups=age_groups)


def district_shares(aggregates: pl.DataFrame) -> pl.DataFrame:
    """Per district: residents, with migration background, each category other than
    ``none`` as counts, and the share with migration background in percent — what feeds
    the monitoring's indicators."""
    categories = sorted(set(aggregates.get_column("category").to_list()) - {"none"})
    wide = aggregates.group_by("district").agg(
        pl.col("count").sum().alias("residents"),
        pl.col("count").filter(pl.col("migration_background")).sum().alias("with_background"),
        *[pl.col("count").filter(pl.col("category") == c).sum().alias(c) for c in categories],
    )
    return wide.with_columns(
        (pl.col("with_background") / pl.col("residents") * 100).round(1).alias("share")
    ).sort("district")


@dataclass
class Run:
    """One derivation: what was checked, the per-person result and the aggregates."""

    validation: Validation
    persons: pl.DataFrame | None = None
    aggregates: pl.DataFrame | None = None


def run(
    frame: Frame,
    *,
    year: int,
    definition: str = "muenster",
    include_expellees: bool = True,
    resettler_countries=RESETTLER_COUNTRIES,
    age_groups=DEFAULT_AGE_GROUPS,
    top_nationalities: int = 10,
    full_checks: bool = True,
) -> Run:
    """Validate, derive and aggregate an extract (a data frame, or a lazy scan of a file);
    when the extract has structural errors only the validation is returned.

    Three passes over the rows: the summary for validation, the persons who pass
    something on to their children, and one for the per-person result, the aggregates
    and the remaining checks together. ``full_checks=False`` leaves out the checks that
    need every id (unique ids, existing parents) — for an extract already validated, and
    for the benchmark, which times derivation and aggregation on their own.
    """
    checked = _Checked.of(frame, full=full_checks)
    if not checked.validation.ok:
        # Report every problem at once: run the remaining checks before stopping.
        if checked.lazy is not None:
            checked.complete()
        return Run(checked.validation)
    classified = classify(
        checked.lazy,
        definition=definition,
        include_expellees=include_expellees,
        resettler_countries=resettler_countries,
        parents=checked.parent_ids(),
    )
    top = _top(checked.nationalities, top_nationalities)
    queries = [
        classified.select(OUTPUT),
        _counted(classified, year=year, age_groups=age_groups, top=top),
    ]
    if full_checks:
        queries.append(checked.lazy.select(checked.deferred()))
    persons, counted, *values = pl.collect_all(queries, engine=ENGINE)
    if values:
        checked.finish(values[0].row(0, named=True))
    if not checked.validation.ok:
        return Run(checked.validation)
    return Run(checked.validation, persons, _labelled(counted, age_groups=age_groups))
