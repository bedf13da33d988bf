from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from wijklab.errors import WijklabError
from wijklab.forms import CheckboxListField, choices, id_or_error, strip
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
    Category.PEER_COACHING: _l("Peercoaching"),
    Category.OTHER: _l("Overig"),
}
ROLE_LABELS = {
    ParticipationRole.LEAD: _l("trekker"),
    ParticipationRole.CO_ORGANISER: _l("mede-organisator"),
    ParticipationRole.SUPPORT: _l("ondersteuning"),
}


# Time as people say it: 90 (minutes), 1,5 or 1.5 (hours), 1:30, 1u30, 1 u 30 or 2u (hours and
# minutes). ASCII digits only, and few of them: no int() of thousands of digits, no "²".
DURATION = re.compile(
    r"(?P<minutes>[0-9]{1,4})"
    r"|(?P<whole>[0-9]{1,2})[.,](?P<fraction>[0-9]{1,2})"
    r"|(?P<hours>[0-9]{1,2}) ?(?::|u|uur) ?(?P<rest>[0-9]{1,2})? ?(?:m|min)?",
    re.IGNORECASE,
)
DURATION_HELP = _l("In minuten (90) of uren (1,5 of 1:30).")


def parse_duration(text: str | None) -> int:
    """Minutes from a time as people write it; a WijklabError for anything else. The bounds
    (1 to 960 minutes) are the services' to check."""
    raw = " ".join((text or "").split())[:20]
    match = DURATION.fullmatch(raw)
    if match is None:
        raise WijklabError(_l("Schrijf de tijd als minuten (90) of uren (1,5 of 1:30)."))
    if match["minutes"] is not None:
        return int(match["minutes"])
    if match["whole"] is not None:
        fraction = match["fraction"]
        return round((int(match["whole"]) + int(fraction) / 10 ** len(fraction)) * 60)
    rest = int(match["rest"] or 0)
    if rest >= 60:
        raise WijklabError(_l("Na de uren komen hoogstens 59 minuten (1:30)."))
    return int(match["hours"]) * 60 + rest


class DurationField(StringField):
    """A time in minutes, typed as people say it (see parse_duration); .data is the minutes."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "")[:20]
        self.data = None
        if not self.raw.strip():
            return
        try:
            self.data = parse_duration(self.raw)
        except WijklabError as error:
            self.data = None
            raise ValueError(str(error.message)) from error

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return "" if self.data is None else str(self.data)


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


class CorrectionForm(FlaskForm):
    """One participant's new time, typed as people say it (see parse_duration), with a reason;
    the removal form sends the reason alone. ``version`` is the task's version as shown."""

    minutes = StringField(_l("Nieuwe tijd"), filters=[strip], description=DURATION_HELP)
    reason = TextAreaField(
        _l("Reden"),
        validators=[DataRequired(_l("Schrijf waarom je de tijd aanpast.")), Length(max=REASON_MAX)],
        filters=[strip],
    )
    version = HiddenField()


class ReflectionForm(FlaskForm):
    reflection = TextAreaField(
        _l("Mijn reflectie"), validators=[Length(max=REFLECTION_MAX)], filters=[strip]
    )


class SupervisionForm(FlaskForm):
    date = DateField(_l("Datum"), validators=[InputRequired(_l("Vul een geldige datum in."))])
    minutes = DurationField(
        _l("Tijd begeleiding"),
        # The bounds (1 to 960 minutes) are checked by the service, with the field named.
        validators=[InputRequired(REQUIRED)],
        description=DURATION_HELP,
    )
    # The team's current members (set by the view), all ticked at first; the service refuses
    # anyone else with a message on this field.
    students = CheckboxListField(_l("Wie waren erbij?"), coerce=id_or_error, validate_choice=False)
    note = TextAreaField(_l("Notitie"), validators=[Length(max=NOTE_MAX)], filters=[strip])


class VisitForm(FlaskForm):
    date = DateField(_l("Datum"), validators=[InputRequired(_l("Vul een geldige datum in."))])
    present = StringField(
        _l("Wie waren er?"), validators=[Length(max=PARTNERS_MAX)], filters=[strip]
    )
    note = TextAreaField(_l("Notitie"), validators=[Length(max=NOTE_MAX)], filters=[strip])
