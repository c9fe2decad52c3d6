"""Schemathesis against a live server: every operation of /api/v1/openapi.json answers
without a server error, with a status code, content type, headers and body that its
schema declares, and refuses input that the schema rules out.

What is fuzzed: every operation in the schema (reads, the public registration, and
the staff writes). Operations that declare the ``StaffToken`` scheme get a
superuser's token (``[auth.openapi.StaffToken]``), so creating and changing events
and importing observations are fuzzed too; the anonymous side of the optional-token
reads and what the answers mean are tested in test_api_participation.py,
test_api_open_data.py and test_monitoring_import.py. The registration limit is
raised for this run (429 would hide the rest of that operation); its own test is
test_registration_rate_limited.

Path parameters draw, three times in four, on identifiers that exist (a dictionary
per operation), so the fuzzer gets past 404 into each endpoint's real work; the rest
of the time they are generated like any other value.

The live server needs committed data, so this test runs in transactional mode:
pytest-django empties every table after it, and the module puts the demo data back
for the database tests that run later (as the browser tests do).

A failure prints schemathesis' report: the operation, what was wrong, and a curl
command that reproduces it.
"""

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Cases per operation in the fuzzing phase; the coverage phase adds the boundary cases
# (missing, empty, too long, wrong type, NUL) on top. Deterministic: the same cases in
# every run, so a failure reproduces and CI does not flake.
MAX_EXAMPLES = 15
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
)

CONFIG = """\
workers = 1
color = false

[generation]
mode = "all"
max-examples = {max_examples}
deterministic = true
database = "none"

[phases.stateful]
enabled = false

[auth.openapi.StaffToken]
bearer = "${{LEITBILD_TEST_TOKEN}}"
"""


def _ensure_demo_data():
    from leitbild.demo.loader import demo_load, demo_present

    if not demo_present():
        demo_load()


@pytest.fixture(scope="module", autouse=True)
def _demo_data_afterwards(django_db_setup, django_db_blocker):
    yield
    # After the flush that followed the test: later database tests expect the demo.
    with django_db_blocker.unblock():
        _ensure_demo_data()


def _known_identifiers() -> dict[str, dict[str, list]]:
    """Per operation id, per path parameter: identifiers that exist in the demo data."""
    from django.utils import timezone

    from leitbild.actors.models import Organisation
    from leitbild.concept.models import Edition, Goal
    from leitbild.implementation.models import ActionGoal, Measure
    from leitbild.monitoring.models import Indicator
    from leitbild.participation.models import Event, Process
    from leitbild.participation.services import event_create

    def values(queryset, field, n=8):
        return list(queryset.values_list(field, flat=True)[:n])

    process = Process.objects.first()
    start = timezone.now() + dt.timedelta(days=60)
    # Its own events: PATCH may make one invitation-only or move it into the past,
    # which would otherwise close registration for the rest of the run.
    to_change = event_create(
        process=process, title="Zum Ändern", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    to_register = event_create(
        process=process,
        title="Zum Anmelden",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=3,  # so that the waiting list is reached as well
    )
    goals = Goal.objects.filter(edition__slug="2019")
    codes = values(Indicator.objects.all(), "code")
    return {
        "edition_detail": {"slug": values(Edition.objects.public(), "slug")},
        "goal_detail": {
            "edition": ["2019"],
            "field": values(goals.values("field__slug").distinct(), "field__slug", 4),
            "goal": values(goals.values("slug").distinct(), "slug", 4),
        },
        "organisation_detail": {"slug": values(Organisation.objects.all(), "slug")},
        "process_detail": {"slug": [process.slug]},
        "event_detail": {"id": values(Event.objects.all(), "pk")},
        "event_update": {"id": [to_change.pk]},
        "event_register": {"id": [to_register.pk]},
        "indicator_detail": {"code": codes},
        "indicator_observations": {"code": codes},
        "action_goal_detail": {"id": values(ActionGoal.objects.all(), "pk")},
        "measure_detail": {"id": values(Measure.objects.all(), "pk")},
    }


def _config(identifiers: dict[str, dict[str, list]]) -> str:
    lines = [CONFIG.format(max_examples=MAX_EXAMPLES)]
    for operation, parameters in identifiers.items():
        for name, known in parameters.items():
            lines.append(f"[dictionaries.{operation}-{name}]\nvalues = {json.dumps(known)}\n")
        lines.append(f'[[operations]]\ninclude-operation-id = "{operation}"\n')
        lines.append("[operations.parameters]")
        for name in parameters:
            lines.append(
                f'"path.{name}" = {{ dictionary = "{operation}-{name}", probability = 0.75 }}'
            )
        lines.append("")
    return "\n".join(lines)


def test_api_conforms_to_its_openapi_schema(
    live_server, settings, tmp_path, django_user_model, monkeypatch
):
    from django.core.servers.basehttp import WSGIRequestHandler

    from leitbild.participation.services import api_token_create

    # The live server writes headers and body in separate packets; with Nagle's
    # algorithm on, each answer then waits for the client's delayed ACK (~40 ms), which
    # made this test three times slower. Read by every connection as it is set up.
    monkeypatch.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-registration": (10**6, 3600)}
    _ensure_demo_data()
    admin = django_user_model.objects.create_superuser("fuzzer", "fuzzer@example.org", "pw")
    token = api_token_create(user=admin)

    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(_known_identifiers()))
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        ",".join(CHECKS),
    ]
    started = time.monotonic()
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        env={"LEITBILD_TEST_TOKEN": token, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        cwd=tmp_path,  # its cache and reports stay out of the work tree
        check=False,
    )
    print(result.stdout)
    print(f"schemathesis ran for {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, (
        f"schemathesis found problems (exit {result.returncode}):\n"
        + result.stdout[-20000:]
        + result.stderr[-3000:]
    )
