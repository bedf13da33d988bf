"""Who may see and use personal access tokens. Each predicate states its rule in one line."""

from __future__ import annotations

from wijklab.api.models import PersonalAccessToken


def can_manage_token(user, token: PersonalAccessToken) -> bool:
    """A token is seen and revoked by its own user only (an admin neither sees nor uses it)."""
    return user.is_authenticated and token.user_id == user.id
