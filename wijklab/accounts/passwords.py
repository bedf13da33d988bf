"""Password policy: at least 12 characters, not on the shipped list of common passwords."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
HASH_METHOD = "scrypt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and line[0] != "#")


def is_common(password: str) -> bool:
    """True when the password, ignoring case and surrounding space, is a known common password
    or a single character repeated."""
    folded = password.strip().lower()
    return folded in common_passwords() or len(set(folded)) <= 2


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def verify_password(password_hash: str, password: str) -> bool:
    if not has_usable_password(password_hash):
        check_password_hash(dummy_hash(), password)  # the same work as for a real account
        return False
    return check_password_hash(password_hash, password)


# A real hash to compare against when the e-mail is unknown, so that both failures take as long.
@cache
def dummy_hash() -> str:
    return hash_password("wijklab-timing-equaliser-not-a-password")


# An invited user has no password yet: a hash that no password matches. It has no "$", so
# werkzeug's check returns False for it; verify_password still does a real hash's work first.
UNUSABLE_PREFIX = "!"


def unusable_hash() -> str:
    return UNUSABLE_PREFIX + "invited:" + secrets.token_hex(16)


def has_usable_password(password_hash: str) -> bool:
    return not password_hash.startswith(UNUSABLE_PREFIX)
