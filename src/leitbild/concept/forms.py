from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Edition, Goal


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search term"), max_length=200, required=False)
    edition = forms.ModelChoiceField(
        label=_("Edition"),
        queryset=Edition.objects.public().select_related("city"),
        to_field_name="slug",
        required=False,
        empty_label=_("All editions"),
    )


class CompareForm(forms.Form):
    old = forms.ModelChoiceField(
        label=_("Older edition"), queryset=Edition.objects.public(), to_field_name="slug"
    )
    new = forms.ModelChoiceField(
        label=_("Newer edition"), queryset=Edition.objects.public(), to_field_name="slug"
    )

    def clean(self):
        data = super().clean()
        old, new = data.get("old"), data.get("new")
        if old and new:
            if old.city_id != new.city_id:
                raise forms.ValidationError(_("Both editions must belong to the same city."))
            if old.year >= new.year:
                raise forms.ValidationError(_("The older edition must come first."))
        return data


class PredecessorForm(forms.Form):
    predecessor = forms.ModelChoiceField(
        label=_("Predecessor goal"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("None — this goal is new"),
    )

    def __init__(self, *args, old_edition: Edition, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["predecessor"]
        field.queryset = old_edition.goals.select_related("field").order_by(
            "field__position", "position"
        )
        field.label_from_instance = lambda g: f"{g.field.number or '–'} {g.slug}: {g.text[:90]}"
