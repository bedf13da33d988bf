from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.database import ChoiceSet, TimestampMixin
from wijklab.extensions import db

NAME_MAX = 160
CITY_MAX = 120
LEVELS = ("mbo", "hbo")
STUDY_YEARS = (1, 2, 3, 4)
DEFAULT_RETENTION_YEARS = 7


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    PARTNER = "partner"


class Organisation(TimestampMixin, db.Model):
    """A school or a partner organisation; names are unique so people and the CLI can name one."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        Enum(
            OrganisationKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        )
    )
    city: Mapped[str] = mapped_column(String(CITY_MAX), default="")
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL"), index=True
    )
    is_recognised_training_company: Mapped[bool] = mapped_column(default=False)
    suitable_levels: Mapped[frozenset[str]] = mapped_column(ChoiceSet(LEVELS), default=frozenset())
    suitable_years: Mapped[frozenset[int]] = mapped_column(
        ChoiceSet(STUDY_YEARS), default=frozenset()
    )
    # A school's students' data (and their issued statements) are kept this many years after
    # their last activity; then retention anonymises them.
    retention_years: Mapped[int] = mapped_column(
        default=DEFAULT_RETENTION_YEARS, server_default=str(DEFAULT_RETENTION_YEARS)
    )
    # The institution's schacHomeOrganization (a domain such as "hva.nl", lower-case): institution
    # logins (wijklab.accounts.oidc) must come from the user's own school or organisation.
    schac_home: Mapped[str | None] = mapped_column(String(100), unique=True)

    # Loaded on request (the organisations list joins it): every user brings their school or
    # partner organisation along, and another join per organisation made PostgreSQL plan
    # queries of thirty tables.
    neighbourhood = relationship("Neighbourhood")

    @property
    def is_school(self) -> bool:
        return self.kind == OrganisationKind.SCHOOL

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r} {self.kind.value}>"
