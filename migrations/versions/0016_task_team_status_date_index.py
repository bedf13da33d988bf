"""a team's tasks of one status by date (the waiting list, read team by team)

Revision ID: 0016_task_team_status_date_index
Revises: 0015_summary_tables_and_indexes
Create Date: 2026-12-01 20:18:38.093926

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_task_team_status_date_index"
down_revision = "0015_summary_tables_and_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_team_status_date", ["team_id", "status", "date", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_team_status_date")
