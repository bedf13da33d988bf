from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField
from wtforms.validators import Optional, ValidationError

from wijklab.forms import IdSelectField, choices
from wijklab.reports.forms import EARLIEST, LATEST

DATASETS = {"participations": _l("Taakdeelnames"), "goals": _l("Leerdoelen")}
FORMATS = {"xlsx": _l("Excel (xlsx)"), "csv": _l("CSV (UTF-8, puntkomma)")}


class ExportForm(FlaskForm):
    """What to export, in which format, filtered by project, team, student and period; read
    from the query string (a GET form: an export changes nothing)."""

    class Meta:
        csrf = False

    dataset = RadioField(
        _l("Wat wil je exporteren?"),
        choices=choices(DATASETS.items()),
        default="participations",
    )
    fmt = RadioField(_l("Formaat"), choices=choices(FORMATS.items()), default="xlsx")
    project = IdSelectField(_l("Project"), validators=[Optional()])
    team = IdSelectField(_l("Team"), validators=[Optional()])
    student = IdSelectField(_l("Student"), validators=[Optional()])
    start = DateField(_l("Van"), validators=[Optional()])
    end = DateField(_l("Tot en met"), validators=[Optional()])

    def validate_start(self, field):
        if field.data and not EARLIEST <= field.data <= LATEST:
            raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))

    def validate_end(self, field):
        if not field.data:
            return
        if not EARLIEST <= field.data <= LATEST:
            raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))
        if self.start.data and field.data < self.start.data:
            raise ValidationError(_l("De einddatum ligt vóór de begindatum."))
