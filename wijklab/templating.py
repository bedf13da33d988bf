"""Permission predicates, forms and filters that templates use."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, request
from flask_babel import format_datetime

from wijklab.accounts.forms import LEVEL_LABELS, ROLE_LABELS, WEEKDAY_LABELS, LanguageForm
from wijklab.accounts.permissions import can_change_active_state, can_manage_users
from wijklab.forms import ConfirmForm
from wijklab.i18n import get_locale
from wijklab.neighbourhoods.permissions import can_manage_neighbourhoods
from wijklab.organisations.permissions import can_manage_organisations


def local_datetime(value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
    """An aware UTC timestamp as Europe/Amsterdam time in the user's language."""
    return format_datetime(value, fmt) if value else ""


def weekday_names(days) -> str:
    labels = dict(WEEKDAY_LABELS)
    return ", ".join(str(labels[d]) for d in sorted(days or ()))


def url_with(**changes) -> str:
    """The current URL with some query arguments replaced (pagination, filters)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    from urllib.parse import urlencode

    return request.path + ("?" + urlencode(args) if args else "")


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        get_locale=get_locale,
        # formdata=None: these forms only render (and an oversized body must not be read again).
        language_form=lambda: LanguageForm(formdata=None),
        confirm_form=lambda: ConfirmForm(formdata=None),
        role_label=lambda role: ROLE_LABELS.get(role, role),
        level_label=lambda level: LEVEL_LABELS.get(level, level),
        can_manage_users=can_manage_users,
        can_change_active_state=can_change_active_state,
        can_manage_organisations=can_manage_organisations,
        can_manage_neighbourhoods=can_manage_neighbourhoods,
        url_with=url_with,
    )
    app.jinja_env.filters.update(local_datetime=local_datetime, weekday_names=weekday_names)
