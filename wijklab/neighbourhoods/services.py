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
    same_name = find_neighbourhood(name, city)
    if same_name is not None and same_name is not neighbourhood:
        raise Conflict(_l("Deze wijk bestaat al in deze plaats."), field="name")
    if neighbourhood is None:
        neighbourhood = Neighbourhood()
        db.session.add(neighbourhood)
    neighbourhood.name = name
    neighbourhood.city = city
    neighbourhood.description = description
    db.session.flush()
    return neighbourhood


def find_neighbourhood(name: str, city: str) -> Neighbourhood | None:
    """The neighbourhood with this name in this city, ignoring case and surrounding white space."""
    return db.session.scalar(
        select(Neighbourhood).where(
            func.lower(Neighbourhood.name) == name.strip().lower(),
            func.lower(Neighbourhood.city) == city.strip().lower(),
        )
    )
