from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sinergi.lib.uploads import NotAccepted, UploadRefused
from sinergi.lib.xlsx import NotASpreadsheet, validate_workbook


def too_big_message(size: int) -> str:
    return str(
        _("The file is %(size)s; the largest file accepted is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
    )


class UploadForm(forms.Form):
    """A spreadsheet to import: refused at once if too large, not a workbook, or one that
    fails the upload checks (lib.uploads), naming the reason."""

    file = forms.FileField(
        label=_("Spreadsheet"), help_text=_(".xlsx (also .xls or .ods), first sheet, header row.")
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_big_message(upload.size))
        try:
            validate_workbook(upload)
        except (NotAccepted, NotASpreadsheet) as exc:
            raise forms.ValidationError(
                _("%(name)s is not a spreadsheet (.xlsx, .xls or .ods) or it is damaged."),
                params={"name": upload.name},
            ) from exc
        except UploadRefused as exc:
            raise forms.ValidationError(
                _("%(name)s was refused: %(reason)s"),
                params={"name": upload.name, "reason": str(exc)},
            ) from exc
        return upload


class SubmissionFixForm(forms.Form):
    """A rejected submission's XML, as the officer corrected it (or left it)."""

    xml = forms.CharField(
        label=_("Submission XML"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=_("Correct the answer the reason names (for example a period or a number)."),
    )

    def clean_xml(self) -> str:
        xml: str = self.cleaned_data["xml"]
        if len(xml.encode()) > settings.OPENROSA_MAX_XML_BYTES:
            raise forms.ValidationError(
                _("The XML is larger than %(limit)s."),
                params={"limit": filesizeformat(settings.OPENROSA_MAX_XML_BYTES)},
            )
        return xml
