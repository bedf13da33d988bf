"""Whole pages for a signed-in session, kept until the next committed write anywhere.

A page (say the wijkdocent's dashboard) is the same HTML as long as nothing in the database
changed, for the same session, address, language and day. The main read-only pages in
``CACHED_ENDPOINTS`` keep their HTML in the figures cache (``wijklab.caching``) under a key of
exactly those things plus the ``pages`` generation, which every committed write (any model,
and any UPDATE, INSERT or DELETE through the session) replaces. So:

- a page is only ever served again to the session it was made for: the key holds a digest of
  the whole signed session (the user id with their session token, the CSRF secret, the
  language) except its idle clock, so another user, another device or a new login misses;
- after any write (a task logged, a user deactivated, a session ended everywhere) the next
  request of every page builds it afresh, before the view's own checks would have mattered;
- a page that shows a flash message, changes the session or answers anything but a 200 HTML
  page is not kept; and a kept page lives ``PAGE_CACHE_SECONDS`` at most (relative times).

It is on when the cache is shared by every worker (Redis, ``WIJKLAB_REDIS_URL``), or when
``PAGE_CACHE`` says so; with a per-process cache, a write in one worker would leave another
worker's pages old. Where a request counts is in ``benchmarks/RESULTS.md``: a hit costs the
sign-in checks and two cache reads; with a write every few seconds it mostly misses.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from flask import Flask, current_app, g, request, session
from flask.globals import request_ctx
from flask_login import current_user

from wijklab import clock
from wijklab.activity.models import AuditEvent
from wijklab.caching import UNAVAILABLE, generation_key, register_area
from wijklab.extensions import cache, db
from wijklab.i18n import get_locale
from wijklab.privacy.services import ACCESS_ACTION

AREA = "pages"
# Main pages that only read: GET shows data, every change is a POST elsewhere.
CACHED_ENDPOINTS = frozenset(
    {
        "reports.dashboard",
        "reports.neighbourhood",
        "reports.activities",
        "reports.placements_page",
        "projects.index",
        "projects.detail",
        "teams.detail",
        "tasks.detail",
        "tasks.waiting",
        "goals.index",
        "goals.detail",
        "goals.student_coverage",
        "goals.team_coverage",
        "statements.detail",
        "accounts.users",
        "exports.index",
    }
)
# The idle clock changes on every request and says nothing about the page.
_SESSION_CLOCK = frozenset({"last_seen"})
MAX_BYTES = 512 * 1024
log = logging.getLogger(__name__)


def register_page_cache(app: Flask) -> None:
    if app.config.get("PAGE_CACHE") is None:
        app.config["PAGE_CACHE"] = bool(app.config.get("REDIS_URL"))
    # Every model: any committed write makes every kept page old, except the audit trail's note
    # that someone opened a student's page (written on every such view, shown only in the
    # audit trail, which is not kept).
    register_area(AREA, (db.Model,), unseen=_access_note)
    # Read the generation before anything reads the database (the user loader runs in the first
    # before-request hook): a page built from a snapshot taken before a write committed must
    # not be kept under the generation that write made.
    app.before_request_funcs.setdefault(None, []).insert(0, _read_generation)
    for endpoint in CACHED_ENDPOINTS:
        app.view_functions[endpoint] = _cached(app.view_functions[endpoint])


def _access_note(obj) -> bool:
    return isinstance(obj, AuditEvent) and obj.action == ACCESS_ACTION


def _read_generation() -> None:
    if (
        request.method != "GET"
        or request.endpoint not in CACHED_ENDPOINTS
        or not current_app.config["PAGE_CACHE"]
    ):
        return
    try:
        g.page_generation = cache.get(generation_key(AREA)) or "0"
    except UNAVAILABLE as error:
        log.warning("page cache unavailable: %s", error)


def _session_state() -> list[tuple[str, str]]:
    return sorted((k, repr(v)) for k, v in session.items() if k not in _SESSION_CLOCK)


def _key(state: list[tuple[str, str]]) -> str:
    parts = repr((state, request.full_path, str(get_locale()), clock.today().isoformat()))
    digest = hashlib.blake2b(parts.encode(), digest_size=20).hexdigest()
    return f"{AREA}:{g.page_generation}:{digest}"


def _cached(view):
    @functools.wraps(view)
    def page(*args, **kwargs):
        if (
            request.method != "GET"
            or "page_generation" not in g
            or not current_user.is_authenticated
            or "_flashes" in session
        ):
            return view(*args, **kwargs)
        state = _session_state()
        key = _key(state)
        try:
            kept = cache.get(key)
        except UNAVAILABLE as error:
            log.warning("page cache unavailable: %s", error)
            return view(*args, **kwargs)
        if kept is not None:
            body, mimetype = kept
            return current_app.response_class(body, mimetype=mimetype)
        response = current_app.make_response(view(*args, **kwargs))
        if _keepable(response) and _session_state() == state:
            try:
                cache.set(
                    key,
                    (response.get_data(), response.mimetype),
                    timeout=current_app.config["PAGE_CACHE_SECONDS"],
                )
            except UNAVAILABLE as error:
                log.warning("page cache unavailable, page not kept: %s", error)
        return response

    return page


def _keepable(response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        # A flash shown on this page belongs to this one request.
        and not request_ctx.flashes
        and len(response.get_data()) <= MAX_BYTES
    )
