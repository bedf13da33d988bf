"""projects and teams

Revision ID: 0002_projects_teams
Revises: 0001_foundation
Create Date: 2026-11-28 15:49:43.036029

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002_projects_teams"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("aims", sa.Text(), nullable=False),
        sa.Column("expectations", sa.Text(), nullable=False),
        sa.Column("supervision", sa.Text(), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "completed",
                "archived",
                name="projectstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.Column("min_mbo", sa.Integer(), nullable=False),
        sa.Column("min_hbo", sa.Integer(), nullable=False),
        sa.Column("max_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_project_dates_in_order")),
        sa.CheckConstraint(
            "hours_per_week BETWEEN 0 AND 40", name=op.f("ck_project_hours_per_week_range")
        ),
        sa.CheckConstraint("max_size BETWEEN 1 AND 30", name=op.f("ck_project_max_size_range")),
        sa.CheckConstraint("min_mbo + min_hbo <= max_size", name=op.f("ck_project_minimums_fit")),
        sa.CheckConstraint(
            "min_mbo >= 0 AND min_hbo >= 0", name=op.f("ck_project_minimums_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"],
            ["neighbourhood.id"],
            name=op.f("fk_project_neighbourhood_id_neighbourhood"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_project_owner_id_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["organisation.id"],
            name=op.f("fk_project_partner_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_neighbourhood_id"), ["neighbourhood_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_project_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_status"), ["status"], unique=False)

    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("handover_note", sa.Text(), nullable=False),
        sa.Column("handover_by_id", sa.Integer(), nullable=True),
        sa.Column("handover_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_team_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["handover_by_id"],
            ["user.id"],
            name=op.f("fk_team_handover_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_team_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["user.id"],
            name=op.f("fk_team_supervisor_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("project_id", "name", name="uq_team_project_name"),
    )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_supervisor_id"), ["supervisor_id"], unique=False)

    op.create_table(
        "team_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("member", "peer_coach", name="memberrole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_team_membership_student_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_team_membership_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_membership")),
        sa.UniqueConstraint("team_id", "student_id", name="uq_team_membership_team_student"),
    )
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_membership_student_id"), ["student_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_team_membership_team_id"), ["team_id"], unique=False)


def downgrade():

    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_membership_team_id"))
        batch_op.drop_index(batch_op.f("ix_team_membership_student_id"))

    op.drop_table("team_membership")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_supervisor_id"))
        batch_op.drop_index(batch_op.f("ix_team_project_id"))

    op.drop_table("team")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_status"))
        batch_op.drop_index(batch_op.f("ix_project_partner_id"))
        batch_op.drop_index(batch_op.f("ix_project_owner_id"))
        batch_op.drop_index(batch_op.f("ix_project_neighbourhood_id"))

    op.drop_table("project")
