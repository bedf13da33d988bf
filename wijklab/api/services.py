"""Personal access tokens: made with 256 random bits behind a recognisable prefix, shown once,
stored as a SHA-256 hash, always expiring, revocable. A token acts as its user, with the same
permission rules as the pages; a ``read`` token only reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from wijklab import clock
from wijklab.activity.services import record, register_actions
from wijklab.api.models import (
    LIFETIMES,
    NAME_MAX,
    TOKEN_PREFIX,
    PersonalAccessToken,
    TokenScope,
)
from wijklab.errors import WijklabError
from wijklab.extensions import db

# 32 bytes = 256 bits; token_urlsafe gives 43 characters, 46 with the prefix.
TOKEN_BYTES = 32
TOKEN_MAX = 100
# "Last used" is a hint for the owner, not a log: it is written at most once a minute, so a busy
# script does not turn every read into a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
# Enough for every script and link a person keeps; more usually means tokens left forgotten.
MAX_USABLE_TOKENS = 20
# The settings page lists this many, newest first (revoked and expired ones pile up over years).
LIST_LIMIT = 100

register_actions(
    {
        "api_token.created": _l("API-token aangemaakt"),
        "api_token.revoked": _l("API-token ingetrokken"),
    }
)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def create_token(
    user, *, name: str, scope: TokenScope, days: int
) -> tuple[PersonalAccessToken, str]:
    """A new token for ``user``; returns it with the raw token (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise WijklabError(_l("Geef het token een naam, zodat je het later herkent."), field="name")
    if len(name) > NAME_MAX:
        raise WijklabError(_l("Een naam mag hoogstens 80 tekens hebben."), field="name")
    if days not in LIFETIMES:
        raise WijklabError(_l("Kies hoe lang het token geldig is."), field="lifetime")
    now = clock.utcnow()
    usable = db.session.scalar(
        select(func.count())
        .select_from(PersonalAccessToken)
        .where(
            PersonalAccessToken.user_id == user.id,
            PersonalAccessToken.revoked_at.is_(None),
            PersonalAccessToken.expires_at > now,
        )
    )
    if usable >= MAX_USABLE_TOKENS:
        raise WijklabError(
            _l(
                "Je hebt al %(count)s geldige tokens. Trek er eerst een in.",
                count=usable,
            )
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = PersonalAccessToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(raw),
        scope=TokenScope(scope),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record(user, "api_token.created", token, scope=token.scope.value, days=days)
    return token, raw


def revoke_token(token: PersonalAccessToken, *, by) -> None:
    """End the token now; revoking it again changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = clock.utcnow()
    record(by, "api_token.revoked", token)
    db.session.flush()


def user_tokens(user) -> list[PersonalAccessToken]:
    """The user's own tokens, newest first (at most LIST_LIMIT), revoked and expired ones
    included."""
    return list(
        db.session.scalars(
            select(PersonalAccessToken)
            .where(PersonalAccessToken.user_id == user.id)
            .order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def find_token(raw: str | None) -> PersonalAccessToken | None:
    """The stored token for a raw one (with its user), or None for an unknown or malformed one.
    Whether it may still be used is the caller's question (expired, revoked, inactive user)."""
    if not raw or len(raw) > TOKEN_MAX or not raw.startswith(TOKEN_PREFIX):
        return None
    return db.session.scalar(
        select(PersonalAccessToken).where(PersonalAccessToken.token_hash == hash_token(raw))
    )


def mark_used(token: PersonalAccessToken) -> bool:
    """Note that the token was used now, at most once a minute; True when that wrote a row."""
    now = clock.utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return False
    db.session.execute(
        update(PersonalAccessToken)
        .where(PersonalAccessToken.id == token.id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(token, "last_used_at", now)  # written above; not a change to flush
    return True
