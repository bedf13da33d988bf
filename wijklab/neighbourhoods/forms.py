from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from wijklab.forms import strip
from wijklab.neighbourhoods.models import CITY_MAX, DESCRIPTION_MAX, NAME_MAX

REQUIRED = _l("Dit veld is verplicht.")


class NeighbourhoodForm(FlaskForm):
    name = StringField(
        _l("Naam van de wijk"),
        validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)],
        filters=[strip],
    )
    city = StringField(
        _l("Plaats"),
        validators=[DataRequired(REQUIRED), Length(max=CITY_MAX)],
        filters=[strip],
    )
    description = TextAreaField(
        _l("Beschrijving"),
        validators=[Length(max=DESCRIPTION_MAX)],
        description=_l("Wat kenmerkt de wijk? Bewoners, voorzieningen, vraagstukken."),
        filters=[strip],
    )
