from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext_lazy as _

from leitbild.actors.models import Organisation
from leitbild.concept.models import District

from .models import Contribution, Registration, StakeholderGroup, TargetGroup


def _text(value) -> str:
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: dict) -> str:
    """As ``django/forms/widgets/attrs.html`` writes them."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Django's ``<select>``, written in Python instead of one template per option.

    The same HTML as ``django/forms/widgets/select.html`` (a test compares them). The
    forms on the event, draft goal and contributions pages list a city's organisations
    — a hundred and more options — and rendering each through its template took
    about 20 ms a page, a third of the event page's time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{_text(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts).strip())


class HoneypotForm(forms.Form):
    """A field people never see (hidden by CSS); bots that fill every field fill it too."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This field must stay empty."))
        return ""

    @property
    def is_spam(self) -> bool:
        return "website" in self.errors


class PersonForm(HoneypotForm):
    """Optional facts about the person, for the who-took-part statistics."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation (optional)"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=Select,
    )
    stakeholder_group = forms.ChoiceField(
        label=_("I take part as (optional)"),
        choices=[("", "—"), *StakeholderGroup.choices],
        required=False,
        widget=Select,
    )
    district = forms.ModelChoiceField(
        label=_("District I live or work in (optional)"),
        queryset=District.objects.none(),
        required=False,
        widget=Select,
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Do any of these apply to you? (optional)"),
        help_text=_(
            "Voluntary. Only used for anonymous counts, so that we see whether groups that "
            "were under-represented before are reached. Counts below five are never shown."
        ),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, city=None, **kwargs):
        super().__init__(*args, **kwargs)
        if city is not None:
            self.fields["organisation"].queryset = Organisation.objects.filter(city=city)
            self.fields["district"].queryset = District.objects.filter(
                city=city, level=District.Level.BOROUGH
            ).order_by("number")

    def person_data(self) -> dict:
        data = self.cleaned_data
        return {
            "organisation": data.get("organisation"),
            "stakeholder_group": data.get("stakeholder_group") or "",
            "district": data.get("district"),
            "target_groups": data.get("target_groups") or [],
        }


class RegistrationForm(PersonForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    organisation_name = forms.CharField(
        label=_("Organisation, if not in the list (optional)"), max_length=300, required=False
    )
    needs_interpreting = forms.CharField(
        label=_("I need interpreting into (language, optional)"), max_length=100, required=False
    )
    needs_childcare = forms.BooleanField(label=_("I need childcare"), required=False)
    needs_accessibility = forms.CharField(
        label=_("Accessibility needs (optional)"), max_length=300, required=False
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my details are stored to organise this event and deleted after the "
            "process. Only the process staff see them."
        ),
        required=True,
    )
    field_order = [
        "name",
        "email",
        "organisation",
        "organisation_name",
        "stakeholder_group",
        "district",
        "target_groups",
        "needs_interpreting",
        "needs_childcare",
        "needs_accessibility",
        "consent",
        "website",
    ]


class ContributionForm(PersonForm):
    """A comment or proposed rewording on a draft goal."""

    kind = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=[
            (Contribution.Kind.COMMENT, _("Comment on this goal")),
            (Contribution.Kind.AMENDMENT, _("Propose a new wording")),
        ],
        widget=forms.RadioSelect,
        initial=Contribution.Kind.COMMENT,
    )
    quote = forms.CharField(
        label=_("Passage you refer to (optional)"),
        help_text=_("Select words in the goal above, or copy them here."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(label=_("Your contribution"), widget=forms.Textarea(attrs={"rows": 5}))
    proposed_text = forms.CharField(
        label=_("Proposed wording (for a new wording)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    author_name = forms.CharField(
        label=_("Name shown with it (optional; empty = anonymous)"), max_length=120, required=False
    )
    email = forms.EmailField(
        label=_("E-mail (not published)"),
        help_text=_("We send you a link to confirm; your contribution appears after that."),
    )
    field_order = [
        "kind",
        "quote",
        "body",
        "proposed_text",
        "author_name",
        "email",
        "organisation",
        "stakeholder_group",
        "district",
        "target_groups",
        "website",
    ]


class IdeaForm(PersonForm):
    field = forms.ModelChoiceField(label=_("Field of action"), queryset=None)
    body = forms.CharField(label=_("Your idea"), widget=forms.Textarea(attrs={"rows": 5}))
    author_name = forms.CharField(
        label=_("Name shown with it (optional; empty = anonymous)"), max_length=120, required=False
    )
    email = forms.EmailField(
        label=_("E-mail (not published)"),
        help_text=_("We send you a link to confirm; your idea appears after that."),
    )
    field_order = ["field", "body", "author_name", "email"]

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = fields


class ReplyForm(HoneypotForm):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}))
    author_name = forms.CharField(
        label=_("Name shown with it (optional)"), max_length=120, required=False
    )
    email = forms.EmailField(label=_("E-mail (not published)"))


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Why? (optional)"), max_length=300, required=False)


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason for hiding"),
        max_length=300,
        help_text=_("Shown in place of the contribution, e.g. 'insulting'."),
    )


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=[c for c in Contribution.Disposition.choices if c[0]],
    )
    reason = forms.CharField(label=_("Public reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AcceptAmendmentForm(forms.Form):
    text = forms.CharField(
        label=_("New wording of the goal"),
        help_text=_("Prefilled with the proposal; adjust it to take the proposal up in part."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(label=_("Public reason"), widget=forms.Textarea(attrs={"rows": 3}))


class GoalReviseForm(forms.Form):
    text = forms.CharField(label=_("Goal text"), widget=forms.Textarea(attrs={"rows": 5}))
    note = forms.CharField(
        label=_("Reason for the change (public)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    contributions = forms.ModelMultipleChoiceField(
        label=_("Contributions that led to this change"),
        queryset=Contribution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, contributions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contributions is not None:
            self.fields["contributions"].queryset = contributions
            self.fields["contributions"].label_from_instance = lambda c: (
                f"#{c.pk} {c.get_kind_display()}: {c.body[:80]}"
            )


class StaffEntryForm(forms.Form):
    """What was said at an event, written down by staff."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Contribution.Kind.COMMENT, _("Comment on a goal")),
            (Contribution.Kind.AMENDMENT, _("Proposed rewording")),
            (Contribution.Kind.IDEA, _("Idea for a field of action")),
        ],
    )
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=None, required=False)
    field = forms.ModelChoiceField(label=_("Field of action"), queryset=None, required=False)
    body = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 4}))
    proposed_text = forms.CharField(
        label=_("Proposed wording"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    author_name = forms.CharField(
        label=_("Said by (only with their consent; optional)"), max_length=120, required=False
    )

    def __init__(self, *args, edition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = edition.goals.select_related("field")
        self.fields["goal"].label_from_instance = lambda g: (
            f"{g.field.number} {g.slug}: {g.text[:70]}"
        )
        self.fields["field"].queryset = edition.fields.all()


class BallotForm(HoneypotForm):
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("One vote per address; we send you a link to confirm.")
    )

    def __init__(self, *args, poll=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.option_fields = []
        for option in poll.options.all():
            name = f"option_{option.pk}"
            self.fields[name] = forms.IntegerField(
                label=str(option),
                min_value=0,
                max_value=poll.max_per_option or poll.points,
                initial=0,
                required=False,
            )
            self.option_fields.append((name, option))

    def allocation(self) -> dict[int, int]:
        return {option.pk: self.cleaned_data.get(name) or 0 for name, option in self.option_fields}


ATTENDANCE_CHOICES = [("", "—"), ("yes", _("attended")), ("no", _("did not attend"))]


def attendance_value(raw: str):
    return {"yes": True, "no": False}.get(raw)


def attendance_raw(registration: Registration) -> str:
    return {True: "yes", False: "no"}.get(registration.attended, "")
