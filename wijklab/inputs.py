"""One parser for what comes in as text: ids and page numbers are ASCII digits, bounded; no
input carries control characters. Every view uses these, so a hostile value is a 404, a form
error or a clear 400, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l

from wijklab.security import log_security_event

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


# Control characters no text of ours needs: C0 except tab, newline and carriage return (NUL makes
# PostgreSQL refuse the row and ends up raw in exports on SQLite), DEL, the C1 block (the
# remains of mis-decoded Latin-1), and lone UTF-16 surrogates (JSON can carry "\ud800", which
# no database can store as UTF-8).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
REFUSED_TEXT = _l(
    "Je invoer bevat een onzichtbaar teken dat we niet kunnen bewaren. Haal het weg en probeer "
    "het opnieuw."
)
# A JSON body nested deeper than any request of ours is refused before it is walked.
_MAX_JSON_DEPTH = 50


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a character that ``CONTROL_CHARACTERS`` refuses."""
    return CONTROL_CHARACTERS.search(text) is not None


def _multidict_is_clean(values) -> bool:
    return not any(
        has_control_characters(key) or has_control_characters(value)
        for key, value in values.items(multi=True)
    )


def _json_is_clean(value, depth: int = 0) -> bool:
    if depth > _MAX_JSON_DEPTH:
        return False
    if isinstance(value, str):
        return not has_control_characters(value)
    if isinstance(value, dict):
        return all(
            not has_control_characters(key) and _json_is_clean(item, depth + 1)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return all(_json_is_clean(item, depth + 1) for item in value)
    return True


def request_is_clean() -> bool:
    """The request's path, query parameters, form fields, uploaded file names and (under /api)
    JSON strings carry no refused control character. File contents are not looked at."""
    if has_control_characters(request.path) or not _multidict_is_clean(request.args):
        return False
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    if not _multidict_is_clean(request.form):
        return False
    for name, upload in request.files.items(multi=True):
        if has_control_characters(name) or has_control_characters(upload.filename or ""):
            return False
    if request.path.startswith("/api/") and request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:
            return False
        if data is not None and not _json_is_clean(data):
            return False
    return True


def register_input_checks(app: Flask) -> None:
    """Refuse, before any view runs, a request whose text holds a control character: a clear
    400 page (JSON under /api) and nothing written. Tab, newline and carriage return pass."""

    @app.before_request
    def refuse_control_characters():
        if request_is_clean():
            return None
        log_security_event("control_character_refused")
        if request.path.startswith("/api/"):
            return {"error": str(REFUSED_TEXT)}, 400
        from wijklab.errors import render_error

        return render_error(400, REFUSED_TEXT)
