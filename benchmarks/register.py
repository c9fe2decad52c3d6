"""Register derivation benchmark: `make bench-register`.

Runs derivation and aggregation (``leitbild.monitoring.derivation.register.run``) on
synthetic register extracts of a city (309,429 residents, Münster 2017), Berlin (3.7
million) and North Rhine-Westphalia (18 million), side by side in the same run with

* ``pandas`` — a straightforward pandas implementation of the same rules (below), the
  baseline, and
* ``duckdb read`` — the time DuckDB needs merely to read the same Parquet file into a table.

``polars`` and ``pandas`` read, normalise, derive and aggregate; the ``+ checks`` rows
add the validation (unique ids, codes, required values, existing parents) — what
``leitbild derive`` and the web upload do. Each Polars row is compared with the pandas row
that does the same work.

Every measurement runs in a fresh process, so the peak memory (maximum resident set size,
from ``wait4``) is that of the measured work plus the interpreter. A method is run up to
``BENCH_RUNS`` (5) times while its runs take under ``BENCH_BUDGET`` (20) seconds in all,
in rounds (one run of each method per round, so that the machine's slow and fast spells
fall on all methods alike); the median wall time is reported, with the spread. The extracts are made
once with ``synth-register`` and kept in ``var/bench/``. ``BENCH_SIZES=309429,3700000``
limits the sizes. The Polars and pandas results are compared: the benchmark stops if they
differ.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "309429,3700000,18000000").split(",")]
YEAR = 2017
METHODS = ("polars", "pandas", "polars + checks", "pandas + checks", "duckdb read")
# Each method runs RUNS times, or as often as fits in BUDGET seconds (at least once): the
# small extracts take a fraction of a second, where one run says more about the machine's
# noise than about the method. The median is reported.
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
BUDGET = float(os.environ.get("BENCH_BUDGET", "20"))


# The baseline: the rules of docs/migration-background.md, written as most analysts would
# write them in pandas — string methods, boolean masks, np.select and a merge per parent.


def pandas_run(path: Path, *, checks: bool = False) -> dict:
    import numpy as np
    import pandas as pd

    from leitbild.monitoring.derivation.register import (
        CATEGORY_OF,
        DEFAULT_AGE_GROUPS,
        GERMAN_BY,
        RESETTLER_COUNTRIES,
        SEXES,
    )

    df = pd.read_parquet(path)
    for column in ("sex", "german_by"):
        df[column] = df[column].str.strip().str.lower().replace("", pd.NA)
    for column in ("nationality_1", "nationality_2", "birth_country"):
        df[column] = df[column].str.strip().str.upper().replace("", pd.NA)
    for column in ("person_id", "mother_id", "father_id"):
        df[column] = df[column].replace("", pd.NA)
    if checks:
        pandas_checks(df, SEXES, GERMAN_BY)
    foreign = df["nationality_1"] != "DE"
    born_abroad = df["birth_country"].notna() & (df["birth_country"] != "DE")
    resettler = (df["german_by"] == "resettler").fillna(False) | (
        df["german_by"].isna()
        & df["birth_country"].isin(RESETTLER_COUNTRIES)
        & (df["immigration_year"] >= 1950).fillna(False)
    )
    naturalised = (df["german_by"] == "naturalisation").fillna(False)
    own = np.select(
        [foreign, resettler, naturalised, born_abroad.fillna(False)],
        ["foreign", "resettler", "naturalised", "born_abroad"],
        default="",
    )
    df["own"] = own
    parents = pd.DataFrame({"parent_id": df["person_id"], "parent_own": df["own"] != ""})
    linked = np.zeros(len(df), dtype=bool)
    for column in ("mother_id", "father_id"):
        merged = df[[column]].merge(parents, left_on=column, right_on="parent_id", how="left")
        linked |= merged["parent_own"].fillna(False).astype(bool).to_numpy()
    second = (df["nationality_2"].notna() & (df["nationality_2"] != "DE")).fillna(False) | (
        df["german_by"] == "declaration"
    ).fillna(False)
    df["subcategory"] = np.select(
        [df["own"] != "", linked, second],
        [df["own"], "parent", "second_nationality"],
        default="none",
    )
    df["category"] = df["subcategory"].map(CATEGORY_OF)
    df["migration_background"] = df["category"] != "none"

    age = YEAR - df["birth_year"]
    bins = [low for low, _high, _label in DEFAULT_AGE_GROUPS] + [DEFAULT_AGE_GROUPS[-1][1] + 1]
    labels = [label for _low, _high, label in DEFAULT_AGE_GROUPS]
    df["age_group"] = pd.cut(age, bins=bins, labels=labels, right=False).astype("str")
    top = df.loc[foreign, "nationality_1"].value_counts().head(10).index
    df["nationality_group"] = np.where(
        ~foreign, "DE", np.where(df["nationality_1"].isin(top), df["nationality_1"], "other")
    )
    aggregates = (
        df.groupby(
            [
                "district",
                "sex",
                "age_group",
                "category",
                "subcategory",
                "nationality_group",
                "migration_background",
            ]
        )
        .size()
        .reset_index(name="count")
    )
    return {
        "categories": {k: int(v) for k, v in df["category"].value_counts().items()},
        "cells": len(aggregates),
    }


def pandas_checks(df, sexes, german_by) -> list[str]:
    """The checks of ``register.prepare``, as they are usually written: on every row."""
    errors = []
    if df["person_id"].duplicated().any():
        errors.append("duplicate_id")
    if (~df["sex"].isin(sexes)).any():
        errors.append("bad_sex")
    if (df["german_by"].notna() & ~df["german_by"].isin(german_by)).any():
        errors.append("bad_german_by")
    for column in ("nationality_1", "nationality_2", "birth_country"):
        values = df[column].dropna()
        if (~values.str.fullmatch(r"[A-Z]{2}")).any():
            errors.append(f"bad_{column}")
    if df[["person_id", "nationality_1", "district", "birth_year"]].isna().any().any():
        errors.append("empty_required")
    if errors:
        raise SystemExit(f"pandas baseline: extract rejected: {errors}")
    return [
        f"dangling_{c}"
        for c in ("mother_id", "father_id")
        if (df[c].notna() & ~df[c].isin(df["person_id"])).any()
    ]


def polars_run(path: Path, *, full_checks: bool = False) -> dict:
    import polars as pl

    from leitbild.monitoring.derivation.register import run

    result = run(pl.read_parquet(path), year=YEAR, full_checks=full_checks)
    if not result.validation.ok:
        raise SystemExit(f"polars: extract rejected: {result.validation.errors}")
    categories = result.persons.group_by("category").len().iter_rows()
    return {
        "categories": dict(categories),
        "cells": result.aggregates.height,
        "warnings": [w.code for w in result.validation.warnings],
    }


def duckdb_read(path: Path) -> dict:
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE extract AS SELECT * FROM read_parquet('{path}')")
    (rows,) = connection.execute("SELECT count(*) FROM extract").fetchone()
    return {"rows": rows}


# pandas imports its Parquet support on the first read: imported here, before the clock.
PANDAS_MODULES = [
    "pandas",
    "numpy",
    "pyarrow",
    "pyarrow.parquet",
    "pyarrow.dataset",
    "pyarrow.pandas_compat",
    "pandas.core.arrays.arrow.extension_types",
    "leitbild.monitoring.derivation.register",
]


def measure(method: str, path: Path) -> None:
    """In the child process: time one method and report as JSON on stdout."""
    work = {
        "polars": polars_run,
        "polars + checks": lambda path: polars_run(path, full_checks=True),
        "pandas": pandas_run,
        "pandas + checks": lambda path: pandas_run(path, checks=True),
        "duckdb read": duckdb_read,
    }[method]
    # Libraries are imported before the clock starts: it measures work, not start-up.
    modules = {
        "polars": ["polars", "leitbild.monitoring.derivation.register"],
        "polars + checks": ["polars", "leitbild.monitoring.derivation.register"],
        "pandas": PANDAS_MODULES,
        "pandas + checks": PANDAS_MODULES,
        "duckdb read": ["duckdb"],
    }[method]
    for module in modules:
        __import__(module)
    start = time.perf_counter()
    result = work(path)
    result["seconds"] = time.perf_counter() - start
    print(json.dumps(result))


def child(method: str, path: Path) -> dict:
    process = subprocess.Popen(
        [sys.executable, __file__, "--measure", method, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{method} on {path.name} failed")
    result = json.loads(output)
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def extract(size: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"register-{size}.parquet"
    partial = CACHE / f"register-{size}.partial.parquet"  # complete files only
    if not path.exists():
        print(f"making a synthetic extract of {size:,} residents …", file=sys.stderr, flush=True)
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "leitbild"),
                "synth-register",
                "--persons",
                str(size),
                "--seed",
                "2017",
                "--out",
                str(partial),
            ],
            check=True,
            env={**os.environ, "DEBUG": "1"},
        )
        partial.rename(path)
    return path


def rounds(path: Path, size: int) -> dict[str, dict]:
    """Run every method in fresh processes, in rounds — one run of each method per round,
    so that a slow or fast spell of the machine falls on all of them alike — until each
    has run ``RUNS`` times or used ``BUDGET`` seconds (at least once). Per method: the
    median wall time, the largest peak and every run's time."""
    runs: dict[str, list[dict]] = {method: [] for method in METHODS}

    def wanted(method: str) -> bool:
        done = runs[method]
        return len(done) < RUNS and (not done or sum(r["seconds"] for r in done) < BUDGET)

    while any(wanted(method) for method in METHODS):
        for method in filter(wanted, METHODS):
            run = child(method, path)
            runs[method].append(run)
            print(
                f"{size:>12,} residents: {method:<16} run {len(runs[method])}:"
                f" {run['seconds']:.2f} s, {run['peak_mb']:,.0f} MB peak",
                file=sys.stderr,
                flush=True,
            )
    results = {}
    for method, done in runs.items():
        if len({json.dumps(r.get("categories"), sort_keys=True) for r in done}) != 1:
            raise SystemExit(f"{method} on {path.name} gave different results in its runs")
        results[method] = {
            **done[0],
            "seconds": statistics.median(r["seconds"] for r in done),
            "peak_mb": max(r["peak_mb"] for r in done),
            "runs": [r["seconds"] for r in done],
        }
    return results


def main() -> None:
    rows = []
    for size in SIZES:
        path = extract(size)
        results = rounds(path, size)
        answers = {m: results[m]["categories"] for m in METHODS if m != "duckdb read"}
        if len({json.dumps(a, sort_keys=True) for a in answers.values()}) != 1:
            raise SystemExit(f"the implementations disagree on {size:,}: {answers}")
        rows.append((size, results))

    print(f"\nRegister derivation and aggregation, {os.cpu_count()} cores\n")
    header = (
        f"{'residents':>12}  {'method':<16} {'wall s':>8} {'rows/s':>12} {'peak MB':>9}"
        f" {'× pandas':>9} {'÷ read':>7} {'runs':>5}  {'spread s':<15}"
    )
    print(header)
    print("-" * len(header))
    for size, results in rows:
        read = results["duckdb read"]["seconds"]
        for method in METHODS:
            r = results[method]
            if method.startswith("polars"):
                pandas = results[method.replace("polars", "pandas")]["seconds"]
                speedup = f"{pandas / r['seconds']:>8.1f}×"
            else:
                speedup = f"{'':>9}"
            of_read = f"{r['seconds'] / read:>6.1f}×" if method != "duckdb read" else f"{'':>7}"
            spread = f"{min(r['runs']):.2f}–{max(r['runs']):.2f}" if len(r["runs"]) > 1 else ""
            print(
                f"{size:>12,}  {method:<16} {r['seconds']:>8.2f} {size / r['seconds']:>12,.0f}"
                f" {r['peak_mb']:>9,.0f} {speedup} {of_read} {len(r['runs']):>5}  {spread:<15}"
            )
    print(
        "\nwall s: the median of the runs, each in a fresh process (as many as fit in"
        f" {BUDGET} s, at most {RUNS}); peak MB: the largest.\n× pandas: against the pandas"
        " row doing the same work. ÷ read: against DuckDB reading the file.\nTargets:"
        " 18 million under 60 s and 8 GB peak; ≥ 10× the pandas baseline; within 3× of the"
        " plain read."
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        measure(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
