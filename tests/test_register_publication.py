"""From register aggregates to published monitoring figures: the district table's
disclosure control (``monitoring/derivation/publication.py``), its publication as
observations, and the demo's district figures coming through this pipeline."""

import random

import polars as pl
import pytest

from leitbild.monitoring.derivation import disclosure, publication, register


def aggregates_of(rows):
    """(district, category, count) triples as an aggregate table of the Münster definition."""
    return pl.DataFrame(
        {
            "district": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "count": [r[2] for r in rows],
            "migration_background": [r[1] != "none" for r in rows],
        }
    )


def counts_of(aggregates):
    table = {
        (d, c): n
        for d, c, n in aggregates.group_by("district", "category")
        .agg(pl.col("count").sum())
        .iter_rows()
    }
    districts = {d for d, _c in table}
    categories = {c for _d, c in table} | {"none"}
    return {(d, c): table.get((d, c), 0) for d in districts for c in categories}


def attack(aggregates, rows):
    """The hidden cells (margins included) and what the attacker recovers of them."""
    table = disclosure.with_margins(counts_of(aggregates))
    published = publication.published_counts(rows)
    hidden = {cell for cell, count in published.items() if count is None}
    assert set(published) == set(table)
    assert all(published[c] == table[c] for c in table if c not in hidden)
    return hidden, disclosure.recoverable(table, hidden)


def test_small_counts_and_small_denominators_are_hidden():
    aggregates = aggregates_of(
        [
            ("11", "foreign", 2),
            ("11", "personal", 40),
            ("11", "inherited", 12),
            ("11", "none", 300),
            ("12", "foreign", 30),
            ("12", "personal", 9),
            ("12", "inherited", 7),
            ("12", "none", 250),
            ("13", "foreign", 4),
            ("13", "personal", 5),
            ("13", "inherited", 3),
            ("13", "none", 8),
        ]
    )
    rows = {r.district: r for r in publication.district_table(aggregates, min_denominator=30)}
    assert rows["11"].counts["foreign"] is None and rows["11"].shares["foreign"] is None
    # District 13 has 20 residents: its counts may be shown, its shares may not.
    assert rows["13"].counts["personal"] == 5
    assert rows["13"].shares["personal"] is None and rows["13"].share is None
    assert rows["12"].shares["foreign"] == round(30 / 296 * 100, 1)
    assert rows["12"].share == round(46 / 296 * 100, 1)
    # The city row: totals, never hidden.
    city = rows[publication.CITY]
    assert city.residents == 670 and city.with_background == 112
    # Nobody can work the hidden count back out.
    hidden, recovered = attack(aggregates, list(rows.values()))
    assert ("11", "foreign") in hidden
    assert recovered == set()


def test_with_background_is_published_only_when_it_follows_from_published_cells():
    aggregates = aggregates_of(
        [
            ("11", "foreign", 1),
            ("11", "personal", 1),
            ("11", "inherited", 50),
            ("11", "none", 100),
            ("12", "foreign", 20),
            ("12", "personal", 20),
            ("12", "inherited", 20),
            ("12", "none", 100),
        ]
    )
    for row in publication.district_table(aggregates):
        if row.district == publication.CITY:
            continue
        inside = [row.counts[c] for c in ("foreign", "personal", "inherited")]
        derivable = None not in inside or row.counts["none"] is not None
        assert (row.with_background is not None) == derivable


def test_no_published_district_table_lets_a_suppressed_cell_be_recovered():
    """Property test: random registers, derived and aggregated, then published — the
    attacker recovers no hidden count, categories partition every district, and every
    published share has a large enough denominator."""
    rng = random.Random(11)
    for _ in range(60):
        n = rng.randint(5, 400)
        districts = [str(d) for d in range(11, 11 + rng.randint(1, 7))]
        frame = pl.DataFrame(
            {
                "person_id": [f"p{i}" for i in range(n)],
                "sex": [rng.choice("mwdx") for _ in range(n)],
                "birth_year": [rng.randint(1930, 2024) for _ in range(n)],
                "district": [rng.choice(districts) for _ in range(n)],
                "nationality_1": [rng.choice(["DE"] * 6 + ["TR", "SY", "PL"]) for _ in range(n)],
                "birth_country": [rng.choice(["DE", "DE", "KZ", "US", None]) for _ in range(n)],
                "immigration_year": [rng.choice([None, 1960, 1995, 2015]) for _ in range(n)],
                "mother_id": [
                    f"p{rng.randrange(n)}" if rng.random() < 0.2 else None for _ in range(n)
                ],
            }
        )
        result = register.run(frame, year=2024)
        assert result.validation.ok
        rows = publication.district_table(result.aggregates, threshold=3, min_denominator=30)
        table = counts_of(result.aggregates)
        for district in {d for d, _c in table}:
            total = frame.filter(pl.col("district") == district).height
            assert sum(n for (d, _c), n in table.items() if d == district) == total
        hidden, recovered = attack(result.aggregates, rows)
        assert all(table[c] == 0 or table[c] >= 3 or c in hidden for c in table)
        assert recovered == set(), table
        for row in rows:
            if row.share is not None:
                assert row.residents >= 30


# Into the monitoring -----------------------------------------------------------------------


@pytest.fixture
def muenster(demo):
    from leitbild.concept.models import City

    return City.objects.get(name="Münster")


def test_publishing_puts_shares_and_suppressed_cells_into_the_monitoring(muenster):
    from leitbild.monitoring.models import Observation
    from leitbild.monitoring.services import register_results_publish

    aggregates = aggregates_of(
        [
            ("11", "foreign", 2),
            ("11", "personal", 40),
            ("11", "inherited", 12),
            ("11", "none", 300),
            ("12", "foreign", 30),
            ("12", "personal", 9),
            ("12", "inherited", 7),
            ("12", "none", 250),
        ]
    )
    report = register_results_publish(
        city=muenster,
        aggregates=aggregates,
        year=2030,
        definition="muenster",
        source="Test",
    )
    assert report.created == 12  # (2 districts + city) × (total + 3 components)
    observations = Observation.objects.filter(
        indicator__code="anteil-migrationshintergrund", period=2030
    )
    hidden = observations.get(area__number="11", disaggregation={"gruppe": "auslaendisch"})
    assert hidden.value is None and hidden.status == Observation.Status.SUPPRESSED
    total = observations.get(area__number="12", disaggregation={})
    assert total.value == round(46 / 296 * 100, 1)


def test_an_unknown_district_publishes_nothing(muenster):
    from leitbild.monitoring.derivation.rows import InputError
    from leitbild.monitoring.models import Observation
    from leitbild.monitoring.services import register_results_publish

    aggregates = aggregates_of([("11", "foreign", 20), ("99999", "none", 300)])
    before = Observation.objects.count()
    with pytest.raises(InputError) as info:
        register_results_publish(
            city=muenster,
            aggregates=aggregates,
            year=2031,
            definition="muenster",
            source="Test",
        )
    assert "99999" in str(info.value)
    assert Observation.objects.count() == before


def test_the_demo_district_figures_come_through_the_pipeline(muenster):
    """The demo's 2017 district shares are those of the synthetic 309,429-person register,
    derived, aggregated and disclosure-checked."""
    import json

    from leitbild.monitoring.demo import DEMO_DIR
    from leitbild.monitoring.derivation import synth
    from leitbild.monitoring.models import Observation

    codes = [d["code"] for d in json.loads((DEMO_DIR / "districts-muenster.json").read_text())]
    result = register.run(synth.synthesize(districts=codes, year=2017), year=2017)
    expected = {row.district: row.share for row in publication.district_table(result.aggregates)}
    stored = {
        (o.area.number if o.area.level != "city" else ""): o.value
        for o in Observation.objects.filter(
            indicator__code="anteil-migrationshintergrund", period=2017, disaggregation={}
        ).select_related("area")
    }
    assert stored == expected
    assert len(stored) == 46
    assert min(v for v in stored.values() if v) < 15 and max(stored.values()) > 45


def test_a_lone_district_hides_the_city_totals_that_would_reveal_it():
    aggregates = aggregates_of(
        [("11", "foreign", 15), ("11", "personal", 17), ("11", "inherited", 2), ("11", "none", 24)]
    )
    rows = {r.district: r for r in publication.district_table(aggregates)}
    assert rows["11"].counts["inherited"] is None
    assert rows[publication.CITY].counts["inherited"] is None
    hidden, recovered = attack(aggregates, list(rows.values()))
    assert (publication.disclosure.TOTAL, "inherited") in hidden
    assert recovered == set()


def test_random_tables_with_margins_leak_nothing():
    """Property test over random tables whose totals are cells that may be hidden."""
    rng = random.Random(7)
    for _ in range(300):
        rows = [f"r{i}" for i in range(rng.randint(1, 6))]
        columns = [f"c{j}" for j in range(rng.randint(2, 5))]
        table = disclosure.with_margins(
            {(r, c): rng.choice([0, 1, 2, 3, 5, 9, 40]) for r in rows for c in columns}
        )
        hidden = disclosure.suppress(table, threshold=3)
        grand = table[(disclosure.TOTAL, disclosure.TOTAL)]
        assert ((disclosure.TOTAL, disclosure.TOTAL) in hidden) == (0 < grand < 3)
        assert disclosure.recoverable(table, hidden) == set(), table
