"""Who may do what with accounts. Each predicate states its rule in one line."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from wijklab.accounts.models import Role, User


def can_manage_users(user: User) -> bool:
    """Only admins create, edit, deactivate and reactivate users."""
    return user.is_authenticated and user.role == Role.ADMIN


def can_invite_users(user: User) -> bool:
    """Admins invite anyone; a wijkdocent invites students and werkbegeleiders."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.WIJKDOCENT)


def invitable_roles(user: User) -> tuple[Role, ...]:
    """The roles a user may give a new account: all for admins, student and supervisor for a
    wijkdocent, none for anyone else."""
    if not user.is_authenticated:
        return ()
    if user.role == Role.ADMIN:
        return tuple(Role)
    if user.role == Role.WIJKDOCENT:
        return (Role.STUDENT, Role.SUPERVISOR)
    return ()


def can_resend_invitation(actor: User, target: User) -> bool:
    """Whoever may invite the target's role may send their invitation again."""
    return target.role in invitable_roles(actor)


def can_change_active_state(actor: User, target: User) -> bool:
    """Admins may (de)activate anyone but themselves, so an admin cannot lock themselves out."""
    return can_manage_users(actor) and actor.id != target.id


def requires(predicate: Callable[[User], bool]):
    """Decorate a view: sign-in required, then 403 unless ``predicate(current_user)`` holds."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
