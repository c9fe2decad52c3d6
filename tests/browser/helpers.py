"""axe-core checks for the browser tests."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


AXE = Axe()


def axe_violations(page: Page) -> list[str]:
    """One line per violating element: rule id, impact, target selectors, help."""
    results = AXE.run(page, options=AXE_OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            targets = ", ".join(str(t) for t in node["target"])
            lines.append(
                f"{violation['id']} ({violation['impact']}) at {targets}: {violation['help']}"
            )
    return lines


def assert_accessible(page: Page):
    problems = axe_violations(page)
    assert not problems, f"axe found WCAG 2.1 AA violations on {page.url}:\n  " + "\n  ".join(
        problems
    )
