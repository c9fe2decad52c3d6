from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from leitbild.concept.models import Edition, Goal
from leitbild.core.uploads import upload_check

from .models import ActionGoal, ProgressReport


class ActionGoalForm(forms.ModelForm):
    class Meta:
        model = ActionGoal
        fields = [
            "goal",
            "text",
            "responsible",
            "indicators",
            "baseline_value",
            "baseline_year",
            "target_value",
            "direction",
            "deadline",
        ]
        localized_fields = ["baseline_value", "target_value"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "responsible": forms.SelectMultiple(attrs={"size": 6}),
            "indicators": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        goals = (
            Goal.objects.exclude(edition__status=Edition.Status.ARCHIVED)
            .select_related("field", "edition")
            .order_by("-edition__year", "field__position", "position")
        )
        self.fields["goal"].queryset = goals
        self.fields["goal"].label_from_instance = lambda g: (
            f"{g.edition.year} · {g.field.number} {g.slug}: {g.text[:70]}"
        )


class ProgressReportForm(forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["reported_on", "text", "percent", "attachment"]
        widgets = {
            "reported_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"attachment": _("Attachment (PDF, optional)")}

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if isinstance(upload, UploadedFile):  # a new file, not the one already stored
            # Served from /media/ under its own name, so the name must fit the content
            # too: an HTML page named .pdf would otherwise reach readers' browsers.
            upload_check(
                upload,
                kinds={"pdf", "png", "jpeg", "odt", "docx", "xlsx", "text"},
                max_bytes=settings.ATTACHMENT_MAX_BYTES,
                name_must_fit=True,
            )
        return upload
