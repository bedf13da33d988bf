"""Who may manage neighbourhoods."""

from __future__ import annotations

# Roles are compared by value: accounts sits to the right of this package in the import order.
MANAGERS = ("admin", "wijkdocent")


def can_manage_neighbourhoods(user) -> bool:
    """Admins and wijkdocenten create and edit neighbourhoods and see the list."""
    return user.is_authenticated and user.role in MANAGERS
