from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from leitbild.core.uploads import upload_check


class ObservationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("The long layout or an Open SDG indicator CSV; see the data formats guide."),
    )
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("auto", _("Recognise automatically")),
            ("long", _("Long layout (indicator, period, area, …, value)")),
            ("opensdg", _("Open SDG indicator CSV (Year, …, Value)")),
        ],
        initial="auto",
    )
    indicator = forms.ChoiceField(
        label=_("Indicator (for Open SDG files)"), required=False, choices=[]
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—")] + [
            (i.code, f"{i.code}: {i.name}") for i in indicators
        ]

    def clean_file(self):
        # CSV text or an XLSX workbook by content; the reader then checks the table.
        return upload_check(
            self.cleaned_data["file"],
            kinds={"text", "xlsx"},
            max_bytes=settings.OBSERVATIONS_UPLOAD_MAX_BYTES,
        )


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_("A FeatureCollection of polygons with the properties Nr (code) and Name."),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("district", _("Districts (Stadtteile)")), ("borough", _("Boroughs"))],
    )

    def clean_file(self):
        return upload_check(
            self.cleaned_data["file"],
            kinds={"json"},
            max_bytes=settings.BOUNDARIES_UPLOAD_MAX_BYTES,
        )


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Register extract (CSV or Parquet)"),
        help_text=_(
            "One row per resident, anonymised, in the documented register extract format. "
            "The file is deleted as soon as it has been processed; only counts are kept."
        ),
    )
    definition = forms.ChoiceField(label=_("Definition"))
    year = forms.IntegerField(
        label=_("Reference year"),
        min_value=1950,
        max_value=2100,
        help_text=_("Ages are counted for this year, and the figures are published for it."),
    )
    include_expellees = forms.BooleanField(
        label=_("Count Germans born abroad before 1950 (expellees)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        from .models import RegisterRun

        super().__init__(*args, **kwargs)
        self.fields["definition"].choices = RegisterRun.Definition.choices
