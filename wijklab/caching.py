"""Figures that may be a minute old, cached: on Redis when the app has one (every worker shares
it), otherwise in this process (``make run``).

Each cached figure belongs to an *area* (``neighbourhood``, ``placements``, ``waiting``), which
features register with the models it counts (``register_area``). A committed write to one of
those models gives the area a new generation, and the cache keys carry the
generation, so the next request computes afresh instead of showing the old figure; entries
also expire after ``FIGURES_CACHE_SECONDS``. A figure computed while a write is committing can
be cached for that long at most: the minute the issue allows.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from itertools import chain
from typing import Any

from flask import Flask, current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from wijklab.extensions import cache

AREAS: dict[str, tuple[type, ...]] = {}
# Writes an area does not show, though their model is one it counts (see register_area).
_UNSEEN: dict[str, Callable[[Any], bool]] = {}
_TOUCHED = "wijklab.cache_areas"
# A cache that is down makes the page compute its figures, never fail.
UNAVAILABLE = (RedisError, OSError)
log = logging.getLogger(__name__)


def register_area(
    area: str, models: tuple[type, ...], unseen: Callable[[Any], bool] | None = None
) -> None:
    """Writes to ``models`` make the area's cached figures old (several features may add);
    ``unseen(obj)`` names written objects the area never shows, which leave it as it is."""
    AREAS[area] = tuple(dict.fromkeys((*AREAS.get(area, ()), *models)))
    if unseen is not None:
        _UNSEEN[area] = unseen


def register_cache(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": app.config["REDIS_URL"],
            "CACHE_KEY_PREFIX": "wijklab:figures:",
        }
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache.init_app(app, config=config)


def generation_key(area: str) -> str:
    return f"generation:{area}"


def cached(area: str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it returned for ``key`` since the area's last committed write."""
    try:
        generation = cache.get(generation_key(area)) or "0"
        full_key = f"{area}:{generation}:{key}"
        value = cache.get(full_key)
    except UNAVAILABLE as error:
        log.warning("figures cache unavailable, computing %s afresh: %s", area, error)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(full_key, value, timeout=current_app.config["FIGURES_CACHE_SECONDS"])
        except UNAVAILABLE as error:
            log.warning("figures cache unavailable, not keeping %s: %s", area, error)
    return value


def forget(area: str) -> None:
    """Start the area afresh: what was cached for it is never read again."""
    try:
        cache.set(generation_key(area), secrets.token_hex(8), timeout=0)
    except UNAVAILABLE as error:
        # Nothing was read from it either while it is down; entries expire within the minute.
        log.warning("figures cache unavailable, %s not forgotten: %s", area, error)


def forget_all() -> None:
    """Every area afresh: after a write the app did not see (a restore, psql, a repair)."""
    for area in AREAS:
        forget(area)


@event.listens_for(Session, "after_flush")
def _note_areas(session: Session, _context) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        touched.update(
            area
            for area, models in AREAS.items()
            if isinstance(obj, models) and not (area in _UNSEEN and _UNSEEN[area](obj))
        )


@event.listens_for(Session, "do_orm_execute")
def _note_statement_writes(state) -> None:
    # An UPDATE, INSERT or DELETE statement names tables, not objects: every area may be touched.
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info.setdefault(_TOUCHED, set()).update(AREAS)


@event.listens_for(Session, "after_soft_rollback")
def _keep_areas(session: Session, previous_transaction) -> None:
    # The whole transaction rolled back: what it wrote is gone, its areas are not touched.
    if previous_transaction.parent is None:
        session.info.pop(_TOUCHED, None)


@event.listens_for(Session, "after_commit")
def _forget_areas(session: Session) -> None:
    if not has_app_context():
        return
    for area in session.info.pop(_TOUCHED, ()):
        forget(area)
