"""Writes of the participation app: registrations, contributions, dispositions, polls.

Every function is keyword-only and atomic. Errors that a participant can fix are
raised as :class:`django.core.exceptions.ValidationError` keyed by field name, so the
forms and the API show them next to the field they concern.

Seats are counted with the event row locked (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite runs every transaction ``IMMEDIATE``, one writer at a time), so an event is
never overbooked however many people register at the same moment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leitbild.concept.models import Edition, FieldOfAction, Goal, GoalRevision
from leitbild.concept.services import edition_create_draft, goal_update_text

from .models import (
    ApiToken,
    Contribution,
    ContributionReport,
    Event,
    Poll,
    PollBallot,
    Process,
    Registration,
    TargetGroup,
    new_token,
)
from .selectors import process_running_revision
from .tasks import send_participation_mail

log = logging.getLogger(__name__)


def _mail(kind: str, obj) -> None:
    """Queue a mail about ``obj`` (see :mod:`.tasks`).

    Queued inside the caller's transaction: with the database task backend the mail
    is only sent if the change it reports is committed.
    """
    send_participation_mail.enqueue(kind=kind, pk=obj.pk)


def _clean_target_groups(values: Iterable[str]) -> list[str]:
    allowed = set(TargetGroup.values)
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError({"target_groups": _("Unknown target group: %s") % ", ".join(unknown)})
    return values


# Registrations ---------------------------------------------------------------------


def _promote_waiting(event: Event) -> list[Registration]:
    """Fill free seats from the waiting list, first in line first. Event must be locked.

    Nobody moves up once the event is over.
    """
    if event.ends_at < timezone.now():
        return []
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - event.registrations.confirmed().count()
        if free <= 0:
            return []
    waiting = list(event.registrations.waiting()[:free] if free else event.registrations.waiting())
    now = timezone.now()
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        _mail("registration_promoted", registration)
    return waiting


class AlreadyRegistered(ValidationError):
    """The address holds a seat or a place in line already; ``registration`` is that one."""

    def __init__(self, registration: Registration):
        super().__init__({"email": _("This e-mail address is already registered.")})
        self.registration = registration


def registration_remind(*, registration: Registration) -> None:
    """Send someone their registration again (status and cancel link).

    The web form answers a repeated registration like a new one and sends this
    instead, so that the form does not tell strangers who is registered.
    """
    _mail("registration_created", registration)


def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    consent: bool,
    organisation=None,
    organisation_name: str = "",
    stakeholder_group: str = "",
    district=None,
    target_groups: Iterable[str] = (),
    needs_interpreting: str = "",
    needs_childcare: bool = False,
    needs_accessibility: str = "",
    now=None,
) -> Registration:
    """Register for a public event: a seat if one is free, else a place in line."""
    name, email = " ".join((name or "").split()), (email or "").strip().lower()
    errors = {}
    if not name:
        errors["name"] = _("Please enter your name.")
    if not email:
        errors["email"] = _("Please enter your e-mail address.")
    if not consent:
        errors["consent"] = _("Please agree to the privacy notice; we need it to register you.")
    target_groups = _clean_target_groups(target_groups)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not event.registration_open(now):
            raise ValidationError({"event": _("Registration for this event is closed.")})
        existing = event.registrations.active().filter(email=email).first()
        if existing is not None:
            raise AlreadyRegistered(existing)
        seats_taken = event.registrations.confirmed().count()
        full = event.capacity is not None and seats_taken >= event.capacity
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event,
                    name=name,
                    email=email,
                    organisation=organisation,
                    organisation_name=organisation_name.strip(),
                    stakeholder_group=stakeholder_group,
                    district=district,
                    target_groups=target_groups,
                    needs_interpreting=needs_interpreting.strip(),
                    needs_childcare=bool(needs_childcare),
                    needs_accessibility=needs_accessibility.strip(),
                    consent_at=now,
                    status=Registration.Status.WAITING if full else Registration.Status.CONFIRMED,
                    created_at=now,
                )
        except IntegrityError as error:  # the same address, at the same moment
            existing = event.registrations.active().filter(email=email).first()
            raise AlreadyRegistered(existing) from error
        _mail("registration_created", registration)
    return registration


def registration_cancel(*, registration: Registration) -> Registration | None:
    """Cancel; a freed seat goes to the first in line, who is told by e-mail.

    Returns the registration that moved up, if any. Cancelling twice is harmless.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return None
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        promoted = _promote_waiting(event)
    return promoted[0] if promoted else None


def registration_set_attendance(*, event: Event, attended: dict[int, bool | None]) -> int:
    """Staff mark who came; ``attended`` maps registration ids to yes/no/unknown."""
    changed = 0
    with transaction.atomic():
        for registration in event.registrations.filter(pk__in=attended.keys()):
            value = attended[registration.pk]
            if registration.attended != value:
                registration.attended = value
                registration.save(update_fields=["attended"])
                changed += 1
    return changed


EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "mode",
    "place_name",
    "address",
    "room",
    "online_url",
    "capacity",
    "registration_deadline",
    "visibility",
)


def _event_validate(event: Event) -> None:
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        raise ValidationError({"ends_at": _("An event cannot end before it starts.")})
    try:
        event.full_clean(exclude=["process", "phase"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def event_create(*, process: Process, phase=None, fields: Iterable = (), **values) -> Event:
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    if phase is not None and phase.process_id != process.pk:
        raise ValidationError({"phase": _("The phase belongs to another process.")})
    with transaction.atomic():
        event = Event(process=process, phase=phase, **values)
        _event_validate(event)
        event.save()
        event.fields.set(list(fields))
    return event


def event_update(*, event: Event, fields: Iterable | None = None, **values) -> Event:
    """Change the given attributes; raising the capacity moves people up from the line."""
    unknown = set(values) - set(EVENT_FIELDS) - {"phase"}
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        for name, value in values.items():
            setattr(event, name, value)
        if event.phase_id and event.phase.process_id != event.process_id:
            raise ValidationError({"phase": _("The phase belongs to another process.")})
        _event_validate(event)
        event.sequence += 1
        event.save()
        if fields is not None:
            event.fields.set(list(fields))
        _promote_waiting(event)
    return event


# Contributions ----------------------------------------------------------------------

MAX_BODY = 5000


def _check_goal(process: Process, goal: Goal | None) -> None:
    if goal is not None and goal.edition_id != process.draft_edition_id:
        raise ValidationError({"goal": _("Only goals of this process's draft can be discussed.")})


def contribution_submit(
    *,
    process: Process,
    kind: str,
    body: str,
    email: str,
    author_name: str = "",
    goal: Goal | None = None,
    field: FieldOfAction | None = None,
    parent: Contribution | None = None,
    quote: str = "",
    proposed_text: str = "",
    email_confirmed: bool = False,
    organisation=None,
    stakeholder_group: str = "",
    district=None,
    target_groups: Iterable[str] = (),
) -> Contribution:
    """A visitor's comment, amendment, idea or reply.

    It is published once its e-mail address is confirmed: at once when the visitor
    confirmed that address before in this browser session (``email_confirmed``),
    otherwise after they follow the link we send.
    """
    body, email = (body or "").strip(), (email or "").strip().lower()
    quote = " ".join((quote or "").split())
    proposed_text = " ".join((proposed_text or "").split())
    errors = {}
    draft = process.draft_edition
    if not process.contributions_open or draft is None or not draft.published:
        errors["process"] = _("This process is not taking contributions at the moment.")
    if not body:
        errors["body"] = _("Please write your contribution.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("Please keep it under %(max)d characters.") % {"max": MAX_BODY}
    if not email:
        errors["email"] = _("Please enter your e-mail address; we send you a confirmation link.")
    if kind not in Contribution.Kind.values:
        errors["kind"] = _("Unknown kind of contribution.")
    if kind in (Contribution.Kind.COMMENT, Contribution.Kind.AMENDMENT) and goal is None:
        errors["goal"] = _("Choose the goal this is about.")
    if kind == Contribution.Kind.AMENDMENT and not proposed_text:
        errors["proposed_text"] = _("Please enter the wording you propose.")
    if kind == Contribution.Kind.IDEA and field is None:
        errors["field"] = _("Choose the field of action this idea is for.")
    if kind == Contribution.Kind.REPLY:
        if parent is None or parent.status != Contribution.Status.PUBLISHED:
            errors["parent"] = _("You can only reply to a published contribution.")
        elif parent.process_id != process.pk:
            errors["parent"] = _("That contribution belongs to another process.")
    if goal is not None and quote and quote not in " ".join(goal.text.split()):
        errors["quote"] = _("The quoted passage is not part of the goal's text.")
    if field is not None and field.edition_id != process.draft_edition_id:
        errors["field"] = _("Only fields of action of this process's draft can be chosen.")
    if errors:
        raise ValidationError(errors)
    _check_goal(process, goal)
    if kind == Contribution.Kind.REPLY:
        goal, field = parent.goal, parent.field
    now = timezone.now()
    with transaction.atomic():
        contribution = Contribution.objects.create(
            process=process,
            kind=kind,
            goal=goal,
            field=field or (goal.field if goal else None),
            parent=parent,
            quote=quote,
            body=body,
            proposed_text=proposed_text,
            author_name=" ".join(author_name.split())[:120],
            email=email,
            organisation=organisation,
            stakeholder_group=stakeholder_group,
            district=district,
            target_groups=_clean_target_groups(target_groups),
            status=(
                Contribution.Status.PUBLISHED if email_confirmed else Contribution.Status.PENDING
            ),
            created_at=now,
            confirmed_at=now if email_confirmed else None,
        )
        if not email_confirmed:
            _mail("contribution_confirm", contribution)
    return contribution


def contribution_confirm(*, token: str) -> Contribution:
    """Publish a contribution whose author followed the link in our e-mail."""
    with transaction.atomic():
        contribution = Contribution.objects.select_for_update().get(token=token)
        if contribution.status == Contribution.Status.PENDING:
            contribution.status = Contribution.Status.PUBLISHED
            contribution.confirmed_at = timezone.now()
            contribution.save(update_fields=["status", "confirmed_at"])
    return contribution


def contribution_enter(
    *,
    process: Process,
    user,
    body: str,
    event: Event | None = None,
    kind: str = Contribution.Kind.COMMENT,
    goal: Goal | None = None,
    field: FieldOfAction | None = None,
    proposed_text: str = "",
    author_name: str = "",
) -> Contribution:
    """Staff record what was said, e.g. at a workshop; published at once."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Please write down what was said.")})
    if event is not None and event.process_id != process.pk:
        raise ValidationError({"event": _("The event belongs to another process.")})
    if kind == Contribution.Kind.AMENDMENT and (goal is None or not proposed_text.strip()):
        raise ValidationError({"proposed_text": _("An amendment needs a goal and a wording.")})
    if goal is None and field is None:
        raise ValidationError({"goal": _("Choose a goal or a field of action.")})
    _check_goal(process, goal)
    now = timezone.now()
    return Contribution.objects.create(
        process=process,
        kind=kind,
        goal=goal,
        field=field or (goal.field if goal else None),
        event=event,
        body=body,
        proposed_text=" ".join(proposed_text.split()),
        author_name=author_name.strip(),
        entered_by=user,
        status=Contribution.Status.PUBLISHED,
        created_at=now,
        confirmed_at=now,
    )


def contribution_report(*, contribution: Contribution, reporter: str, reason: str = "") -> bool:
    """Count one visitor's report; enough of them hide the contribution until staff look.

    Returns ``False`` when this visitor had reported it already.
    """
    with transaction.atomic():
        contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
        try:
            with transaction.atomic():
                ContributionReport.objects.create(
                    contribution=contribution, reporter=reporter, reason=reason.strip()[:300]
                )
        except IntegrityError:
            return False
        contribution.report_count = contribution.reports.count()
        update = ["report_count"]
        if (
            contribution.report_count >= settings.AUTO_HIDE_REPORTS
            and contribution.status == Contribution.Status.PUBLISHED
        ):
            contribution.status = Contribution.Status.HIDDEN
            contribution.hidden_reason = _(
                "Hidden automatically after several reports, until the moderators review it."
            )
            update += ["status", "hidden_reason"]
        contribution.save(update_fields=update)
    return True


def contribution_hide(*, contribution: Contribution, reason: str) -> Contribution:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say publicly why it is hidden.")})
    with transaction.atomic():
        contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
        contribution.status = Contribution.Status.HIDDEN
        contribution.hidden_reason = reason[:300]
        contribution.save(update_fields=["status", "hidden_reason"])
    return contribution


def contribution_unhide(*, contribution: Contribution) -> Contribution:
    """Show it again; the reports so far are cleared so that it is not hidden at once."""
    with transaction.atomic():
        contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
        contribution.reports.all().delete()
        contribution.status = Contribution.Status.PUBLISHED
        contribution.hidden_reason = ""
        contribution.report_count = 0
        contribution.save(update_fields=["status", "hidden_reason", "report_count"])
    return contribution


def contribution_dispose(
    *, contribution: Contribution, user, disposition: str, reason: str
) -> Contribution:
    """Record how a contribution was weighed, with the public reason."""
    if disposition not in Contribution.Disposition.values or not disposition:
        raise ValidationError({"disposition": _("Choose a disposition.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason; it is published with the decision.")})
    contribution.disposition = disposition
    contribution.disposition_reason = reason.strip()
    contribution.disposed_at = timezone.now()
    contribution.disposed_by = user
    contribution.save(
        update_fields=["disposition", "disposition_reason", "disposed_at", "disposed_by"]
    )
    return contribution


def goal_revise(
    *,
    goal: Goal,
    text: str,
    user,
    note: str = "",
    contributions: Iterable[Contribution] = (),
) -> GoalRevision | None:
    """Reword a draft goal and record which contributions led to the change."""
    contributions = list(contributions)
    for contribution in contributions:
        if contribution.process.draft_edition_id != goal.edition_id:
            raise ValidationError({"contributions": _("A contribution is from another process.")})
    if goal.edition.status != Edition.Status.DRAFT:
        raise ValidationError({"text": _("Only goals of a draft edition can be reworded.")})
    if not " ".join((text or "").split()):
        raise ValidationError({"text": _("A goal needs a text.")})
    with transaction.atomic():
        revision = goal_update_text(goal=goal, text=text, user=user, note=note)
        if revision is not None and contributions:
            revision.contributions.add(*contributions)
    return revision


def amendment_accept(
    *, contribution: Contribution, user, reason: str, text: str = ""
) -> GoalRevision | None:
    """Take up a contribution as an amendment: the draft goal changes, and the change cites it.

    For a proposed rewording ``text`` lets staff adjust the wording; the disposition is
    then "partly taken up". A comment without a proposal is taken up with the wording
    staff write from it.
    """
    if contribution.goal_id is None or not (text or contribution.proposed_text):
        raise ValidationError({"contribution": _("This contribution proposes no wording.")})
    wording = " ".join((text or contribution.proposed_text).split())
    with transaction.atomic():
        revision = goal_revise(
            goal=contribution.goal,
            text=wording,
            user=user,
            note=reason,
            contributions=[contribution],
        )
        proposed = " ".join(contribution.proposed_text.split())
        disposition = (
            Contribution.Disposition.TAKEN_UP
            if not proposed or wording == proposed
            else Contribution.Disposition.PARTLY
        )
        contribution_dispose(
            contribution=contribution, user=user, disposition=disposition, reason=reason
        )
    return revision


# Polls -------------------------------------------------------------------------------


def ballot_submit(*, poll: Poll, email: str, allocation: dict[int, int]) -> PollBallot:
    """Distribute the poll's points; counted once the e-mail address is confirmed.

    A second ballot from the same address replaces the first (after confirming again):
    one vote per confirmed e-mail address.
    """
    email = (email or "").strip().lower()
    errors = {}
    if not poll.is_open():
        errors["poll"] = _("This poll is closed.")
    if not email:
        errors["email"] = _("Please enter your e-mail address; we send you a confirmation link.")
    options = set(poll.options.values_list("pk", flat=True))
    cleaned = {}
    for key, value in allocation.items():
        if int(key) not in options:
            errors["allocation"] = _("One of the fields is not part of this poll.")
            break
        if value is None or int(value) < 0:
            errors["allocation"] = _("Points cannot be negative.")
            break
        if poll.max_per_option and int(value) > poll.max_per_option:
            errors["allocation"] = _("At most %(max)d points per field of action.") % {
                "max": poll.max_per_option
            }
            break
        if int(value):
            cleaned[str(int(key))] = int(value)
    if "allocation" not in errors and sum(cleaned.values()) != poll.points:
        errors["allocation"] = _(
            "Please distribute exactly %(points)d points (you gave %(given)d)."
        ) % {
            "points": poll.points,
            "given": sum(cleaned.values()),
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ballot, _created = PollBallot.objects.select_for_update().get_or_create(
            poll=poll, email=email
        )
        # The new points wait beside the counted ones until this address confirms
        # them: someone who merely knows the address cannot void a counted vote.
        ballot.pending_allocation = cleaned
        ballot.token = new_token()
        ballot.save(update_fields=["pending_allocation", "token"])
        _mail("ballot_confirm", ballot)
    return ballot


def ballot_confirm(*, token: str) -> PollBallot:
    """Count the points the link was sent for; they replace earlier ones of the address."""
    with transaction.atomic():
        ballot = PollBallot.objects.select_for_update().get(token=token)
        if ballot.pending_allocation is not None:
            ballot.allocation = ballot.pending_allocation
            ballot.pending_allocation = None
            ballot.confirmed_at = timezone.now()
            ballot.save(update_fields=["allocation", "pending_allocation", "confirmed_at"])
    return ballot


# API tokens ----------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user) -> str:
    """Make a new token for a staff user and return it; only its hash is kept."""
    import secrets

    if not (user.is_active and user.is_staff):
        raise ValidationError({"user": _("API tokens are for active staff users only.")})
    token = "lb_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(token))
    return token


# Revisions ---------------------------------------------------------------------------


@transaction.atomic
def process_start_revision(
    *, base: Edition, title: str, slug: str, starts_on: dt.date, draft_year: int, user
) -> Process:
    """Start the next revision of the adopted edition ``base``: a process and its draft.

    The draft is a copy of ``base`` (``concept.services.edition_create_draft``, every
    goal carried over with ``base``'s goal as its predecessor). Refused, with a
    :class:`ValidationError`, when ``base`` is not the adopted edition, when a revision
    of it is already running (see ``selectors.process_running_revision``), or when the
    draft year or the address is taken. ``user`` joins the process's staff: whoever
    starts a revision runs it, and may add colleagues in the administration.
    """
    # Lock the base row so that two people pressing the button at once cannot both
    # pass the "already running" check (PostgreSQL; SQLite writers queue anyway).
    base = Edition.objects.select_for_update().select_related("city").get(pk=base.pk)
    if base.status != Edition.Status.ADOPTED:
        raise ValidationError(
            _("Only the adopted edition can be revised; %(edition)s is “%(status)s”.")
            % {"edition": base, "status": base.get_status_display()}
        )
    running = process_running_revision(base=base)
    if running is not None:
        raise ValidationError(
            _(
                "The revision “%(title)s” of this edition is already running. Its draft "
                "has to be adopted before the next revision can start."
            )
            % {"title": running.title}
        )
    errors = {}
    if draft_year <= base.year:
        errors["draft_year"] = _("The new edition has to be later than %(year)s.") % {
            "year": base.year
        }
    elif Edition.objects.filter(city=base.city, year=draft_year).exists():
        errors["draft_year"] = _("%(city)s has an edition of %(year)s already.") % {
            "city": base.city,
            "year": draft_year,
        }
    if Process.objects.filter(slug=slug).exists():
        errors["slug"] = _("Another participation process has this address.")
    if errors:
        raise ValidationError(errors)
    draft = edition_create_draft(source=base, year=draft_year, title=base.title)
    process = Process.objects.create(
        title=title,
        slug=slug,
        base_edition=base,
        draft_edition=draft,
        starts_on=starts_on,
    )
    if user is not None and user.is_staff:
        process.staff.add(user)
    log.info("Revision %s of edition %s started by %s", process.slug, base.slug, user)
    return process


# Data protection ---------------------------------------------------------------------


def _pseudonym(email: str) -> str:
    """A keyed hash in place of an address: the same person still counts once in the
    statistics, but nobody can tell who it was without the secret key."""
    import hmac

    if email.endswith("@erased.invalid"):
        return email
    digest = hmac.new(settings.SECRET_KEY.encode(), email.encode(), "sha256").hexdigest()
    return f"{digest[:24]}@erased.invalid"


def _registration_anonymise(registration: Registration) -> None:
    registration.name = ""
    registration.email = _pseudonym(registration.email)
    registration.organisation_name = ""
    registration.needs_interpreting = ""
    registration.needs_childcare = False
    registration.needs_accessibility = ""
    registration.save()


def registrations_anonymise(*, now=None) -> int:
    """Anonymise the registrations of events that ended more than
    ``REGISTRATION_RETENTION_DAYS`` ago — what the consent text promises for every
    event, whether or not its process has been purged. Returns how many changed.

    Run daily (``leitbild anonymise-registrations``; ``serve --production`` schedules it).
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.REGISTRATION_RETENTION_DAYS)
    stale = Registration.objects.filter(event__ends_at__lt=cutoff).exclude(
        email__endswith="@erased.invalid"
    )
    count = 0
    with transaction.atomic():
        for registration in stale.select_for_update().iterator():
            _registration_anonymise(registration)
            count += 1
    return count


def process_purge_personal_data(*, process: Process) -> dict[str, int]:
    """Erase what identifies people once a process is over, as the consent text promises.

    Names, needs and free-text organisations are cleared; e-mail addresses are replaced
    by a keyed hash, so that the who-took-part statistics still count each person once
    and poll ballots stay one per address. Group, organisation, district and target
    groups stay: they are only ever shown as suppressed aggregates.
    """
    counts = {"registrations": 0, "contributions": 0, "ballots": 0}
    with transaction.atomic():
        for registration in Registration.objects.filter(event__process=process).exclude(
            email__endswith="@erased.invalid"
        ):
            _registration_anonymise(registration)
            counts["registrations"] += 1
        for contribution in process.contributions.exclude(email="").exclude(
            email__endswith="@erased.invalid"
        ):
            contribution.email = _pseudonym(contribution.email)
            contribution.save(update_fields=["email"])
            counts["contributions"] += 1
        for ballot in PollBallot.objects.filter(poll__process=process).exclude(
            email__endswith="@erased.invalid"
        ):
            ballot.email = _pseudonym(ballot.email)
            ballot.save(update_fields=["email"])
            counts["ballots"] += 1
        ContributionReport.objects.filter(contribution__process=process).delete()
    return counts
