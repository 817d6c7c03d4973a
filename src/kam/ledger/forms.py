from __future__ import annotations

import codecs

from django import forms
from django.utils.translation import gettext_lazy as _

KINDS = [
    ("ledger", _("Invoice lines (ledger)")),
    ("payments", _("Payments")),
    ("accounts", _("Accounts")),
    ("products", _("Products")),
    ("rates", _("Exchange rates")),
]
MAX_UPLOAD = 2 * 1024**3  # 2 GiB: a few years of a large ERP's lines


def parse_pairs(text: str, *, field: str) -> dict[str, str]:
    """'ours=theirs' lines into a dict, refusing anything else with the line number."""
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        ours, sep, theirs = line.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise forms.ValidationError(
                _("Line %(line)s of %(field)s: write ours=theirs, got %(text)s"),
                params={"line": number, "field": field, "text": line},
            )
        pairs[ours.strip()] = theirs.strip()
    return pairs


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS)
    file = forms.FileField(label=_("CSV or XLSX file"))
    mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: our field=your column, e.g. invoice_number=orderNumber"),
    )
    constants = forms.CharField(
        label=_("Fixed values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a field your file lacks, e.g. currency=USD"),
    )
    encoding = forms.CharField(
        label=_("Encoding"),
        required=False,
        max_length=40,
        help_text=_(
            "Only for a CSV file not saved as UTF-8, e.g. cp1252 (Excel's CSV in Western "
            "Europe), gbk or big5"
        ),
    )
    skip_bad = forms.BooleanField(
        label=_("Apply the good rows and set the bad ones aside"),
        required=False,
        help_text=_("Otherwise one bad row refuses the whole file and nothing changes."),
    )

    round_money = forms.BooleanField(
        label=_("Round amounts to the currency's minor unit"),
        required=False,
        help_text=_(
            "For spreadsheet exports with 3 or 4 decimals (12.345): rounded half to even, "
            "and the import reports how many and by how much."
        ),
    )

    number_lines = forms.BooleanField(
        label=_("Number the lines of each invoice"),
        required=False,
        help_text=_(
            "For invoice lines without a line number: 1, 2, 3... within each invoice, in "
            "the order of the file. Import later versions of the file in the same order."
        ),
    )

    credit_prefix = forms.CharField(
        label=_("Prefix of credit notes"),
        required=False,
        max_length=16,
        help_text=_(
            "Ledger only, e.g. C: invoice C100234 (or one whose every line is a return) is a "
            "credit note cancelling invoice 100234."
        ),
    )

    create_accounts = forms.BooleanField(
        label=_("Create the accounts the file lacks"),
        required=False,
        help_text=_(
            "Ledger only: from the file's account_name and account_country columns (map "
            "yours to them); accounts already in kam are left as they are."
        ),
    )

    cost_unknown = forms.BooleanField(
        label=_("Lines without cost: cost unknown"),
        required=False,
        help_text=_(
            "For a ledger export with no cost: its margin is shown as unknown and scored "
            "neutrally, instead of every line being refused."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("The file is larger than 2 GB; use `kam import` instead.")
            )
        return upload

    def clean_encoding(self):
        encoding = self.cleaned_data["encoding"].strip()
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise forms.ValidationError(
                    _("Unknown encoding %(encoding)s: try cp1252, latin-1, gbk or big5."),
                    params={"encoding": encoding},
                ) from None
        return encoding or None

    def clean_credit_prefix(self):
        return self.cleaned_data["credit_prefix"].strip() or None

    def clean_mapping(self):
        return parse_pairs(self.cleaned_data["mapping"], field=_("the mapping"))

    def clean_constants(self):
        return parse_pairs(self.cleaned_data["constants"], field=_("the fixed values"))
