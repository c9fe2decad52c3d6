"""Process pages: overview with timeline, and who took part."""

from django.shortcuts import render
from django.utils import timezone

from .. import permissions, selectors
from ..models import Process
from .events import _event


def process_list(request):
    processes = Process.objects.select_related("base_edition", "draft_edition")
    return render(request, "participation/process_list.html", {"processes": processes})


def process_detail(request, process):
    process = selectors.process_get(process)
    staff = permissions.is_process_staff(request.user, process)
    phases = selectors.process_timeline(process, include_invitation=staff)
    return render(
        request,
        "participation/process_detail.html",
        {
            "process": process,
            "phases": phases,
            "polls": list(process.polls.all()),
            "is_staff": staff,
            "today": timezone.localdate(),
            "calendar_url": request.build_absolute_uri(process.get_calendar_url()),
            "contribution_count": process.contributions.visible().count(),
        },
    )


def process_stats(request, process):
    process = selectors.process_get(process)
    return render(
        request,
        "participation/stats.html",
        {
            "process": process,
            "event": None,
            "stats": selectors.participation_stats(process=process),
        },
    )


def event_stats(request, process, event):
    process = selectors.process_get(process)
    event = _event(request, process, event)
    return render(
        request,
        "participation/stats.html",
        {
            "process": process,
            "event": event,
            "stats": selectors.participation_stats(process=process, event=event),
        },
    )
