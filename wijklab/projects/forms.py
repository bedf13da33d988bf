from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from wijklab.accounts.forms import WEEKDAY_LABELS
from wijklab.forms import CheckboxListField, IdSelectField, choices, strip
from wijklab.projects.models import TEXT_MAX, TITLE_MAX

REQUIRED = _l("Dit veld is verplicht.")
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
WEEKDAY_CHOICES = WEEKDAY_LABELS


def _date_in_range(form, field):
    if field.data and not (EARLIEST <= field.data <= LATEST):
        raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))


class ProjectForm(FlaskForm):
    title = StringField(
        _l("Titel"), validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)], filters=[strip]
    )
    neighbourhood_id = IdSelectField(_l("Wijk"), validators=[InputRequired(REQUIRED)])
    partner_id = IdSelectField(_l("Partnerorganisatie"), validators=[InputRequired(REQUIRED)])
    school_id = IdSelectField(
        _l("School"),
        validators=[Optional()],
        description=_l(
            "Studenten van deze school kunnen de projectopdracht vooraf lezen. Leeg: studenten "
            "van elke school."
        ),
    )
    summary = TextAreaField(
        _l("Samenvatting"),
        validators=[Length(max=TEXT_MAX)],
        filters=[strip],
        description=_l("Waar gaat het project over, in een paar zinnen?"),
    )
    aims = TextAreaField(
        _l("Doelen voor de wijk"),
        validators=[Length(max=TEXT_MAX)],
        filters=[strip],
        description=_l("Wat moet het opleveren voor bewoners en de buurt?"),
    )
    expectations = TextAreaField(
        _l("Wat we van studenten verwachten"),
        validators=[Length(max=TEXT_MAX)],
        filters=[strip],
        description=_l("Wat doen ze, op welke dagen, hoeveel uur, met wie?"),
    )
    supervision = TextAreaField(
        _l("Begeleiding"),
        validators=[Length(max=TEXT_MAX)],
        filters=[strip],
        description=_l("Wie begeleidt, hoe vaak, en waar kunnen studenten met vragen terecht?"),
    )
    hours_per_week = IntegerField(
        _l("Uren per week per student"),
        default=8,
        validators=[InputRequired(REQUIRED), NumberRange(0, 40, _l("Kies 0 tot en met 40 uur."))],
    )
    start_date = DateField(
        _l("Startdatum"),
        validators=[InputRequired(_l("Vul een geldige datum in.")), _date_in_range],
    )
    end_date = DateField(
        _l("Einddatum"), validators=[InputRequired(_l("Vul een geldige datum in.")), _date_in_range]
    )
    weekdays = CheckboxListField(
        _l("Dagen waarop het wijklab draait"), choices=choices(WEEKDAY_CHOICES), coerce=int
    )
    min_mbo = IntegerField(
        _l("Minimaal aantal mbo-studenten per team"),
        default=1,
        validators=[InputRequired(REQUIRED), NumberRange(0, 30, _l("Kies 0 tot en met 30."))],
    )
    min_hbo = IntegerField(
        _l("Minimaal aantal hbo-studenten per team"),
        default=1,
        validators=[InputRequired(REQUIRED), NumberRange(0, 30, _l("Kies 0 tot en met 30."))],
    )
    max_size = IntegerField(
        _l("Maximale teamgrootte"),
        default=8,
        validators=[InputRequired(REQUIRED), NumberRange(1, 30, _l("Kies 1 tot en met 30."))],
    )

    peer_feedback_first = BooleanField(
        _l("Eerst feedback van de peercoach"),
        description=_l(
            "Studenten vragen eerst hun peercoach om feedback op een leerdoel, en daarna pas de "
            "werkbegeleider om een beoordeling."
        ),
    )

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("De einddatum moet op of na de startdatum liggen."))

    def validate_weekdays(self, field):
        if not field.data:
            raise ValidationError(_l("Kies minstens één dag."))

    def validate_max_size(self, field):
        if None not in (field.data, self.min_mbo.data, self.min_hbo.data) and (
            self.min_mbo.data + self.min_hbo.data > field.data
        ):
            raise ValidationError(
                _l("De minimale aantallen mbo en hbo passen niet in de maximale teamgrootte.")
            )
