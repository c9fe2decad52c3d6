"""The 2023–2025 agenda of seed 002 as demo data, and its iCalendar feeds.

The feed is read back with two independent parsers: ``icalendar`` and ``vobject``
(the library behind the Radicale CalDAV server), which builds its time zone from
the feed's own VTIMEZONE rules instead of the system's zone database — the way a
calendar client does. Both must put every event at its published local time, in
summer and in winter time.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from leitbild.participation.demo import SYNTHETIC_EVENT
from leitbild.participation.models import Event, Phase

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")

# (date, start, end, title contains, place, room) — seed 002 as published.
AGENDA = [
    ("2023-05-23", "14:30", "17:00", "Starterworkshop", "", ""),
    ("2023-08-24", "15:00", "18:00", "Workshop 2", "", ""),
    ("2023-11-02", "16:00", "19:00", "Workshop 3", "", ""),
    ("2024-03-19", "17:00", "19:00", "1. Expertenrunde", "", ""),
    ("2024-04-10", "17:00", "19:00", "2. Expertenrunde", "", ""),
    ("2024-04-18", "16:00", "19:30", "Workshop 4", "", ""),
    ("2024-05-07", "17:00", "19:00", "3. Expertenrunde", "Stadtweinhaus", "Lublin Zimmer"),
    ("2024-05-14", "16:00", "19:00", "1. Fachforum", "Stadthaus 2", "Raum 2-1"),
    ("2024-06-14", "15:00", "19:00", "2. Fachforum", "Stadtweinhaus", "Hauptausschusszimmer"),
    ("2024-06-21", "17:00", "20:15", "Workshop Ehrenamt", "Volkshochschule", ""),
    ("2024-08-22", "16:00", "19:30", "3. Fachforum", "Bezirksregierung Münster", "Saal 1"),
    ("2024-09-10", "17:00", "20:00", "Übergang Schule-Beruf", "Volkshochschule", "VHS Forum"),
    ("2024-09-19", "16:00", "19:00", "4. Expertenrunde", "Volkshochschule", "VHS Raum 104"),
    (
        "2024-10-08",
        "16:00",
        "20:00",
        "weiteren Handlungsfelder",
        "Bezirksregierung Münster",
        "Freiherr-vom-Stein-Saal",
    ),
    (
        "2024-11-19",
        "17:00",
        "20:00",
        "Zusammenführung der Ergebnisse",
        "Bezirksregierung Münster",
        "Freiherr-vom-Stein Saal",
    ),
    (
        "2025-01-24",
        "17:00",
        "20:00",
        "Abschlussveranstaltung",
        "Rathausfestsaal im Stadtweinhaus",
        "",
    ),
]


def _local(date, time):
    return dt.datetime.fromisoformat(f"{date}T{time}").replace(tzinfo=BERLIN)


def test_the_whole_agenda_is_demo_data(process):
    events = list(
        Event.objects.filter(process=process).exclude(title=SYNTHETIC_EVENT).order_by("starts_at")
    )
    assert len(events) == len(AGENDA) == 16
    for event, (date, start, end, title, place, room) in zip(events, AGENDA, strict=True):
        assert title in event.title
        assert event.starts_at == _local(date, start)
        assert event.ends_at == _local(date, end)
        assert event.place_name == place
        assert event.room == room
        assert event.visibility == Event.Visibility.PUBLIC
    phases = list(Phase.objects.filter(process=process).order_by("position"))
    assert [p.title.split()[0] for p in phases] == ["I.", "II.", "III.", "IV.", "V."]
    # Every event belongs to a phase, within the phase's dates.
    for event in events:
        local_day = event.starts_at.astimezone(BERLIN).date()
        assert event.phase.starts_on <= local_day <= event.phase.ends_on
    # The three prioritised fields are the focus of the subject forums' phase.
    forums = phases[2]
    assert {f.number for f in forums.priority_fields.all()} == {"6.3", "6.6", "6.11"}
    addresses = {e.address for e in events}
    assert "Aegidiimarkt 3, 48143 Münster" in addresses
    assert "Domplatz 1-3, 48143 Münster" in addresses


def _feed(client, process):
    response = client.get(process.get_calendar_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content


def test_feed_places_events_at_local_time_in_summer_and_winter(client, process):
    content = _feed(client, process)
    text = content.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Berlin" in text
    assert "DTSTART;TZID=Europe/Berlin:20240319T170000" in text  # as published, local time

    expected = {title: _local(date, start) for date, start, _e, title, _p, _r in AGENDA}

    # vobject interprets the feed's own VTIMEZONE rules.
    calendar = vobject.readOne(io.StringIO(text))
    starts = {}
    for vevent in calendar.vevent_list:
        start = vevent.dtstart.value
        assert start.tzinfo is not None
        starts[vevent.summary.value] = start.astimezone(UTC)
    assert SYNTHETIC_EVENT in starts  # the demo's one upcoming (synthetic) event
    del starts[SYNTHETIC_EVENT]
    assert len(starts) == 16
    for title, local in expected.items():
        match = [utc for summary, utc in starts.items() if title in summary]
        assert match == [local.astimezone(UTC)], title

    # Winter (CET, UTC+1) and summer (CEST, UTC+2), checked explicitly.
    by_title = {title: utc for title, utc in starts.items()}

    def utc_of(fragment):
        return next(utc for title, utc in by_title.items() if fragment in title)

    assert utc_of("1. Expertenrunde") == dt.datetime(2024, 3, 19, 16, 0, tzinfo=UTC)  # winter
    assert utc_of("2. Expertenrunde") == dt.datetime(2024, 4, 10, 15, 0, tzinfo=UTC)  # summer
    assert utc_of("Abschlussveranstaltung") == dt.datetime(2025, 1, 24, 16, 0, tzinfo=UTC)
    assert utc_of("Workshop Ehrenamt") == dt.datetime(2024, 6, 21, 15, 0, tzinfo=UTC)

    # icalendar agrees, and every event has what clients need to keep it updated.
    parsed = icalendar.Calendar.from_ical(content)
    vevents = parsed.walk("VEVENT")
    assert len({str(e["UID"]) for e in vevents}) == 17
    for vevent in vevents:
        assert vevent.decoded("DTEND") > vevent.decoded("DTSTART")
        assert "DTSTAMP" in vevent and "SEQUENCE" in vevent
        assert str(vevent["URL"]).startswith("http://testserver/beteiligung/")


def test_event_feed_has_one_event_with_place_and_room(client, process):
    event = Event.objects.get(process=process, title="3. Expertenrunde")
    response = client.get(event.get_calendar_url())
    parsed = icalendar.Calendar.from_ical(response.content)
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Stadtweinhaus, Lublin Zimmer"
    assert vevent.decoded("DTSTART").astimezone(UTC) == dt.datetime(2024, 5, 7, 15, tzinfo=UTC)


def test_changing_an_event_raises_its_sequence(process, make_event):
    from leitbild.participation.services import event_update

    event = make_event()
    updated = event_update(event=event, room="Raum 3")
    assert updated.sequence == event.sequence + 1


def test_invitation_only_events_stay_out_of_the_public_feed(client, process, make_event):
    make_event(title="Interne Runde", visibility=Event.Visibility.INVITATION)
    assert b"Interne Runde" not in _feed(client, process)


@pytest.mark.parametrize("day", ["2024-03-31", "2024-10-27"])
def test_events_on_the_changeover_days(client, process, make_event, day):
    """On the nights the clocks change, the evening event still starts at 18:00 local time."""
    make_event(
        title=f"Umstellung {day}",
        starts_at=_local(day, "18:00"),
        ends_at=_local(day, "20:00"),
    )
    calendar = vobject.readOne(io.StringIO(_feed(client, process).decode()))
    (vevent,) = [v for v in calendar.vevent_list if v.summary.value == f"Umstellung {day}"]
    assert vevent.dtstart.value.astimezone(UTC) == _local(day, "18:00").astimezone(UTC)
