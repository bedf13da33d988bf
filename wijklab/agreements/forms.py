from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from wijklab.accounts.forms import WEEKDAY_LABELS
from wijklab.agreements.models import (
    BACKUP_CONTACT_MAX,
    BPV_HOURS_MAX,
    FOCUS_MAX,
    FOCUSES_MAX,
    FOCUSES_MIN,
    HOURS_MAX,
    SUPERVISION_FORM_MAX,
    SUPERVISION_FREQUENCY_MAX,
    Party,
)
from wijklab.forms import CheckboxListField, choices, strip

REQUIRED = _l("Dit veld is verplicht.")
# Three focuses of 200 characters and their line ends, with room for blank lines.
FOCUSES_TEXT_MAX = (FOCUS_MAX + 2) * FOCUSES_MAX + 20
PARTY_LABELS = {
    Party.STUDENT: _l("student"),
    Party.SUPERVISOR: _l("werkbegeleider"),
    Party.WIJKDOCENT: _l("wijkdocent"),
}
# The labels of what an agreement says, in the order the page and the changes list show them.
FIELD_LABELS = {
    "weekdays": _l("Dagen"),
    "hours_per_week": _l("Uren per week"),
    "agreed_bpv_hours": _l("Afgesproken BPV-uren"),
    "learning_focuses": _l("Leerfocus"),
    "supervision_form": _l("Vorm van begeleiding"),
    "supervision_frequency": _l("Hoe vaak begeleiding"),
    "backup_contact": _l("Bij afwezigheid van de werkbegeleider"),
    "brief.summary": _l("Projectopdracht: samenvatting"),
    "brief.expectations": _l("Projectopdracht: wat we van studenten verwachten"),
    "brief.supervision": _l("Projectopdracht: begeleiding"),
    "brief.weekdays": _l("Projectopdracht: dagen"),
    "brief.hours_per_week": _l("Projectopdracht: uren per week"),
}
ACTION_LABELS = {
    "agreement.drawn": _l("Startafspraak opgesteld"),
    "agreement.changed": _l("Startafspraak gewijzigd"),
    "agreement.accepted": _l("Startafspraak geaccepteerd"),
    "agreement.completed": _l("Startafspraak door alle drie geaccepteerd"),
    "agreement.profile_hours": _l("Uren in het studentprofiel bijgewerkt uit de startafspraak"),
}


def _focus_lines(form, field) -> None:
    lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if not FOCUSES_MIN <= len(lines) <= FOCUSES_MAX:
        raise ValidationError(_l("Schrijf twee of drie leerfocussen, elk op een eigen regel."))
    if any(len(line) > FOCUS_MAX for line in lines):
        raise ValidationError(_l("Een leerfocus is hoogstens 200 tekens."))


class AgreementForm(FlaskForm):
    weekdays = CheckboxListField(
        _l("Dagen waarop je werkt"), choices=choices(WEEKDAY_LABELS), coerce=int
    )
    hours_per_week = IntegerField(
        _l("Uren per week"),
        validators=[
            InputRequired(_l("Vul een heel aantal uren in.")),
            NumberRange(0, HOURS_MAX, _l("Kies 0 tot en met 40 uur.")),
        ],
    )
    agreed_bpv_hours = IntegerField(
        _l("Afgesproken BPV-uren voor deze plaats"),
        validators=[
            InputRequired(_l("Vul een heel aantal uren in.")),
            NumberRange(0, BPV_HOURS_MAX, _l("Kies 0 tot en met 2000 uur.")),
        ],
        description=_l("Deze uren komen na de akkoorden van alle drie in het studentprofiel."),
    )
    learning_focuses = TextAreaField(
        _l("Leerfocus"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                max=FOCUSES_TEXT_MAX,
                message=_l("Houd het kort: twee of drie regels van hoogstens 200 tekens."),
            ),
            _focus_lines,
        ],
        filters=[strip],
        description=_l("Twee of drie dingen waar je je op richt, elk op een eigen regel."),
    )
    supervision_form = StringField(
        _l("Vorm van begeleiding"),
        validators=[DataRequired(REQUIRED), Length(max=SUPERVISION_FORM_MAX)],
        filters=[strip],
        description=_l("Bijvoorbeeld: een gesprek met de werkbegeleider na de bewonersavond."),
    )
    supervision_frequency = StringField(
        _l("Hoe vaak begeleiding"),
        validators=[DataRequired(REQUIRED), Length(max=SUPERVISION_FREQUENCY_MAX)],
        filters=[strip],
        description=_l("Bijvoorbeeld: elke week een half uur."),
    )
    backup_contact = StringField(
        _l("Bij afwezigheid van de werkbegeleider"),
        validators=[DataRequired(REQUIRED), Length(max=BACKUP_CONTACT_MAX)],
        filters=[strip],
        description=_l("Wie bel je als je werkbegeleider er niet is? Naam en telefoonnummer."),
    )
    version = HiddenField()

    def validate_weekdays(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Kies minstens één dag."))


class AcceptForm(FlaskForm):
    """Accept the version of the agreement the page showed."""

    version = HiddenField()
