"""Shared set-up of the browser tests: Chromium, the live server, axe-core.

The live server needs committed data, so these tests run in transactional mode,
and pytest-django empties every table after each of them. Each test therefore
reloads the demo data if it is gone, and each module reloads it once more when it
is done, so that database tests running later still find it.

Every public page a test opens is checked for WCAG 2.1 AA violations (axe tags
wcag2a, wcag2aa, wcag21a, wcag21aa); none are allowed.
"""

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

expect.set_options(timeout=10_000)


def _ensure_demo_data():
    from leitbild.demo.loader import demo_load, demo_present

    if not demo_present():
        demo_load()


@pytest.fixture(scope="module", autouse=True)
def _database_access(django_db_setup, django_db_blocker):
    """Let the ORM run next to Playwright; put the demo data back at the end.

    Between its calls, Playwright's sync API leaves its asyncio loop marked as
    running in this thread. Django then refuses ORM calls (pytest-django's flush
    included) as async-unsafe; nothing runs concurrently here, so the check is
    switched off, for this module only: the variable must not leak into other
    tests (``check --deploy`` reports it).
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
        # After the flush that followed the last test, and after Playwright stopped.
        with django_db_blocker.unblock():
            _ensure_demo_data()


@pytest.fixture(scope="module")
def browser():
    """Chromium, once for the module.

    Not once for the session: until Playwright stops, Django's async-unsafe check
    would refuse every later test's ORM calls (see ``_database_access``).
    """
    from django.db import connections

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While the loop counts as running, Django keeps this thread's connections
        # apart from those opened before (asgiref's Local): close them now, as they
        # are out of reach once Playwright stops; left open, PostgreSQL refuses to
        # drop the test database. Stopping Playwright ends the "running" loop, so
        # that later tests use the ORM as usual.
        connections.close_all()


@pytest.fixture
def site(browser, live_server, transactional_db):
    """The live server's address, with the demo data in the database."""
    _ensure_demo_data()
    return live_server.url


@pytest.fixture
def page(browser, site):
    context = browser.new_context(
        base_url=site, viewport={"width": 1280, "height": 900}, locale="de-DE"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def logged_in_page(browser, site):
    """``logged_in_page(user)``: a second browser context with ``user``'s session."""
    from django.test import Client

    contexts = []

    def open_page(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context(base_url=site, locale="de-DE")
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}]
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
