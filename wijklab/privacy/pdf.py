"""The readable PDF of a person's own data: one section per table of the register, each row as
label and value pairs, drawn with the statements' document (DejaVu Sans, fpdf2)."""

from __future__ import annotations

import contextlib
import json

from flask_babel import gettext as _

from wijklab.privacy.register import REGISTER
from wijklab.statements.pdf import INK_SOFT, Document, as_datetime, clean, long_date

# A very long value (a frozen statement) is cut in the PDF; the JSON download has it whole.
VALUE_MAX = 1500
# Longer values are printed as paragraphs below the row's table.
SHORT_MAX = 300


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    text = clean(str(value))
    if text.startswith(("{", "[")):
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    if len(text) > VALUE_MAX:
        text = text[:VALUE_MAX] + " …"
    return text


def personal_data_pdf(data: dict) -> bytes:
    person = data["person"]
    created = as_datetime(data["generated_at"])
    pdf = Document(
        title=_("Mijn gegevens: %(name)s", name=person["name"]),
        created=created,
        footer=_("Alle gegevens die wijklab over %(name)s bewaart", name=person["name"]),
    )
    pdf.set_subject(_("Mijn gegevens"))
    pdf.title_block(
        _("Mijn gegevens"),
        _(
            "Alles wat wijklab over %(name)s bewaart, op %(date)s",
            name=person["name"],
            date=long_date(created),
        ),
    )
    pdf.fields([(_("Naam"), person["name"]), (_("E-mailadres"), person["email"])])
    for table_name, section in data["tables"].items():
        entry = REGISTER.get(table_name)
        title = str(entry.title) if entry else table_name
        pdf.heading(_("%(title)s (%(count)s)", title=title, count=len(section["rows"])))
        for number, row in enumerate(section["rows"], start=1):
            if number > 1:
                pdf.ln(2)
            pairs = [(key, _value(value)) for key, value in row.items()]
            # A table row cannot span pages: long texts follow the table as paragraphs.
            pdf.fields([(k, v) for k, v in pairs if len(v) <= SHORT_MAX])
            for key, value in pairs:
                if len(value) > SHORT_MAX:
                    pdf.paragraph(key, size=9, color=INK_SOFT)
                    pdf.paragraph(value, size=9)
    if not data["tables"]:
        pdf.paragraph(_("Er zijn geen gegevens over deze persoon."))
    return pdf.pdf_bytes()
