from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, Length

from wijklab.api.models import LIFETIMES, NAME_MAX, TokenScope
from wijklab.forms import choices, strip

SCOPE_LABELS = {
    TokenScope.READ: _l("Alleen lezen"),
    TokenScope.READ_WRITE: _l("Lezen en schrijven"),
}
LIFETIME_LABELS = {
    30: _l("30 dagen"),
    90: _l("90 dagen"),
    365: _l("365 dagen"),
}


class TokenForm(FlaskForm):
    """A new personal access token: a name to recognise it by, what it may do, how long."""

    name = StringField(
        _l("Naam"),
        filters=[strip],
        validators=[
            InputRequired(_l("Geef het token een naam, zodat je het later herkent.")),
            Length(max=NAME_MAX, message=_l("Een naam mag hoogstens 80 tekens hebben.")),
        ],
        description=_l("Bijvoorbeeld de naam van het script of de koppeling die het gebruikt."),
    )
    scope = RadioField(
        _l("Wat mag het token?"),
        choices=choices((scope.value, label) for scope, label in SCOPE_LABELS.items()),
        default=TokenScope.READ.value,
        validate_choice=False,
        validators=[
            InputRequired(_l("Kies wat het token mag.")),
            AnyOf(
                [scope.value for scope in TokenScope],
                message=_l("Kies wat het token mag: alleen lezen, of lezen en schrijven."),
            ),
        ],
        description=_l(
            "Met lezen en schrijven kan het token ook taken loggen en goedkeuren, net als jij."
        ),
    )
    lifetime = SelectField(
        _l("Geldig voor"),
        choices=choices((str(days), label) for days, label in LIFETIME_LABELS.items()),
        default="90",
        validate_choice=False,
        validators=[
            InputRequired(_l("Kies hoe lang het token geldig is.")),
            AnyOf(
                [str(days) for days in LIFETIMES],
                message=_l("Kies 30, 90 of 365 dagen."),
            ),
        ],
    )
