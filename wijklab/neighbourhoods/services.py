"""Neighbourhood rules: a name is unique within its city."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wijklab.errors import Conflict
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood


def save_neighbourhood(
    neighbourhood: Neighbourhood | None, *, name: str, city: str, description: str = ""
) -> Neighbourhood:
    """Create (when ``neighbourhood`` is None) or update a neighbourhood; name+city stay unique."""
    query = select(Neighbourhood.id).where(
        func.lower(Neighbourhood.name) == name.lower(),
        func.lower(Neighbourhood.city) == city.lower(),
    )
    if neighbourhood is not None:
        query = query.where(Neighbourhood.id != neighbourhood.id)
    if db.session.scalar(query) is not None:
        raise Conflict(_l("Deze wijk bestaat al in deze plaats."), field="name")
    if neighbourhood is None:
        neighbourhood = Neighbourhood()
        db.session.add(neighbourhood)
    neighbourhood.name = name
    neighbourhood.city = city
    neighbourhood.description = description
    db.session.flush()
    return neighbourhood
