"""iCalendar (RFC 5545) feeds of a process's events.

Times are written as local Europe/Berlin times with a ``TZID`` and the matching
``VTIMEZONE`` (with its summer and winter time rules), which is what calendar
clients need to place a 17:00 event at 17:00 in March and in July alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from .models import Event, Process

BERLIN = ZoneInfo("Europe/Berlin")

# The rules in the compact form Outlook, Thunderbird and Google Calendar write
# themselves (EU summer time since 1996): last Sunday of March 02:00 CET to CEST,
# last Sunday of October 03:00 CEST back to CET.
VTIMEZONE_BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def _uid(event: Event, host: str) -> str:
    return f"leitbild-event-{event.pk}@{host}"


def calendar_bytes(
    *, process: Process, events: Iterable[Event], base_url: str, name: str = ""
) -> bytes:
    """A VCALENDAR with one VEVENT per event; ``base_url`` makes links absolute."""
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "leitbild"
    cal = Calendar()
    cal.add("prodid", "-//leitbild//Integrationskonzept//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", " ".join((name or process.title).split()))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        item = VEvent()
        item.add("uid", _uid(event, host))
        item.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
        item.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
        item.add("sequence", event.sequence)
        item.add("dtstart", event.starts_at.astimezone(BERLIN))
        item.add("dtend", event.ends_at.astimezone(BERLIN))
        item.add("summary", event.title)
        if event.location:
            item.add("location", event.location)
        url = base_url + event.get_absolute_url()
        description = [event.description.strip(), f"{event.get_kind_display()} – {process.title}"]
        if event.online_url:
            description.append(event.online_url)
        description.append(url)
        item.add("description", "\n\n".join(part for part in description if part))
        item.add("url", url)
        item.add("categories", [str(event.get_kind_display())])
        item.add("status", "CONFIRMED")
        item.add("transp", "OPAQUE")
        item.add("class", "PUBLIC")
        cal.add_component(item)
    cal.subcomponents.insert(0, Timezone.from_ical(VTIMEZONE_BERLIN.replace("\n", "\r\n")))
    return cal.to_ical()
