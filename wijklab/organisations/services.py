"""Organisation rules: unique names; levels and years only from the fixed lists."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wijklab.errors import Conflict, WijklabError
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import LEVELS, STUDY_YEARS, Organisation, OrganisationKind


def save_organisation(
    organisation: Organisation | None,
    *,
    name: str,
    kind: OrganisationKind | str,
    city: str = "",
    neighbourhood: Neighbourhood | None = None,
    is_recognised_training_company: bool = False,
    suitable_levels=(),
    suitable_years=(),
    retention_years: int | None = None,
    schac_home: str | None = None,
) -> Organisation:
    """Create (when ``organisation`` is None) or update an organisation; its name stays unique."""
    try:
        kind = OrganisationKind(kind)
    except ValueError as exc:
        raise WijklabError(_l("Kies een school of een partnerorganisatie."), field="kind") from exc
    if not set(suitable_levels) <= set(LEVELS):
        raise WijklabError(_l("Onbekend niveau."), field="suitable_levels")
    if not set(suitable_years) <= set(STUDY_YEARS):
        raise WijklabError(_l("Het studiejaar is 1, 2, 3 of 4."), field="suitable_years")
    same_name = find_organisation(name)
    if same_name is not None and same_name is not organisation:
        raise Conflict(_l("Er is al een organisatie met deze naam."), field="name")
    schac_home = (schac_home or "").strip().lower() or None
    if schac_home is not None:
        same_domain = db.session.scalar(
            select(Organisation).where(Organisation.schac_home == schac_home)
        )
        if same_domain is not None and same_domain is not organisation:
            raise Conflict(
                _l("Een andere organisatie heeft dit instellingsdomein al."), field="schac_home"
            )
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    organisation.name = name
    organisation.schac_home = schac_home
    organisation.kind = kind
    organisation.city = city
    organisation.neighbourhood = neighbourhood
    organisation.is_recognised_training_company = is_recognised_training_company
    organisation.suitable_levels = frozenset(suitable_levels)
    organisation.suitable_years = frozenset(suitable_years)
    if retention_years is not None:
        if not 1 <= retention_years <= 30:
            raise WijklabError(
                _l("Kies een bewaartermijn van 1 tot 30 jaar."), field="retention_years"
            )
        organisation.retention_years = retention_years
    db.session.flush()
    return organisation


def find_organisation(name: str) -> Organisation | None:
    """The organisation with this name, ignoring case and surrounding white space."""
    return db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
    )
