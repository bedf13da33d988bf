from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from wijklab.forms import IdSelectField, choices, strip
from wijklab.projects.forms import EARLIEST, LATEST, WEEKDAY_CHOICES
from wijklab.teams.models import HANDOVER_MAX, NAME_MAX, MemberRole

REQUIRED = _l("Dit veld is verplicht.")
ROLE_LABELS = {MemberRole.MEMBER: _l("lid"), MemberRole.PEER_COACH: _l("peercoach")}


def _in_range(form, field):
    from wtforms.validators import ValidationError

    if field.data and not (EARLIEST <= field.data <= LATEST):
        raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))


class TeamForm(FlaskForm):
    name = StringField(
        _l("Naam van het team"),
        validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)],
        filters=[strip],
        description=_l("Bijvoorbeeld ‘Dinsdagteam’ of ‘Team voorjaar’."),
    )
    supervisor_id = IdSelectField(
        _l("Werkbegeleider (vaste contactpersoon)"),
        validators=[InputRequired(REQUIRED)],
    )
    start_date = DateField(
        _l("Startdatum"),
        validators=[InputRequired(_l("Vul een geldige datum in.")), _in_range],
    )
    end_date = DateField(
        _l("Einddatum"),
        validators=[InputRequired(_l("Vul een geldige datum in.")), _in_range],
    )


class AddMemberForm(FlaskForm):
    student_id = IdSelectField(_l("Student"), validators=[InputRequired(REQUIRED)])
    role = SelectField(
        _l("Rol"),
        choices=choices((r.value, label) for r, label in ROLE_LABELS.items()),
        default=MemberRole.MEMBER.value,
    )


class MemberRoleForm(FlaskForm):
    role = SelectField(
        _l("Rol"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items())
    )


class HandoverForm(FlaskForm):
    note = TextAreaField(
        _l("Overdracht voor het volgende team"),
        validators=[DataRequired(REQUIRED), Length(max=HANDOVER_MAX)],
        filters=[strip],
        description=_l(
            "Wat is er bereikt, wie zijn de contacten in de wijk, wat loopt nog, "
            "wat zou je het volgende team aanraden?"
        ),
    )


class BuilderForm(FlaskForm):
    """Which students to place and how: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    school_id = IdSelectField(_l("School"), validators=[Optional()])
    level = SelectField(
        _l("Niveau"),
        choices=choices([("", _l("mbo en hbo")), ("mbo", _l("mbo")), ("hbo", _l("hbo"))]),
        validators=[Optional()],
    )
    year = SelectField(
        _l("Studiejaar"),
        choices=choices([("", _l("alle jaren")), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]),
        validators=[Optional()],
    )
    weekday = SelectField(
        _l("Beschikbaar op"),
        choices=choices([("", _l("elke dag"))] + [(str(d), label) for d, label in WEEKDAY_CHOICES]),
        validators=[Optional()],
    )
    team_count = IntegerField(
        _l("Aantal teams"),
        validators=[
            Optional(),
            NumberRange(1, 100, _l("Kies 1 tot en met 100 teams.")),
        ],
    )
    team_size = IntegerField(
        _l("Of: teamgrootte"),
        validators=[Optional(), NumberRange(1, 30, _l("Kies 1 tot en met 30."))],
    )
    seed = IntegerField(
        _l("Variant"),
        default=1,
        validators=[
            Optional(),
            NumberRange(0, 1_000_000, _l("Kies 0 tot en met 1000000.")),
        ],
        description=_l("Een ander getal geeft een ander voorstel met dezelfde regels."),
    )
    supervisor_id = IdSelectField(_l("Werkbegeleider van de nieuwe teams"), validators=[Optional()])
