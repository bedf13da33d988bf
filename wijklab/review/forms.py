"""The review page's forms. Plain WTForms, no CSRF token: the page has no session (a CSRF token
would need one), and the unguessable link itself is the credential. The rules (a reason is
required, lengths) live in the tasks' and goals' services; errors come back next to the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, SelectField, TextAreaField

from wijklab.forms import choices, strip
from wijklab.goals.forms import RATING_LABELS
from wijklab.goals.models import COMMENT_MAX, STATEMENT_MAX
from wijklab.tasks.models import REASON_MAX


class ReviewForm(Form):
    """Every field a review link's page may post; each action reads only its own fields."""

    reason = TextAreaField(
        _l("Reden om terug te geven"),
        filters=[strip],
        description=_l("Schrijf wat het team moet aanpassen."),
        render_kw={"maxlength": max(REASON_MAX, COMMENT_MAX)},
    )
    statement = TextAreaField(
        _l("Verklaring bij het aftekenen"),
        filters=[strip],
        description=_l("Kort: wat heb je gezien waaruit blijkt dat het leerdoel is bereikt?"),
        render_kw={"maxlength": STATEMENT_MAX},
    )
    confirm = BooleanField(_l("Ik teken toch af"))
    confirm_reason = TextAreaField(
        _l("Waarom teken je toch af?"), filters=[strip], render_kw={"maxlength": COMMENT_MAX}
    )
    comment = TextAreaField(_l("Feedback"), filters=[strip], render_kw={"maxlength": COMMENT_MAX})
    rating = SelectField(
        _l("Beoordeling"),
        choices=choices(
            [("", _l("geen beoordeling")), *((str(v), label) for v, label in RATING_LABELS)]
        ),
        validate_choice=False,
    )

    def rating_value(self) -> int | None:
        value = (self.rating.data or "").strip()
        if not value:
            return None
        # Anything but a digit is out of range: the service refuses it with its own message.
        return int(value) if value.isdigit() else 0

    def add_error(self, field: str | None, message) -> bool:
        """Put a service's error next to its field; False when it belongs to no field here."""
        target = getattr(self, field, None) if field else None
        if target is None:
            return False
        target.errors = [*target.errors, message]
        return True
