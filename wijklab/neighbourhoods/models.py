from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wijklab.database import TimestampMixin
from wijklab.extensions import db

NAME_MAX = 120
CITY_MAX = 120
DESCRIPTION_MAX = 4000


class Neighbourhood(TimestampMixin, db.Model):
    """A neighbourhood in a city; its name is unique within the city."""

    __tablename__ = "neighbourhood"
    __table_args__ = (UniqueConstraint("name", "city", name="uq_neighbourhood_name_city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    city: Mapped[str] = mapped_column(String(CITY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.city})"

    def __repr__(self) -> str:
        return f"<Neighbourhood {self.id} {self.name!r}>"
