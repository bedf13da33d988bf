"""tasks, supervision sessions and school visits

Revision ID: 0003_tasks
Revises: 0002_projects_teams
Create Date: 2026-11-28 16:24:55.844337

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003_tasks"
down_revision = "0002_projects_teams"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "school_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("present", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_school_visit_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["user.id"],
            name=op.f("fk_school_visit_visitor_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_visit")),
    )
    with op.batch_alter_table("school_visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_visit_team_id"), ["team_id"], unique=False)

    op.create_table(
        "supervision_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minutes BETWEEN 1 AND 960", name=op.f("ck_supervision_session_minutes_range")
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["user.id"],
            name=op.f("fk_supervision_session_supervisor_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_supervision_session_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_session")),
    )
    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_session_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "residents_activity",
                "network",
                "research",
                "information",
                "organisation",
                "individual_support",
                "study_assignment",
                "other",
                name="category",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("residents_reached", sa.Integer(), nullable=False),
        sa.Column("partners_involved", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "verified", "returned", name="taskstatus", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_on_behalf", sa.Boolean(), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("residents_reached >= 0", name=op.f("ck_task_residents_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_task_author_id_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_task_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["user.id"],
            name=op.f("fk_task_verified_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_team_id"), ["team_id"], unique=False)

    op.create_table(
        "task_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_task_event_actor_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_event_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_event")),
    )
    with op.batch_alter_table("task_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_event_task_id"), ["task_id"], unique=False)

    op.create_table(
        "task_participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "lead",
                "co_organiser",
                "support",
                name="participationrole",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "minutes BETWEEN 1 AND 960", name=op.f("ck_task_participation_minutes_range")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_task_participation_student_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_task_participation_task_id_task"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_participation")),
        sa.UniqueConstraint("task_id", "student_id", name="uq_task_participation_task_student"),
    )
    with op.batch_alter_table("task_participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_participation_student_id"), ["student_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_task_participation_task_id"), ["task_id"], unique=False
        )


def downgrade():

    with op.batch_alter_table("task_participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_participation_task_id"))
        batch_op.drop_index(batch_op.f("ix_task_participation_student_id"))

    op.drop_table("task_participation")
    with op.batch_alter_table("task_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_event_task_id"))

    op.drop_table("task_event")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_team_id"))
        batch_op.drop_index(batch_op.f("ix_task_status"))
        batch_op.drop_index(batch_op.f("ix_task_date"))

    op.drop_table("task")
    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_session_team_id"))

    op.drop_table("supervision_session")
    with op.batch_alter_table("school_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_visit_team_id"))

    op.drop_table("school_visit")
