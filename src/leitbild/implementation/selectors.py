"""Reads of the implementation app: where each goal stands."""

from collections import defaultdict

from leitbild.concept.models import Edition
from leitbild.monitoring.derivation.status import progress
from leitbild.monitoring.models import Indicator
from leitbild.monitoring.selectors import STATUS_DISPLAY, city_series, indicator_progress

from .models import ActionGoal


def action_goal_progress(item: ActionGoal, series: dict):
    """Status of an action goal: its first indicator's city-wide values against its own
    baseline, target and deadline (growth-rate method, see docs/data-formats.md)."""
    indicators = list(item.indicators.all())
    points = series.get(indicators[0].pk, []) if indicators else []
    baseline = (
        (item.baseline_year, item.baseline_value)
        if item.baseline_year is not None and item.baseline_value is not None
        else None
    )
    if baseline:
        points = [p for p in points if p[0] > baseline[0]]
        points = [baseline, *points]
    result = progress(
        points,
        direction=item.direction,
        target=item.target_value,
        deadline=item.deadline.year if item.deadline else None,
        baseline=baseline,
    )
    result.icon, result.label = STATUS_DISPLAY[result.status]
    return result


def goal_status_overview(edition: Edition) -> list[dict]:
    """Per field of action, the goals with action goals or indicators and their status.

    A constant number of queries: goals, action goals with their indicators, indicators,
    and the city-wide series of every indicator involved.
    """
    action_goals = list(
        ActionGoal.objects.filter(goal__edition=edition)
        .select_related("goal__field", "goal__edition")
        .prefetch_related("indicators", "responsible")
    )
    indicators = list(Indicator.objects.filter(goals__edition=edition).prefetch_related("goals"))
    involved = {i.pk: i for i in indicators}
    for item in action_goals:
        for indicator in item.indicators.all():
            involved[indicator.pk] = indicator
    series = city_series(list(involved.values()))
    by_goal: dict[int, dict] = {}

    def entry(goal):
        return by_goal.setdefault(goal.pk, {"goal": goal, "action_goals": [], "indicators": []})

    for item in action_goals:
        item.progress = action_goal_progress(item, series)
        entry(item.goal)["action_goals"].append(item)
    goals = {g.pk: g for g in edition.goals.select_related("field", "edition")}
    for indicator in indicators:
        indicator.progress = indicator_progress(indicator, series.get(indicator.pk, []))
        for goal in indicator.goals.all():
            if goal.pk in goals:
                entry(goals[goal.pk])["indicators"].append(indicator)
    fields = defaultdict(list)
    for item in by_goal.values():
        fields[item["goal"].field].append(item)
    return [
        {"field": field, "goals": sorted(items, key=lambda e: e["goal"].position)}
        for field, items in sorted(fields.items(), key=lambda kv: kv[0].position)
    ]
