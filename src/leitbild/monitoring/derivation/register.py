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

from dataclasses import dataclass, field

import polars as pl

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


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing optional columns as nulls, cast to the documented types, blank → null."""
    for name in OPTIONAL:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None).alias(name))
    text = [
        "person_id",
        "sex",
        "district",
        "nationality_1",
        "nationality_2",
        "birth_country",
        "german_by",
        "mother_id",
        "father_id",
        "household_id",
    ]
    frame = frame.with_columns(
        [pl.col(c).cast(pl.Utf8).str.strip_chars().replace("", None).alias(c) for c in text]
        + [
            pl.col(c)
            .cast(pl.Utf8)
            .str.strip_chars()
            .replace("", None)
            .cast(pl.Int32, strict=False)
            .alias(c)
            for c in ("birth_year", "immigration_year")
        ]
    )
    return frame.with_columns(
        [pl.col(c).str.to_uppercase() for c in ("nationality_1", "nationality_2", "birth_country")]
        + [pl.col("sex").str.to_lowercase(), pl.col("german_by").str.to_lowercase()]
    )


def validate(frame: pl.DataFrame) -> Validation:
    """Structural errors stop the run; data-quality findings are warnings."""
    result = Validation()
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        result.errors.append(
            Finding("missing_column", f"required column(s) missing: {', '.join(missing)}", 0)
        )
        return result
    frame = normalise(frame)
    duplicates = frame.filter(pl.col("person_id").is_duplicated())
    if duplicates.height:
        result.errors.append(
            Finding(
                "duplicate_id",
                "person_id is not unique",
                duplicates.height,
                _examples(duplicates.unique("person_id", maintain_order=True)),
            )
        )
    for column, allowed, code in (
        ("sex", SEXES, "bad_sex"),
        ("german_by", GERMAN_BY, "bad_german_by"),
    ):
        bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed))
        if bad.height:
            result.errors.append(
                Finding(
                    code,
                    f"unknown {column} code (allowed: {', '.join(allowed)})",
                    bad.height,
                    _examples(bad),
                )
            )
    iso = r"^[A-Z]{2}$"
    for column in ("nationality_1", "nationality_2", "birth_country"):
        bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).str.contains(iso))
        if bad.height:
            result.errors.append(
                Finding(
                    f"bad_{column}",
                    f"{column} is not a two-letter country code",
                    bad.height,
                    _examples(bad),
                )
            )
    empty = frame.filter(pl.col("nationality_1").is_null() | pl.col("district").is_null())
    if empty.height:
        result.errors.append(
            Finding(
                "empty_required",
                "nationality_1 or district is empty",
                empty.height,
                _examples(empty),
            )
        )
    no_year = frame.filter(pl.col("birth_year").is_null())
    if no_year.height:
        result.errors.append(
            Finding(
                "bad_birth_year",
                "birth_year is missing or not a number",
                no_year.height,
                _examples(no_year),
            )
        )
    ids = frame.select("person_id")
    for column in ("mother_id", "father_id"):
        dangling = frame.filter(pl.col(column).is_not_null()).join(
            ids, left_on=column, right_on="person_id", how="anti"
        )
        if dangling.height:
            result.warnings.append(
                Finding(
                    f"dangling_{column}",
                    f"{column} points to no person in the extract",
                    dangling.height,
                    _examples(dangling),
                )
            )
    return result


def _personal(include_expellees: bool) -> tuple[pl.Expr, pl.Expr]:
    """(is personal, subcategory) for Germans, in rule order."""
    german_by = pl.col("german_by")
    born_abroad = pl.col("birth_country").is_not_null() & (pl.col("birth_country") != "DE")
    resettler = (german_by == "resettler").fill_null(False) | (
        german_by.is_null()
        & pl.col("birth_country").is_in(RESETTLER_COUNTRIES).fill_null(False)
        & (pl.col("immigration_year") >= 1950).fill_null(False)
    )
    naturalised = (german_by == "naturalisation").fill_null(False)
    abroad = born_abroad.fill_null(False)
    if not include_expellees:
        abroad = abroad & (pl.col("birth_year") >= 1950).fill_null(False)
    subcategory = (
        pl.when(resettler)
        .then(pl.lit("resettler"))
        .when(naturalised)
        .then(pl.lit("naturalised"))
        .when(abroad)
        .then(pl.lit("born_abroad"))
        .otherwise(None)
    )
    return subcategory.is_not_null(), subcategory


def _parent_flags(frame: pl.DataFrame, flag: pl.Expr) -> pl.DataFrame:
    """Per person, whether the linked mother and father have ``flag`` (false if unlinked)."""
    parents = frame.select(pl.col("person_id").alias("_parent_id"), flag.alias("_flag"))
    return (
        frame.select("person_id", "mother_id", "father_id")
        .join(parents, left_on="mother_id", right_on="_parent_id", how="left")
        .rename({"_flag": "_mother"})
        .join(parents, left_on="father_id", right_on="_parent_id", how="left")
        .rename({"_flag": "_father"})
        .select(
            "person_id",
            pl.col("_mother").fill_null(False),
            pl.col("_father").fill_null(False),
        )
    )


def derive(
    frame: pl.DataFrame, *, definition: str = "muenster", include_expellees: bool = True
) -> pl.DataFrame:
    """Per person: ``person_id``, ``category``, ``subcategory``, ``migration_background``.

    ``category`` is foreign / personal / inherited / none for ``muenster``; for
    ``einwanderungsgeschichte`` it is immigrated / both_parents / one_parent / none, and
    ``migration_background`` is true for the first two (one-sided is reported apart).
    """
    if definition not in DEFINITIONS:
        raise ValueError(f"unknown definition {definition!r}: use one of {DEFINITIONS}")
    frame = normalise(frame)
    if definition == "einwanderungsgeschichte":
        return _einwanderung(frame)
    foreign = pl.col("nationality_1") != "DE"
    is_personal, personal_sub = _personal(include_expellees)
    first = frame.with_columns(
        pl.when(foreign)
        .then(pl.lit("foreign"))
        .when(is_personal)
        .then(pl.lit("personal"))
        .otherwise(None)
        .alias("_own"),
        pl.when(foreign).then(pl.lit("foreign")).otherwise(personal_sub).alias("_own_sub"),
    )
    # A parent passes on only their own (foreign or personal) history: second generation.
    linked = _parent_flags(first, pl.col("_own").is_not_null()).select(
        "person_id", (pl.col("_mother") | pl.col("_father")).alias("_parent")
    )
    second = (pl.col("nationality_2").is_not_null() & (pl.col("nationality_2") != "DE")).fill_null(
        False
    ) | (pl.col("german_by") == "declaration").fill_null(False)
    out = first.join(linked, on="person_id", how="left").with_columns(
        pl.when(pl.col("_own").is_not_null())
        .then(pl.col("_own"))
        .when(pl.col("_parent") | second)
        .then(pl.lit("inherited"))
        .otherwise(pl.lit("none"))
        .alias("category"),
        pl.when(pl.col("_own").is_not_null())
        .then(pl.col("_own_sub"))
        .when(pl.col("_parent"))
        .then(pl.lit("parent"))
        .when(second)
        .then(pl.lit("second_nationality"))
        .otherwise(pl.lit("none"))
        .alias("subcategory"),
    )
    return out.select(
        "person_id",
        "category",
        "subcategory",
        (pl.col("category") != "none").alias("migration_background"),
    )


def _einwanderung(frame: pl.DataFrame) -> pl.DataFrame:
    born_abroad = pl.col("birth_country").is_not_null() & (pl.col("birth_country") != "DE")
    immigrated = (
        pl.when(pl.col("immigration_year").is_not_null())
        .then(pl.col("immigration_year") >= 1950)
        .otherwise(born_abroad & (pl.col("birth_year") >= 1950))
        .fill_null(False)
    )
    own = frame.with_columns(immigrated.alias("_immigrated"))
    linked = _parent_flags(own, pl.col("_immigrated")).select(
        "person_id",
        (pl.col("_mother") & pl.col("_father")).alias("_both"),
        (pl.col("_mother") ^ pl.col("_father")).alias("_one"),
    )
    out = own.join(linked, on="person_id", how="left").with_columns(
        pl.when(pl.col("_immigrated"))
        .then(pl.lit("immigrated"))
        .when(pl.col("_both"))
        .then(pl.lit("both_parents"))
        .when(pl.col("_one"))
        .then(pl.lit("one_parent"))
        .otherwise(pl.lit("none"))
        .alias("category")
    )
    return out.select(
        "person_id",
        "category",
        pl.col("category").alias("subcategory"),
        pl.col("category").is_in(["immigrated", "both_parents"]).alias("migration_background"),
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
    age = pl.lit(year) - pl.col("birth_year")
    expr = pl.when(age < 0).then(pl.lit("unknown"))
    for low, high, label in groups:
        expr = expr.when((age >= low) & (age <= high)).then(pl.lit(label))
    return expr.otherwise(pl.lit("unknown"))


def aggregate(
    extract: pl.DataFrame,
    derived: pl.DataFrame,
    *,
    year: int,
    age_groups=DEFAULT_AGE_GROUPS,
    top_nationalities: int = 10,
) -> pl.DataFrame:
    """Counts by district × sex × age group × category × subcategory × nationality group.

    The nationality group is one of the ``top_nationalities`` most frequent first
    nationalities, else ``other``; Germans are ``DE``. Columns: ``district``, ``sex``,
    ``age_group``, ``category``, ``subcategory``, ``nationality_group``, ``count``.
    """
    extract = normalise(extract)
    top = (
        extract.filter(pl.col("nationality_1") != "DE")
        .group_by("nationality_1")
        .len()
        .sort(["len", "nationality_1"], descending=[True, False])
        .head(top_nationalities)
        .get_column("nationality_1")
        .to_list()
    )
    joined = extract.select("person_id", "district", "sex", "birth_year", "nationality_1").join(
        derived.select("person_id", "category", "subcategory"), on="person_id", how="inner"
    )
    return (
        joined.with_columns(
            _age_group(year, age_groups).alias("age_group"),
            pl.when(pl.col("nationality_1") == "DE")
            .then(pl.lit("DE"))
            .when(pl.col("nationality_1").is_in(top))
            .then(pl.col("nationality_1"))
            .otherwise(pl.lit("other"))
            .alias("nationality_group"),
        )
        .group_by("district", "sex", "age_group", "category", "subcategory", "nationality_group")
        .agg(pl.len().alias("count"))
        .sort("district", "sex", "age_group", "category", "subcategory", "nationality_group")
    )


def district_shares(aggregates: pl.DataFrame) -> pl.DataFrame:
    """Per district: residents, with migration background, and its components, as counts and
    the share in percent — what feeds the monitoring's indicators."""
    wide = aggregates.group_by("district").agg(
        pl.col("count").sum().alias("residents"),
        pl.col("count").filter(pl.col("category") != "none").sum().alias("with_background"),
        pl.col("count").filter(pl.col("category") == "foreign").sum().alias("foreign"),
        pl.col("count").filter(pl.col("category") == "personal").sum().alias("personal"),
        pl.col("count").filter(pl.col("category") == "inherited").sum().alias("inherited"),
    )
    return wide.with_columns(
        (pl.col("with_background") / pl.col("residents") * 100).round(1).alias("share")
    ).sort("district")
