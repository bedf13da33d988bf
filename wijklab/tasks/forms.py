from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from wijklab.forms import choices, strip
from wijklab.tasks.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    PARTNERS_MAX,
    PLACE_MAX,
    REASON_MAX,
    REFLECTION_MAX,
    TITLE_MAX,
    Category,
    ParticipationRole,
)

REQUIRED = _l("Dit veld is verplicht.")
CATEGORY_LABELS = {
    Category.RESIDENTS_ACTIVITY: _l("Bewonersactiviteit"),
    Category.NETWORK: _l("Netwerk en samenwerking"),
    Category.RESEARCH: _l("Wijkonderzoek"),
    Category.INFORMATION: _l("Informatie en advies"),
    Category.ORGANISATION: _l("Organisatie en overleg"),
    Category.INDIVIDUAL_SUPPORT: _l("Individuele ondersteuning (cliëntgericht)"),
    Category.STUDY_ASSIGNMENT: _l("Studieopdracht (geen werk bij de partner)"),
    Category.OTHER: _l("Overig"),
}
ROLE_LABELS = {
    ParticipationRole.LEAD: _l("trekker"),
    ParticipationRole.CO_ORGANISER: _l("mede-organisator"),
    ParticipationRole.SUPPORT: _l("ondersteuning"),
}


class TaskForm(FlaskForm):
    """The task itself; the participants come as take_<id>, minutes_<id> and role_<id>."""

    date = DateField(_l("Datum"), validators=[InputRequired(_l("Vul een geldige datum in."))])
    title = StringField(
        _l("Wat hebben jullie gedaan?"),
        validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)],
        filters=[strip],
        description=_l("Bijvoorbeeld ‘Buurtmaaltijd in De Mussen’."),
    )
    category = SelectField(
        _l("Soort werk"), choices=choices((c.value, label) for c, label in CATEGORY_LABELS.items())
    )
    description = TextAreaField(
        _l("Beschrijving"),
        validators=[Length(max=DESCRIPTION_MAX)],
        filters=[strip],
        description=_l("Over de activiteit, niet over bewoners: geen namen of contactgegevens."),
    )
    residents_reached = IntegerField(
        _l("Aantal bewoners bereikt"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 100_000, _l("Vul een aantal van 0 tot 100.000 in.")),
        ],
    )
    partners_involved = StringField(
        _l("Betrokken organisaties"),
        validators=[Length(max=PARTNERS_MAX)],
        filters=[strip],
    )
    place = StringField(
        _l("Straat, plek of groep"),
        validators=[Length(max=PLACE_MAX)],
        filters=[strip],
        description=_l(
            "Bijvoorbeeld ‘Mosplein’ of ‘ouderen van De Mussen’: zo ziet de wijkdocent wanneer"
            " meerdere teams dezelfde bewoners benaderen."
        ),
    )
    version = HiddenField()


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("Waarom geef je de taak terug?"),
        validators=[DataRequired(REQUIRED), Length(max=REASON_MAX)],
        filters=[strip],
    )


class ReflectionForm(FlaskForm):
    reflection = TextAreaField(
        _l("Mijn reflectie"), validators=[Length(max=REFLECTION_MAX)], filters=[strip]
    )


class SupervisionForm(FlaskForm):
    date = DateField(_l("Datum"), validators=[InputRequired(_l("Vul een geldige datum in."))])
    minutes = IntegerField(
        _l("Minuten begeleiding"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 960, _l("Kies 1 tot en met 960."))],
    )
    note = TextAreaField(_l("Notitie"), validators=[Length(max=NOTE_MAX)], filters=[strip])


class VisitForm(FlaskForm):
    date = DateField(_l("Datum"), validators=[InputRequired(_l("Vul een geldige datum in."))])
    present = StringField(
        _l("Wie waren er?"), validators=[Length(max=PARTNERS_MAX)], filters=[strip]
    )
    note = TextAreaField(_l("Notitie"), validators=[Length(max=NOTE_MAX)], filters=[strip])
