"""Who may see the register, download a person's data and erase a person."""

from __future__ import annotations

from wijklab.accounts.models import Role, User


def can_view_register(user: User) -> bool:
    """Only admins read the register of personal data."""
    return user.is_authenticated and user.role == Role.ADMIN


def can_download_data_of(user: User, person: User) -> bool:
    """A person downloads their own data; an admin anyone's."""
    return user.is_authenticated and (user.id == person.id or user.role == Role.ADMIN)


def can_erase(user: User, person: User) -> bool:
    """Admins erase anyone but themselves (the last active admin is refused by the service)."""
    return user.is_authenticated and user.role == Role.ADMIN and user.id != person.id
