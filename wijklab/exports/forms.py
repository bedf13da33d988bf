from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField
from wtforms.validators import Optional

from wijklab.forms import IdSelectField, choices, date_in_range, not_before, strip

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
    # What was typed into a search field (a long list is searched, not listed); the id above
    # is what counts, the text only finds it.
    project_q = StringField(filters=[strip])
    team_q = StringField(filters=[strip])
    student_q = StringField(filters=[strip])
    start = DateField(_l("Van"), validators=[Optional(), date_in_range])
    end = DateField(_l("Tot en met"), validators=[Optional(), date_in_range, not_before("start")])
