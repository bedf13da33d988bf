"""Who may manage organisations."""

from __future__ import annotations

# Roles are compared by value: accounts sits to the right of this package in the import order.
MANAGERS = ("admin", "wijkdocent")


def can_manage_organisations(user) -> bool:
    """Admins and wijkdocenten create and edit schools and partner organisations."""
    return user.is_authenticated and user.role in MANAGERS
