from django import forms

from .models import Organisation
from .services import PROFILE_FIELDS


class OrganisationProfileForm(forms.ModelForm):
    """What an organisation's representatives keep up to date: public data only."""

    class Meta:
        model = Organisation
        fields = list(PROFILE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "contact": forms.Textarea(attrs={"rows": 4}),
        }
