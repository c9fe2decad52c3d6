import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from leitbild.concept.models import REVISION_CYCLE_YEARS, Edition


class RevisionStartForm(forms.Form):
    title = forms.CharField(label=_("Title of the process"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        help_text=_("The last part of the process's web address, /beteiligung/<address>/."),
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    draft_year = forms.IntegerField(
        label=_("Year of the new edition"),
        help_text=_("The draft is a copy of the current edition under this year."),
    )

    def __init__(self, *args, base: Edition, today: dt.date, **kwargs):
        # Due after one cycle, but never in the past: a late revision aims at next year.
        year = max(base.year + REVISION_CYCLE_YEARS, today.year + 1)
        kwargs.setdefault(
            "initial",
            {
                # Content is written in German whatever the interface language (see
                # docs/architecture.md, "Multilingual content"), so is this suggestion.
                "title": f"Fortschreibung {today.year}–{year}",
                "slug": f"fortschreibung-{today.year}-{year}",
                "starts_on": today,
                "draft_year": year,
            },
        )
        super().__init__(*args, **kwargs)
        self.base = base
        self.fields["draft_year"].widget.attrs.update(min=base.year + 1)

    def clean_draft_year(self) -> int:
        year = self.cleaned_data["draft_year"]
        # The service refuses an earlier year; a far later one is a typing error.
        if year > self.base.year + 4 * REVISION_CYCLE_YEARS:
            raise forms.ValidationError(
                _("%(year)s is more than %(limit)s years after %(base)s."),
                params={"year": year, "limit": 4 * REVISION_CYCLE_YEARS, "base": self.base.year},
            )
        return year
