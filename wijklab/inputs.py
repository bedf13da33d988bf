"""One parser for what comes in as text: ids and page numbers are ASCII digits, bounded; no
input carries control characters. Every view uses these, so a hostile value is a 404, a form
error or a clear 400, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, abort, request

# Ids are PostgreSQL integers; pages are bounded far above any real list.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(raw) -> int | None:
    """A positive database id from text, or None (``²``, ``-1``, ``1e3``, 5,000 digits, ...)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw <= MAX_ID else None
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def parse_ids(raws: Iterable, *, limit: int = 500) -> list[int] | None:
    """Several ids (a checkbox list), each valid and at most ``limit`` of them; else None."""
    raws = list(raws)
    if len(raws) > limit:
        return None
    ids = [parse_id(raw) for raw in raws]
    if any(i is None for i in ids):
        return None
    return list(dict.fromkeys(ids))


def id_or_404(raw) -> int:
    value = parse_id(raw)
    if value is None:
        abort(404)
    return value


def parse_page(raw=None) -> int:
    """The ?page= number: 1 for anything that is not a page number, at most MAX_PAGE."""
    if raw is None:
        raw = request.args.get("page", "")
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def register_input_checks(app: Flask) -> None:
    """Checks every request's input once, before any view (filled in by the hostile-input work)."""
