"""Who may see the neighbourhood figures and the placements. Each predicate states its rule."""

from __future__ import annotations

from wijklab.accounts.models import Role


def can_view_neighbourhood_report(user) -> bool:
    """Wijkdocenten and admins; the figures are counts only, without names."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.WIJKDOCENT)


def can_view_placements(user) -> bool:
    """Wijkdocenten and admins, who place students with partner organisations."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.WIJKDOCENT)
