"""Contributions on the draft: confirmation, spam defences, moderation, disposition, the trail
from a remark to the changed text, the consideration table, polls and who took part."""

import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from leitbild.concept.models import GoalRevision
from leitbild.participation import services
from leitbild.participation.models import Contribution, PollBallot, Registration


@pytest.fixture
def goal(process):
    return process.draft_edition.goals.select_related("field").get(
        field__number="6.2", slug="teilziel-1"
    )


def _goal_url(process, goal):
    return reverse(
        "participation:goal",
        kwargs={"process": process.slug, "field": goal.field.slug, "goal": goal.slug},
    )


def _confirm_link(message) -> str:
    return re.search(r"http://testserver(/beteiligung/bestaetigen/\S+/)", message.body).group(1)


def test_the_draft_is_a_linked_copy_of_2019(process, demo):
    draft, base = process.draft_edition, demo[2019]
    assert draft.status == "draft" and draft.year == 2025
    assert draft.goals.count() == base.goals.count()
    goal = draft.goals.get(field__number="6.2", slug="teilziel-1")
    assert goal.predecessor.edition == base
    assert goal.predecessor.text == goal.text
    assert draft.fields.count() == base.fields.count()


def test_comment_is_published_after_email_confirmation(client, process, goal):
    url = _goal_url(process, goal)
    response = client.post(
        url,
        {
            "form": "contribute",
            "kind": "comment",
            "quote": goal.text.split()[0] + " " + goal.text.split()[1],
            "body": "Mehr Beratung in den Stadtteilen.",
            "email": "Anna@Example.org",
            "author_name": "Anna",
        },
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get(body="Mehr Beratung in den Stadtteilen.")
    assert contribution.status == "pending"
    assert contribution.email == "anna@example.org"
    assert b"Mehr Beratung" not in client.get(url).content  # not before confirmation

    link = _confirm_link(mail.outbox[-1])
    assert client.get(link).status_code == 200  # a mail scanner's GET changes nothing
    contribution.refresh_from_db()
    assert contribution.status == "pending"
    client.post(link)
    contribution.refresh_from_db()
    assert contribution.status == "published"
    page = client.get(url).content.decode()
    assert "Mehr Beratung in den Stadtteilen." in page
    assert "anna@example.org" not in page

    # Confirmed once in this browser: the next contribution is published at once.
    mail.outbox.clear()
    client.post(
        url,
        {
            "form": "contribute",
            "kind": "comment",
            "body": "Noch etwas.",
            "email": "anna@example.org",
        },
    )
    assert Contribution.objects.get(body="Noch etwas.").status == "published"
    assert mail.outbox == []


def test_html_in_a_contribution_is_text(client, process, goal):
    contribution = services.contribution_submit(
        process=process,
        kind="comment",
        goal=goal,
        body='<script>alert("x")</script><b>fett</b>',
        author_name="<img src=x onerror=alert(1)>",
        email="x@example.org",
        email_confirmed=True,
    )
    for url in [
        _goal_url(process, goal),
        contribution.get_absolute_url(),
        reverse("participation:contributions", args=[process.slug]),
        reverse("participation:consideration", args=[process.slug]),
    ]:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, url


def test_spam_defences(client, process, goal, settings):
    url = _goal_url(process, goal)
    data = {"form": "contribute", "kind": "comment", "body": "Spam", "email": "s@example.org"}
    client.post(url, {**data, "website": "http://spam.example"})
    assert not Contribution.objects.filter(body="Spam").exists()

    # Three per window; the bot's attempt above counted as one of them.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "contribution": (3, 3600)}
    for n in range(5):
        response = client.post(url, {**data, "body": f"Beitrag {n}"})
    assert Contribution.objects.filter(body__startswith="Beitrag ").count() == 2
    assert response.status_code == 429  # the form again, with the message


def test_amendment_needs_a_wording_and_quote_must_be_in_the_goal(process, goal):
    with pytest.raises(ValidationError) as info:
        services.contribution_submit(
            process=process, kind="amendment", goal=goal, body="x", email="a@example.org"
        )
    assert "proposed_text" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.contribution_submit(
            process=process,
            kind="comment",
            goal=goal,
            body="x",
            quote="steht nicht im Ziel",
            email="a@example.org",
        )
    assert "quote" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.contribution_submit(
            process=process,
            kind="comment",
            goal=goal.predecessor,  # the adopted 2019 goal is not open for comments
            body="x",
            email="a@example.org",
        )
    assert "goal" in info.value.message_dict


def test_replies_thread_under_their_contribution(client, process, goal):
    parent = services.contribution_submit(
        process=process,
        kind="comment",
        goal=goal,
        body="Frage?",
        email="a@example.org",
        email_confirmed=True,
    )
    reply = services.contribution_submit(
        process=process,
        kind="reply",
        parent=parent,
        body="Antwort!",
        email="b@example.org",
        email_confirmed=True,
    )
    assert reply.goal == goal
    page = client.get(parent.get_absolute_url()).content.decode()
    assert page.index("Frage?") < page.index("Antwort!")


def test_reports_hide_automatically_and_staff_restore(
    client, process, goal, process_staff, settings
):
    settings.AUTO_HIDE_REPORTS = 2
    contribution = services.contribution_submit(
        process=process,
        kind="comment",
        goal=goal,
        body="Beleidigung",
        email="a@example.org",
        email_confirmed=True,
    )
    report = reverse(
        "participation:contribution_action",
        kwargs={"process": process.slug, "pk": contribution.pk, "action": "melden"},
    )
    client.post(report, REMOTE_ADDR="10.0.0.1")
    client.post(report, REMOTE_ADDR="10.0.0.1")  # the same visitor counts once
    contribution.refresh_from_db()
    assert contribution.status == "published" and contribution.report_count == 1
    client.post(report, REMOTE_ADDR="10.0.0.2")
    contribution.refresh_from_db()
    assert contribution.status == "hidden"
    page = client.get(_goal_url(process, goal)).content.decode()
    assert "Beleidigung" not in page
    assert f"beitrag-{contribution.pk}" in page  # the placeholder stays

    # Only process staff moderate.
    unhide = reverse(
        "participation:contribution_action",
        kwargs={"process": process.slug, "pk": contribution.pk, "action": "einblenden"},
    )
    assert client.post(unhide).status_code == 302  # to the login
    contribution.refresh_from_db()
    assert contribution.status == "hidden"
    client.force_login(process_staff)
    client.post(unhide)
    contribution.refresh_from_db()
    assert contribution.status == "published" and contribution.report_count == 0

    hide = unhide.replace("einblenden", "ausblenden")
    client.post(hide, {"hide-reason": "beleidigend"})
    contribution.refresh_from_db()
    assert contribution.status == "hidden" and contribution.hidden_reason == "beleidigend"
    assert "beleidigend" in client.get(_goal_url(process, goal)).content.decode()


def test_accepting_an_amendment_changes_the_draft_and_records_the_trail(
    client, process, goal, process_staff, other_staff
):
    old_text = goal.text
    amendment = services.contribution_submit(
        process=process,
        kind="amendment",
        goal=goal,
        body="Klarer formulieren.",
        proposed_text=old_text + " Das gilt in allen Stadtteilen.",
        email="a@example.org",
        email_confirmed=True,
    )
    accept = reverse(
        "participation:contribution_action",
        kwargs={"process": process.slug, "pk": amendment.pk, "action": "uebernehmen"},
    )
    client.force_login(other_staff)
    assert client.post(accept, {"accept-text": "x", "accept-reason": "y"}).status_code == 403
    client.force_login(process_staff)
    client.post(
        accept,
        {
            "accept-text": amendment.proposed_text,
            "accept-reason": "Sozialraumorientierung gestärkt.",
        },
    )
    goal.refresh_from_db()
    amendment.refresh_from_db()
    assert goal.text == old_text + " Das gilt in allen Stadtteilen."
    assert amendment.disposition == "taken_up"
    assert amendment.disposition_reason == "Sozialraumorientierung gestärkt."
    revision = GoalRevision.objects.get(goal=goal)
    assert list(revision.contributions.all()) == [amendment]
    assert revision.text_before == old_text

    client.logout()
    history = client.get(
        reverse(
            "goal_history",
            kwargs={"edition": goal.edition.slug, "field": goal.field.slug, "goal": goal.slug},
        )
    ).content.decode()
    assert "Klarer formulieren." in history
    assert "Sozialraumorientierung gestärkt." in history
    assert "<ins>" in history and "allen Stadtteilen" in history

    table = client.get(reverse("participation:consideration", args=[process.slug]))
    assert "Klarer formulieren." in table.content.decode()
    csv_text = client.get(
        reverse("participation:consideration_export", args=[process.slug, "csv"])
    ).content.decode("utf-8-sig")
    assert "Klarer formulieren." in csv_text and "Sozialraumorientierung gestärkt." in csv_text

    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(
            client.get(
                reverse("participation:consideration_export", args=[process.slug, "xlsx"])
            ).content
        )
    )
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "Klarer formulieren." in values


def test_staff_reword_a_goal_citing_workshop_remarks(client, process, goal, process_staff):
    event = process.events.get(title__startswith="1. Fachforum")
    client.force_login(process_staff)
    enter = reverse("participation:contribution_enter", args=[process.slug, event.pk])
    client.post(enter, {"kind": "comment", "goal": goal.pk, "body": "Im Forum gesagt: kürzer."})
    remark = Contribution.objects.get(body="Im Forum gesagt: kürzer.")
    assert remark.event == event and remark.status == "published" and remark.email == ""
    client.post(
        _goal_url(process, goal),
        {
            "form": "revise",
            "text": "Kürzerer Text.",
            "note": "Gekürzt.",
            "contributions": [remark.pk],
        },
    )
    goal.refresh_from_db()
    assert goal.text == "Kürzerer Text."
    assert list(goal.revisions.get().contributions.all()) == [remark]
    history = client.get(
        reverse("goal_history", args=[goal.edition.slug, goal.field.slug, goal.slug])
    ).content.decode()
    assert event.title in history


def test_disposition_needs_a_reason(process, goal, process_staff):
    contribution = services.contribution_submit(
        process=process,
        kind="comment",
        goal=goal,
        body="x",
        email="a@example.org",
        email_confirmed=True,
    )
    with pytest.raises(ValidationError):
        services.contribution_dispose(
            contribution=contribution, user=process_staff, disposition="not_taken_up", reason=""
        )


def test_poll_one_vote_per_confirmed_email(client, process):
    poll = process.polls.get()
    fields = list(poll.options.all())
    before = {r["field"].pk: r["points"] for r in _results(poll)}
    url = poll.get_absolute_url()
    data = {"email": "wahl@example.org", f"option_{fields[0].pk}": 5, f"option_{fields[1].pk}": 5}
    client.post(url, data)
    ballot = PollBallot.objects.get(email="wahl@example.org")
    assert ballot.confirmed_at is None
    assert {r["field"].pk: r["points"] for r in _results(poll)} == before  # not yet counted
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    client.post(link)
    after = {r["field"].pk: r["points"] for r in _results(poll)}
    assert after[fields[0].pk] == before[fields[0].pk] + 5
    # Voting again replaces the first vote.
    client.post(
        url, {"email": "wahl@example.org", f"option_{fields[2].pk}": 5, f"option_{fields[3].pk}": 5}
    )
    assert PollBallot.objects.filter(email="wahl@example.org").count() == 1
    # Points must add up.
    response = client.post(url, {"email": "x@example.org", f"option_{fields[0].pk}": 3})
    assert "10" in response.content.decode()
    assert not PollBallot.objects.filter(email="x@example.org").exists()
    page = client.get(url).content.decode()
    assert "<table" in page and "<progress" in page  # chart with a table alternative


def _results(poll):
    from leitbild.participation.selectors import poll_results

    return poll_results(poll)["rows"]


def test_who_took_part_suppresses_small_counts(client, process, make_event, settings):
    from leitbild.participation.selectors import participation_stats

    event = make_event()

    def register(n, group, targets=()):
        services.registration_create(
            event=event,
            name=f"P{n}",
            email=f"p{n}@example.org",
            consent=True,
            stakeholder_group=group,
            target_groups=list(targets),
        )

    # A small group: no breakdown at all, not even hidden cells.
    for n in range(6):
        register(n, "migrant_org" if n < 5 else "police", ["own_migration"] if n < 2 else [])
    stats = participation_stats(process=process, event=event)
    assert stats["total"] is None and stats["sections"] == []

    # Enough people: small cells hidden; a single hidden cell takes a second one along,
    # so that the total minus the shown rows does not reveal it.
    for n in range(6, 12):
        register(n, "migrant_org" if n < 11 else "police")
    stats = participation_stats(process=process, event=event)
    assert stats["total"] == 12
    rows = {r["key"]: r for r in stats["sections"][0]["rows"]}
    assert rows["migrant_org"]["count"] == 10
    assert rows["police"]["count"] is None and rows["police"]["suppressed"]
    assert rows["politics"]["count"] is None  # zero looks like "a few"
    shown = sum(r["count"] for r in stats["sections"][0]["rows"] if r["count"] is not None)
    hidden = [r for r in stats["sections"][0]["rows"] if r["count"] is None]
    assert len(hidden) >= 2 and stats["total"] - shown == 2
    targets = {r["key"]: r for r in stats["sections"][3]["rows"]}
    assert targets["own_migration"]["suppressed"]

    # The waiting list and people marked absent do not count.
    Registration.objects.filter(event=event, email="p0@example.org").update(attended=False)
    assert participation_stats(process=process, event=event)["total"] == 11

    page = client.get(
        reverse("participation:event_stats", args=[process.slug, event.pk])
    ).content.decode()
    assert "P5" not in page and "p5@example.org" not in page


def test_partition_hides_a_second_row_when_one_would_be_recoverable():
    from collections import Counter

    from leitbild.participation.selectors import _suppress

    rows = _suppress(
        Counter({"a": 20, "b": 9, "": 6, "c": 3}), {"a": "A", "b": "B", "c": "C"}, partition=True
    )
    by_key = {r["key"]: r for r in rows}
    assert by_key["c"]["suppressed"] and not by_key["c"]["secondary"]
    assert by_key[""]["secondary"] and by_key[""]["count"] is None  # the next smallest
    assert by_key["a"]["count"] == 20 and by_key["b"]["count"] == 9


def test_process_page_timeline_and_calendar_url(client, process):
    page = client.get(process.get_absolute_url()).content.decode()
    assert "http://testserver" + process.get_calendar_url() in page
    for title in ["I. Arbeitsphase", "V. Arbeitsphase", "Workshop Ehrenamt"]:
        assert title in page
    assert page.count('class="phase phase-past"') == 5  # the agenda lies in the past


def test_pages_cost_a_constant_number_of_queries(
    client, process, goal, django_assert_max_num_queries
):
    for n in range(30):
        services.contribution_submit(
            process=process,
            kind="comment",
            goal=goal,
            body=f"Beitrag {n}",
            email=f"a{n}@example.org",
            email_confirmed=True,
        )
    with django_assert_max_num_queries(20):
        client.get(_goal_url(process, goal))
    with django_assert_max_num_queries(20):
        client.get(reverse("participation:consideration", args=[process.slug]))
    with django_assert_max_num_queries(20):
        client.get(reverse("participation:contributions", args=[process.slug]))
    with django_assert_max_num_queries(20):
        client.get(process.get_absolute_url())


def test_draft_overview_links_every_goal_with_its_count(
    client, process, goal, django_assert_max_num_queries
):
    services.contribution_submit(
        process=process,
        kind="comment",
        goal=goal,
        body="Zählt mit.",
        email="z@example.org",
        email_confirmed=True,
    )
    url = reverse("participation:draft", args=[process.slug])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert page.count('href="/beteiligung/fortschreibung-2023-2025/entwurf/') == (
        process.draft_edition.goals.count()
    )
    assert _goal_url(process, goal) in page


def test_an_unpublished_draft_is_not_open_to_the_public(client, process, goal, process_staff):
    draft = process.draft_edition
    draft.published = False
    draft.save()
    assert client.get(_goal_url(process, goal)).status_code == 404
    assert client.get(reverse("participation:draft", args=[process.slug])).status_code == 404
    client.force_login(process_staff)
    assert client.get(_goal_url(process, goal)).status_code == 200


def test_a_stranger_cannot_void_a_counted_vote(client, process):
    poll = process.polls.get()
    fields = list(poll.options.all())
    ballot = services.ballot_submit(
        poll=poll, email="v@example.org", allocation={fields[0].pk: 5, fields[1].pk: 5}
    )
    services.ballot_confirm(token=ballot.token)
    counted = _results(poll)
    # Someone else submits for the same address; nothing changes until it is confirmed.
    again = services.ballot_submit(
        poll=poll, email="v@example.org", allocation={fields[2].pk: 5, fields[3].pk: 5}
    )
    assert _results(poll) == counted
    services.ballot_confirm(token=again.token)
    points = {r["field"].pk: r["points"] for r in _results(poll)}
    before = {r["field"].pk: r["points"] for r in counted}
    assert points[fields[2].pk] == before[fields[2].pk] + 5
    assert points[fields[0].pk] == before[fields[0].pk] - 5  # the earlier vote is replaced


def test_control_characters_do_not_break_the_xlsx_export(client, process, goal):
    services.contribution_submit(
        process=process,
        kind="comment",
        goal=goal,
        body="Tab\x0bund\x1bEscape =1+1",
        email="c@example.org",
        email_confirmed=True,
    )
    url = reverse("participation:consideration_export", args=[process.slug, "xlsx"])
    response = client.get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    text = client.get(url.replace("xlsx", "csv")).content.decode("utf-8-sig")
    assert "Tabund" in text and "\x1b" not in text


def test_invitation_only_events_stay_closed_in_public_tables(
    client, process, goal, make_event, process_staff
):
    from leitbild.participation.models import Event

    closed = make_event(title="Vertrauliche Runde", visibility=Event.Visibility.INVITATION)
    services.contribution_enter(
        process=process, user=process_staff, event=closed, goal=goal, body="Intern gesagt."
    )
    for url in [
        reverse("participation:consideration", args=[process.slug]),
        reverse("participation:consideration_export", args=[process.slug, "csv"]),
        reverse("goal_history", args=[goal.edition.slug, goal.field.slug, goal.slug]),
        _goal_url(process, goal),
    ]:
        body = client.get(url).content.decode("utf-8-sig")
        assert "Intern gesagt." in body, url
        assert "Vertrauliche Runde" not in body, url


def test_rate_limits_count_an_ipv6_network_once():
    from django.test import RequestFactory

    from leitbild.core.ratelimit import client_fingerprint

    factory = RequestFactory()
    a = client_fingerprint(factory.get("/", REMOTE_ADDR="2001:db8:1:2::1"))
    b = client_fingerprint(factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    c = client_fingerprint(factory.get("/", REMOTE_ADDR="2001:db8:1:3::1"))
    assert a == b != c
