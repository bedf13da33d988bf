from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wijklab.forms import IdSelectField, date_in_range, not_before, strip
from wijklab.statements.models import NOTE_MAX, REASON_MAX


class RequestForm(FlaskForm):
    """The student's request: the cut-off date ("stand per") and an optional note."""

    cutoff_date = DateField(
        _l("Stand per"),
        validators=[InputRequired(_l("Vul een geldige datum in.")), date_in_range],
        description=_l("De verklaring telt goedgekeurd werk tot en met deze datum."),
    )
    note = TextAreaField(
        _l("Toelichting voor de wijkdocent (niet verplicht)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip],
    )


class ReturnRequestForm(FlaskForm):
    reason = TextAreaField(
        _l("Waarom geef je de aanvraag terug?"),
        validators=[DataRequired(_l("Dit veld is verplicht.")), Length(max=REASON_MAX)],
        filters=[strip],
    )


class CommitteeExportForm(FlaskForm):
    """Which school and period to download for the exam committee; a GET form."""

    class Meta:
        csrf = False

    school = IdSelectField(_l("School"), validators=[InputRequired(_l("Kies een school."))])
    start = DateField(
        _l("Stand per vanaf"),
        validators=[InputRequired(_l("Vul een geldige datum in.")), date_in_range],
    )
    end = DateField(
        _l("Stand per tot en met"),
        validators=[
            InputRequired(_l("Vul een geldige datum in.")),
            date_in_range,
            not_before("start"),
        ],
    )
