from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField

from wijklab.activity.models import Delivery
from wijklab.forms import choices

DELIVERY_LABELS = {
    Delivery.IMMEDIATE: _l("Meteen"),
    Delivery.DAILY: _l("Dagelijks overzicht"),
    Delivery.WEEKLY: _l("Wekelijks overzicht (maandag)"),
    Delivery.OFF: _l("Geen e-mail"),
}


def preferences_form(kinds, current: dict[str, Delivery]) -> FlaskForm:
    """One radio group per notification kind the user can receive."""

    class PreferencesForm(FlaskForm):
        pass

    for kind in kinds:
        setattr(
            PreferencesForm,
            f"kind_{kind.name}",
            RadioField(
                kind.label,
                choices=choices((d.value, label) for d, label in DELIVERY_LABELS.items()),
                default=current[kind.name].value,
            ),
        )
    return PreferencesForm()
