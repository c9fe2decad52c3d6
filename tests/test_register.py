"""Migration background from a register extract: each rule and each precedence conflict on
hand-made registers, under both definitions (``monitoring/derivation/register.py``)."""

import polars as pl
import pytest

from leitbild.monitoring.derivation.register import derive, validate

COLUMNS = [
    "person_id",
    "sex",
    "birth_year",
    "district",
    "nationality_1",
    "nationality_2",
    "birth_country",
    "immigration_year",
    "german_by",
    "mother_id",
    "father_id",
]


def register(*rows):
    """Rows as dicts; unspecified columns are empty (a German born in Germany)."""
    base = {"sex": "w", "birth_year": 1980, "district": "11", "nationality_1": "DE"}
    return pl.DataFrame(
        [{c: {**base, **row}.get(c) for c in COLUMNS} for row in rows],
        schema={c: pl.Utf8 for c in COLUMNS},
    )


def categories(frame, **kwargs):
    out = derive(frame, **kwargs)
    return {r["person_id"]: (r["category"], r["subcategory"]) for r in out.iter_rows(named=True)}


def test_each_rule_of_the_muenster_definition():
    frame = register(
        {"person_id": "foreign", "nationality_1": "TR"},
        {"person_id": "stateless", "nationality_1": "XX"},
        {"person_id": "unknown", "nationality_1": "ZZ"},
        {"person_id": "resettler-flag", "german_by": "resettler"},
        {"person_id": "resettler-features", "birth_country": "KZ", "immigration_year": "1993"},
        {"person_id": "naturalised", "german_by": "naturalisation", "birth_country": "TR"},
        {"person_id": "abroad", "birth_country": "US", "german_by": "birth"},
        {"person_id": "child", "mother_id": "foreign"},
        {"person_id": "dual", "nationality_2": "IT"},
        {"person_id": "declared", "german_by": "declaration"},
        {"person_id": "nobody"},
    )
    assert categories(frame) == {
        "foreign": ("foreign", "foreign"),
        "stateless": ("foreign", "foreign"),
        "unknown": ("foreign", "foreign"),
        "resettler-flag": ("personal", "resettler"),
        "resettler-features": ("personal", "resettler"),
        "naturalised": ("personal", "naturalised"),
        "abroad": ("personal", "born_abroad"),
        "child": ("inherited", "parent"),
        "dual": ("inherited", "second_nationality"),
        "declared": ("inherited", "second_nationality"),
        "nobody": ("none", "none"),
    }


def test_precedence_conflicts():
    frame = register(
        # Foreign wins over everything else.
        {"person_id": "foreign-naturalised", "nationality_1": "SY", "german_by": "naturalisation"},
        # The resettler flag wins over naturalisation features.
        {"person_id": "flag-vs-abroad", "german_by": "resettler", "birth_country": "US"},
        # Features need an empty german_by: naturalised from Poland is "naturalised".
        {
            "person_id": "naturalised-pl",
            "german_by": "naturalisation",
            "birth_country": "PL",
            "immigration_year": "1990",
        },
        # Resettler country but immigrated before 1950: an expellee, born abroad.
        {
            "person_id": "expellee",
            "birth_country": "PL",
            "immigration_year": "1946",
            "birth_year": "1940",
        },
        # Own history wins over a parent's.
        {"person_id": "parent-of-abroad", "nationality_1": "IT"},
        {"person_id": "abroad-with-parent", "birth_country": "IT", "mother_id": "parent-of-abroad"},
        # A parent wins over a second nationality.
        {"person_id": "dual-with-parent", "nationality_2": "TR", "father_id": "parent-of-abroad"},
        # Second generation only: a grandchild through an inherited parent inherits nothing.
        {"person_id": "grandchild", "mother_id": "dual-with-parent"},
    )
    result = categories(frame)
    assert result["foreign-naturalised"] == ("foreign", "foreign")
    assert result["flag-vs-abroad"] == ("personal", "resettler")
    assert result["naturalised-pl"] == ("personal", "naturalised")
    assert result["expellee"] == ("personal", "born_abroad")
    assert result["abroad-with-parent"] == ("personal", "born_abroad")
    assert result["dual-with-parent"] == ("inherited", "parent")
    assert result["grandchild"] == ("none", "none")


def test_expellees_can_be_left_out():
    frame = register(
        {"person_id": "expellee", "birth_country": "PL", "birth_year": "1940"},
        {"person_id": "later", "birth_country": "US", "birth_year": "1960"},
    )
    result = categories(frame, include_expellees=False)
    assert result == {"expellee": ("none", "none"), "later": ("personal", "born_abroad")}


def test_einwanderungsgeschichte():
    frame = register(
        {
            "person_id": "immigrant",
            "nationality_1": "TR",
            "immigration_year": "1975",
            "birth_country": "TR",
        },
        {"person_id": "immigrant-2", "birth_country": "PL", "birth_year": "1985"},
        {"person_id": "before-1950", "birth_country": "PL", "immigration_year": "1946"},
        {"person_id": "both", "mother_id": "immigrant", "father_id": "immigrant-2"},
        {"person_id": "one", "mother_id": "immigrant"},
        {"person_id": "foreign-born-here", "nationality_1": "TR"},
    )
    out = derive(frame, definition="einwanderungsgeschichte")
    result = {
        r["person_id"]: (r["category"], r["migration_background"])
        for r in out.iter_rows(named=True)
    }
    assert result == {
        "immigrant": ("immigrated", True),
        "immigrant-2": ("immigrated", True),
        "before-1950": ("none", False),
        "both": ("both_parents", True),
        "one": ("one_parent", False),  # one-sided: reported apart
        # Foreign but born here to unknown parents: no immigration history of their own.
        "foreign-born-here": ("none", False),
    }


def test_categories_partition_every_district():
    frame = register(
        *[
            {
                "person_id": f"p{n}",
                "district": str(11 + n % 3),
                "nationality_1": "TR" if n % 4 == 0 else "DE",
                "birth_country": "KZ" if n % 5 == 0 else None,
                "immigration_year": "1995" if n % 5 == 0 else None,
                "mother_id": f"p{n - 1}" if n % 7 == 0 else None,
            }
            for n in range(1, 200)
        ]
    )
    out = derive(frame).join(frame.select("person_id", "district"), on="person_id")
    totals = out.group_by("district").len()
    by_category = (
        out.group_by("district", "category")
        .len()
        .group_by("district")
        .agg(pl.col("len").sum().alias("sum"))
    )
    joined = totals.join(by_category, on="district")
    assert (joined["len"] == joined["sum"]).all()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda f: f.drop("nationality_1"), "missing_column"),
        (lambda f: pl.concat([f, f.head(1)]), "duplicate_id"),
        (lambda f: f.with_columns(pl.lit("q").alias("sex")), "bad_sex"),
        (lambda f: f.with_columns(pl.lit("TUR").alias("nationality_1")), "bad_nationality_1"),
        (lambda f: f.with_columns(pl.lit("bought").alias("german_by")), "bad_german_by"),
    ],
)
def test_bad_extracts_are_reported(change, code):
    frame = register({"person_id": "a"}, {"person_id": "b", "mother_id": "a"})
    assert validate(frame).ok
    result = validate(change(frame))
    assert not result.ok
    assert code in {f.code for f in result.errors}
    assert all(str(f) for f in result.errors)


@pytest.mark.parametrize("column", ["nationality_1", "nationality_2", "birth_country"])
def test_a_bad_code_inside_a_run_of_good_ones_is_found(column):
    """The distinct values of mostly-constant columns are taken from their runs: a single
    odd value between two long runs of the same code must still be seen."""
    rows = [{"person_id": f"p{i}", column: "DE"} for i in range(100)]
    rows[50][column] = "TUR"
    rows[70][column] = " de"  # dirty, but a good code once cleaned
    result = validate(register(*rows))
    (error,) = result.errors
    assert (error.code, error.count, error.examples) == (f"bad_{column}", 1, ["p50"])


def test_dangling_parent_links_are_warnings():
    frame = register({"person_id": "a", "mother_id": "gone"})
    result = validate(frame)
    assert result.ok
    (warning,) = result.warnings
    assert warning.code == "dangling_mother_id" and warning.examples == ["a"]


# Disclosure control --------------------------------------------------------------------

from leitbild.monitoring.derivation.disclosure import recoverable, suppress  # noqa: E402


def test_small_counts_are_hidden_with_a_partner():
    table = {
        ("11", "foreign"): 2,
        ("11", "none"): 40,
        ("11", "personal"): 9,
        ("12", "foreign"): 30,
        ("12", "none"): 50,
        ("12", "personal"): 12,
    }
    hidden = suppress(table, threshold=3)
    assert ("11", "foreign") in hidden
    assert len(hidden) >= 4  # a partner in its row and column, and the fourth corner
    assert recoverable(table, hidden) == set()


def test_no_published_table_lets_a_suppressed_cell_be_recovered():
    """A property test over many random tables: the attacker recovers nothing."""
    import random

    rng = random.Random(5)
    for _ in range(300):
        rows = [f"r{i}" for i in range(rng.randint(2, 8))]
        columns = [f"c{j}" for j in range(rng.randint(2, 6))]
        table = {(r, c): rng.choice([0, 1, 2, 3, 4, 7, 15, 60]) for r in rows for c in columns}
        hidden = suppress(table, threshold=3)
        assert all(table[c] == 0 or table[c] >= 3 or c in hidden for c in table)
        assert recoverable(table, hidden) == set(), table


def test_aggregates_and_district_shares():
    from leitbild.monitoring.derivation.register import (
        aggregate,
        classify,
        district_shares,
        normalise,
    )

    frame = register(
        {"person_id": "a", "district": "11", "nationality_1": "TR", "birth_year": "2010"},
        {"person_id": "b", "district": "11", "birth_year": "1950"},
        {"person_id": "c", "district": "11", "mother_id": "a", "birth_year": "2020"},
        {"person_id": "d", "district": "12", "nationality_1": "SY", "birth_year": "1990"},
        {"person_id": "e", "district": "12", "birth_country": "US", "birth_year": "2001"},
    )
    aggregates = aggregate(classify(normalise(frame)), year=2024, top_nationalities=1)
    assert aggregates["count"].sum() == 5
    groups = set(aggregates["nationality_group"].to_list())
    assert groups == {"DE", "SY", "other"} or groups == {"DE", "TR", "other"}
    assert set(aggregates["age_group"].to_list()) == {"0-5", "6-17", "65+", "18-24", "25-44"}
    shares = {r["district"]: r for r in district_shares(aggregates).iter_rows(named=True)}
    assert shares["11"]["residents"] == 3 and shares["11"]["with_background"] == 2
    assert shares["12"]["share"] == 100.0
    assert shares["11"]["foreign"] + shares["11"]["personal"] + shares["11"]["inherited"] == 2


def test_derive_command_writes_outputs_or_nothing(tmp_path):
    import io

    from django.core.management import CommandError, call_command

    frame = register(
        {"person_id": "a", "nationality_1": "TR"},
        {"person_id": "b", "mother_id": "a"},
        {"person_id": "c"},
    )
    good = tmp_path / "extract.csv"
    frame.write_csv(good)
    out = tmp_path / "out"
    stdout = io.StringIO()
    call_command(
        "derive",
        str(good),
        "--out",
        str(out),
        "--year",
        "2024",
        stdout=stdout,
        stderr=io.StringIO(),
    )
    assert {p.name for p in out.iterdir()} == {"persons.parquet", "aggregates.csv", "report.json"}
    assert pl.read_parquet(out / "persons.parquet").height == 3
    assert "inherited" in stdout.getvalue()

    bad = tmp_path / "bad.csv"
    frame.vstack(frame.head(1)).with_columns(pl.lit("q").alias("sex")).write_csv(bad)
    nowhere = tmp_path / "nothing"
    with pytest.raises(CommandError) as info:
        call_command(
            "derive",
            str(bad),
            "--out",
            str(nowhere),
            "--year",
            "2024",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert "person_id is not unique" in str(info.value) and "unknown sex" in str(info.value)
    assert not nowhere.exists()


def test_synthetic_register_reproduces_muenster_2017(tmp_path):
    """Deriving the 309,429-person synthetic extract gives Münster's 2017 totals within 1 %."""
    import io

    from django.core.management import call_command

    from leitbild.monitoring.derivation.register import district_shares, run
    from leitbild.monitoring.derivation.synth import MUENSTER_2017

    out = tmp_path / "synthetisch.parquet"
    call_command("synth_register", "--out", str(out), stdout=io.StringIO())
    frame = pl.read_parquet(out)
    assert frame.height == MUENSTER_2017["persons"]
    result = run(frame, year=2017)
    assert result.validation.ok
    derived = result.persons
    counts = dict(derived.group_by("category").len().iter_rows())
    for category in ("foreign", "personal", "inherited"):
        assert abs(counts[category] - MUENSTER_2017[category]) <= MUENSTER_2017[category] * 0.01
    assert frame.filter(pl.col("nationality_1") != "DE")["nationality_1"].n_unique() > 160
    shares = district_shares(result.aggregates)
    assert shares.height == 45
    assert shares["share"].min() < 15 and shares["share"].max() > 45
    # The second generation exists through parent links.
    assert (derived["subcategory"] == "parent").sum() > 5000


def test_codes_are_cleaned_and_blank_ids_are_missing():
    frame = register(
        {"person_id": "a", "nationality_1": " tr ", "sex": "W"},
        {"person_id": "b", "mother_id": "", "birth_country": "kz", "immigration_year": "1990"},
        {"person_id": "c", "immigration_year": "unbekannt"},
    )
    result = validate(frame)
    assert result.ok, result.errors
    assert [w.code for w in result.warnings] == ["bad_immigration_year"]
    assert result.warnings[0].examples == ["c"]
    assert categories(frame) == {
        "a": ("foreign", "foreign"),
        "b": ("personal", "resettler"),
        "c": ("none", "none"),
    }
    blank = register({"person_id": "a"}, {"person_id": " "}, {"person_id": ""})
    assert "empty_required" in {f.code for f in validate(blank).errors}


def test_integer_ids_and_a_configurable_resettler_list():
    frame = pl.DataFrame(
        {
            "person_id": [1, 2, 3],
            "sex": ["w", "m", "w"],
            "birth_year": [1960, 2010, 1970],
            "district": ["11", "11", "12"],
            "nationality_1": ["DE", "DE", "DE"],
            "birth_country": ["KZ", "DE", "TR"],
            "immigration_year": [1990, None, 1990],
            "mother_id": [None, 1, None],
        }
    )
    out = {r["person_id"]: r["subcategory"] for r in derive(frame).iter_rows(named=True)}
    assert out == {1: "resettler", 2: "parent", 3: "born_abroad"}
    narrow = derive(frame, resettler_countries=("TR",))
    assert dict(zip(narrow["person_id"], narrow["subcategory"], strict=True))[1] == "born_abroad"
    assert dict(zip(narrow["person_id"], narrow["subcategory"], strict=True))[3] == "resettler"


def test_run_without_the_full_checks_derives_the_same():
    from leitbild.monitoring.derivation.register import run

    frame = register(
        {"person_id": "a", "nationality_1": "TR"},
        {"person_id": "b", "mother_id": "a"},
        {"person_id": "c", "mother_id": "gone"},
    )
    full, quick = run(frame, year=2024), run(frame, year=2024, full_checks=False)
    assert full.persons.equals(quick.persons) and full.aggregates.equals(quick.aggregates)
    assert [w.code for w in full.validation.warnings] == ["dangling_mother_id"]
    assert quick.validation.warnings == []


@pytest.mark.parametrize("fathers", [True, False])
@pytest.mark.parametrize("ids", ["text", "integer"])
@pytest.mark.parametrize("definition", ["muenster", "einwanderungsgeschichte"])
def test_run_narrows_the_parent_lookup_without_changing_a_result(ids, definition, fathers):
    """``run`` looks parents up among the ids named as parents only (and not at all in a
    column naming nobody); ``derive`` among everyone. On random families both must give
    every person the same category."""
    import random

    from leitbild.monitoring.derivation.register import run

    rng = random.Random(f"{ids}-{definition}")
    n = 400
    person = list(range(1, n + 1))

    def parent():
        return rng.choice(person) if rng.random() < 0.4 else None

    frame = pl.DataFrame(
        {
            "person_id": person,
            "sex": [rng.choice("mwdx") for _ in person],
            "birth_year": [rng.randint(1930, 2020) for _ in person],
            "district": [rng.choice(["11", "12", "13"]) for _ in person],
            "nationality_1": [rng.choice(["DE"] * 4 + ["TR", "PL"]) for _ in person],
            "nationality_2": [rng.choice([None] * 8 + ["DE", "IT"]) for _ in person],
            "birth_country": [rng.choice([None, "DE", "DE", "KZ", "SY"]) for _ in person],
            "immigration_year": [rng.choice([None, 1940, 1990, 2015]) for _ in person],
            "german_by": [rng.choice([None, None, "birth", "declaration"]) for _ in person],
            "mother_id": [parent() for _ in person],
            "father_id": [parent() if fathers else None for _ in person],
        },
        schema_overrides={"person_id": pl.Int64, "mother_id": pl.Int32, "father_id": pl.Int16},
    )
    if ids == "text":
        frame = frame.with_columns(pl.col("person_id", "mother_id", "father_id").cast(pl.Utf8))
    result = run(frame, year=2024, definition=definition)
    assert result.validation.ok
    assert result.persons.equals(derive(frame, definition=definition))
    assert set(result.persons["subcategory"]) > {"none"}


@pytest.mark.parametrize("definition", ["muenster", "einwanderungsgeschichte"])
def test_aggregates_count_every_person_once_in_the_right_cell(definition):
    """``run`` groups straight by age and nationality group and takes the top
    nationalities from its summary of the raw codes; counted here person by person in
    plain Python, the cells must be the same. Codes are dirty (case, blanks) on purpose."""
    import random
    from collections import Counter

    from leitbild.monitoring.derivation.register import (
        AGGREGATE_KEYS,
        CATEGORY_OF,
        DEFAULT_AGE_GROUPS,
        WITHOUT_BACKGROUND,
        run,
    )

    rng = random.Random(definition)
    n = 600
    nationalities = ["DE"] * 6 + ["TR", " tr", "PL", "pl ", "SY", "IT", "US", "XX"]
    frame = pl.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "sex": [rng.choice(["m", "W", "d", "x "]) for _ in range(n)],
            "birth_year": [rng.randint(1900, 2026) for _ in range(n)],
            "district": [rng.choice(["11", "12", "13"]) for _ in range(n)],
            "nationality_1": [rng.choice(nationalities) for _ in range(n)],
            "birth_country": [rng.choice([None, "DE", "kz", "SY", ""]) for _ in range(n)],
            "immigration_year": [rng.choice([None, 1940, 1990]) for _ in range(n)],
            "mother_id": [f"p{rng.randrange(n)}" if rng.random() < 0.3 else None for _ in range(n)],
        }
    )
    top = 2
    result = run(frame, year=2024, definition=definition, top_nationalities=top)
    assert result.validation.ok

    persons = result.persons.join(frame, on="person_id")
    foreign = Counter(
        code.strip().upper() for code in frame["nationality_1"] if code.strip().upper() != "DE"
    )
    leaders = sorted(foreign, key=lambda code: (-foreign[code], code))[:top]

    def age_group(birth_year):
        age = 2024 - birth_year
        return next((g for low, high, g in DEFAULT_AGE_GROUPS if low <= age <= high), "unknown")

    expected = Counter()
    for row in persons.iter_rows(named=True):
        nationality = row["nationality_1"].strip().upper()
        assert CATEGORY_OF[row["subcategory"]] == row["category"]
        assert row["migration_background"] == (row["subcategory"] not in WITHOUT_BACKGROUND)
        group = "DE" if nationality == "DE" else nationality if nationality in leaders else "other"
        key = (
            row["district"],
            row["sex"].strip().lower(),
            age_group(row["birth_year"]),
            row["category"],
            row["subcategory"],
            group,
            row["migration_background"],
        )
        expected[key] += 1
    counted = {tuple(r[:-1]): r[-1] for r in result.aggregates.iter_rows()}
    assert counted == dict(expected)
    assert result.aggregates.columns[:-1] == list(AGGREGATE_KEYS)
    # Reading order: age groups youngest first, subcategories in rule order, others last.
    ages = [label for _low, _high, label in DEFAULT_AGE_GROUPS] + ["unknown"]
    subcategories = list(CATEGORY_OF)
    groups = ["DE", *leaders, "other"]
    order = [
        (
            r["district"],
            r["sex"],
            ages.index(r["age_group"]),
            subcategories.index(r["subcategory"]),
            groups.index(r["nationality_group"]),
        )
        for r in result.aggregates.iter_rows(named=True)
    ]
    assert order == sorted(order)
