from django import forms
from django.utils.translation import gettext_lazy as _


class PrivacyRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The address you used to register, comment or vote."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, erase my data. I know this cannot be undone."), required=True
    )
