"""What accounts announce: activity (above accounts in the import order) listens and records the
audit trail and queues the mail (``wijklab.activity.listeners``). Sent from the services, inside
the caller's transaction, so what the receivers write is committed with it or not at all."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: actor (User or None), user (the account concerned, or None for an unknown login),
#: action (e.g. "user.created"), details (a dict of codes and ids; never e-mail or password)
account_event = _signals.signal("wijklab.account-event")

#: user, token (the raw one-time token for the reset link)
password_reset_requested = _signals.signal("wijklab.password-reset-requested")

#: user, token (the raw one-time token for the login link sent after too many login attempts)
login_link_requested = _signals.signal("wijklab.login-link-requested")

#: user, inviter (User or None), token (the raw one-time token for the welcome link)
invitation_issued = _signals.signal("wijklab.invitation-issued")


def announce(action: str, *, actor, user, **details) -> None:
    """Tell the listeners that ``actor`` did ``action`` to ``user``'s account."""
    account_event.send(None, actor=actor, user=user, action=action, details=details)
