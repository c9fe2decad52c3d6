"""The SMART check of an action goal: what is missing or vague (plain Python, no Django).

An action goal is specific, measurable, achievable, realistic and time-bound when it
names who is responsible, an indicator, a baseline and a numeric target, and a deadline
that has not passed; its wording should say how much rather than only "improve".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Verbs that promise a direction without an amount. Fine with a number, vague without.
VAGUE_WORDS = (
    "verbessern",
    "verbessert",
    "stärken",
    "gestärkt",
    "fördern",
    "gefördert",
    "unterstützen",
    "weiterentwickeln",
    "sensibilisieren",
    "ausbauen",
    "optimieren",
    "intensivieren",
    "verstärken",
    "erhöhen",
    "senken",
)
NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class SmartProblem:
    code: str  # responsible | indicator | baseline | target | deadline | deadline_past | vague
    field: str  # the form field to look at


def smart_problems(
    *,
    text: str,
    responsible: int,
    indicators: int,
    baseline_value: float | None,
    baseline_year: int | None,
    target_value: float | None,
    deadline: dt.date | None,
    today: dt.date,
) -> list[SmartProblem]:
    """Every SMART shortcoming, in the order an editor would fix them."""
    problems = []
    if responsible < 1:
        problems.append(SmartProblem("responsible", "responsible"))
    if indicators < 1:
        problems.append(SmartProblem("indicator", "indicators"))
    if baseline_value is None or baseline_year is None:
        problems.append(SmartProblem("baseline", "baseline_value"))
    if target_value is None:
        problems.append(SmartProblem("target", "target_value"))
    if deadline is None:
        problems.append(SmartProblem("deadline", "deadline"))
    elif deadline < today:
        problems.append(SmartProblem("deadline_past", "deadline"))
    words = text.lower()
    if not NUMBER.search(text) and any(word in words for word in VAGUE_WORDS):
        problems.append(SmartProblem("vague", "text"))
    return problems
