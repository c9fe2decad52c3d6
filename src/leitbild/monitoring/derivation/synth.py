"""A synthetic register extract calibrated to Münster 2017 (NumPy + Polars, no Django).

Nobody in it is real. Each person is drawn for a target category first — exact counts in
the proportions Münster reported for 2017 (309,429 residents: 32,422 foreign, 27,207
Germans with personal and 12,036 with inherited migration history) — and then given
register facts that the rules of :mod:`.register` read back as that category:

* foreign: a non-German first nationality from more than 160;
* personal: German with ``german_by`` resettler or naturalisation, or born abroad;
* inherited: German born in Germany, a minor linked to a foreign or personal parent, or
  with a second nationality;
* none: German born in Germany, minors linked to German parents.

Districts take people so that their shares of migration background range from about
10 % to about 50 %; the age structure has Münster's many students. Larger ``persons``
keeps the proportions.
"""

from __future__ import annotations

import numpy as np
import polars as pl

MUENSTER_2017 = {"persons": 309_429, "foreign": 32_422, "personal": 27_207, "inherited": 12_036}
RESETTLER_ORIGINS = ("KZ", "RU", "PL", "RO", "UA")
ABROAD_ORIGINS = ("PL", "TR", "US", "IT", "FR", "GB", "AT", "NL", "ES", "GR", "BR", "CN", "IR")
FOREIGN_TOP = (
    "TR",
    "SY",
    "PL",
    "IT",
    "RU",
    "IQ",
    "GR",
    "ES",
    "CN",
    "IN",
    "PT",
    "RO",
    "UA",
    "AF",
    "IR",
    "HR",
    "KZ",
    "BG",
    "FR",
    "NL",
)
# Two-letter codes for the long tail of nationalities (more than 160 in all).
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _tail_codes(n: int) -> list[str]:
    taken = set(FOREIGN_TOP) | {"DE", "XX", "ZZ"}
    codes = []
    for a in _LETTERS:
        for b in _LETTERS:
            code = a + b
            if code not in taken:
                codes.append(code)
            if len(codes) == n:
                return codes
    return codes


def synthesize(
    persons: int = MUENSTER_2017["persons"],
    *,
    seed: int = 2017,
    districts: list[str] | None = None,
    year: int = 2017,
) -> pl.DataFrame:
    """``persons`` synthetic residents with the columns of ``docs/register-extract.md``."""
    rng = np.random.default_rng(seed)
    scale = persons / MUENSTER_2017["persons"]
    n_foreign = round(MUENSTER_2017["foreign"] * scale)
    n_personal = round(MUENSTER_2017["personal"] * scale)
    n_inherited = round(MUENSTER_2017["inherited"] * scale)
    n_none = persons - n_foreign - n_personal - n_inherited
    # Parents of the inherited children come from the foreign and personal pools, so
    # inherited-by-parent children need no extra people.
    category = np.repeat(
        np.array(["foreign", "personal", "inherited", "none"]),
        [n_foreign, n_personal, n_inherited, n_none],
    )
    districts = districts or [str(c) for c in range(11, 56)]
    d = len(districts)
    # District sizes and background shares (about 10 % … 50 %).
    size = rng.uniform(0.5, 1.5, d)
    share = np.linspace(0.13, 0.62, d)
    rng.shuffle(share)
    background = category != "none"
    weights_bg = size * share
    weights_none = size * (1 - share)
    district = np.empty(persons, dtype=object)
    district[background] = rng.choice(
        districts, size=int(background.sum()), p=weights_bg / weights_bg.sum()
    )
    district[~background] = rng.choice(
        districts, size=int((~background).sum()), p=weights_none / weights_none.sum()
    )

    # Ages: many students (19–29) on top of a broad base.
    age = np.where(
        rng.random(persons) < 0.22,
        rng.integers(19, 30, persons),
        np.clip(rng.normal(42, 22, persons).round(), 0, 100),
    ).astype(np.int32)
    # Inherited via parent are minors; make room for them in the order below.
    sex = rng.choice(np.array(["m", "w", "d", "x"]), size=persons, p=[0.488, 0.508, 0.002, 0.002])

    nationality_1 = np.full(persons, "DE", dtype=object)
    nationality_2 = np.full(persons, None, dtype=object)
    birth_country = np.full(persons, "DE", dtype=object)
    immigration_year = np.full(persons, None, dtype=object)
    german_by = np.full(persons, "birth", dtype=object)
    mother = np.full(persons, None, dtype=object)

    foreign = np.flatnonzero(category == "foreign")
    tail = _tail_codes(150)
    top_weights = np.linspace(3.0, 0.5, len(FOREIGN_TOP))
    pool = np.array(list(FOREIGN_TOP) + tail, dtype=object)
    pool_p = np.concatenate([top_weights, np.full(len(tail), 0.02)])
    nationality_1[foreign] = rng.choice(pool, size=foreign.size, p=pool_p / pool_p.sum())
    born_here = rng.random(foreign.size) < 0.2
    birth_country[foreign] = np.where(born_here, "DE", nationality_1[foreign])
    immigration_year[foreign[~born_here]] = rng.integers(1965, year + 1, int((~born_here).sum()))

    personal = np.flatnonzero(category == "personal")
    kind = rng.choice(
        np.array(["resettler", "naturalisation", "abroad"]),
        size=personal.size,
        p=[0.40, 0.35, 0.25],
    )
    resettler = personal[kind == "resettler"]
    german_by[resettler] = "resettler"
    birth_country[resettler] = rng.choice(RESETTLER_ORIGINS, size=resettler.size)
    immigration_year[resettler] = rng.integers(1975, 2006, resettler.size)
    naturalised = personal[kind == "naturalisation"]
    german_by[naturalised] = "naturalisation"
    birth_country[naturalised] = rng.choice(ABROAD_ORIGINS, size=naturalised.size)
    immigration_year[naturalised] = rng.integers(1970, year, naturalised.size)
    abroad = personal[kind == "abroad"]
    birth_country[abroad] = rng.choice(ABROAD_ORIGINS, size=abroad.size)
    german_by[abroad] = "birth"

    inherited = np.flatnonzero(category == "inherited")
    by_parent = inherited[rng.random(inherited.size) < 0.7]
    by_second = np.setdiff1d(inherited, by_parent)
    age[by_parent] = rng.integers(0, 18, by_parent.size)
    parents = np.concatenate([foreign, personal])
    adults = parents[age[parents] >= 20]
    chosen = rng.choice(adults, size=by_parent.size)
    mother[by_parent] = chosen
    district[by_parent] = district[chosen]  # children live where their parent lives
    nationality_2[by_second] = rng.choice(FOREIGN_TOP, size=by_second.size)

    # Some German children of German parents, so that links exist without a background.
    none = np.flatnonzero(category == "none")
    none_adults = none[age[none] >= 20]
    none_kids = none[age[none] < 18]
    linked = none_kids[: min(none_kids.size, none_adults.size)]
    mother[linked] = rng.choice(none_adults, size=linked.size)

    ids = np.char.add("s", np.arange(1, persons + 1).astype(str)).astype(object)
    mother_id = np.where(mother == None, None, ids[np.where(mother == None, 0, mother).astype(int)])  # noqa: E711
    text = pl.Utf8
    return pl.DataFrame(
        [
            pl.Series("person_id", ids.tolist(), dtype=text),
            pl.Series("sex", sex.tolist(), dtype=text),
            pl.Series("birth_year", (year - age).astype(np.int32)),
            pl.Series("district", district.tolist(), dtype=text),
            pl.Series("nationality_1", nationality_1.tolist(), dtype=text),
            pl.Series("nationality_2", nationality_2.tolist(), dtype=text),
            pl.Series("birth_country", birth_country.tolist(), dtype=text),
            pl.Series("immigration_year", immigration_year.tolist(), dtype=pl.Int32),
            pl.Series("german_by", german_by.tolist(), dtype=text),
            pl.Series("mother_id", mother_id.tolist(), dtype=text),
            pl.Series("father_id", [None] * persons, dtype=text),
        ]
    )
