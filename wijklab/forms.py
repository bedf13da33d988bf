"""Form pieces every feature uses: the confirm form for POST-only buttons, and showing a
service's domain error next to the field it concerns."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, widgets
from wtforms.validators import ValidationError

from wijklab.errors import WijklabError
from wijklab.inputs import parse_id


class ConfirmForm(FlaskForm):
    """An empty, CSRF-protected form behind a button that changes something (deactivate)."""


def show_error(form: FlaskForm, error: WijklabError) -> None:
    """Put a service's error next to its field, or at the top of the form when it has none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class CheckboxListField(SelectMultipleField):
    """A set of checkboxes (weekdays, levels): works without JavaScript and with a keyboard."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class IdSelectField(SelectField):
    """A select of database ids; an id that is not among the choices is refused with a message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", _int_or_none)
        kwargs.setdefault("validate_choice", True)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.data is None and not self.flags.required:
            return
        if self.data not in {_int_or_none(c.value) for c in self.choices or ()}:
            raise ValidationError(_l("Kies een van de mogelijkheden uit de lijst."))


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    number = parse_id(value)
    if number is None:
        # WTForms turns a ValueError from ``coerce`` into an error on the field.
        raise ValueError(_l("Kies een van de mogelijkheden uit de lijst."))
    return number


def id_or_error(value):
    """``coerce`` for fields holding a database id: anything else (empty, ``²``, 5,000 digits,
    an id PostgreSQL cannot hold) is a field error."""
    number = parse_id(value)
    if number is None:
        raise ValueError(_l("Kies een van de mogelijkheden uit de lijst."))
    return number


def strip(value):
    """A field filter: surrounding white space off, None left alone."""
    return value.strip() if isinstance(value, str) else value


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


NO_CHOICE = SelectChoice("", "—")


EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def date_in_range(form, field) -> None:
    """A validator: a date between 2000 and 2100 (typos such as 0226 or 20266 are refused)."""
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))


def not_before(start_name: str):
    """A validator for the end of a period: not before the field named ``start_name``."""

    def check(form, field) -> None:
        start = form[start_name].data
        if field.data and start and field.data < start:
            raise ValidationError(_l("De einddatum ligt vóór de begindatum."))

    return check
