"""Prioritisation polls: distribute points over fields of action; results as chart and table."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.core.ratelimit import form_refuse, form_status, rate_limited, too_many_requests

from .. import selectors, services
from ..forms import BallotForm
from ..models import PollBallot
from .common import add_service_errors


@require_http_methods(["GET", "POST"])
def poll_detail(request, process, poll):
    process = selectors.process_get(process)
    poll = process.polls.prefetch_related("options").filter(slug=poll).first()
    if poll is None:
        raise Http404(_("No such poll."))
    form = BallotForm(request.POST or None, poll=poll)
    if request.method == "POST":
        if rate_limited(request, "ballot"):
            form_refuse(form, _("Too many votes from your connection; try again later."))
        elif form.is_valid():
            try:
                services.ballot_submit(
                    poll=poll, email=form.cleaned_data["email"], allocation=form.allocation()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you! Please confirm your vote with the link we sent you by e-mail."),
                )
                return redirect(poll.get_absolute_url())
    return render(
        request,
        "participation/poll_detail.html",
        {
            "process": process,
            "poll": poll,
            "form": form,
            "option_fields": [(form[name], option) for name, option in form.option_fields],
            "results": selectors.poll_results(poll),
            "is_open": poll.is_open(),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def ballot_confirm(request, token):
    """The link in our e-mail: a button to confirm (links may be opened by mail scanners)."""
    if request.method == "POST" and rate_limited(request, "email-link"):
        return too_many_requests(request, _("Too many confirmations from your connection."))
    ballot = get_object_or_404(PollBallot.objects.select_related("poll__process"), token=token)
    if request.method == "POST":
        services.ballot_confirm(token=token)
        messages.success(request, _("Your vote is confirmed and counted."))
        return redirect(ballot.poll.get_absolute_url())
    return render(
        request,
        "participation/confirm.html",
        {
            "title": _("Confirm your vote"),
            "text": ballot.poll.title,
            "done": ballot.confirmed_at is not None,
            "done_url": ballot.poll.get_absolute_url(),
        },
    )
