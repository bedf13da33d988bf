from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wijklab.forms import CheckboxListField, choices, date_in_range, id_or_error, strip
from wijklab.goals.models import COMMENT_MAX, GOAL_TITLE_MAX, STATEMENT_MAX, TEXT_MAX, GoalStatus

REQUIRED = _l("Dit veld is verplicht.")
STATUS_LABELS = {
    GoalStatus.DRAFT: _l("concept"),
    GoalStatus.ACTIVE: _l("actief"),
    GoalStatus.REVIEW_REQUESTED: _l("ter beoordeling"),
    GoalStatus.SIGNED_OFF: _l("afgetekend"),
}
ACTION_LABELS = {
    "goal.created": _l("aangemaakt"),
    "goal.updated": _l("gewijzigd"),
    "goal.activate": _l("geactiveerd"),
    "goal.request_review": _l("beoordeling aangevraagd"),
    "goal.return": _l("teruggezet naar actief"),
    "goal.sign_off": _l("afgetekend"),
    "goal.reopen": _l("heropend, aftekening ingetrokken"),
    "goal.evidence_added": _l("bewijs gekoppeld"),
    "goal.feedback": _l("feedback gegeven"),
    "goal.request_peer_feedback": _l("feedback van de peercoach gevraagd"),
}
RATING_LABELS = [
    (1, _l("nog niet zichtbaar")),
    (2, _l("in ontwikkeling")),
    (3, _l("zichtbaar met begeleiding")),
    (4, _l("zelfstandig zichtbaar")),
    (5, _l("voorbeeld voor anderen")),
]


class GoalForm(FlaskForm):
    title = StringField(
        _l("Leerdoel"),
        validators=[DataRequired(REQUIRED), Length(max=GOAL_TITLE_MAX)],
        filters=[strip],
        description=_l("Specifiek en meetbaar: wat kun je straks, en waaraan zie je dat?"),
    )
    description = TextAreaField(
        _l("Toelichting"), validators=[Length(max=TEXT_MAX)], filters=[strip]
    )
    success_criteria = TextAreaField(
        _l("Succescriteria"),
        validators=[Length(max=TEXT_MAX)],
        filters=[strip],
        description=_l("Bijvoorbeeld: ‘twee bewonersbijeenkomsten zelfstandig geleid’."),
    )
    target_date = DateField(_l("Streefdatum"), validators=[Optional(), date_in_range])
    framework_items = CheckboxListField(
        _l("Onderdelen van het kwalificatiekader"), coerce=id_or_error
    )
    version = HiddenField()


class FeedbackForm(FlaskForm):
    comment = TextAreaField(
        _l("Feedback"),
        validators=[DataRequired(REQUIRED), Length(max=COMMENT_MAX)],
        filters=[strip],
    )
    rating = SelectField(
        _l("Beoordeling"),
        choices=choices(
            [("", _l("geen beoordeling")), *((str(v), label) for v, label in RATING_LABELS)]
        ),
        validators=[Optional()],
    )


class EvidenceForm(FlaskForm):
    # Not limited to the offered choices: the service refuses another student's participation
    # (403) and a task of another team, one rule in one place.
    participation_id = SelectField(
        _l("Taak"), coerce=id_or_error, validate_choice=False, validators=[InputRequired(REQUIRED)]
    )
    note = TextAreaField(
        _l("Wat laat deze taak zien?"), validators=[Length(max=COMMENT_MAX)], filters=[strip]
    )


class TransitionForm(FlaskForm):
    action = HiddenField()
    version = HiddenField()
    statement = TextAreaField(
        _l("Verklaring bij het aftekenen"), validators=[Length(max=STATEMENT_MAX)], filters=[strip]
    )
    reason = TextAreaField(_l("Reden"), validators=[Length(max=COMMENT_MAX)], filters=[strip])
    confirm = BooleanField(_l("Ik teken toch af"))
    confirm_reason = TextAreaField(
        _l("Waarom teken je toch af?"), validators=[Length(max=COMMENT_MAX)], filters=[strip]
    )


CONCERN_LABELS = {
    "evidence_pending": _l("Er is bewijs dat nog wacht op controle."),
    "low_rating": _l("De laatste beoordeling is lager dan ‘zichtbaar met begeleiding’."),
}
