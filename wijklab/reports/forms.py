from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from wijklab.forms import date_in_range, not_before

MAX_PERIOD = timedelta(days=3 * 366)
REQUIRED_DATE = _l("Vul een geldige datum in.")


def school_year_start(today: date) -> date:
    """1 August of the running school year."""
    year = today.year if today.month >= 8 else today.year - 1
    return date(year, 8, 1)


class PeriodForm(FlaskForm):
    """A period read from the query string; a GET form, so without a CSRF token."""

    class Meta:
        csrf = False

    start = DateField(_l("Van"), validators=[InputRequired(REQUIRED_DATE), date_in_range])
    end = DateField(
        _l("Tot en met"),
        validators=[InputRequired(REQUIRED_DATE), date_in_range, not_before("start")],
    )

    def validate_end(self, field):
        if self.start.data and field.data and field.data - self.start.data > MAX_PERIOD:
            raise ValidationError(_l("Kies een periode van hoogstens drie jaar."))


class WeeksForm(FlaskForm):
    class Meta:
        csrf = False

    weeks = IntegerField(
        _l("Aantal weken terug"),
        default=6,
        validators=[Optional(), NumberRange(1, 26, _l("Kies 1 tot en met 26 weken."))],
    )
