from django import forms
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
