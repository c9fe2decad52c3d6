"""Staff write an action goal under a 2019 sub-goal and watch the SMART check as they type,
then upload observations and see the indicator's status and table. axe checks the public
pages (the staff editor too)."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from .helpers import assert_accessible

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def staff_page(logged_in_page, django_user_model):
    user = django_user_model.objects.create_user("ki", password="pw-ki-12345", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_actiongoal", "add_actiongoal", "add_observation"]
        )
    )
    return logged_in_page(user)


def test_smart_check_as_staff_type_then_upload_and_status(staff_page: Page, page: Page, tmp_path):
    from leitbild.concept.models import Goal
    from leitbild.monitoring.models import Indicator

    goal = Goal.objects.get(edition__year=2019, field__number="6.11", slug="teilziel-1-1")
    indicator = Indicator.objects.get(code="integrationsrat-wahlbeteiligung")
    editor = staff_page
    editor.goto(f"/umsetzung/handlungsziele/neu/?ziel={goal.pk}")
    result = editor.locator("#smart-result")
    expect(result).to_contain_text("Indikator")
    assert_accessible(editor)

    editor.get_by_label(re.compile("^Handlungsziel")).fill("Wir fördern die Vielfalt.")
    expect(result).to_contain_text("vage")
    editor.get_by_label(re.compile("^Handlungsziel")).fill(
        "Die Wahlbeteiligung steigt bis 2030 auf 30 %."
    )
    expect(result).not_to_contain_text("vage")
    editor.get_by_label(re.compile("^verantwortlich", re.I)).select_option(
        label="Integrationsrat der Stadt Münster"
    )
    editor.get_by_label(re.compile("^Indikatoren")).select_option(value=str(indicator.pk))
    expect(result).not_to_contain_text("Indikator")
    expect(result).to_contain_text("Zielwert")
    editor.get_by_label(re.compile("^Ausgangswert")).fill("19,8")
    editor.get_by_label(re.compile("^Jahr des Ausgangswerts")).fill("2014")
    editor.get_by_label(re.compile("^Zielwert")).fill("30")
    expect(result).to_contain_text("Frist")
    editor.get_by_label(re.compile("^Frist")).fill("2030-12-31")
    expect(result).to_contain_text("Erfüllt die SMART-Prüfung")
    editor.get_by_role("button", name="Speichern").click()
    expect(editor.locator(".message")).to_contain_text("besteht die SMART-Prüfung")

    # Observations by upload; the indicator page shows status and table.
    data = tmp_path / "wahl.csv"
    data.write_text(
        "indicator,period,area,value\n"
        "integrationsrat-wahlbeteiligung,2020,,21.5\n"
        "integrationsrat-wahlbeteiligung,2020,Hiltrup,18.0\n",
        encoding="utf-8",
    )
    editor.goto("/monitoring/hochladen/")
    editor.get_by_label(re.compile("^Datei")).set_input_files(str(data))
    editor.get_by_role("button", name="Prüfen und importieren").click()
    expect(editor.locator("main")).to_contain_text("2 Werte hinzugefügt")

    # A schematic tile map for the boroughs (the project ships no boundaries).
    from leitbild.concept.models import District

    for col, name in enumerate(["Hiltrup", "Mitte"], start=1):
        District.objects.filter(level="borough", name=name).update(tile_row=1, tile_col=col)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(indicator.get_absolute_url())
    expect(page.locator(".progress-box h2")).to_contain_text("Auf Kurs")
    # The chart (vendored Vega, expressions interpreted) draws under the strict CSP.
    expect(page.locator(".vega-chart svg").first).to_be_visible()
    expect(page.locator(".vega-chart").first).to_contain_text("2020")
    expect(page.locator(".vega-chart svg")).to_have_count(2)  # line chart and map
    assert blocked == []
    if os.environ.get("LEITBILD_SCREENSHOTS") == "1":
        page.screenshot(path=SCREENSHOTS / "indicator.png", full_page=True)
    expect(page.locator("table")).to_contain_text("21,5")
    expect(page.locator("table")).to_contain_text("Hiltrup")
    assert_accessible(page)
    page.goto("/umsetzung/")
    expect(page.locator("main")).to_contain_text("bis 2030 auf 30 %")
    assert_accessible(page)
