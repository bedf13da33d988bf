"""summary tables (hours, tasks, goals) filled from the task log, and indexes for the filters the
pages use

Revision ID: 0015_summary_tables_and_indexes
Revises: 0014_student_numbers_and_wishes
Create Date: 2026-12-01 16:19:54.612327

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_summary_tables_and_indexes"
down_revision = "0014_student_numbers_and_wishes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "goal_summary",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "review_requested",
                "signed_off",
                name="goalstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("goals", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_goal_summary_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "status", name=op.f("pk_goal_summary")),
    )
    op.create_table(
        "hours_summary",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
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
                "peer_coaching",
                "other",
                name="category",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "verified",
                "returned",
                name="taskstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("participations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_hours_summary_student_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_hours_summary_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id",
            "week",
            "student_id",
            "category",
            "status",
            name=op.f("pk_hours_summary"),
        ),
    )
    with op.batch_alter_table("hours_summary", schema=None) as batch_op:
        batch_op.create_index("ix_hours_summary_student_week", ["student_id", "week"], unique=False)

    op.create_table(
        "task_summary",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
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
                "peer_coaching",
                "other",
                name="category",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "verified",
                "returned",
                name="taskstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("residents_reached", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_task_summary_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id", "week", "category", "status", name=op.f("pk_task_summary")
        ),
    )
    with op.batch_alter_table("learning_goal", schema=None) as batch_op:
        batch_op.create_index("ix_learning_goal_team_status", ["team_id", "status"], unique=False)
        batch_op.drop_index("ix_learning_goal_team_id")  # the new index starts with its column

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user_unread", ["user_id", "read_at"], unique=False)
        batch_op.drop_index("ix_notification_user_id")  # the new index starts with its column
        batch_op.create_index(
            "ix_notification_user_feed", ["user_id", "created_at", "id"], unique=False
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index("ix_user_name", ["name", "id"], unique=False)
        batch_op.create_index("ix_user_role_name", ["role", "name", "id"], unique=False)
        batch_op.drop_index("ix_user_role")  # the new index starts with its column

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_object", ["object_type", "object_id", "at"], unique=False
        )

    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervision_session_supervisor_date",
            ["supervisor_id", "date"],
            unique=False,
        )

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_team_date", ["team_id", "date", "id"], unique=False)
        batch_op.drop_index("ix_task_team_id")  # the new index starts with its column

    _fill_summaries()


def _fill_summaries():
    """The summaries of the tasks and goals already there (afterwards the application keeps
    them after every flush; `flask check-summaries` compares them with the full sums)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        week = "date(task.date, 'weekday 0', '-6 days')"
    else:
        week = "CAST(date_trunc('week', task.date) AS DATE)"
    op.execute(
        "INSERT INTO hours_summary "  # noqa: S608  (``week`` is one of the two constants above)
        "(team_id, week, student_id, category, status, minutes, participations) "
        f"SELECT task.team_id, {week}, task_participation.student_id, task.category, task.status, "
        "SUM(task_participation.minutes), COUNT(*) "
        "FROM task JOIN task_participation ON task_participation.task_id = task.id "
        f"GROUP BY task.team_id, {week}, task_participation.student_id, task.category, task.status"
    )
    op.execute(
        "INSERT INTO task_summary "  # noqa: S608
        "(team_id, week, category, status, tasks, residents_reached, minutes) "
        "SELECT team_id, week, category, status, COUNT(*), SUM(residents), SUM(minutes) FROM ("
        f"SELECT task.team_id AS team_id, {week} AS week, task.category AS category, "
        "task.status AS status, task.residents_reached AS residents, "
        "COALESCE(SUM(task_participation.minutes), 0) AS minutes "
        "FROM task LEFT JOIN task_participation ON task_participation.task_id = task.id "
        "GROUP BY task.id, task.team_id, task.date, task.category, task.status"
        ") AS per_task GROUP BY team_id, week, category, status"
    )
    op.execute(
        "INSERT INTO goal_summary (team_id, status, goals) "
        "SELECT team_id, status, COUNT(*) FROM learning_goal GROUP BY team_id, status"
    )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index("ix_user_role", ["role"], unique=False)
        batch_op.drop_index("ix_user_role_name")
        batch_op.drop_index("ix_user_name")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_object")

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_team_id", ["team_id"], unique=False)
        batch_op.drop_index("ix_task_team_date")

    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_session_supervisor_date")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user_id", ["user_id"], unique=False)
        batch_op.drop_index("ix_notification_user_feed")
        batch_op.drop_index("ix_notification_user_unread")

    with op.batch_alter_table("learning_goal", schema=None) as batch_op:
        batch_op.create_index("ix_learning_goal_team_id", ["team_id"], unique=False)
        batch_op.drop_index("ix_learning_goal_team_status")

    op.drop_table("task_summary")
    with op.batch_alter_table("hours_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_hours_summary_student_week")

    op.drop_table("hours_summary")
    op.drop_table("goal_summary")
