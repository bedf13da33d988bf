from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijklab.database import TimestampMixin
from wijklab.extensions import db

FRAMEWORK_MAX = 60
CODE_MAX = 40
TITLE_MAX = 300


class FrameworkItemKind(enum.StrEnum):
    CORE_TASK = "core_task"
    WORK_PROCESS = "work_process"
    COMPETENCE = "competence"


class FrameworkItem(TimestampMixin, db.Model):
    """One item of a qualification framework (a core task, work process or competence); its code
    is unique within the framework, and an item that left the framework is made inactive, never
    deleted, because learning goals may refer to it."""

    __tablename__ = "framework_item"
    __table_args__ = (
        UniqueConstraint("framework", "code", name="uq_framework_item_framework_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework: Mapped[str] = mapped_column(String(FRAMEWORK_MAX))
    code: Mapped[str] = mapped_column(String(CODE_MAX))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    kind: Mapped[FrameworkItemKind] = mapped_column(
        Enum(
            FrameworkItemKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        )
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework_item.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    # The title is our paraphrase, not the official text of the framework.
    is_own_wording: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[FrameworkItem | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[FrameworkItem]] = relationship(
        back_populates="parent", order_by="FrameworkItem.position"
    )

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"

    def __repr__(self) -> str:
        return f"<FrameworkItem {self.id} {self.framework}:{self.code}>"
