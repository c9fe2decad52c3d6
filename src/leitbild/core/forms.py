from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Translation


class TranslationForm(forms.Form):
    text = forms.CharField(label=_("Translation"), widget=forms.Textarea(attrs={"rows": 6}))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Translation.Status.choices,
        help_text=_(
            "Draft → reviewed → published. Only published translations are shown to the "
            "public; a translation can be published once it has been saved as reviewed."
        ),
    )

    def __init__(self, *args, language_meta: dict, html: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed and shown in the target language's own direction (Arabic right to left).
        self.fields["text"].widget.attrs.update(
            {"lang": language_meta["html_lang"], "dir": language_meta["dir"]}
        )
        self.fields["text"].label = _("Translation (%(language)s)") % {
            "language": language_meta["name"]
        }
        if html:
            self.fields["text"].help_text = _(
                "HTML, like the German text: paragraphs, lists, emphasis and links are kept; "
                "anything else is removed when saving."
            )
            self.fields["text"].widget.attrs["rows"] = 16


class PasswordResetRequestForm(PasswordResetForm):
    """Asks for the link to set a new password. The mail goes through the task worker,
    which makes the link itself: no token is stored in the task queue."""

    def save(self, **kwargs) -> None:
        from .tasks import send_password_reset_mail

        for user in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(lambda pk=user.pk: send_password_reset_mail.enqueue(pk))
