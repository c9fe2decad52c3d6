"""A background job's page follows the job in the browser (`job-progress.js`, shared by
register runs and monitoring reports): the bar and the stage move while the worker writes
progress, and the page reloads by itself to show the result when the job ends."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from .helpers import assert_accessible

pytestmark = pytest.mark.browser


def test_the_register_run_page_follows_the_worker_and_shows_the_result(
    logged_in_page, django_user_model
):
    from leitbild.concept.models import City
    from leitbild.monitoring.models import RegisterRun

    user = django_user_model.objects.create_user("statistik", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_registerrun"))
    run = RegisterRun.objects.create(
        city=City.objects.get(name="Münster"),
        created_by=user,
        year=2020,
        extract_name="auszug-2020.parquet",
        status=RegisterRun.Status.RUNNING,
        progress=15,
        stage=RegisterRun.Stage.DERIVING,
    )
    page: Page = logged_in_page(user)
    page.goto(run.get_absolute_url())
    bar = page.locator("progress")
    expect(bar).to_have_attribute("value", "15")
    assert_accessible(page)

    # The worker moves on: the bar and the stage follow without a reload.
    RegisterRun.objects.filter(pk=run.pk).update(progress=80, stage=RegisterRun.Stage.PUBLISHING)
    expect(bar).to_have_js_property("value", 80)
    expect(page.locator("[data-job-stage]")).to_have_text("Werte werden veröffentlicht")

    # It ends: the page reloads by itself and shows the result instead of the bar.
    RegisterRun.objects.filter(pk=run.pk).update(
        status=RegisterRun.Status.DONE,
        progress=100,
        stage=RegisterRun.Stage.DONE,
        persons=3000,
        report={"categories": {"foreign": 400, "none": 2600}},
    )
    expect(page.locator("#done-heading")).to_contain_text("3000")
    expect(page.locator("progress")).to_have_count(0)
    assert_accessible(page)
