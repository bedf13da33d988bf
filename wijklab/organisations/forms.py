from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from wijklab.forms import CheckboxListField, IdSelectField, choices, strip
from wijklab.organisations.models import (
    CITY_MAX,
    DEFAULT_RETENTION_YEARS,
    NAME_MAX,
    OrganisationKind,
)

REQUIRED = _l("Dit veld is verplicht.")
KIND_LABELS = {
    OrganisationKind.SCHOOL: _l("School"),
    OrganisationKind.PARTNER: _l("Partnerorganisatie"),
}


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Naam"), validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)], filters=[strip]
    )
    kind = SelectField(
        _l("Soort"),
        choices=choices((k.value, label) for k, label in KIND_LABELS.items()),
        validators=[DataRequired(REQUIRED)],
    )
    city = StringField(_l("Plaats"), validators=[Optional(), Length(max=CITY_MAX)], filters=[strip])
    neighbourhood_id = IdSelectField(_l("Wijk"), validators=[Optional()])
    is_recognised_training_company = BooleanField(_l("Erkend leerbedrijf (SBB)"))
    suitable_levels = CheckboxListField(
        _l("Geschikt voor niveau"), choices=choices([("mbo", _l("mbo")), ("hbo", _l("hbo"))])
    )
    suitable_years = CheckboxListField(
        _l("Geschikt voor studiejaar"),
        choices=choices([(1, "1"), (2, "2"), (3, "3"), (4, "4")]),
        coerce=int,
    )
    schac_home = StringField(
        _l("Instellingsdomein (schacHomeOrganization)"),
        validators=[
            Optional(),
            Length(max=100, message=_l("Gebruik hoogstens 100 tekens.")),
            Regexp(
                r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
                message=_l("Vul een domein in, zoals hva.nl."),
            ),
        ],
        filters=[strip, lambda value: value.lower() if value else value],
        description=_l(
            "Bijvoorbeeld hva.nl: het domein dat de instelling bij inloggen meegeeft. Leeg: "
            "niemand van deze organisatie logt in via de instelling."
        ),
    )
    retention_years = IntegerField(
        _l("Bewaartermijn (jaren)"),
        default=DEFAULT_RETENTION_YEARS,
        validators=[
            Optional(),
            NumberRange(min=1, max=30, message=_l("Kies een bewaartermijn van 1 tot 30 jaar.")),
        ],
        description=_l(
            "Voor scholen: zo lang na hun laatste activiteit blijven de gegevens van studenten en "
            "hun praktijkverklaringen bewaard; daarna maakt de bewaarregel ze anoniem."
        ),
    )
