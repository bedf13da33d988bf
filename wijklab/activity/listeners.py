"""Receivers for what lower features announce with signals (accounts cannot import activity):
they record it in the audit trail and queue the mail it needs."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from wijklab.accounts import signals
from wijklab.accounts.tokens import LIFETIMES, Purpose
from wijklab.activity.services import (
    public_url,
    queue_mail,
    record,
    register_actions,
    register_object_link,
)

register_actions(
    {
        "login.refused": _l("Inloggen geweigerd"),
        "login.via_oidc": _l("Ingelogd via instelling"),
        "oidc.linked": _l("Instellingsaccount gekoppeld"),
        "login.link_sent": _l("Inloglink gestuurd na te veel pogingen"),
        "login.via_link": _l("Ingelogd met inloglink"),
        "user.created": _l("Account aangemaakt"),
        "user.deactivated": _l("Account gedeactiveerd"),
        "user.reactivated": _l("Account heractiveerd"),
        "user.role_changed": _l("Rol gewijzigd"),
        "user.invited": _l("Uitnodiging verstuurd"),
        "user.imported": _l("Gegevens bijgewerkt via de import"),
        "password.changed": _l("Wachtwoord gewijzigd"),
        "password.reset_requested": _l("Nieuw wachtwoord aangevraagd"),
    }
)
register_object_link("User", "accounts.edit_user", "user_id")

_connected = False


def connect_listeners(app: Flask) -> None:
    """Connect the receivers once per process (the tests make several apps)."""
    global _connected
    if _connected:
        return
    signals.account_event.connect(on_account_event)
    signals.password_reset_requested.connect(on_password_reset_requested)
    signals.invitation_issued.connect(on_invitation_issued)
    signals.login_link_requested.connect(on_login_link_requested)
    _connected = True


def on_account_event(sender, *, actor, user, action: str, details: dict) -> None:
    if user is None:
        record(actor, action, object_type="Login", object_id=0, **details)
    else:
        record(actor, action, user, **details)


def on_password_reset_requested(sender, *, user, token: str) -> None:
    record(None, "password.reset_requested", user)
    queue_mail(
        user,
        kind="password_reset",
        subject=_l("Nieuw wachtwoord kiezen"),
        template="mail/password_reset",
        link=public_url(f"/auth/reset/{token}"),
        valid_hours=int(LIFETIMES[Purpose.PASSWORD_RESET].total_seconds() // 3600),
    )


def on_invitation_issued(sender, *, user, inviter, token: str) -> None:
    record(inviter, "user.invited", user)
    queue_mail(
        user,
        kind="invitation",
        subject=_l("Welkom! Kies je wachtwoord"),
        template="mail/invitation",
        link=public_url(f"/auth/welcome/{token}"),
        inviter=inviter,
        valid_days=LIFETIMES[Purpose.INVITATION].days,
    )


def on_login_link_requested(sender, *, user, token: str) -> None:
    record(None, "login.link_sent", user)
    queue_mail(
        user,
        kind="login_link",
        subject=_l("Inloggen met een link"),
        template="mail/login_link",
        link=public_url(f"/auth/login/link/{token}"),
        valid_minutes=int(LIFETIMES[Purpose.LOGIN_LINK].total_seconds() // 60),
    )
