from django import forms
from django.utils.translation import gettext_lazy as _

from .council import EDITABLE_FIELDS
from .models import CouncilPaper


class CouncilPaperForm(forms.ModelForm):
    """The parts of the council paper that staff decide; the rest comes from the process."""

    topics = forms.MultipleChoiceField(
        label=_("Cross-cutting topics directly concerned"),
        choices=CouncilPaper.Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = CouncilPaper
        fields = EDITABLE_FIELDS
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "overview": forms.Textarea(attrs={"rows": 5}),
            "goals": forms.Textarea(attrs={"rows": 5}),
            "orientation": forms.Textarea(attrs={"rows": 3}),
            "obligation_reason": forms.Textarea(attrs={"rows": 3}),
            "relevance": forms.Textarea(attrs={"rows": 4}),
            "affects_results_plan": forms.RadioSelect,
            "affects_financial_plan": forms.RadioSelect,
            "in_adopted_budget": forms.RadioSelect,
            "in_draft_budget": forms.RadioSelect,
            "future_burden": forms.RadioSelect,
            "already_budgeted": forms.RadioSelect,
            "obligation": forms.RadioSelect,
        }
