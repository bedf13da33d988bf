"""student numbers, availability and project wishes

Revision ID: 0014_student_numbers_and_wishes
Revises: 0013_start_agreements
Create Date: 2026-12-01 14:19:06.562720

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_student_numbers_and_wishes"
down_revision = "0013_start_agreements"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_wish",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rank BETWEEN 1 AND 3", name=op.f("ck_project_wish_rank_range")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_wish_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_project_wish_student_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_wish")),
        sa.UniqueConstraint("student_id", "project_id", name="uq_project_wish_student_project"),
        sa.UniqueConstraint("student_id", "rank", name="uq_project_wish_student_rank"),
    )
    with op.batch_alter_table("project_wish", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_wish_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_project_wish_student_id"), ["student_id"], unique=False
        )

    with op.batch_alter_table("student_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("student_number", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("cohort", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("wants_peer_coach", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("availability_set_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(
            "uq_student_profile_school_number", ["school_id", "student_number"]
        )


def downgrade():
    with op.batch_alter_table("student_profile", schema=None) as batch_op:
        batch_op.drop_constraint("uq_student_profile_school_number", type_="unique")
        batch_op.drop_column("availability_set_at")
        batch_op.drop_column("wants_peer_coach")
        batch_op.drop_column("cohort")
        batch_op.drop_column("student_number")

    with op.batch_alter_table("project_wish", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_wish_student_id"))
        batch_op.drop_index(batch_op.f("ix_project_wish_project_id"))

    op.drop_table("project_wish")
