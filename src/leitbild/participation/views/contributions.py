"""Contributions on the draft: discussion per goal, ideas, replies, moderation, disposition,
the consideration table, and each goal's "how this goal came about" page."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leitbild.audit.models import AuditEvent
from leitbild.audit.services import audit_record
from leitbild.concept.models import Edition, Goal
from leitbild.core.exports import table_response
from leitbild.core.ratelimit import (
    client_fingerprint,
    form_refuse,
    form_status,
    rate_limited,
    too_many_requests,
)

from .. import permissions, selectors, services
from ..forms import (
    AcceptAmendmentForm,
    ContributionForm,
    DispositionForm,
    GoalReviseForm,
    HideForm,
    IdeaForm,
    ReplyForm,
    ReportForm,
    StaffEntryForm,
)
from ..models import Contribution
from .common import add_service_errors, deny
from .events import _event

SESSION_KEY = "leitbild_confirmed_emails"


def _email_key(email: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{email.strip().lower()}".encode()).hexdigest()


def _email_confirmed(request, email: str) -> bool:
    """Whether this browser session already confirmed the address by following our link."""
    return _email_key(email) in request.session.get(SESSION_KEY, [])


def _remember_email(request, email: str) -> None:
    known = request.session.get(SESSION_KEY, [])
    if _email_key(email) not in known:
        request.session[SESSION_KEY] = [*known, _email_key(email)][-20:]


def _submitted(request, contribution) -> None:
    if contribution.status == Contribution.Status.PUBLISHED:
        messages.success(request, _("Thank you! Your contribution is published."))
    else:
        messages.info(
            request,
            _(
                "Thank you! We have sent you an e-mail. Your contribution appears as soon as "
                "you confirm it with the link in that e-mail."
            ),
        )


def _submit(request, process, form, *, success_url: str, person: bool = True, **fields):
    """Rate limit, validate and submit a visitor's contribution from ``form``.

    ``fields`` are the service arguments beyond the form's common ones (body, e-mail,
    name shown). Returns the redirect after success, or ``None`` to show the form again.
    """
    if rate_limited(request, "contribution"):
        form_refuse(form, _("Too many contributions from your connection; try later."))
        return None
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        contribution = services.contribution_submit(
            process=process,
            body=data["body"],
            email=data["email"],
            author_name=data["author_name"],
            email_confirmed=_email_confirmed(request, data["email"]),
            **(form.person_data() if person else {}),
            **fields,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    _submitted(request, contribution)
    return redirect(success_url)


def _draft_goal(process, field, goal, user=None) -> Goal:
    if process.draft_edition_id is None:
        raise Http404(_("This process has no draft yet."))
    if not process.draft_edition.published and not permissions.is_process_staff(user, process):
        raise Http404(_("This process has no draft yet."))
    goal = (
        Goal.objects.for_display()
        .filter(edition_id=process.draft_edition_id, field__slug=field, slug=goal)
        .first()
    )
    if goal is None:
        raise Http404(_("No such goal in the draft."))
    return goal


def contribution_list(request, process):
    """All contributions, filterable by field and kind, and the form for a free idea."""
    process = selectors.process_get(process)
    queryset = process.contributions.all()
    field_slug = request.GET.get("handlungsfeld", "")
    kind = request.GET.get("art", "")
    if field_slug:
        queryset = queryset.filter(field__slug=field_slug)
    if kind in Contribution.Kind.values:
        queryset = queryset.filter(kind=kind)
    draft = process.draft_edition
    open_for_ideas = process.contributions_open and draft is not None and draft.published
    fields = draft.fields.order_by("position") if draft is not None and draft.published else []
    form = None
    if open_for_ideas:
        form = IdeaForm(request.POST or None, fields=fields, city=process.base_edition.city)
    if request.method == "POST" and form is not None:
        done = _submit(
            request,
            process,
            form,
            success_url=reverse("participation:contributions", args=[process.slug]),
            kind=Contribution.Kind.IDEA,
            field=form.cleaned_data.get("field") if form.is_valid() else None,
        )
        if done:
            return done
    page = Paginator(selectors.contribution_roots(queryset), THREADS_PAGE_SIZE).get_page(
        request.GET.get("seite")
    )
    return render(
        request,
        "participation/contribution_list.html",
        {
            "process": process,
            "page_obj": page,
            "threads": selectors.contribution_threads(queryset, roots=page.object_list),
            "fields": fields,
            "field_slug": field_slug,
            "kind": kind,
            "kinds": [c for c in Contribution.Kind.choices if c[0] != Contribution.Kind.REPLY],
            "form": form,
            "is_staff": permissions.is_process_staff(request.user, process),
        },
        status=form_status(form),
    )


def draft_overview(request, process):
    """The draft's goals by field of action, each with its number of contributions."""
    process = selectors.process_get(process)
    draft = process.draft_edition
    if draft is None or not (
        draft.published or permissions.is_process_staff(request.user, process)
    ):
        raise Http404(_("This process has no draft yet."))
    return render(
        request,
        "participation/draft_overview.html",
        {"process": process, "fields": selectors.draft_fields_with_goals(process)},
    )


@require_http_methods(["GET", "POST"])
def goal_discussion(request, process, field, goal):
    """A draft goal with its contributions; visitors comment, staff reword it."""
    process = selectors.process_get(process)
    goal = _draft_goal(process, field, goal, request.user)
    staff = permissions.can_dispose(request.user, process)
    form = ContributionForm(city=process.base_edition.city)
    revise_form = None
    if staff:
        revise_form = GoalReviseForm(
            initial={"text": goal.text},
            contributions=process.contributions.visible().filter(goal=goal),
        )
    if request.method == "POST" and request.POST.get("form") == "revise":
        if not staff:
            return deny(request)
        revise_form = GoalReviseForm(
            request.POST, contributions=process.contributions.visible().filter(goal=goal)
        )
        if revise_form.is_valid():
            data = revise_form.cleaned_data
            try:
                services.goal_revise(
                    goal=goal,
                    text=data["text"],
                    user=request.user,
                    note=data["note"],
                    contributions=data["contributions"],
                )
            except ValidationError as error:
                add_service_errors(revise_form, error)
            else:
                messages.success(request, _("The goal's text is changed and its history updated."))
                return redirect(request.path)
    elif request.method == "POST":
        form = ContributionForm(request.POST, city=process.base_edition.city)
        valid = form.is_valid()
        done = _submit(
            request,
            process,
            form,
            success_url=request.path,
            goal=goal,
            kind=form.cleaned_data["kind"] if valid else Contribution.Kind.COMMENT,
            quote=form.cleaned_data["quote"] if valid else "",
            proposed_text=form.cleaned_data["proposed_text"] if valid else "",
        )
        if done:
            return done
    discussion = process.contributions.filter(goal=goal)
    page = Paginator(selectors.contribution_roots(discussion), THREADS_PAGE_SIZE).get_page(
        request.GET.get("seite")
    )
    return render(
        request,
        "participation/goal_discussion.html",
        {
            "process": process,
            "goal": goal,
            "form": form,
            "revise_form": revise_form,
            "page_obj": page,
            "threads": selectors.contribution_threads(discussion, roots=page.object_list),
            "is_staff": staff,
            "history_url": _history_url(goal),
        },
        status=form_status(form),
    )


def _history_url(goal: Goal) -> str:
    return reverse(
        "goal_history",
        kwargs={"edition": goal.edition.slug, "field": goal.field.slug, "goal": goal.slug},
    )


@require_http_methods(["GET", "POST"])
def contribution_confirm(request, token):
    """The link in our e-mail: a button to confirm (links may be opened by mail scanners)."""
    # Counted before the token is looked up, so that wrong tokens count as well.
    if request.method == "POST" and rate_limited(request, "email-link"):
        return too_many_requests(request, _("Too many confirmations from your connection."))
    contribution = get_object_or_404(
        Contribution.objects.select_related("process", "goal__field"), token=token
    )
    if request.method == "POST":
        contribution = services.contribution_confirm(token=token)
        _remember_email(request, contribution.email)
        messages.success(request, _("Thank you! Your contribution is published."))
        return redirect(contribution.get_absolute_url())
    return render(
        request,
        "participation/confirm.html",
        {
            "title": _("Confirm your contribution"),
            "text": contribution.body,
            "done": contribution.status != Contribution.Status.PENDING,
            "done_url": contribution.get_absolute_url(),
        },
    )


def _contribution(process, pk) -> Contribution:
    contribution = (
        selectors.contributions_for_display(process.contributions.visible()).filter(pk=pk).first()
    )
    if contribution is None:
        raise Http404(_("No such contribution."))
    return contribution


@require_http_methods(["GET", "POST"])
def contribution_detail(request, process, pk):
    """One contribution with its replies; visitors reply and report, staff moderate."""
    process = selectors.process_get(process)
    contribution = _contribution(process, pk)
    reply_form = ReplyForm(request.POST or None)
    if request.method == "POST":
        done = _submit(
            request,
            process,
            reply_form,
            success_url=contribution.get_absolute_url(),
            person=False,
            kind=Contribution.Kind.REPLY,
            parent=contribution,
        )
        if done:
            return done
    staff = permissions.can_moderate(request.user, process)
    if staff and contribution.email:
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            subject=f"e-mail address of contribution {contribution.pk}",
            people=1,
        )
    threads = selectors.contribution_threads(process.contributions.filter(pk=contribution.pk))
    return render(
        request,
        "participation/contribution_detail.html",
        {
            "process": process,
            "contribution": contribution,
            "replies": threads[0].thread_replies if threads else [],
            "reply_form": reply_form,
            "report_form": ReportForm(prefix="report"),
            "is_staff": staff,
            "hide_form": HideForm(prefix="hide") if staff else None,
            "disposition_form": DispositionForm(
                prefix="dispose",
                initial={
                    "disposition": contribution.disposition,
                    "reason": contribution.disposition_reason,
                },
            )
            if staff
            else None,
            # Staff can take up any remark on a goal as an amendment, not only proposals.
            "accept_form": AcceptAmendmentForm(
                prefix="accept",
                initial={"text": contribution.proposed_text or contribution.goal.text},
            )
            if staff
            and contribution.goal_id
            and contribution.kind != Contribution.Kind.REPLY
            and contribution.status == Contribution.Status.PUBLISHED
            else None,
        },
        status=form_status(reply_form),
    )


@require_POST
def contribution_action(request, process, pk, action):
    """Report (anyone), hide/unhide, dispose, accept an amendment (staff)."""
    process = selectors.process_get(process)
    contribution = _contribution(process, pk)
    back = redirect(contribution.get_absolute_url())
    if action == "melden":
        if rate_limited(request, "report"):
            return too_many_requests(
                request,
                _("Too many reports from your connection; try later."),
                back_url=contribution.get_absolute_url(),
            )
        form = ReportForm(request.POST, prefix="report")
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        if services.contribution_report(
            contribution=contribution, reporter=client_fingerprint(request), reason=reason
        ):
            messages.success(request, _("Thank you. The moderators will look at it."))
        else:
            messages.info(request, _("You have already reported this contribution."))
        return back
    if not permissions.can_moderate(request.user, process):
        return deny(request)
    if action == "ausblenden":
        form = HideForm(request.POST, prefix="hide")
        if form.is_valid():
            services.contribution_hide(
                contribution=contribution, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The contribution is hidden; a placeholder remains."))
        else:
            messages.error(request, _("Give a public reason for hiding it."))
    elif action == "einblenden":
        services.contribution_unhide(contribution=contribution)
        messages.success(request, _("The contribution is shown again."))
    elif action == "abwaegen":
        form = DispositionForm(request.POST, prefix="dispose")
        if form.is_valid():
            services.contribution_dispose(
                contribution=contribution, user=request.user, **form.cleaned_data
            )
            messages.success(request, _("The disposition is saved and published."))
        else:
            messages.error(request, _("Choose a disposition and give the reason."))
    elif action == "uebernehmen":
        form = AcceptAmendmentForm(request.POST, prefix="accept")
        if form.is_valid():
            try:
                services.amendment_accept(
                    contribution=contribution,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The amendment is taken up; the draft goal changed."))
        else:
            messages.error(request, _("Give the new wording and the reason."))
    else:
        raise Http404
    return back


@require_http_methods(["GET", "POST"])
def contribution_enter(request, process, event):
    """Staff write down what was said at an event."""
    process = selectors.process_get(process)
    if not permissions.can_moderate(request.user, process):
        return deny(request)
    event = _event(request, process, event)
    form = StaffEntryForm(request.POST or None, edition=process.draft_edition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contribution_enter(process=process, user=request.user, event=event, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contribution is recorded and published."))
            return redirect(request.path)
    return render(
        request,
        "participation/contribution_enter.html",
        {
            "process": process,
            "event": event,
            "form": form,
            "recent": event.contributions.select_related("goal__field").order_by("-created_at")[
                :20
            ],
        },
    )


def goal_history(request, edition, field, goal):
    """How this goal came about: contributions, events, dispositions and text history."""
    edition = Edition.objects.public().filter(slug=edition).first()
    if edition is None:
        raise Http404(_("No such edition."))
    goal = (
        Goal.objects.for_display()
        .select_related("predecessor__edition", "predecessor__field")
        .filter(edition=edition, field__slug=field, slug=goal)
        .first()
    )
    if goal is None:
        raise Http404(_("No such goal."))
    process = edition.drafting_processes.first()
    return render(
        request,
        "participation/goal_history.html",
        {
            "edition": edition,
            "goal": goal,
            "history": selectors.goal_history(goal),
            "process": process,
        },
    )


# Rows of the consideration table per page; the CSV and XLSX downloads hold every row.
CONSIDERATION_PAGE_SIZE = 100
# Threads per page on a draft goal's discussion, as on the list of all contributions.
THREADS_PAGE_SIZE = 50


def consideration_table(request, process):
    process = selectors.process_get(process)
    page = Paginator(
        selectors.consideration_contributions(process), CONSIDERATION_PAGE_SIZE
    ).get_page(request.GET.get("seite"))
    return render(
        request,
        "participation/consideration.html",
        {
            "process": process,
            "rows": selectors.consideration_rows(process, page.object_list),
            "page_obj": page,
            "counts": selectors.consideration_counts(process),
        },
    )


def consideration_export(request, process, fmt):
    process = selectors.process_get(process)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    headers, rows = selectors.consideration_table(process)
    return table_response(
        filename=f"abwaegungstabelle-{process.slug}",
        fmt=fmt,
        headers=headers,
        rows=rows,
        title=_("Consideration table"),
    )
